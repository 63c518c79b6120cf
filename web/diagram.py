"""Pathway diagrams for the pages and the API: SVG drawn by :mod:`visualize` (graphviz).

Beside the drawing, the officer's pathway page shows the same map as text (each stage,
its status, and the stages it leads to): the accessible alternative, and what is left
when the drawing cannot be made (graphviz's ``dot`` missing). Each stage node links to
its own section of the page (``#stage-PATHWAY-STAGE``); stages of *other* pathways link to
that pathway's page, through ``external``.

>>> from pathways import SHIPPED_LIBRARY, load_library
>>> library = load_library([SHIPPED_LIBRARY])
>>> drawn = draw(library, "pip")
>>> drawn.unavailable is None and 'id="pip__level_1"' in drawn.svg
True
>>> 'xlink:href="#stage-pip-level_1"' in drawn.svg
True
>>> draw(library, "nope").unavailable
"there is no pathway 'nope' in the library in use"
"""

from __future__ import annotations

import html
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

from pathways.model.library import Library
from rules.decision import Decision, StageDecision
from visualize import Diagram, overlay, pathway_diagram, svg
from visualize.model import anchor

__all__ = ["Drawing", "External", "PathwayMap", "draw", "pathway_map", "stage_anchor"]

log = logging.getLogger("web")

#: Where a stage of another pathway links to: ``(pathway id, stage id) -> URL``.
External = Callable[[str, str], str]

_CACHE_SIZE = 64
_cache: OrderedDict[tuple[str, str, str], str] = OrderedDict()
_cache_lock = threading.Lock()


def stage_anchor(pathway_id: str, stage_id: str) -> str:
    """The id of a stage's section on a page: what the diagram's nodes link to.

    >>> stage_anchor("pip", "level_2")
    'stage-pip-level_2'
    """
    return anchor(pathway_id, stage_id)


@dataclass(frozen=True)
class Drawing:
    """An SVG to put inline, or, when there is none, why not (in words for the page)."""

    svg: str | None
    unavailable: str | None = None


def draw(
    library: Library,
    pathway_id: str,
    decision: Decision | None = None,
    external: External | None = None,
) -> Drawing:
    """The diagram of a pathway, with ``decision`` drawn on it if given.

    Never raises: a diagram is never worth failing a page for, so a failure is logged
    and returned as :attr:`Drawing.unavailable`. Drawings without a decision are
    cached per library version.
    """
    if pathway_id not in library.pathways:
        return Drawing(None, f"there is no pathway '{pathway_id}' in the library in use")
    # The link pattern stands for ``external`` in the cache key.
    key = (library.digest, pathway_id, external("{pathway}", "{stage}") if external else "")
    if decision is None:
        with _cache_lock:
            if key in _cache:
                _cache.move_to_end(key)
                return Drawing(_cache[key])
    try:
        diagram = pathway_diagram(library, pathway_id)
        if decision is not None:
            diagram = overlay(diagram, decision)
        text = _link_external(svg(diagram), diagram, pathway_id, external)
    except RuntimeError as exc:  # graphviz's dot is missing: says how to install it
        log.warning("cannot draw the diagram of %s: %s", pathway_id, exc)
        return Drawing(None, str(exc))
    except Exception as exc:
        log.exception("cannot draw the diagram of %s", pathway_id)
        return Drawing(None, f"drawing it failed ({type(exc).__name__}; the error is logged)")
    if decision is None:
        with _cache_lock:
            _cache[key] = text
            while len(_cache) > _CACHE_SIZE:
                _cache.popitem(last=False)
    return Drawing(text)


def _link_external(text: str, diagram: Diagram, pathway_id: str, external: External | None) -> str:
    """Point the nodes of other pathways' stages at ``external`` (they have no section here)."""
    if external is None:
        return text
    for node in diagram.nodes:
        if node.pathway != pathway_id:
            target = html.escape(external(node.pathway, node.stage), quote=True)
            text = text.replace(f'xlink:href="{node.url}"', f'xlink:href="{target}"')
    return text


@dataclass(frozen=True)
class MapStage:
    id: str
    name: str
    decision: StageDecision | None
    anchor: str
    leads_to: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class PathwayMap:
    """A pathway's stages in order, with a person's status on each, and its drawing."""

    pathway: str
    stages: list[MapStage]
    drawing: Drawing

    @property
    def svg(self) -> str | None:
        return self.drawing.svg


def pathway_map(
    library: Library,
    pathway_id: str,
    decision: Decision | None,
    external: External | None = None,
) -> PathwayMap:
    """The text map and the drawing of one pathway.

    Raises:
        KeyError: if the library has no such pathway.
    """
    pathway = library.pathways[pathway_id]
    names = {s.id: s.name for s in pathway.stages}
    decided = {s.stage: s for s in decision.stages if s.pathway == pathway_id} if decision else {}
    stages = [
        MapStage(
            s.id,
            s.name,
            decided.get(s.id),
            stage_anchor(pathway_id, s.id),
            [names.get(p.to, p.to) for p in pathway.progressions if p.from_ == s.id],
        )
        for s in pathway.stages
    ]
    return PathwayMap(pathway_id, stages, draw(library, pathway_id, decision, external))
