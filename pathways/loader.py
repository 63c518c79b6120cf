"""Loading pathway and catalogue files into validated models, with located errors.

Each pydantic error becomes a :class:`~pathways.problems.Problem` that names the
file, line and column, the field path as written in the YAML, what is wrong
and how to fix it, with "did you mean" for unknown field and kind names
(:mod:`pathways.translate`). All errors of all files are collected before
anything is raised. A pathway file may add entries to the catalogue
(:mod:`pathways.additions`).

>>> from pathways.yamlsource import read_yaml_text
>>> doc = read_yaml_text("pathway:\\n  id: x\\n  nme: X\\n  stages: []\\n", "x.yaml")
>>> for p in validate_document(doc)[1]: print(p.format())
x.yaml:1:1: error[missing-field] pathway: missing required field 'name'
    hint: add 'name: ...' here
x.yaml:3:3: error[unknown-field] pathway.nme: unknown field 'nme'
    did you mean 'name'?
    hint: fields allowed here: id, name, description, source, stages, progressions, obligations
x.yaml:4:11: error[invalid-value] pathway.stages: 'stages' needs at least one item
    hint: a pathway needs at least one stage
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .additions import Addition, merge_additions
from .indexfiles import hash_files, is_source_index_file
from .locations import LoadedFile, attach_locations
from .model.additions import CatalogueAdditionsFile, is_additions
from .model.catalogue import CatalogueFile
from .model.library import Library
from .model.pathway import PathwayFile
from .model.sources import SourceIndexFile
from .problems import PathwayError, Problem
from .suggest import did_you_mean
from .translate import translate
from .yamlsource import YamlDocument, read_yaml_file

__all__ = [
    "SHIPPED_LIBRARY",
    "collect_files",
    "is_catalogue_file",
    "is_source_index_file",
    "library_files",
    "load_library",
    "validate_document",
]

SHIPPED_LIBRARY = Path(__file__).parent / "library"
TOP_LEVEL: dict[str, type[PathwayFile] | type[CatalogueFile] | type[SourceIndexFile]] = {
    "pathway": PathwayFile,
    "catalogue": CatalogueFile,
    "source_index": SourceIndexFile,
}


def collect_files(paths: Iterable[str | Path]) -> list[Path]:
    """Expand directories to the ``*.yaml`` / ``*.yml`` files under them, sorted."""
    out: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            out.extend(sorted(f for f in p.rglob("*") if f.suffix in (".yaml", ".yml")))
        else:
            out.append(p)
    unique: dict[Path, Path] = {}
    for f in out:
        unique.setdefault(f.resolve(), f)  # the same file named two ways is read once
    return list(unique.values())


def library_files(directory: Path) -> dict[str, str]:
    """A library directory's YAML files as {relative path (with /): text}."""
    return {
        f.resolve().relative_to(directory.resolve()).as_posix(): f.read_text(encoding="utf-8")
        for f in collect_files([directory])
    }


def is_catalogue_file(path: Path) -> bool:
    """True if ``path`` is a library's whole catalogue: its only top-level key is
    ``catalogue:`` and that has an ``id`` or ``name``. A pathway file's ``catalogue:``
    section, or a file of catalogue additions, is not (it adds to another catalogue).

    A file that is not valid YAML counts if a line starts ``catalogue:`` and none
    ``pathway:``; the checker reports its syntax either way.
    """
    data = read_yaml_file(path).data
    if isinstance(data, dict):
        return list(data) == ["catalogue"] and not is_additions(data["catalogue"])
    try:
        with path.open(encoding="utf-8", errors="replace") as fh:
            tops = {line.split(":")[0] for line in fh if line[:1].isalpha()}
    except OSError:
        return False
    return "catalogue" in tops and "pathway" not in tops


def load_library(paths: Iterable[str | Path], base: str | Path | None = None) -> Library:
    """Load pathway and catalogue files (or directories of them) into a :class:`Library`.

    ``base`` is a library directory to build on: its catalogue is used when
    ``paths`` have none, and its pathways are kept unless a file in ``paths``
    defines a pathway with the same id (which replaces it).

    Raises:
        PathwayError: if any file cannot be read, is not valid YAML, or does not
            match the pathway language; the error lists every problem found.
    """
    library, problems = load_with_problems(paths, base)
    if problems or library is None:
        raise PathwayError(problems)
    return library


def load_with_problems(
    paths: Iterable[str | Path], base: str | Path | None = None
) -> tuple[Library | None, list[Problem]]:
    """Like :func:`load_library`, but return the problems instead of raising."""
    problems: list[Problem] = []
    own_paths = collect_files(paths)
    base_paths = collect_files([base]) if base is not None else []
    own = _load_files(own_paths, problems)
    base_files = _load_files(base_paths, problems) if base is not None else []
    if problems:
        return None, problems
    catalogues = [(f, d) for f, d in own if isinstance(f, CatalogueFile)]
    if not catalogues:
        catalogues = [(f, d) for f, d in base_files if isinstance(f, CatalogueFile)]
    if not catalogues:
        problems.append(
            Problem(
                code="missing-catalogue",
                message="no catalogue file found",
                hint="add a file whose top-level key is 'catalogue:'; 'pathways check' "
                "uses the shipped catalogue when none is given (unless --no-shipped)",
            )
        )
        return None, problems
    for extra, doc in catalogues[1:]:
        problems.append(
            Problem.at(
                doc.location(("catalogue",)),
                "duplicate-id",
                f"a second catalogue '{extra.catalogue.id}'; a library has exactly one "
                f"(the first is in {catalogues[0][1].file})",
                hint="merge the two catalogue files into one",
            )
        )
    pathways: dict[str, tuple[PathwayFile, YamlDocument]] = {}
    for f, doc in own:
        if not isinstance(f, PathwayFile):
            continue
        pid = f.pathway.id
        if pid in pathways:
            problems.append(
                Problem.at(
                    doc.location(("pathway", "id")),
                    "duplicate-id",
                    f"pathway id '{pid}' is also defined in {pathways[pid][1].file}",
                    pathway=pid,
                    hint="give each pathway a unique id, or delete one of the files",
                )
            )
            continue
        pathways[pid] = (f, doc)
    for f, doc in base_files:
        if isinstance(f, PathwayFile) and f.pathway.id not in pathways:
            pathways[f.pathway.id] = (f, doc)
    if problems:
        return None, problems
    cat_file, cat_doc = catalogues[0]
    assert isinstance(cat_file, CatalogueFile)
    from_base = not any(isinstance(f, CatalogueFile) for f, _ in own)
    # The index goes with the catalogue: a library with its own catalogue has its own
    # sources (and index, if any); files checked on top of a base use the base's.
    indexes = [f for f in own_paths if is_source_index_file(f)]
    if not indexes and from_base:
        indexes = [f for f in base_paths if is_source_index_file(f)]
    merged = merge_additions(
        cat_file.catalogue, _additions(pathways, own, base_files if from_base else [])
    )
    if merged.problems:
        return None, sorted(merged.problems, key=Problem.sort_key)
    library = Library(
        catalogue=merged.catalogue,
        added=merged.added,
        pathways={pid: f.pathway for pid, (f, _) in pathways.items()},
        files={pid: doc.file for pid, (_, doc) in pathways.items()},
        catalogue_file=cat_doc.file,
        source_index_files=[_display(f) for f in indexes],
        source_index_sha256=hash_files(indexes) if indexes else None,
    )
    return library, problems


def _additions(
    pathways: dict[str, tuple[PathwayFile, YamlDocument]],
    own: list[tuple[LoadedFile, YamlDocument]],
    base: list[tuple[LoadedFile, YamlDocument]],
) -> list[Addition]:
    """The catalogue additions of the library's pathways, and of the additions files
    (the base's too when its catalogue is the one used)."""
    out = [
        Addition(f.catalogue, doc.file, doc)
        for f, doc in pathways.values()
        if f.catalogue is not None
    ]
    for f, doc in [*own, *base]:
        if isinstance(f, CatalogueAdditionsFile):
            out.append(Addition(f.catalogue, doc.file, doc))
    return out


def _load_files(
    files: Sequence[Path], problems: list[Problem]
) -> list[tuple[LoadedFile, YamlDocument]]:
    loaded = []
    for path in files:
        if is_source_index_file(path):
            continue  # read only when citations are checked: see source_index_of
        doc = read_yaml_file(path, _display(path))
        model, found = validate_document(doc)
        problems.extend(found)
        if model is not None and not found:
            loaded.append((model, doc))
    return loaded


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def validate_document(doc: YamlDocument) -> tuple[LoadedFile | None, list[Problem]]:
    """Validate one parsed YAML document against the pathway language."""
    problems = list(doc.problems)
    if doc.data is None and problems:
        return None, problems
    data = doc.data
    root_cls = _root_class(data)
    if root_cls is None:
        keys = list(data) if isinstance(data, dict) else []
        guess = did_you_mean(str(keys[0]), TOP_LEVEL) if len(keys) == 1 else None
        problems.append(
            Problem.at(
                doc.location(()),
                "unknown-file-kind",
                "a pathway library file has exactly one top-level key, 'pathway', "
                "'catalogue' or 'source_index' (a pathway file may add a 'catalogue:' section)"
                + (f"; this one has {', '.join(map(str, keys))}" if keys else ""),
                suggestion=guess,
                hint="start the file with 'pathway:' (one pathway), 'catalogue:' (vocabulary) "
                "or 'source_index:' (the units of the source documents)",
            )
        )
        return None, problems
    try:
        model: LoadedFile = root_cls.model_validate(data)
    except ValidationError as exc:
        # A value the YAML layer already rejected (e.g. 2010-13-01) is not reported twice.
        seen = {p.path for p in problems}
        problems.extend(p for p in translate(doc, root_cls, exc) if p.path not in seen)
        return None, sorted(problems, key=Problem.sort_key)
    attach_locations(model, doc)
    return model, sorted(problems, key=Problem.sort_key)


def _root_class(
    data: Any,
) -> (
    type[PathwayFile]
    | type[CatalogueFile]
    | type[CatalogueAdditionsFile]
    | type[SourceIndexFile]
    | None
):
    """What kind of file ``data`` is: a pathway (with or without catalogue additions), a
    whole catalogue, a file of catalogue additions, a source index; None if none of these."""
    if not isinstance(data, dict):
        return None
    keys = set(data)
    if keys == {"source_index"}:
        return SourceIndexFile
    if keys in ({"pathway"}, {"pathway", "catalogue"}):
        return PathwayFile
    if keys == {"catalogue"}:
        return CatalogueAdditionsFile if is_additions(data["catalogue"]) else CatalogueFile
    return None
