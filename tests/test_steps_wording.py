"""The words of two things issue 18 asked for, on the tutorial's armed officer pathway:

- an "at least 2 of 3" next step says "2 of these 3", which are already met and how many
  more are needed (not "Enough of: ...");
- a held accreditation says when it lapses, and that day is exactly the day the stage is
  decided as lapsed (the day before, it is still held).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from accreditation.record import Person
from pathways import SHIPPED_LIBRARY
from pathways.loader import load_library
from rules.decision import Status
from rules.engine import Evaluator
from rules.status import status_words

ROOT = Path(__file__).resolve().parents[1]
D = dt.date


@pytest.fixture(scope="module")
def evaluator() -> Evaluator:
    return Evaluator(load_library([ROOT / "examples/tutorial/armed_officer.yaml"], SHIPPED_LIBRARY))


def afo(**extra: Any) -> Person:
    record: dict[str, Any] = {
        "id": "T-1",
        "kind": "officer",
        "joined": "2020-09-07",
        "ranks": [{"rank": "constable", "start": "2020-09-07"}],
        "courses": [{"course": "initial_police_training", "completed": "2020-12-11"}],
        "credentials": [{"credential": "afo_accreditation", "awarded": "2027-01-15"}],
    }
    for key, items in extra.items():
        record[key] = record.get(key, []) + items
    return Person.model_validate(record)


def arv_step(evaluator: Evaluator, person: Person, day: dt.date) -> str:
    decision = evaluator.decide(person, day, ["armed_officer"])
    steps = [s.text for s in decision.next_steps if s.stage == "arv"]
    assert len(steps) == 1, steps
    return steps[0]


def test_two_of_three_with_none_met_lists_the_three(evaluator: Evaluator) -> None:
    text = arv_step(evaluator, afo(), D(2027, 6, 1))
    assert text.startswith("2 of these 3: ")
    assert "Book the advanced driving course; Book the tactical pursuit course; " in text
    assert "already met" not in text and "Enough of" not in text


def test_two_of_three_says_which_is_met_and_how_many_more(evaluator: Evaluator) -> None:
    person = afo(
        courses=[{"course": "advanced_driving_course", "completed": "2026-10-02"}],
        postings=[
            {"business_group": "territorial_policing", "role": "response", "start": "2027-01-14"}
        ],
    )
    text = arv_step(evaluator, person, D(2027, 6, 1))
    assert text == (
        "2 of these 3, 1 more: The advanced driving course (already met); "
        "Book the tactical pursuit course; "
        "Serve at least 1 year as Response policing (on 2028-01-14)"
    )


def test_a_held_accreditation_says_the_day_it_lapses_and_lapses_that_day(
    evaluator: Evaluator,
) -> None:
    person = afo()
    held = evaluator.decide(person, D(2027, 6, 1), ["armed_officer"]).stage("armed_officer", "afo")
    assert held.status is Status.HELD and held.held_until == D(2028, 1, 14)
    assert status_words(held) == "held, lapses on 2028-01-15 unless revalidated"
    eve = evaluator.decide(person, D(2028, 1, 14), ["armed_officer"]).stage("armed_officer", "afo")
    assert eve.status is Status.HELD and eve.held_until == D(2028, 1, 14)
    day = evaluator.decide(person, D(2028, 1, 15), ["armed_officer"]).stage("armed_officer", "afo")
    assert (day.status, day.lapsed_on) == (Status.LAPSED, D(2028, 1, 15))
    revalidated = afo(credentials=[])
    revalidated.credentials[0].revalidated.append(D(2027, 12, 1))
    later = evaluator.decide(revalidated, D(2028, 1, 15), ["armed_officer"])
    assert status_words(later.stage("armed_officer", "afo")) == (
        "held, lapses on 2028-12-01 unless revalidated"
    )


def test_a_stage_held_on_an_item_that_does_not_end_says_nothing_more(
    evaluator: Evaluator,
) -> None:
    decision = evaluator.decide(afo(), D(2027, 6, 1), ["recruit"])
    held = decision.stage("recruit", "initial_training")
    assert held.held_until is None and status_words(held) == "held"
