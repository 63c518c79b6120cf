"""Reading records from JSON, with one located problem per mistake.

>>> try:
...     load_record_text('{"id": "W1", "kind": "officer", "joined": "2020-13-01"}', "w1.json")
... except RecordError as err:
...     p = err.problems[0]
...     print(p.file, p.path, p.code, "--", p.message[:36])
w1.json joined wrong-type -- expected a date like 2020-04-01, got
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from pathways.model.catalogue import Catalogue
from pathways.problems import CareerPathwaysError, Problem, Severity, format_path
from pathways.suggest import did_you_mean

from .record import ITEM_SECTIONS, REFERENCES, Person, ProtectedCharacteristics

__all__ = [
    "RecordError",
    "load_record",
    "load_record_text",
    "record_fields",
    "record_from_data",
    "record_problem",
    "record_warnings",
    "reference_problems",
]


class RecordError(CareerPathwaysError, ValueError):
    """A record that cannot be read; ``problems`` holds each one, located by its field
    path (``ranks[0].start``) in the file or body named ``file``."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(p.format() for p in problems))


def load_record(path: str | Path) -> Person:
    """Read one person's record from a JSON file.

    Raises:
        RecordError: if the file cannot be read, is not JSON, or is not a valid record.
    """
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RecordError(
            [Problem(code="unreadable-file", file=str(path), message=f"cannot read it: {exc}")]
        ) from exc
    return load_record_text(text, str(path))


def load_record_text(text: str, name: str = "<record>") -> Person:
    """Parse and validate a record from JSON text.

    Raises:
        RecordError: if it is not JSON or not a valid record; every problem is listed.
    """
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RecordError(
            [
                Problem(
                    code="json-syntax",
                    file=name,
                    line=exc.lineno,
                    column=exc.colno,
                    message=f"not valid JSON: {exc.msg}",
                )
            ]
        ) from exc
    return record_from_data(data, name)


def record_from_data(data: Any, name: str = "<record>") -> Person:
    """Validate already-parsed data as a record.

    Raises:
        RecordError: listing every invalid field.
    """
    try:
        return Person.model_validate(data)
    except ValidationError as exc:
        raise RecordError([record_problem(e, name) for e in exc.errors()]) from exc


_EXPECTED = {
    "date_from_datetime_parsing": "a date like 2020-04-01",
    "date_parsing": "a date like 2020-04-01",
    "date_type": "a date like 2020-04-01",
    "string_type": "text",
    "int_parsing": "a whole number",
    "int_type": "a whole number",
    "list_type": "a list",
    "dict_type": "an object",
    "model_type": "an object",
}


def record_problem(err: Any, file: str | None = None, prefix: str = "") -> Problem:
    """One pydantic error of a record as a located :class:`Problem`: the field path
    (``ranks[0].start``, after ``prefix``), what is wrong, and what to do."""
    loc = tuple(p for p in err["loc"] if p != "__root__")
    where = format_path(loc)
    path = ".".join(p for p in (prefix, where) if p).replace(".[", "[")
    etype = err["type"]
    value = err.get("input")
    if etype == "missing":
        return Problem(
            loc=loc, code="missing-field", file=file, path=path, message="missing (required)"
        )
    if etype == "extra_forbidden":
        allowed = record_fields(loc[:-1])
        return Problem(
            loc=loc,
            code="unknown-field",
            file=file,
            path=path,
            message=f"unknown field '{loc[-1]}'" if loc else "unknown field",
            suggestion=did_you_mean(str(loc[-1]), allowed) if loc else None,
            hint="fields allowed here: " + ", ".join(allowed)
            if allowed
            else "remove it, or check the spelling",
        )
    if etype in _EXPECTED:
        detail = err.get("ctx", {}).get("error")
        extra = f" ({detail})" if detail else ""
        return Problem(
            loc=loc,
            code="wrong-type",
            file=file,
            path=path,
            message=f"expected {_EXPECTED[etype]}, got {_shown(value)}{extra}",
        )
    if etype == "enum":
        expected = err["ctx"]["expected"]
        options = [o.strip(" '") for o in expected.replace(" or ", ",").split(",") if o.strip()]
        return Problem(
            loc=loc,
            code="invalid-value",
            file=file,
            path=path,
            message=f"{_shown(value)} is not one of {expected}",
            suggestion=did_you_mean(str(value), options),
        )
    if etype == "string_pattern_mismatch" and where == "id":
        return Problem(
            loc=loc,
            code="invalid-value",
            file=file,
            path=path,
            message=f"{_shown(value)} is not a warrant or staff number",
            hint="use letters, digits, '_' and '-' only, at most 32 characters, "
            "starting with a letter or digit",
        )
    if etype == "string_too_long":
        limit = err.get("ctx", {}).get("max_length")
        return Problem(
            loc=loc,
            code="invalid-value",
            file=file,
            path=path,
            message=f"longer than {limit} characters",
        )
    msg = str(err.get("ctx", {}).get("error", err["msg"]))
    return Problem(loc=loc, code="invalid-value", file=file, path=path, message=msg)


def record_fields(loc: Sequence[str | int]) -> list[str]:
    """The fields allowed at ``loc`` in a record (Person, or one of its history items).

    >>> record_fields(("ranks", 0))[:3]
    ['id', 'start', 'end']
    """
    model: type[BaseModel] = Person
    for part in loc:
        if isinstance(part, int):
            continue
        field_info = model.model_fields.get(str(part))
        if field_info is None:
            return []
        inner = _model_in(field_info.annotation)
        if inner is None:
            return []
        model = inner
    return list(model.model_fields)


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def reference_problems(
    person: Person, catalogue: Catalogue, as_of: dt.date | None = None
) -> list[Problem]:
    """What is valid in a record but probably wrong, as warnings located by field path:
    ids the catalogue does not know (``courses[2].course``: no rule can use them),
    protected characteristics outside the catalogue's values (``protected.gender``), and
    items dated after ``as_of`` (default: today), which a decision as of that day leaves
    out (a rank starting 9999-12-31, say).

    Every reader of records gives these: the command line, the importer (which names the
    row and column of each) and the records API.
    """
    out = []
    for section, field_name, vocab in REFERENCES:
        known = catalogue.ids(vocab)
        for i, item in enumerate(getattr(person, section)):
            value = getattr(item, field_name)
            if value not in known:
                out.append(
                    Problem(
                        loc=(section, i, field_name),
                        code="unknown-reference",
                        severity=Severity.WARNING,
                        path=f"{section}[{i}].{field_name}",
                        message=f"'{value}' is not in the catalogue's {vocab}, "
                        "so no rule can use it",
                        suggestion=did_you_mean(value, known),
                    )
                )
    out += _protected_problems(person, catalogue)
    day = as_of or dt.date.today()
    for section in ITEM_SECTIONS:
        for i, item in enumerate(getattr(person, section)):
            name, when = _dated(item)
            if when is not None and when > day:
                out.append(
                    Problem(
                        loc=(section, i, name),
                        code="invalid-value",
                        severity=Severity.WARNING,
                        path=f"{section}[{i}].{name}",
                        message=f"{when} is after {day}, so a decision as of {day} "
                        "leaves this item out",
                        hint="check the date",
                    )
                )
    return out


def _protected_problems(person: Person, catalogue: Catalogue) -> list[Problem]:
    out = []
    for entry in catalogue.attributes:
        if entry.id not in ProtectedCharacteristics.model_fields:
            continue
        value = getattr(person.protected, entry.id)
        allowed = list(entry.values)
        if value is not None and allowed and value not in allowed:
            out.append(
                Problem(
                    loc=("protected", entry.id),
                    code="unknown-reference",
                    severity=Severity.WARNING,
                    path=f"protected.{entry.id}",
                    message=f"{value!r} is not one of the catalogue's values "
                    f"({', '.join(allowed)}), so no rule can use it",
                    suggestion=did_you_mean(value, allowed),
                )
            )
    return out


def _dated(item: object) -> tuple[str, dt.date | None]:
    """The field that says when an item happened, and its date."""
    for name in ("completed", "awarded", "date", "start"):
        value = getattr(item, name, None)
        if isinstance(value, dt.date):
            return name, value
    return "", None


def record_warnings(
    person: Person, catalogue: Catalogue, as_of: dt.date | None = None
) -> list[str]:
    """:func:`reference_problems` as one line each: ``courses[2].course: 'x' is not ...``."""
    return [
        f"{p.path}: {p.message}"
        + (f" (did you mean '{p.suggestion}'?)" if p.suggestion else "")
        + (f"; {p.hint}" if p.hint else "")
        for p in reference_problems(person, catalogue, as_of)
    ]
