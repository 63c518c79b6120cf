"""The stored workforce evaluated against a library as of a date: input to every report.

A :class:`PopulationRun` is one row per person (:class:`PersonResult`): the facts
reports group by (business group, rank or band, ethnicity, gender) and every stage's
status and dates, kept compactly (a byte per stage) so that a national workforce fits
in memory. Reports (pipeline, equality, impact) read runs and never evaluate.

By default the run uses the population evaluator (:mod:`rules.popcode`: the compiled
rules written out as Python once per library version, equal to the engine on every
stage by ``tests/test_popcode.py``) in worker processes that read the stored records as
JSON, with no record objects; ``engine="batch"`` uses :class:`rules.batch.BatchEvaluator`
and ``engine="durable"`` the durable-rules engine pool instead. This module runs the run
(the cache, the chunks in flight, the pools kept between runs); what the workers do is in
:mod:`workforce.population_work`, the results in :mod:`workforce.results`, the durable run
in :mod:`workforce.population_durable`.

>>> import datetime as dt
>>> from store import Store
>>> from workforce.synthetic import generate_people
>>> from pathways import SHIPPED_LIBRARY
>>> store = Store("sqlite://")
>>> _ = store.save_people(generate_people(20, seed=3), actor="doctest")
>>> run = evaluate_population(store, [SHIPPED_LIBRARY], dt.date(2024, 6, 1), workers=1)
>>> len(run.people), run.engine.startswith("population")
(20, True)
>>> run.people[0].status("promotion", "constable") in {"held", "not_eligible", "eligible"}
True
"""

from __future__ import annotations

import atexit
import datetime as dt
import hashlib
import multiprocessing
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Any, Protocol

import orjson

from pathways.model.library import Library
from pathways.problems import CareerPathwaysError
from rules.batch import BATCH_ENGINE
from rules.popcode import POPULATION_ENGINE
from store import Store
from store.population import PopulationCache, RecordRow, shared_url

from .population_durable import durable_run, person_facts
from .population_work import (
    decide_chunk,
    grouping,
    library_at,
    named_in,
    record_grouping,
    start_worker,
)
from .results import NOT_DECIDED, STATUSES, PersonResult, PopulationRun

__all__ = [
    "NOT_DECIDED",
    "STATUSES",
    "Cluster",
    "NotComputed",
    "PersonResult",
    "PopulationRun",
    "evaluate_population",
    "grouping",
    "person_facts",
    "record_grouping",
]

#: ``progress(done, total)``, called now and then during a run.
Progress = Callable[[int, int], None]
CHUNK = 500
#: Part of the cache key: results cached in an older layout are not read back.
CACHE_FORMAT = "2:"
ENGINES = {"compiled": POPULATION_ENGINE, "batch": BATCH_ENGINE, "durable": "durable-rules"}


class Cluster(Protocol):
    """Somewhere else to decide people: :class:`workforce.cluster.DaskCluster`."""

    partition: int  # people per task

    def in_flight(self) -> int:
        """Tasks to keep submitted ahead of the results."""

    def submit(
        self,
        library: Library,
        paths: list[str],
        pathways: tuple[str, ...] | None,
        engine: str,
        work: tuple[str, list[str]],
        as_of: dt.date,
    ) -> Any:
        """Decide the people of ``work`` (database URL, ids); a future of
        (stage keys, packed results)."""


class NotComputed(CareerPathwaysError, RuntimeError):
    """A run limited to what is cached (``decide_at_most``) would decide more people."""


# Long: the run's pipeline (cache lookup, chunks in flight per worker, collecting in
# input order) in one place; `collect` is a closure over the run being built.
def evaluate_population(
    store: Store,
    library_paths: Sequence[str | Path],
    as_of: dt.date,
    *,
    workers: int = 2,
    progress: Progress | None = None,
    pathways: Iterable[str] | None = None,
    engine: str = "compiled",
    cache: bool = True,
    decide_at_most: int | None = None,
    cluster: Cluster | None = None,
) -> PopulationRun:
    """Every stored person against the library in ``library_paths`` as of ``as_of``.

    ``pathways`` limits the run to those pathways' stages (an empty list: none, e.g. the
    old side of an impact run for a pathway that is new); ``workers`` processes decide
    (and parse the stored records); ``engine`` is ``"compiled"`` (the population
    evaluator, :mod:`rules.popcode`), ``"batch"`` (:mod:`rules.batch`) or ``"durable"``
    (the durable-rules engine pool). With ``cache`` (compiled and batch), results are kept
    in the store per (library version, date, stages, person, record version): a repeat
    run decides only the records that changed since, and reads no others.
    ``progress(done, total)`` is called after each chunk of people. ``decide_at_most``
    refuses a run that would decide more people than that (the rest from the cache).
    With ``cluster`` (:class:`workforce.cluster.DaskCluster`), the people are decided in
    partitions on a Dask cluster, each partition reading its records from the database.

    Raises:
        NotComputed: if more than ``decide_at_most`` people would be decided.
        ValueError: for an unknown ``engine`` or ``workers`` below 1, or a cluster with a
            database only this process can read (in memory).
        pathways.model.library.UnknownPathwayError: (a KeyError) if ``pathways`` names a
            pathway the library does not have.
        rules.pool.WorkerError: if the durable-rules engine fails for a record.
    """
    if engine not in ENGINES:
        raise ValueError(f"unknown engine '{engine}': use one of {', '.join(ENGINES)}")
    if workers < 1:
        raise ValueError("workers must be at least 1")
    wanted = list(pathways) if pathways is not None else None
    if engine == "durable":
        return durable_run(store, library_paths, as_of, workers, progress, wanted)

    started = time.perf_counter()
    paths = [str(Path(p).resolve()) for p in library_paths]
    library = library_at(paths)
    library.pathway_ids(wanted)  # an unknown id: UnknownPathwayError, before any work
    keys = tuple(
        f"{pid}.{s.id}"
        for pid in (library.pathways if wanted is None else wanted)
        for s in library.pathways[pid].stages
    )
    scope = hashlib.sha256((CACHE_FORMAT + ",".join(keys)).encode()).hexdigest()[:16]
    if engine == "batch":  # the cache keeps one engine's results apart from the other's
        scope = "b" + scope[1:]
    remembered = (f"{id(store.engine)}:{store.engine.url}", library.digest, as_of, scope)
    stored = PopulationCache(store)
    fingerprint = stored.stamp() if cache else None
    if fingerprint is not None:
        recent = _RECENT.get(remembered)
        if recent is not None and recent[0] == fingerprint:
            run = replace(recent[1], people=list(recent[1].people), evaluated=0)
            run.cached = len(run.people)
            run.seconds = time.perf_counter() - started
            if progress is not None:
                progress(len(run.people), len(run.people))
            return run
    index = stored.index((library.digest, as_of, scope) if cache else None)
    # A record that names assessors is decided again every run: the cache is kept per
    # record version, and an assessor's record can change without it.
    named = stored.naming_assessors()
    todo = [row.person for row in index if row.result is None or row.person in named]
    if decide_at_most is not None and len(todo) > decide_at_most:
        raise NotComputed(
            f"{len(todo):,} of {len(index):,} people are not decided as of {as_of} with library "
            f"{library.digest[:12]}; a run of the whole workforce is needed first"
        )
    run = PopulationRun(library.digest, as_of, [], engine=ENGINES[engine], keys=keys)
    decided: dict[str, PersonResult] = {}
    total, kept = len(index), len(index) - len(todo)  # progress counts cached people as done

    def collect(ids: list[str], future: Any) -> None:
        packed = future.result()
        fresh = _unpack(packed, keys)
        decided.update((r.person, r) for r in fresh)
        run.evaluated += len(fresh)
        if cache:  # each result's cache text, written by the worker, is its last item
            saved = [(r[0], versions_of[r[0]], r[-1]) for r in packed[1]]
            stored.save(library.digest, as_of, scope, saved)
        if progress is not None:
            progress(kept + len(decided), total)

    versions_of = {row.person: row.version for row in index}
    if progress is not None and todo:
        progress(kept, total)
    # Workers read the records they decide themselves when they can open the database.
    source = shared_url(store)
    asked = tuple(wanted) if wanted is not None else None
    pool = None
    setup = (library.digest, tuple(paths), asked, engine)
    size, ahead = CHUNK, workers * 3  # a few chunks in flight per worker
    if cluster is not None:
        if source is None:
            raise ValueError(
                "a cluster's workers read the records from the database: use a database "
                "file or server, not an in-memory database"
            )
        size, ahead = cluster.partition, cluster.in_flight()
    elif todo:
        pool = _pool(workers)
    try:
        pending: list[tuple[list[str], Any]] = []
        for ids, rows in _chunks(stored, todo, source, size):
            # Records in hand (no database the workers can open) go with the records of
            # the assessors they name; workers that read the database read those too.
            lookup = _assessor_records(store, rows) if isinstance(rows, list) else None
            future: Any
            if cluster is not None:
                future = cluster.submit(library, paths, asked, engine, rows, as_of)
            elif pool is not None:
                future = pool.submit(decide_chunk, setup, rows, as_of, lookup)
            else:
                future = Future()
                future.set_result(decide_chunk(setup, rows, as_of, lookup))
            pending.append((ids, future))
            # Records are read as they are decided: never all at once.
            while len(pending) > ahead:
                collect(*pending.pop(0))
        for ids, future in pending:
            collect(ids, future)
    except BaseException:
        _drop_pool(pool)  # a broken or interrupted pool is not used again
        raise
    for pid, _version, ethnicity, gender, disability, result in index:
        if result is None or pid in named:
            run.people.append(decided[pid])
        else:
            run.people.append(_from_cache(pid, (ethnicity, gender, disability), keys, result))
            run.cached += 1
    if progress is not None and not todo:
        progress(len(index), len(index))
    run.seconds = time.perf_counter() - started
    if fingerprint is not None:
        _RECENT[remembered] = (fingerprint, replace(run, people=list(run.people)))
        while len(_RECENT) > RECENT_RUNS:
            _RECENT.popitem(last=False)
    return run


#: The last few runs of this process, by (store, library version, date, stages): a repeat
#: run on an unchanged store is answered from memory. Every change to a person (record or
#: protected characteristics) gives them a new version and the time of the change, and a
#: deletion lowers the count, so (count, sum of versions, latest change) tells whether the
#: store changed since.
_RECENT: OrderedDict[tuple[str, str, dt.date, str], tuple[str, PopulationRun]] = OrderedDict()
RECENT_RUNS = 8


def _assessor_records(store: Store, rows: list[RecordRow]) -> dict[str, str]:
    """The stored records (JSON) of the people ``rows`` name as assessors, by id."""
    names: set[str] = set()
    for text, *_ in rows:
        if not isinstance(text, str | bytes) or b'"assessors"' in _bytes(text):
            names |= named_in(orjson.loads(text) if isinstance(text, str | bytes) else dict(text))
    found = {n: store.get_person(n) for n in sorted(names)}
    return {n: p.model_dump_json() for n, p in found.items() if p is not None}


def _bytes(text: str | bytes) -> bytes:
    return text.encode() if isinstance(text, str) else text


def _chunks(
    stored: PopulationCache, ids: list[str], source: str | None, size: int = CHUNK
) -> Iterator[tuple[list[str], Any]]:
    """``ids`` in chunks, each with what a worker needs to decide it: the database to read
    the records from (``source``), or, where a worker cannot open it (an in-memory
    database), the records themselves."""
    for start in range(0, len(ids), size):
        chunk = ids[start : start + size]
        yield chunk, ((source, chunk) if source is not None else stored.records(chunk))


#: Worker pools kept between runs, by their number of processes, whatever the library: starting
#: one (processes and their imports) costs about a second of CPU per process, as much as
#: deciding 20,000 people. A worker keeps the compiled functions of the last few libraries
#: (and sets of stages) it decided with, so an impact preview of a new version costs the
#: version's compiling in each worker, not new processes.
_POOLS: OrderedDict[int, ProcessPoolExecutor] = OrderedDict()
POOLS_KEPT = 2


def _pool(workers: int) -> ProcessPoolExecutor | None:
    """The pool of ``workers`` processes (None for one worker: the caller's own process)."""
    if workers == 1:
        return None
    pool = _POOLS.get(workers)
    if pool is None:
        pool = ProcessPoolExecutor(
            workers, mp_context=multiprocessing.get_context("spawn"), initializer=start_worker
        )
        _POOLS[workers] = pool
        while len(_POOLS) > POOLS_KEPT:
            _POOLS.popitem(last=False)[1].shutdown(cancel_futures=True)
    _POOLS.move_to_end(workers)
    return pool


def _drop_pool(pool: ProcessPoolExecutor | None) -> None:
    for key, kept in list(_POOLS.items()):
        if kept is pool:
            del _POOLS[key]
    if pool is not None:
        pool.shutdown(wait=False, cancel_futures=True)


def close_pools() -> None:
    """Stop the worker processes kept between runs (also done when the process exits)."""
    while _POOLS:
        _POOLS.popitem()[1].shutdown(cancel_futures=True)


atexit.register(close_pools)


# --- the cache -------------------------------------------------------------------------------


def _from_cache(
    pid: str, protected: tuple[str | None, str | None, str | None], keys: tuple[str, ...], text: str
) -> PersonResult:
    kind, group, grade, codes, dates, joined = orjson.loads(text)
    ethnicity, gender, disability = protected
    return PersonResult(
        pid,
        kind,
        group,
        grade,
        ethnicity,
        gender,
        keys,
        bytes.fromhex(codes),
        {
            int(i): (
                dt.date.fromisoformat(a) if a else None,
                dt.date.fromisoformat(b) if b else None,
            )
            for i, (a, b) in dates.items()
        },
        dt.date.fromisoformat(joined) if joined else None,
        disability,
    )


def _unpack(packed: tuple[tuple[str, ...], list[Any]], keys: tuple[str, ...]) -> list[PersonResult]:
    worker_keys, rows = packed
    if worker_keys != keys:  # the workers loaded another library: never mix the two
        raise RuntimeError("a worker decided other stages than this run's")
    return [
        PersonResult(r[0], r[1], r[2], r[3], r[4], r[5], keys, r[6], r[7], r[8], r[9]) for r in rows
    ]
