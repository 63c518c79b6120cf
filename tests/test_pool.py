"""The worker-process pool: real processes, real crashes, no mocks.

Workers are killed with SIGKILL, and made to crash on one record with the
test-only ``PATHWAYS_TEST_CRASH_ON`` hook (see ``rules._faults``).
"""

from __future__ import annotations

import datetime as dt
import gc
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sample_people import CHIEF_INSPECTOR, OFFICER, PEOPLE, STAFF

from accreditation.record import BandHolding, Person
from pathways.model.library import UnknownPathwayError
from rules import Decision, EngineError, Evaluator
from rules._faults import CRASH_ENV, FAIL_ENV
from rules.pool import EnginePool, WorkerCrashed, WorkerError

# Slow: real worker processes, killed and replaced (make test-fast leaves these out).
pytestmark = pytest.mark.slow

AS_OF = dt.date(2021, 6, 1)


@pytest.fixture(scope="module")
def pool() -> Iterator[EnginePool]:
    with EnginePool(workers=2) as p:
        yield p


def renamed(people: list[Person], n: int) -> list[Person]:
    """``n`` records cycling through ``people``, each with its own id."""
    return [
        people[i % len(people)].model_copy(update={"id": f"{people[i % len(people)].id}-{i}"})
        for i in range(n)
    ]


def reaped(pid: int) -> bool:
    """True if ``pid`` is no child of ours any more, not even a zombie."""
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return True
    return False


def exited(pid: int) -> bool:
    """True once ``pid`` has exited: a zombie not yet reaped, or gone altogether."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return True
    return stat.rsplit(")", 1)[-1].split()[0] == "Z"


def wait_until_one_dead(pids: list[int]) -> int:
    """SIGKILL and exits take effect asynchronously: wait for one of ``pids`` to end."""
    deadline = time.monotonic() + 10
    while not any(exited(pid) for pid in pids):
        assert time.monotonic() < deadline, f"none of {pids} exited"
        time.sleep(0.01)
    return next(pid for pid in pids if exited(pid))


def test_pool_decisions_equal_in_process_decisions(pool: EnginePool, evaluator: Evaluator) -> None:
    assert pool.library_version == evaluator.library.digest
    for person in PEOPLE:
        assert (
            pool.decide(person, AS_OF).model_dump() == evaluator.decide(person, AS_OF).model_dump()
        )
    only = ["fsl", "promotion"]
    assert (
        pool.decide(CHIEF_INSPECTOR, AS_OF, only).model_dump()
        == evaluator.decide(CHIEF_INSPECTOR, AS_OF, only).model_dump()
    )
    assert pool.decide(OFFICER).as_of == dt.date.today()
    with pytest.raises(
        UnknownPathwayError, match=r"did you mean 'promotion'\? \(pathways: analyst,"
    ):
        pool.decide(OFFICER, AS_OF, ["promotoin"])


def test_decide_many_keeps_input_order_and_uses_every_worker(pool: EnginePool) -> None:
    people = renamed(PEOPLE, 400)
    before = pool.stats().answered_by_pid
    decisions = list(pool.decide_many(people, AS_OF, ["fsl"]))
    assert [d.person for d in decisions] == [p.id for p in people]
    after = pool.stats().answered_by_pid
    used = {pid for pid in pool.worker_pids() if after.get(pid, 0) > before.get(pid, 0)}
    assert len(used) == 2
    # Any iterable will do, not only a list.
    streamed = pool.decide_many((p for p in people[:10]), AS_OF, ["fsl"])
    assert [d.person for d in streamed] == [p.id for p in people[:10]]
    assert list(pool.decide_many([], AS_OF)) == []


def test_killing_a_worker_mid_evaluation_loses_no_decision(evaluator: Evaluator) -> None:
    people = renamed(PEOPLE, 3000)
    only = ["fsl", "pip"]
    expected = [evaluator.decide(p, AS_OF, only).model_dump() for p in PEOPLE]
    # Big chunks: the victim is surely still inside its chunk when it is killed.
    with EnginePool(workers=2, chunk_size=500) as pool:
        victim = pool.worker_pids()[0]
        decisions: list[Decision] = []
        for decision in pool.decide_many(people, AS_OF, only):
            if not decisions:
                os.kill(victim, signal.SIGKILL)
            decisions.append(decision)
        stats = pool.stats()
        assert stats.restarts == 1 and stats.retried > 0
        assert victim not in pool.worker_pids() and len(pool.worker_pids()) == 2
        assert reaped(victim)
        assert pool.decide(OFFICER, AS_OF, only).model_dump() == expected[0]
    assert len(decisions) == len(people)
    for i, (person, decision) in enumerate(zip(people, decisions, strict=True)):
        assert decision.model_dump() == expected[i % len(PEOPLE)] | {"person": person.id}


def test_a_record_that_always_crashes_its_worker_raises(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    crasher = OFFICER.model_copy(update={"id": "CRASH-1"})
    monkeypatch.setenv(CRASH_ENV, crasher.id)
    with EnginePool(workers=2, max_retries=1) as pool:
        with pytest.raises(WorkerCrashed, match="'CRASH-1'") as caught:
            pool.decide(crasher, AS_OF)
        assert isinstance(caught.value, EngineError)
        assert caught.value.person == "CRASH-1" and caught.value.attempts == 2
        assert pool.stats().restarts == 2
        # In a batch: what comes before it is still delivered, in order, then the error.
        got = []
        with pytest.raises(WorkerCrashed, match="'CRASH-1'"):
            for decision in pool.decide_many([STAFF, crasher, OFFICER], AS_OF, ["fsl"]):
                got.append(decision.person)
        assert got == [STAFF.id]
        # The pool carries on.
        assert pool.decide(OFFICER, AS_OF, ["fsl"]).person == OFFICER.id
        assert len(pool.worker_pids()) == 2


def test_an_error_in_a_worker_surfaces_and_the_pool_carries_on(pool: EnginePool) -> None:
    # Skipping validation in the caller makes the worker's own validation fail.
    invalid = OFFICER.model_copy(
        update={"id": "BAD-1", "bands": [BandHolding(band="band_c", start=dt.date(2020, 1, 1))]}
    )
    pids = pool.worker_pids()
    with pytest.raises(EngineError, match=r"(?s)'BAD-1'.*an officer holds ranks") as caught:
        pool.decide(invalid, AS_OF)
    assert isinstance(caught.value, WorkerError) and caught.value.person == "BAD-1"
    got = []
    with pytest.raises(WorkerError, match="'BAD-1'"):
        for decision in pool.decide_many([OFFICER, invalid, STAFF], AS_OF, ["fsl"]):
            got.append(decision.person)
    assert got == [OFFICER.id]
    assert pool.decide(STAFF, AS_OF, ["fsl"]).person == STAFF.id
    assert pool.worker_pids() == pids  # no worker was harmed


def test_an_engine_error_in_a_worker_surfaces_and_the_worker_is_replaced(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    failer = OFFICER.model_copy(update={"id": "FAIL-1"})
    monkeypatch.setenv(FAIL_ENV, failer.id)
    with EnginePool(workers=2) as pool:
        pids = pool.worker_pids()
        got = []
        with pytest.raises(WorkerError, match=r"'FAIL-1'.*EngineError: test-only failure"):
            for decision in pool.decide_many([OFFICER, failer, STAFF], AS_OF, ["fsl"]):
                got.append(decision.person)
        assert got == [OFFICER.id]
        # The worker that failed finishes its chunk and exits, to be replaced: a failed
        # evaluation may have left durable-rules state behind in that process.
        dead = wait_until_one_dead(pids)
        assert pool.decide(STAFF, AS_OF, ["fsl"]).person == STAFF.id
        stats = pool.stats()
        assert stats.restarts == 1 and stats.retried == 0
        assert dead not in pool.worker_pids() and len(pool.worker_pids()) == 2
        assert reaped(dead)


def test_unknown_pathway_is_refused_before_any_work(pool: EnginePool) -> None:
    with pytest.raises(KeyError, match="nope"):
        pool.decide_many([OFFICER], AS_OF, ["fsl", "nope"])


def test_an_idle_worker_that_died_is_replaced(pool: EnginePool) -> None:
    victim = pool.worker_pids()[1]
    os.kill(victim, signal.SIGKILL)
    wait_until_one_dead([victim])
    restarts = pool.stats().restarts
    assert pool.decide(OFFICER, AS_OF, ["fsl"]).person == OFFICER.id
    assert victim not in pool.worker_pids() and len(pool.worker_pids()) == 2
    assert pool.stats().restarts == restarts + 1
    assert reaped(victim)


def test_one_iteration_at_a_time_and_early_stop(pool: EnginePool) -> None:
    people = renamed(PEOPLE, 300)
    first = pool.decide_many(people, AS_OF, ["fsl"])
    assert next(first).person == people[0].id
    with pytest.raises(RuntimeError, match="still open"):
        pool.decide(OFFICER, AS_OF)
    first.close()  # the workers finish their chunks; those results are dropped
    assert pool.decide(OFFICER, AS_OF, ["fsl"]).person == OFFICER.id


def test_close_reaps_every_worker() -> None:
    pool = EnginePool(workers=2)
    pids = pool.worker_pids()
    pool.close()
    pool.close()  # twice is fine
    assert all(reaped(pid) for pid in pids)
    with pytest.raises(RuntimeError, match="closed"):
        pool.decide(OFFICER, AS_OF)


def test_a_forgotten_pool_cleans_up_after_itself() -> None:
    pool = EnginePool(workers=1)
    pids = pool.worker_pids()
    del pool
    gc.collect()
    assert all(reaped(pid) for pid in pids)


def test_a_library_that_does_not_load_fails_at_start(tmp_path: Path) -> None:
    (tmp_path / "broken.yaml").write_text("pathway: {id: x}\n")
    with pytest.raises(EngineError, match="could not load the pathway library"):
        EnginePool([tmp_path], workers=1)


def test_summaries_match_full_decisions(pool: EnginePool) -> None:
    people = [OFFICER, STAFF, CHIEF_INSPECTOR]
    full = list(pool.decide_many(people, AS_OF))
    brief = list(pool.summaries(people, AS_OF))
    assert [s.person for s in brief] == [p.id for p in people]
    for decision, summary in zip(full, brief, strict=True):
        assert summary == decision.summary()
        assert summary.library_version == pool.library_version
