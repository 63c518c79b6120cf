"""Pipeline, equality monitoring, trends and projections, checked against the engine."""

from __future__ import annotations

import datetime as dt

import pytest

from accreditation.periods import add_months
from accreditation.record import Person
from pathways import SHIPPED_LIBRARY, load_library
from rules.engine import Evaluator
from store import Store
from workforce.population import PopulationRun, evaluate_population
from workforce.reports import BME, monitor, pipeline, project, trend
from workforce.synthetic import generate_people

DAY = dt.date(2024, 6, 1)
Population = tuple[list[Person], PopulationRun]


@pytest.fixture(scope="module")
def population() -> Population:
    store = Store("sqlite://")
    people = list(generate_people(400, seed=6))
    store.save_people(people, actor="test")
    run = evaluate_population(store, [SHIPPED_LIBRARY], DAY, workers=1)
    store.close()
    return people, run


def test_pipeline_cells_are_what_the_engine_says(population: Population) -> None:
    people, run = population
    report = pipeline(run, "promotion.inspector")
    engine = Evaluator(load_library([SHIPPED_LIBRARY]))
    expected: dict[str, list[str]] = {"held": [], "eligible": [], "within_6": [], "within_12": []}
    for p in people:
        s = engine.statuses(p, DAY).stage("promotion", "inspector")
        if s.status.value in ("held", "eligible"):
            expected[s.status.value].append(p.id)
        elif s.eligible_from is not None and s.eligible_from <= add_months(DAY, 12):
            expected["within_12"].append(p.id)
            if s.eligible_from <= add_months(DAY, 6):
                expected["within_6"].append(p.id)
    assert {k: sorted(v) for k, v in report.total.people.items()} == {
        k: sorted(v) for k, v in expected.items()
    }
    assert sum(r.held for r in report.rows) == report.total.held == len(expected["held"]) > 0
    with pytest.raises(KeyError):
        pipeline(run, "promotion.nope")


def test_equality_rates_count_everyone_once(population: Population) -> None:
    people, run = population
    stages = monitor(run, "gender", "promotion")
    assert {s.stage.split(".")[0] for s in stages} == {"promotion"}
    for s in stages:
        assert sum(g.total for g in s.groups) == len(people)
        key = s.stage
        has = sum(p.status_of(key) in ("held", "eligible") for p in run.people)
        assert sum(g.selected for g in s.groups) == has
    with pytest.raises(ValueError, match="ethnicity"):
        monitor(run, "disability")


def test_trend_has_one_point_per_date() -> None:
    store = Store("sqlite://")
    store.save_people(generate_people(100, seed=6), actor="test")
    runs = [
        evaluate_population(store, [SHIPPED_LIBRARY], dt.date(y, 6, 1), workers=1)
        for y in (2020, 2022, 2024)
    ]
    store.close()
    points = trend(runs, "promotion.sergeant", "ethnicity")
    assert list(points) == ["2020-06-01", "2022-06-01", "2024-06-01"]
    assert all(sum(g.total for g in groups) == 100 for groups in points.values())


def test_projection_with_a_programme_is_never_below_without(
    population: Population,
) -> None:
    _, run = population
    proj = project(run, "promotion.superintendent", dt.date(2026, 6, 1))
    held_bme = sum(
        p.ethnicity in BME and p.status_of("promotion.superintendent") == "held" for p in run.people
    )
    assert proj.held_now == held_bme
    assert proj.held_now <= proj.without <= proj.with_programme <= proj.held_now + proj.pipeline
    assert 0 <= proj.conversion <= 1 and proj.assumptions
    none = project(run, "promotion.superintendent", dt.date(2026, 6, 1), uplift=1.0)
    assert none.with_programme == none.without
