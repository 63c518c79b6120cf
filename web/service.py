"""Decisions for the web server: made in rules-engine worker processes, never in a request
thread (durable-rules is not thread-safe, and a crash in its C core would take the server down).

One :class:`DecisionService` per app process holds one :class:`rules.pool.EnginePool` for
the library version in use: the active version in the store (its files written once to a
temporary directory), or the shipped library if none is published, or a fixed directory.
When another version becomes active, the next decision starts a new pool for it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import tempfile
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from accreditation.record import Person
from pathways.loader import SHIPPED_LIBRARY, load_with_problems
from pathways.model.library import Library
from rules.decision import Decision
from rules.pool import EnginePool
from rules.route import RoutePlan
from rules.session import EngineError
from rules.whatif import WhatIf, what_if_with
from store import LibraryVersion, Store

__all__ = ["DecisionService", "LibraryInUse", "write_library"]


@dataclass(frozen=True)
class LibraryInUse:
    """The library decisions are made with, and where it came from."""

    library: Library
    version: LibraryVersion | None  # None: the shipped library or a fixed directory
    directory: Path


def write_library(files: dict[str, str], root: Path) -> None:
    """Write a stored library version's files under ``root``.

    Raises:
        ValueError: if a stored file name points outside ``root``.
    """
    for name, text in files.items():
        target = (root / name).resolve()
        if not target.is_relative_to(root.resolve()):
            raise ValueError(f"stored file name '{name}' is outside the library")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")


#: Recent decisions kept per server process (a decision is immutable; about 75 KB).
DECISIONS_KEPT = 256


class DecisionService:
    """Decides through an engine pool; safe to call from many request threads (one lock)."""

    def __init__(self, store: Store, library_dir: Path | None = None, workers: int = 2):
        self.store = store
        self.fixed = library_dir
        self.workers = workers
        self._lock = threading.RLock()
        self._tmp = Path(tempfile.mkdtemp(prefix="pathways-web-"))
        self._pool: EnginePool | None = None
        self._current: LibraryInUse | None = None
        self._key: str | None = None
        self._decided: OrderedDict[tuple[str, dt.date, str], Decision] = OrderedDict()
        self._routes: OrderedDict[tuple[str, dt.date, str, str], RoutePlan] = OrderedDict()

    # --- the library ---------------------------------------------------------------

    def _wanted(self) -> tuple[str, LibraryVersion | None]:
        if self.fixed is not None:
            return f"dir:{self.fixed}", None
        version = self.store.active_library()
        return (f"db:{version.digest}" if version else "shipped"), version

    def library(self) -> LibraryInUse:
        """The library in use now (loading it, and starting its pool, if it changed)."""
        with self._lock:
            key, version = self._wanted()
            if self._current is None or key != self._key:
                self._switch(key, version)
            assert self._current is not None
            return self._current

    def _switch(self, key: str, version: LibraryVersion | None) -> None:
        if self.fixed is not None:
            directory = self.fixed
        elif version is not None:
            directory = self._tmp / version.digest
            if not directory.exists():
                write_library(version.files, directory)
        else:
            directory = SHIPPED_LIBRARY
        library, problems = load_with_problems([directory])
        if library is None:
            raise EngineError(
                "the active library version does not load ("
                + "; ".join(p.format() for p in problems[:3])
                + "); activate another with 'pathways rollback'"
            )
        pool = EnginePool([directory], workers=self.workers)
        old, self._pool = self._pool, pool
        if old is not None:
            old.close()
        self._current = LibraryInUse(library, version, directory)
        self._key = key

    def start(self) -> None:
        """Load the library and start the workers now (at app start-up)."""
        self.library()

    def close(self) -> None:
        with self._lock:
            if self._pool is not None:
                self._pool.close()
                self._pool = None
            self._current = None
            shutil.rmtree(self._tmp, ignore_errors=True)

    # --- decisions -----------------------------------------------------------------

    def decide(self, person: Person, as_of: dt.date | None = None) -> Decision:
        """The decision, from the engine pool or from the cache of recent decisions, which
        is keyed by (library version, date, the record's full content): a changed record
        or another library version is decided again.

        The records of the people ``person`` names as assessors are read from the store
        (so rules that count qualified assessors can check them) and are part of the key.

        Raises: rules.session.EngineError (WorkerError, WorkerCrashed) if the engine fails.
        """
        day = as_of or dt.date.today()
        assessors = self.assessors_of(person)
        content = hashlib.sha256(person.model_dump_json().encode())
        for pid in sorted(assessors):
            content.update(assessors[pid].model_dump_json().encode())
        with self._lock:
            self.library()
            assert self._pool is not None
            key = (self._key or "", day, content.hexdigest())
            found = self._decided.get(key)
            if found is not None:
                self._decided.move_to_end(key)
                return found
            decision = self._pool.decide(person, day, assessors=assessors)
            self._decided[key] = decision
            if len(self._decided) > DECISIONS_KEPT:
                self._decided.popitem(last=False)
            return decision

    def route(self, person: Person, goal: str, as_of: dt.date | None = None) -> RoutePlan:
        """The routes to stage ``goal`` ('pathway.stage', already checked against the library
        in use), searched in an engine worker; kept like decisions, per (library version,
        date, record content, goal).

        Raises: rules.session.EngineError if the engine fails; KeyError for an unknown goal.
        """
        day = as_of or dt.date.today()
        assessors = self.assessors_of(person)
        content = hashlib.sha256(person.model_dump_json().encode())
        for pid in sorted(assessors):
            content.update(assessors[pid].model_dump_json().encode())
        with self._lock:
            self.library()
            assert self._pool is not None
            key = (self._key or "", day, content.hexdigest(), goal)
            found = self._routes.get(key)
            if found is not None:
                self._routes.move_to_end(key)
                return found
            plan = self._pool.route(person, goal, day, assessors)
            self._routes[key] = plan
            if len(self._routes) > DECISIONS_KEPT:
                self._routes.popitem(last=False)
            return plan

    def assessors_of(self, person: Person) -> dict[str, Person]:
        """The stored records of the people ``person``'s assessments name as assessors."""
        named = sorted({n for a in person.assessments for n in a.assessors})
        found = {n: self.store.get_person(n) for n in named}
        return {n: p for n, p in found.items() if p is not None}

    def what_if(
        self,
        person: Person,
        additions: dict[str, list[dict[str, Any]]],
        as_of: dt.date | None = None,
    ) -> WhatIf:
        """Like :func:`rules.whatif.what_if`, through the pool.

        Raises:
            accreditation.io.RecordError: if the record with the additions is not valid.
            rules.session.EngineError: if the engine fails.
        """
        catalogue = self.library().library.catalogue
        return what_if_with(self.decide, person, additions, as_of, catalogue)
