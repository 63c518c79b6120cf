"""Time served, per scope, from a record's dated periods: what ``served`` rules count.

A scope is a string (``service``, ``role:dc``, ``rank:inspector:substantive``,
``current_business_group|since:credential:x`` ...): see
:meth:`pathways.model.requirements.ServedSpec.scope_key`. For each one the record has
time in, a :class:`Tenure` holds the whole months banked from closed periods and the
ongoing period, so the engine can say the day a length of service is reached.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from dataclasses import dataclass

from accreditation.periods import add_months, whole_months
from accreditation.postings import GroupSpan
from accreditation.record import Outcome, Person

__all__ = ["ONE_DAY", "Tenure", "tenures"]

ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class Tenure:
    """Months served in one scope: banked from closed periods, plus the ongoing ones.

    On any day, a period that has ended counts its own whole months, and the periods
    still running count together from the earliest start among them (the oracle and the
    population evaluator count the same way). ``ongoing_start`` and ``ongoing_end`` are
    the period running on the as-of date that ends last; ``others`` are the rest running
    then (two postings in one role at once), which bank their months as each ends.

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

    A one-day posting in the role the day an open-ended one starts leaves the open one
    counting:

    >>> day = dt.date(2010, 3, 31)
    >>> both = Tenure(0, day, None, others=((day, day),))
    >>> both.reaches(12), both.months(dt.date(2011, 3, 31))
    (datetime.date(2011, 3, 31), 12)
    """

    banked: int
    ongoing_start: dt.date | None
    ongoing_end: dt.date | None
    vanishes: bool = False
    items: tuple[str, ...] = ()
    others: tuple[tuple[dt.date, dt.date | None], ...] = ()

    def _running(self) -> list[tuple[dt.date, dt.date | None]]:
        if self.ongoing_start is None:
            return []
        return [(self.ongoing_start, self.ongoing_end), *self.others]

    def _count(self, on: dt.date) -> tuple[int, dt.date | None]:
        """(months banked by ``on``, the start the periods still running count from)."""
        banked, open_from = self.banked, None
        for start, end in self._running():
            if end is not None and end < on:
                banked += whole_months(start, end + ONE_DAY)
            elif open_from is None or start < open_from:
                open_from = start
        return banked, open_from

    def months(self, on: dt.date) -> int:
        banked, open_from = self._count(on)
        return banked + (whole_months(open_from, on) if open_from is not None else 0)

    @property
    def ends(self) -> dt.date | None:
        """The last day the scope exists at all (None: it does not end)."""
        return self.ongoing_end if self.vanishes else None

    def _first(self, months: int) -> dt.date | None:
        """The first day the total is at least ``months`` (None if it never gets there).

        The total steps up the day after a period ends and grows from the earliest
        start still running in between, so each stretch between those days is solved
        in turn."""
        running = self._running()
        if not running:
            return None
        steps = sorted({end + ONE_DAY for _, end in running if end is not None})
        bounds = [min(start for start, _ in running), *steps]
        for k, at in enumerate(bounds):
            banked, open_from = self._count(at)
            if banked >= months:
                return at
            if open_from is not None:
                day = add_months(open_from, months - banked)
                if k + 1 == len(bounds) or day < bounds[k + 1]:
                    return max(day, at)
        return None

    def reaches(self, months: int) -> dt.date | None:
        """The day the total reaches ``months`` if the ongoing period continues; None if never."""
        if self.banked >= months:
            return None  # already there: not a future date
        day = self._first(months)
        # A period that ended counts up to and including its last day, so its months
        # are complete the day after; a current scope is gone by then.
        if day is not None and self.vanishes and self.ongoing_end and day > self.ongoing_end:
            return None
        return day

    def exceeds_after(self, months: int) -> dt.date | None:
        """The last day the total is still at most ``months`` (None if it never grows past)."""
        if self.ongoing_start is None:
            return None
        if self.banked > months:  # past it already: a day before the as-of date
            return add_months(self.ongoing_start, months + 1 - self.banked) - ONE_DAY
        day = self._first(months + 1)
        return day - ONE_DAY if day is not None else None


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
    """The current run in a business group (a unit that moved counts in the group it was
    in each day), with the postings behind it."""
    pieces = [
        (s.business_group, s.start, s.end, person.item_ref("postings", i))
        for i, posting in enumerate(split)
        for s in posting
    ]
    return _current(pieces, as_of)


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
    """The current run of ``key`` (substantive holdings only), as one period, with the
    items that make it up (each labelled for evidence)."""
    key = key or _KEY[section]
    holdings = getattr(person, section)
    index = {person.item_ref(section, i): i for i in range(len(holdings))}
    run = _current(
        [
            (getattr(h, key), h.start, h.end, person.item_ref(section, i))
            for i, h in enumerate(holdings)
            if getattr(h, "basis", "substantive") == "substantive"
        ],
        as_of,
    )
    if run is None:
        return None
    for item in run[2]:
        if item not in labels:  # postings are labelled already; earlier ranks are not
            h = holdings[index[item]]
            value = getattr(h, key)
            words = f"{names.get(value, value)} ({h.basis.value}) {h.start} to {h.end or 'now'}"
            labels[item] = (section, words)
    return run


def _current(
    entries: list[tuple[str, dt.date, dt.date | None, str]], as_of: dt.date
) -> _Span | None:
    """The current run among (value, start, end, item) entries on ``as_of``.

    Entries of one value that overlap or are back to back join into a run; of the runs
    covering ``as_of`` the current one ends last (open-ended first), then starts first,
    then has the smallest value, so two holdings at once are never decided by record
    order and the same run stays current until it ends (as :func:`rules.timeline.
    current_run` and the oracle decide). Entries starting after ``as_of`` are not known
    yet.
    """
    known = sorted((e for e in entries if e[1] <= as_of), key=lambda e: (e[0], e[1]))
    best: tuple[dt.date, dt.date | None, str, list[str]] | None = None
    for value, group in itertools.groupby(known, key=lambda e: e[0]):
        runs: list[tuple[dt.date, dt.date | None, list[str]]] = []
        for _, start, end, item in group:
            if runs and (runs[-1][1] is None or start <= runs[-1][1] + ONE_DAY):
                last_end = runs[-1][1]
                joined = None if end is None or last_end is None else max(end, last_end)
                runs[-1] = (runs[-1][0], joined, [*runs[-1][2], item])
            else:
                runs.append((start, end, [item]))
        for start, end, items in runs:
            if end is not None and end < as_of:
                continue
            if best is None or _rank(start, end, value) < _rank(best[0], best[1], best[2]):
                best = (start, end, value, items)
    if best is None:
        return None
    return best[0], best[1], tuple(dict.fromkeys(best[3]))


def _rank(start: dt.date, end: dt.date | None, value: str) -> tuple[int, dt.date, str]:
    return (-(end or dt.date.max).toordinal(), start, value)


def _tenure(periods: list[_Span], as_of: dt.date, vanishes: bool) -> Tenure:
    banked = 0
    running: list[tuple[dt.date, dt.date | None]] = []
    items: list[str] = []
    for start, end, behind in sorted(periods, key=lambda p: (p[0], p[1] or dt.date.max)):
        if start > as_of:
            continue  # not known yet on the as-of date
        items += behind
        if end is not None and end < as_of:
            banked += whole_months(start, end + ONE_DAY)
        else:
            running.append((start, end))
    found = tuple(dict.fromkeys(items))
    if not running:
        return Tenure(banked, None, None, vanishes, found)
    # The one that ends last is 'ongoing' (open-ended first, then the earliest start).
    running.sort(key=lambda p: (p[1] or dt.date.max, -p[0].toordinal()), reverse=True)
    (start, end), *others = running
    return Tenure(banked, start, end, vanishes, found, tuple(others))
