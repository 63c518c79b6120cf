"""Population runs: the batch run (worker processes parsing stored records) equals the
durable-rules engine pool's, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest

from pathways import SHIPPED_LIBRARY, load_library
from store import Store
from workforce.population import evaluate_population
from workforce.synthetic import generate_people

# Slow: whole population runs on worker processes (make test-fast leaves these out).
pytestmark = pytest.mark.slow

DAY = dt.date(2024, 6, 1)


@pytest.mark.parametrize("engine", ["compiled", "batch"])
def test_compiled_and_batch_runs_agree_with_durable(store: Store, engine: str) -> None:
    store.save_people(generate_people(120, seed=8), actor="test")
    seen: list[tuple[int, int]] = []
    batch = evaluate_population(
        store,
        [SHIPPED_LIBRARY],
        DAY,
        workers=2,
        progress=lambda d, t: seen.append((d, t)),
        engine=engine,
    )
    durable = evaluate_population(store, [SHIPPED_LIBRARY], DAY, workers=1, engine="durable")
    assert (
        batch.library_version == durable.library_version == load_library([SHIPPED_LIBRARY]).digest
    )
    prefix = {"compiled": "population", "batch": "batch"}[engine]
    assert batch.engine.startswith(prefix) and durable.engine.startswith("durable-rules")
    assert [p.person for p in batch.people] == [p.person for p in durable.people]
    for a, b in zip(batch.people, durable.people, strict=True):
        assert a.stages == b.stages
        assert (a.business_group, a.grade, a.ethnicity, a.gender) == (
            b.business_group,
            b.grade,
            b.ethnicity,
            b.gender,
        )
    assert seen[-1] == (120, 120) and batch.evaluated == 120


def test_a_run_can_be_limited_to_some_pathways(store: Store) -> None:
    store.save_people(generate_people(30, seed=9), actor="test")
    run = evaluate_population(store, [SHIPPED_LIBRARY], DAY, workers=1, pathways=["fsl"])
    assert {k.split(".")[0] for k in run.people[0].keys} == {"fsl"}
    assert run.people[0].status("promotion", "constable") is None


def test_bad_arguments() -> None:
    store = Store("sqlite://")
    with pytest.raises(ValueError, match="unknown engine"):
        evaluate_population(store, [SHIPPED_LIBRARY], DAY, engine="magic")
    with pytest.raises(ValueError, match="workers"):
        evaluate_population(store, [SHIPPED_LIBRARY], DAY, workers=0)
    assert evaluate_population(store, [SHIPPED_LIBRARY], DAY, workers=1).people == []
