"""Equality monitoring: for each stage, the rate of each group over the stage's pool
(:mod:`workforce.reports.pools`), its ratio to a reference group, the four-fifths flag and
Fisher's exact test (:mod:`workforce.fairness`), with counts hidden so that no small count
can be worked out (:mod:`workforce.reports.tables`); trends across dates; and
projections in the style of the MPA papers ("about ten BME superintendents by 2012
without the programme, about 21 with it", 001 para 13).

>>> import datetime as dt
>>> from pathways import SHIPPED_LIBRARY, load_library
>>> from workforce.population import STATUSES, PersonResult, PopulationRun
>>> from rules.decision import Status
>>> keys = ("promotion.constable",)
>>> def p(i, status, ethnicity, kind="officer"):
...     return PersonResult(f"W{i}", kind, "tp", None, ethnicity, "male", keys,
...                         bytes([STATUSES.index(status)]), joined=dt.date(2020, 1, 1))
>>> people = ([p(i, Status.HELD, "white") for i in range(40)]
...           + [p(i, Status.NOT_ELIGIBLE, "white") for i in range(40, 100)]
...           + [p(i, Status.HELD, "black") for i in range(100, 106)]
...           + [p(i, Status.NOT_ELIGIBLE, "black") for i in range(106, 120)]
...           + [p(i, Status.NOT_ELIGIBLE, "black", "staff") for i in range(120, 200)])
>>> run = PopulationRun("v" * 64, dt.date(2024, 6, 1), people)
>>> [stage] = monitor(run, load_library([SHIPPED_LIBRARY]), "ethnicity").stages
>>> stage.pool.words  # staff are not in a constable's pool
'police officers in post on 2024-06-01'
>>> [(r.group.id, r.people, r.has, r.comparison.rate, r.comparison.ratio, r.comparison.flag)
...  for r in stage.rows]  # doctest: +NORMALIZE_WHITESPACE
[('white', 100, 40, 0.4, None, False), ('black', 20, 6, 0.3, 0.75, True),
 ('bme', 20, 6, 0.3, 0.75, True), ('all', 120, 46, 0.3833, None, False)]
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from pathways.model.library import Library
from workforce.disclosure import ROUND_TO, ROUNDED_BELOW, rounded
from workforce.fairness import HIDDEN, Comparison, RateRow, choose_reference, compare, p_text
from workforce.population import NOT_DECIDED, STATUSES, PersonResult, PopulationRun

from .groups import BME, GROUPINGS, Atom, Group, atom_of, grouping_words
from .pools import Members, StagePool, stage_pool
from .tables import MONITOR, publish

__all__ = [
    "BME",
    "HAS",
    "WITHHELD",
    "EqualityReport",
    "GroupResult",
    "Projection",
    "StageEquality",
    "monitor",
    "project",
    "published",
    "stage_table",
    "table_rows",
    "trend",
]

HAS = ("held", "eligible")
_HAS_CODES = frozenset(STATUSES.index(s) for s in STATUSES if s.value in HAS)
WITHHELD = (
    "not shown: nearly everyone in the pool is in one group, so any count by group would "
    "give someone away"
)
POSITIVE_ACTION = (
    "A positive-action programme (Equality Act 2010 ss.158-159): open by design only to "
    "people of some groups. People it does not admit by design are not in its pool"
)


@dataclass(frozen=True)
class GroupResult:
    """One row of a stage's table."""

    group: Group
    people: int | None  # in the pool (None: hidden)
    has: int | None  # of whom hold the stage or are eligible (None: hidden)
    comparison: Comparison
    closed: bool  # the stage admits nobody of this group by design (positive action)


@dataclass(frozen=True)
class StageEquality:
    """A stage's table by one grouping, on one date."""

    stage: str  # "pathway.stage"
    name: str  # "Sergeant (Promotion ladder)"
    as_of: dt.date
    grouping: str
    pool: StagePool
    rows: list[GroupResult]
    reference: str | None  # the reference group's id
    reference_note: str
    withheld: bool = False  # no table: it would give someone away whatever is hidden

    @property
    def flagged(self) -> list[str]:
        """The groups under four fifths of the reference, in words."""
        return [r.group.words for r in self.rows if r.comparison.flag]

    @property
    def reference_words(self) -> str | None:
        return next((r.group.words for r in self.rows if r.group.id == self.reference), None)

    @property
    def positive_action(self) -> str | None:
        """What the page says about a positive-action stage, or None."""
        if not self.pool.positive_action:
            return None
        closed = [r.group.words for r in self.rows if r.closed]
        shut = f" ({', '.join(closed)} here)" if closed else ""
        return (
            f"{POSITIVE_ACTION}{shut}, so no group is flagged for not being admitted; "
            f"its rules test {', '.join(self.pool.protected)}."
        )


@dataclass
class EqualityReport:
    as_of: dt.date
    library_version: str
    grouping: str
    reference: str | None  # the reference asked for (None: the highest rate)
    people: int  # in the run
    stages: list[StageEquality]
    not_in_force: list[str]  # stages (in words) not in force on the date

    @property
    def grouping_words(self) -> str:
        return grouping_words(self.grouping)


def monitor(
    run: PopulationRun,
    library: Library,
    by: str = "ethnicity",
    pathway: str | None = None,
    reference: str | None = None,
) -> EqualityReport:
    """Every stage of ``pathway`` (or of the library) that ``run`` decided, by ``by`` (one
    of :data:`~workforce.reports.groups.GROUPINGS`), rated over its pool on the run's date,
    compared with ``reference`` (a group id such as ``white``; default: the highest rate
    among stated groups).

    Raises:
        ValueError: for an unknown ``by``.
        KeyError: for a pathway the library does not have.
    """
    if by not in GROUPINGS:
        raise ValueError(f"equality monitoring is by {', '.join(GROUPINGS)}; not '{by}'")
    if pathway is not None and pathway not in library.pathways:
        raise KeyError(pathway)
    keys = run.people[0].keys if run.people else ()
    atoms = _atoms(run.people)
    stages, not_in_force = [], []
    for key in keys:
        if pathway is not None and key.split(".")[0] != pathway:
            continue
        found = stage_table(run, library, key, by, reference, atoms)
        if found is None:
            not_in_force.append(_name(library, key))
        else:
            stages.append(found)
    return EqualityReport(
        run.as_of, run.library_version, by, reference, len(run.people), stages, not_in_force
    )


def _atoms(people: Sequence[PersonResult]) -> list[Atom]:
    return sorted({atom_of(p.ethnicity, p.gender, p.disability) for p in people})


def _name(library: Library, key: str) -> str:
    pathway_id, _, stage_id = key.partition(".")
    stage = library.stage(pathway_id, stage_id)
    if stage is None:
        return key
    return f"{stage.name} ({library.pathways[pathway_id].name})"


def pool_people(run: PopulationRun, pool: StagePool) -> list[tuple[Atom, bool]] | None:
    """(atom, has the stage) for everyone in ``pool`` on the run's date; None if the stage
    is not in force that day."""
    if not run.people:
        return []
    keys = run.people[0].keys
    at = keys.index(pool.key)
    if all(p.codes[at] == NOT_DECIDED for p in run.people):
        return None
    member = Members(pool, keys, run.as_of)
    return [
        (atom_of(p.ethnicity, p.gender, p.disability), p.codes[at] in _HAS_CODES)
        for p in run.people
        if p.codes[at] != NOT_DECIDED and member(p)
    ]


def stage_table(
    run: PopulationRun,
    library: Library,
    key: str,
    by: str,
    reference: str | None = None,
    atoms: Sequence[Atom] | None = None,
) -> StageEquality | None:
    """One stage's table by ``by`` (None if the stage is not in force on the date)."""
    pool = stage_pool(library, key, run.as_of, run.people[0].keys if run.people else None)
    people = pool_people(run, pool)
    if people is None:
        return None
    atoms = list(atoms) if atoms is not None else _atoms(run.people)
    tables = publish(
        ((atom, "has" if has else "has_not") for atom, has in people), atoms, GROUPINGS, MONITOR
    )
    rows = tables[by].rows
    rates = [
        RateRow(
            r.group.id,
            r.group.words,
            r.count("has"),
            r.count("people"),
            comparable=r.group.stated and r.group.id != "all",
            candidate=not r.group.aggregate,
        )
        for r in rows
    ]
    ref, note = choose_reference(rates, reference) if rows else (None, WITHHELD)
    compared = compare(rates, ref)
    closed = {
        r.group.id: bool(members) and not any(pool.open_to(a) for a in members)
        for r in rows
        for members in [[a for a in atoms if r.group.contains(a)]]
    }
    return StageEquality(
        key,
        _name(library, key),
        run.as_of,
        by,
        pool,
        [
            GroupResult(r.group, r.count("people"), r.count("has"), c, closed[r.group.id])
            for r, c in zip(rows, compared, strict=True)
        ],
        ref,
        note,
        tables[by].withheld,
    )


def table_rows(report: EqualityReport) -> list[dict[str, Any]]:
    """One row per stage and group, for CSV and JSON; hidden counts are ``[c]``."""
    return [
        {
            "stage": s.stage,
            "stage_name": s.name,
            "as_of": s.as_of.isoformat(),
            "pool": s.pool.words,
            "by": s.grouping,
            "group": r.group.id,
            "group_name": r.group.words,
            "people_in_pool": HIDDEN if r.people is None else r.people,
            "held_or_eligible": HIDDEN if r.has is None else r.has,
            "rate": "" if r.comparison.rate is None else r.comparison.rate,
            "reference_group": s.reference or "",
            "ratio_to_reference": "" if r.comparison.ratio is None else r.comparison.ratio,
            "under_four_fifths": r.comparison.flag,
            "fisher_p": "" if r.comparison.p_value is None else p_text(r.comparison.p_value),
            "note": _note(s, r),
        }
        for s in report.stages
        for r in s.rows
    ]


def _note(stage: StageEquality, row: GroupResult) -> str:
    if row.comparison.reference:
        return f"reference ({stage.reference_note})"
    if row.closed:
        return "not admitted by design (positive action)"
    if not row.group.stated:
        return "characteristic not known: shown, not compared"
    return ""


def trend(
    runs: Sequence[PopulationRun],
    library: Library,
    stage: str,
    by: str = "ethnicity",
    reference: str | None = None,
) -> list[StageEquality]:
    """One stage's table on each run's date (oldest first), each over that date's pool;
    dates on which the stage is not in force are left out."""
    atoms = _atoms([p for run in runs for p in run.people])
    out = []
    for run in sorted(runs, key=lambda r: r.as_of):
        found = stage_table(run, library, stage, by, reference, atoms)
        if found is not None:
            out.append(found)
    return out


@dataclass
class Projection:
    """How many BME people will hold a stage by a date, with and without a programme."""

    stage: str
    as_of: dt.date
    by: dt.date
    # Counts: exact from :func:`project`; None ("fewer than 10") or rounded to 5 once
    # :func:`published` (the only form pages, CSV and the API show).
    held_now: int | None  # BME people who hold the stage now
    pipeline: int | None  # BME people eligible now or by the date
    in_programme: int | None  # of those, members of the programme
    conversion: float  # share of a pipeline that goes on to hold the stage
    uplift: float  # how much more likely a programme member is to convert
    without: int | None
    with_programme: int | None
    assumptions: list[str]


def published(projection: Projection) -> Projection:
    """The projection as it may be shown: every count rounded to the nearest 5, and under
    10 not given (:func:`workforce.disclosure.rounded`). Its counts are of small groups (BME
    superintendents) and sit beside tables whose small cells are hidden: exact, they could
    be differenced against those tables.

    >>> p = Projection("s", dt.date(2026, 1, 1), dt.date(2028, 1, 1), 3, 12, 4, 0.5, 2.0,
    ...                9, 11, [])
    >>> q = published(p)
    >>> (q.held_now, q.pipeline, q.in_programme, q.without, q.with_programme)
    (None, 10, None, None, 10)
    """
    return replace(
        projection,
        held_now=_rounded(projection.held_now),
        pipeline=_rounded(projection.pipeline),
        in_programme=_rounded(projection.in_programme),
        without=_rounded(projection.without),
        with_programme=_rounded(projection.with_programme),
        assumptions=[
            *projection.assumptions,
            f"Counts are rounded to the nearest {ROUND_TO}, and under {ROUNDED_BELOW} not "
            "given, so no small group's count can be read or worked out from the tables.",
        ],
    )


def _rounded(count: int | None) -> int | None:
    return None if count is None else rounded(count)


def project(
    run: PopulationRun,
    stage: str,
    by: dt.date,
    programme: str = "positive_action.equip_to_achieve",
    uplift: float = 2.0,
) -> Projection:
    """Project BME holders of ``stage`` by ``by``: those who hold it now, plus the BME
    pipeline (eligible now, or eligible from a date up to ``by``) times a conversion rate
    taken from the whole workforce now (holders / (holders + eligible)); with the
    programme, its members convert ``uplift`` times as often (capped at 1).

    Raises:
        KeyError: if the run did not decide ``stage``.
    """
    if run.people and stage not in run.people[0].keys:
        raise KeyError(stage)
    held_all = eligible_all = 0
    held = pipe = members = 0
    for person in run.people:
        status = person.status_of(stage)
        in_pipe = status == "eligible" or (
            status == "eligible_from" and (person.eligible_from(stage) or dt.date.max) <= by
        )
        held_all += status == "held"
        eligible_all += status == "eligible"
        if person.ethnicity in BME:
            held += status == "held"
            if in_pipe:
                pipe += 1
                members += person.status_of(programme) == "held"
    conversion = held_all / (held_all + eligible_all) if held_all + eligible_all else 0.0
    boosted = min(1.0, conversion * uplift)
    without = held + round(pipe * conversion)
    with_programme = held + round((pipe - members) * conversion + members * boosted)
    return Projection(
        stage,
        run.as_of,
        by,
        held,
        pipe,
        members,
        round(conversion, 4),
        uplift,
        without,
        with_programme,
        [
            f"BME means the ethnicity groups {', '.join(sorted(BME))}.",
            f"The pipeline is BME people eligible for {stage} now, or eligible from a date "
            f"up to {by} if nothing else changes.",
            f"Conversion: of everyone who holds or is eligible for {stage} now, "
            f"{conversion:.0%} hold it; the pipeline is assumed to convert at that rate.",
            f"With the programme: members of {programme} convert {uplift:g} times as often "
            "(capped at 100%); without it, at the same rate as everyone.",
            "No one leaves and no one new joins the pipeline: a projection, not a forecast.",
        ],
    )
