"""Time served, per scope, from a record's dated periods: what ``served`` rules count.

A scope is a string (``service``, ``role:dc``, ``rank:inspector:substantive``,
``current_business_group|since:credential:x`` ...): see
:meth:`pathways.model.requirements.ServedSpec.scope_key`. For each one the record has
time in, a :class:`Tenure` holds the whole months banked from closed periods and the
ongoing period, so the engine can say the day a length of service is reached.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from accreditation.periods import add_months, whole_months
from accreditation.postings import GroupSpan
from accreditation.record import Outcome, Person

__all__ = ["ONE_DAY", "Tenure", "tenures"]

ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class Tenure:
    """Months served in one scope: banked from closed periods, plus an ongoing one.

    ``vanishes``: the scope is the *current* rank, role or business group, which no longer
    exists after the ongoing period's last day (a period that has ended still counts
    towards time in a named role, but is no longer anyone's current role). ``items``:
    the record items whose periods make up the months, for evidence.

    >>> t = Tenure(0, dt.date(2023, 2, 1), dt.date(2025, 1, 31))
    >>> t.reaches(24), t.ends
    (datetime.date(2025, 2, 1), None)
    >>> current = Tenure(0, dt.date(2023, 2, 1), dt.date(2025, 1, 31), vanishes=True)
    >>> current.reaches(24), current.ends
    (None, datetime.date(2025, 1, 31))
    """

    banked: int
    ongoing_start: dt.date | None
    ongoing_end: dt.date | None
    vanishes: bool = False
    items: tuple[str, ...] = ()

    def months(self, on: dt.date) -> int:
        running = 0
        if self.ongoing_start is not None:
            stop = on if self.ongoing_end is None else min(on, self.ongoing_end + ONE_DAY)
            running = whole_months(self.ongoing_start, stop)
        return self.banked + running

    @property
    def ends(self) -> dt.date | None:
        """The last day the scope exists at all (None: it does not end)."""
        return self.ongoing_end if self.vanishes else None

    def reaches(self, months: int) -> dt.date | None:
        """The day the total reaches ``months`` if the ongoing period continues; None if never."""
        if self.banked >= months:
            return None  # already there: not a future date
        if self.ongoing_start is None:
            return None
        day = add_months(self.ongoing_start, months - self.banked)
        if self.ongoing_end is not None:
            # A period that ended counts up to and including its last day, so its months
            # are complete the day after; a current scope is gone by then.
            last = self.ongoing_end if self.vanishes else self.ongoing_end + ONE_DAY
            if day > last:
                return None
        return day

    def exceeds_after(self, months: int) -> dt.date | None:
        """The last day the total is still at most ``months`` (None if it never grows past)."""
        if self.ongoing_start is None:
            return None
        last = add_months(self.ongoing_start, months + 1 - self.banked) - ONE_DAY
        if self.ongoing_end is not None and last > self.ongoing_end:
            return None
        return last


def tenures(
    person: Person,
    as_of: dt.date,
    labels: dict[str, tuple[str, str]],
    names: dict[str, str],
    split: list[list[GroupSpan]],
    since_scopes: tuple[str, ...],
) -> dict[str, Tenure]:
    """Months served in each scope the record has time in, as of ``as_of``: the whole
    service, each role, business group (a moved unit's posting counts in the group it was
    in each day), rank and band by basis, the current ones, and ``since_scopes`` (a base
    scope counted from the first day an item shows). ``labels`` gains the words for the
    items behind the periods; ``split`` is each posting's business groups day by day.
    """
    # Per scope: (start, end, the items behind the period) for each period.
    spans: dict[str, list[_Span]] = defaultdict(list)
    spans["service"].append((person.joined, None, ("joined",)))
    labels["joined"] = ("joined", f"joined on {person.joined}")
    for i, (p, pieces) in enumerate(zip(person.postings, split, strict=True)):
        item = (person.item_ref("postings", i),)
        spans[f"role:{p.role}"].append((p.start, p.end, item))
        for piece in pieces:  # the group the posting's unit was in, day by day
            spans[f"business_group:{piece.business_group}"].append((piece.start, piece.end, item))
    for section, key in (("ranks", "rank"), ("bands", "band")):
        for i, h in enumerate(getattr(person, section)):
            value = getattr(h, key)
            held = (_grade_item(person, section, i, labels, names),)
            spans[f"{key}:{value}:{h.basis.value}"].append((h.start, h.end, held))
            spans[f"{key}:{value}:any"].append((h.start, h.end, held))
    current = {
        "current_rank": _current_run(person, "ranks", as_of, labels, names)
        or _current_run(person, "bands", as_of, labels, names),
        "current_role": _current_run(person, "postings", as_of, labels, names, "role"),
        "current_business_group": _group_run(person, split, as_of),
    }
    for scope, run in current.items():
        if run is not None:
            spans[scope].append(run)
    vanishing = set(current)
    for scope in since_scopes:
        base, _, since = scope.partition("|since:")
        first = _first(person, since, as_of)
        if first is not None and base in spans:
            spans[scope] = _clipped(spans[base], first)
            if base in current:
                vanishing.add(scope)
    # A 'since' scope with nothing after the item has no time to count.
    return {
        scope: _tenure(periods, as_of, vanishes=scope in vanishing)
        for scope, periods in spans.items()
        if periods
    }


def _grade_item(
    person: Person,
    section: str,
    index: int,
    labels: dict[str, tuple[str, str]],
    names: dict[str, str],
) -> str:
    item = person.item_ref(section, index)
    if item not in labels:  # current holdings are labelled already; others are not
        h = getattr(person, section)[index]
        value = getattr(h, _KEY[section])
        words = f"{names.get(value, value)} ({h.basis.value}) {h.start} to {h.end or 'now'}"
        labels[item] = (section, words)
    return item


def _first(person: Person, since: str, as_of: dt.date) -> dt.date | None:
    """The first day (on or before ``as_of``) the record shows the item ``kind:id``."""
    kind, _, wanted = since.partition(":")
    days: list[dt.date] = []
    if kind == "credential":
        days = [c.awarded for c in person.credentials if c.credential == wanted]
    elif kind == "course":
        days = [c.completed for c in person.courses if c.course == wanted and c.completed]
    elif kind == "passed":
        days = [
            a.date
            for a in person.assessments
            if a.assessment == wanted and a.outcome is Outcome.PASSED
        ]
    return min((d for d in days if d <= as_of), default=None)


def _clipped(periods: list[_Span], first: dt.date) -> list[_Span]:
    """The part of each period from ``first`` on."""
    return [
        (max(start, first), end, items)
        for start, end, items in periods
        if end is None or end >= first
    ]


def _group_run(person: Person, split: list[list[GroupSpan]], as_of: dt.date) -> _Span | None:
    """The unbroken run of the business group posted to on ``as_of`` (a unit that moved
    counts in the group it was in each day), with the postings behind it."""
    pieces = [
        (s.start, s.end, s.business_group, person.item_ref("postings", i))
        for i, posting in enumerate(split)
        for s in posting
    ]
    now = [p for p in pieces if p[0] <= as_of and (p[1] is None or as_of <= p[1])]
    if not now:
        return None
    start, end, value, item = now[0]
    used = [item]
    for s, e, v, i in sorted(pieces, key=lambda p: p[0], reverse=True):
        # Walk back over back-to-back periods in the same group (two postings there).
        if v == value and s < start and (e is None or e + ONE_DAY >= start):
            start = s
            used.append(i)
    return start, end, tuple(dict.fromkeys(reversed(used)))


_Span = tuple[dt.date, dt.date | None, tuple[str, ...]]
_KEY = {"ranks": "rank", "bands": "band"}


def _current_run(
    person: Person,
    section: str,
    as_of: dt.date,
    labels: dict[str, tuple[str, str]],
    names: dict[str, str],
    key: str | None = None,
) -> _Span | None:
    """The unbroken run of the current value of ``key`` (substantive holdings only), as
    one period, with the items that make it up (each labelled for evidence)."""
    key = key or _KEY[section]
    held = [
        (i, h)
        for i, h in enumerate(getattr(person, section))
        if getattr(h, "basis", "substantive") == "substantive"
    ]
    now = [(i, h) for i, h in held if h.covers(as_of)]
    if not now:
        return None
    index, first = now[0]
    value = getattr(first, key)
    start, end = first.start, first.end
    used = [index]
    same = sorted(((i, h) for i, h in held if getattr(h, key) == value), key=lambda t: t[1].start)
    # Walk back over back-to-back periods with the same value (e.g. two postings in one role).
    for i, h in reversed(same):
        if h.start < start and (h.end is None or h.end + ONE_DAY >= start):
            start = h.start
            used.append(i)
    items = []
    for i in sorted(used, key=lambda i: getattr(person, section)[i].start):
        item = person.item_ref(section, i)
        items.append(item)
        if item not in labels:  # postings are labelled already; earlier ranks are not
            h = getattr(person, section)[i]
            words = f"{names.get(value, value)} ({h.basis.value}) {h.start} to {h.end or 'now'}"
            labels[item] = (section, words)
    return start, end, tuple(items)


def _tenure(periods: list[_Span], as_of: dt.date, vanishes: bool) -> Tenure:
    banked = 0
    ongoing: tuple[dt.date, dt.date | None] | None = None
    items: list[str] = []
    for start, end, behind in sorted(periods, key=lambda p: (p[0], p[1] or dt.date.max)):
        if start > as_of:
            continue  # not known yet on the as-of date
        items += behind
        if end is not None and end < as_of:
            banked += whole_months(start, end + ONE_DAY)
        elif ongoing is None:
            ongoing = (start, end)
        else:  # overlapping ongoing periods: count the longer
            ongoing = (min(ongoing[0], start), ongoing[1])
    found = tuple(dict.fromkeys(items))
    if ongoing is None:
        return Tenure(banked, None, None, vanishes, found)
    return Tenure(banked, ongoing[0], ongoing[1], vanishes, found)
