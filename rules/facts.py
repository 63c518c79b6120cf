"""A record, as of a date, turned into engine facts.

Facts are flat dicts with a type ``t`` that the compiled rules match on. Dates
travel as day numbers and periods as whole months counted as of the date, so
the rules compare integers. Each fact that stands for a record item names it
(``item``) so a matched rule can cite it as evidence; ``until`` is the last day
the fact stays true if the record already says it ends (0: no end known).

The :class:`FactSheet` also keeps what Python needs to project time forward:
for each service scope, when it started and how many months were banked.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from accreditation.periods import add_months, day_number, whole_months
from accreditation.postings import GroupSpan, group_spans
from accreditation.record import AssessmentResult, Outcome, Person
from pathways.model.catalogue import Catalogue, UnitEntry
from pathways.model.library import Library
from pathways.model.requirements import (
    ANY_ASSESSOR,
    PassedRequirement,
    ServedRequirement,
    walk,
)

__all__ = [
    "AssessorCounter",
    "FactSheet",
    "Tenure",
    "Vocabulary",
    "build_facts",
    "count_named_assessors",
]

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


@dataclass
class FactSheet:
    """The facts of one record as of one date, and what Python needs besides."""

    sid: str
    as_of: dt.date
    facts: list[dict[str, Any]] = field(default_factory=list)
    labels: dict[str, tuple[str, str]] = field(default_factory=dict)  # item -> (section, words)
    tenures: dict[str, Tenure] = field(default_factory=dict)

    def add(self, t: str, **values: Any) -> None:
        self.facts.append({"sid": self.sid, "t": t, **values})


class AssessorCounter(Protocol):
    """Counts the assessors of a passed assessment who held a stage on its day.

    ``rules.assessors.AssessorCheck`` is the one the engine uses (it reads other people's
    records from a lookup the caller gives); :func:`count_named_assessors` is the
    default when there is none.
    """

    def __call__(self, result: AssessmentResult, qualified: str) -> tuple[int, list[str]]:
        """(how many count, a note per named assessor) for one qualification."""
        ...


def count_named_assessors(result: AssessmentResult, qualified: str) -> tuple[int, list[str]]:
    """Every distinct named assessor counts; none of them could be checked."""
    names = list(dict.fromkeys(result.assessors))
    if qualified == ANY_ASSESSOR:
        return len(names), list(names)
    return len(names), [f"{n} (not in the records: counted, not checked)" for n in names]


@dataclass(frozen=True)
class Vocabulary:
    """What fact building needs from a catalogue (and the library's rules), worked out
    once, not per record."""

    ranks: dict[str, int]
    bands: dict[str, int]
    names: dict[str, str]
    validity: dict[str, int | None]
    attributes: tuple[str, ...]
    units: Mapping[str, UnitEntry] = field(default_factory=dict)
    #: 'served' scopes counted only since an item (``...|since:kind:id``) that rules ask for.
    since_scopes: tuple[str, ...] = ()
    #: (assessment, qualified stage or '*') pairs that rules count assessors for.
    assessor_checks: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of(cls, catalogue: Catalogue, library: Library | None = None) -> Vocabulary:
        since: dict[str, None] = {}
        checks: dict[tuple[str, str], None] = {}
        for pathway, stage in library.stages() if library is not None else ():
            for top in stage.requires:
                for req, _ in walk(top):
                    if isinstance(req, ServedRequirement) and req.served.since is not None:
                        since[req.served.scope_key()] = None
                    if isinstance(req, PassedRequirement) and req.assessors is not None:
                        checks[(req.passed, req.assessors.key(pathway.id))] = None
        return cls(
            ranks=catalogue.rank_order(),
            bands=catalogue.band_order(),
            names=_names(catalogue),
            validity={c.id: c.validity_months for c in catalogue.credentials},
            attributes=tuple(a.id for a in catalogue.attributes),
            units={u.id: u for u in catalogue.units},
            since_scopes=tuple(since),
            assessor_checks=tuple(checks),
        )


# Long: one loop per record section, in record order, on the hot path of every decision;
# each loop is a few lines and shares `ref`, which labels the evidence.
def build_facts(
    person: Person,
    as_of: dt.date,
    catalogue: Catalogue,
    sid: str,
    vocabulary: Vocabulary | None = None,
    assessors: AssessorCounter | None = None,
) -> FactSheet:
    """Every fact of ``person``'s record as of ``as_of`` (items dated later are ignored).

    ``assessors`` checks the assessors a record names against their own records
    (default: :func:`count_named_assessors`, which cannot check anyone).
    """
    sheet = FactSheet(sid=sid, as_of=as_of)
    vocab = vocabulary or Vocabulary.of(catalogue)
    ranks, bands, names = vocab.ranks, vocab.bands, vocab.names

    def ref(section: str, index: int, words: str) -> str:
        item = person.item_ref(section, index)
        sheet.labels[item] = (section, words)
        return item

    person_fact: dict[str, Any] = {"kind": person.kind.value}
    for attribute in vocab.attributes:
        value = person.attribute(attribute)
        if value is not None:
            person_fact[attribute] = value
    sheet.add("person", **person_fact)

    for section, order, key in (("ranks", ranks, "rank"), ("bands", bands, "band")):
        for i, h in enumerate(getattr(person, section)):
            value = getattr(h, key)
            if h.covers(as_of) and value in order:
                item = ref(
                    section, i, f"{names.get(value, value)} ({h.basis.value}) since {h.start}"
                )
                sheet.add(
                    key,
                    **{key: value},
                    order=order[value],
                    basis=h.basis.value,
                    item=item,
                    until=_day(h.end),
                )

    for i, c in enumerate(person.courses):
        if c.completed is not None and c.completed <= as_of:
            item = ref("courses", i, f"{names.get(c.course, c.course)} (completed {c.completed})")
            sheet.add("course", course=c.course, item=item, on=day_number(c.completed))

    counter = assessors or count_named_assessors
    checks: dict[str, list[str]] = defaultdict(list)
    for assessment, qualified in vocab.assessor_checks:
        checks[assessment].append(qualified)
    for i, a in enumerate(person.assessments):
        if a.outcome is Outcome.PASSED and a.date <= as_of:
            words = f"{names.get(a.assessment, a.assessment)} (passed {a.date}"
            counted: list[tuple[str, int]] = []
            notes: dict[str, None] = {}
            for qualified in checks.get(a.assessment, ()):
                count, said = counter(a, qualified) if a.assessors else (0, [])
                counted.append((qualified, count))
                notes.update(dict.fromkeys(said))
            if notes:
                words += "; assessors: " + ", ".join(notes)
            item = ref("assessments", i, words + ")")
            sheet.add("passed", assessment=a.assessment, item=item, on=day_number(a.date))
            for qualified, count in counted:
                sheet.add(
                    "assessed",
                    assessment=a.assessment,
                    qualified=qualified,
                    count=count,
                    item=item,
                    on=day_number(a.date),
                )

    validity = vocab.validity
    for i, award in enumerate(person.credentials):
        if award.awarded > as_of:
            continue
        months = validity.get(award.credential)
        lapses = add_months(award.last_validated(as_of), months) if months else None
        current = lapses is None or as_of < lapses
        level = f" level {award.level}" if award.level is not None else ""
        state = f", lapsed {lapses}" if not current else ""
        item = ref(
            "credentials",
            i,
            f"{names.get(award.credential, award.credential)}{level} "
            f"(awarded {award.awarded}{state})",
        )
        sheet.add(
            "credential",
            credential=award.credential,
            level=award.level or 0,
            current=int(current),
            item=item,
            until=_day(lapses - ONE_DAY) if lapses else 0,
            lapses=_day(lapses),
        )

    for i, e in enumerate(person.endorsements):
        if e.date <= as_of and (e.expires is None or as_of <= e.expires):
            by = f" by {e.by}" if e.by else ""
            item = ref(
                "endorsements", i, f"{names.get(e.endorsement, e.endorsement)}{by} ({e.date})"
            )
            sheet.add("endorsement", endorsement=e.endorsement, item=item, until=_day(e.expires))

    for i, m in enumerate(person.memberships):
        if m.covers(as_of):
            item = ref(
                "memberships", i, f"member of {names.get(m.programme, m.programme)} since {m.start}"
            )
            sheet.add("member", programme=m.programme, item=item, until=_day(m.end))

    split = [group_spans(p, vocab.units) for p in person.postings]
    _postings(person, as_of, sheet, ref, names, split)
    _tenures(person, as_of, sheet, names, split, vocab.since_scopes)
    return sheet


def _postings(
    person: Person,
    as_of: dt.date,
    sheet: FactSheet,
    ref: Any,
    names: dict[str, str],
    split: list[list[GroupSpan]],
) -> None:
    groups: dict[str, set[str]] = defaultdict(set)
    for i, (p, pieces) in enumerate(zip(person.postings, split, strict=True)):
        if p.start > as_of:
            continue
        seen = [s for s in pieces if s.start <= as_of]
        words = (
            f"{names.get(p.role, p.role)}, "
            + " then ".join(names.get(s.business_group, s.business_group) for s in seen)
            + (f" ({p.unit})" if p.unit else "")
            + f" ({p.start} to {p.end or 'now'})"
        )
        item = ref("postings", i, words)
        for s in seen:
            groups["*"].add(s.business_group)
            groups[p.role].add(s.business_group)
        sheet.add("role_held", role=p.role, item=item)
        if p.covers(as_of):
            # Two facts: the role lasts as long as the posting, the group only until the
            # unit moves (if the catalogue dates a move).
            now = next(s for s in seen if s.end is None or as_of <= s.end)
            sheet.add("in_role", role=p.role, item=item, until=_day(p.end))
            sheet.add(
                "posting",
                role=p.role,
                business_group=now.business_group,
                item=item,
                until=_day(_earliest(p.end, now.end)),
            )
    for role, found in groups.items():
        sheet.add("groups", role=role, count=len(found))


def _earliest(a: dt.date | None, b: dt.date | None) -> dt.date | None:
    if a is None:
        return b
    return a if b is None else min(a, b)


def _tenures(
    person: Person,
    as_of: dt.date,
    sheet: FactSheet,
    names: dict[str, str],
    split: list[list[GroupSpan]],
    since_scopes: tuple[str, ...],
) -> None:
    # Per scope: (start, end, the items behind the period) for each period.
    spans: dict[str, list[_Span]] = defaultdict(list)
    spans["service"].append((person.joined, None, ("joined",)))
    sheet.labels["joined"] = ("joined", f"joined on {person.joined}")
    for i, (p, pieces) in enumerate(zip(person.postings, split, strict=True)):
        item = (person.item_ref("postings", i),)
        spans[f"role:{p.role}"].append((p.start, p.end, item))
        for piece in pieces:  # the group the posting's unit was in, day by day
            spans[f"business_group:{piece.business_group}"].append((piece.start, piece.end, item))
    for section, key in (("ranks", "rank"), ("bands", "band")):
        for i, h in enumerate(getattr(person, section)):
            value = getattr(h, key)
            held = (_grade_item(person, section, i, sheet, names),)
            spans[f"{key}:{value}:{h.basis.value}"].append((h.start, h.end, held))
            spans[f"{key}:{value}:any"].append((h.start, h.end, held))
    current = {
        "current_rank": _current_run(person, "ranks", as_of, sheet, names)
        or _current_run(person, "bands", as_of, sheet, names),
        "current_role": _current_run(person, "postings", as_of, sheet, names, "role"),
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
    for scope, periods in spans.items():
        if not periods:
            continue  # a 'since' scope with nothing after the item: no time to count
        tenure = _tenure(periods, as_of, vanishes=scope in vanishing)
        sheet.tenures[scope] = tenure
        sheet.add("tenure", scope=scope, months=tenure.months(as_of))


def _grade_item(
    person: Person, section: str, index: int, sheet: FactSheet, names: dict[str, str]
) -> str:
    item = person.item_ref(section, index)
    if item not in sheet.labels:  # current holdings are labelled already; others are not
        h = getattr(person, section)[index]
        value = getattr(h, _KEY[section])
        words = f"{names.get(value, value)} ({h.basis.value}) {h.start} to {h.end or 'now'}"
        sheet.labels[item] = (section, words)
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
    sheet: FactSheet,
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
        if item not in sheet.labels:  # postings are labelled already; earlier ranks are not
            h = getattr(person, section)[i]
            words = f"{names.get(value, value)} ({h.basis.value}) {h.start} to {h.end or 'now'}"
            sheet.labels[item] = (section, words)
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


def _day(day: dt.date | None) -> int:
    return day_number(day) if day is not None else 0


def _names(catalogue: Catalogue) -> dict[str, str]:
    out: dict[str, str] = {}
    for (section, entry_id), name in catalogue.names().items():
        if section != "attributes":
            out.setdefault(entry_id, name)
    return out
