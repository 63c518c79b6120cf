"""Decisions are plain, reproducible data."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from accreditation.io import load_record
from rules import Decision, Evaluator, Status

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def test_decisions_built_without_validation_equal_validated_ones(evaluator: Evaluator) -> None:
    decision = evaluator.decide(load_record(EXAMPLES / "inspector_pip.json"), dt.date(2024, 6, 1))
    revalidated = Decision.model_validate(decision.model_dump())
    assert revalidated == decision
    assert Decision.model_validate_json(decision.model_dump_json()) == decision


def test_a_decision_names_its_library_version_date_and_engine(evaluator: Evaluator) -> None:
    decision = evaluator.decide(load_record(EXAMPLES / "staff_analyst.json"), dt.date(2024, 6, 1))
    assert decision.library_version == evaluator.library.digest
    assert decision.as_of == dt.date(2024, 6, 1)
    assert decision.engine.startswith("durable-rules 2.0.")


def test_senior_pnac_differs_before_and_after_the_fsl_rule(evaluator: Evaluator) -> None:
    person = load_record(EXAMPLES / "superintendent_spnac.json")
    before = evaluator.decide(person, dt.date(2010, 3, 31)).stage("senior_leadership", "spnac")
    after = evaluator.decide(person, dt.date(2010, 4, 1)).stage("senior_leadership", "spnac")
    assert before.status is Status.ELIGIBLE
    assert after.status is Status.NOT_ELIGIBLE
    rule_before = next(r for r in before.requirements if r.rule == "fsl_prerequisite")
    rule_after = next(r for r in after.requirements if r.rule == "fsl_prerequisite")
    assert (rule_before.in_force, rule_after.in_force) == (False, True)
    assert rule_after.effective_from == dt.date(2010, 4, 1) and not rule_after.met


def test_evidence_names_the_record_items(evaluator: Evaluator) -> None:
    person = load_record(EXAMPLES / "superintendent_spnac.json")
    spnac = evaluator.decide(person, dt.date(2010, 3, 31)).stage("senior_leadership", "spnac")
    cited = {e.item for r in spnac.requirements for e in r.evidence}
    assert {"R5", "E1", "E2", "E3"} <= cited


def test_eligible_from_is_the_exact_day(evaluator: Evaluator) -> None:
    person = load_record(EXAMPLES / "staff_analyst.json")
    outcome = evaluator.decide(person, dt.date(2024, 6, 1)).stage("analyst", "senior_analyst")
    due = [s for s in evaluator.decide(person, dt.date(2024, 6, 1)).next_steps if s.due]
    assert due and due[0].due == dt.date(2025, 2, 1)  # posted 2023-02-01 + 24 months
    assert outcome.status is Status.NOT_ELIGIBLE  # the accreditation is missing too


def test_unknown_pathway_is_a_key_error(evaluator: Evaluator) -> None:
    person = load_record(EXAMPLES / "staff_analyst.json")
    with pytest.raises(KeyError, match="pipp"):
        evaluator.decide(person, dt.date(2024, 6, 1), ["pipp"])


def test_two_postings_in_one_role_starting_the_same_day(evaluator: Evaluator) -> None:
    from accreditation import Person

    person = Person.model_validate(
        {"id": "W9", "kind": "officer", "joined": "2015-01-05",
         "ranks": [{"rank": "constable", "start": "2015-01-05"}],
         "postings": [
             {"business_group": "territorial_policing", "role": "response",
              "start": "2015-01-05", "end": "2016-01-04"},
             {"business_group": "specialist_crime", "role": "response", "start": "2015-01-05"},
         ]}
    )  # fmt: skip
    decision = evaluator.decide(person, dt.date(2018, 1, 5))
    assert decision.stage("recruit", "response_stream").status is Status.HELD
