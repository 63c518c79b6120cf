"""The property suite finds the faults it exists for: each property fails on a
deliberately faulty engine (tests/faulty_engines.py) and holds on the real one.

The eligible-from property is run the way ``pathways verify`` runs it by default: the
quick profile's examples, and the derandomised draw that a run without ``--seed`` makes.
"""

from __future__ import annotations

import datetime as dt

import pytest
from click.testing import CliRunner
from faulty_engines import LapseBlindEvaluator, PostEndBlindEvaluator
from hypothesis import given, settings
from hypothesis import strategies as st
from test_eligible_from import pip_sio

from authoring.testing import PROFILES, Oracle, pending_records, verify
from authoring.testing.properties import PropertyFailure
from cli import cli
from pathways import SHIPPED_LIBRARY, load_library
from rules.decision import Status
from rules.engine import Evaluator

LIBRARY = load_library([SHIPPED_LIBRARY])
EXACT = "eligible_from_is_exact"


def _failure(make_engine: type[Evaluator] | None, seed: int | None) -> PropertyFailure | None:
    report = verify(LIBRARY, PROFILES["quick"], seed, [EXACT], make_engine=make_engine)
    (result,) = report.results
    assert result.error is None, result.error
    return result.failure


def _is_real(failure: PropertyFailure, faulty: type[Evaluator]) -> None:
    """The counterexample separates the engines: around the day it names, the faulty
    engine and the real one decide the stage differently, and the independent oracle
    sides with the real one."""
    assert failure.prop == EXACT
    pathway, stage = failure.stage.split(".")
    real, wrong = Evaluator(LIBRARY), faulty(LIBRARY)
    oracle = Oracle(LIBRARY)
    days = [failure.as_of - dt.timedelta(days=1), failure.as_of]
    said = {
        day: [e.decide(failure.person, day).stage(pathway, stage) for e in (real, wrong)]
        for day in days
    }
    assert any((a.status, a.eligible_from) != (b.status, b.eligible_from) for a, b in said.values())
    for day, (a, _) in said.items():
        now = oracle.status(failure.person, pathway, stage, day)
        assert (a.status is Status.ELIGIBLE) == (now == "eligible")


def test_the_faulty_engine_gives_the_wrong_answer_of_issue_13() -> None:
    faulty = LapseBlindEvaluator(LIBRARY).decide(pip_sio(), dt.date(2023, 3, 14))
    level_3 = faulty.stage("pip", "level_3")
    assert (level_3.status, level_3.eligible_from) == (Status.ELIGIBLE_FROM, dt.date(2023, 3, 15))


@pytest.mark.parametrize("faulty", [LapseBlindEvaluator, PostEndBlindEvaluator])
def test_the_exactness_property_fails_on_a_faulty_engine_with_the_default_draw(
    faulty: type[Evaluator],
) -> None:
    failure = _failure(faulty, None)
    assert failure is not None, f"{EXACT} did not find the fault of {faulty.__name__}"
    _is_real(failure, faulty)


@pytest.mark.parametrize("faulty", [LapseBlindEvaluator, PostEndBlindEvaluator])
@pytest.mark.parametrize("seed", range(6))
def test_the_exactness_property_finds_each_fault_with_any_seed(
    faulty: type[Evaluator], seed: int
) -> None:
    """Often enough: not one lucky draw, but every seed tried, at the quick profile."""
    assert _failure(faulty, seed) is not None, f"seed {seed} missed {faulty.__name__}"


@settings(max_examples=15, database=None, deadline=None)
@given(st.data())
def test_records_waiting_in_a_current_scope_end_it_on_the_eve_of_the_due_day(
    data: st.DataObject,
) -> None:
    """The draws that find PostEndBlindEvaluator: a stage that waits for time in the
    current business group without asking for the posting itself (rotation), and a
    variant whose posting ends the day before the period would complete, where the real
    engine says not eligible and the faulty one says eligible from the due day."""
    as_of = dt.date(2015, 6, 1)
    case = data.draw(pending_records(LIBRARY, as_of, current=True))
    assert case.stage == "detective.rotation_due"
    eve = case.due - dt.timedelta(days=1)
    (variant,) = [p for p, _ in case.variants if any(x.end == eve for x in p.postings)]
    real = Evaluator(LIBRARY).decide(variant, as_of).stage("detective", "rotation_due")
    wrong = PostEndBlindEvaluator(LIBRARY).decide(variant, as_of).stage("detective", "rotation_due")
    assert (real.status, wrong.status, wrong.eligible_from) == (
        Status.NOT_ELIGIBLE,
        Status.ELIGIBLE_FROM,
        case.due,
    )


@pytest.mark.parametrize("seed", [None, 1, 2])
def test_the_exactness_property_holds_on_the_engine(seed: int | None) -> None:
    assert _failure(None, seed) is None


def test_pathways_verify_with_default_settings_finds_the_fault(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("authoring.testing.properties.Evaluator", LapseBlindEvaluator)
    result = CliRunner().invoke(cli, ["verify"])
    assert result.exit_code == 1, result.output
    assert f"FAIL {EXACT} (25 examples" in result.output
    assert "Record (the smallest hypothesis found):" in result.output
