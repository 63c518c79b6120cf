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
from dataclasses import dataclass, field
from typing import Any

from accreditation.periods import add_months, day_number, whole_months
from accreditation.record import Outcome, Person
from pathways.model.catalogue import Catalogue

__all__ = ["FactSheet", "Tenure", "Vocabulary", "build_facts"]

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


@dataclass(frozen=True)
class Vocabulary:
    """What fact building needs from a catalogue, worked out once, not per record."""

    ranks: dict[str, int]
    bands: dict[str, int]
    names: dict[str, str]
    validity: dict[str, int | None]
    attributes: tuple[str, ...]

    @classmethod
    def of(cls, catalogue: Catalogue) -> Vocabulary:
        return cls(
            ranks=catalogue.rank_order(),
            bands=catalogue.band_order(),
            names=_names(catalogue),
            validity={c.id: c.validity_months for c in catalogue.credentials},
            attributes=tuple(a.id for a in catalogue.attributes),
        )


# Long: one loop per record section, in record order, on the hot path of every decision;
# each loop is a few lines and shares `ref`, which labels the evidence.
def build_facts(
    person: Person,
    as_of: dt.date,
    catalogue: Catalogue,
    sid: str,
    vocabulary: Vocabulary | None = None,
) -> FactSheet:
    """Every fact of ``person``'s record as of ``as_of`` (items dated later are ignored)."""
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

    for i, a in enumerate(person.assessments):
        if a.outcome is Outcome.PASSED and a.date <= as_of:
            item = ref(
                "assessments", i, f"{names.get(a.assessment, a.assessment)} (passed {a.date})"
            )
            sheet.add("passed", assessment=a.assessment, item=item, on=day_number(a.date))

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

    for i, pair in enumerate(person.mentors):
        if pair.covers(as_of):
            item = ref("mentors", i, f"mentored by {pair.mentor} since {pair.start}")
            sheet.add("mentor", mentor=pair.mentor, item=item, until=_day(pair.end))

    _postings(person, as_of, sheet, ref, names)
    _tenures(person, as_of, sheet, names)
    return sheet


def _postings(
    person: Person, as_of: dt.date, sheet: FactSheet, ref: Any, names: dict[str, str]
) -> None:
    groups: dict[str, set[str]] = defaultdict(set)
    for i, p in enumerate(person.postings):
        if p.start > as_of:
            continue
        words = (
            f"{names.get(p.role, p.role)}, {names.get(p.business_group, p.business_group)} "
            f"({p.start} to {p.end or 'now'})"
        )
        item = ref("postings", i, words)
        groups["*"].add(p.business_group)
        groups[p.role].add(p.business_group)
        sheet.add("role_held", role=p.role, item=item)
        if p.covers(as_of):
            sheet.add(
                "posting",
                role=p.role,
                business_group=p.business_group,
                item=item,
                until=_day(p.end),
            )
    for role, found in groups.items():
        sheet.add("groups", role=role, count=len(found))


def _tenures(person: Person, as_of: dt.date, sheet: FactSheet, names: dict[str, str]) -> None:
    # Per scope: (start, end, the items behind the period) for each period.
    spans: dict[str, list[_Span]] = defaultdict(list)
    spans["service"].append((person.joined, None, ("joined",)))
    sheet.labels["joined"] = ("joined", f"joined on {person.joined}")
    for i, p in enumerate(person.postings):
        item = (person.item_ref("postings", i),)
        spans[f"role:{p.role}"].append((p.start, p.end, item))
        spans[f"business_group:{p.business_group}"].append((p.start, p.end, item))
    current = {
        "current_rank": _current_run(person, "ranks", as_of, sheet, names)
        or _current_run(person, "bands", as_of, sheet, names),
        "current_role": _current_run(person, "postings", as_of, sheet, names, "role"),
        "current_business_group": _current_run(
            person, "postings", as_of, sheet, names, "business_group"
        ),
    }
    for scope, run in current.items():
        if run is not None:
            spans[scope].append(run)
    for scope, periods in spans.items():
        tenure = _tenure(periods, as_of, vanishes=scope in current)
        sheet.tenures[scope] = tenure
        sheet.add("tenure", scope=scope, months=tenure.months(as_of))


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
