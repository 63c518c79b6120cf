"""Record items that meet a requirement: how the properties "do" a next step, and how
:func:`authoring.testing.strategies.near_records` builds a record one requirement short."""

from __future__ import annotations

import datetime as dt
from typing import Any, assert_never, cast

from pathways.model.library import Library
from pathways.model.pathway import Award, Stage
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
    MembershipRequirement,
    Not,
    PassedRequirement,
    PostedRequirement,
    RankRequirement,
    ReachedRequirement,
    Requirement,
    ServedRequirement,
)

__all__ = ["OUTSIDE_ASSESSORS", "award_items", "requirement_at", "satisfy"]

#: Names of assessors who are not in any records: they count, unchecked.
OUTSIDE_ASSESSORS = tuple(f"Outside assessor {n}" for n in range(1, 10))


def requirement_at(stage: Stage, path: str) -> Requirement | None:
    """The requirement at ``path`` (``requires[0].any_of[1]``) of a stage, if there is one."""
    node: Any = stage
    for part in path.split("."):
        name, _, index = part.partition("[")
        node = getattr(node, {"not": "not_", "requires": "requires"}.get(name, name), None)
        if node is None:
            return None
        if index:
            try:
                node = node[int(index.rstrip("]"))]
            except (IndexError, ValueError, TypeError):
                return None
    # Every BaseRequirement is one of the Requirement union (checked when the model loads).
    return cast(Requirement, node) if isinstance(node, BaseRequirement) else None


def satisfy(
    library: Library, req: Requirement, pathway: str, day: dt.date
) -> list[tuple[str, dict[str, Any]]] | None:
    """Record items, dated ``day``, that meet ``req``; None if no added item can
    (a rank, a period served, a posting, an attribute, a ``not``)."""
    iso = day.isoformat()
    match req:
        case CourseRequirement():
            return [("courses", {"course": req.course, "completed": iso})]
        case CompletedProgrammeRequirement():
            entry = library.catalogue.entry("programmes", req.completed_programme)
            stages = list(getattr(entry, "stages", []) or [])
            return [("courses", {"course": c, "completed": iso}) for c in stages] or None
        case PassedRequirement():
            result: dict[str, Any] = {"assessment": req.passed, "date": iso}
            if req.assessors is not None:  # named, but not in the records: they count
                result["assessors"] = list(OUTSIDE_ASSESSORS[: req.assessors.at_least])
            return [("assessments", result)]
        case CredentialRequirement():
            item: dict[str, Any] = {"credential": req.credential, "awarded": iso}
            if req.level is not None:
                item["level"] = req.level
            return [("credentials", item)]
        case EndorsementRequirement():
            return [("endorsements", {"endorsement": req.endorsement, "date": iso})]
        case MembershipRequirement():
            return [("memberships", {"programme": req.member_of, "start": iso})]
        case HasMentorRequirement():
            return [("mentors", {"mentor": "M000001", "start": iso})]
        case ReachedRequirement():
            target_pathway, target_stage = req.target(pathway)
            target = library.pathways[target_pathway].stage(target_stage)
            return award_items(library, target.awards, day) if target and target.awards else None
        case AnyOf() | AtLeast():
            need = req.at_least if isinstance(req, AtLeast) else 1
            found: list[tuple[str, dict[str, Any]]] = []
            met = 0
            for child in req.children():
                items = satisfy(library, child, pathway, day)
                if items is not None:
                    found += items
                    met += 1
                if met >= need:
                    return found
            return None
        case AllOf():
            out: list[tuple[str, dict[str, Any]]] = []
            for child in req.children():
                items = satisfy(library, child, pathway, day)
                if items is None:
                    return None
                out += items
            return out
        case (
            Not()
            | RankRequirement()
            | BandRequirement()
            | ServedRequirement()
            | DistinctBusinessGroupsRequirement()
            | PostedRequirement()
            | AttributeRequirement()
        ):
            return None  # time, a promotion or who the person is: no item dated `day` does it
        case _:
            assert_never(req)


def award_items(
    library: Library, award: Award, day: dt.date, grades: bool = False
) -> list[tuple[str, dict[str, Any]]] | None:
    """Record items, dated ``day``, that show a stage's award held; None for a role, and
    for a rank or band unless ``grades`` (then a holding from ``day``: the caller ends
    earlier ones)."""
    iso = day.isoformat()
    if grades and (award.rank is not None or award.band is not None):
        key = "rank" if award.rank is not None else "band"
        holding = {key: award.rank or award.band, "start": iso}
        if award.basis is not None and award.basis.value == "temporary":
            holding["basis"] = "temporary"
        return [(f"{key}s", holding)]
    if award.credential is not None:
        item: dict[str, Any] = {"credential": award.credential, "awarded": iso}
        if award.level is not None:
            item["level"] = award.level
        return [("credentials", item)]
    if award.course is not None:
        return [("courses", {"course": award.course, "completed": iso})]
    if award.passed is not None:
        return [("assessments", {"assessment": award.passed, "date": iso})]
    if award.member_of is not None:
        return [("memberships", {"programme": award.member_of, "start": iso})]
    if award.completed_programme is not None:
        entry = library.catalogue.entry("programmes", award.completed_programme)
        stages = list(getattr(entry, "stages", []) or [])
        return [("courses", {"course": c, "completed": iso}) for c in stages] or None
    return None
