"""Compiling a pathway library into one durable-rules ruleset (as data).

Every distinct leaf requirement of the library (of its stages and its obligations)
becomes one rule (requirements written identically in several places share it); every
stage that awards something gets a *held* rule, and credential stages a *lapsed* rule too. A held
rule asserts a ``held`` fact, which the rules for ``reached`` requirements
match: that is how a stage reached in one pathway chains into another.

Combinators (``all_of``, ``any_of``, ``at_least``, ``not``) are not compiled:
durable-rules' ``none()`` misfires (see shared/notes/durable-rules.md), so the
tree is combined in Python from the set of leaves that fired.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, assert_never

from pathways.model.catalogue import Catalogue
from pathways.model.library import Library, stage_key
from pathways.model.pathway import Award
from pathways.model.requirements import (
    AttributeRequirement,
    BandBounds,
    BandRequirement,
    CompletedProgrammeRequirement,
    CourseRequirement,
    CredentialRequirement,
    DistinctBusinessGroupsRequirement,
    EndorsementRequirement,
    HasMentorRequirement,
    LeafRequirement,
    MembershipRequirement,
    PassedRequirement,
    PostedRequirement,
    RankBounds,
    RankRequirement,
    ReachedRequirement,
    ServedRequirement,
    ServedSpec,
)
from pathways.model.tree import leaves

__all__ = ["CompiledLibrary", "Leaf", "compile_library"]

Pattern = dict[str, Any]
ANCHOR = "anchor"


@dataclass
class Leaf:
    """One distinct leaf condition, shared by every requirement written the same way."""

    index: int
    kind: str
    patterns: list[Pattern]
    scope: str | None = None  # for 'served': the tenure scope it tests


@dataclass
class StageRules:
    key: str
    held_rule: str | None
    lapsed_rule: str | None


@dataclass
class CompiledLibrary:
    """A library compiled once, evaluated many times."""

    library: Library
    leaves: list[Leaf]
    leaf_of: dict[int, int]  # id(requirement model) -> leaf index
    stages: dict[str, StageRules]
    definition: dict[str, Any] = field(repr=False)
    chained: frozenset[str] = frozenset()  # stages some 'reached' rule asks about

    @property
    def digest(self) -> str:
        return self.library.digest

    def leaf(self, requirement: LeafRequirement) -> Leaf:
        return self.leaves[self.leaf_of[id(requirement)]]

    def fresh_definition(self) -> dict[str, Any]:
        """A deep copy: registering a ruleset mutates its definition."""
        copied: dict[str, Any] = json.loads(json.dumps(self.definition))
        return copied


def compile_library(library: Library) -> CompiledLibrary:
    """Compile every leaf and held rule of ``library`` into one ruleset definition."""
    cat = library.catalogue
    found: list[Leaf] = []
    by_key: dict[str, int] = {}
    leaf_of: dict[int, int] = {}
    rules: dict[str, Any] = {ANCHOR: {"all": [{"m": {"t": ANCHOR}}], "run": ANCHOR}}

    def add_leaf(req: LeafRequirement, pathway_id: str) -> None:
        patterns, scope = _leaf_patterns(req, cat, pathway_id)
        key = json.dumps(patterns, sort_keys=True)
        if key not in by_key:
            by_key[key] = len(found)
            found.append(Leaf(len(found), req.kind, patterns, scope))
            rules[f"l{by_key[key]}"] = {"all": _bind(patterns), "run": f"l{by_key[key]}"}
        leaf_of[id(req)] = by_key[key]

    stages: dict[str, StageRules] = {}
    for pathway, stage in library.stages():
        for top in stage.requires:
            for req in leaves(top):
                add_leaf(req, pathway.id)
        key = stage_key(pathway.id, stage.id)
        held = lapsed = None
        if stage.awards is not None:
            patterns = _award_patterns(stage.awards, cat, current=True)
            held = f"h{len(stages)}"
            rules[held] = {"all": _bind(patterns), "run": held}
            if stage.awards.credential is not None:
                lapsed = f"x{len(stages)}"
                lapsed_patterns = _award_patterns(stage.awards, cat, current=False)
                rules[lapsed] = {"all": _bind(lapsed_patterns), "run": lapsed}
        stages[key] = StageRules(key, held, lapsed)
    for pathway in library.pathways.values():
        for obligation in pathway.obligations:
            for _path, top in obligation.requirements():
                for req in leaves(top):
                    add_leaf(req, pathway.id)
    chained = frozenset(
        str(p["$and"][1]["stage"])
        for leaf in found
        if leaf.kind == "reached"
        for p in leaf.patterns
    )
    return CompiledLibrary(library, found, leaf_of, stages, rules, chained)


def _bind(patterns: list[Pattern]) -> list[dict[str, Pattern]]:
    return [{f"m{i}": p} for i, p in enumerate(patterns)]


def _and(t: str, *tests: Pattern) -> Pattern:
    return {"$and": [{"t": t}, *tests]} if tests else {"t": t}


def _order_tests(
    field_name: str,
    order: dict[str, int],
    exactly: str | None,
    at_least: str | None,
    at_most: str | None,
) -> list[Pattern]:
    tests: list[Pattern] = []
    if exactly is not None:
        tests.append({field_name: order.get(exactly, -1)})
    if at_least is not None:
        tests.append({"$gte": {field_name: order.get(at_least, 10**6)}})
    if at_most is not None:
        tests.append({"$lte": {field_name: order.get(at_most, -1)}})
    return tests


def _leaf_patterns(
    req: LeafRequirement, cat: Catalogue, pathway_id: str
) -> tuple[list[Pattern], str | None]:
    match req:
        case CredentialRequirement():
            tests: list[Pattern] = [{"credential": req.credential}]
            if req.level is not None:
                tests.append({"$gte": {"level": req.level}})
            if req.current:
                tests.append({"current": 1})
            return [_and("credential", *tests)], None
        case CourseRequirement():
            return [_and("course", {"course": req.course})], None
        case CompletedProgrammeRequirement():
            entry = cat.entry("programmes", req.completed_programme)
            courses = list(getattr(entry, "stages", []) or [])
            return [_and("course", {"course": c}) for c in courses] or [_never()], None
        case PassedRequirement():
            return [_passed_pattern(req, pathway_id)], None
        case RankRequirement():
            return [_bounds_pattern("rank", req.rank, cat.rank_order())], None
        case BandRequirement():
            return [_bounds_pattern("band", req.band, cat.band_order())], None
        case ServedRequirement():
            return _served_patterns(req.served)
        case DistinctBusinessGroupsRequirement():
            d = req.distinct_business_groups
            return [_and("groups", {"role": d.role or "*"}, {"$gte": {"count": d.at_least}})], None
        case PostedRequirement():
            posted = (("role", req.posted.role), ("business_group", req.posted.business_group))
            # A role alone lasts the posting; a business group may end sooner (a unit moves).
            fact = "posting" if req.posted.business_group else "in_role"
            return [_and(fact, *({k: v} for k, v in posted if v))], None
        case EndorsementRequirement():
            return [_and("endorsement", {"endorsement": req.endorsement})], None
        case MembershipRequirement():
            return [_and("member", {"programme": req.member_of})], None
        case HasMentorRequirement():
            return [_and("mentor")], None
        case ReachedRequirement():
            return [_and("held", {"stage": stage_key(*req.target(pathway_id))})], None
        case AttributeRequirement():
            values = req.allowed()
            test: Pattern = (
                {req.attribute: values[0]}
                if len(values) == 1
                else {"$or": [{req.attribute: v} for v in values]}
            )
            return [_and("person", test)], None
        case _:
            assert_never(req)


def _bounds_pattern(fact: str, b: RankBounds | BandBounds, order: dict[str, int]) -> Pattern:
    tests = _order_tests("order", order, b.exactly, b.at_least, b.at_most)
    if b.basis.value != "any":
        tests.append({"basis": b.basis.value})
    return _and(fact, *tests)


def _passed_pattern(req: PassedRequirement, pathway_id: str) -> Pattern:
    if req.assessors is None:
        return _and("passed", {"assessment": req.passed})
    return _and(
        "assessed",
        {"assessment": req.passed},
        {"qualified": req.assessors.key(pathway_id)},
        {"$gte": {"count": req.assessors.at_least}},
    )


def _served_patterns(s: ServedSpec) -> tuple[list[Pattern], str | None]:
    scope = s.scope_key()
    tests: list[Pattern] = [{"scope": scope}]
    if s.at_least_months is not None:
        tests.append({"$gte": {"months": s.at_least_months}})
    if s.at_most_months is not None:
        tests.append({"$lte": {"months": s.at_most_months}})
    return [_and("tenure", *tests)], scope


def _award_patterns(award: Award, cat: Catalogue, current: bool) -> list[Pattern]:
    if award.credential is not None:
        tests: list[Pattern] = [{"credential": award.credential}, {"current": int(current)}]
        if award.level is not None:
            tests.append({"$gte": {"level": award.level}})
        return [_and("credential", *tests)]
    if award.rank is not None or award.band is not None:
        is_rank = award.rank is not None
        order = cat.rank_order() if is_rank else cat.band_order()
        value = award.rank if is_rank else award.band
        tests = [{"$gte": {"order": order.get(str(value), 10**6)}}]
        # Holding a stage 'temporarily' also counts for someone who holds it substantively.
        if award.basis is None or award.basis.value == "substantive":
            tests.append({"basis": "substantive"})
        return [_and("rank" if is_rank else "band", *tests)]
    if award.course is not None:
        return [_and("course", {"course": award.course})]
    if award.completed_programme is not None:
        entry = cat.entry("programmes", award.completed_programme)
        courses = list(getattr(entry, "stages", []) or [])
        return [_and("course", {"course": c}) for c in courses] or [_never()]
    if award.passed is not None:
        return [_and("passed", {"assessment": award.passed})]
    if award.member_of is not None:
        return [_and("member", {"programme": award.member_of})]
    return [_and("role_held", {"role": str(award.role)})]


def _never() -> Pattern:
    return {"t": "never"}
