"""What a diagram shows, as plain data, before any graphviz.

The builders (:mod:`visualize.build`) turn a library into a :class:`Diagram`; an
overlay (:mod:`visualize.overlay`) marks its nodes with one person's decision;
:mod:`visualize.dot` draws it. Keeping this step free of graphviz lets tests read
what will be drawn without parsing DOT, and keeps the wording in one place.

>>> node_id("pip", "level_1"), anchor("pip", "level_1")
('pip__level_1', 'stage-pip-level_1')
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = [
    "NOT_IN_FORCE",
    "Cluster",
    "Diagram",
    "Edge",
    "Marking",
    "Node",
    "anchor",
    "node_id",
]

EdgeKind = Literal["progression", "prerequisite"]
DiagramKind = Literal["pathway", "overview"]

# A status of its own for stages a decision does not cover because their rule is
# not in force on the as-of date: showing them as "not eligible" would be wrong.
NOT_IN_FORCE = "not_in_force"


def node_id(pathway_id: str, stage_id: str) -> str:
    """The DOT node name and SVG element id of a stage.

    Pathway and stage ids are ``[A-Za-z0-9_-]+`` (the language says so), so the
    result is a valid XML id and a bare DOT identifier; ``__`` keeps the two
    parts apart, where a dot would need quoting in CSS selectors.
    """
    return f"{pathway_id}__{stage_id}"


def anchor(pathway_id: str, stage_id: str) -> str:
    """The fragment a web page uses for a stage's own section (the node's link)."""
    return f"stage-{pathway_id}-{stage_id}"


@dataclass(frozen=True)
class Marking:
    """One person's position on a stage, from a decision."""

    status: str  # a rules.decision.Status value, or NOT_IN_FORCE
    words: str  # e.g. "eligible from 2025-02-01", "lapsed on 2024-04-20"
    next_steps: tuple[str, ...] = ()


@dataclass(frozen=True)
class Node:
    """A stage. ``external`` stages belong to another pathway and are drawn small."""

    id: str
    pathway: str
    stage: str
    name: str
    level: int  # the rank: longest chain of progressions from an entry stage
    external: bool = False
    details: tuple[str, ...] = ()  # requirement summaries shown on the node
    dates: str | None = None  # e.g. "in force from 2010-04-01"
    tooltip: str = ""
    marking: Marking | None = None

    @property
    def url(self) -> str:
        return f"#{anchor(self.pathway, self.stage)}"


@dataclass(frozen=True)
class Edge:
    """A progression (solid) or a prerequisite not already drawn as one (dashed)."""

    tail: str
    head: str
    kind: EdgeKind
    label: str | None = None
    conditional: bool = False  # one alternative of an any_of / at_least


@dataclass(frozen=True)
class Cluster:
    """A pathway's box: all its nodes share its id as ``Node.pathway``."""

    id: str
    name: str
    external: bool = False


@dataclass(frozen=True)
class Diagram:
    """Everything one picture shows."""

    kind: DiagramKind
    title: str
    library_version: str
    clusters: tuple[Cluster, ...]
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    caption: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()  # the statuses the key explains; none without a decision

    @property
    def name(self) -> str:
        """A short name for files: the pathway id, or 'overview'."""
        if self.kind == "overview":
            return "overview"
        return next(c.id for c in self.clusters if not c.external)

    def node(self, pathway_id: str, stage_id: str) -> Node:
        """The node of a stage.

        Raises:
            KeyError: if the stage is not in this diagram.
        """
        wanted = node_id(pathway_id, stage_id)
        for n in self.nodes:
            if n.id == wanted:
                return n
        raise KeyError(wanted)
