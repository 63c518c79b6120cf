"""Loading pathway and catalogue files into validated models, with located errors.

Each pydantic error becomes a :class:`~pathways.problems.Problem` that names the
file, line and column, the field path as written in the YAML, what is wrong
and how to fix it, with "did you mean" for unknown field and kind names. All
errors of all files are collected before anything is raised.

>>> from pathways.yamlsource import read_yaml_text
>>> doc = read_yaml_text("pathway:\\n  id: x\\n  nme: X\\n  stages: []\\n", "x.yaml")
>>> for p in validate_document(doc)[1]: print(p.format())
x.yaml:1:1: error[missing-field] pathway: missing required field 'name'
    hint: add 'name: ...' here
x.yaml:3:3: error[unknown-field] pathway.nme: unknown field 'nme'
    did you mean 'name'?
    hint: fields allowed here: id, name, description, source, stages, progressions
x.yaml:4:11: error[invalid-value] pathway.stages: 'stages' needs at least one item
    hint: a pathway needs at least one stage
"""

from __future__ import annotations

import types
import typing
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Union

from pydantic import BaseModel, ValidationError

from .indexfiles import hash_files, is_source_index_file
from .locations import LoadedFile, attach_locations
from .model.catalogue import CatalogueFile
from .model.library import Library
from .model.pathway import PathwayFile
from .model.requirements import (
    KIND_KEYS,
    REQUIREMENT_MODELS,
    BaseRequirement,
)
from .model.sources import SourceIndexFile
from .problems import PathwayError, Problem, describe_value
from .suggest import did_you_mean
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
    """True if ``path`` looks like a catalogue file (a top-level ``catalogue:`` line)."""
    try:
        with path.open(encoding="utf-8", errors="replace") as fh:
            return any(line.startswith("catalogue:") for line in fh)
    except OSError:
        return False


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
    # The index goes with the catalogue: a library with its own catalogue has its own
    # sources (and index, if any); files checked on top of a base use the base's.
    indexes = [f for f in own_paths if is_source_index_file(f)]
    if not indexes and not any(isinstance(f, CatalogueFile) for f, _ in own):
        indexes = [f for f in base_paths if is_source_index_file(f)]
    library = Library(
        catalogue=cat_file.catalogue,
        pathways={pid: f.pathway for pid, (f, _) in pathways.items()},
        files={pid: doc.file for pid, (_, doc) in pathways.items()},
        catalogue_file=cat_doc.file,
        source_index_files=[_display(f) for f in indexes],
        source_index_sha256=hash_files(indexes) if indexes else None,
    )
    return library, problems


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
    if not isinstance(data, dict) or len(data) != 1 or next(iter(data)) not in TOP_LEVEL:
        keys = list(data) if isinstance(data, dict) else []
        guess = did_you_mean(str(keys[0]), TOP_LEVEL) if len(keys) == 1 else None
        problems.append(
            Problem.at(
                doc.location(()),
                "unknown-file-kind",
                "a pathway library file has exactly one top-level key, 'pathway', "
                "'catalogue' or 'source_index'"
                + (f"; this one has {', '.join(map(str, keys))}" if keys else ""),
                suggestion=guess,
                hint="start the file with 'pathway:' (one pathway), 'catalogue:' (vocabulary) "
                "or 'source_index:' (the units of the source documents)",
            )
        )
        return None, problems
    root_cls = TOP_LEVEL[next(iter(data))]
    try:
        model: LoadedFile = root_cls.model_validate(data)
    except ValidationError as exc:
        # A value the YAML layer already rejected (e.g. 2010-13-01) is not reported twice.
        seen = {p.path for p in problems}
        problems.extend(p for p in _translate(doc, root_cls, exc) if p.path not in seen)
        return None, sorted(problems, key=Problem.sort_key)
    attach_locations(model, doc)
    return model, sorted(problems, key=Problem.sort_key)


# --- pydantic error -> Problem --------------------------------------------------------


def _translate(doc: YamlDocument, root: type[BaseModel], exc: ValidationError) -> list[Problem]:
    out = []
    for err in exc.errors():
        data_path, parent = _resolve(root, err["loc"])
        out.append(_problem_for(doc, err, data_path, parent))
    return out


def _resolve(root: type[BaseModel], loc: Sequence[str | int]) -> tuple[list[str | int], Any]:
    """Map a pydantic error location to the YAML data path and the model it is in.

    Tags of the requirement union appear in pydantic's ``loc`` but not in the
    YAML; the type walk knows where the union is and drops them.
    """
    tp: Any = root
    parent: Any = None
    path: list[str | int] = []
    for part in loc:
        tp = _unwrap(tp)
        if _is_requirement_union(tp) and part in REQUIREMENT_MODELS:
            tp = REQUIREMENT_MODELS[str(part)]
            continue
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            parent = tp
            path.append(part)
            field = _field_by_alias(tp, str(part))
            tp = field.annotation if field is not None else None
            continue
        origin = typing.get_origin(tp)
        if origin in (list, tuple) and isinstance(part, int):
            path.append(part)
            tp = typing.get_args(tp)[0]
            continue
        path.append(part)
        tp = None
    return path, parent


def _unwrap(tp: Any) -> Any:
    while True:
        origin = typing.get_origin(tp)
        if origin is typing.Annotated:
            inner = typing.get_args(tp)[0]
            if _is_requirement_union(inner):
                return inner
            tp = inner
        elif origin in (Union, types.UnionType):
            args = [a for a in typing.get_args(tp) if a is not type(None)]
            if len(args) == 1:
                tp = args[0]
            else:
                return tp
        else:
            return tp


def _is_requirement_union(tp: Any) -> bool:
    if typing.get_origin(tp) not in (Union, types.UnionType):
        return False
    members = [
        typing.get_args(a)[0] if typing.get_origin(a) is typing.Annotated else a
        for a in typing.get_args(tp)
    ]
    return any(isinstance(m, type) and issubclass(m, BaseRequirement) for m in members)


def _field_by_alias(model: type[BaseModel], name: str) -> Any:
    for fname, field in model.model_fields.items():
        if (field.alias or fname) == name:
            return field
    return None


def _allowed_fields(model: Any) -> list[str]:
    if not (isinstance(model, type) and issubclass(model, BaseModel)):
        return []
    return [f.alias or n for n, f in model.model_fields.items()]


_TYPE_WORDS = {
    "string_type": "text",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "list_type": "a list (lines starting with '- ')",
    "dict_type": "a mapping of 'key: value' lines",
    "model_type": "a mapping of 'key: value' lines",
    "model_attributes_type": "a mapping of 'key: value' lines",
    "date_type": "a date like 2010-04-01",
    "date_parsing": "a date like 2010-04-01",
    "date_from_datetime_parsing": "a date like 2010-04-01",
    "date_from_datetime_inexact": "a date like 2010-04-01 (no time)",
}


# Long: one branch per kind of pydantic error, so every loader message is phrased in one
# place (issue 15 makes this the one translator for every input).
def _problem_for(doc: YamlDocument, err: Any, path: list[str | int], parent: Any) -> Problem:
    etype: str = err["type"]
    where = doc.location(path)
    field: str | int = path[-1] if path else ""
    if isinstance(field, int):
        field = f"item {field + 1} of {path[-2]}" if len(path) > 1 else f"item {field + 1}"
    value = err.get("input")
    if etype == "missing":
        return Problem.at(
            doc.location(path[:-1]),
            "missing-field",
            f"missing required field '{field}'",
            hint=f"add '{field}: ...' here",
        )
    if etype == "extra_forbidden":
        allowed = _allowed_fields(parent)
        kind_guess = did_you_mean(str(field), KIND_KEYS) if issubclass_safe(parent) else None
        return Problem.at(
            doc.location(path, at_key=True),
            "unknown-field",
            f"unknown field '{field}'",
            suggestion=did_you_mean(str(field), allowed) or kind_guess,
            hint=("fields allowed here: " + ", ".join(allowed)) if allowed else None,
        )
    if etype == "requirement_kind":
        keys = [str(k) for k in value] if isinstance(value, dict) else []
        kinds = [k for k in keys if k in KIND_KEYS]
        if len(kinds) > 1:
            return Problem.at(
                where,
                "requirement-kind",
                f"a requirement has exactly one kind key; this one has {', '.join(kinds)}",
                hint="split it into separate items of the list (they must all hold), "
                "or nest them under 'any_of:' if one is enough",
            )
        guess = next((g for k in keys if (g := did_you_mean(k, KIND_KEYS))), None)
        shown = f" (keys here: {', '.join(keys)})" if keys else ""
        return Problem.at(
            where,
            "requirement-kind",
            f"unknown requirement kind{shown}"
            if keys
            else "a requirement must be a mapping with one kind key",
            suggestion=guess,
            hint="requirement kinds: " + ", ".join(KIND_KEYS),
        )
    if etype in ("enum", "literal_error"):
        expected = err.get("ctx", {}).get("expected", "")
        options = [o.strip(" '") for o in expected.replace(" or ", ",").split(",") if o.strip()]
        return Problem.at(
            where,
            "invalid-value",
            f"'{value}' is not allowed for '{field}'",
            suggestion=did_you_mean(str(value), options),
            hint=f"use one of: {', '.join(options)}" if options else None,
        )
    if etype in _TYPE_WORDS:
        return Problem.at(
            where,
            "wrong-type",
            f"'{field}' should be {_TYPE_WORDS[etype]}, not {describe_value(value)}",
            hint=_type_hint(etype),
        )
    if etype == "string_pattern_mismatch":
        return Problem.at(
            where,
            "invalid-value",
            f"'{value}' is not a valid id for '{field}'",
            hint="ids use letters, digits, '_' and '-' only (no spaces); "
            "'reached' takes 'stage' or 'pathway.stage'",
        )
    if etype == "value_error":
        msg = str(err.get("ctx", {}).get("error", err["msg"]))
        return Problem.at(where, "invalid-value", msg, hint=_value_hint(msg))
    if etype == "too_short":
        return Problem.at(
            where,
            "invalid-value",
            f"'{field}' needs at least one item",
            hint=_EMPTY_HINT.get(str(field), "add an item or remove the key"),
        )
    return Problem.at(where, "invalid-value", f"{err['msg'][0].lower()}{err['msg'][1:]}", hint=None)


_EMPTY_HINT = {
    "stages": "a pathway needs at least one stage",
    "values": "list the values this attribute can take",
}


def issubclass_safe(model: Any) -> bool:
    return isinstance(model, type) and issubclass(model, BaseRequirement)


def _type_hint(etype: str) -> str | None:
    if "date" in etype:
        return "write dates as YYYY-MM-DD, unquoted"
    if etype == "string_type":
        return (
            "put the value in quotes (YAML reads 003 as the number 3, "
            "and yes/no/on/off as true/false)"
        )
    if etype in ("list_type",):
        return "put each item on its own line starting with '- '"
    if etype in ("model_type", "dict_type", "model_attributes_type"):
        return "indent 'key: value' lines under this key"
    return None


def _value_hint(msg: str) -> str | None:
    if "exactly one of" in msg or "give" in msg:
        return "see docs/language.md (requirement reference) for the fields this item takes"
    return None
