"""Whole-workforce population runs on demand: who may start one, and one at a time.

The one place that decides (docs/web.md, "Reports: who may start a run"):

- **hr** and **equality** may have the reports computed for any date (in the accepted
  range): a run of the whole stored workforce, seconds to minutes on a large force.
- **officers** (and **admin**) see reports only for dates already computed for the
  library in use (by hr, equality, or ``pathways report``): without a date, the latest
  one; another date is refused (403) with the dates there are. An officer can never
  start a run.
- At most one run per (library version, date) happens at a time: a second request for
  it waits for the first and gets its result. Runs of different dates also take turns (a
  run uses every core already).

Results are kept per process (the last :data:`KEPT` runs) and, per person, in the store's
population cache, so a date computed once is quick again in every process.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict

from fastapi import Request

from store import Store
from store.population import PopulationCache
from store.users import Role, User
from workforce.population import PopulationRun, evaluate_population

from .problems import Problem
from .state import service_of

__all__ = ["KEPT", "MAY_START", "PopulationRuns"]

#: Roles that may have a date computed on demand.
MAY_START = (Role.HR, Role.EQUALITY)
#: Runs kept in memory per server process.
KEPT = 8

_Key = tuple[str, dt.date]


class PopulationRuns:
    def __init__(self, store: Store, workers: int = 2):
        self.store = store
        self.workers = workers
        self._runs: OrderedDict[_Key, PopulationRun] = OrderedDict()
        self._guard = threading.Lock()  # the two dicts
        self._keys: dict[_Key, threading.Lock] = {}
        self._one = threading.Lock()  # one run at a time in this process

    def available(self, digest: str) -> list[dt.date]:
        """The dates computed for a library version, newest first."""
        with self._guard:
            here = {day for version, day in self._runs if version == digest}
        return sorted(here | set(PopulationCache(self.store).dates(digest)), reverse=True)

    def run(self, request: Request, user: User, as_of: dt.date | None) -> PopulationRun:
        """The run of the stored workforce with the library in use on ``as_of``.

        Raises:
            Problem(403): if ``user`` may not start a run and the date is not computed.
        """
        used = service_of(request).library(as_of)  # the version in force then
        digest = used.library.digest
        may_start = user.role in MAY_START
        day = as_of
        if day is None:
            day = dt.date.today() if may_start else next(iter(self.available(digest)), None)
            if day is None:
                raise Problem(
                    403,
                    "no report has been computed yet for the library in use; hr or equality "
                    "compute them (or 'pathways report' on the server)",
                    kind="forbidden",
                )
        key = (digest, day)
        with self._guard:
            found = self._runs.get(key)
            if found is not None:
                self._runs.move_to_end(key)
                return found
        if not may_start and day not in self.available(digest):
            shown = ", ".join(d.isoformat() for d in self.available(digest)[:10]) or "none yet"
            raise Problem(
                403,
                f"reports for {day} have not been computed; {user.role.value} users see the "
                f"dates hr or equality computed: {shown}",
                kind="forbidden",
            )
        with self._guard:
            lock = self._keys.setdefault(key, threading.Lock())
        with lock:  # a second request for this key waits here for the first's result
            with self._guard:
                found = self._runs.get(key)
            if found is not None:
                return found
            with self._one:
                run = evaluate_population(self.store, [used.directory], day, workers=self.workers)
            with self._guard:
                self._runs[key] = run
                while len(self._runs) > KEPT:
                    self._runs.popitem(last=False)
                self._keys.pop(key, None)
        return run
