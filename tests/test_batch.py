"""The batch evaluator agrees with the durable-rules engine: statuses and dates, every stage."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shipped import shipped

from authoring.testing import as_of_dates, records
from authoring.testing.pending import pending_records
from authoring.testing.strategies import assessor_records
from pathways.model.library import UnknownPathwayError
from pathways.problems import CareerPathwaysError
from rules.batch import NOT_DECIDED, STATUS_CODES, BatchEvaluator
from rules.engine import Evaluator
from workforce.synthetic import generate_people

LIBRARY = shipped()


@pytest.fixture(scope="module")
def both() -> tuple[BatchEvaluator, Evaluator]:
    return BatchEvaluator(LIBRARY), Evaluator(LIBRARY)


def _same(
    batch: BatchEvaluator,
    engine: Evaluator,
    person: Any,
    day: dt.date,
    assessors: dict[str, Any] | None = None,
) -> None:
    mine = batch.statuses(person, day, assessors=assessors)
    theirs = engine.statuses(person, day, assessors=assessors)
    assert mine.library_version == theirs.library_version == LIBRARY.digest
    assert mine.stages == theirs.stages, (person.id, day)
    keys = batch.stage_keys()
    codes, dates = batch.compact(person, day, keys, assessors)
    decided = {f"{s.pathway}.{s.stage}": s for s in theirs.stages}
    for i, key in enumerate(keys):
        if key not in decided:
            assert codes[i] == NOT_DECIDED
            continue
        s = decided[key]
        assert STATUS_CODES[codes[i]] is s.status
        assert dates.get(i, (None, None)) == (s.eligible_from, s.lapsed_on)


@pytest.mark.slow  # 150 hypothesis records, decided twice each
@settings(
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_batch_evaluator_agrees_with_the_durable_rules_engine_on_every_shipped_stage(
    both: tuple[BatchEvaluator, Evaluator], data: Any
) -> None:
    day = data.draw(as_of_dates())
    person = data.draw(records(LIBRARY, day))
    later = data.draw(
        st.sampled_from([day, day + dt.timedelta(days=1), day + dt.timedelta(days=400)])
    )
    _same(*both, person, later, data.draw(assessor_records(LIBRARY, day)))


@pytest.mark.slow  # 60 hypothesis cases, decided twice each
@settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_batch_evaluator_agrees_on_records_waiting_while_something_lapses(
    both: tuple[BatchEvaluator, Evaluator], data: Any
) -> None:
    """Eligible-from dates through stages reached (held facts and when they end)."""
    day = data.draw(as_of_dates())
    case = data.draw(pending_records(LIBRARY, day))
    for person, _ in case.records():
        _same(*both, person, day)


@pytest.mark.slow  # a synthetic workforce decided by both evaluators
@pytest.mark.parametrize(
    "day", [dt.date(2010, 3, 31), dt.date(2010, 4, 1), dt.date(2018, 1, 31), dt.date(2024, 6, 1)]
)
def test_batch_evaluator_agrees_on_a_synthetic_workforce(
    both: tuple[BatchEvaluator, Evaluator], day: dt.date
) -> None:
    for person in generate_people(500, seed=21):
        _same(*both, person, day)


def test_batch_limits_stages_to_the_pathways_asked_for(
    both: tuple[BatchEvaluator, Evaluator],
) -> None:
    batch, engine = both
    person = next(iter(generate_people(1, seed=2)))
    day = dt.date(2024, 6, 1)
    only = batch.statuses(person, day, ["fsl", "senior_leadership"])
    assert {s.pathway for s in only.stages} == {"fsl", "senior_leadership"}
    assert only.stages == engine.statuses(person, day, ["fsl", "senior_leadership"]).stages
    with pytest.raises(KeyError, match="unknown pathway 'nope'"):
        batch.statuses(person, day, ["nope"])


def test_an_unknown_pathway_is_one_error_with_a_suggestion(
    both: tuple[BatchEvaluator, Evaluator],
) -> None:
    """Both engines refuse a misspelt pathway the same way: the project's error, with the
    closest id and the ones there are (and a KeyError still, for older callers)."""
    person = next(iter(generate_people(1, seed=2)))
    day = dt.date(2024, 6, 1)
    batch, engine = both
    for decide in (batch.statuses, engine.statuses, engine.decide):
        with pytest.raises(UnknownPathwayError) as caught:
            decide(person, day, ["pip", "senior_leadershp"])
        err = caught.value
        assert isinstance(err, CareerPathwaysError) and isinstance(err, KeyError)
        assert err.pathway == "senior_leadershp"
        (problem,) = err.problems
        assert problem.code == "unknown-reference"
        assert problem.suggestion == "senior_leadership"
        assert str(err).startswith(
            "unknown pathway 'senior_leadershp'; did you mean 'senior_leadership'? (pathways: "
        )
        assert set(err.known) == set(LIBRARY.pathways)
