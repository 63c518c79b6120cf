"""The floor: the shipped rules for a sample of stages, hand-written in plain Python.

Eligibility only (one bool per stage: True where the engine says ``held`` or
``eligible``), no explanations, no rules engine, no library loading: the fastest
honest implementation, to measure the engine against. It shares no code with the
engine (not even the month arithmetic of :mod:`accreditation.periods`), so that the
two also check each other.

The rules are those of the shipped library (``pathways/library/*.yaml`` and the
catalogue), with the engine's status precedence:

- ``held`` first: the stage's award is in the record (a current credential of at
  least the level, a substantive rank at or above it, a completed course ...);
- then ``lapsed``: a credential stage whose award is there but expired (False here);
- then ``eligible``: every requirement in force on ``as_of`` holds.

Periods are whole months (a period that starts on day D is complete on day D of the
month N months later, or that month's last day). Time served in a role adds each
finished posting's whole months to those of the one that is still running on as_of.

>>> import datetime as dt
>>> from accreditation import Person
>>> p = Person.model_validate({"id": "W1", "kind": "officer", "joined": "2015-09-01",
...     "ranks": [{"rank": "constable", "start": "2015-09-01"}],
...     "courses": [{"course": "initial_police_training", "completed": "2015-12-18"}]})
>>> floor(p, dt.date(2017, 8, 31))["recruit.initial_grounding"]
False
>>> floor(p, dt.date(2017, 9, 1))["recruit.initial_grounding"]
True
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from accreditation.record import Outcome, Person
from rules.decision import Decision, DecisionSummary

__all__ = [
    "AGREE",
    "FSL_PREREQUISITE_FROM",
    "STAGES",
    "Disagreement",
    "compare",
    "engine_statuses",
    "floor",
    "whole_months",
]

STAGES = (
    "pip.level_1",
    "pip.level_2",
    "pip.level_3",
    "pip.level_4",
    "senior_leadership.spnac",
    "promotion.sergeant",
    "recruit.initial_grounding",
    "detective.qualified_detective",
)
"""The stages the floor decides, as ``pathway.stage``."""

FSL_PREREQUISITE_FROM = dt.date(2010, 4, 1)
"""senior_leadership.spnac: every FSL stage is required from this day (002 rec 9)."""

# The catalogue's rank order (lowest first) and the credentials' validity in months.
_RANK_ORDER = {
    "constable": 0,
    "sergeant": 1,
    "inspector": 2,
    "chief_inspector": 3,
    "superintendent": 4,
    "chief_superintendent": 5,
    "commander": 6,
    "deputy_assistant_commissioner": 7,
    "assistant_commissioner": 8,
    "deputy_commissioner": 9,
    "commissioner": 10,
}
SERGEANT, INSPECTOR, CHIEF_INSPECTOR, SUPERINTENDENT = 1, 2, 3, 4
_PIP_VALIDITY_MONTHS = 60

_LEVEL_2_ROLES = (
    "investigation",
    "trainee_detective_constable",
    "detective_constable",
    "roads_policing_investigator",
    "civilian_investigator",
)
_COUNTED_ROLES = frozenset(
    (
        *_LEVEL_2_ROLES,
        "investigative_support_staff",
        "senior_investigating_officer",
    )
)
_SPNAC_ENDORSEMENTS = (
    "line_management_observations",
    "mps_acpo_endorsement",
    "management_board_consideration",
)
_FSL_COURSES = ("fsl_stage_1", "fsl_stage_2", "fsl_stage_3")
_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_ONE_DAY = dt.timedelta(days=1)


def _month_length(year: int, month: int) -> int:
    if month == 2 and year % 4 == 0 and (year % 100 != 0 or year % 400 == 0):
        return 29
    return _MONTH_DAYS[month - 1]


def whole_months(start: dt.date, end: dt.date) -> int:
    """Whole months from ``start`` to ``end`` (0 if ``end`` is before ``start``).

    >>> whole_months(dt.date(2020, 1, 31), dt.date(2020, 2, 29))
    1
    >>> whole_months(dt.date(2020, 1, 15), dt.date(2020, 3, 14))
    1
    """
    if end < start:
        return 0
    n = (end.year - start.year) * 12 + end.month - start.month
    # Day ``start.day`` of end's month (or its last day) is after ``end``: not yet complete.
    if start.day > end.day and end.day < _month_length(end.year, end.month):
        n -= 1
    return n


def _add_months(start: dt.date, months: int) -> dt.date:
    index = start.year * 12 + start.month - 1 + months
    year, month = divmod(index, 12)
    return dt.date(year, month + 1, min(start.day, _month_length(year, month + 1)))


# Long: the floor is a lower bound on the cost of these rules in Python, so it is one pass
# over the record and one expression per stage, with no calls a split would add.
def floor(person: Person, as_of: dt.date) -> dict[str, bool]:
    """For each of :data:`STAGES`: True if ``person`` holds it or is eligible on ``as_of``."""
    # --- one pass over the record -------------------------------------------------------
    staff = person.kind.value == "staff"
    top_rank = -1  # highest substantive rank held on as_of
    low_rank = 99  # lowest substantive rank held on as_of
    for h in person.ranks:
        if (
            h.start <= as_of
            and (h.end is None or as_of <= h.end)
            and h.basis.value == "substantive"
        ):
            order = _RANK_ORDER.get(h.rank)
            if order is not None:
                top_rank = max(top_rank, order)
                low_rank = min(low_rank, order)
    courses = {c.course for c in person.courses if c.completed is not None and c.completed <= as_of}
    passed = {
        a.assessment for a in person.assessments if a.outcome is Outcome.PASSED and a.date <= as_of
    }
    endorsed = {
        e.endorsement
        for e in person.endorsements
        if e.date <= as_of and (e.expires is None or as_of <= e.expires)
    }
    pip_current = pip_lapsed = 0  # highest PIP level current / expired on as_of
    qualified_detective = grounded = False
    for award in person.credentials:
        if award.awarded > as_of:
            continue
        if award.credential == "pip":
            last = award.awarded
            for day in award.revalidated:
                if last < day <= as_of:
                    last = day
            level = award.level or 0
            if as_of < _add_months(last, _PIP_VALIDITY_MONTHS):
                pip_current = max(pip_current, level)
            else:
                pip_lapsed = max(pip_lapsed, level)
        elif award.credential == "detective_qualification":
            qualified_detective = True
        elif award.credential == "initial_policing_qualification":
            grounded = True
    # Months served per role: finished postings' whole months, plus the running one.
    months: dict[str, int] = {}
    running: dict[str, tuple[dt.date, dt.date | None]] = {}
    trainee_posted = False
    for p in sorted(person.postings, key=lambda p: p.start):
        if p.start > as_of:
            continue
        role = p.role
        if role == "trainee_detective_constable":
            trainee_posted = True
        if role not in _COUNTED_ROLES:
            continue
        if p.end is not None and p.end < as_of:
            months[role] = months.get(role, 0) + whole_months(p.start, p.end + _ONE_DAY)
        elif role in running:  # overlapping running postings: from the earliest start
            running[role] = (min(running[role][0], p.start), running[role][1])
        else:
            running[role] = (p.start, p.end)
    for role, (start, end) in running.items():
        stop = as_of if end is None else min(as_of, end + _ONE_DAY)
        months[role] = months.get(role, 0) + whole_months(start, stop)
    service = whole_months(person.joined, as_of)

    # --- the stages ---------------------------------------------------------------------
    out: dict[str, bool] = {}
    pip_held = [True] + [pip_current >= level for level in (1, 2, 3, 4)]
    pip_open = [True] + [pip_lapsed < level for level in (1, 2, 3, 4)]  # not lapsed
    level_1 = low_rank <= INSPECTOR or (
        staff
        and (
            months.get("civilian_investigator", 0) >= 6
            or months.get("investigative_support_staff", 0) >= 6
        )
    )
    out["pip.level_1"] = pip_held[1] or (
        pip_open[1] and level_1 and "pip_level_1_training" in courses
    )
    out["pip.level_2"] = pip_held[2] or (
        pip_open[2]
        and pip_held[1]
        and "icidp" in courses
        and "national_investigators_exam" in passed
        and any(months.get(role, 0) >= 12 for role in _LEVEL_2_ROLES)
    )
    sio = months.get("senior_investigating_officer", 0)
    out["pip.level_3"] = pip_held[3] or (
        pip_open[3]
        and pip_held[2]
        and top_rank >= INSPECTOR
        and "sio_development_programme" in courses
        and sio >= 12
    )
    out["pip.level_4"] = pip_held[4] or (
        pip_open[4]
        and pip_held[3]
        and top_rank >= SUPERINTENDENT
        and "major_crime_command_course" in courses
        and sio >= 36
    )
    out["senior_leadership.spnac"] = "spnac" in passed or (
        top_rank >= SUPERINTENDENT  # also reaches senior_leadership.chief_inspector
        and all(e in endorsed for e in _SPNAC_ENDORSEMENTS)
        and (as_of < FSL_PREREQUISITE_FROM or all(c in courses for c in _FSL_COURSES))
    )
    out["promotion.sergeant"] = top_rank >= SERGEANT or (
        top_rank >= 0  # holds promotion.constable: a substantive rank
        and service >= 24
        and "sergeants_exam" in passed
        and "sergeant_promotion_board" in passed
    )
    out["recruit.initial_grounding"] = grounded or (
        "initial_police_training" in courses and service >= 24
    )
    out["detective.qualified_detective"] = qualified_detective or (
        trainee_posted and months.get("trainee_detective_constable", 0) >= 12 and pip_held[2]
    )
    return out


# --- the floor against the engine --------------------------------------------------------

AGREE = frozenset({"held", "eligible"})  # the statuses the floor calls True


def engine_statuses(decision: Decision | DecisionSummary) -> dict[str, str]:
    """The engine's status for each floor stage, from a full decision."""
    return {
        f"{s.pathway}.{s.stage}": s.status.value
        for s in decision.stages
        if f"{s.pathway}.{s.stage}" in STAGES
    }


@dataclass(frozen=True)
class Disagreement:
    """One person and stage on which the floor and the engine differ."""

    person: str
    as_of: dt.date
    stage: str
    engine: str
    floor: bool

    def __str__(self) -> str:
        return (
            f"{self.person} as of {self.as_of}, {self.stage}: engine says {self.engine}, "
            f"floor says {'eligible/held' if self.floor else 'not eligible'}"
        )


def compare(
    people: Iterable[Person], as_of: dt.date, engine: dict[str, dict[str, str]]
) -> list[Disagreement]:
    """Every (person, stage) where the floor's bool is not 'engine says held or eligible'."""
    out = []
    for person in people:
        statuses = engine[person.id]
        for stage, value in floor(person, as_of).items():
            if stage not in statuses:  # not in force on as_of: the engine did not decide it
                continue
            if value != (statuses[stage] in AGREE):
                out.append(Disagreement(person.id, as_of, stage, statuses[stage], value))
    return out
