"""The stored workforce evaluated against a library as of a date: input to every report.

A :class:`PopulationRun` is one row per person (:class:`PersonResult`): the facts
reports group by (business group, rank or band, ethnicity, gender) and every stage's
status and dates, kept compactly (a byte per stage) so that a national workforce fits
in memory. Reports (pipeline, equality, impact) read runs and never evaluate.

By default the run uses :class:`rules.batch.BatchEvaluator` (the rules compiled for
durable-rules, matched in Python; proved equal to the engine by ``tests/test_batch.py``)
in worker processes that also parse the stored records; ``engine="durable"`` uses the
durable-rules engine pool instead.

>>> import datetime as dt
>>> from store import Store
>>> from workforce.synthetic import generate_people
>>> from pathways import SHIPPED_LIBRARY
>>> store = Store("sqlite://")
>>> _ = store.save_people(generate_people(20, seed=3), actor="doctest")
>>> run = evaluate_population(store, [SHIPPED_LIBRARY], dt.date(2024, 6, 1), workers=1)
>>> len(run.people), run.engine.startswith("batch")
(20, True)
>>> run.people[0].status("promotion", "constable") in {"held", "not_eligible", "eligible"}
True
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import multiprocessing
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import String, delete, insert, select, type_coerce

from accreditation.record import Person
from pathways.loader import load_library
from rules.batch import BATCH_ENGINE, BatchEvaluator
from rules.decision import DecisionSummary, StageStatus, Status
from rules.pool import EnginePool
from store import Store
from store.schema import people, population_cache, protected

__all__ = [
    "STATUSES",
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

Dates = dict[int, tuple[dt.date | None, dt.date | None]]


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


def grouping(person: Person, as_of: dt.date) -> tuple[str | None, str | None]:
    """(business group, grade) on ``as_of``: the current posting's group and rank or band."""
    grade = None
    for held in (*person.ranks, *person.bands):
        if held.start <= as_of and (held.end is None or held.end >= as_of):
            grade = getattr(held, "rank", None) or getattr(held, "band", None)
    group = None
    for posting in person.postings:
        if posting.start <= as_of and (posting.end is None or posting.end >= as_of):
            group = posting.business_group
    return group, grade


def person_facts(person: Person, as_of: dt.date, summary: DecisionSummary) -> PersonResult:
    """A :class:`PersonResult` from a record and its statuses on ``as_of``."""
    group, grade = grouping(person, as_of)
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


def evaluate_population(
    store: Store,
    library_paths: Sequence[str | Path],
    as_of: dt.date,
    *,
    workers: int = 2,
    progress: Progress | None = None,
    pathways: Iterable[str] | None = None,
    engine: str = "batch",
    cache: bool = True,
) -> PopulationRun:
    """Every stored person against the library in ``library_paths`` as of ``as_of``.

    ``pathways`` limits the run to those pathways' stages (an empty list: none, e.g. the
    old side of an impact run for a pathway that is new); ``workers`` processes decide
    (and, with the batch evaluator, parse the stored records); ``engine`` is ``"batch"``
    or ``"durable"``. With ``cache`` (batch only), results are kept in the store per
    (library version, date, stages, person, record version): a repeat run decides only
    the records that changed since.

    Raises:
        ValueError: for an unknown ``engine`` or ``workers`` below 1.
        KeyError: if ``pathways`` names a pathway the library does not have.
        rules.pool.WorkerError: if the durable-rules engine fails for a record.
    """
    if engine not in ("batch", "durable"):
        raise ValueError(f"unknown engine '{engine}': use 'batch' or 'durable'")
    if workers < 1:
        raise ValueError("workers must be at least 1")
    wanted = list(pathways) if pathways is not None else None
    if engine == "durable":
        return _durable(store, library_paths, as_of, workers, progress, wanted)

    started = time.perf_counter()
    total = store.count_people()
    paths = [str(Path(p).resolve()) for p in library_paths]
    library = load_library(paths)
    for pid in wanted or []:
        if pid not in library.pathways:
            raise KeyError(f"unknown pathway '{pid}'")
    keys = tuple(
        f"{pid}.{s.id}"
        for pid in (library.pathways if wanted is None else wanted)
        for s in library.pathways[pid].stages
    )
    scope = hashlib.sha256((CACHE_FORMAT + ",".join(keys)).encode()).hexdigest()[:16]
    hits = load_cached(store, library.digest, as_of, scope) if cache else {}
    run = PopulationRun(library.digest, as_of, [], engine=BATCH_ENGINE, keys=keys)

    def collect(rows: list[tuple[Any, ...]], future: Future[Any] | None) -> None:
        decided: dict[str, PersonResult] = {}
        if future is not None:
            fresh = _unpack(future.result(), keys)
            decided = {r.person: r for r in fresh}
            run.evaluated += len(fresh)
            if cache:
                versions = {r[0]: r[1] for r in rows}
                save_cached(store, library.digest, as_of, scope, fresh, versions)
        for pid, _version, _, ethnicity, gender, disability in rows:
            found = decided.get(pid)
            if found is None:
                found = _from_cache(pid, (ethnicity, gender, disability), keys, hits[pid][1])
                run.cached += 1
            run.people.append(found)
        if progress is not None:
            progress(len(run.people), total)

    pool: ProcessPoolExecutor | None = None
    if workers == 1:
        _start_worker(paths, wanted)
    else:
        pool = ProcessPoolExecutor(
            workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_worker,
            initargs=(paths, wanted),
        )
    try:
        pending: list[tuple[list[tuple[Any, ...]], Future[Any] | None]] = []
        for rows in _raw_chunks(store):
            todo = [r[2:] for r in rows if hits.get(r[0], (None, ""))[0] != r[1]]
            future: Future[Any] | None = None
            if todo:
                if pool is not None:
                    future = pool.submit(_decide_chunk, todo, as_of)
                else:
                    future = Future()
                    future.set_result(_decide_chunk(todo, as_of))
            pending.append((rows, future))
            # A few chunks in flight per worker: records are read as they are decided.
            while len(pending) > workers * 3:
                collect(*pending.pop(0))
        for rows, future in pending:
            collect(rows, future)
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    run.seconds = time.perf_counter() - started
    return run


def _raw_chunks(store: Store, size: int = CHUNK) -> Iterator[list[tuple[Any, ...]]]:
    """Stored rows as (id, version, record JSON text, ethnicity, gender, disability), in
    id order."""
    last = ""
    query = (
        select(
            people.c.id,
            people.c.version,
            type_coerce(people.c.record, String),
            protected.c.ethnicity,
            protected.c.gender,
            protected.c.disability,
        )
        .select_from(people.outerjoin(protected, protected.c.person_id == people.c.id))
        .order_by(people.c.id)
        .limit(size)
    )
    while True:
        with store.engine.connect() as conn:
            rows = conn.execute(query.where(people.c.id > last)).all()
        if not rows:
            return
        yield [tuple(r) for r in rows]
        last = rows[-1][0]


# --- the cache -------------------------------------------------------------------------------


def load_cached(
    store: Store, version: str, as_of: dt.date, scope: str
) -> dict[str, tuple[int, str]]:
    """person id -> (record version, packed result) cached for this run's key."""
    query = select(
        population_cache.c.person_id, population_cache.c.record_version, population_cache.c.result
    ).where(
        population_cache.c.library_version == version,
        population_cache.c.as_of == as_of,
        population_cache.c.scope == scope,
    )
    with store.engine.connect() as conn:
        return {r[0]: (r[1], r[2]) for r in conn.execute(query)}


def save_cached(
    store: Store,
    version: str,
    as_of: dt.date,
    scope: str,
    results: list[PersonResult],
    record_versions: dict[str, int],
) -> None:
    """Replace the cached results of these people, in one transaction."""
    key = (
        (population_cache.c.library_version == version)
        & (population_cache.c.as_of == as_of)
        & (population_cache.c.scope == scope)
    )
    ids = [r.person for r in results]
    with store.transaction() as conn:
        conn.execute(delete(population_cache).where(key & population_cache.c.person_id.in_(ids)))
        conn.execute(
            insert(population_cache),
            [
                {
                    "library_version": version,
                    "as_of": as_of,
                    "scope": scope,
                    "person_id": r.person,
                    "record_version": record_versions[r.person],
                    "result": _pack(r),
                }
                for r in results
            ],
        )


def _pack(r: PersonResult) -> str:
    dates = {str(i): [d.isoformat() if d else None for d in pair] for i, pair in r.dates.items()}
    joined = r.joined.isoformat() if r.joined else None
    return json.dumps([r.kind, r.business_group, r.grade, r.codes.hex(), dates, joined])


def _from_cache(
    pid: str, protected: tuple[str | None, str | None, str | None], keys: tuple[str, ...], text: str
) -> PersonResult:
    kind, group, grade, codes, dates, joined = json.loads(text)
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


def _start_worker(paths: list[str], pathways: list[str] | None) -> None:

    evaluator = BatchEvaluator(load_library(paths))
    _WORKER.update(
        evaluator=evaluator,
        keys=evaluator.stage_keys(pathways),  # pathways=[]: no stages, as in the caller
        version=evaluator.library.digest,
    )


def _decide_chunk(rows: list[tuple[Any, ...]], as_of: dt.date) -> tuple[tuple[str, ...], list[Any]]:
    evaluator = _WORKER["evaluator"]
    keys = _WORKER["keys"]
    out = []
    for text, ethnicity, gender, disability in rows:
        data = json.loads(text) if isinstance(text, str) else dict(text)
        data["protected"] = {"ethnicity": ethnicity, "gender": gender, "disability": disability}
        person = Person.model_validate(data)
        codes, dates = evaluator.compact(person, as_of, keys)
        group, grade = grouping(person, as_of)
        kind = person.kind.value
        out.append(
            (
                person.id,
                kind,
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
    return keys, out


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
    with EnginePool(library_paths, workers=workers) as pool:
        for person, summary in zip(everyone, pool.summaries(everyone, as_of, wanted), strict=True):
            results.append(person_facts(person, as_of, summary))
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
