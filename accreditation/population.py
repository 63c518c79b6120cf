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
>>> from accreditation.store import Store
>>> from accreditation.synthetic import generate_people
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
import json
import multiprocessing
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import String, select, type_coerce

from rules.decision import DecisionSummary, StageStatus, Status

from .record import Person
from .store import Store
from .store.schema import people, protected

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
) -> PopulationRun:
    """Every stored person against the library in ``library_paths`` as of ``as_of``.

    ``pathways`` limits the run to those pathways' stages; ``workers`` processes decide
    (and, with the batch evaluator, parse the stored records); ``engine`` is ``"batch"``
    or ``"durable"``.

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
    from rules.batch import BATCH_ENGINE

    results: list[PersonResult] = []
    if workers == 1:
        _start_worker(paths, wanted)
        for chunk in _raw_chunks(store):
            results += _unpack(_decide_chunk(chunk, as_of))
            if progress is not None:
                progress(len(results), total)
    else:
        ctx = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(
            workers, mp_context=ctx, initializer=_start_worker, initargs=(paths, wanted)
        ) as pool:
            pending: list[Future[Any]] = []
            for chunk in _raw_chunks(store):
                pending.append(pool.submit(_decide_chunk, chunk, as_of))
                # Keep a few chunks in flight per worker, so records are read as they are
                # decided rather than all at once.
                while len(pending) > workers * 3:
                    results += _unpack(pending.pop(0).result())
                    if progress is not None:
                        progress(len(results), total)
            for future in pending:
                results += _unpack(future.result())
                if progress is not None:
                    progress(len(results), total)
    version = _WORKER["version"] if workers == 1 else _version_of(paths)
    return PopulationRun(
        library_version=version,
        as_of=as_of,
        people=results,
        seconds=time.perf_counter() - started,
        evaluated=len(results),
        engine=BATCH_ENGINE,
    )


def _raw_chunks(store: Store, size: int = CHUNK) -> Iterator[list[tuple[Any, ...]]]:
    """Stored rows as (record JSON text, ethnicity, gender, disability), in id order."""
    last = ""
    query = (
        select(
            people.c.id,
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
        yield [tuple(r[1:]) for r in rows]
        last = rows[-1][0]


# --- in the worker processes ---------------------------------------------------------------

_WORKER: dict[str, Any] = {}


def _start_worker(paths: list[str], pathways: list[str] | None) -> None:
    from pathways.loader import load_library
    from rules.batch import BatchEvaluator

    evaluator = BatchEvaluator(load_library(paths))
    _WORKER.update(
        evaluator=evaluator,
        keys=evaluator.stage_keys(pathways),
        version=evaluator.library.digest,
    )


def _version_of(paths: list[str]) -> str:
    from pathways.loader import load_library

    return load_library(paths).digest


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
        out.append((person.id, person.kind.value, group, grade, ethnicity, gender, codes, dates))
    return keys, out


def _unpack(packed: tuple[tuple[str, ...], list[Any]]) -> list[PersonResult]:
    keys, rows = packed
    shared = _KEYS.setdefault(keys, keys)  # one tuple of keys for the whole run
    return [PersonResult(r[0], r[1], r[2], r[3], r[4], r[5], shared, r[6], r[7]) for r in rows]


_KEYS: dict[tuple[str, ...], tuple[str, ...]] = {}


# --- the durable-rules engine ----------------------------------------------------------------


def _durable(
    store: Store,
    library_paths: Sequence[str | Path],
    as_of: dt.date,
    workers: int,
    progress: Progress | None,
    wanted: list[str] | None,
) -> PopulationRun:
    from rules.pool import EnginePool

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
    )
