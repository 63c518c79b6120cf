"""Eligibility decisions from worker processes, so a crash in durable-rules costs a retry.

durable-rules' C core can crash the whole process (see shared/notes/durable-rules.md),
and one process uses one core. :class:`EnginePool` keeps the engine out of the caller's
process: each worker loads the pathway library, builds one
:class:`~rules.engine.Evaluator` and answers requests over a pipe. Records go to the
workers as JSON and decisions come back as JSON, which is cheap and does not depend on
pickling the models. If a worker dies mid-chunk, a replacement is started and the
records it had not finished are sent again; a record that keeps killing workers is
reported as :class:`WorkerCrashed` instead of being retried for ever. An error for
one record comes back as :class:`WorkerError`; if it came from the engine, that worker
finishes its chunk and is replaced, since a failed evaluation may leave durable-rules
state behind. The tests make workers crash or fail on purpose through :mod:`rules._faults`.

Workers are started with the "spawn" method: forking a process that has imported
durable-rules would copy its C-level global state into every child. Because of spawn,
a script that starts a pool must guard its entry point with
``if __name__ == "__main__":``.

Usage (workers start in about half a second each)::

    with EnginePool() as pool:
        decision = pool.decide(person, dt.date(2020, 1, 1))
        for decision in pool.decide_many(people, pathways=["promotion"]):
            ...
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import math
import multiprocessing
import os
import signal
import time
from collections import Counter, deque
from collections.abc import Generator, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

from accreditation.record import Person
from pathways.loader import SHIPPED_LIBRARY
from pathways.model.library import UnknownPathwayError

from .decision import Decision, DecisionOverview, DecisionSummary
from .pooltypes import OVERVIEW, Answer, PoolStats, WorkerCrashed, WorkerError, answer_model
from .route import RoutePlan
from .session import EngineError
from .worker import serve

__all__ = ["EnginePool", "PoolStats", "WorkerCrashed", "WorkerError"]

_START_TIMEOUT = 120.0  # seconds for a worker to load the library and say it is ready


# --- the pool ----------------------------------------------------------------------------


@dataclass
class _Chunk:
    records: list[tuple[int, Person]]  # (input position, record)
    done: int = 0  # results received; workers answer in order

    def unfinished(self) -> list[tuple[int, Person]]:
        return self.records[self.done :]


@dataclass
class _Worker:
    process: BaseProcess
    conn: Connection
    ready: bool = False
    retiring: bool = False  # it asked to be replaced, and gets no more work
    chunk: _Chunk | None = None

    @property
    def pid(self) -> int:
        return self.process.pid or 0


@dataclass
class _Batch:
    """One decide_many call: records waiting to be sent, results waiting to be yielded."""

    todo: deque[tuple[int, Person]] = field(default_factory=deque)
    results: dict[int, Answer | EngineError] = field(default_factory=dict)
    crashes: Counter[int] = field(default_factory=Counter)
    retry: bool = True


class EnginePool:
    """A pool of rules-engine worker processes (a context manager).

    Not thread-safe: use it from one thread at a time, and finish (or close) one
    ``decide_many`` iteration before starting another.
    """

    def __init__(
        self,
        library_paths: Sequence[str | Path] | None = None,
        workers: int | None = None,
        *,
        max_retries: int = 1,
        chunk_size: int = 64,
    ):
        """Start ``workers`` processes (default: one per CPU) and wait until all are ready.

        Raises:
            ValueError: if ``workers`` or ``chunk_size`` is below 1 or ``max_retries`` below 0.
            rules.session.EngineError: if a worker cannot load the library, or the
                workers disagree on its version.
        """
        count = workers if workers is not None else (os.cpu_count() or 1)
        if count < 1 or chunk_size < 1 or max_retries < 0:
            raise ValueError("need workers >= 1, chunk_size >= 1 and max_retries >= 0")
        self._closed = True  # until started: makes __del__ safe if this fails
        # Absolute paths: a replacement worker may start after the caller changed directory.
        self._paths = [str(Path(p).resolve()) for p in (library_paths or [SHIPPED_LIBRARY])]
        self._ctx = multiprocessing.get_context("spawn")
        self.max_retries = max_retries
        self.chunk_size = chunk_size
        self.library_version = ""
        self._pathways: tuple[str, ...] = ()  # in library order, for messages
        self._assessors: Mapping[str, Person] = {}  # of the decide_many call under way
        self._answered: Counter[int] = Counter()
        self._restarts = self._retried = 0
        self._active = False
        self._workers: list[_Worker] = []
        self._closed = False
        try:
            self._workers = [self._spawn() for _ in range(count)]
            self._await_ready()
        except BaseException:
            self.close()
            raise

    # --- public interface ---------------------------------------------------------------

    def decide(
        self,
        person: Person,
        as_of: dt.date | None = None,
        pathways: Iterable[str] | None = None,
        assessors: Mapping[str, Person] | None = None,
    ) -> Decision:
        """The decision for one record, made in a worker (see :meth:`decide_many`).

        Raises:
            UnknownPathwayError: (a KeyError) if a pathway id in ``pathways`` is not in the
                library.
            WorkerError: if evaluating the record failed inside the worker.
            WorkerCrashed: if the record killed a worker more than ``max_retries`` times.
            RuntimeError: if the pool is closed or a ``decide_many`` iteration is open.
        """
        with contextlib.closing(
            self.decide_many([person], as_of, pathways, assessors)
        ) as decisions:
            return next(decisions)

    def decide_many(
        self,
        people: Iterable[Person],
        as_of: dt.date | None = None,
        pathways: Iterable[str] | None = None,
        assessors: Mapping[str, Person] | None = None,
    ) -> Generator[Decision, None, None]:
        """Decisions for ``people``, in input order, made by all workers in parallel.

        See :meth:`summaries` for the same without explanations (much less to send back).
        ``assessors``: records of people the records name as assessors, by id (each
        worker gets those its records name; see :mod:`rules.assessors`).

        ``as_of`` defaults to today, fixed once here so that every record of the batch
        is decided for the same day. The iterator stops at the first record that fails.

        Raises:
            UnknownPathwayError: (a KeyError) at once, if a pathway id in ``pathways`` is
                not in the library.
            WorkerError: while iterating, for a record whose evaluation failed in a worker.
            WorkerCrashed: while iterating, for a record that kept killing workers.
            rules.session.EngineError: while iterating, if a replacement worker fails
                to start (the pool is then closed).
            RuntimeError: if the pool is closed or another iteration is still open.
        """
        return self._start(people, as_of, pathways, assessors, summary=False)  # type: ignore[return-value]

    def summaries(
        self,
        people: Iterable[Person],
        as_of: dt.date | None = None,
        pathways: Iterable[str] | None = None,
        assessors: Mapping[str, Person] | None = None,
    ) -> Generator[DecisionSummary, None, None]:
        """Like :meth:`decide_many`, but statuses and dates only.

        The workers make the full decisions; only the summary crosses back, which is
        what population reports need: a full decision's explanations are about 75 KB
        of JSON, and parsing them in this process would cost more than deciding.

        Raises:
            the same as :meth:`decide_many`.
        """
        return self._start(people, as_of, pathways, assessors, summary=True)  # type: ignore[return-value]

    def _start(
        self,
        people: Iterable[Person],
        as_of: dt.date | None,
        pathways: Iterable[str] | None,
        assessors: Mapping[str, Person] | None,
        summary: bool,
    ) -> Generator[Answer, None, None]:
        self._check_usable()
        self._assessors = assessors or {}
        wanted = list(pathways) if pathways is not None else None
        unknown = [p for p in wanted or [] if p not in self._pathways]
        if unknown:
            raise UnknownPathwayError(unknown[0], self._pathways)
        day = as_of or dt.date.today()
        size = self.chunk_size
        if isinstance(people, Sequence):  # small batches: one chunk per worker, not one in all
            size = max(1, min(size, math.ceil(len(people) / len(self._workers))))
        return self._run(enumerate(people), size, (day.isoformat(), wanted, summary))

    def overview(
        self,
        person: Person,
        as_of: dt.date | None = None,
        assessors: Mapping[str, Person] | None = None,
    ) -> DecisionOverview:
        """The decision without its requirement trees (:meth:`rules.engine.Evaluator.
        overview`), made in a worker: a few KB to send back, not 75.

        Raises: the same as :meth:`decide`.
        """
        self._check_usable()
        day = (as_of or dt.date.today()).isoformat()
        self._assessors = assessors or {}
        with contextlib.closing(self._run(enumerate([person]), 1, (day, None, OVERVIEW))) as made:
            found = next(made)
        assert isinstance(found, DecisionOverview)
        return found

    def route(
        self,
        person: Person,
        goal: str,
        as_of: dt.date | None = None,
        assessors: Mapping[str, Person] | None = None,
    ) -> RoutePlan:
        """The routes to stage ``goal`` (:func:`rules.route.find_routes`), searched in a
        worker: the search asks the engine tens of times, and each answer would otherwise
        cross the pipe. ``assessors`` as for :meth:`decide_many`.

        Raises:
            KeyError: if ``goal`` ('pathway.stage') names no pathway of the library.
            WorkerError: if the search failed inside the worker (an unknown stage, say).
            WorkerCrashed, RuntimeError: as for :meth:`decide`.
        """
        self._check_usable()
        if goal.partition(".")[0] not in self._pathways:
            raise KeyError(f"unknown pathway in '{goal}'")
        day = (as_of or dt.date.today()).isoformat()
        self._assessors = assessors or {}
        results = self._run(enumerate([person]), 1, (day, None, f"route:{goal}"))
        with contextlib.closing(results) as plans:
            plan = next(plans)
        assert isinstance(plan, RoutePlan)
        return plan

    def worker_pids(self) -> list[int]:
        """The process ids of the current workers."""
        return [w.pid for w in self._workers]

    def stats(self) -> PoolStats:
        """Records answered per worker pid (dead workers included), restarts, re-sent records."""
        return PoolStats(dict(self._answered), self._restarts, self._retried)

    def close(self, timeout: float = 5.0) -> None:
        """Stop every worker: ask politely, then terminate, then kill; reap them all."""
        if self._closed:
            return
        self._closed = True
        workers, self._workers = self._workers, []
        for w in workers:
            if w.chunk is not None:
                # Its results are no longer wanted, and it could be blocked writing them.
                w.process.terminate()
                continue
            with contextlib.suppress(OSError):
                w.conn.send(None)
        deadline = time.monotonic() + timeout
        for w in workers:
            w.process.join(max(0.0, deadline - time.monotonic()))
        for w in workers:
            if w.process.is_alive():
                w.process.terminate()
                w.process.join(1.0)
            if w.process.is_alive():
                w.process.kill()
                w.process.join()
            w.conn.close()
            w.process.close()

    def __enter__(self) -> EnginePool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        # At interpreter exit multiprocessing may already have reaped the (daemon) workers.
        with contextlib.suppress(Exception):
            self.close()

    # --- scheduling ---------------------------------------------------------------------

    def _run(
        self,
        people: Iterator[tuple[int, Person]],
        size: int,
        job: tuple[str, list[str] | None, bool | str],
    ) -> Generator[Answer, None, None]:
        self._check_usable()
        self._active = True
        self._result_model = answer_model(job[2])
        batch = _Batch()
        next_out = 0
        exhausted = False
        try:
            for w in list(self._workers):  # died while idle, since the last call
                if not w.process.is_alive():
                    self._receive(w, batch)
                    self._replace(w, batch)
            while True:
                # Hand out work first, so that workers keep busy while the caller consumes.
                for w in self._workers:
                    idle = w.ready and not w.retiring and w.chunk is None
                    if not (idle and w.process.is_alive()):
                        continue
                    chunk = [batch.todo.popleft() for _ in range(min(size, len(batch.todo)))]
                    if len(chunk) < size and not exhausted:
                        fresh = list(itertools.islice(people, size - len(chunk)))
                        exhausted = len(chunk) + len(fresh) < size
                        chunk += fresh
                    if not chunk:
                        break
                    self._send(w, _Chunk(chunk), job)
                while next_out in batch.results:
                    result = batch.results.pop(next_out)
                    next_out += 1
                    if isinstance(result, EngineError):
                        raise result
                    yield result
                busy = any(w.chunk for w in self._workers)
                if exhausted and not (batch.todo or batch.results or busy):
                    return
                self._step(batch)
        finally:
            self._settle()
            self._active = False

    def _send(
        self, w: _Worker, chunk: _Chunk, job: tuple[str, list[str] | None, bool | str]
    ) -> None:
        w.chunk = chunk
        records = [(p.model_dump_json(), self._named(p)) for _, p in chunk.records]
        # A worker that died is noticed through its sentinel, which requeues the chunk.
        with contextlib.suppress(OSError):
            w.conn.send((*job, records))

    def _named(self, person: Person) -> dict[str, str]:
        """The records (as JSON) of the assessors ``person`` names, of those the caller gave."""
        named = {n for a in person.assessments for n in a.assessors}
        return {n: self._assessors[n].model_dump_json() for n in named if n in self._assessors}

    def _step(self, batch: _Batch, timeout: float | None = None) -> None:
        """Wait for results or a dead worker; file the results, replace the dead.

        Every worker's sentinel is waited on too, so a death always ends the wait.
        """
        if self._closed:
            raise RuntimeError("the engine pool is closed")
        conns = [w.conn for w in self._workers if w.chunk or not w.ready]
        sentinels = [w.process.sentinel for w in self._workers]
        ready = wait([*conns, *sentinels], timeout)
        for w in list(self._workers):
            if w.conn in ready:
                self._receive(w, batch)
        for w in list(self._workers):
            if w.process.sentinel in ready or (w.conn in ready and not w.process.is_alive()):
                self._receive(w, batch)  # results it sent before it died still count
                self._replace(w, batch)

    def _receive(self, w: _Worker, batch: _Batch) -> None:
        """File every message the worker has sent so far."""
        try:
            while w.conn.poll():
                self._file(w, w.conn.recv(), batch)
        except (EOFError, OSError):
            w.process.join(1.0)  # it closed its end: it is exiting; _step sees the rest

    def _file(self, w: _Worker, message: tuple[Any, ...], batch: _Batch) -> None:
        kind = message[0]
        if kind == "failed":
            self.close()
            raise EngineError(f"a rules worker could not load the pathway library: {message[1]}")
        if kind == "ready":
            if self.library_version and message[1] != self.library_version:
                self.close()
                raise EngineError(
                    f"a rules worker loaded library version {message[1][:12]}, "
                    f"not {self.library_version[:12]}: the library files changed on disk"
                )
            self.library_version, self._pathways = message[1], tuple(message[2])
            w.ready = True
            return
        if kind == "retire":  # it exits now; its death is handled like any other
            w.retiring = True
            return
        chunk = w.chunk
        if chunk is None:
            raise EngineError(f"a rules worker sent an unexpected {kind!r} message")
        index, person = chunk.records[chunk.done]
        chunk.done += 1
        if chunk.done == len(chunk.records):
            w.chunk = None
        self._answered[w.pid] += 1
        batch.results[index] = (
            self._result_model.model_validate_json(message[1])
            if kind == "ok"
            else WorkerError(person.id, message[1])
        )

    def _replace(self, dead: _Worker, batch: _Batch) -> None:
        """Swap a dead worker for a new one; re-send what it had not finished."""
        code = dead.process.exitcode
        how = f"killed by {signal.Signals(-code).name}" if code and code < 0 else f"exit {code}"
        dead.conn.close()
        dead.process.join()
        dead.process.close()
        if not dead.ready:
            self.close()
            raise EngineError(f"a rules worker died while starting ({how})")
        self._workers[self._workers.index(dead)] = self._spawn()
        self._restarts += 1
        unfinished = dead.chunk.unfinished() if dead.chunk else []
        if not unfinished or not batch.retry:
            return
        # Workers answer in order, so the first unfinished record is the one it was on.
        culprit_index, culprit = unfinished[0]
        batch.crashes[culprit_index] += 1
        if batch.crashes[culprit_index] > self.max_retries:
            # Its result is this error, raised in input order like any other answer.
            attempts = batch.crashes[culprit_index]
            batch.results[culprit_index] = WorkerCrashed(culprit.id, attempts, how)
            unfinished = unfinished[1:]
        self._retried += len(unfinished)
        batch.todo.extendleft(reversed(unfinished))

    def _settle(self) -> None:
        """After an iteration ends early: let busy workers finish, discarding their results."""
        leftovers = _Batch(retry=False)
        while not self._closed and any(w.chunk for w in self._workers):
            self._step(leftovers)

    # --- starting workers -------------------------------------------------------------

    def _spawn(self) -> _Worker:
        mine, theirs = self._ctx.Pipe()
        process = self._ctx.Process(
            target=serve, args=(theirs, self._paths), name="rules-pool-worker", daemon=True
        )
        process.start()
        # Close our copy of the worker's end, or its death would never read as end-of-file.
        theirs.close()
        return _Worker(process, mine)

    def _await_ready(self) -> None:
        waiting = _Batch(retry=False)
        deadline = time.monotonic() + _START_TIMEOUT
        while not all(w.ready for w in self._workers):
            left = deadline - time.monotonic()
            if left <= 0:
                raise EngineError(f"rules workers did not start within {_START_TIMEOUT:.0f} s")
            self._step(waiting, left)

    def _check_usable(self) -> None:
        if self._closed:
            raise RuntimeError("the engine pool is closed")
        if self._active:
            raise RuntimeError("a decide_many() iteration is still open: finish or close it")
