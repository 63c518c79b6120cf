"""Decisions for the web server: made in rules-engine worker processes, never in a request
thread (durable-rules is not thread-safe, and a crash in its C core would take the server down).

One :class:`DecisionService` per app process holds :class:`rules.lanes.EngineLanes` (engine
workers that decide for several requests at once) per library version in use: the version
in force on the as-of date in the store (its files written once to a temporary directory; a
version scheduled from 1 April decides dates from 1 April, the one before it the dates
before), or the shipped library if none is published, or a fixed directory. The next
decision under another version starts lanes for it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import shutil
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from accreditation.record import Person
from pathways.loader import SHIPPED_LIBRARY, load_with_problems
from pathways.model.library import Library
from rules.decision import Decision, DecisionOverview
from rules.lanes import EngineLanes
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


_T = TypeVar("_T")

#: Recent decisions kept per server process (a decision is immutable; about 75 KB).
DECISIONS_KEPT = 256


#: Library versions with a running engine pool at once: today's and one other (a date
#: decided under a scheduled or earlier version). More would start more processes.
POOLS_KEPT = 2


class DecisionService:
    """Decides through engine lanes (:class:`rules.lanes.EngineLanes`: one worker process
    each, as many decisions at once as lanes), one set per library version in use (the
    version in force on the as-of date: :meth:`store.Store.library_in_force`); safe to
    call from many request threads. The lock guards the versions and the answers kept, never
    a decision being made."""

    def __init__(self, store: Store, library_dir: Path | None = None, workers: int = 2):
        self.store = store
        self.fixed = library_dir
        self.workers = workers
        self._lock = threading.RLock()
        self._tmp = Path(tempfile.mkdtemp(prefix="pathways-web-"))
        self._pools: OrderedDict[str, tuple[LibraryInUse, EngineLanes]] = OrderedDict()
        self._decided: OrderedDict[tuple[str, dt.date, str], Decision] = OrderedDict()
        self._overviews: OrderedDict[tuple[str, dt.date, str], DecisionOverview] = OrderedDict()
        self._routes: OrderedDict[tuple[str, dt.date, str, str], RoutePlan] = OrderedDict()

    # --- the library ---------------------------------------------------------------

    def _wanted(self, day: dt.date) -> str:
        if self.fixed is not None:
            return f"dir:{self.fixed}"
        digest = self.store.digest_in_force(day)
        return f"db:{digest}" if digest else "shipped"

    def library(self, day: dt.date | None = None) -> LibraryInUse:
        """The library in force on ``day`` (default today), loading it and starting its
        workers if they are not running."""
        return self._use(day or dt.date.today())[1]

    def _use(self, day: dt.date) -> tuple[str, LibraryInUse, EngineLanes]:
        with self._lock:
            key = self._wanted(day)
            if key not in self._pools:
                version = self.store.library_version(key[3:]) if key.startswith("db:") else None
                self._pools[key] = self._start_pool(version)
                while len(self._pools) > POOLS_KEPT:
                    _, (_, old) = self._pools.popitem(last=False)
                    old.close()  # lanes in use close when their callers are done
            self._pools.move_to_end(key)
            used, lanes = self._pools[key]
            return key, used, lanes

    def _start_pool(self, version: LibraryVersion | None) -> tuple[LibraryInUse, EngineLanes]:
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
                "the library version in force does not load ("
                + "; ".join(p.format() for p in problems[:3])
                + "); activate another with 'pathways rollback'"
            )
        lanes = EngineLanes([directory], lanes=self.workers)
        return LibraryInUse(library, version, directory), lanes

    def start(self) -> None:
        """Load today's library and start its workers now (at app start-up)."""
        self.library()

    def close(self) -> None:
        with self._lock:
            while self._pools:
                _, (_, lanes) = self._pools.popitem()
                lanes.close()
            shutil.rmtree(self._tmp, ignore_errors=True)

    # --- decisions -----------------------------------------------------------------

    def _answer(
        self,
        kept: OrderedDict[Any, _T],
        day: dt.date,
        extra: tuple[str, ...],
        make: Callable[[EnginePool], _T],
        use: Callable[[str], _T | None] | None = None,
    ) -> _T:
        """An answer kept in ``kept`` under (library version, ``day``, *``extra``), else
        made by ``make`` on a free lane (the lock is not held meanwhile) and kept. ``use``
        may give it from something else already kept for the same version."""
        for attempt in range(2):
            with self._lock:
                version, _, lanes = self._use(day)
                key = (version, day, *extra)
                found = kept.get(key)
                if found is None and use is not None:
                    found = use(version)
                if found is not None:
                    with contextlib.suppress(KeyError):
                        kept.move_to_end(key)
                    return found
            try:
                with lanes.lane() as pool:
                    made = make(pool)
            except RuntimeError:  # the version's lanes were closed meanwhile: start again
                if attempt:
                    raise
                continue
            with self._lock:
                kept[key] = made
                if len(kept) > DECISIONS_KEPT:
                    kept.popitem(last=False)
            return made
        raise AssertionError("unreachable")

    def decide(self, person: Person, as_of: dt.date | None = None) -> Decision:
        """The decision as of ``as_of`` (default today) under the library version in force
        on that date, from an engine lane or from the cache of recent decisions, which is
        keyed by (library version, date, the record's full content): a changed record or
        another library version is decided again. The decision names its version.

        The records of the people ``person`` names as assessors are read from the store
        (so rules that count qualified assessors can check them) and are part of the key.

        Raises: rules.session.EngineError (WorkerError, WorkerCrashed) if the engine fails.
        """
        day = as_of or dt.date.today()
        assessors = self.assessors_of(person)
        return self._answer(
            self._decided,
            day,
            (_content(person, assessors),),
            lambda pool: pool.decide(person, day, assessors=assessors),
        )

    def overview(self, person: Person, as_of: dt.date | None = None) -> DecisionOverview:
        """The decision without its requirement trees (what ``?detail=summary`` sends): from
        a full decision already kept if there is one, else made in a worker that builds
        only the reasons next steps come from; kept like decisions.

        Raises: rules.session.EngineError (WorkerError, WorkerCrashed) if the engine fails.
        """
        day = as_of or dt.date.today()
        assessors = self.assessors_of(person)
        content = _content(person, assessors)

        def from_decision(version: str) -> DecisionOverview | None:
            decided = self._decided.get((version, day, content))
            return DecisionOverview.of(decided) if decided is not None else None

        return self._answer(
            self._overviews,
            day,
            (content,),
            lambda pool: pool.overview(person, day, assessors=assessors),
            use=from_decision,
        )

    def route(self, person: Person, goal: str, as_of: dt.date | None = None) -> RoutePlan:
        """The routes to stage ``goal`` ('pathway.stage', already checked against the library
        in use), searched in an engine worker; kept like decisions, per (library version,
        date, record content, goal).

        Raises: rules.session.EngineError if the engine fails; KeyError for an unknown goal.
        """
        day = as_of or dt.date.today()
        assessors = self.assessors_of(person)
        return self._answer(
            self._routes,
            day,
            (_content(person, assessors), goal),
            lambda pool: pool.route(person, goal, day, assessors),
        )

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


def _content(person: Person, assessors: dict[str, Person]) -> str:
    """What a kept answer is keyed by besides the version and date: the record's full
    content and that of the assessors it names."""
    content = hashlib.sha256(person.model_dump_json().encode())
    for pid in sorted(assessors):
        content.update(assessors[pid].model_dump_json().encode())
    return content.hexdigest()
