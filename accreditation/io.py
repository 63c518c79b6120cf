"""Reading records from JSON, with one clear message per problem.

>>> try:
...     load_record_text('{"id": "W1", "kind": "officer", "joined": "2020-13-01"}', "w1.json")
... except RecordError as err:
...     print(err.problems[0][:59])
w1.json: joined: expected a date like 2020-04-01, got '2020
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from pathways.model.catalogue import Catalogue
from pathways.problems import format_path
from pathways.suggest import did_you_mean

from .record import REFERENCES, Person

__all__ = ["RecordError", "load_record", "load_record_text", "record_warnings"]


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


def record_warnings(person: Person, catalogue: Catalogue) -> list[str]:
    """Ids in a record that the catalogue does not know (they can never match a rule)."""
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
    return out
