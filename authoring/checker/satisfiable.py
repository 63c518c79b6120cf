"""Requirements that can never hold, and effective windows that are empty.

The analysis is conservative: it reports only definite contradictions among
requirements that must all hold together (a stage's list, nested ``all_of``),
so a finding here is always a real mistake. Requirements with their own
effective window are checked alone, since they may not overlap their siblings.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import assert_never

from pathways.model.catalogue import Catalogue
from pathways.model.pathway import Pathway, Stage
from pathways.model.requirements import (
    AllOf,
    AnyOf,
    AtLeast,
    AttributeRequirement,
    BandRequirement,
    BaseRequirement,
    CompletedProgrammeRequirement,
    CourseRequirement,
    CredentialRequirement,
    DistinctBusinessGroupsRequirement,
    EndorsementRequirement,
    HasMentorRequirement,
    LocatedModel,
    MembershipRequirement,
    Not,
    PassedRequirement,
    PostedRequirement,
    RankRequirement,
    ReachedRequirement,
    Requirement,
    ServedRequirement,
)

from .context import Reporter, describe, stage_requirements

_PLAIN = {"id", "text", "next_step", "source", "effective_from", "effective_to"}


@dataclass
class _Facts:
    """What a conjunction of requirements pins down."""

    bounds: dict[tuple[str, str], tuple[int, int]] = field(default_factory=dict)
    attributes: dict[str, set[str]] = field(default_factory=dict)
    served: dict[tuple[str, str], tuple[int, float]] = field(default_factory=dict)
    positive: dict[str, BaseRequirement] = field(default_factory=dict)
    negative: dict[str, BaseRequirement] = field(default_factory=dict)
    has_rank: bool = False
    has_band: bool = False


def check_satisfiable(rep: Reporter) -> None:
    cat = rep.library.catalogue
    for pathway in rep.library.pathways.values():
        for stage in pathway.stages:
            _check_windows(rep, pathway, stage)
            conflict = conjunction(rep, cat, pathway, stage, list(stage.requires))
            if conflict:
                reason, culprit = conflict
                rep.add(
                    culprit,
                    "unsatisfiable-requirement",
                    f"stage '{stage.id}' can never be reached: {reason}",
                    pathway=pathway,
                    stage=stage,
                    hint="correct this requirement, or the one it contradicts (all of a stage's "
                    "requirements must hold at once)",
                )
        for prog in pathway.progressions:
            _window(rep, prog, pathway, None, "progression")


def _check_windows(rep: Reporter, pathway: Pathway, stage: Stage) -> None:
    _window(rep, stage, pathway, stage, "stage")
    for req, _neg in stage_requirements(stage):
        if _window(rep, req, pathway, stage, "requirement"):
            continue
        start, end = stage.effective_from, stage.effective_to
        if (req.effective_to and start and req.effective_to < start) or (
            req.effective_from and end and req.effective_from > end
        ):
            rep.add(
                req,
                "empty-effective-window",
                f"requirement '{describe(req)}' is in force "
                f"{_span(req.effective_from, req.effective_to)}, which never overlaps "
                f"its stage ({_span(start, end)}), so it never applies",
                pathway=pathway,
                stage=stage,
                hint="correct the dates, or delete the requirement",
            )


def _window(
    rep: Reporter, item: LocatedModel, pathway: Pathway, stage: Stage | None, word: str
) -> bool:
    start = getattr(item, "effective_from", None)
    end = getattr(item, "effective_to", None)
    if start and end and end < start:
        rep.add(
            item,
            "empty-effective-window",
            f"{word} ends ({end}) before it starts ({start})",
            pathway=pathway,
            stage=stage,
            hint="swap the dates, or correct 'effective_to'",
        )
        return True
    return False


def _span(start: dt.date | None, end: dt.date | None) -> str:
    return f"from {start or 'the beginning'} to {end or 'no end date'}"


def conjunction(
    rep: Reporter, cat: Catalogue, pathway: Pathway, stage: Stage | None, reqs: list[Requirement]
) -> tuple[str, Requirement] | None:
    """Why ``reqs`` cannot all hold and at which one, or None.

    Dated requirements that can never hold are reported here, on their own line.
    """
    facts = _Facts()
    for req in reqs:
        dated = req.effective_from is not None or req.effective_to is not None
        reason = _unsatisfiable(rep, cat, pathway, stage, req)
        if reason:
            if dated:
                rep.add(
                    req,
                    "unsatisfiable-requirement",
                    f"can never hold: {reason}",
                    pathway=pathway,
                    stage=stage,
                    hint="correct the requirement",
                )
                continue
            return reason, req
        if dated:
            continue
        conflict = _add(facts, cat, req)
        if conflict:
            return conflict, req
    return None


def _unsatisfiable(
    rep: Reporter, cat: Catalogue, pathway: Pathway, stage: Stage | None, req: Requirement
) -> str | None:
    """Why a single requirement can never hold, or None."""
    match req:
        case AllOf():
            found = conjunction(rep, cat, pathway, stage, list(req.all_of))
            return found[0] if found else None
        case AnyOf() | AtLeast():
            children = req.children()
            need = req.at_least if isinstance(req, AtLeast) else 1
            possible = [c for c in children if not _unsatisfiable(rep, cat, pathway, stage, c)]
            if need > len(children):
                return f"'at least {need} of' a list of only {len(children)}"
            if len(possible) < need:
                return (
                    f"only {len(possible)} of its {len(children)} alternatives can hold, "
                    f"{need} needed"
                )
            return None
        case RankRequirement() | BandRequirement():
            return _bounds_reason(cat, req)
        case ServedRequirement():
            lo, hi = req.served.at_least_months, req.served.at_most_months
            if lo is not None and hi is not None and lo > hi:
                return f"at least {lo} months and at most {hi} months"
            return None
        case DistinctBusinessGroupsRequirement():
            n, total = req.distinct_business_groups.at_least, len(cat.business_groups)
            if total and n > total:
                return f"postings in {n} distinct business groups, but the catalogue has {total}"
            return None
        case AttributeRequirement():
            if req.in_ is not None and not req.in_:
                return f"attribute '{req.attribute}' in an empty list"
            return None
        case (
            Not()
            | CredentialRequirement()
            | CourseRequirement()
            | CompletedProgrammeRequirement()  # no stages: references.py reports it
            | PassedRequirement()
            | PostedRequirement()
            | EndorsementRequirement()
            | MembershipRequirement()
            | HasMentorRequirement()
            | ReachedRequirement()  # a stage that awards nothing: references.py reports it
        ):
            return None
        case _:
            assert_never(req)


def _order(cat: Catalogue, req: RankRequirement | BandRequirement) -> dict[str, int]:
    return cat.rank_order() if isinstance(req, RankRequirement) else cat.band_order()


def _interval(cat: Catalogue, req: RankRequirement | BandRequirement) -> tuple[int, int] | None:
    order = _order(cat, req)
    b = req.bounds
    values = (b.exactly, b.at_least, b.at_most)
    if any(v is not None and v not in order for v in values):
        return None  # an unknown id: reported as an unknown reference
    top = len(order) - 1
    if b.exactly is not None:
        return order[b.exactly], order[b.exactly]
    lo = order[b.at_least] if b.at_least else 0
    hi = order[b.at_most] if b.at_most else top
    return lo, hi


def _bounds_reason(cat: Catalogue, req: RankRequirement | BandRequirement) -> str | None:
    iv = _interval(cat, req)
    b = req.bounds
    if iv and iv[0] > iv[1]:
        return f"{req.kind} at least {b.at_least} and at most {b.at_most}"
    return None


def _add(facts: _Facts, cat: Catalogue, req: Requirement) -> str | None:
    """Record what ``req`` pins down; return a conflict with what is already known."""
    match req:
        case AllOf():
            for child in req.all_of:
                if not (child.effective_from or child.effective_to):
                    conflict = _add(facts, cat, child)
                    if conflict:
                        return conflict
            return None
        case Not():
            inner = req.not_
            key = _literal(inner)
            if key in facts.positive:
                return f"'{describe(inner)}' is both required and excluded"
            facts.negative[key] = inner
            return None
        case AnyOf() | AtLeast():
            return None  # alternatives pin nothing down
    key = _literal(req)
    if key in facts.negative:
        return f"'{describe(req)}' is both required and excluded"
    facts.positive[key] = req
    match req:
        case RankRequirement() | BandRequirement():
            return _add_bounds(facts, cat, req)
        case AttributeRequirement():
            return _add_attribute(facts, req)
        case ServedRequirement():
            return _add_served(facts, req)
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
            return None  # held or not: only 'not' can contradict them (above)
        case _:
            assert_never(req)


def _add_bounds(
    facts: _Facts, cat: Catalogue, req: RankRequirement | BandRequirement
) -> str | None:
    facts.has_rank |= isinstance(req, RankRequirement)
    facts.has_band |= isinstance(req, BandRequirement)
    if facts.has_rank and facts.has_band:
        return "it requires both a rank (officers) and a band (police staff)"
    iv = _interval(cat, req)
    basis = (req.bounds).basis.value
    slot = (req.kind, basis)
    if iv is None:
        return None
    lo, hi = iv
    old = facts.bounds.get(slot)
    if old:
        lo, hi = max(lo, old[0]), min(hi, old[1])
    if lo > hi:
        names = cat.ranks if req.kind == "rank" else cat.bands
        return (
            f"the {basis} {req.kind} would have to be at least "
            f"{names[lo].id} and at most {names[hi].id}"
        )
    facts.bounds[slot] = (lo, hi)
    return None


def _add_attribute(facts: _Facts, req: AttributeRequirement) -> str | None:
    allowed = set(req.allowed())
    old_values = facts.attributes.get(req.attribute)
    merged = allowed & old_values if old_values is not None else allowed
    if not merged:
        return (
            f"attribute '{req.attribute}' cannot be both {sorted(old_values or [])} "
            f"and {sorted(allowed)}"
        )
    facts.attributes[req.attribute] = merged
    return None


def _add_served(facts: _Facts, req: ServedRequirement) -> str | None:
    s = req.served
    slot = (s.in_.value, s.scope_key())
    lo = s.at_least_months or 0
    hi: float = s.at_most_months if s.at_most_months is not None else float("inf")
    old = facts.served.get(slot)
    if old:
        lo, hi = max(lo, old[0]), min(hi, old[1])
    if lo > hi:
        return f"service '{slot[0]}' would have to be at least {lo} and at most {int(hi)} months"
    facts.served[slot] = (lo, hi)
    return None


def _literal(req: BaseRequirement) -> str:
    return repr(sorted(req.model_dump(by_alias=True, exclude=_PLAIN, exclude_none=True).items()))
