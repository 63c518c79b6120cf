"""The job queue in the store, on SQLite and PostgreSQL: one active job per key, each job
claimed by one worker only, at most ``limit`` running, leases that run out give the job to
another worker, a job that keeps losing its worker fails, cancel, and PostgreSQL's
``FOR UPDATE SKIP LOCKED`` (a claimer never waits for a row another one holds)."""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter

import pytest
from sqlalchemy import select

from store import Store
from store.jobs import Jobs
from store.schema import jobs as jobs_table

LEASE = dt.timedelta(seconds=10)


class Clock:
    def __init__(self) -> None:
        self.now = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now


def _queue(jobs: Jobs, n: int) -> list[str]:
    return [
        jobs.submit("population", {"n": i}, key=f"key{i}", owner="hr", role="hr")[0].id
        for i in range(n)
    ]


def test_asking_twice_for_the_same_work_gives_the_same_job_even_at_once(db_url: str) -> None:
    stores = [Store(db_url) for _ in range(4)]
    try:
        found: list[str] = []
        barrier = threading.Barrier(len(stores))

        def ask(store: Store) -> None:
            barrier.wait()
            job, _ = Jobs(store).submit("population", {}, key="same", owner="hr", role="hr")
            found.append(job.id)

        threads = [threading.Thread(target=ask, args=(s,)) for s in stores]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(found) == 4 and len(set(found)) == 1
        with stores[0].engine.connect() as conn:
            assert len(conn.execute(select(jobs_table.c.id)).all()) == 1
    finally:
        for s in stores:
            s.close()


def test_each_job_is_claimed_by_one_worker_only(db_url: str) -> None:
    stores = [Store(db_url) for _ in range(4)]
    try:
        ids = _queue(Jobs(stores[0]), 24)
        claimed: list[tuple[str, str]] = []
        lock = threading.Lock()
        barrier = threading.Barrier(len(stores))

        def work(store: Store, name: str) -> None:
            jobs = Jobs(store)
            barrier.wait()
            while True:
                job = jobs.claim(name, limit=64, lease=LEASE)
                if job is None:
                    if jobs.counts()["queued"] == 0:
                        return
                    continue
                with lock:
                    claimed.append((job.id, name))
                assert jobs.finish(job.id, name, "{}", records=None)

        threads = [
            threading.Thread(target=work, args=(s, f"host:{i}:w")) for i, s in enumerate(stores)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        taken = Counter(job_id for job_id, _ in claimed)
        assert sorted(taken) == sorted(ids) and set(taken.values()) == {1}
        assert Jobs(stores[0]).counts()["done"] == 24
    finally:
        for s in stores:
            s.close()


def test_at_most_limit_jobs_run_at_once_over_every_worker(store: Store) -> None:
    jobs = Jobs(store)
    _queue(jobs, 3)
    first = jobs.claim("a:1:x", limit=2, lease=LEASE)
    second = jobs.claim("b:2:y", limit=2, lease=LEASE)
    assert first is not None and second is not None and first.id != second.id
    assert jobs.claim("c:3:z", limit=2, lease=LEASE) is None  # both slots taken
    assert jobs.finish(first.id, "a:1:x", "{}", records=None)
    third = jobs.claim("c:3:z", limit=2, lease=LEASE)
    assert third is not None and third.id not in (first.id, second.id)


def test_a_job_whose_lease_runs_out_is_queued_again_and_fails_after_its_attempts(
    store: Store,
) -> None:
    clock = Clock()
    jobs = Jobs(store, clock=clock)
    (job_id,) = _queue(jobs, 1)
    for attempt in (1, 2, 3):
        job = jobs.claim(f"host:{attempt}:w", limit=1, lease=LEASE)
        assert job is not None and job.id == job_id and job.attempts == attempt
        assert jobs.progress(job_id, f"host:{attempt}:w", LEASE, done=1, total=2) == "running"
        clock.now += LEASE / 2
        assert jobs.requeue_expired() == 0  # renewed: still its worker's
        clock.now += LEASE + dt.timedelta(seconds=1)  # the worker was killed: no reports
        assert jobs.requeue_expired() == 1
        # The killed worker's late report is refused: the job is no longer its own.
        assert jobs.progress(job_id, f"host:{attempt}:w", LEASE) == "lost"
        assert not jobs.finish(job_id, f"host:{attempt}:w", "{}", records=None)
    failed = jobs.get(job_id)
    assert (
        failed is not None
        and failed.state == "failed"
        and "each of its attempts" in (failed.error or "")
    )


def test_a_worker_stopping_cleanly_gives_its_job_back_without_using_an_attempt(
    store: Store,
) -> None:
    jobs = Jobs(store)
    (job_id,) = _queue(jobs, 1)
    assert jobs.claim("host:1:w", limit=1, lease=LEASE) is not None
    assert jobs.release("host:1:w") == 1
    again = jobs.claim("host:2:w", limit=1, lease=LEASE)
    assert again is not None and again.id == job_id and again.attempts == 1


def test_cancel_a_queued_job_at_once_and_a_running_one_at_its_next_report(store: Store) -> None:
    jobs = Jobs(store)
    queued, running = _queue(jobs, 2)
    claimed = jobs.claim("host:1:w", limit=1, lease=LEASE)
    assert claimed is not None and claimed.id == queued  # the oldest first
    other = jobs.cancel(running)
    assert other is not None and other.state == "cancelled"
    jobs.cancel(queued)
    assert jobs.progress(queued, "host:1:w", LEASE, done=3, total=9) == "cancel"
    assert jobs.cancelled(queued, "host:1:w")
    assert jobs.get(queued).state == "cancelled"  # type: ignore[union-attr]


def test_a_result_is_found_by_key_and_by_the_records_it_was_made_from(store: Store) -> None:
    jobs = Jobs(store)
    (job_id,) = _queue(jobs, 1)
    assert jobs.claim("host:1:w", limit=1, lease=LEASE) is not None
    assert jobs.finish(job_id, "host:1:w", '{"x": 1}', records="3:3:t")
    assert jobs.latest_done("key0", records="3:3:t").id == job_id  # type: ignore[union-attr]
    assert jobs.latest_done("key0", records="4:4:u") is None
    assert jobs.latest_done("key0") is not None


def test_postgres_claims_skip_a_row_another_transaction_holds(
    db_url: str,
) -> None:
    if not db_url.startswith("postgresql"):
        pytest.skip("FOR UPDATE SKIP LOCKED is PostgreSQL's; SQLite has one writer at a time")
    holder, claimer = Store(db_url), Store(db_url)
    try:
        first, second = _queue(Jobs(holder), 2)
        got: list[object] = []
        with holder.engine.connect() as conn, conn.begin():
            # Another worker's claim in progress: the oldest job's row is locked.
            conn.execute(
                select(jobs_table.c.id).where(jobs_table.c.id == first).with_for_update()
            ).one()
            claim = threading.Thread(
                target=lambda: got.append(Jobs(claimer).claim("host:2:w", limit=4, lease=LEASE))
            )
            claim.start()
            claim.join(10)
            waited = claim.is_alive()  # still waiting for the lock: not skipped
        claim.join()
        assert not waited, "the claim waited for the locked row instead of skipping it"
        assert got[0] is not None and got[0].id == second  # type: ignore[attr-defined]
    finally:
        holder.close()
        claimer.close()
