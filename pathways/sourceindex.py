"""The source index of a library: read, validated and merged when citations are checked
or listed (``pathways check``, ``pathways sources``); decisions never read it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from .loader import validate_document
from .model.library import Library
from .model.sources import SourceIndex, SourceIndexFile
from .problems import Problem
from .yamlsource import read_yaml_file

__all__ = ["load_source_index", "source_index_of"]


def load_source_index(files: Sequence[str | Path]) -> tuple[SourceIndex | None, list[Problem]]:
    """Read and validate source index files; several are merged into one index."""
    problems: list[Problem] = []
    merged: SourceIndex | None = None
    for path in files:
        doc = read_yaml_file(path, str(path))
        model, found = validate_document(doc)
        problems.extend(found)
        if not isinstance(model, SourceIndexFile) or found:
            if model is not None and not found:
                problems.append(
                    Problem.at(
                        doc.location(()),
                        "unknown-file-kind",
                        "not a source index file",
                        hint="a source index file starts with 'source_index:'",
                    )
                )
            continue
        index = model.source_index
        if merged is None:
            merged = index
        else:
            merged.documents.extend(index.documents)
            if index.unknown.value == "error":
                merged.unknown = index.unknown
    return merged, problems


_INDEXES: dict[tuple[str, ...], tuple[str | None, SourceIndex | None, list[Problem]]] = {}


def source_index_of(library: Library) -> tuple[SourceIndex | None, list[Problem]]:
    """The library's source index (None if it has none), read once per file set and text."""
    if not library.source_index_files:
        return None, []
    key = tuple(library.source_index_files)
    cached = _INDEXES.get(key)
    if cached is None or cached[0] != library.source_index_sha256:
        index, problems = load_source_index(library.source_index_files)
        if len(_INDEXES) > 16:
            _INDEXES.clear()
        cached = (library.source_index_sha256, index, problems)
        _INDEXES[key] = cached
    return cached[1], list(cached[2])
