"""Reading records from JSON, with one clear message per problem.

>>> try:
...     load_record_text('{"id": "W1", "kind": "officer", "joined": "2020-13-01"}', "w1.json")
... except RecordError as err:
...     print(err.problems[0][:59])
w1.json: joined: expected a date like 2020-04-01, got '2020
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from pathways.model.catalogue import Catalogue
from pathways.problems import format_path
from pathways.suggest import did_you_mean

from .record import ITEM_SECTIONS, REFERENCES, Person, ProtectedCharacteristics

__all__ = [
    "RecordError",
    "load_record",
    "load_record_text",
    "protected_warnings",
    "record_warnings",
]


class RecordError(ValueError):
    """A record that cannot be read; ``problems`` lists each one as ``file: field: what``."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


def load_record(path: str | Path) -> Person:
    """Read one person's record from a JSON file.

    Raises:
        RecordError: if the file cannot be read, is not JSON, or is not a valid record.
    """
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RecordError([f"{path}: cannot read the record: {exc}"]) from exc
    return load_record_text(text, str(path))


def load_record_text(text: str, name: str = "<record>") -> Person:
    """Parse and validate a record from JSON text.

    Raises:
        RecordError: if it is not JSON or not a valid record; every problem is listed.
    """
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RecordError([f"{name}:{exc.lineno}:{exc.colno}: not valid JSON: {exc.msg}"]) from exc
    return record_from_data(data, name)


def record_from_data(data: Any, name: str = "<record>") -> Person:
    """Validate already-parsed data as a record.

    Raises:
        RecordError: listing every invalid field.
    """
    try:
        return Person.model_validate(data)
    except ValidationError as exc:
        raise RecordError([f"{name}: {_describe(e)}" for e in exc.errors()]) from exc


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


def _describe(err: Any) -> str:
    where = format_path([p for p in err["loc"] if p != "__root__"]) or "record"
    etype = err["type"]
    if etype == "missing":
        return f"{where}: missing (required)"
    if etype == "extra_forbidden":
        return f"{where}: unknown field (remove it, or check the spelling)"
    if etype in _EXPECTED:
        detail = err.get("ctx", {}).get("error")
        extra = f" ({detail})" if detail else ""
        return f"{where}: expected {_EXPECTED[etype]}, got {err['input']!r}{extra}"
    if etype == "enum":
        return f"{where}: {err['input']!r} is not one of {err['ctx']['expected']}"
    msg = str(err.get("ctx", {}).get("error", err["msg"]))
    return f"{where}: {msg}"


def record_warnings(
    person: Person, catalogue: Catalogue, as_of: dt.date | None = None
) -> list[str]:
    """What is valid in a record but probably wrong, one line per item, ``field: what``:
    ids the catalogue does not know (no rule can use them), protected characteristics
    outside the catalogue's values, and items dated after ``as_of`` (default: today),
    which a decision as of that day ignores (a rank starting 9999-12-31, say).

    Every reader of records gives these: the command line, the importer (which names the
    row and column of each) and the records API.
    """
    out = []
    for section, field_name, vocab in REFERENCES:
        known = catalogue.ids(vocab)
        for i, item in enumerate(getattr(person, section)):
            value = getattr(item, field_name)
            if value not in known:
                guess = did_you_mean(value, known)
                hint = f" (did you mean '{guess}'?)" if guess else ""
                out.append(
                    f"{section}[{i}].{field_name}: '{value}' is not in the catalogue's "
                    f"{vocab}, so no rule can use it{hint}"
                )
    out += [
        f"protected.{name}: {message}" for name, message in protected_warnings(person, catalogue)
    ]
    day = as_of or dt.date.today()
    for section in ITEM_SECTIONS:
        for i, item in enumerate(getattr(person, section)):
            name, when = _dated(item)
            if when is not None and when > day:
                out.append(
                    f"{section}[{i}].{name}: {when} is after {day}, so a decision as of "
                    f"{day} leaves this item out; check the date"
                )
    return out


def protected_warnings(person: Person, catalogue: Catalogue) -> list[tuple[str, str]]:
    """(characteristic, message) for each protected characteristic whose value is not
    one of the catalogue's values for it (no rule can use it)."""
    out = []
    for entry in catalogue.attributes:
        if entry.id not in ProtectedCharacteristics.model_fields:
            continue
        value = getattr(person.protected, entry.id)
        allowed = list(entry.values)
        if value is not None and allowed and value not in allowed:
            guess = did_you_mean(value, allowed)
            hint = f" (did you mean '{guess}'?)" if guess else ""
            out.append(
                (
                    entry.id,
                    f"{value!r} is not one of the catalogue's values "
                    f"({', '.join(allowed)}), so no rule can use it{hint}",
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
