"""An independent evaluator of the requirement tree, to check the rules engine against.

Straight from the pathway models and the record, in plain Python: no rules engine, no
facts, and no code shared with :mod:`rules` or :mod:`accreditation.periods` (its own
month arithmetic), so that a mistake in one shows up as a disagreement with the other.

It answers the status of a stage as of a day: ``held`` (the record shows the stage's
award), ``lapsed`` (a credential award that has lapsed), ``eligible`` (every
requirement in force holds) or ``not_eligible`` (anything else, including stages the
engine says become eligible later, on a date).

>>> import datetime as dt
>>> from accreditation import Person
>>> from pathways import SHIPPED_LIBRARY, load_library
>>> oracle = Oracle(load_library([SHIPPED_LIBRARY]))
>>> p = Person.model_validate({"id": "W1", "kind": "officer", "joined": "2015-09-01",
...     "ranks": [{"rank": "constable", "start": "2015-09-01"}],
...     "courses": [{"course": "initial_police_training", "completed": "2015-12-18"}]})
>>> oracle.status(p, "recruit", "initial_grounding", dt.date(2017, 8, 31))
'not_eligible'
>>> oracle.status(p, "recruit", "initial_grounding", dt.date(2017, 9, 1))
'eligible'
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, assert_never

from accreditation.record import Person
from pathways.model.library import Library
from pathways.model.pathway import Award
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

from .oracle_time import (
    DAY,
    covers,
    current_run,
    group_on,
    months_between,
    months_served,
    pieces,
    plus_months,
)

__all__ = ["Oracle", "months_between", "plus_months"]


def _combine(req: Combinator, values: list[bool]) -> bool:
    """A combinator over the truth of its children in force (the others are left out)."""
    match req:
        case AllOf():
            return all(values)
        case Not():
            return not values[0] if values else True
        case AnyOf():
            return not values or sum(values) >= 1
        case AtLeast():
            return not values or sum(values) >= min(req.at_least, len(values))
        case _:
            assert_never(req)


class Oracle:
    """Stage statuses by direct evaluation of a library's pathway models.

    ``assessors`` holds the records of people named as assessors (by id), as the
    engine's caller passes them.
    """

    def __init__(self, library: Library, assessors: Mapping[str, Person] | None = None):
        self.library = library
        cat = library.catalogue
        self.rank_order = cat.rank_order()
        self.band_order = cat.band_order()
        self.validity = {c.id: c.validity_months for c in cat.credentials}
        self.programmes = {p.id: list(p.stages) for p in cat.programmes}
        self.attributes = {a.id for a in cat.attributes}
        self.units = {u.id: u for u in cat.units}
        self.assessors: Mapping[str, Person] = assessors or {}

    # --- the stage --------------------------------------------------------------------

    def status(self, person: Person, pathway: str, stage: str, on: dt.date) -> str:
        """``held``, ``lapsed``, ``eligible`` or ``not_eligible``.

        Raises:
            KeyError: if the library has no such stage.
        """
        found = self.library.pathways[pathway].stage(stage)
        if found is None:
            raise KeyError(f"{pathway}.{stage}")
        if found.awards is not None:
            if self.holds_award(person, found.awards, on):
                return "held"
            if found.awards.credential is not None and self._lapsed(person, found.awards, on):
                return "lapsed"
        if all(self.truth(r, person, pathway, on) is not False for r in found.requires):
            return "eligible"
        return "not_eligible"

    def statuses(self, person: Person, on: dt.date) -> dict[str, str]:
        """Every stage in force on ``on``, keyed ``pathway.stage``."""
        return {
            f"{p.id}.{s.id}": self.status(person, p.id, s.id, on)
            for p, s in self.library.stages()
            if s.in_force(on)
        }

    # --- obligations --------------------------------------------------------------------

    def obligation(
        self, person: Person, pathway: str, obligation: str, on: dt.date
    ) -> tuple[str, dt.date | None] | None:
        """(status, due-by day) of an obligation on ``on``: ``met``, ``due`` or ``overdue``;
        None if it does not apply (not in force, or someone it is not for).

        Raises:
            KeyError: if the library has no such obligation.
        """
        found = self.library.pathways[pathway].obligation(obligation)
        if found is None:
            raise KeyError(f"{pathway}.{obligation}")
        if not found.in_force(on):
            return None
        if any(self.truth(r, person, pathway, on) is False for r in found.applies_to):
            return None
        starts = [d for a in found.from_ if (d := self._clock(a, person, on)) is not None]
        starts += [found.effective_from] if found.effective_from else []
        starts = [d for d in starts if d <= on]
        late_from = plus_months(max(starts), found.within_months) if starts else None
        due_by = late_from - DAY if late_from is not None else None
        if found.must is not None and self.truth(found.must, person, pathway, on) is not False:
            return "met", due_by
        return ("overdue" if late_from is not None and on >= late_from else "due"), due_by

    def _clock(self, anchor: Any, person: Person, on: dt.date) -> dt.date | None:
        """When one of an obligation's 'from' starts, as the record shows it on ``on``."""
        if anchor.clock is not None:
            kind = anchor.clock.value
            if kind == "service":
                return person.joined
            run = current_run(self.units, person, kind, on)
            return run[0] if run is not None else None
        days: list[dt.date] = []
        if anchor.credential is not None:
            days = [c.awarded for c in person.credentials if c.credential == anchor.credential]
        elif anchor.course is not None:
            days = [
                c.completed
                for c in person.courses
                if c.course == anchor.course and c.completed is not None and c.completed <= on
            ]
        elif anchor.passed is not None:
            days = [
                a.date
                for a in person.assessments
                if a.assessment == anchor.passed and a.outcome.value == "passed"
            ]
        elif anchor.member_of is not None:
            now = [m for m in person.memberships if m.programme == anchor.member_of]
            return max((m.start for m in now if covers(m, on)), default=None)
        return min(days, default=None)

    # --- awards ------------------------------------------------------------------------

    def _current(self, award: Any, on: dt.date) -> bool:
        months = self.validity.get(award.credential)
        if not months:
            return True
        last = max([award.awarded, *(d for d in award.revalidated if d <= on)])
        return on < plus_months(last, months)

    def _credentials(self, person: Person, name: str, level: int | None, on: dt.date) -> list[Any]:
        return [
            c
            for c in person.credentials
            if c.credential == name
            and c.awarded <= on
            and (level is None or (c.level or 0) >= level)
        ]

    def _lapsed(self, person: Person, award: Award, on: dt.date) -> bool:
        assert award.credential is not None
        found = self._credentials(person, award.credential, award.level, on)
        return any(not self._current(c, on) for c in found)

    def holds_award(self, person: Person, award: Award, on: dt.date) -> bool:
        if award.credential is not None:
            found = self._credentials(person, award.credential, award.level, on)
            return any(self._current(c, on) for c in found)
        if award.rank is not None or award.band is not None:
            is_rank = award.rank is not None
            order = self.rank_order if is_rank else self.band_order
            wanted = order.get(str(award.rank if is_rank else award.band))
            held = person.ranks if is_rank else person.bands
            any_basis = award.basis is not None and award.basis.value == "temporary"
            for h in held:
                value = str(getattr(h, "rank", None) or getattr(h, "band", ""))
                if (
                    wanted is not None
                    and covers(h, on)
                    and order.get(value, -1) >= wanted
                    and (any_basis or h.basis.value == "substantive")
                ):
                    return True
            return False
        if award.course is not None:
            return self._completed(person, award.course, on)
        if award.completed_programme is not None:
            return self._programme(person, award.completed_programme, on)
        if award.passed is not None:
            return self._passed(person, award.passed, on)
        if award.member_of is not None:
            return any(m.programme == award.member_of and covers(m, on) for m in person.memberships)
        return any(p.role == award.role and p.start <= on for p in person.postings)

    # --- leaves --------------------------------------------------------------------------

    def _completed(self, person: Person, course: str, on: dt.date) -> bool:
        return any(
            c.course == course and c.completed is not None and c.completed <= on
            for c in person.courses
        )

    def _programme(self, person: Person, programme: str, on: dt.date) -> bool:
        stages = self.programmes.get(programme, [])
        return bool(stages) and all(self._completed(person, c, on) for c in stages)

    def _passed(
        self,
        person: Person,
        assessment: str,
        on: dt.date,
        req: PassedRequirement | None = None,
        pathway: str = "",
    ) -> bool:
        return any(
            a.assessment == assessment
            and a.outcome.value == "passed"
            and a.date <= on
            and (req is None or self._assessed_enough(a, req, pathway))
            for a in person.assessments
        )

    def _assessed_enough(self, result: Any, req: PassedRequirement, pathway: str) -> bool:
        """Enough distinct named assessors held the qualified stage that day; a name not
        among the assessors' records counts, unchecked."""
        spec = req.assessors
        if spec is None:
            return True
        award = None
        if spec.qualified is not None:
            where, _, stage = spec.qualified.rpartition(".")
            found = self.library.pathways[where or pathway].stage(stage)
            award = found.awards if found is not None else None
        counted = 0
        for name in set(result.assessors):
            someone = self.assessors.get(name)
            if spec.qualified is None or someone is None:
                counted += 1  # no qualification asked, or not in the records: unchecked
            elif award is not None:
                counted += self.holds_award(someone, award, result.date)
        return counted >= spec.at_least

    def _first(self, person: Person, kind: str, value: str, on: dt.date) -> dt.date | None:
        """The earliest day, on or before ``on``, the record shows the item."""
        if kind == "credential":
            days = [c.awarded for c in person.credentials if c.credential == value]
        elif kind == "course":
            days = [c.completed for c in person.courses if c.course == value and c.completed]
        else:
            days = [
                a.date
                for a in person.assessments
                if a.assessment == value and a.outcome.value == "passed"
            ]
        earlier = sorted(d for d in days if d <= on)
        return earlier[0] if earlier else None

    def truth(self, req: Requirement, person: Person, pathway: str, on: dt.date) -> bool | None:
        """Whether ``req`` holds on ``on``; None if it is not in force then."""
        if not req.in_force(on):
            return None
        match req:
            case AllOf() | AnyOf() | AtLeast() | Not():
                values = [
                    v
                    for c in req.children()
                    if (v := self.truth(c, person, pathway, on)) is not None
                ]
                return _combine(req, values)
            case _:
                return self._leaf(req, person, pathway, on)

    def _leaf(self, req: LeafRequirement, person: Person, pathway: str, on: dt.date) -> bool:
        match req:
            case CredentialRequirement():
                found = self._credentials(person, req.credential, req.level, on)
                return any(not req.current or self._current(c, on) for c in found)
            case CourseRequirement():
                return self._completed(person, req.course, on)
            case CompletedProgrammeRequirement():
                return self._programme(person, req.completed_programme, on)
            case PassedRequirement():
                return self._passed(person, req.passed, on, req, pathway)
            case RankRequirement() | BandRequirement():
                return self._grade(req, person, on)
            case ServedRequirement():
                since = req.served.since
                first = self._first(person, since.kind, since.value, on) if since else None
                months = months_served(self.units, req, person, on, first)
                lo, hi = req.served.at_least_months, req.served.at_most_months
                return (
                    months is not None
                    and (lo is None or months >= lo)
                    and (hi is None or months <= hi)
                )
            case DistinctBusinessGroupsRequirement():
                spec = req.distinct_business_groups
                groups = {
                    group
                    for p in person.postings
                    if spec.role is None or p.role == spec.role
                    for start, _end, group in pieces(self.units, p)
                    if start <= on
                }
                return len(groups) >= spec.at_least
            case PostedRequirement():
                role, group = req.posted.role, req.posted.business_group
                return any(
                    covers(p, on)
                    and (role is None or p.role == role)
                    and (group is None or group_on(self.units, p, on) == group)
                    for p in person.postings
                )
            case EndorsementRequirement():
                return any(
                    e.endorsement == req.endorsement
                    and e.date <= on
                    and (e.expires is None or on <= e.expires)
                    for e in person.endorsements
                )
            case MembershipRequirement():
                return any(
                    m.programme == req.member_of and covers(m, on) for m in person.memberships
                )
            case HasMentorRequirement():
                return any(covers(m, on) for m in person.mentors)
            case ReachedRequirement():
                target_pathway, target_stage = req.target(pathway)
                target = self.library.pathways[target_pathway].stage(target_stage)
                return bool(
                    target and target.awards and self.holds_award(person, target.awards, on)
                )
            case AttributeRequirement():
                if req.attribute not in self.attributes:
                    return False
                return person.attribute(req.attribute) in req.allowed()
            case _:
                assert_never(req)

    def _grade(self, req: RankRequirement | BandRequirement, person: Person, on: dt.date) -> bool:
        is_rank = isinstance(req, RankRequirement)
        bounds = req.bounds
        order = self.rank_order if is_rank else self.band_order
        for h in person.ranks if is_rank else person.bands:
            value = getattr(h, "rank", None) if is_rank else getattr(h, "band", None)
            if not covers(h, on) or value not in order:
                continue
            if bounds.basis.value != "any" and h.basis.value != bounds.basis.value:
                continue
            mine = order[value]
            if bounds.exactly is not None and mine != order.get(bounds.exactly, -1):
                continue
            if bounds.at_least is not None and mine < order.get(bounds.at_least, 10**6):
                continue
            if bounds.at_most is not None and mine > order.get(bounds.at_most, -1):
                continue
            return True
        return False
