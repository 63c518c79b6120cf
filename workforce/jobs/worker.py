"""``pathways worker``: takes jobs from the store's queue and works them, one at a time.

A worker claims a job (:meth:`store.jobs.Jobs.claim`), computes it (:mod:`.kinds`) and
stores its result with the stamp of the records it read. While it works, a thread reports
the job's progress every second and so renews its lease; when the job is cancelled, or is
no longer the worker's (its lease ran out), the computation stops at its next progress
report. Every few seconds a worker also queues again the jobs whose lease ran out (their
worker was killed, or its machine lost) and, at start, those of workers on its own machine
that are no longer running: a job survives a killed worker and a restarted server.

Population runs use ``processes`` engine processes (kept between jobs), or a Dask cluster
(``scheduler``).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import secrets
import socket
import threading
import time
from collections.abc import Sequence
from pathlib import Path

from pathways.model.library import Library
from store import Store
from store.jobs import Job, Jobs, Progress
from store.population import records_stamp
from workforce.cluster import ClusterError, DaskCluster
from workforce.population import NotComputed, PopulationRun, evaluate_population
from workforce.reports.compliance import Compliance, compliance

from .kinds import KINDS
from .library import Libraries, LibraryError, LibrarySpec

__all__ = ["Stopped", "Worker", "worker_name"]
#: Seconds between two progress reports at the least (and a report every second at most).
SOONEST = 0.25
#: Test-only, not for production: seconds each step of a population run's progress waits,
#: so that a browser test can watch a small job move (its run is over in a moment).
PACE_ENV = "PATHWAYS_TEST_JOB_PACE"

log = logging.getLogger("pathways.worker")


def worker_name() -> str:
    """``host:pid:random``: unique, and tells which machine and process it was."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


class Stopped(Exception):
    """The job's computation stops: ``cancel`` (asked to), ``lost`` (no longer this
    worker's), or ``stopping`` (the worker is shutting down)."""

    def __init__(self, why: str):
        super().__init__(why)
        self.why = why


class _Beat:
    """A running job's progress, written to the store (renewing its lease) by a thread."""

    def __init__(self, jobs: Jobs, job: Job, worker: str, lease: float, stopping: threading.Event):
        self.jobs, self.job, self.worker = jobs, job, worker
        self.lease = dt.timedelta(seconds=lease)
        self.every = min(1.0, lease / 3)
        self.stopping = stopping
        self.done = self.total = 0
        self.phase = "starting"
        self.signal: Progress = "running"
        self._lock = threading.Lock()
        self._end = threading.Event()
        self._wake = threading.Event()
        self._thread = threading.Thread(target=self._loop, name=f"beat-{job.id[:8]}", daemon=True)
        self._thread.start()

    def update(
        self, *, done: int | None = None, total: int | None = None, phase: str | None = None
    ) -> None:
        """Note progress; raises :class:`Stopped` if the job is to stop."""
        with self._lock:
            if done is not None and done != self.done:
                self._wake.set()  # written soon, not only at the next beat
            if done is not None:
                self.done = done
            if total is not None:
                self.total = total
            if phase is not None:
                self.phase = phase
        if self.stopping.is_set():
            raise Stopped("stopping")
        if self.signal != "running":
            raise Stopped(self.signal)

    def _loop(self) -> None:
        while not self._end.is_set():
            self._wake.wait(self.every)
            self._wake.clear()
            if self._end.is_set():
                return
            self.write()
            self._end.wait(SOONEST)  # at most a few writes a second, however fast it goes

    def write(self) -> None:
        with self._lock:
            done, total, phase = self.done, self.total, self.phase
        try:
            self.signal = self.jobs.progress(
                self.job.id, self.worker, self.lease, done=done, total=total, phase=phase
            )
        except Exception:  # the database is away for a moment: the lease allows for it
            log.warning("job %s: progress not written", self.job.id, exc_info=True)

    def close(self) -> None:
        self._end.set()
        self._wake.set()
        self._thread.join()


class _Run:
    """What a job's computation is given (:class:`workforce.jobs.kinds.Context`)."""

    def __init__(self, worker: Worker, beat: _Beat):
        self.worker, self.beat = worker, beat
        self._steps, self._step = 1, 0

    def library(self, spec: LibrarySpec) -> tuple[Library, Path]:
        return self.worker.libraries.get(spec)

    def steps(self, count: int) -> None:
        self._steps = max(1, count)

    def phase(self, words: str) -> None:
        self.beat.update(phase=words)

    def compliance(self, library: Library, as_of: dt.date, window: int) -> Compliance:
        total = self.worker.store.count_people()
        self.beat.update(phase="deciding obligations", done=0, total=total)
        return compliance(
            self.worker.store,
            library,
            as_of,
            window,
            progress=lambda done: self.beat.update(done=done),
        )

    def population(
        self,
        directory: Path,
        as_of: dt.date,
        *,
        pathways: Sequence[str] | None = None,
        label: str = "",
        cache: bool = True,
        decide_at_most: int | None = None,
    ) -> PopulationRun:
        step, steps = self._step, self._steps
        self._step += 1
        words = label or "deciding"
        if steps > 1:
            words += f" ({step + 1} of {steps})"
        self.beat.update(phase=words)

        def tick(done: int, total: int) -> None:
            self.beat.update(done=step * total + done, total=steps * total)
            if self.worker.pace:
                time.sleep(self.worker.pace)

        return evaluate_population(
            self.worker.store,
            [directory],
            as_of,
            workers=self.worker.processes,
            progress=tick,
            pathways=pathways,
            cache=cache,
            decide_at_most=decide_at_most,
            cluster=self.worker.cluster(),
        )


class Worker:
    """Works the jobs of ``store``.

    ``limit``: jobs running at once over every worker (give each the same); ``lease``:
    seconds a job stays a worker's without a progress report; ``poll``: seconds between
    looks at an empty queue; ``processes``: engine processes for population runs;
    ``scheduler``: a Dask scheduler's address to run population runs on instead.
    """

    def __init__(
        self,
        store: Store,
        *,
        limit: int = 2,
        lease: float = 30.0,
        poll: float = 0.5,
        processes: int = 2,
        scheduler: str | None = None,
        name: str | None = None,
    ):
        if limit < 1 or lease <= 0 or poll <= 0 or processes < 1:
            raise ValueError("limit and processes are at least 1; lease and poll above 0")
        self.store = store
        self.jobs = Jobs(store)
        self.limit, self.lease, self.poll, self.processes = limit, lease, poll, processes
        self.scheduler = scheduler
        self._cluster: DaskCluster | None = None
        self.name = name or worker_name()
        self.libraries = Libraries(store)
        self.stopping = threading.Event()
        self.worked = 0
        self.pace = float(os.environ.get(PACE_ENV) or 0)

    # --- the loop ---------------------------------------------------------------------

    def serve(self, *, max_jobs: int | None = None, until_empty: bool = False) -> int:
        """Work jobs until :meth:`stop` (or ``max_jobs`` were worked, or, with
        ``until_empty``, the queue is empty); how many were worked. On stopping, a job in
        hand is queued again for another worker."""
        self.recover()
        swept = time.monotonic()
        try:
            while not self.stopping.is_set():
                if time.monotonic() - swept > self.lease / 3:
                    self.jobs.requeue_expired()
                    swept = time.monotonic()
                if not self.run_one():
                    if until_empty and self._queue_empty():
                        break
                    self.stopping.wait(self.poll)
                elif max_jobs is not None and self.worked >= max_jobs:
                    break
        finally:
            if self.jobs.release(self.name):
                log.info("worker %s: a job in hand was queued again", self.name)
        return self.worked

    def stop(self) -> None:
        """Stop after the job in hand (which stops at its next progress report)."""
        self.stopping.set()

    def cluster(self) -> DaskCluster | None:
        """The Dask cluster population runs go to, if there is one (connected on first use).

        Raises:
            ClusterError: if it cannot be reached.
        """
        if self.scheduler and self._cluster is None:
            self._cluster = DaskCluster(self.scheduler)
        return self._cluster

    def close(self) -> None:
        self.libraries.close()
        if self._cluster is not None:
            self._cluster.close()

    def _queue_empty(self) -> bool:
        counts = self.jobs.counts()
        return counts["queued"] == 0 and counts["running"] == 0

    def recover(self) -> int:
        """Queue again the running jobs of workers on this machine whose process is gone
        (a server restarted after a crash); how many."""
        host = self.name.split(":")[0]
        again = 0
        for job in self.jobs.running_on(host):
            assert job.worker is not None
            pid = job.worker.split(":")[1]
            if job.worker != self.name and pid.isdigit() and not _alive(int(pid)):
                again += self.jobs.requeue(job.id, job.worker)
                log.info("job %s: its worker %s is gone; queued again", job.id, job.worker)
        return again

    # --- one job ----------------------------------------------------------------------

    def run_one(self) -> bool:
        """Claim and work one job; False if there was none to take."""
        job = self.jobs.claim(self.name, limit=self.limit, lease=dt.timedelta(seconds=self.lease))
        if job is None:
            return False
        self.worked += 1
        self.work(job)
        return True

    def work(self, job: Job) -> None:
        log.info("job %s (%s): attempt %d", job.id, job.kind, job.attempts)
        started = time.perf_counter()
        beat = _Beat(self.jobs, job, self.name, self.lease, self.stopping)
        try:
            kind = KINDS[job.kind]
            params = kind.params.model_validate(job.params)
            stamp = records_stamp(self.store)  # before anything is read: stale if they change
            result = kind.compute(_Run(self, beat), params)
        except Stopped as stop:
            beat.close()
            self._stopped(job, stop.why)
            return
        except (ValueError, KeyError, LibraryError, NotComputed, ClusterError) as exc:
            beat.close()
            log.info("job %s: refused: %s", job.id, exc)
            self.jobs.fail(job.id, self.name, _message(exc))
            return
        except Exception as exc:
            beat.close()
            log.exception("job %s failed", job.id)
            self.jobs.fail(job.id, self.name, f"{type(exc).__name__}: {exc}")
            return
        beat.close()
        beat.write()  # the last count of people (a job quicker than a beat has none yet)
        text = json.dumps(result, separators=(",", ":"))
        if self.jobs.finish(job.id, self.name, text, records=stamp):
            log.info("job %s: done in %.1f s", job.id, time.perf_counter() - started)
        else:
            log.info("job %s: finished, but it was no longer this worker's", job.id)

    def _stopped(self, job: Job, why: str) -> None:
        if why == "cancel":
            self.jobs.cancelled(job.id, self.name)
            log.info("job %s: cancelled", job.id)
        elif why == "stopping":
            self.jobs.release(self.name)
            log.info("job %s: queued again (this worker is stopping)", job.id)
        else:
            log.info("job %s: no longer this worker's (its lease ran out)", job.id)


def _message(exc: BaseException) -> str:
    text = str(exc)
    if isinstance(exc, KeyError) and exc.args:
        text = f"not found: {exc.args[0]}"
    return text or type(exc).__name__


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
