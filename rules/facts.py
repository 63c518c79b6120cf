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

from accreditation.periods import add_months, day_number
from accreditation.postings import GroupSpan, group_spans
from accreditation.record import AssessmentResult, Outcome, Person
from pathways.model.catalogue import Catalogue, UnitEntry
from pathways.model.library import Library
from pathways.model.requirements import (
    PassedRequirement,
    ServedRequirement,
    walk,
)
from pathways.model.specs import ANY_ASSESSOR

from .tenures import ONE_DAY, Tenure, tenures

__all__ = [
    "AssessorCounter",
    "FactSheet",
    "Tenure",
    "Vocabulary",
    "build_facts",
    "count_named_assessors",
]


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

    for i, pair in enumerate(person.mentors):
        if pair.covers(as_of):
            item = ref("mentors", i, f"mentored by {pair.mentor} since {pair.start}")
            sheet.add("mentor", mentor=pair.mentor, item=item, until=_day(pair.end))

    split = [group_spans(p, vocab.units) for p in person.postings]
    _postings(person, as_of, sheet, ref, names, split)
    found = tenures(person, as_of, sheet.labels, names, split, vocab.since_scopes)
    for scope, tenure in found.items():
        sheet.tenures[scope] = tenure
        sheet.add("tenure", scope=scope, months=tenure.months(as_of))
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


def _day(day: dt.date | None) -> int:
    return day_number(day) if day is not None else 0


def _names(catalogue: Catalogue) -> dict[str, str]:
    out: dict[str, str] = {}
    for (section, entry_id), name in catalogue.names().items():
        if section != "attributes":
            out.setdefault(entry_id, name)
    return out
