"""Counting qualified assessors: the engine checks the records it is given, and every caller
that can read the store gives them (the web service, population runs, the engine pool).

The work-based assessment gateway asks for a competency-based assessment "with two trained
assessors" (002 rec 15-17): two distinct named assessors who each held
``assessors.assessor_trained`` (promotion and selection assessor training) on the day.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from accreditation.record import Person
from pathways import SHIPPED_LIBRARY, load_library
from rules.decision import Decision, RequirementOutcome
from rules.engine import Evaluator
from rules.pool import EnginePool
from store import Store
from web.service import DecisionService
from workforce.population import evaluate_population

DAY = dt.date(2008, 9, 1)
GATEWAY = ("work_based_assessment", "gateway")


def _officer(pid: str, rank: str, trained: str | None = None) -> Person:
    record: dict[str, Any] = {
        "id": pid,
        "kind": "officer",
        "joined": "1990-09-03",
        "ranks": [{"rank": rank, "start": "2004-01-05"}],
    }
    if trained:
        record["courses"] = [{"course": "promotion_assessor_training", "completed": trained}]
    return Person.model_validate(record)


TRAINED = _officer("W300011", "superintendent", trained="2008-07-10")
TRAINED_LATE = _officer("W300012", "chief_inspector", trained="2008-07-11")
PANEL = [_officer(f"W30000{n}", "superintendent") for n in (3, 4, 5)]


def _candidate(competency: list[str]) -> Person:
    panel = ["W300003", "W300004", "W300005"]
    return Person.model_validate(
        {
            "id": "T-ASR-01",
            "kind": "officer",
            "joined": "1996-09-02",
            "ranks": [{"rank": "chief_inspector", "start": "2004-03-01"}],
            "memberships": [{"programme": "hpds", "start": "2001-01-08"}],
            "endorsements": [{"endorsement": "ocu_commander_recommendation", "date": "2008-06-16"}],
            "assessments": [
                {
                    "assessment": "wba_competency_assessment",
                    "date": "2008-07-10",
                    "assessors": competency,
                },
                {"assessment": "wba_panel_interview", "date": "2008-07-24", "assessors": panel},
            ],
        }
    )


def _competency(decision: Decision) -> RequirementOutcome:
    return decision.stage(*GATEWAY).requirements[3]


@pytest.fixture(scope="module")
def evaluator() -> Evaluator:
    return Evaluator(load_library([SHIPPED_LIBRARY]))


def test_the_evidence_says_which_assessors_were_checked_and_how(evaluator: Evaluator) -> None:
    records = {p.id: p for p in (TRAINED, TRAINED_LATE, *PANEL)}
    decision = evaluator.decide(
        _candidate(["W300011", "W300012", "Supt Hale"]), DAY, assessors=records
    )
    outcome = _competency(decision)
    assert outcome.met  # W300011 (trained that day) and Supt Hale (unchecked): two
    (evidence,) = outcome.evidence
    assert "W300011 (held Trained promotion and selection assessor on 2008-07-10)" in evidence.label
    assert (
        "W300012 (did not hold Trained promotion and selection assessor on 2008-07-10: "
        "not counted)" in evidence.label
    )
    assert "Supt Hale (not in the records: counted, not checked)" in evidence.label


def test_an_assessor_in_the_records_counts_only_if_qualified_that_day(evaluator: Evaluator) -> None:
    records = {p.id: p for p in (TRAINED, TRAINED_LATE, *PANEL)}
    person = _candidate(["W300011", "W300012"])
    assert not _competency(evaluator.decide(person, DAY, assessors=records)).met
    # Without their records, both names count, unchecked.
    assert _competency(evaluator.decide(person, DAY)).met
    assert _competency(evaluator.decide(person, DAY, assessors={})).met


def test_the_pool_sends_each_record_its_assessors(evaluator: Evaluator) -> None:
    records = {p.id: p for p in (TRAINED, TRAINED_LATE, *PANEL)}
    person = _candidate(["W300011", "W300012"])
    with EnginePool([SHIPPED_LIBRARY], workers=1) as pool:
        pooled = pool.decide(person, DAY, assessors=records)
        unchecked = pool.decide(person, DAY)
    assert pooled.model_dump() == evaluator.decide(person, DAY, assessors=records).model_dump()
    assert not _competency(pooled).met and _competency(unchecked).met


def test_the_web_service_reads_the_named_assessors_from_the_store() -> None:
    store = Store("sqlite://")
    service = DecisionService(store, workers=1)
    try:
        person = _candidate(["W300011", "W300012"])
        store.save_people([TRAINED, *PANEL], actor="test")
        assert sorted(service.assessors_of(person)) == ["W300003", "W300004", "W300005", "W300011"]
        assert _competency(service.decide(person, DAY)).met  # W300012 is not in the store
        # The late-trained assessor joins the store: the same record is decided again.
        store.save_people([TRAINED_LATE], actor="test")
        assert not _competency(service.decide(person, DAY)).met
    finally:
        service.close()
        store.close()


def test_population_runs_check_stored_assessors_and_never_cache_records_that_name_them(
    store: Store,
) -> None:
    person = _candidate(["W300011", "W300012"])
    store.save_people([person, TRAINED, *PANEL], actor="test")

    def gateway(run: Any) -> str | None:
        (found,) = [p for p in run.people if p.person == person.id]
        return found.status(*GATEWAY)  # type: ignore[no-any-return]

    first = evaluate_population(store, [SHIPPED_LIBRARY], DAY, workers=1)
    assert gateway(first) == "eligible"  # W300012 is not in the store: counted, unchecked
    store.save_people([TRAINED_LATE], actor="test")  # the candidate's record is unchanged
    second = evaluate_population(store, [SHIPPED_LIBRARY], DAY, workers=1)
    assert gateway(second) == "not_eligible"
    assert second.evaluated == 2  # the candidate and the new record; the others from the cache
    durable = evaluate_population(store, [SHIPPED_LIBRARY], DAY, workers=1, engine="durable")
    assert gateway(durable) == "not_eligible"
