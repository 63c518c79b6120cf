"""The stored workforce evaluated against a library as of a date: input to every report.

A :class:`PopulationRun` is one row per person (:class:`PersonResult`): the facts
reports group by (business group, rank or band, ethnicity, gender) and every stage's
status and dates, kept compactly (a byte per stage) so that a national workforce fits
in memory. Reports (pipeline, equality, impact) read runs and never evaluate.

By default the run uses the population evaluator (:mod:`rules.popcode`: the compiled
rules written out as Python once per library version, equal to the engine on every
stage by ``tests/test_popcode.py``) in worker processes that read the stored records as
JSON, with no record objects; ``engine="batch"`` uses :class:`rules.batch.BatchEvaluator`
and ``engine="durable"`` the durable-rules engine pool instead.

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
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

import orjson

from accreditation.postings import group_on
from accreditation.record import Person
from pathways.loader import load_library
from pathways.model.catalogue import UnitEntry
from pathways.model.library import Library
from pathways.problems import CareerPathwaysError
from rules.batch import BATCH_ENGINE, BatchEvaluator
from rules.decision import DecisionSummary, StageStatus, Status
from rules.pool import EnginePool
from rules.popcode import POPULATION_ENGINE, PopulationEvaluator
from store import Store
from store.population import PopulationCache, RecordReader, RecordRow, shared_url

__all__ = [
    "STATUSES",
    "Cluster",
    "NotComputed",
    "PersonResult",
    "PopulationRun",
    "evaluate_population",
    "person_facts",
]

#: ``progress(done, total)``, called now and then during a run.
Progress = Callable[[int, int], None]
STATUSES: tuple[Status, ...] = tuple(Status)  # the order of rules.batch.STATUS_CODES
NOT_DECIDED = 255
CHUNK = 500
#: Part of the cache key: results cached in an older layout are not read back.
CACHE_FORMAT = "2:"
ENGINES = {"compiled": POPULATION_ENGINE, "batch": BATCH_ENGINE, "durable": "durable-rules"}

Dates = dict[int, tuple[dt.date | None, dt.date | None]]


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


@dataclass(frozen=True, slots=True)
class PersonResult:
    """One person's facts for grouping, and every stage's status on the run's date."""

    person: str
    kind: str
    business_group: str | None
    grade: str | None  # current rank (officers) or band (staff)
    ethnicity: str | None
    gender: str | None
    keys: tuple[str, ...]  # "pathway.stage", shared by every person of a run
    codes: bytes  # a status code per key (255: not in force on the date)
    dates: Dates = field(default_factory=dict)  # key position -> (eligible_from, lapsed_on)
    joined: dt.date | None = None  # reports count a person only from this day on
    disability: str | None = None

    def status_of(self, key: str) -> str | None:
        """The status value of ``pathway.stage`` (``"held"`` ...), None if not decided."""
        try:
            code = self.codes[self.keys.index(key)]
        except ValueError:
            return None
        return None if code == NOT_DECIDED else STATUSES[code].value

    def status(self, pathway: str, stage: str) -> str | None:
        return self.status_of(f"{pathway}.{stage}")

    def eligible_from(self, key: str) -> dt.date | None:
        """The day the stage becomes eligible, for ``eligible_from`` statuses."""
        try:
            return self.dates.get(self.keys.index(key), (None, None))[0]
        except ValueError:
            return None

    @property
    def stages(self) -> dict[str, StageStatus]:
        """Every decided stage as a :class:`StageStatus` (made on demand)."""
        out = {}
        for i, (key, code) in enumerate(zip(self.keys, self.codes, strict=True)):
            if code == NOT_DECIDED:
                continue
            pathway, _, stage = key.partition(".")
            eligible_from, lapsed_on = self.dates.get(i, (None, None))
            out[key] = StageStatus(
                pathway=pathway,
                stage=stage,
                status=STATUSES[code],
                eligible_from=eligible_from,
                lapsed_on=lapsed_on,
            )
        return out


@dataclass
class PopulationRun:
    """Every stored person's result against one library version as of one date."""

    library_version: str
    as_of: dt.date
    people: list[PersonResult]
    seconds: float = 0.0
    evaluated: int = 0  # decided in this run
    cached: int = 0  # taken from the cache
    engine: str = ""
    notes: list[str] = field(default_factory=list)
    keys: tuple[str, ...] = ()  # the stages decided ("pathway.stage"), even with no people


def grouping(
    person: Person, as_of: dt.date, units: Mapping[str, UnitEntry] | None = None
) -> tuple[str | None, str | None]:
    """(business group, grade) on ``as_of``: the current posting's group (that day's group
    of its unit, if the catalogue dates the unit's moves) and rank or band."""
    grade = None
    for held in (*person.ranks, *person.bands):
        if held.start <= as_of and (held.end is None or held.end >= as_of):
            grade = getattr(held, "rank", None) or getattr(held, "band", None)
    group = None
    for posting in person.postings:
        if posting.start <= as_of and (posting.end is None or posting.end >= as_of):
            group = group_on(posting, as_of, units or {})
    return group, grade


def record_grouping(
    record: dict[str, Any], as_of: str, units: Mapping[str, UnitEntry] | None = None
) -> tuple[str | None, str | None]:
    """:func:`grouping` of a stored record (JSON data; ``as_of`` an ISO date)."""
    grade = None
    for held in (*(record.get("ranks") or ()), *(record.get("bands") or ())):
        if held["start"] <= as_of and (not held.get("end") or held["end"] >= as_of):
            grade = held.get("rank") or held.get("band")
    group = None
    for posting in record.get("postings") or ():
        if posting["start"] <= as_of and (not posting.get("end") or posting["end"] >= as_of):
            group = posting["business_group"]
            unit = units.get(posting.get("unit") or "") if units else None
            if unit is not None:
                group = unit.group_on(dt.date.fromisoformat(as_of)) or group
    return group, grade


def person_facts(
    person: Person,
    as_of: dt.date,
    summary: DecisionSummary,
    units: Mapping[str, UnitEntry] | None = None,
) -> PersonResult:
    """A :class:`PersonResult` from a record and its statuses on ``as_of``."""
    group, grade = grouping(person, as_of, units)
    keys = tuple(f"{s.pathway}.{s.stage}" for s in summary.stages)
    dates = {
        i: (s.eligible_from, s.lapsed_on)
        for i, s in enumerate(summary.stages)
        if s.eligible_from is not None or s.lapsed_on is not None
    }
    return PersonResult(
        person.id,
        person.kind.value,
        group,
        grade,
        person.protected.ethnicity,
        person.protected.gender,
        keys,
        bytes(STATUSES.index(s.status) for s in summary.stages),
        dates,
        person.joined,
        person.protected.disability,
    )


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
        return _durable(store, library_paths, as_of, workers, progress, wanted)

    started = time.perf_counter()
    paths = [str(Path(p).resolve()) for p in library_paths]
    library = _library(paths)
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
                future = pool.submit(_decide_chunk, setup, rows, as_of, lookup)
            else:
                future = Future()
                future.set_result(_decide_chunk(setup, rows, as_of, lookup))
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


_LIBRARIES: OrderedDict[tuple[Any, ...], Library] = OrderedDict()


def _library(paths: list[str]) -> Library:
    """The library in ``paths``, parsed once while its files stay the same (their paths,
    sizes and modification times)."""
    files = []
    for path in paths:
        found = sorted(Path(path).rglob("*.y*ml")) if Path(path).is_dir() else [Path(path)]
        files += [(str(f), f.stat().st_mtime_ns, f.stat().st_size) for f in found]
    key = (tuple(paths), tuple(files))
    library = _LIBRARIES.get(key)
    if library is None:
        library = load_library(paths)
        _LIBRARIES[key] = library
        while len(_LIBRARIES) > RECENT_RUNS:
            _LIBRARIES.popitem(last=False)
    return library


def _named(data: dict[str, Any]) -> set[str]:
    return {n for a in data.get("assessments") or () for n in a.get("assessors") or ()}


def _assessor_records(store: Store, rows: list[RecordRow]) -> dict[str, str]:
    """The stored records (JSON) of the people ``rows`` name as assessors, by id."""
    names: set[str] = set()
    for text, *_ in rows:
        if not isinstance(text, str | bytes) or b'"assessors"' in _bytes(text):
            names |= _named(orjson.loads(text) if isinstance(text, str | bytes) else dict(text))
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
            workers, mp_context=multiprocessing.get_context("spawn"), initializer=_start_worker
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


def _pack(
    kind: str,
    group: str | None,
    grade: str | None,
    codes: bytes,
    dates: dict[int, tuple[dt.date | None, dt.date | None]],
    joined: dt.date | None,
) -> str:
    """A person's result as the cache keeps it (:func:`_from_cache` reads it back)."""
    days = {str(i): [d.isoformat() if d else None for d in pair] for i, pair in dates.items()}
    when = joined.isoformat() if joined else None
    return orjson.dumps([kind, group, grade, codes.hex(), days, when]).decode()


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


# --- in the worker processes ---------------------------------------------------------------

_WORKER: dict[str, Any] = {}


def _start_worker() -> None:
    if multiprocessing.parent_process() is not None:
        _watch_parent()


#: In a worker (or the caller, for one worker): the decide functions of the last few
#: (library version, paths, stages, engine).
_STATES: OrderedDict[tuple[Any, ...], dict[str, Any]] = OrderedDict()
STATES_KEPT = 4


def _state(setup: tuple[Any, ...]) -> dict[str, Any]:
    state = _STATES.get(setup)
    if state is None:
        _digest, paths, wanted, engine = setup
        library = _library(list(paths))
        state = _STATES[setup] = worker_state(
            library, list(wanted) if wanted is not None else None, engine
        )
        while len(_STATES) > STATES_KEPT:
            _STATES.popitem(last=False)
    _STATES.move_to_end(setup)
    return state


def worker_state(library: Library, pathways: list[str] | None, engine: str) -> dict[str, Any]:
    """What a worker decides with: the engine, its stage keys and the compiled function (or
    the batch evaluator)."""
    units = {u.id: u for u in library.catalogue.units}
    if engine == "batch":
        batch = BatchEvaluator(library)
        keys = batch.stage_keys(pathways)
        return {"engine": engine, "evaluator": batch, "keys": keys, "units": units}
    evaluator = PopulationEvaluator(library)
    keys = evaluator.stage_keys(pathways)
    return {
        "engine": engine,
        "decide": evaluator.function(keys),
        "keys": keys,
        "units": units,
        "needs_lookup": bool(evaluator.needs.assessed),
    }


def _watch_parent() -> None:
    """End this worker process when the process that started it is gone (killed with
    SIGKILL, it could not stop its pool): a worker is never left behind."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _read(source: str, ids: list[str]) -> list[RecordRow]:
    """In a worker: the records of ``ids`` from the database at ``source``."""
    readers = _WORKER.setdefault("databases", {})
    reader = readers.get(source)
    if reader is None:
        reader = readers[source] = RecordReader(source)
    rows: list[RecordRow] = reader(ids)
    return rows


def _decide_chunk(
    setup: tuple[Any, ...], work: Any, as_of: dt.date, lookup: dict[str, str] | None = None
) -> tuple[tuple[str, ...], list[Any]]:
    rows: list[RecordRow] = _read(*work) if isinstance(work, tuple) else work
    reader = (lambda ids: _read(work[0], ids)) if isinstance(work, tuple) else None
    return decide_rows(_state(setup), rows, as_of, lookup, reader)


def decide_rows(
    state: dict[str, Any],
    rows: list[RecordRow],
    as_of: dt.date,
    lookup: dict[str, str] | None = None,
    reader: Callable[[list[str]], list[RecordRow]] | None = None,
) -> tuple[tuple[str, ...], list[Any]]:
    """Decide ``rows``; the records of the assessors they name come from ``lookup`` (JSON
    by id), else are read with ``reader`` (a worker that reads the database). Each result
    ends with its text for the cache, written here so that the workers, not the process
    saving the results, spend the time."""
    keys, out = _decide_rows(state, rows, as_of, lookup, reader)
    return keys, [(*r, _pack(r[1], r[2], r[3], r[6], r[7], r[8])) for r in out]


def _decide_rows(
    state: dict[str, Any],
    rows: list[RecordRow],
    as_of: dt.date,
    lookup: dict[str, str] | None,
    reader: Callable[[list[str]], list[RecordRow]] | None,
) -> tuple[tuple[str, ...], list[Any]]:
    keys = state["keys"]
    datas = []
    for text, ethnicity, gender, disability in rows:
        data = orjson.loads(text) if isinstance(text, str | bytes) else dict(text)
        data["protected"] = {"ethnicity": ethnicity, "gender": gender, "disability": disability}
        datas.append((data, ethnicity, gender, disability))
    assessors = _assessors(datas, lookup, reader)
    if state["engine"] == "batch":
        return keys, _batch_chunk(state, datas, as_of, assessors)
    decide = state["decide"]
    units = state["units"]
    day, iso = as_of.toordinal(), as_of.isoformat()
    out = []
    for data, ethnicity, gender, disability in datas:
        if state["needs_lookup"]:
            codes, dates = decide(data, day, iso, assessors)
        else:
            codes, dates = decide(data, day, iso)
        group, grade = record_grouping(data, iso, units)
        joined = dt.date.fromisoformat(data["joined"])
        out.append(
            (
                data["id"],
                data["kind"],
                group,
                grade,
                ethnicity,
                gender,
                codes,
                dates,
                joined,
                disability,
            )
        )
    return keys, out


def _assessors(
    datas: list[tuple[Any, ...]],
    lookup: dict[str, str] | None,
    reader: Callable[[list[str]], list[RecordRow]] | None,
) -> dict[str, Person]:
    """The records of the people ``datas`` name as assessors, as :class:`Person`."""
    if lookup is not None:
        return {n: Person.model_validate_json(text) for n, text in lookup.items()}
    names = sorted(set().union(*(_named(d) for d, *_ in datas)))
    if not names or reader is None:
        return {}
    found: dict[str, Person] = {}
    for row in reader(names):
        data = orjson.loads(row.record) if isinstance(row.record, str | bytes) else row.record
        found[data["id"]] = Person.model_validate(data)
    return found


def _batch_chunk(
    state: dict[str, Any],
    datas: list[tuple[Any, ...]],
    as_of: dt.date,
    assessors: dict[str, Person],
) -> list[Any]:
    evaluator = state["evaluator"]
    keys = state["keys"]
    out = []
    for data, ethnicity, gender, disability in datas:
        person = Person.model_validate(data)
        codes, dates = evaluator.compact(person, as_of, keys, assessors)
        group, grade = grouping(person, as_of, state["units"])
        out.append(
            (
                person.id,
                person.kind.value,
                group,
                grade,
                ethnicity,
                gender,
                codes,
                dates,
                person.joined,
                disability,
            )
        )
    return out


def _unpack(packed: tuple[tuple[str, ...], list[Any]], keys: tuple[str, ...]) -> list[PersonResult]:
    worker_keys, rows = packed
    if worker_keys != keys:  # the workers loaded another library: never mix the two
        raise RuntimeError("a worker decided other stages than this run's")
    return [
        PersonResult(r[0], r[1], r[2], r[3], r[4], r[5], keys, r[6], r[7], r[8], r[9]) for r in rows
    ]


# --- the durable-rules engine ----------------------------------------------------------------


def _durable(
    store: Store,
    library_paths: Sequence[str | Path],
    as_of: dt.date,
    workers: int,
    progress: Progress | None,
    wanted: list[str] | None,
) -> PopulationRun:

    started = time.perf_counter()
    everyone = list(store.iter_people())
    total = len(everyone)
    results: list[PersonResult] = []
    version = ""
    engine = ""
    units = {u.id: u for u in load_library(library_paths).catalogue.units}
    by_id = {p.id: p for p in everyone}
    named = {n for p in everyone for a in p.assessments for n in a.assessors}
    assessors = {n: by_id[n] for n in named if n in by_id}
    with EnginePool(library_paths, workers=workers) as pool:
        summaries = pool.summaries(everyone, as_of, wanted, assessors)
        for person, summary in zip(everyone, summaries, strict=True):
            results.append(person_facts(person, as_of, summary, units))
            version, engine = summary.library_version, summary.engine
            if progress is not None and len(results) % 1000 == 0:
                progress(len(results), total)
    if progress is not None:
        progress(total, total)
    return PopulationRun(
        library_version=version,
        as_of=as_of,
        people=results,
        seconds=time.perf_counter() - started,
        evaluated=total,
        engine=engine,
        keys=results[0].keys if results else (),
    )
