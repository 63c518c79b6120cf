"""The library a job decides with, named so that a worker on any machine can get it: a stored
version by its digest, the shipped library by its digest, or the files themselves (a
library directory given on a command line, a change previewed before it is published).

>>> from pathways import SHIPPED_LIBRARY, load_library
>>> spec = spec_of(SHIPPED_LIBRARY, None)
>>> spec.files is None and spec.digest == load_library([SHIPPED_LIBRARY]).digest
True
"""

from __future__ import annotations

import functools
import shutil
import tempfile
from collections import OrderedDict
from pathlib import Path

from pydantic import BaseModel, Field

from pathways.loader import SHIPPED_LIBRARY, library_files, load_with_problems
from pathways.model.library import Library
from pathways.problems import CareerPathwaysError
from store import LibraryVersion, Store

__all__ = ["Libraries", "LibraryError", "LibrarySpec", "shipped_digest", "spec_of"]

DIGEST = r"^[0-9a-f]{64}$"
#: Libraries written out and loaded per worker process.
KEPT = 6


class LibraryError(CareerPathwaysError, ValueError):
    """A job's library cannot be had (not stored, or its files make another library)."""


class LibrarySpec(BaseModel):
    """A library for a job: its digest, and its files unless it is stored or shipped."""

    digest: str = Field(pattern=DIGEST, description="The library's content digest")
    files: dict[str, str] | None = Field(
        None, description="{relative path: YAML text}; omitted for a stored or shipped version"
    )


@functools.cache
def shipped_digest() -> str:
    library, _ = load_with_problems([SHIPPED_LIBRARY])
    assert library is not None, "the shipped library loads"
    return library.digest


def spec_of(directory: Path, version: LibraryVersion | None) -> LibrarySpec:
    """The spec of the library in ``directory``: a stored ``version`` by digest, the shipped
    library by digest, any other directory with its files.

    Raises:
        LibraryError: if the directory does not hold a library that loads.
    """
    if version is not None:
        return LibrarySpec(digest=version.digest)
    if directory.resolve() == Path(SHIPPED_LIBRARY).resolve():
        return LibrarySpec(digest=shipped_digest())
    library, problems = load_with_problems([directory])
    if library is None:
        raise LibraryError(f"the library in {directory} does not load: {problems[0].format()}")
    return LibrarySpec(digest=library.digest, files=library_files(directory))


class Libraries:
    """Job libraries in a worker: written out once under a directory of its own, loaded once,
    checked against their digest."""

    def __init__(self, store: Store):
        self.store = store
        self.root = Path(tempfile.mkdtemp(prefix="pathways-worker-"))
        self._loaded: OrderedDict[str, tuple[Library, Path]] = OrderedDict()

    def get(self, spec: LibrarySpec) -> tuple[Library, Path]:
        """The library and the directory it was loaded from.

        Raises:
            LibraryError: if it is neither given, stored nor shipped, does not load, or is
                not the library its digest names.
        """
        found = self._loaded.get(spec.digest)
        if found is not None:
            self._loaded.move_to_end(spec.digest)
            return found
        directory = self._directory(spec)
        library, problems = load_with_problems([directory])
        if library is None:
            raise LibraryError(
                f"library {spec.digest[:12]} does not load: "
                + "; ".join(p.format() for p in problems[:3])
            )
        if library.digest != spec.digest:
            raise LibraryError(
                f"the files sent as library {spec.digest[:12]} make library {library.digest[:12]}"
            )
        self._loaded[spec.digest] = (library, directory)
        while len(self._loaded) > KEPT:
            _, (_, old) = self._loaded.popitem(last=False)
            if old.is_relative_to(self.root):
                shutil.rmtree(old, ignore_errors=True)
        return library, directory

    def _directory(self, spec: LibrarySpec) -> Path:
        files = spec.files
        if files is None:
            if spec.digest == shipped_digest():
                return Path(SHIPPED_LIBRARY)
            version = self.store.library_version(spec.digest)
            if version is None:
                raise LibraryError(f"no library version {spec.digest[:12]} in the store")
            files = version.files
        directory = self.root / spec.digest
        shutil.rmtree(directory, ignore_errors=True)
        for name, text in files.items():
            target = (directory / name).resolve()
            if not target.is_relative_to(directory.resolve()):
                raise LibraryError(f"library file name '{name}' is outside the library")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        return directory

    def close(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)
