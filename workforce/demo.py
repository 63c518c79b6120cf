"""Named demo officers: records that show, on the day the demo runs, each thing the officer
pages do. ``pathways demo-users`` (run by ``make run``) stores them, gives each a web
sign-in, and names them with what they show.

The records are built relative to ``today``, so the dates they show are always ahead:

- **W900001** (constable): *sergeant, eligible from a date* (the sergeants' exam and board
  are passed; two years' service complete four months from today), and a goal, *chief
  inspector*, with *two routes*: the promotion board, or the HPDS work-based assessment;
- **W900002** (inspector): *PIP level 2 lapsed four years ago* (revalidation comes first,
  and is the first stage on the way to the goal, PIP level 3); a positive-action
  programme whose criteria she meets, worded neutrally;
- **W900003** (sergeant): *PIP level 2 expiring within 90 days*;
- **W900004** (chief inspector): *an obligation due*: the Foundation for Senior Leadership,
  mandatory for chief inspectors, is due within 24 months of promotion: two months from
  today (stage 1 attended, stages 2 and 3 to do).

>>> import datetime as dt
>>> officers = demo_officers(dt.date(2026, 6, 1))
>>> for o in officers:
...     print(o.person.id, o.goal)
W900001 promotion.chief_inspector
W900002 pip.level_3
W900003 promotion.inspector
W900004 senior_leadership.spnac
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
from dataclasses import dataclass
from typing import Any

from accreditation.periods import add_months
from accreditation.record import Person
from store import Store
from store.goals import GoalConflict, Goals

__all__ = ["DemoOfficer", "demo_officers", "store_demo_officers"]


@dataclass(frozen=True)
class DemoOfficer:
    person: Person
    shows: str
    goal: str | None


def _months(day: dt.date, n: int) -> str:
    return add_months(day, n).isoformat()


def demo_officers(today: dt.date) -> list[DemoOfficer]:
    """The demo officers' records as of ``today``."""
    constable, inspector, sergeant = _constable(today), _inspector(today), _sergeant(today)
    return [
        DemoOfficer(
            Person.model_validate(constable),
            "sergeant eligible from a date; a goal (chief inspector) with two routes",
            "promotion.chief_inspector",
        ),
        DemoOfficer(
            Person.model_validate(inspector),
            "a credential lapsed four years ago (PIP level 2), revalidated first on the way "
            "to the goal (PIP level 3)",
            "pip.level_3",
        ),
        DemoOfficer(
            Person.model_validate(sergeant),
            "a credential expiring within 90 days (PIP level 2)",
            "promotion.inspector",
        ),
        DemoOfficer(
            Person.model_validate(_chief_inspector(today)),
            "an obligation due: FSL (mandatory for chief inspectors) by "
            + (add_months(today, 2) - dt.timedelta(days=1)).isoformat(),
            "senior_leadership.spnac",
        ),
    ]


def _constable(today: dt.date) -> dict[str, Any]:
    """W900001: sergeant eligible from a date; two routes to chief inspector."""
    constable: dict[str, Any] = {
        "id": "W900001",
        "kind": "officer",
        "name": "Alex Morgan (demo)",
        "joined": _months(today, -20),
        "ranks": [{"id": "R1", "rank": "constable", "start": _months(today, -20)}],
        "postings": [
            {
                "id": "P1",
                "business_group": "territorial_policing",
                "role": "response",
                "start": _months(today, -20),
            }
        ],
        "courses": [
            {"id": "C1", "course": "initial_police_training", "completed": _months(today, -16)}
        ],
        "assessments": [
            {"id": "A1", "assessment": "sergeants_exam", "date": _months(today, -2)},
            {"id": "A2", "assessment": "sergeant_promotion_board", "date": _months(today, -1)},
        ],
        "credentials": [
            {"id": "K1", "credential": "pip", "level": 1, "awarded": _months(today, -12)}
        ],
        "protected": {"ethnicity": "white", "gender": "male", "disability": "no"},
    }
    return constable


def _inspector(today: dt.date) -> dict[str, Any]:
    """W900002: PIP level 2 lapsed; a positive-action programme whose criteria she meets."""
    inspector: dict[str, Any] = {
        "id": "W900002",
        "kind": "officer",
        "name": "Sam Patel (demo)",
        "joined": _months(today, -170),
        "ranks": [
            {"id": "R1", "rank": "constable", "start": _months(today, -170), "end": None},
            {"id": "R2", "rank": "sergeant", "start": _months(today, -120)},
            {"id": "R3", "rank": "inspector", "start": _months(today, -60)},
        ],
        "postings": [
            {
                "id": "P1",
                "business_group": "territorial_policing",
                "role": "investigation",
                "start": _months(today, -150),
                "end": None,
            },
            {
                "id": "P2",
                "business_group": "specialist_crime",
                "role": "investigation",
                "start": _months(today, -40),
            },
        ],
        "courses": [
            {"id": "C1", "course": "initial_police_training", "completed": _months(today, -166)}
        ],
        "credentials": [
            {
                "id": "K1",
                "credential": "pip",
                "level": 1,
                "awarded": _months(today, -140),
                "revalidated": [_months(today, -80)],
            },
            {"id": "K2", "credential": "pip", "level": 2, "awarded": _months(today, -108)},
        ],
        "protected": {"ethnicity": "asian", "gender": "female", "disability": "no"},
    }
    _close(inspector["ranks"])
    _close(inspector["postings"])
    return inspector


def _sergeant(today: dt.date) -> dict[str, Any]:
    """W900003: PIP level 2 expiring within 90 days."""
    sergeant: dict[str, Any] = {
        "id": "W900003",
        "kind": "officer",
        "name": "Jo Williams (demo)",
        "joined": _months(today, -100),
        "ranks": [
            {"id": "R1", "rank": "constable", "start": _months(today, -100)},
            {"id": "R2", "rank": "sergeant", "start": _months(today, -30)},
        ],
        "postings": [
            {
                "id": "P1",
                "business_group": "territorial_policing",
                "role": "investigation",
                "start": _months(today, -90),
            }
        ],
        "courses": [
            {"id": "C1", "course": "initial_police_training", "completed": _months(today, -96)},
            {"id": "C2", "course": "icidp", "completed": _months(today, -70)},
        ],
        "assessments": [
            {
                "id": "A1",
                "assessment": "national_investigators_exam",
                "date": _months(today, -68),
            }
        ],
        "credentials": [
            {"id": "K1", "credential": "pip", "level": 1, "awarded": _months(today, -84)},
            {
                "id": "K2",
                "credential": "pip",
                "level": 2,
                # PIP lasts 60 months: this lapses two months from today.
                "awarded": _months(today, -58),
            },
        ],
    }
    _close(sergeant["ranks"])
    return sergeant


def _chief_inspector(today: dt.date) -> dict[str, Any]:
    chief_inspector: dict[str, Any] = {
        "id": "W900004",
        "kind": "officer",
        "name": "Chris Okafor (demo)",
        "joined": _months(today, -230),
        "ranks": [
            {"id": "R1", "rank": "constable", "start": _months(today, -230)},
            {"id": "R2", "rank": "sergeant", "start": _months(today, -170)},
            {"id": "R3", "rank": "inspector", "start": _months(today, -110)},
            # FSL is due within 24 months of this promotion: two months from today.
            {"id": "R4", "rank": "chief_inspector", "start": _months(today, -22)},
        ],
        "postings": [
            {
                "id": "P1",
                "business_group": "territorial_policing",
                "role": "community",
                "start": _months(today, -22),
            }
        ],
        "courses": [
            {"id": "C1", "course": "initial_police_training", "completed": _months(today, -226)},
            {"id": "C2", "course": "fsl_stage_1", "completed": _months(today, -10)},
        ],
    }
    _close(chief_inspector["ranks"])
    return chief_inspector


def _close(items: list[dict[str, Any]]) -> None:
    """End each item the day before the next one starts (the last one continues)."""
    for item, after in itertools.pairwise(items):
        start = dt.date.fromisoformat(after["start"])
        item["end"] = (start - dt.timedelta(days=1)).isoformat()
    items[-1].pop("end", None)


def store_demo_officers(store: Store, today: dt.date) -> list[DemoOfficer]:
    """Save (or refresh) the demo officers' records, and give each their goal unless they
    have one already (a goal changed on the web is kept)."""
    officers = demo_officers(today)
    store.save_people([o.person for o in officers], actor="demo")
    goals = Goals(store)
    for officer in officers:
        if officer.goal and goals.get(officer.person.id) is None:
            # Set at the same moment by someone else: theirs stands.
            with contextlib.suppress(GoalConflict):
                goals.set(officer.person.id, officer.goal, seen=0, actor="demo")
    return officers
