"""The records store: people, published library versions and the audit log.

SQLite by default (a file, no set-up); PostgreSQL for a force-sized deployment,
with the same code. The schema is created and upgraded by Alembic migrations
when a :class:`Store` opens a database.

>>> store = Store("sqlite://")  # in memory
>>> from accreditation import Person
>>> person = Person.model_validate({"id": "W1", "kind": "officer", "joined": "2020-01-06"})
>>> store.save_people([person], actor="doctest")
SaveStats(created=1, updated=0, unchanged=0)
>>> store.save_people([person], actor="doctest")
SaveStats(created=0, updated=0, unchanged=1)
>>> store.get_person("W1") == person
True
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import (
    Connection,
    Engine,
    Table,
    create_engine,
    delete,
    event,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.engine import make_url

from accreditation.record import ITEM_SECTIONS, Person, ProtectedCharacteristics
from pathways.problems import CareerPathwaysError

from .schema import audit_log, library_versions, locks, people, population_cache, protected

__all__ = [
    "ANY",
    "DEFAULT_URL",
    "AuditEntry",
    "LibraryVersion",
    "PersonRow",
    "SaveStats",
    "StaleLibrary",
    "StaleRecord",
    "Store",
    "StoreError",
    "StoredRecord",
    "default_url",
    "stored_records",
]

DEFAULT_URL = "sqlite:///var/pathways.db"
MIGRATIONS = Path(__file__).parent / "migrations"
_BATCH = 500


def default_url() -> str:
    """``$PATHWAYS_DATABASE_URL``, or a SQLite file ``var/pathways.db`` under the cwd."""
    return os.environ.get("PATHWAYS_DATABASE_URL", DEFAULT_URL)


class StoreError(CareerPathwaysError, RuntimeError):
    """The database cannot be used, or an operation on it failed; nothing was changed."""


class StaleLibrary(StoreError):
    """A publish built on a library version that is no longer the active one: someone
    else published (or activated) meanwhile. Nothing was changed."""

    def __init__(self, base: str | None, active: str | None):
        self.base = base
        self.active = active
        super().__init__(
            f"the active library version is {(active or 'none')[:12]}, not "
            f"{(base or 'none')[:12]} that this change was made on: someone published "
            "meanwhile; nothing was published"
        )


#: ``publish_library(base=ANY)``: publish whatever the active version is (the CLI's way).
ANY: Any = object()


class StaleRecord(StoreError):
    """A record is not at the version a write expected (``None``: absent): someone changed,
    created or deleted it meanwhile. Nothing was changed. ``changed_by``/``changed_at``
    say who wrote the version there is now (from the audit log)."""

    def __init__(
        self,
        person_id: str,
        expected: int | None,
        current: int | None,
        changed_by: str | None = None,
        changed_at: dt.datetime | None = None,
    ):
        self.person_id = person_id
        self.expected = expected
        self.current = current
        self.changed_by = changed_by
        self.changed_at = changed_at
        now = "does not exist" if current is None else f"is at version {current}"
        who = f" (changed by {changed_by} at {changed_at:%Y-%m-%d %H:%M} UTC)" if changed_by else ""
        wanted = "absent" if expected is None else f"version {expected}"
        super().__init__(f"record '{person_id}' {now}{who}, not {wanted}: nothing was changed")


@dataclass(frozen=True)
class StoredRecord:
    """A stored record as the store keeps it: the record's JSON (no protected fields),
    the protected characteristics, and the digest that tells whether a save changes it."""

    record: dict[str, Any]
    protected: dict[str, Any]
    digest: str

    def person(self) -> Person:
        return Person.model_validate({**self.record, "protected": self.protected})


@dataclass(frozen=True)
class PersonRow:
    """A record as lists show it: no history, protected characteristics only if asked."""

    id: str
    kind: str
    name: str | None
    joined: dt.date
    version: int
    updated_at: dt.datetime
    protected: dict[str, str | None] | None = None


@dataclass(frozen=True)
class SaveStats:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass(frozen=True)
class LibraryVersion:
    digest: str
    name: str
    author: str
    published_at: dt.datetime
    effective_date: dt.date | None
    note: str | None
    active: bool
    files: dict[str, str]


@dataclass(frozen=True)
class AuditEntry:
    at: dt.datetime
    actor: str
    action: str
    target: str
    before: Any
    after: Any


def canonical(record: dict[str, Any]) -> str:
    return json.dumps(record, sort_keys=True, separators=(",", ":"))


def _shown(url: str) -> str:
    """A URL fit for messages and logs: without its password."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # not a URL at all: nothing to hide that we can find
        return url


def _missing_driver(shown: str, exc: ModuleNotFoundError) -> str:
    """The message for a database URL whose driver is not installed: what to install."""
    driver = exc.name or str(exc)
    if driver.split(".")[0] in ("psycopg", "psycopg2"):
        return (
            f"cannot use database '{shown}': PostgreSQL's driver ({driver}) is not installed. "
            "Install the 'postgresql' extra: pip install 'career-pathways[postgresql]' "
            "(make install has it), and write the URL as postgresql+psycopg://..."
        )
    return f"cannot use database '{shown}': its driver '{driver}' is not installed"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Store:
    """A database of records, library versions and the audit log.

    Raises:
        StoreError: (from the constructor) if the database cannot be opened or migrated.
    """

    def __init__(self, url: str | None = None, *, migrate: bool = True):
        self.url = url or default_url()
        shown = _shown(self.url)
        if self.url.startswith("sqlite:///") and not self.url.startswith("sqlite:////:"):
            Path(self.url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        sqlite = self.url.startswith("sqlite")
        try:
            self.engine: Engine = create_engine(
                self.url,
                future=True,
                # A writer waits for another (an import holds the lock for a while).
                connect_args={"timeout": 30} if sqlite else {},
            )
        except ModuleNotFoundError as exc:  # PostgreSQL's driver is an optional extra
            raise StoreError(_missing_driver(shown, exc)) from exc
        except Exception as exc:  # a malformed URL
            raise StoreError(f"cannot use database '{shown}': {exc}") from exc
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
            event.listen(self.engine, "begin", _sqlite_begin)
        if migrate:
            self.migrate()

    def migrate(self) -> None:
        """Bring the schema up to the newest migration (Alembic ``upgrade head``)."""
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        try:
            with self.engine.begin() as conn:
                config.attributes["connection"] = conn
                command.upgrade(config, "head")
        except Exception as exc:
            raise StoreError(f"cannot prepare database '{_shown(self.url)}': {exc}") from exc

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """One transaction: everything inside commits together or not at all.

        On SQLite it takes the write lock at its start (``BEGIN IMMEDIATE``), so a
        transaction that reads and then writes (a compare-and-set) cannot interleave with
        another writer. On PostgreSQL such transactions lock the row they compare
        (``SELECT ... FOR UPDATE``: :meth:`lock_row`).
        """
        with self.engine.connect() as conn:
            conn.execution_options(immediate=True)
            with conn.begin():
                yield conn

    @property
    def postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    # --- people ---------------------------------------------------------------------

    def save_people(
        self, records: Iterable[Person], actor: str, conn: Connection | None = None
    ) -> SaveStats:
        """Create or replace records by person id, in one transaction (or in ``conn``'s).

        A record equal to the stored one changes nothing (no new version, no audit
        entry), so saving the same records twice is harmless.
        """
        if conn is None:
            with self.transaction() as own:
                return self.save_people(records, actor, own)
        created = updated = unchanged = 0
        batch: list[Person] = []
        for person in records:
            batch.append(person)
            if len(batch) >= _BATCH:
                c, u, n = self._save_batch(conn, batch, actor)
                created, updated, unchanged = created + c, updated + u, unchanged + n
                batch = []
        if batch:
            c, u, n = self._save_batch(conn, batch, actor)
            created, updated, unchanged = created + c, updated + u, unchanged + n
        return SaveStats(created, updated, unchanged)

    def _save_batch(
        self, conn: Connection, batch: list[Person], actor: str
    ) -> tuple[int, int, int]:
        by_id = {p.id: p for p in batch}  # the last of two records with one id wins
        existing = {
            row.id: row
            for row in conn.execute(
                select(
                    people.c.id,
                    people.c.digest,
                    people.c.version,
                    people.c.record,
                    protected.c.ethnicity,
                    protected.c.gender,
                    protected.c.disability,
                )
                .select_from(people.outerjoin(protected, protected.c.person_id == people.c.id))
                .where(people.c.id.in_(list(by_id)))
            )
        }
        now = _now()
        new_people, new_protected, audits = [], [], []
        changed: list[tuple[Person, dict[str, Any], str, Any]] = []
        for pid, person in by_id.items():
            record = _record(person)
            digest = _digest(record, person.protected)
            old = existing.get(pid)
            if old is None:
                new_people.append(_fits(people, _row(person, record, digest, 1, now)))
                new_protected.append(
                    _fits(protected, {"person_id": pid, **person.protected.model_dump()})
                )
                audits.append(
                    {
                        "at": now,
                        "actor": actor,
                        "action": "record.create",
                        "target": pid,
                        "before": None,
                        "after": {"version": 1, "digest": digest, "items": _counts(record)},
                    }
                )
            elif old.digest != digest:
                changed.append((person, record, digest, old))
        if new_people:
            conn.execute(insert(people), new_people)
            conn.execute(insert(protected), new_protected)
        for person, record, digest, old in changed:
            version = old.version + 1
            conn.execute(
                update(people)
                .where(people.c.id == person.id)
                .values(**_fits(people, _row(person, record, digest, version, now)))
            )
            conn.execute(delete(protected).where(protected.c.person_id == person.id))
            conn.execute(
                insert(protected),
                [_fits(protected, {"person_id": person.id, **person.protected.model_dump()})],
            )
            before, after = _diff(old.record, record)
            # Which characteristics changed, not their values: those stay in their own table.
            names = [k for k, v in person.protected.model_dump().items() if getattr(old, k) != v]
            if names:
                before["protected"], after["protected"] = names, list(names)
            audits.append(
                {
                    "at": now,
                    "actor": actor,
                    "action": "record.update",
                    "target": person.id,
                    "before": before,
                    "after": {**after, "version": version},
                }
            )
        if audits:
            conn.execute(insert(audit_log), [_fits(audit_log, a) for a in audits])
        unchanged = len(by_id) - len(new_people) - len(changed)
        return len(new_people), len(changed), unchanged

    def stored_records(
        self, ids: Iterable[str], conn: Connection | None = None
    ) -> dict[str, StoredRecord]:
        """The stored records of ``ids`` (those that exist), read :data:`_BATCH` ids per
        query, in ``conn``'s transaction if given (an import reads what it will replace)."""
        if conn is None:
            with self.engine.connect() as own:
                return self.stored_records(ids, own)
        return stored_records(conn, ids)

    @staticmethod
    def digest_of(person: Person) -> str:
        """The digest a record would be stored with (equal digests: saving changes nothing)."""
        return _digest(_record(person), person.protected)

    def get_person(self, person_id: str, conn: Connection | None = None) -> Person | None:
        """One record, with its protected characteristics; None if there is none."""
        if conn is None:
            with self.engine.connect() as own:
                return self.get_person(person_id, own)
        row = conn.execute(
            select(
                people.c.record, protected.c.ethnicity, protected.c.gender, protected.c.disability
            )
            .select_from(people.outerjoin(protected, protected.c.person_id == people.c.id))
            .where(people.c.id == person_id)
        ).first()
        if row is None:
            return None
        return _person(row)

    def iter_people(self, batch: int = 1000, after: str = "") -> Iterator[Person]:
        """Every record (with an id after ``after``, if given), in id order, read in batches."""
        last = after
        while True:
            with self.engine.connect() as conn:
                rows = conn.execute(
                    select(
                        people.c.id,
                        people.c.record,
                        protected.c.ethnicity,
                        protected.c.gender,
                        protected.c.disability,
                    )
                    .select_from(people.outerjoin(protected, protected.c.person_id == people.c.id))
                    .where(people.c.id > last)
                    .order_by(people.c.id)
                    .limit(batch)
                ).all()
            if not rows:
                return
            for row in rows:
                yield _person(row[1:])
            last = rows[-1].id

    def first_person_id(self, kind: str) -> str | None:
        """The lowest id of a person of ``kind`` (officer or staff); None if there is none."""
        with self.engine.connect() as conn:
            value = conn.execute(
                select(people.c.id).where(people.c.kind == kind).order_by(people.c.id).limit(1)
            ).scalar_one_or_none()
        return str(value) if value is not None else None

    def count_people(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(people)).scalar_one())

    def record_version(self, person_id: str) -> int | None:
        """How many times a record has been written (1 when created); None if absent."""
        with self.engine.connect() as conn:
            value = conn.execute(
                select(people.c.version).where(people.c.id == person_id)
            ).scalar_one_or_none()
        return int(value) if value is not None else None

    def person_and_version(self, person_id: str) -> tuple[Person, int] | None:
        """A record and its version (for an ETag), read together; None if absent."""
        with self.engine.connect() as conn:
            row = conn.execute(
                select(
                    people.c.record,
                    protected.c.ethnicity,
                    protected.c.gender,
                    protected.c.disability,
                    people.c.version,
                )
                .select_from(people.outerjoin(protected, protected.c.person_id == people.c.id))
                .where(people.c.id == person_id)
            ).first()
        return (_person(row), int(row.version)) if row is not None else None

    def _locked_version(self, conn: Connection, person_id: str) -> int | None:
        """The record's version, its row locked for this transaction (PostgreSQL; SQLite's
        transaction holds the write lock already)."""
        value = conn.execute(
            select(people.c.version).where(people.c.id == person_id).with_for_update()
        ).scalar_one_or_none()
        return int(value) if value is not None else None

    def _stale(
        self, conn: Connection, person_id: str, expected: int | None, current: int | None
    ) -> StaleRecord:
        last = conn.execute(
            select(audit_log.c.actor, audit_log.c.at)
            .where(audit_log.c.target == person_id, audit_log.c.action.startswith("record."))
            .order_by(audit_log.c.id.desc())
            .limit(1)
        ).first()
        if last is None:
            return StaleRecord(person_id, expected, current)
        return StaleRecord(person_id, expected, current, last.actor, _utc(last.at))

    def replace_person(
        self, person: Person, actor: str, expected: int | None = ANY
    ) -> tuple[SaveStats, int]:
        """Create or replace one record if it is at the ``expected`` version (None: only
        if there is none; ANY: whatever it is), in one transaction: a compare-and-set, so
        of two writers that read one version, the second is told. Returns what changed
        and the version now.

        Raises:
            StaleRecord: if the record is not at ``expected`` (nothing is changed).
            StoreError: if a value does not fit the database.
        """
        with self.transaction() as conn:
            current = self._locked_version(conn, person.id)
            if expected is not ANY and current != expected:
                raise self._stale(conn, person.id, expected, current)
            stats = self.save_people([person], actor, conn)
            version = self._locked_version(conn, person.id)
        assert version is not None
        return stats, version

    def last_change(self, person_id: str) -> AuditEntry | None:
        """The newest audit entry of a record (who wrote the version there is)."""
        entries = [e for e in self.audit(person_id, limit=5) if e.action.startswith("record.")]
        return entries[0] if entries else None

    def list_people(
        self, text: str = "", limit: int = 50, offset: int = 0, include_protected: bool = False
    ) -> tuple[int, list[PersonRow]]:
        """Records in id order, a page at a time: those whose id starts with ``text`` (in
        capitals) or whose name contains it (any case). Returns the total and the page."""
        columns = [
            people.c.id,
            people.c.kind,
            people.c.name,
            people.c.joined,
            people.c.version,
            people.c.updated_at,
        ]
        query = select(*columns)
        if include_protected:
            query = select(
                *columns, protected.c.ethnicity, protected.c.gender, protected.c.disability
            ).outerjoin(protected, protected.c.person_id == people.c.id)
        counted = select(func.count()).select_from(people)
        text = text.strip()
        if text:
            match = or_(
                people.c.id.startswith(text.upper(), autoescape=True),
                func.lower(people.c.name).contains(text.lower(), autoescape=True),
            )
            query, counted = query.where(match), counted.where(match)
        with self.engine.connect() as conn:
            total = int(conn.execute(counted).scalar_one())
            rows = conn.execute(query.order_by(people.c.id).limit(limit).offset(offset)).all()
        return total, [
            PersonRow(
                r.id,
                r.kind,
                r.name,
                r.joined,
                int(r.version),
                _utc(r.updated_at),
                {"ethnicity": r.ethnicity, "gender": r.gender, "disability": r.disability}
                if include_protected
                else None,
            )
            for r in rows
        ]

    def characteristic_counts(self, column: str) -> list[tuple[str | None, int]]:
        """How many records have each value of a protected characteristic, most first."""
        col = protected.c[column]
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(col, func.count()).group_by(col).order_by(func.count().desc())
            ).all()
        return [(r[0], int(r[1])) for r in rows]

    def delete_person(self, person_id: str, actor: str, expected: int | None = ANY) -> bool:
        """Delete a record (audited), if it is at the ``expected`` version (ANY: whatever
        it is). True if there was one.

        Raises:
            StaleRecord: if the record is at another version (nothing is deleted).
        """
        _fits(audit_log, {"actor": actor})
        with self.transaction() as conn:
            if expected is not ANY:
                current = self._locked_version(conn, person_id)
                if current is not None and current != expected:
                    raise self._stale(conn, person_id, expected, current)
            old = conn.execute(select(people.c.record).where(people.c.id == person_id)).first()
            if old is None:
                return False
            conn.execute(delete(protected).where(protected.c.person_id == person_id))
            conn.execute(delete(people).where(people.c.id == person_id))
            conn.execute(
                insert(audit_log),
                [
                    {
                        "at": _now(),
                        "actor": actor,
                        "action": "record.delete",
                        "target": person_id,
                        "before": old.record,
                        "after": None,
                    }
                ],
            )
        return True

    # --- library versions -----------------------------------------------------------

    def publish_library(
        self,
        files: dict[str, str],
        digest: str,
        name: str,
        author: str,
        effective_date: dt.date | None = None,
        note: str | None = None,
        activate: bool = True,
        base: str | None = ANY,
    ) -> LibraryVersion:
        """Store a library version (its files' text, keyed by relative path) and, by
        default, make it the active one. Publishing the same digest again only
        re-activates it. Previous versions are kept (for rollback).

        Publishes are serialised (the library lock: :meth:`_lock_library`). ``base`` is the
        active version's digest the change was made on (None: none was active); if another
        version is active by now, nothing is stored and :class:`StaleLibrary` is raised,
        so a publish never silently undoes one made meanwhile.

        Raises:
            StaleLibrary: if ``base`` is given and is not the active version.
            StoreError: if the name or author is longer than the database holds.
        """
        _fits(library_versions, {"digest": digest, "name": name, "author": author})
        _fits(audit_log, {"actor": author})
        with self.transaction() as conn:
            active = self._lock_library(conn)
            if base is not ANY and base != active:
                raise StaleLibrary(base, active)
            known = conn.execute(
                select(library_versions.c.digest).where(library_versions.c.digest == digest)
            ).first()
            if known is None:
                conn.execute(
                    insert(library_versions),
                    [
                        {
                            "digest": digest,
                            "name": name,
                            "files": files,
                            "author": author,
                            "published_at": _now(),
                            "effective_date": effective_date,
                            "note": note,
                            "active": False,
                        }
                    ],
                )
                conn.execute(
                    insert(audit_log),
                    [
                        {
                            "at": _now(),
                            "actor": author,
                            "action": "library.publish",
                            "target": digest,
                            "before": None,
                            "after": {"name": name, "files": sorted(files), "note": note},
                        }
                    ],
                )
            if activate:
                self._activate(conn, digest, author)
        version = self.library_version(digest)
        assert version is not None
        return version

    def activate_library(self, digest: str, actor: str) -> None:
        """Make a stored version the active one (a rollback, or a roll forward).

        Raises:
            StoreError: if no version has that digest (a unique prefix is accepted).
        """
        _fits(audit_log, {"actor": actor})
        prefix = digest.lower()  # digests are lower-case hex; LIKE's case differs by backend
        with self.transaction() as conn:
            self._lock_library(conn)
            matches = (
                conn.execute(
                    select(library_versions.c.digest).where(
                        library_versions.c.digest.startswith(prefix, autoescape=True)
                    )
                )
                .scalars()
                .all()
            )
            if len(matches) != 1:
                raise StoreError(
                    f"{'no' if not matches else 'more than one'} library version "
                    f"starts with '{digest}'"
                )
            self._activate(conn, matches[0], actor)

    def _lock_library(self, conn: Connection) -> str | None:
        """Take the library lock for ``conn``'s transaction and return the active digest.

        SQLite's transaction holds the write lock already (BEGIN IMMEDIATE); PostgreSQL
        locks the ``library`` row of ``locks`` (``FOR UPDATE``), so a second publish waits
        here until the first commits, then sees its version as the active one.
        """
        serial = conn.execute(
            select(locks.c.serial).where(locks.c.name == "library").with_for_update()
        ).scalar_one_or_none()
        if serial is None:  # a database made before migration 0005 filled the row
            conn.execute(insert(locks), [{"name": "library", "serial": 0}])
            serial = 0
        conn.execute(update(locks).where(locks.c.name == "library").values(serial=serial + 1))
        active = conn.execute(
            select(library_versions.c.digest).where(library_versions.c.active.is_(True))
        ).scalar_one_or_none()
        return str(active) if active is not None else None

    def _activate(self, conn: Connection, digest: str, actor: str) -> None:
        before = conn.execute(
            select(library_versions.c.digest).where(library_versions.c.active.is_(True))
        ).scalar_one_or_none()
        if before == digest:
            return
        conn.execute(update(library_versions).values(active=False))
        conn.execute(
            update(library_versions).where(library_versions.c.digest == digest).values(active=True)
        )
        conn.execute(
            insert(audit_log),
            [
                {
                    "at": _now(),
                    "actor": actor,
                    "action": "library.activate",
                    "target": digest,
                    "before": before,
                    "after": digest,
                }
            ],
        )

    def library_version(self, digest: str) -> LibraryVersion | None:
        with self.engine.connect() as conn:
            row = conn.execute(
                select(library_versions).where(library_versions.c.digest == digest)
            ).first()
        return _version(row) if row is not None else None

    def active_library(self) -> LibraryVersion | None:
        with self.engine.connect() as conn:
            row = conn.execute(
                select(library_versions).where(library_versions.c.active.is_(True))
            ).first()
        return _version(row) if row is not None else None

    def library_versions(self) -> list[LibraryVersion]:
        """Every stored version, newest first."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(library_versions).order_by(library_versions.c.published_at.desc())
            ).all()
        return [_version(r) for r in rows]

    def population_dates(self, library_version: str) -> list[dt.date]:
        """The dates the population cache holds a result for every stored person under
        ``library_version`` (in any one set of stages): the dates computed already."""
        with self.engine.connect() as conn:
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

    # --- audit ----------------------------------------------------------------------

    def audit(self, target: str | None = None, limit: int = 100) -> list[AuditEntry]:
        """The newest audit entries, optionally for one target (person id or digest)."""
        query = select(audit_log).order_by(audit_log.c.id.desc()).limit(limit)
        if target is not None:
            query = query.where(audit_log.c.target == target)
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [
            AuditEntry(_utc(r.at), r.actor, r.action, r.target, r.before, r.after) for r in rows
        ]


def stored_records(conn: Connection, ids: Iterable[str]) -> dict[str, StoredRecord]:
    """The stored records of ``ids`` (those that exist) in ``conn``'s transaction, read
    :data:`_BATCH` ids per query."""
    wanted = list(ids)
    out: dict[str, StoredRecord] = {}
    for start in range(0, len(wanted), _BATCH):
        query = (
            select(
                people.c.id,
                people.c.record,
                people.c.digest,
                protected.c.ethnicity,
                protected.c.gender,
                protected.c.disability,
            )
            .select_from(people.outerjoin(protected, protected.c.person_id == people.c.id))
            .where(people.c.id.in_(wanted[start : start + _BATCH]))
        )
        for row in conn.execute(query):
            out[row.id] = StoredRecord(
                row.record,
                {"ethnicity": row.ethnicity, "gender": row.gender, "disability": row.disability},
                row.digest,
            )
    return out


# --- rows <-> records --------------------------------------------------------------------


def _record(person: Person) -> dict[str, Any]:
    data = person.model_dump(mode="json", exclude={"protected"})
    for section in ITEM_SECTIONS:  # every item gets a stable id, so imports can merge by id
        for i, item in enumerate(data.get(section, ())):
            if item.get("id") is None:
                item["id"] = f"{section}[{i}]"
    return data


def _digest(record: dict[str, Any], characteristics: ProtectedCharacteristics) -> str:
    blob = canonical({"record": record, "protected": characteristics.model_dump()})
    return hashlib.sha256(blob.encode()).hexdigest()


def _row(
    person: Person, record: dict[str, Any], digest: str, version: int, now: dt.datetime
) -> dict[str, Any]:
    return {
        "id": person.id,
        "kind": person.kind.value,
        "name": person.name,
        "joined": person.joined,
        "record": record,
        "version": version,
        "digest": digest,
        "updated_at": now,
    }


def _person(row: Any) -> Person:
    record, ethnicity, gender, disability = row[0], row[1], row[2], row[3]
    data = dict(record)
    data["protected"] = {"ethnicity": ethnicity, "gender": gender, "disability": disability}
    return Person.model_validate(data)


def _counts(record: dict[str, Any]) -> dict[str, int]:
    return {s: len(record[s]) for s in ITEM_SECTIONS if record.get(s)}


def _diff(old: dict[str, Any], new: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The fields that changed, before and after (whole sections for history lists)."""
    keys = sorted(set(old) | set(new))
    changed = [k for k in keys if old.get(k) != new.get(k)]
    return {k: old.get(k) for k in changed}, {k: new.get(k) for k in changed}


def _version(row: Any) -> LibraryVersion:
    return LibraryVersion(
        row.digest,
        row.name,
        row.author,
        _utc(row.published_at),
        row.effective_date,
        row.note,
        bool(row.active),
        dict(row.files),
    )


def _utc(value: dt.datetime) -> dt.datetime:
    """A stored time in UTC: SQLite returns it naive (it was written in UTC), PostgreSQL
    in the session's time zone."""
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def _fits(table: Table, row: dict[str, Any]) -> dict[str, Any]:
    """``row``, if its text fits the columns; PostgreSQL refuses longer text and SQLite
    would keep it, so both backends refuse it here, before anything is written.

    Raises:
        StoreError: naming the column and its limit.
    """
    for name, value in row.items():
        length = getattr(table.c[name].type, "length", None) if name in table.c else None
        if length is not None and isinstance(value, str) and len(value) > length:
            shown = value if len(value) <= 40 else value[:37] + "..."
            raise StoreError(
                f"{table.name}.{name} '{shown}' is longer than {length} characters; "
                "nothing was saved"
            )
    return row


def _sqlite_begin(conn: Connection) -> None:
    """Transactions begun by us, not by the driver: ``BEGIN IMMEDIATE`` for
    :meth:`Store.transaction` (it takes the write lock now), ``BEGIN`` for reads."""
    immediate = conn.get_execution_options().get("immediate", False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # The driver's own transaction handling is off: _sqlite_begin begins them (SQLAlchemy's
    # recipe for pysqlite), so BEGIN IMMEDIATE is possible.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")  # readers do not block the writer
    cursor.close()
