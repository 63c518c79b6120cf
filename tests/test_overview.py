"""The overview (a decision without its requirement trees, ``?detail=summary``) equals the
full decision cut down, though it builds the reasons only of the stages next steps come
from (:meth:`rules.engine.Evaluator.overview`)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accreditation import Person
from authoring.testing import as_of_dates, records
from pathways import SHIPPED_LIBRARY, load_library
from rules.decision import DecisionOverview, Status
from rules.engine import Evaluator
from rules.evaluate import StageEvaluator
from rules.pool import EnginePool
from workforce.synthetic import generate_people

LIBRARY = load_library([SHIPPED_LIBRARY])


@pytest.fixture(scope="module")
def engine() -> Evaluator:
    return Evaluator(LIBRARY)


@st.composite
def cases(draw: st.DrawFn) -> tuple[Person, dt.date]:
    day = draw(as_of_dates(dt.date(2006, 1, 1), dt.date(2028, 12, 31)))
    return draw(records(LIBRARY, day)), day


@settings(
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(case=cases())
def test_the_overview_is_the_full_decision_cut_down(
    engine: Evaluator, case: tuple[Person, dt.date]
) -> None:
    person, day = case
    assert engine.overview(person, day) == DecisionOverview.of(engine.decide(person, day))


def test_the_synthetic_workforce_agrees_and_has_next_steps(engine: Evaluator) -> None:
    """On generated officers and staff, on three dates: equal, and not trivially (most
    have next steps, and some of them wait for a date)."""
    with_steps = waiting = 0
    for person in generate_people(60, seed=11):
        for day in (dt.date(2012, 4, 1), dt.date(2020, 1, 1), dt.date(2026, 12, 3)):
            made = engine.overview(person, day)
            assert made == DecisionOverview.of(engine.decide(person, day))
            with_steps += bool(made.next_steps)
            waiting += any(s.due is not None for s in made.next_steps)
    assert with_steps > 150 and waiting > 10, (with_steps, waiting)


class _Counting(StageEvaluator):
    built = 0

    def decide(self, plan):  # type: ignore[no-untyped-def]
        _Counting.built += 1
        return super().decide(plan)


def test_only_the_stages_next_steps_come_from_have_their_reasons_built() -> None:
    engine = Evaluator(LIBRARY)
    engine.stage_evaluator = _Counting
    person = next(iter(generate_people(1, seed=3)))
    day = dt.date(2026, 12, 3)
    made = engine.overview(person, day)
    decided = _Counting.built
    waiting = [s for s in made.stages if s.status in (Status.ELIGIBLE_FROM, Status.NOT_ELIGIBLE)]
    assert 0 < decided < len(waiting) < len(made.stages)
    _Counting.built = 0
    engine.decide(person, day)
    assert _Counting.built == len(made.stages)


def test_the_pool_makes_overviews_in_its_workers() -> None:
    person = next(iter(generate_people(1, seed=3)))
    day = dt.date(2026, 12, 3)
    with EnginePool([SHIPPED_LIBRARY], workers=1) as pool:
        made = pool.overview(person, day)
        assert made == DecisionOverview.of(pool.decide(person, day))
    assert len(made.model_dump_json()) < 9_000
