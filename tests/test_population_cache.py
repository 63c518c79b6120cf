"""Population runs are cached per (library version, date, stages, person, record version)."""

from __future__ import annotations

import datetime as dt

import pytest

from pathways import SHIPPED_LIBRARY
from store import Store
from workforce.population import evaluate_population
from workforce.synthetic import generate_people

# Slow: population runs, repeated (make test-fast leaves these out).
pytestmark = pytest.mark.slow

DAY = dt.date(2024, 6, 1)


def _results(run: object) -> dict[str, object]:
    return {p.person: (p.codes, p.dates, p.business_group) for p in run.people}  # type: ignore[attr-defined]


def test_a_repeat_run_comes_from_the_cache_and_a_changed_record_is_decided_again(
    store: Store,
) -> None:
    everyone = list(generate_people(60, seed=12))
    store.save_people(everyone, actor="test")
    first = evaluate_population(store, [SHIPPED_LIBRARY], DAY, workers=1)
    assert (first.evaluated, first.cached) == (60, 0)
    again = evaluate_population(store, [SHIPPED_LIBRARY], DAY, workers=1)
    assert (again.evaluated, again.cached) == (0, 60)
    assert _results(again) == _results(first)
    assert [p.person for p in again.people] == [p.person for p in first.people]

    # One record changes (a new version), one is deleted.
    changed = everyone[3].model_copy(update={"courses": []})
    assert changed != everyone[3]
    store.save_people([changed], actor="test")
    store.delete_person(everyone[5].id, actor="test")
    third = evaluate_population(store, [SHIPPED_LIBRARY], DAY, workers=1)
    assert (third.evaluated, third.cached) == (1, 58)
    assert everyone[5].id not in {p.person for p in third.people}
    uncached = evaluate_population(store, [SHIPPED_LIBRARY], DAY, workers=1, cache=False)
    assert _results(third) == _results(uncached)


def test_another_date_or_other_stages_are_not_taken_from_the_cache(store: Store) -> None:
    store.save_people(generate_people(20, seed=13), actor="test")
    evaluate_population(store, [SHIPPED_LIBRARY], DAY, workers=1)
    other_day = evaluate_population(store, [SHIPPED_LIBRARY], DAY - dt.timedelta(days=1), workers=1)
    assert other_day.cached == 0
    fewer = evaluate_population(store, [SHIPPED_LIBRARY], DAY, workers=1, pathways=["fsl"])
    assert fewer.cached == 0 and {k.split(".")[0] for k in fewer.people[0].keys} == {"fsl"}
    assert (
        evaluate_population(store, [SHIPPED_LIBRARY], DAY, workers=1, pathways=["fsl"]).cached == 20
    )


def test_a_change_to_protected_characteristics_alone_is_seen_by_a_repeat_run(
    store: Store,
) -> None:
    everyone = list(generate_people(30, seed=14))
    store.save_people(everyone, actor="test")
    first = evaluate_population(store, [SHIPPED_LIBRARY], DAY, workers=1)
    repeat = evaluate_population(store, [SHIPPED_LIBRARY], DAY, workers=1)
    assert (repeat.evaluated, repeat.cached) == (0, 30) and _results(repeat) == _results(first)
    person = everyone[4]
    other = "female" if person.protected.gender != "female" else "male"
    store.save_people(
        [
            person.model_copy(
                update={"protected": person.protected.model_copy(update={"gender": other})}
            )
        ],
        actor="test",
    )
    after = evaluate_population(store, [SHIPPED_LIBRARY], DAY, workers=1)
    assert (after.evaluated, after.cached) == (1, 29)
    assert next(p for p in after.people if p.person == person.id).gender == other
    store.delete_person(everyone[7].id, actor="test")
    fewer = evaluate_population(store, [SHIPPED_LIBRARY], DAY, workers=1)
    assert len(fewer.people) == 29 and everyone[7].id not in {p.person for p in fewer.people}
