"""Records that wait for time, while something they rest on ends: where eligible-from
dates go wrong.

:func:`pending_records` picks a stage that asks for time served and builds a record
that meets every other requirement of it on the as-of date, with the periods to serve
completing on a later day D. Each item the stage rests on that can end by time alone (a
credential that lapses, also through a stage reached; an endorsement that expires; a
posting, rank or membership that ends) often ends inside the window between the as-of
date and D: then waiting does not get there, and an engine that says "eligible from D"
is wrong. The properties check what the engine says against decisions on D and the day
before, and against the independent oracle.

Nothing is dated after the as-of date except end, expiry and lapse days, which the
record knows in advance.

>>> import datetime as dt
>>> from hypothesis import given, settings
>>> from pathways import SHIPPED_LIBRARY, load_library
>>> library = load_library([SHIPPED_LIBRARY])
>>> @settings(max_examples=10, database=None)
... @given(pending_records(library, dt.date(2024, 6, 1)))
... def nothing_starts_later(case):
...     starts = [getattr(i, "start", None) or getattr(i, "date", None)
...               or getattr(i, "awarded", None) or i.completed for _, i in case.person.items()]
...     assert all(d <= case.as_of for d in starts)
>>> nothing_starts_later()
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, field
from typing import Any, assert_never

from hypothesis import strategies as st

from accreditation.record import Person
from pathways.model.library import Library
from pathways.model.pathway import Award
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
    ServiceScope,
)

from .oracle import plus_months
from .satisfy import OUTSIDE_ASSESSORS
from .waits import draw_stage, time_stages, waits

__all__ = ["PendingCase", "pending_records", "time_stages"]

DAY = dt.timedelta(days=1)
EARLIEST = dt.date(1970, 1, 1)


@dataclass(frozen=True)
class PendingCase:
    """A record waiting for ``stage``'s periods, which complete on ``due``, with nothing
    it rests on ending before then; and ``variants`` of it in which one such item ends
    inside the window, each with the first day that item no longer counts."""

    person: Person
    as_of: dt.date
    stage: str  # pathway.stage
    due: dt.date
    variants: tuple[tuple[Person, dt.date], ...]

    def records(self) -> list[tuple[Person, dt.date | None]]:
        """The record and each variant, with the day its item stops counting (if any)."""
        return [(self.person, None), *self.variants]


@dataclass
class _Build:
    """A record under construction, and the items that can end by time alone."""

    library: Library
    pathway: str
    as_of: dt.date
    due: dt.date
    draw: Any
    joined: dt.date
    kind: str | None = None
    avoid: Award | None = None  # the stage's own award: the record must not hold it yet
    timed: set[int] = field(default_factory=set)  # items whose start a period to serve set
    record: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    attributes: dict[str, str] = field(default_factory=dict)
    # (section, item, what ends it: 'end' / 'expires' / a credential's validity months)
    perishable: list[tuple[str, dict[str, Any], str | int]] = field(default_factory=list)
    # Time in the current rank, role or business group is waited for: see _finish.
    current: bool = False

    def add(self, section: str, item: dict[str, Any]) -> dict[str, Any]:
        self.record.setdefault(section, []).append(item)
        return item

    def day(self) -> dt.date:
        """A day on or before the as-of date, after joining (near the as-of date often)."""
        span = (self.as_of - self.joined).days
        back = self.draw(st.one_of(st.integers(0, max(span, 0)), st.integers(0, min(span, 400))))
        return self.as_of - dt.timedelta(days=max(back, 0))

    def start_for(self, months: int) -> dt.date:
        """The start of a period that completes ``months`` whole months on the due day
        (known on the as-of date: it started by then)."""
        return min(max(plus_months(self.due, -months), self.joined), self.as_of)


def _meet(b: _Build, req: Requirement) -> None:
    """Add items that make ``req`` hold on the due day (periods complete that day)."""
    if not req.in_force(b.as_of):
        return
    match req:
        case AllOf():
            for child in req.all_of:
                _meet(b, child)
        case AnyOf():
            _meet(b, b.draw(st.sampled_from(req.any_of)))
        case AtLeast():
            chosen = b.draw(st.permutations(req.of))[: req.at_least]
            for child in chosen:
                _meet(b, child)
        case Not():
            return  # add nothing: what it forbids is not there
        case CourseRequirement():
            b.add("courses", {"course": req.course, "completed": b.day().isoformat()})
        case CompletedProgrammeRequirement():
            _award(b, Award(completed_programme=req.completed_programme))
        case PassedRequirement():
            passed: dict[str, Any] = {"assessment": req.passed, "date": b.day().isoformat()}
            if req.assessors is not None:  # named, but not in the records: they count
                passed["assessors"] = list(OUTSIDE_ASSESSORS[: req.assessors.at_least])
            b.add("assessments", passed)
        case CredentialRequirement():
            _award(b, Award(credential=req.credential, level=req.level))
        case RankRequirement() | BandRequirement():
            _grade(b, req)
        case ServedRequirement():
            _served(b, req)
        case DistinctBusinessGroupsRequirement():
            spec = req.distinct_business_groups
            groups = b.library.catalogue.ids("business_groups")
            roles = b.library.catalogue.ids("roles")
            for group in groups[: spec.at_least]:
                role = spec.role or b.draw(st.sampled_from(roles))
                start = b.day()
                b.add("postings", _posting(role, group, start, start))
        case PostedRequirement():
            _posting_now(b, req.posted.role, req.posted.business_group, b.day())
        case EndorsementRequirement():
            item = b.add(
                "endorsements", {"endorsement": req.endorsement, "date": b.day().isoformat()}
            )
            b.perishable.append(("endorsements", item, "expires"))
        case MembershipRequirement():
            _award(b, Award(member_of=req.member_of))
        case HasMentorRequirement():
            b.add("mentors", {"mentor": "M000001", "start": b.day().isoformat()})
        case ReachedRequirement():
            target = b.library.stage(*req.target(b.pathway))
            if target is not None and target.awards is not None:
                _award(b, target.awards)
        case AttributeRequirement():
            value = req.allowed()[0] if req.allowed() else ""
            if req.attribute == "workforce":
                b.kind = b.kind or value
            else:
                b.attributes.setdefault(req.attribute, value)
        case _:
            assert_never(req)


def _award(b: _Build, award: Award) -> None:
    """Items that show an award held on the as-of date."""
    cat = b.library.catalogue
    if award.credential is not None:
        item: dict[str, Any] = {"credential": award.credential, "awarded": b.day().isoformat()}
        if award.level is not None:
            item["level"] = award.level
        b.add("credentials", item)
        validity = next(
            (c.validity_months for c in cat.credentials if c.id == award.credential), None
        )
        if validity:
            # Current on the as-of date: awarded less than its validity ago.
            earliest = max(plus_months(b.as_of, -validity) + DAY, b.joined)
            if dt.date.fromisoformat(item["awarded"]) < earliest:
                item["awarded"] = earliest.isoformat()
            b.perishable.append(("credentials", item, validity))
    elif award.rank is not None or award.band is not None:
        is_rank = award.rank is not None
        b.kind = b.kind or ("officer" if is_rank else "staff")
        order = cat.rank_order() if is_rank else cat.band_order()
        least = order.get(str(award.rank or award.band), 10**6)
        fits = [v for v, n in order.items() if n >= least]
        _holding(b, fits, b.day(), award.basis is not None and award.basis.value == "temporary")
    elif award.course is not None:
        b.add("courses", {"course": award.course, "completed": b.day().isoformat()})
    elif award.completed_programme is not None:
        entry = cat.entry("programmes", award.completed_programme)
        for course in getattr(entry, "stages", []) or []:
            b.add("courses", {"course": course, "completed": b.day().isoformat()})
    elif award.passed is not None:
        b.add("assessments", {"assessment": award.passed, "date": b.day().isoformat()})
    elif award.member_of is not None:
        item = b.add("memberships", {"programme": award.member_of, "start": b.day().isoformat()})
        b.perishable.append(("memberships", item, "end"))
    elif award.role is not None:
        groups = cat.ids("business_groups")
        start = b.day()
        b.add("postings", _posting(award.role, b.draw(st.sampled_from(groups)), start, start))


def _grade(b: _Build, req: RankRequirement | BandRequirement) -> None:
    is_rank = isinstance(req, RankRequirement)
    bounds = req.rank if isinstance(req, RankRequirement) else req.band
    order = b.library.catalogue.rank_order() if is_rank else b.library.catalogue.band_order()
    b.kind = b.kind or ("officer" if is_rank else "staff")
    low = order.get(bounds.exactly or bounds.at_least or "", 0)
    high = order.get(bounds.exactly or bounds.at_most or "", max(order.values(), default=0))
    fits = [v for v, n in order.items() if low <= n <= high]
    _holding(b, fits, b.day(), bounds.basis.value == "temporary")


def _holding(
    b: _Build, fits: list[str], start: dt.date, temporary: bool, timed: bool = False
) -> None:
    """The current rank or band, one of ``fits``, held since ``start`` at the latest:
    one holding of each basis, so a second need adjusts the first."""
    section, key = ("ranks", "rank") if b.kind == "officer" else ("bands", "band")
    own = b.avoid and (b.avoid.rank if section == "ranks" else b.avoid.band)
    if own:  # below the stage's own rank, or the stage would be held already
        cat = b.library.catalogue
        order = cat.rank_order() if section == "ranks" else cat.band_order()
        fits = [v for v in fits if order.get(v, 0) < order.get(own, 10**6)] or fits
    if not fits:
        return
    basis = "temporary" if temporary else "substantive"
    for existing in b.record.get(section, []):
        if existing.get("basis", "substantive") == basis:
            if existing[key] not in fits:
                existing[key] = b.draw(st.sampled_from(fits))
            _start(b, existing, start, timed)
            return
    item: dict[str, Any] = {key: b.draw(st.sampled_from(fits)), "start": start.isoformat()}
    if temporary:
        item["basis"] = "temporary"
    b.add(section, item)
    if timed:
        b.timed.add(id(item))
    b.perishable.append((section, item, "end"))


def _start(b: _Build, item: dict[str, Any], start: dt.date, timed: bool) -> None:
    """Move an item's start for a second need: a period to serve sets it (the longest
    wins, so every period completes by the due day); other needs only need it started."""
    if timed and id(item) not in b.timed:
        item["start"] = start.isoformat()
        b.timed.add(id(item))
    else:
        item["start"] = min(item["start"], start.isoformat())


def _served(b: _Build, req: ServedRequirement) -> None:
    s = req.served
    months = s.at_least_months or 0
    start = b.start_for(months) if months else b.day()
    if s.at_most_months is not None and not months:
        start = max(start, plus_months(b.as_of, -s.at_most_months) + DAY)
    cat = b.library.catalogue
    if s.since is not None:  # the item time counts from, there when the period starts
        section, field_, day = {
            "credential": ("credentials", "credential", "awarded"),
            "course": ("courses", "course", "completed"),
        }.get(s.since.kind, ("assessments", "assessment", "date"))
        b.add(section, {field_: s.since.value, day: start.isoformat()})
    match s.in_:
        case ServiceScope.SERVICE:
            pass  # joined was set for it: see _service_start
        case ServiceScope.ROLE:
            _posting_now(b, s.role, None, start, timed=True)
        case ServiceScope.BUSINESS_GROUP:
            _posting_now(b, None, s.business_group, start, timed=True)
        case ServiceScope.CURRENT_ROLE | ServiceScope.CURRENT_BUSINESS_GROUP:
            b.current = True
            _posting_now(b, None, None, start, timed=True)
        case ServiceScope.CURRENT_RANK:
            b.current = True
            b.kind = b.kind or ("officer" if cat.ranks else "staff")
            _holding(b, cat.ids("ranks" if b.kind == "officer" else "bands"), start, False, True)
        case ServiceScope.RANK | ServiceScope.BAND:
            officer = s.in_ is ServiceScope.RANK
            b.kind = b.kind or ("officer" if officer else "staff")
            if (b.kind == "officer") == officer:  # else the stage asks for both: cannot hold
                temporary = s.basis is not None and s.basis.value == "temporary"
                _holding(b, [str(s.rank or s.band)], start, temporary, True)
        case _:
            assert_never(s.in_)


def _posting_now(
    b: _Build, role: str | None, group: str | None, start: dt.date, timed: bool = False
) -> None:
    """An ongoing posting from ``start``; one is shared by every need it can meet."""
    for item in b.record.get("postings", []):
        if (
            "end" in item
            or (role and item["role"] != role)
            or (group and item["business_group"] != group)
        ):
            continue
        _start(b, item, start, timed)
        return
    cat = b.library.catalogue
    role = role or b.draw(st.sampled_from(cat.ids("roles")))
    group = group or b.draw(st.sampled_from(cat.ids("business_groups")))
    item = b.add("postings", _posting(role, group, start, None))
    if timed:
        b.timed.add(id(item))
    b.perishable.append(("postings", item, "end"))


def _posting(role: str, group: str, start: dt.date, end: dt.date | None) -> dict[str, Any]:
    item = {"role": role, "business_group": group, "start": start.isoformat()}
    if end is not None:
        item["end"] = end.isoformat()
    return item


def _end(b: _Build, record: dict[str, Any], at: int, gone: dt.date) -> bool:
    """End perishable item number ``at`` of ``record`` so that ``gone`` is the first day
    it no longer counts; False if it cannot (it would end before it started)."""
    section, original, how = b.perishable[at]
    index = next(i for i, x in enumerate(b.record[section]) if x is original)
    item = record[section][index]
    if isinstance(how, int):  # a credential: awarded so that it lapses that day
        awarded = plus_months(gone, -how)
        if awarded > b.as_of:
            return False  # valid for less than the window: it cannot lapse inside it
        # (Awarded before joining, perhaps: a transferee brings their accreditation.)
        item["awarded"] = awarded.isoformat()
        return True
    last = gone - DAY
    if last < dt.date.fromisoformat(item.get("start") or item["date"]):
        return False
    item[how] = last.isoformat()
    return True


def _finish(b: _Build) -> list[tuple[dict[str, Any], dt.date | None]]:
    """The record with nothing ending before the due day (each perishable item ends
    later, or never), and one variant per item that ends inside the window instead
    (often on the due day itself, as a lapse that falls on the day a period completes).

    When the stage waits for time in the current rank, role or business group, the items
    whose time counts always end the day before the due day: time in a current scope
    stops with it (the scope is gone the next day), where time in a named one counts to
    the end of its last day, so that day is where the two are confused; on any earlier
    day the period falls short either way."""
    window = (b.due - b.as_of).days
    for at in range(len(b.perishable)):
        if b.draw(st.booleans()):
            _end(b, b.record, at, b.due + dt.timedelta(days=b.draw(st.integers(1, 400))))
    out: list[tuple[dict[str, Any], dt.date | None]] = [(b.record, None)]
    for at in range(len(b.perishable)):
        if b.current and id(b.perishable[at][1]) in b.timed:
            offset = window
        else:
            offset = b.draw(st.one_of(st.just(window), st.integers(1, window)))
        gone = b.as_of + dt.timedelta(days=offset)
        variant = copy.deepcopy(b.record)
        if _end(b, variant, at, gone):
            out.append((variant, gone))
    return out


@st.composite
def pending_records(
    draw: Any, library: Library, as_of: dt.date, current: bool = False
) -> PendingCase:
    """A :class:`PendingCase` for a stage of ``library`` that asks for time served; with
    ``current``, for time in the current rank, role or business group (:func:`_stage`).

    Draws nothing (``st.nothing()``) if the library has no such stage in force.
    """
    stages = [(p, s) for p, s in time_stages(library) if s.in_force(as_of)]
    if not stages:
        nothing: PendingCase = draw(st.nothing())
        return nothing
    pathway, stage = draw_stage(draw, library, stages, current)
    # Periods that started by the as-of date: the shortest wait bounds the window.
    periods = waits(stage.requires)
    shortest = min(periods or [24])
    window = min(730, max(1, (plus_months(as_of, shortest) - as_of).days))
    due = as_of + dt.timedelta(days=draw(st.integers(1, window)))
    joined = as_of - dt.timedelta(days=draw(st.integers(365, 25 * 365)))
    service = waits(stage.requires, ServiceScope.SERVICE)
    if service:  # joined so that the service asked for is complete on the due day
        joined = min(max(plus_months(due, -max(service)), EARLIEST), as_of)
    # Joined before the longest period starts, or that period (which starts no earlier
    # than joining) could not complete on the due day, and nothing would be waited for.
    joined = max(min(joined, plus_months(due, -max(periods or [0]))), EARLIEST)
    b = _Build(library, pathway.id, as_of, due, draw, joined, avoid=stage.awards)
    for req in stage.requires:
        _meet(b, req)
    kind = b.kind or "officer"
    b.record.pop("bands" if kind == "officer" else "ranks", None)
    person_id = draw(st.from_regex(r"\AP[0-9]{6}\Z"))
    made = [(_person(b, record, person_id, kind), gone) for record, gone in _finish(b)]
    return PendingCase(
        made[0][0],
        as_of,
        f"{pathway.id}.{stage.id}",
        due,
        tuple((p, gone) for p, gone in made[1:] if gone is not None),
    )


def _person(b: _Build, record: dict[str, Any], person_id: str, kind: str) -> Person:
    protected = ("ethnicity", "gender", "disability")
    return Person.model_validate(
        {
            "id": person_id,
            "kind": kind,
            "joined": b.joined.isoformat(),
            **record,
            "attributes": {k: v for k, v in b.attributes.items() if k not in protected},
            "protected": {k: v for k, v in b.attributes.items() if k in protected},
        }
    )
