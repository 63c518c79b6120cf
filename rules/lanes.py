"""Engine pools that many threads can share: one single-worker :class:`EnginePool` per lane.

An :class:`~rules.pool.EnginePool` serves one caller at a time. A web server's request
threads each want one decision; behind one lock they would queue for the whole pool while
all but one of its workers idled. :class:`EngineLanes` gives each worker process a pool
of its own (a *lane*): a caller takes a free lane, decides, and hands it back, so as many
decisions run at once as there are lanes, and a caller waits only when every lane is busy.

>>> from pathways import SHIPPED_LIBRARY
>>> import datetime as dt
>>> from accreditation import Person
>>> person = Person.model_validate({"id": "W1", "kind": "officer", "joined": "2015-09-01"})
>>> with EngineLanes([SHIPPED_LIBRARY], lanes=2) as lanes:
...     with lanes.lane() as pool:
...         pool.decide(person, dt.date(2020, 1, 1)).person
...     lanes.size, lanes.free
'W1'
(2, 2)
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from .pool import EnginePool

__all__ = ["EngineLanes"]


class EngineLanes:
    """``lanes`` one-worker engine pools over one library, shared by threads (a context
    manager). Thread-safe."""

    def __init__(self, library_paths: Sequence[str | Path], lanes: int = 2):
        """Start the lanes' workers at once (in parallel) and wait until all are ready.

        Raises:
            ValueError: if ``lanes`` is below 1.
            rules.session.EngineError: if a worker cannot load the library.
        """
        if lanes < 1:
            raise ValueError("need lanes >= 1")
        self.size = lanes
        self._free: queue.SimpleQueue[EnginePool] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._closed = False
        paths = list(library_paths)
        with ThreadPoolExecutor(lanes) as starting:
            futures = [starting.submit(EnginePool, paths, 1) for _ in range(lanes)]
        started = [f.result() for f in futures if f.exception() is None]
        failed = [f.exception() for f in futures if f.exception() is not None]
        if failed:
            for pool in started:
                pool.close()
            raise failed[0]  # type: ignore[misc]
        for pool in started:
            self._free.put(pool)
        self.library_version = started[0].library_version

    @property
    def free(self) -> int:
        """Lanes not in use just now."""
        return self._free.qsize()

    @contextlib.contextmanager
    def lane(self) -> Iterator[EnginePool]:
        """A free lane's pool for the caller alone; waits while every lane is busy.

        Raises:
            RuntimeError: if the lanes are closed.
        """
        while True:
            if self._closed:
                raise RuntimeError("the engine lanes are closed")
            with contextlib.suppress(queue.Empty):
                pool = self._free.get(timeout=0.5)  # looks again: closed meanwhile?
                break
        try:
            yield pool
        finally:
            with self._lock:
                if self._closed:
                    pool.close()  # closed while in use: it was not among the free ones
                else:
                    self._free.put(pool)

    def close(self) -> None:
        """Stop the free lanes' workers now, and each busy one when its caller is done."""
        with self._lock:
            self._closed = True
            while not self._free.empty():
                self._free.get_nowait().close()

    def __enter__(self) -> EngineLanes:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
