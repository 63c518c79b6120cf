"""Pydantic's validation errors as located problems, phrased for the people who write files.

Each error becomes a :class:`~pathways.problems.Problem` that names the file, line and
column, the field path as written in the YAML (the requirement union's tags left out),
what is wrong and how to fix it, with "did you mean" for unknown field and kind names.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Sequence
from typing import Any, Union

from pydantic import BaseModel, ValidationError

from .model.additions import ORDERED, CatalogueAdditions
from .model.requirements import KIND_KEYS, REQUIREMENT_MODELS, BaseRequirement
from .problems import Problem, describe_value
from .suggest import did_you_mean
from .yamlsource import YamlDocument

__all__ = ["translate"]


def translate(doc: YamlDocument, root: type[BaseModel], exc: ValidationError) -> list[Problem]:
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
# place.
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
    if etype == "extra_forbidden" and parent is CatalogueAdditions:
        return _not_addable(doc, path, str(field))
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


def _not_addable(doc: YamlDocument, path: list[str | int], field: str) -> Problem:
    where = doc.location(path, at_key=True)
    allowed = ", ".join(_allowed_fields(CatalogueAdditions))
    if field in ORDERED:
        return Problem.at(
            where,
            "unknown-field",
            f"{field} cannot be added by catalogue additions: their order is what "
            "'at_least' and 'at_most' compare",
            hint=f"put the new {field[:-1]} in its place in the library's catalogue (the file "
            f"with 'id:' and 'name:'); additions may hold {allowed}",
        )
    if field in ("id", "name"):  # only in a pathway file: a lone one would be a catalogue
        return Problem.at(
            where,
            "unknown-field",
            f"a pathway file's catalogue: section has no '{field}': it adds entries to the "
            "library's catalogue",
            hint=f"delete '{field}'; the section may hold {allowed}",
        )
    return Problem.at(
        where,
        "unknown-field",
        f"unknown field '{field}'",
        suggestion=did_you_mean(field, _allowed_fields(CatalogueAdditions)),
        hint=f"a catalogue: section that adds entries may hold {allowed}",
    )


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
