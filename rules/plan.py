"""The static part of every decision, worked out once per library version.

For each stage, its requirement tree as :class:`Node` objects that already
know their path, plain words, compiled leaf and combinator; evaluating a record
then only looks things up. This is what keeps a full decision fast.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, assert_never

from pathways.model.pathway import Pathway, Stage
from pathways.model.requirements import (
    AllOf,
    AnyOf,
    AtLeast,
    AttributeRequirement,
    BandRequirement,
    Combinator,
    CompletedProgrammeRequirement,
    CourseRequirement,
    CredentialRequirement,
    DistinctBusinessGroupsRequirement,
    EndorsementRequirement,
    HasMentorRequirement,
    LeafRequirement,
    MembershipRequirement,
    Not,
    PassedRequirement,
    PostedRequirement,
    RankRequirement,
    ReachedRequirement,
    Requirement,
    ServedRequirement,
)
from pathways.model.tree import placed_children
from pathways.problems import format_path

from .compile import CompiledLibrary
from .wording import Words

__all__ = ["Node", "StagePlan", "plan_library", "requirement_node"]


@dataclass(eq=False)
class Node:
    """One requirement of a stage, with everything that does not depend on the record."""

    req: Requirement
    path: str
    kind: str
    text: str
    next_step: str | None
    children: list[Node] = field(default_factory=list)
    leaf: int = -1  # compiled leaf index, for leaves
    scope: str | None = None  # tenure scope, for 'served'
    combinator: Combinator | None = None  # req, for all_of, any_of, at_least and not
    need: int = 1  # for at_least
    effective_from: dt.date | None = None
    effective_to: dt.date | None = None
    # Leaves that, unmet, can be closed to a person whatever they do:
    attribute: bool = False
    ceiling: tuple[str, str] | None = None  # (rank|band, id) for exactly / at_most
    at_most_months: int | None = None
    at_least_months: int | None = None
    # Outcomes with nothing of the record in them (unmet, not in force), built once.
    shared: dict[str, Any] = field(default_factory=dict)

    def in_force(self, day: dt.date) -> bool:
        if self.effective_from is not None and day < self.effective_from:
            return False
        return self.effective_to is None or day <= self.effective_to


@dataclass(eq=False)
class StagePlan:
    pathway: Pathway
    stage: Stage
    key: str
    nodes: list[Node]
    # Whether time alone can ever make the stage hold: the tree is monotone in its
    # leaves, so only periods that complete, rules that start or end, and 'not'
    # (whose child can lapse) can turn it true later.
    time_sensitive: bool


def plan_library(compiled: CompiledLibrary, words: Words) -> dict[str, StagePlan]:
    """A plan per stage, keyed ``pathway.stage``, in library order."""
    plans: dict[str, StagePlan] = {}
    for pathway, stage in compiled.library.stages():
        nodes = [
            _node(r, f"requires[{i}]", pathway, compiled, words)
            for i, r in enumerate(stage.requires)
        ]
        key = f"{pathway.id}.{stage.id}"
        sensitive = any(_time_sensitive(n) for n in nodes) or bool(stage.effective_to)
        plans[key] = StagePlan(pathway, stage, key, nodes, sensitive)
    return plans


def requirement_node(
    req: Requirement, path: str, pathway: Pathway, compiled: CompiledLibrary, words: Words
) -> Node:
    """The plan of one requirement tree outside a stage (an obligation's)."""
    return _node(req, path, pathway, compiled, words)


def _time_sensitive(node: Node) -> bool:
    if node.effective_from or node.effective_to or isinstance(node.combinator, Not):
        return True
    if node.at_least_months is not None:
        return True
    return any(_time_sensitive(c) for c in node.children)


def _node(
    req: Requirement, path: str, pathway: Pathway, compiled: CompiledLibrary, words: Words
) -> Node:
    node = Node(
        req=req,
        path=path,
        kind=req.kind,
        text=words.text(req, pathway.id),
        next_step=words.next_step(req, pathway.id),
        effective_from=req.effective_from,
        effective_to=req.effective_to,
    )
    node.children = [
        _node(child, f"{path}.{format_path(place)}", pathway, compiled, words)
        for place, child in placed_children(req)
    ]
    # Each kind: how many children must hold, or its compiled leaf and whether an unmet
    # leaf can be closed to the person whatever they do (steps.py leaves those out).
    match req:
        case AtLeast():
            node.combinator, node.need = req, req.at_least
        case AllOf() | AnyOf() | Not():
            node.combinator = req
        case RankRequirement():
            _compiled_leaf(node, compiled, req)
            node.ceiling = (req.kind, req.rank.exactly or req.rank.at_most or "")
        case BandRequirement():
            _compiled_leaf(node, compiled, req)
            node.ceiling = (req.kind, req.band.exactly or req.band.at_most or "")
        case ServedRequirement():
            _compiled_leaf(node, compiled, req)
            node.at_least_months = req.served.at_least_months
            node.at_most_months = req.served.at_most_months
        case AttributeRequirement():
            _compiled_leaf(node, compiled, req)
            node.attribute = True
        case (
            CredentialRequirement()
            | CourseRequirement()
            | CompletedProgrammeRequirement()
            | PassedRequirement()
            | DistinctBusinessGroupsRequirement()
            | PostedRequirement()
            | EndorsementRequirement()
            | MembershipRequirement()
            | HasMentorRequirement()
            | ReachedRequirement()
        ):
            _compiled_leaf(node, compiled, req)
        case _:
            assert_never(req)
    return node


def _compiled_leaf(node: Node, compiled: CompiledLibrary, req: LeafRequirement) -> None:
    leaf = compiled.leaf(req)
    node.leaf, node.scope = leaf.index, leaf.scope
