"""The oracle's calendar: whole months, postings' business groups day by day, unbroken
runs and months served, written apart from :mod:`accreditation.periods`,
:mod:`accreditation.postings` and :mod:`rules.tenures` so that a mistake there shows up.

>>> d = dt.date
>>> plus_months(d(2024, 1, 31), 1)
datetime.date(2024, 2, 29)
>>> months_between(d(2024, 1, 31), d(2024, 2, 28)), months_between(d(2024, 1, 31), d(2024, 2, 29))
(0, 1)
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Mapping
from typing import Any

from accreditation.record import Person
from pathways.model.catalogue import UnitEntry
from pathways.model.requirements import ServedRequirement

__all__ = [
    "DAY",
    "covers",
    "current_run",
    "group_on",
    "months_between",
    "months_served",
    "pieces",
    "plus_months",
]

DAY = dt.timedelta(days=1)
Units = Mapping[str, UnitEntry]
Span = tuple[dt.date, dt.date | None]


def plus_months(day: dt.date, n: int) -> dt.date:
    """``day`` moved ``n`` calendar months on, clamped to the month's last day."""
    month0 = day.month - 1 + n
    year = day.year + month0 // 12
    month = month0 % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def months_between(start: dt.date, stop: dt.date) -> int:
    """Whole months from ``start`` to ``stop``: the largest n with
    ``plus_months(start, n) <= stop`` (0 if ``stop`` is not after ``start``)."""
    if stop <= start:
        return 0
    n = (stop.year - start.year) * 12 + stop.month - start.month
    while n > 0 and plus_months(start, n) > stop:
        n -= 1
    return n


def covers(item: Any, day: dt.date) -> bool:
    return bool(item.start <= day and (item.end is None or day <= item.end))


def pieces(units: Units, posting: Any) -> list[tuple[dt.date, dt.date | None, str]]:
    """The posting cut at every day its unit changed group: (start, end, group)."""
    unit = units.get(posting.unit) if posting.unit else None
    if unit is None:
        return [(posting.start, posting.end, posting.business_group)]
    cuts = {posting.start}
    for period in unit.business_groups:
        for day in (period.from_, period.to + DAY if period.to else None):
            if (
                day is not None
                and day > posting.start
                and (posting.end is None or day <= posting.end)
            ):
                cuts.add(day)
    starts = sorted(cuts)
    out: list[tuple[dt.date, dt.date | None, str]] = []
    for k, start in enumerate(starts):
        end = starts[k + 1] - DAY if k + 1 < len(starts) else posting.end
        group = next(
            (
                p.business_group
                for p in unit.business_groups
                if (p.from_ is None or p.from_ <= start) and (p.to is None or start <= p.to)
            ),
            posting.business_group,
        )
        out.append((start, end, group))
    return out


def group_on(units: Units, posting: Any, on: dt.date) -> str:
    for start, end, group in pieces(units, posting):
        if start <= on and (end is None or on <= end):
            return group
    return str(posting.business_group)


class _Piece:
    """Part of a posting in one business group, shaped like a record item for ``_run``."""

    def __init__(self, start: dt.date, end: dt.date | None, group: str):
        self.start, self.end, self.group = start, end, group


def _run(items: list[Any], key: str, on: dt.date) -> Span | None:
    """The current substantive run on ``on``: periods of one value that overlap or are
    back to back are one run; of the runs covering ``on``, the one ending last (open
    first), then starting first, then the smallest value. Found by stepping from ``on``
    over the days next to the run, not by the engine's interval merging."""
    held = [h for h in items if getattr(h, "basis", None) is None or h.basis.value == "substantive"]
    known = [h for h in held if h.start <= on]
    found: list[tuple[int, dt.date, str, dt.date | None]] = []
    for h in known:
        if not covers(h, on):
            continue
        value = getattr(h, key)
        same = [x for x in known if getattr(x, key) == value]
        start = on
        while earlier := [x for x in same if covers(x, start - DAY)]:
            start = min(x.start for x in earlier)  # jump to the earliest start reaching back
        end: dt.date | None = on
        while end is not None and (later := [x for x in same if covers(x, end + DAY)]):
            ends = [x.end for x in later]
            end = None if None in ends else max(e for e in ends if e is not None)
        last = (end or dt.date.max).toordinal()
        found.append((-last, start, str(value), end))
    if not found:
        return None
    _, start, _, end = min(found)
    return start, end


def current_run(units: Units, person: Person, scope: str, on: dt.date) -> Span | None:
    """The unbroken run in the ``current_rank`` (or band), ``current_role`` or
    ``current_business_group`` (the group each posting's unit was in, day by day) held
    on ``on``; None if nothing of the kind is held that day."""
    if scope == "current_business_group":
        split = [_Piece(s, e, g) for p in person.postings for s, e, g in pieces(units, p)]
        return _run(split, "group", on)
    items, key = {
        "current_rank": (person.ranks or person.bands, "rank" if person.ranks else "band"),
        "current_role": (person.postings, "role"),
    }[scope]
    return _run(items, key, on)


def _spans(units: Units, req: ServedRequirement, person: Person, on: dt.date) -> list[Span]:
    served = req.served
    scope = served.in_.value
    if scope == "service":
        return [(person.joined, None)]
    if scope == "role":
        return [(p.start, p.end) for p in person.postings if p.role == served.role]
    if scope == "business_group":
        return [
            (start, end)
            for p in person.postings
            for start, end, group in pieces(units, p)
            if group == served.business_group
        ]
    if scope in ("rank", "band"):
        basis = served.basis.value if served.basis is not None else "substantive"
        wanted = served.rank if scope == "rank" else served.band
        return [
            (h.start, h.end)
            for h in (person.ranks if scope == "rank" else person.bands)
            if getattr(h, scope) == wanted and basis in ("any", h.basis.value)
        ]
    run = current_run(units, person, scope, on)
    return [run] if run is not None else []


def months_served(
    units: Units, req: ServedRequirement, person: Person, on: dt.date, first: dt.date | None
) -> int | None:
    """Whole months served in ``req``'s scope by ``on``, counted from ``first`` (the day
    the record first shows ``req``'s ``since`` item) if it has one; None if there is no
    time of the kind to count (or no such item)."""
    spans = _spans(units, req, person, on)
    if req.served.since is not None:
        if first is None:
            return None
        spans = [
            (start if start > first else first, end)
            for start, end in spans
            if end is None or not end < first
        ]
    if not spans:
        return None  # nothing of the kind in the record: no time to count at all
    closed = 0
    open_start: dt.date | None = None
    for start, end in spans:
        if start > on:
            continue
        if end is not None and end < on:
            closed += months_between(start, end + DAY)
        elif open_start is None or start < open_start:
            open_start = start
    running = months_between(open_start, on) if open_start is not None else 0
    return closed + running
