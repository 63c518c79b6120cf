"""Source index files, as the loader meets them: which files are one, and their hash.

An index is large and decisions never need it, so the loader only notes its files;
:mod:`pathways.sourceindex` reads them when citations are checked or listed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

from .model.sources import SourceIndexFile
from .yamlsource import YamlDocument

__all__ = ["hash_files", "is_source_index_file", "locate_index"]


def is_source_index_file(path: Path) -> bool:
    """True if ``path``'s first key (after comments) is ``source_index:``.

    The loader only notes index files; :func:`pathways.sourceindex.source_index_of`
    reads one when citations are checked or listed.
    """
    try:
        with path.open(encoding="utf-8", errors="replace") as fh:
            for line in fh:
                if line.strip() and not line.lstrip().startswith("#"):
                    return line.startswith("source_index:")
    except OSError:
        return False
    return False


def hash_files(files: Sequence[Path]) -> str | None:
    """The SHA-256 of the files' bytes, in order; None if one cannot be read."""
    digest = hashlib.sha256()
    try:
        for f in files:
            digest.update(f.read_bytes())
    except OSError:
        return None
    return digest.hexdigest()


def locate_index(model: SourceIndexFile, doc: YamlDocument) -> None:
    """Give the index, its documents and their units the place each was read from."""
    index = model.source_index
    index._loc = doc.location(("source_index",))
    for i, document in enumerate(index.documents):
        document._loc = doc.location(("source_index", "documents", i))
        for j, cited in enumerate(document.units):
            cited._loc = doc.location(("source_index", "documents", i, "units", j))
