"""The pathway diagram on a person's pathway page.

The SVG comes from the ``visualize`` package (graphviz); beside it, as the
accessible alternative, the page shows the same map as text: each stage, its
status, and the stages it leads to.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from pathways.model.library import Library
from rules.decision import Decision, StageDecision

__all__ = ["PathwayMap", "pathway_map", "svg_for"]

log = logging.getLogger("web")


@dataclass(frozen=True)
class MapStage:
    id: str
    name: str
    decision: StageDecision | None
    leads_to: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class PathwayMap:
    pathway: str
    stages: list[MapStage]
    svg: str | None


def svg_for(library: Library, pathway_id: str, decision: Decision | None) -> str | None:
    """An SVG of the pathway with the decision drawn on it, or None if it cannot be drawn.

    The page keeps its text map either way, so a missing ``dot`` binary degrades the
    page rather than failing it.
    """
    from visualize import overlay, pathway_diagram, svg

    try:
        diagram = pathway_diagram(library, pathway_id)
        if decision is not None:
            diagram = overlay(diagram, decision)
        return svg(diagram)
    except Exception:  # a diagram is never worth failing the page for
        log.exception("cannot draw the diagram of %s", pathway_id)
        return None


def pathway_map(library: Library, pathway_id: str, decision: Decision | None) -> PathwayMap:
    pathway = library.pathways[pathway_id]
    names = {s.id: s.name for s in pathway.stages}
    decided = {s.stage: s for s in decision.stages if s.pathway == pathway_id} if decision else {}
    stages = [
        MapStage(
            s.id,
            s.name,
            decided.get(s.id),
            [names.get(p.to, p.to) for p in pathway.progressions if p.from_ == s.id],
        )
        for s in pathway.stages
    ]
    return PathwayMap(pathway_id, stages, svg_for(library, pathway_id, decision))
