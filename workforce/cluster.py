"""Population runs on a Dask distributed cluster (the ``cluster`` extra): the people are
decided in partitions by the cluster's workers, on as many machines as it has.

The run (:func:`workforce.population.evaluate_population` with ``cluster=``) stays in
charge: it reads the index of people and the cache, sends each partition of people still to
decide as a task naming the database and their ids, and keeps the results (and the cache).
A task reads its partition's records from the database itself (PostgreSQL for a cluster of
machines; a SQLite file works on one machine), and decides them with the population
evaluator compiled once per library version in each worker process. The library goes to
the workers as its files' text, checked against its digest there.

Every worker needs this package installed (the same version) and to reach the database.

>>> cluster = DaskCluster.__new__(DaskCluster)  # (a real one needs a scheduler)
>>> DaskCluster.partition
2000
"""

from __future__ import annotations

import tempfile
import threading
from pathlib import Path
from typing import Any

from pathways.loader import library_files, load_library
from pathways.model.library import Library
from pathways.problems import CareerPathwaysError
from store.population import RecordReader

from .population_work import decide_rows, worker_state

__all__ = ["ClusterError", "DaskCluster", "decide_partition"]


class ClusterError(CareerPathwaysError, RuntimeError):
    """The cluster cannot be used (the extra is not installed, the scheduler is away)."""


def _files(paths: list[str]) -> dict[str, str]:
    """The YAML text of the library in ``paths``: {name: text}."""
    files: dict[str, str] = {}
    for i, path in enumerate(paths):
        where = Path(path)
        if where.is_dir():
            files.update({f"{i}/{name}": text for name, text in library_files(where).items()})
        else:
            files[f"{i}/{where.name}"] = where.read_text(encoding="utf-8")
    return files


class DaskCluster:
    """A Dask cluster to decide people on, by its scheduler's address (``tcp://HOST:PORT``)
    or a ``distributed.Client``.

    Raises:
        ClusterError: (from the constructor) if ``distributed`` is not installed or the
            scheduler cannot be reached.
    """

    partition = 2000  # people per task: a second or so of a worker's time

    def __init__(self, scheduler: Any, timeout: float = 30.0):
        try:
            # Optional, and heavy: only a run on a cluster imports it.
            from distributed import Client
        except ImportError as exc:
            raise ClusterError(
                "a Dask cluster needs the 'cluster' extra: pip install 'career-pathways[cluster]'"
            ) from exc
        self.client: Any
        if isinstance(scheduler, Client):
            self.client, self._own = scheduler, False
        else:
            try:
                client: Any = Client(scheduler, timeout=timeout)  # type: ignore[no-untyped-call]
                self.client, self._own = client, True
            except OSError as exc:
                raise ClusterError(
                    f"cannot reach the Dask scheduler at {scheduler}: {exc}"
                ) from exc
        self._payloads: dict[str, tuple[str, dict[str, str]]] = {}

    def in_flight(self) -> int:
        """Two tasks per worker thread, so that none waits."""
        threads = sum(self.client.nthreads().values()) or 1
        return 2 * threads

    def submit(
        self,
        library: Library,
        paths: list[str],
        pathways: tuple[str, ...] | None,
        engine: str,
        work: tuple[str, list[str]],
        as_of: Any,
    ) -> Any:
        payload = self._payloads.get(library.digest)
        if payload is None:
            payload = self._payloads[library.digest] = (library.digest, _files(paths))
        return self.client.submit(
            decide_partition, payload, pathways, engine, work, as_of, pure=False
        )

    def close(self) -> None:
        if self._own:
            self.client.close()


# --- on a worker of the cluster ----------------------------------------------------------------

_STATES: dict[tuple[str, tuple[str, ...] | None, str], dict[str, Any]] = {}
_READERS: dict[str, RecordReader] = {}
_LOCK = threading.Lock()  # a worker may run tasks in several threads


def decide_partition(
    payload: tuple[str, dict[str, str]],
    pathways: tuple[str, ...] | None,
    engine: str,
    work: tuple[str, list[str]],
    as_of: Any,
) -> tuple[tuple[str, ...], list[Any]]:
    """On a worker: read the partition's records from the database and decide them."""
    digest, files = payload
    key = (digest, pathways, engine)
    with _LOCK:
        state = _STATES.get(key)
        if state is None:
            state = _STATES[key] = worker_state(
                _library(digest, files), list(pathways) if pathways else None, engine
            )
        url, ids = work
        reader = _READERS.setdefault(url, RecordReader(url))
    return decide_rows(state, reader(ids), as_of, reader=reader)


def _library(digest: str, files: dict[str, str]) -> Library:
    root = Path(tempfile.mkdtemp(prefix=f"pathways-{digest[:12]}-"))
    for name, text in files.items():
        target = (root / name).resolve()
        if not target.is_relative_to(root.resolve()):
            raise ValueError(f"library file name '{name}' is outside the library")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    dirs = sorted({str(root / name.split("/")[0]) for name in files})
    library = load_library(dirs)
    if library.digest != digest:
        raise ValueError(f"the files sent as library {digest[:12]} make {library.digest[:12]}")
    return library
