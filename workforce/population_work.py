"""What a population run's worker processes do: read records from the database, decide
them with the population evaluator (or the batch evaluator), and write each result's text
for the cache; and the facts reports group people by (:func:`grouping`).

:func:`workforce.population.evaluate_population` hands chunks to :func:`decide_chunk` in a
process pool, or to :func:`decide_rows` on a Dask worker (:mod:`workforce.cluster`); each
returns (stage keys, one tuple per person, its last item the cache text).
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import orjson

from accreditation.postings import group_on
from accreditation.record import Person
from pathways.loader import load_library
from pathways.model.catalogue import UnitEntry
from pathways.model.library import Library
from rules.batch import BatchEvaluator
from rules.popcode import PopulationEvaluator
from store.population import RecordReader, RecordRow

__all__ = [
    "decide_chunk",
    "decide_rows",
    "grouping",
    "library_at",
    "named_in",
    "record_grouping",
    "start_worker",
    "worker_state",
]

#: Libraries kept parsed, by their files.
LIBRARIES_KEPT = 8


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


_LIBRARIES: OrderedDict[tuple[Any, ...], Library] = OrderedDict()


def library_at(paths: list[str]) -> Library:
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
        while len(_LIBRARIES) > LIBRARIES_KEPT:
            _LIBRARIES.popitem(last=False)
    return library


def named_in(data: dict[str, Any]) -> set[str]:
    """The ids of the assessors a stored record (JSON data) names."""
    return {n for a in data.get("assessments") or () for n in a.get("assessors") or ()}


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


# --- in the worker processes ---------------------------------------------------------------

_WORKER: dict[str, Any] = {}


def start_worker() -> None:
    """A pool process's initializer: it ends when the process that started it is gone."""
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
        library = library_at(list(paths))
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


def decide_chunk(
    setup: tuple[Any, ...], work: Any, as_of: dt.date, lookup: dict[str, str] | None = None
) -> tuple[tuple[str, ...], list[Any]]:
    """Decide a chunk: ``work`` is (database URL, ids) for a worker that reads the records
    itself, else the records; ``setup`` (library digest, paths, pathways, engine) picks the
    decide function, compiled once per worker."""
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
    names = sorted(set().union(*(named_in(d) for d, *_ in datas)))
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
