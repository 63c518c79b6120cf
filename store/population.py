"""What whole-workforce runs read and keep: every person's record version and cached result,
records by id, the population cache, and a stamp of the records that changes with them.

``workforce.population`` decides; this module holds its SQL (no SQL outside ``store/``).
A cached result is one person's statuses under one library version on one date for one
set of stages (``scope``), valid while the person's record keeps the version it had.

>>> import datetime as dt
>>> from store import Store
>>> from accreditation import Person
>>> store = Store("sqlite://")
>>> cache = PopulationCache(store)
>>> empty = cache.stamp()
>>> _ = store.save_people(
...     [Person.model_validate({"id": "W1", "kind": "officer", "joined": "2020-01-06"})], "t")
>>> cache.stamp() != empty
True
>>> key = ("v" * 64, dt.date(2024, 6, 1), "s")
>>> cache.index(key)
[IndexRow(person='W1', version=1, ethnicity=None, gender=None, disability=None, result=None)]
>>> cache.save(*key, [("W1", 1, '["officer"]')])
>>> cache.index(key)[0].result
'["officer"]'
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from sqlalchemy import (
    Engine,
    String,
    cast,
    create_engine,
    delete,
    func,
    null,
    select,
    type_coerce,
)
from sqlalchemy.pool import NullPool

from .schema import people, population_cache, protected
from .store import Store

__all__ = [
    "IndexRow",
    "PopulationCache",
    "RecordReader",
    "RecordRow",
    "records_stamp",
    "shared_url",
]

#: (library version, date, scope): what a cached result was made for.
CacheKey = tuple[str, dt.date, str]


class IndexRow(NamedTuple):
    """A stored person: record version, protected characteristics, cached result (or None)."""

    person: str
    version: int
    ethnicity: str | None
    gender: str | None
    disability: str | None
    result: str | None


class RecordRow(NamedTuple):
    """A stored record as JSON text (or, as some drivers give it, already parsed), with the
    protected characteristics kept apart from it."""

    record: str | dict[str, Any]
    ethnicity: str | None
    gender: str | None
    disability: str | None


def records_stamp(store: Store) -> str:
    """A stamp of every stored record that changes whenever one does.

    Every change to a person (record or protected characteristics) gives them a new version
    and the time of the change, and a deletion lowers the count, so (count, sum of
    versions, latest change) differs after any change.
    """
    query = select(func.count(), func.sum(people.c.version), func.max(people.c.updated_at))
    with store.engine.connect() as conn:
        count, versions, latest = conn.execute(query).one()
    when = latest.isoformat() if isinstance(latest, dt.datetime) else str(latest)
    return f"{count}:{versions or 0}:{when}"


def shared_url(store: Store) -> str | None:
    """The URL another process (or machine) opens this database with, password and all;
    None for an in-memory SQLite database, which only this process can read."""
    url = store.engine.url
    if url.get_backend_name() == "sqlite":
        if url.database in (None, "", ":memory:"):
            return None
        if not url.database.startswith("file:"):
            # A relative file is relative to this process's directory; worker processes are
            # kept between runs and may have started in another (seen in the test suite).
            url = url.set(database=str(Path(url.database).resolve()))
    return url.render_as_string(hide_password=False)


_RECORDS = select(
    type_coerce(people.c.record, String),
    protected.c.ethnicity,
    protected.c.gender,
    protected.c.disability,
).select_from(people.outerjoin(protected, protected.c.person_id == people.c.id))


#: Records that name someone as an assessor (their JSON has a non-empty "assessors" list).
_NAMES_ASSESSORS = cast(people.c.record, String).like('%"assessors": ["%')


def _records(engine: Engine, ids: Sequence[str]) -> list[RecordRow]:
    with engine.connect() as conn:
        rows = conn.execute(_RECORDS.where(people.c.id.in_(list(ids))))
        return [RecordRow(r[0], r[1], r[2], r[3]) for r in rows]


class PopulationCache:
    """The population cache and the reads of a population run, on ``store``."""

    def __init__(self, store: Store):
        self.store = store

    def stamp(self) -> str:
        """:func:`records_stamp` of this store."""
        return records_stamp(self.store)

    def index(self, key: CacheKey | None) -> list[IndexRow]:
        """Every stored person in id order, in one query, with the result cached for ``key``
        (None unless it was made for the record's present version; always None without a
        key)."""
        joined = people.outerjoin(protected, protected.c.person_id == people.c.id)
        kept: Any = null()
        if key is not None:
            version, as_of, scope = key
            joined = joined.outerjoin(
                population_cache,
                (population_cache.c.person_id == people.c.id)
                & (population_cache.c.library_version == version)
                & (population_cache.c.as_of == as_of)
                & (population_cache.c.scope == scope)
                & (population_cache.c.record_version == people.c.version),
            )
            kept = population_cache.c.result
        query = (
            select(
                people.c.id,
                people.c.version,
                protected.c.ethnicity,
                protected.c.gender,
                protected.c.disability,
                kept,
            )
            .select_from(joined)
            .order_by(people.c.id)
        )
        with self.store.engine.connect() as conn:
            return [IndexRow(r[0], r[1], r[2], r[3], r[4], r[5]) for r in conn.execute(query)]

    def records(self, ids: Sequence[str]) -> list[RecordRow]:
        """The records of ``ids`` (those that exist), as JSON text."""
        return _records(self.store.engine, ids)

    def naming_assessors(self) -> set[str]:
        """The ids of the stored records that name assessors (a non-empty ``assessors``
        list in an assessment): their results depend on other records than their own."""
        query = select(people.c.id).where(_NAMES_ASSESSORS)
        with self.store.engine.connect() as conn:
            return {r[0] for r in conn.execute(query)}

    def save(
        self, version: str, as_of: dt.date, scope: str, rows: Sequence[tuple[str, int, str]]
    ) -> None:
        """Replace the cached results of these people, (person, record version, result), in
        one transaction: one upsert (``INSERT ... ON CONFLICT DO UPDATE``, which SQLite and
        PostgreSQL both have), handed to the driver's own many-row execution as plain
        tuples (SQLAlchemy's per-row parameter processing cost more than the writing)."""
        if not rows:
            return
        sqlite = self.store.engine.dialect.name == "sqlite"
        mark = "?" if sqlite else "%s"
        # The table's Date column is text on SQLite ('YYYY-MM-DD', as SQLAlchemy writes it).
        day: dt.date | str = as_of.isoformat() if sqlite else as_of
        statement = (
            "INSERT INTO population_cache"
            " (library_version, as_of, scope, person_id, record_version, result)"
            f" VALUES ({', '.join([mark] * 6)})"
            " ON CONFLICT (library_version, as_of, scope, person_id) DO UPDATE SET"
            " record_version = excluded.record_version, result = excluded.result"
        )
        params = [(version, day, scope, pid, record, result) for pid, record, result in rows]
        with self.store.transaction() as conn:
            conn.exec_driver_sql(statement, params)

    def dates(self, library_version: str) -> list[dt.date]:
        """The dates the cache holds a result for every stored person under
        ``library_version`` (in any one set of stages): the dates computed already."""
        with self.store.engine.connect() as conn:
            everyone = conn.execute(select(func.count()).select_from(people)).scalar_one()
            if not everyone:
                return []
            rows = conn.execute(
                select(population_cache.c.as_of)
                .where(population_cache.c.library_version == library_version)
                .group_by(population_cache.c.as_of, population_cache.c.scope)
                .having(func.count() >= everyone)
            ).all()
        return sorted({r.as_of for r in rows})

    def clear(self) -> int:
        """Forget every cached result (benchmarks start cold with it); how many there were."""
        with self.store.transaction() as conn:
            return int(conn.execute(delete(population_cache)).rowcount or 0)


class RecordReader:
    """Reads records by id from the database at ``url``, in another process or on another
    machine (a worker of a population run: a pool worker, a Dask worker).

    No pooled connections: a database file replaced at the same path (or a server
    restarted) is opened afresh for each read, never through a stale handle.
    """

    def __init__(self, url: str):
        self.url = url
        self._engine: Engine | None = None

    def __call__(self, ids: Sequence[str]) -> list[RecordRow]:
        if self._engine is None:
            self._engine = create_engine(self.url, poolclass=NullPool)
        return _records(self._engine, ids)

    def ranges(self, parts: int) -> Iterator[tuple[str | None, str | None]]:
        """``parts`` ranges of person ids of about equal size, (after, up to) with None at
        the open ends, for a run partitioned by people."""
        if self._engine is None:
            self._engine = create_engine(self.url, poolclass=NullPool)
        with self._engine.connect() as conn:
            total = int(conn.execute(select(func.count()).select_from(people)).scalar_one())
            bounds: list[str] = []
            for i in range(1, parts):
                at = total * i // parts
                if 0 < at < total:
                    bounds.append(
                        conn.execute(
                            select(people.c.id).order_by(people.c.id).offset(at - 1).limit(1)
                        ).scalar_one()
                    )
        edges: list[str | None] = [None, *sorted(set(bounds)), None]
        yield from itertools.pairwise(edges)

    def ids_between(self, after: str | None, upto: str | None) -> list[str]:
        """The person ids in (``after``, ``upto``], in id order (None: open)."""
        if self._engine is None:
            self._engine = create_engine(self.url, poolclass=NullPool)
        query = select(people.c.id).order_by(people.c.id)
        if after is not None:
            query = query.where(people.c.id > after)
        if upto is not None:
            query = query.where(people.c.id <= upto)
        with self._engine.connect() as conn:
            return [str(r[0]) for r in conn.execute(query)]
