"""A population run on a Dask cluster (``distributed.LocalCluster``: two worker processes),
partitioned by people, each partition reading its records from the database (SQLite file
and PostgreSQL): the same results as a run on this machine, the cache kept the same way,
and a job worker that sends its runs to the cluster."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from pathways import SHIPPED_LIBRARY
from store import Store
from workforce.cluster import ClusterError, DaskCluster
from workforce.jobs import JobQueue, Worker
from workforce.jobs.library import shipped_digest
from workforce.population import evaluate_population
from workforce.synthetic import generate_people

pytestmark = pytest.mark.slow  # population runs on a Dask cluster

distributed = pytest.importorskip("distributed")
DAY = dt.date(2024, 6, 1)


@pytest.fixture(scope="module")
def cluster() -> Iterator[DaskCluster]:
    local = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    )
    client = distributed.Client(local)
    found = DaskCluster(client)
    found.partition = 70  # several partitions of a small workforce
    try:
        yield found
    finally:
        client.close()
        local.close()


def _results(run: object) -> dict[str, object]:
    return {
        p.person: (p.codes, p.dates, p.business_group, p.grade, p.joined, p.gender)
        for p in run.people  # type: ignore[attr-defined]
    }


def test_a_run_on_a_cluster_decides_as_a_run_here(store: Store, cluster: DaskCluster) -> None:
    people = list(generate_people(300, seed=51))
    store.save_people(people, actor="test")
    here = evaluate_population(store, [SHIPPED_LIBRARY], DAY, workers=1, cache=False)
    there = evaluate_population(store, [SHIPPED_LIBRARY], DAY, cluster=cluster)
    assert (there.evaluated, there.cached) == (300, 0)
    assert _results(there) == _results(here) and there.keys == here.keys
    # The cache is kept as by a run here: a changed record alone is decided again.
    store.save_people([people[9].model_copy(update={"name": "Someone Else"})], actor="test")
    again = evaluate_population(store, [SHIPPED_LIBRARY], DAY, cluster=cluster)
    assert (again.evaluated, again.cached) == (1, 299)
    fewer = evaluate_population(store, [SHIPPED_LIBRARY], DAY, cluster=cluster, pathways=["pip"])
    assert {k.split(".")[0] for k in fewer.keys} == {"pip"}
    assert _results(fewer) == _results(
        evaluate_population(store, [SHIPPED_LIBRARY], DAY, workers=1, cache=False, pathways=["pip"])
    )


def test_a_job_worker_sends_its_runs_to_the_cluster(store: Store, cluster: DaskCluster) -> None:
    store.save_people(generate_people(150, seed=52), actor="test")
    queue = JobQueue(store)
    job = queue.ask(
        "population",
        {"library": {"digest": shipped_digest()}, "as_of": DAY.isoformat()},
        owner="hr",
        role="hr",
    )
    worker = Worker(store, poll=0.05)
    worker._cluster = cluster  # the fixture's cluster, as --scheduler would connect one
    worker.serve(until_empty=True)
    done = queue.jobs.get(job.id)
    assert done is not None and done.state == "done", done
    result = queue.result(done, "hr")
    assert result is not None and result["decided"] == 150


def test_an_in_memory_database_cannot_be_read_by_a_cluster(cluster: DaskCluster) -> None:
    memory = Store("sqlite://")
    memory.save_people(generate_people(5, seed=53), actor="test")
    with pytest.raises(ValueError, match="in-memory"):
        evaluate_population(memory, [SHIPPED_LIBRARY], DAY, cluster=cluster)


def test_an_unreachable_scheduler_is_one_clear_error() -> None:
    with pytest.raises(ClusterError, match="cannot reach the Dask scheduler"):
        DaskCluster("tcp://127.0.0.1:9", timeout=2)
