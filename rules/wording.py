"""Requirements in plain words: what it asks ("text") and what to do ("next step").

Authors may write both in the YAML; these are the words used when they did not.
"""

from __future__ import annotations

from typing import assert_never

from pathways.model.catalogue import Catalogue
from pathways.model.library import Library
from pathways.model.requirements import (
    AllOf,
    AnyOf,
    AtLeast,
    AttributeRequirement,
    BandRequirement,
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
    ServedSpec,
    ServiceScope,
)

__all__ = ["Words"]


class Words:
    """Plain words for the requirements of one library, using the catalogue's names."""

    def __init__(self, library: Library):
        self.library = library
        self.cat: Catalogue = library.catalogue
        self._names = self.cat.names()

    def order(self, kind: str) -> dict[str, int]:
        """Rank or band id -> position, lowest first."""
        return self.cat.rank_order() if kind == "rank" else self.cat.band_order()

    def name(self, section: str, entry_id: str) -> str:
        return self._names.get((section, entry_id), entry_id.replace("_", " "))

    def text(self, req: Requirement, pathway_id: str) -> str:
        """What the requirement asks, e.g. 'Holds PIP accreditation at level 2 or above'."""
        if req.text:
            return req.text
        return self._generated(req, pathway_id)

    def next_step(self, req: Requirement, pathway_id: str) -> str | None:
        """What to do to meet it; None when it is nothing a person can do (an attribute)."""
        if req.next_step:
            return req.next_step
        n = self.name
        match req:
            case AllOf() | AnyOf() | AtLeast() | Not():
                return None  # their unmet children are the steps
            case AttributeRequirement():
                return None
            case CredentialRequirement():
                level = f" at level {req.level}" if req.level is not None else ""
                return f"Gain {n('credentials', req.credential)}{level}"
            case CourseRequirement():
                return f"Complete {n('courses', req.course)}"
            case CompletedProgrammeRequirement():
                return f"Complete every stage of {n('programmes', req.completed_programme)}"
            case PassedRequirement():
                return f"Pass {n('assessments', req.passed)}"
            case EndorsementRequirement():
                return f"Obtain {n('endorsements', req.endorsement)}"
            case MembershipRequirement():
                return f"Join {n('programmes', req.member_of)}"
            case HasMentorRequirement():
                return "Ask HR for a Talent Cascade mentor"
            case ReachedRequirement():
                return f"Reach {self._stage_name(req, pathway_id)}"
            case RankRequirement() | BandRequirement():
                section, b = _section(req), req.bounds
                target = b.exactly or b.at_least
                if target is not None:
                    return f"Reach the {req.kind} of {n(section, target)}"
                return self._generated(req, pathway_id)
            case ServedRequirement():
                return self._generated(req, pathway_id).replace("Has served", "Serve", 1)
            case DistinctBusinessGroupsRequirement() | PostedRequirement():
                return self._generated(req, pathway_id)
            case _:
                assert_never(req)

    def _stage_name(self, req: ReachedRequirement, pathway_id: str) -> str:
        pid, sid = req.target(pathway_id)
        label = self._stage_words(pid, sid)
        pathway = self.library.pathways.get(pid)
        if pid != pathway_id and pathway is not None:
            label += f" ({pathway.name})"
        return label

    def _stage_words(self, pid: str, sid: str) -> str:
        stage = self.library.stage(pid, sid)
        return stage.name if stage else sid

    def _generated(self, req: Requirement, pathway_id: str) -> str:
        n = self.name
        match req:
            case CredentialRequirement():
                level = f" at level {req.level} or above" if req.level is not None else ""
                state = " (current, not lapsed)" if req.current else ""
                return f"Holds {n('credentials', req.credential)}{level}{state}"
            case CourseRequirement():
                return f"Has completed {n('courses', req.course)}"
            case CompletedProgrammeRequirement():
                return f"Has completed every stage of {n('programmes', req.completed_programme)}"
            case PassedRequirement():
                return self._passed(req, pathway_id)
            case RankRequirement() | BandRequirement():
                return self._holds(req)
            case ServedRequirement():
                return self._served(req.served)
            case DistinctBusinessGroupsRequirement():
                d = req.distinct_business_groups
                role = f" as {n('roles', d.role)}" if d.role else ""
                return f"Has been posted{role} in at least {d.at_least} different business groups"
            case PostedRequirement():
                parts = []
                if req.posted.role:
                    parts.append(f"as {n('roles', req.posted.role)}")
                if req.posted.business_group:
                    parts.append(f"in {n('business_groups', req.posted.business_group)}")
                return f"Is currently posted {' '.join(parts)}"
            case EndorsementRequirement():
                entry = self.cat.entry("endorsements", req.endorsement)
                by = f" (by {entry.by})" if entry is not None and hasattr(entry, "by") else ""
                return f"Has {n('endorsements', req.endorsement)}{by}"
            case MembershipRequirement():
                return f"Is a member of {n('programmes', req.member_of)}"
            case HasMentorRequirement():
                return "Has a mentor in the Talent Cascade"
            case ReachedRequirement():
                return f"Has reached {self._stage_name(req, pathway_id)}"
            case AttributeRequirement():
                values = " or ".join(req.allowed())
                return f"{n('attributes', req.attribute)} is {values}"
            case AllOf():
                return "All of these"
            case AnyOf():
                return "One of these"
            case AtLeast():
                return f"At least {req.at_least} of these {len(req.of)}"
            case Not():
                return "Not this"
            case _:
                assert_never(req)

    def _holds(self, req: RankRequirement | BandRequirement) -> str:
        n = self.name
        section, b = _section(req), req.bounds
        basis = "" if b.basis.value == "substantive" else f" ({b.basis.value} or substantive)"
        if b.basis.value == "temporary":
            basis = " (temporary)"
        if b.exactly:
            return f"Holds the {req.kind} of {n(section, b.exactly)}{basis}"
        parts = []
        if b.at_least:
            parts.append(f"{n(section, b.at_least)} or above")
        if b.at_most:
            parts.append(f"{n(section, b.at_most)} or below")
        return f"Holds a {req.kind} of {' and '.join(parts)}{basis}"

    def _passed(self, req: PassedRequirement, pathway_id: str) -> str:
        text = f"Has passed {self.name('assessments', req.passed)}"
        if req.assessors is not None:
            count = req.assessors.at_least
            who = f"{count} assessor{'s' * (count != 1)}"
            target = req.assessors.target(pathway_id)
            if target is not None:
                who += f" who held {self._stage_words(*target)} that day"
            text += f", assessed by at least {who}"
        return text

    def _served(self, s: ServedSpec) -> str:
        n = self.name
        where = {
            ServiceScope.SERVICE: "in the service",
            ServiceScope.CURRENT_RANK: "in the current rank or band",
            ServiceScope.CURRENT_ROLE: "in the current role",
            ServiceScope.CURRENT_BUSINESS_GROUP: "in the current business group",
            ServiceScope.ROLE: f"as {n('roles', s.role or '')}",
            ServiceScope.BUSINESS_GROUP: f"in {n('business_groups', s.business_group or '')}",
            ServiceScope.RANK: f"as {n('ranks', s.rank or '')}",
            ServiceScope.BAND: f"at {n('bands', s.band or '')}",
        }[s.in_]
        if s.basis is not None and s.basis.value != "substantive":
            where += " (temporary)" if s.basis.value == "temporary" else " (any basis)"
        if s.since is not None:
            section = {"credential": "credentials", "course": "courses"}.get(
                s.since.kind, "assessments"
            )
            where += f" since first {s.since.kind}: {n(section, s.since.value)}"
        if s.at_least_months is not None and s.at_most_months is not None:
            return f"Has served {_months(s.at_least_months)} to {_months(s.at_most_months)} {where}"
        if s.at_least_months is not None:
            return f"Has served at least {_months(s.at_least_months)} {where}"
        return f"Has served at most {_months(s.at_most_months or 0)} {where}"


def _section(req: RankRequirement | BandRequirement) -> str:
    """The catalogue section a rank or band requirement names."""
    return "ranks" if req.kind == "rank" else "bands"


def _months(n: int) -> str:
    if n and n % 12 == 0:
        years = n // 12
        return f"{years} year{'s' * (years != 1)}"
    return f"{n} month{'s' * (n != 1)}"
