"""When a condition holds, from the as-of date on: the arithmetic of the population evaluator.

The population evaluator (:mod:`rules.popcode`) decides a stage on the as-of date and,
when it is not met, finds the first later day on which it is. For that it keeps, for
every leaf condition, its truth on the as-of date and the days after it on which the
truth *toggles* (a credential lapses, a posting ends, a period completes), with the
record otherwise unchanged: nothing dated after the as-of date counts, as in every
decision. A leaf's truth on day ``d`` is then its truth on the as-of date, flipped once
per toggle on or before ``d``.

Days are proleptic ordinals (``date.toordinal()``); :data:`INF` stands for "no end".
Months are whole months, the one rule of :mod:`accreditation.periods`.

>>> import datetime as dt
>>> A = dt.date(2024, 6, 1).toordinal()
>>> now, toggles = until(dt.date(2024, 6, 30).toordinal(), A)  # ends on 30 June
>>> now, [dt.date.fromordinal(d).isoformat() for d in toggles]
(True, ['2024-07-01'])
>>> truth_on(now, toggles, dt.date(2024, 7, 1).toordinal())
False
"""

from __future__ import annotations

import datetime as dt
import itertools
from bisect import bisect_right
from collections.abc import Callable, Iterable, Sequence

__all__ = [
    "INF",
    "NEVER",
    "add_months",
    "atleast",
    "current_run",
    "current_run_truth",
    "first_day",
    "lapse_day",
    "ordinal",
    "tenure_truth",
    "truth_on",
    "until",
    "until_iso",
    "whole_months",
]

INF = dt.date.max.toordinal() + 1
"""A day after every date: "it does not end"."""

NEVER: tuple[bool, tuple[int, ...]] = (False, ())
"""A leaf false on the as-of date and ever after."""

ALWAYS: tuple[bool, tuple[int, ...]] = (True, ())

Truth = tuple[bool, tuple[int, ...]]
Period = tuple[int, int]  # (first day, last day or INF), ordinals

_fromordinal = dt.date.fromordinal
_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def ordinal(iso: str) -> int:
    """The ordinal of an ISO date string (the stored records' dates).

    >>> ordinal("0001-01-01")
    1
    """
    return dt.date.fromisoformat(iso).toordinal()


def _month_length(year: int, month: int) -> int:
    if month == 2 and year % 4 == 0 and (year % 100 != 0 or year % 400 == 0):
        return 29
    return _MONTH_DAYS[month - 1]


def add_months(start: int, months: int) -> int:
    """The day (ordinal) a period of ``months`` whole months from ``start`` is complete.

    >>> d = add_months(dt.date(2020, 1, 31).toordinal(), 1)
    >>> dt.date.fromordinal(d)
    datetime.date(2020, 2, 29)
    """
    day = _fromordinal(start)
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    if year > 9999:
        return INF
    return dt.date(year, month + 1, min(day.day, _month_length(year, month + 1))).toordinal()


def whole_months(start: int, end: int) -> int:
    """Whole months from ``start`` to ``end`` (ordinals; 0 if ``end`` is before ``start``).

    >>> whole_months(dt.date(2020, 1, 15).toordinal(), dt.date(2020, 3, 14).toordinal())
    1
    """
    if end < start:
        return 0
    a, b = _fromordinal(start), _fromordinal(end)
    n = (b.year - a.year) * 12 + b.month - a.month
    if a.day > b.day and b.day < _month_length(b.year, b.month):
        n -= 1
    return n


def lapse_day(last_validated: str, months: int) -> int:
    """The day a credential validated on ``last_validated`` (ISO) lapses, as an ordinal."""
    return add_months(ordinal(last_validated), months)


def until(last: int, as_of: int) -> Truth:
    """A condition that holds from before the as-of date to ``last`` (inclusive; INF: on;
    below the as-of date: not at all)."""
    if last < as_of:
        return NEVER
    if last >= INF:
        return ALWAYS
    return (True, (last + 1,))


def until_iso(last: str, as_of_iso: str, as_of: int) -> Truth:
    """:func:`until` for an ISO date string (``'~'``: no end; ``''``: nothing at all).

    >>> until_iso("~", "2024-06-01", 0), until_iso("", "2024-06-01", 0)
    ((True, ()), (False, ()))
    """
    if last < as_of_iso:
        return NEVER
    if last == "~":
        return ALWAYS
    return (True, (ordinal(last) + 1,))


def truth_on(now: bool, toggles: Sequence[int], day: int) -> bool:
    """The truth on ``day`` of a leaf that is ``now`` on the as-of date."""
    return now ^ bool(bisect_right(toggles, day) & 1)


def _intervals_to_truth(intervals: list[tuple[int, int]], as_of: int) -> Truth:
    """(truth on the as-of date, toggles) from sorted, disjoint [first, last] intervals that
    start on or after the as-of date."""
    if len(intervals) == 1:
        first, last = intervals[0]
        if first == as_of:
            return ALWAYS if last >= INF else (True, (last + 1,))
        return (False, (first,)) if last >= INF else (False, (first, last + 1))
    if not intervals:
        return NEVER
    merged: list[list[int]] = []
    for first, last in intervals:
        if merged and first <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], last)
        else:
            merged.append([first, last])
    now = bool(merged) and merged[0][0] == as_of
    toggles: list[int] = []
    for first, last in merged:
        if first > as_of:
            toggles.append(first)
        if last < INF:
            toggles.append(last + 1)
    return now, tuple(toggles)


def _solve(
    a: int, b: int, banked: int, start: int | None, lo: int | None, hi: int | None
) -> tuple[int, int] | None:
    """Where in the segment [a, b] months = banked + whole_months(start, day) lies in
    [lo, hi] (``start`` None: no period running, months stay ``banked``)."""
    if start is None:
        ok = (lo is None or banked >= lo) and (hi is None or banked <= hi)
        return (a, b) if ok else None
    first, last = a, b
    if lo is not None and lo > banked:
        first = max(a, add_months(start, lo - banked))
    if hi is not None:
        if banked > hi:
            return None
        last = min(b, add_months(start, hi + 1 - banked) - 1)
    return (first, last) if first <= last else None


def tenure_truth(periods: Iterable[Period], as_of: int, lo: int | None, hi: int | None) -> Truth:
    """Months served in a scope (periods, each started by the as-of date) between ``lo`` and
    ``hi``: on the as-of date, and when that changes.

    Finished periods count their whole months each; the periods still running on a day
    count together from the earliest start (as :mod:`rules.facts` counts them on any day).

    >>> A = dt.date(2024, 6, 1).toordinal()
    >>> now, toggles = tenure_truth([(dt.date(2023, 9, 15).toordinal(), INF)], A, 12, None)
    >>> now, [dt.date.fromordinal(d).isoformat() for d in toggles]
    (False, ['2024-09-15'])
    """
    spans = sorted(periods)
    cuts = sorted({e + 1 for _, e in spans if as_of <= e < INF})
    if not cuts:  # nothing ends from the as-of date on: one segment (the usual case)
        banked, running = 0, None
        for s, e in spans:
            if e < as_of:
                banked += whole_months(s, e + 1)
            elif running is None:
                running = s
        hit = _solve(as_of, INF, banked, running, lo, hi)
        return _intervals_to_truth([hit] if hit else [], as_of)
    bounds = [as_of, *cuts, INF]
    found: list[tuple[int, int]] = []
    for a, b in itertools.pairwise(bounds):
        banked, running = 0, None
        for s, e in spans:
            if e < a:
                banked += whole_months(s, e + 1)
            elif running is None:
                running = s
        hit = _solve(a, b - 1 if b < INF else INF, banked, running, lo, hi)
        if hit is not None:
            found.append(hit)
    return _intervals_to_truth(found, as_of)


def current_run_truth(
    holdings: Sequence[tuple[str, int, int]],
    as_of: int,
    lo: int | None,
    hi: int | None,
    since: int | None = None,
) -> Truth:
    """Months in the current run (of a substantive rank or band, a role, a business group)
    between ``lo`` and ``hi``.

    ``holdings`` are (value, first day, last day or INF), each started by the as-of date.
    Holdings of one value that overlap or are back to back join into one *run*; the
    current run is, among the runs covering the as-of date, the one that ends last (then
    the earliest start, then the value, so two at once are never decided by record
    order). Every other run covering the as-of date ends no later, so the same run is
    current on each day until it ends, and none after. With ``since``, the months count
    only from that day.

    A temporary attachment to another group, listed first, does not change the current
    group: 48 months there complete on 2024-01-01:

    >>> d = lambda s: dt.date.fromisoformat(s).toordinal()
    >>> home = ("tp", d("2020-01-01"), INF)
    >>> attached = ("sc", d("2023-01-01"), d("2023-06-30"))
    >>> now, toggles = current_run_truth([attached, home], d("2023-03-01"), 48, None)
    >>> now, [dt.date.fromordinal(t).isoformat() for t in toggles]
    (False, ['2024-01-01'])

    Two postings in one group, one ending while the other runs on, are one run:

    >>> ending = ("tp", d("2009-10-01"), d("2010-03-31"))
    >>> going_on = ("tp", d("2009-10-01"), INF)
    >>> now, toggles = current_run_truth([ending, going_on], d("2010-03-31"), 48, None)
    >>> now, [dt.date.fromordinal(t).isoformat() for t in toggles]
    (False, ['2013-10-01'])
    """
    run = current_run(holdings, as_of)
    if run is None:
        return NEVER
    start, end = run
    if since is not None:
        if end < since:
            return NEVER
        start = max(start, since)
    hit = _solve(as_of, end, 0, start, lo, hi)
    return _intervals_to_truth([hit] if hit else [], as_of)


def current_run(holdings: Sequence[tuple[str, int, int]], as_of: int) -> Period | None:
    """(first day, last day or INF) of the current run on the as-of date (see
    :func:`current_run_truth`); None when nothing is held that day."""
    best: tuple[int, int, str] | None = None
    for value in {h[0] for h in holdings}:
        for start, end in _joined(sorted((s, e) for v, s, e in holdings if v == value)):
            if start <= as_of <= end and (
                best is None or (-end, start, value) < (-best[1], best[0], best[2])
            ):
                best = (start, end, value)
    return (best[0], best[1]) if best is not None else None


def _joined(spans: list[Period]) -> list[Period]:
    """Sorted periods with overlapping or back-to-back ones joined."""
    out: list[Period] = []
    for start, end in spans:
        if out and start <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def atleast(need: int, pairs: Iterable[tuple[bool, bool]]) -> bool:
    """``at_least need`` over (in force, met) children: those out of force are left out, and
    the need is capped by how many remain (none remain: nothing is asked)."""
    values = [met for in_force, met in pairs if in_force]
    return not values or sum(values) >= min(need, len(values))


def first_day(
    condition: Callable[[list[bool], int], bool],
    as_of: int,
    leaves: Sequence[Truth],
    days: Sequence[int],
    window: tuple[int, int],
) -> int | None:
    """The first day after the as-of date on which ``condition`` holds, given its leaves'
    truths and the days its rules come into or go out of force; None if time alone never
    gets there. Truth can only change on those days, so trying them in order is exact."""
    candidates = {d for d in days if d > as_of}
    for _, toggles in leaves:
        candidates.update(toggles)
    first, last = window
    for day in sorted(candidates):
        if day < first or day > last:
            continue
        values = [now ^ bool(bisect_right(t, day) & 1) for now, t in leaves]
        if condition(values, day):
            return day
    return None
