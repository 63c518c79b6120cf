"""HR's compliance report: who is overdue on an obligation, or due within a window (90 days
by default), per business group; and, for the roles that may see protected
characteristics, the same counts by ethnicity, gender and disability with small numbers
hidden (:func:`workforce.reports.tables.publish`: primary and complementary suppression).

Each obligation that applies to a person on the date (:mod:`rules.obligations`) puts them
in one category for it:

- **overdue**: not met, and its due-by day has passed;
- **due**: not met, due by a day within the window (or with no date, when the record
  gives no start for its clock); or met, but it stops holding by itself (a credential
  lapses) so the person must act by a day within the window;
- **in time**: met for good, or due after the window.

The statuses come from the batch evaluator (the rules compiled for durable-rules, matched
in Python), which ``tests/test_compliance.py`` checks against the engine.

>>> import datetime as dt
>>> from accreditation.record import Person
>>> from pathways import SHIPPED_LIBRARY, load_library
>>> ci = Person.model_validate({"id": "W1", "kind": "officer", "joined": "1995-01-01",
...     "ranks": [{"rank": "inspector", "start": "2005-01-01", "end": "2011-06-30"},
...               {"rank": "chief_inspector", "start": "2011-07-01"}],
...     "postings": [{"business_group": "territorial_policing", "role": "community",
...                   "start": "2011-07-01"}]})
>>> report = compliance_of([ci], load_library([SHIPPED_LIBRARY]), dt.date(2013, 5, 1))
>>> [(e.person, e.obligation, e.category, e.due_by) for e in report.entries]
[('W1', 'fsl.fsl_for_chief_inspectors', 'due', datetime.date(2013, 6, 30))]
>>> [(c.group, c.applies, c.overdue, c.due) for c in report.counts if "fsl" in c.obligation]
[('territorial_policing', 1, 0, 1), ('all', 1, 0, 1)]
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from accreditation.record import Person
from pathways.model.library import Library
from rules.batch import BatchEvaluator
from rules.decision import ObligationDecision, ObligationStatus
from store import Store
from workforce.population import grouping

from .groups import Atom, atom_of
from .tables import Column, Table, publish

__all__ = [
    "CATEGORIES",
    "COLUMNS",
    "NO_POSTING",
    "WINDOW_DAYS",
    "Compliance",
    "ComplianceEntry",
    "ObligationCounts",
    "category_of",
    "compliance",
    "compliance_of",
    "count_rows",
    "entry_rows",
    "equality_rows",
    "equality_tables",
]

#: Obligations due within this many days are listed with the overdue ones.
WINDOW_DAYS = 90
CATEGORIES = ("overdue", "due", "in_time")
NO_POSTING = "(no posting)"

#: The equality tables' columns: the obligation's pool, overdue, due, and (derivable) the
#: rest.
COLUMNS = (
    Column("people", "People it applies to", CATEGORIES),
    Column("overdue", "Overdue", ("overdue",)),
    Column("due", "Due within the window", ("due",)),
    Column("in_time", "Met or due later", ("in_time",), shown=False),
)

Progress = Callable[[int], None]


@dataclass(frozen=True)
class ComplianceEntry:
    """One person's one obligation that needs acting on: overdue, or due in the window."""

    person: str
    name: str | None
    business_group: str  # NO_POSTING when not posted on the date
    obligation: str  # "pathway.obligation"
    obligation_name: str
    owner: str  # who must act: "person" or "hr"
    category: str  # "overdue" or "due"
    status: str  # the engine's: overdue, due, or met (and must act to stay met)
    due_by: dt.date | None
    act_by: dt.date | None
    met_until: dt.date | None
    next_step: str | None


@dataclass
class ObligationCounts:
    """For one obligation in one business group (or ``all``): to how many people it
    applies, and how many are overdue and due within the window."""

    group: str
    obligation: str
    applies: int = 0
    overdue: int = 0
    due: int = 0


@dataclass
class Compliance:
    """The compliance report on one date under one library version."""

    as_of: dt.date
    library_version: str
    window_days: int
    obligations: dict[str, str]  # key -> name, in library order
    entries: list[ComplianceEntry]  # by business group, overdue first, then by act_by
    counts: list[ObligationCounts]  # by business group and obligation, then 'all'
    people: int = 0  # records looked at
    atoms: list[Atom] = field(default_factory=list, repr=False)  # everyone's, for table rows
    pools: dict[str, list[tuple[Atom, str]]] = field(default_factory=dict, repr=False)

    def groups(self) -> list[str]:
        return sorted({c.group for c in self.counts if c.group != "all"})


def category_of(decision: ObligationDecision, as_of: dt.date, window_days: int) -> str:
    """``overdue``, ``due`` (act within the window) or ``in_time``.

    >>> from rules.decision import ObligationDecision
    >>> o = ObligationDecision(pathway="p", pathway_name="P", obligation="o", name="O",
    ...     text="O", owner="person", status="due", due_by="2024-08-30", act_by="2024-08-30")
    >>> category_of(o, dt.date(2024, 6, 1), 90), category_of(o, dt.date(2024, 6, 1), 89)
    ('due', 'in_time')
    """
    if decision.status is ObligationStatus.OVERDUE:
        return "overdue"
    if decision.status is ObligationStatus.DUE and decision.act_by is None:
        return "due"  # no date to wait for: act now
    if decision.act_by is not None and (decision.act_by - as_of).days <= window_days:
        return "due"
    return "in_time"


def compliance_of(
    people: Iterable[Person],
    library: Library,
    as_of: dt.date,
    window_days: int = WINDOW_DAYS,
    progress: Progress | None = None,
) -> Compliance:
    """The report over ``people`` (each record once).

    Raises:
        ValueError: if ``window_days`` is negative.
    """
    if window_days < 0:
        raise ValueError(f"the window is a number of days, 0 or more, not {window_days}")
    evaluator = BatchEvaluator(library)
    names = {f"{p.id}.{o.id}": o.name for p in library.pathways.values() for o in p.obligations}
    counts: dict[tuple[str, str], ObligationCounts] = {}
    entries: list[ComplianceEntry] = []
    atoms: set[Atom] = set()
    pools: dict[str, list[tuple[Atom, str]]] = defaultdict(list)
    seen = 0
    for person in people:
        seen += 1
        if progress is not None and seen % 500 == 0:
            progress(seen)
        atom = atom_of(
            person.protected.ethnicity, person.protected.gender, person.protected.disability
        )
        atoms.add(atom)
        group = grouping(person, as_of)[0] or NO_POSTING
        for decision in evaluator.obligations(person, as_of):
            category = category_of(decision, as_of, window_days)
            pools[decision.key].append((atom, category))
            for where in (group, "all"):
                row = counts.setdefault(
                    (where, decision.key), ObligationCounts(where, decision.key)
                )
                row.applies += 1
                if category != "in_time":
                    setattr(row, category, getattr(row, category) + 1)
            if category != "in_time":
                entries.append(_entry(person, group, decision, category))
    if progress is not None:
        progress(seen)
    order = list(names)
    entries.sort(
        key=lambda e: (
            e.business_group,
            CATEGORIES.index(e.category),
            e.act_by or dt.date.min,
            e.person,
            order.index(e.obligation),
        )
    )
    rows = sorted(
        counts.values(),
        key=lambda c: (c.group == "all", c.group, order.index(c.obligation)),
    )
    return Compliance(
        as_of,
        library.digest,
        window_days,
        names,
        entries,
        rows,
        seen,
        sorted(atoms),
        dict(pools),
    )


def _entry(
    person: Person, group: str, decision: ObligationDecision, category: str
) -> ComplianceEntry:
    return ComplianceEntry(
        person=person.id,
        name=person.name,
        business_group=group,
        obligation=decision.key,
        obligation_name=decision.name,
        owner=decision.owner,
        category=category,
        status=decision.status.value,
        due_by=decision.due_by,
        act_by=decision.act_by,
        met_until=decision.met_until,
        next_step=decision.next_step,
    )


def equality_tables(
    report: Compliance, obligation: str, groupings: Sequence[str]
) -> dict[str, Table]:
    """For one obligation, its pool (everyone it applies to) by each of ``groupings``:
    how many are overdue and due, counts under 5 hidden with their complements, so that no
    one can be picked out. Only for roles that may see protected characteristics.

    Raises:
        KeyError: if the report has no obligation ``obligation``.
    """
    if obligation not in report.obligations:
        raise KeyError(obligation)
    # The Everyone row's counts are printed in the business-group table, which is not
    # protected: the tables are protected with them known.
    return publish(
        report.pools.get(obligation, []),
        report.atoms,
        groupings,
        COLUMNS,
        public=("people", "overdue", "due"),
    )


def compliance(
    store: Store,
    library: Library,
    as_of: dt.date,
    window_days: int = WINDOW_DAYS,
    progress: Progress | None = None,
) -> Compliance:
    """The report over every stored record (read in batches)."""
    return compliance_of(store.iter_people(), library, as_of, window_days, progress)


# --- rows for CSV and JSON -------------------------------------------------------------------


def entry_rows(report: Compliance) -> list[dict[str, Any]]:
    """One row per person and obligation to act on (names: for HR only)."""
    day = report.as_of.isoformat()
    return [
        {
            "as_of": day,
            "business_group": e.business_group,
            "person": e.person,
            "name": e.name or "",
            "obligation": e.obligation,
            "obligation_name": e.obligation_name,
            "who_acts": e.owner,
            "category": e.category,
            "status": e.status,
            "due_by": _iso(e.due_by),
            "act_by": _iso(e.act_by),
            "met_until": _iso(e.met_until),
            "next_step": e.next_step or "",
        }
        for e in report.entries
    ]


def count_rows(report: Compliance) -> list[dict[str, Any]]:
    """One row per business group and obligation (and ``all``): no names, no protected
    characteristics."""
    return [
        {
            "as_of": report.as_of.isoformat(),
            "business_group": c.group,
            "obligation": c.obligation,
            "obligation_name": report.obligations.get(c.obligation, c.obligation),
            "applies": c.applies,
            "overdue": c.overdue,
            "due": c.due,
        }
        for c in report.counts
    ]


def equality_rows(report: Compliance, grouping: str) -> list[dict[str, Any]]:
    """One row per obligation and group of ``grouping``; a hidden count is None. A table
    withheld whole (any table would give someone away) is one row that says so."""
    rows: list[dict[str, Any]] = []
    day = report.as_of.isoformat()
    for key in report.obligations:
        table = equality_tables(report, key, [grouping])[grouping]
        base = {"as_of": day, "obligation": key, "grouping": grouping}
        if table.withheld:
            rows.append(
                base
                | {"group": "", "people": None, "overdue": None, "due": None}
                | {"note": "withheld: any table would let a small number be worked out"}
            )
            continue
        rows += [
            base
            | {
                "group": r.group.words,
                "people": r.count("people"),
                "overdue": r.count("overdue"),
                "due": r.count("due"),
                "note": "",
            }
            for r in table.rows
        ]
    return rows


def _iso(day: dt.date | None) -> str:
    return day.isoformat() if day else ""
