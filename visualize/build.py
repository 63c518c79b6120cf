"""From a pathway library to a :class:`~visualize.model.Diagram`: one pathway, or all.

Every ``reached`` requirement is drawn: as the progression it repeats, or as a
dashed *prerequisite* edge (labelled with the rule's effective date when it is
dated). In a one-pathway diagram, stages of other pathways linked to it either
way are drawn small, in a box of their own pathway, so "FSL stage 3 -> Senior
PNAC" is visible from the senior leadership diagram (and from the FSL one).

>>> from pathways import SHIPPED_LIBRARY, load_library
>>> d = pathway_diagram(load_library([SHIPPED_LIBRARY]), "senior_leadership")
>>> [(e.tail, e.label) for e in d.edges if e.head == "senior_leadership__spnac"][:2]
[('senior_leadership__chief_inspector', None), ('fsl__stage_1', 'from 2010-04-01')]
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from pathways.model.library import Library
from pathways.model.pathway import Pathway, Stage
from pathways.model.requirements import (
    AllOf,
    AnyOf,
    AtLeast,
    Not,
    ReachedRequirement,
    Requirement,
)
from pathways.model.tree import stage_reference
from rules.wording import Words

from .model import Cluster, Diagram, Edge, Node, node_id

__all__ = ["levels", "overview_diagram", "pathway_diagram"]

# Top-level requirements listed on a node; the rest are in its tooltip.
MAX_DETAILS = 5


@dataclass(frozen=True)
class _Link:
    """One prerequisite: ``target`` must be reached for ``stage`` (both (pathway, stage))."""

    target: tuple[str, str]
    stage: tuple[str, str]
    effective_from: dt.date | None
    effective_to: dt.date | None
    conditional: bool

    @property
    def label(self) -> str:
        window = _window(self.effective_from, self.effective_to)
        if window:
            return window
        return "prerequisite (one option)" if self.conditional else "prerequisite"


def pathway_diagram(library: Library, pathway_id: str) -> Diagram:
    """One pathway, with the stages of other pathways it links to drawn small.

    Raises:
        KeyError: if the library has no such pathway.
    """
    pathway = library.pathways[pathway_id]
    words = Words(library)
    links = [link for link in _links(library) if pathway_id in (link.target[0], link.stage[0])]
    external = {key for link in links for key in (link.target, link.stage) if key[0] != pathway_id}
    nodes = [_node(library, words, pathway, stage, details=True) for stage in pathway.stages]
    clusters = [Cluster(pathway.id, pathway.name)]
    edges = _progressions(pathway)
    for other in library.pathways.values():
        shown = [s for s in other.stages if (other.id, s.id) in external]
        if not shown:
            continue
        clusters.append(Cluster(other.id, other.name, external=True))
        nodes += [_node(library, words, other, s, external=True) for s in shown]
        # The other pathway's own order, so its stages do not float about.
        edges += [
            e for e in _progressions(other) if {e.tail, e.head} <= {node_id(*k) for k in external}
        ]
    edges += _prerequisite_edges(library, links)
    return Diagram(
        kind="pathway",
        title=pathway.name,
        library_version=library.digest,
        clusters=tuple(clusters),
        nodes=tuple(nodes),
        edges=tuple(edges),
    )


def overview_diagram(library: Library) -> Diagram:
    """Every pathway as a box of stage names, with the prerequisite links between them."""
    words = Words(library)
    nodes: list[Node] = []
    edges: list[Edge] = []
    for pathway in library.pathways.values():
        nodes += [_node(library, words, pathway, s, details=False) for s in pathway.stages]
        edges += _progressions(pathway)
    edges += _prerequisite_edges(library, _links(library))
    return Diagram(
        kind="overview",
        title="Career pathways: overview",
        library_version=library.digest,
        clusters=tuple(Cluster(p.id, p.name) for p in library.pathways.values()),
        nodes=tuple(nodes),
        edges=tuple(edges),
    )


def levels(pathway: Pathway) -> dict[str, int]:
    """Each stage's level: the longest chain of progressions reaching it from a start.

    Stages on the same level are drawn side by side. Longest (not shortest) so
    that a stage is always below every stage that progresses to it.

    >>> from pathways import SHIPPED_LIBRARY, load_library
    >>> levels(load_library([SHIPPED_LIBRARY]).pathways["recruit"])["initial_grounding"]
    2
    """
    level = {s.id: 0 for s in pathway.stages}
    steps = [(p.from_, p.to) for p in pathway.progressions if p.from_ in level and p.to in level]
    # Relax at most once per stage: a cycle (which the checker reports) cannot loop forever.
    for _ in pathway.stages:
        changed = False
        for tail, head in steps:
            if level[head] < level[tail] + 1 <= len(level):
                level[head] = level[tail] + 1
                changed = True
        if not changed:
            break
    return level


def _node(
    library: Library,
    words: Words,
    pathway: Pathway,
    stage: Stage,
    details: bool = False,
    external: bool = False,
) -> Node:
    summary = _summary(words, pathway, stage) if details else []
    shown = summary[:MAX_DETAILS]
    if len(summary) > MAX_DETAILS:
        shown.append(f"+ {len(summary) - MAX_DETAILS} more (see the tooltip)")
    window = _window(stage.effective_from, stage.effective_to)
    return Node(
        id=node_id(pathway.id, stage.id),
        pathway=pathway.id,
        stage=stage.id,
        name=stage.name,
        level=levels(pathway)[stage.id],
        external=external,
        details=tuple(shown),
        dates=f"in force {window}" if window else None,
        tooltip=_tooltip(words, pathway, stage, window),
    )


def _summary(words: Words, pathway: Pathway, stage: Stage) -> list[str]:
    """The stage's top-level requirements in words; plain ``reached`` ones are edges."""
    out = []
    for req in stage.requires:
        if isinstance(req, ReachedRequirement):
            continue
        text = words.text(req, pathway.id)
        if not req.text and req.children():
            # Generated combinator words ("One of these") say nothing on their own.
            text += ": " + "; ".join(words.text(c, pathway.id) for c in req.children())
        window = _window(req.effective_from, req.effective_to)
        out.append(f"{text} ({window})" if window else text)
    return out


def _tooltip(words: Words, pathway: Pathway, stage: Stage, window: str | None) -> str:
    lines = [stage.name, f"({pathway.name})"]
    if window:
        lines.append(f"In force {window}")
    if stage.awards:
        lines.append(f"Shown by: {stage.awards.describe()}")
    if stage.requires:
        lines.append("Requires all of:")
    for top in stage.requires:
        lines += _requirement_lines(words, pathway.id, top, depth=1)
    return "\n".join(lines)


def _requirement_lines(words: Words, pathway_id: str, req: Requirement, depth: int) -> list[str]:
    window = _window(req.effective_from, req.effective_to)
    text = words.text(req, pathway_id) + (f" ({window})" if window else "")
    lines = ["  " * depth + "- " + text]
    for child in req.children():
        lines += _requirement_lines(words, pathway_id, child, depth + 1)
    return lines


def _progressions(pathway: Pathway) -> list[Edge]:
    return [
        Edge(
            node_id(pathway.id, p.from_),
            node_id(pathway.id, p.to),
            "progression",
            label=_window(p.effective_from, p.effective_to),
        )
        for p in pathway.progressions
    ]


def _prerequisite_edges(library: Library, links: list[_Link]) -> list[Edge]:
    """Dashed edges for the links no progression already draws."""
    drawn = {
        (node_id(p.id, pr.from_), node_id(p.id, pr.to))
        for p in library.pathways.values()
        for pr in p.progressions
    }
    edges: dict[tuple[str, str], Edge] = {}
    for link in links:
        tail, head = node_id(*link.target), node_id(*link.stage)
        if (tail, head) not in drawn and (tail, head) not in edges:
            edges[tail, head] = Edge(
                tail, head, "prerequisite", label=link.label, conditional=link.conditional
            )
    return list(edges.values())


def _links(library: Library) -> list[_Link]:
    """Every prerequisite of every stage that points at a stage the library has.

    Like :func:`pathways.model.library.prerequisites`, but keeping the effective
    window a requirement inherits from the combinators around it, and whether it
    is only one of several alternatives.
    """
    out = []
    for pathway in library.pathways.values():
        for stage in pathway.stages:
            for req, start, end, conditional in _reached(stage.requires, None, None, False):
                target = req.target(pathway.id)
                if library.stage(*target) is not None:
                    out.append(_Link(target, (pathway.id, stage.id), start, end, conditional))
    return out


def _reached(
    reqs: Sequence[Requirement],
    start: dt.date | None,
    end: dt.date | None,
    conditional: bool,
) -> Iterator[tuple[ReachedRequirement, dt.date | None, dt.date | None, bool]]:
    for req in reqs:
        # The narrowest window: a rule applies only while it and its parents do.
        s = max(filter(None, (start, req.effective_from)), default=None)
        e = min(filter(None, (end, req.effective_to)), default=None)
        match req:
            case Not():
                pass  # a reached under 'not' is an exclusion, not a prerequisite
            case AllOf():
                yield from _reached(req.all_of, s, e, conditional)
            case AnyOf() | AtLeast():
                yield from _reached(req.children(), s, e, True)  # one of the alternatives
            case _:
                if (reached := stage_reference(req)) is not None:
                    yield reached, s, e, conditional


def _window(start: dt.date | None, end: dt.date | None) -> str | None:
    """Words for an effective window, or None if it is not dated.

    >>> _window(dt.date(2010, 4, 1), None), _window(None, dt.date(2012, 3, 31))
    ('from 2010-04-01', 'until 2012-03-31')
    """
    if start and end:
        return f"{start} to {end}"
    if start:
        return f"from {start}"
    if end:
        return f"until {end}"
    return None
