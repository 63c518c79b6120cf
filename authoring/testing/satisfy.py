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

__all__ = ["requirement_at", "satisfy"]


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
            return [("assessments", {"assessment": req.passed, "date": iso})]
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
            return _award_items(library, target.awards, iso) if target and target.awards else None
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


def _award_items(
    library: Library, award: Award, iso: str
) -> list[tuple[str, dict[str, Any]]] | None:
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
