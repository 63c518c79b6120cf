"""The import format (docs/import-format.md): the kinds of CSV file, their columns, and how
each cell is read. A cell that cannot be read raises :class:`Bad` with what was expected."""

from __future__ import annotations

import datetime as dt
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from accreditation.record import PERSON_ID_PATTERN, check_text
from pathways.dates import out_of_range
from pathways.suggest import did_you_mean

__all__ = [
    "ABSENT",
    "BATCH",
    "DATED",
    "ERROR_COLUMN",
    "FILE_KINDS",
    "ITEM_ID",
    "MAX_ID",
    "PEOPLE_VALUES",
    "PERSON_ID",
    "PROTECTED",
    "REJECTS",
    "Bad",
    "FileKind",
    "kind_from_name",
    "parse_text",
    "person_id_problem",
]

BATCH = 500
"""Stored records are read this many ids per query (:func:`store.stored_records`)."""
REJECTS = ".rejects"
ERROR_COLUMN = "error"
MAX_ID = 32  # people.id is a String(32)
DATED = frozenset({"ranks", "bands", "postings", "memberships", "mentors"})
ABSENT: Any = object()  # a people.csv column the file does not have: keep the stored value


class Bad(ValueError):
    """A cell that cannot be read; the message says what was expected."""


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATE_HINT = "a date like 2020-04-01 (YYYY-MM-DD)"


_DATES: dict[str, dt.date] = {}


def _parse_date(text: str) -> dt.date:
    day = _DATES.get(text)
    if day is not None:
        return day
    if _DATE.fullmatch(text):
        try:
            day = dt.date.fromisoformat(text)
        except ValueError as exc:
            raise Bad(f"expected {_DATE_HINT}, got {text!r} ({exc})") from None
        wrong = out_of_range(day)
        if wrong is not None:
            raise Bad(wrong)
        if len(_DATES) < 100_000:
            _DATES[text] = day
        return day
    raise Bad(f"expected {_DATE_HINT}, got {text!r}")


def parse_text(text: str) -> str:
    try:
        return sys.intern(check_text(text))
    except ValueError as exc:
        raise Bad(str(exc)) from None


def _parse_name(text: str) -> str:
    try:
        return check_text(text)
    except ValueError as exc:
        raise Bad(str(exc)) from None


PERSON_ID_RE = re.compile(PERSON_ID_PATTERN)


def person_id_problem(pid: str) -> str | None:
    """Why ``pid`` is not a warrant or staff number (the one id rule), or None."""
    if PERSON_ID_RE.match(pid):
        return None
    shown = repr(pid) if len(pid) <= 40 else repr(pid[:37] + "...")
    return (
        f"{shown} is not a warrant or staff number: use letters, digits, '_' and '-' only, "
        f"at most {MAX_ID} characters, starting with a letter or digit"
    )


def _parse_level(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise Bad(f"expected a whole number, got {text!r}") from None
    if value < 0:
        raise Bad(f"expected a whole number 0 or more, got {value}")
    return value


def _choice(*values: str) -> Callable[[str], str]:
    def parse(text: str) -> str:
        if text in values:
            return text
        folded = text.lower()
        if folded in values:
            return folded
        guess = did_you_mean(text, values)
        hint = f" (did you mean '{guess}'?)" if guess else ""
        raise Bad(f"{text!r} is not one of {', '.join(values)}{hint}")

    return parse


def _list_of(parse: Callable[[str], Any]) -> Callable[[str], list[Any]]:
    def parse_list(text: str) -> list[Any]:
        return [parse(part.strip()) for part in text.split(";") if part.strip()]

    return parse_list


@dataclass(frozen=True)
class _Column:
    name: str
    parse: Callable[[str], Any]
    required: bool = False
    what: str = "a value"

    @property
    def field(self) -> str:
        return "id" if self.name == "item_id" else self.name


def _id(name: str, what: str) -> _Column:
    return _Column(name, parse_text, True, what)


PERSON_ID = _id("person_id", "the person's warrant or staff number")
ITEM_ID = _id("item_id", "the HR system's id for this item (unique within the person)")
_BASIS = _Column("basis", _choice("substantive", "temporary"), what="substantive or temporary")


def _start(required: bool = True) -> _Column:
    return _Column("start", _parse_date, required, _DATE_HINT)


def _day(name: str, required: bool = False) -> _Column:
    return _Column(name, _parse_date, required, _DATE_HINT)


@dataclass(frozen=True)
class FileKind:
    """One kind of CSV file: its name, its columns and the record section it fills."""

    name: str
    columns: tuple[_Column, ...]
    key: str
    """The column that tells this kind of file from the others by its header."""

    @property
    def filename(self) -> str:
        return f"{self.name}.csv"

    @property
    def by_name(self) -> dict[str, _Column]:
        return {c.name: c for c in self.columns}

    @property
    def values(self) -> tuple[_Column, ...]:
        """The columns other than the person's and the item's ids, in record order."""
        return tuple(c for c in self.columns if c.name not in ("person_id", "item_id"))


def _item_kind(name: str, *columns: _Column) -> FileKind:
    return FileKind(name, (PERSON_ID, ITEM_ID, *columns), columns[0].name)


FILE_KINDS: dict[str, FileKind] = {
    kind.name: kind
    for kind in (
        FileKind(
            "people",
            (
                PERSON_ID,
                _Column("kind", _choice("officer", "staff"), True, "officer or staff"),
                _Column("name", _parse_name),
                _day("joined", required=True),
                _Column("ethnicity", parse_text),
                _Column("gender", parse_text),
                _Column("disability", parse_text),
            ),
            "kind",
        ),
        _item_kind("ranks", _id("rank", "a rank id"), _BASIS, _start(), _day("end")),
        _item_kind("bands", _id("band", "a band id"), _BASIS, _start(), _day("end")),
        _item_kind(
            "postings",
            _id("business_group", "a business group id"),
            _Column("unit", parse_text),
            _id("role", "a role id"),
            _start(),
            _day("end"),
        ),
        _item_kind("courses", _id("course", "a course id"), _start(False), _day("completed")),
        _item_kind(
            "assessments",
            _id("assessment", "an assessment id"),
            _day("date", required=True),
            _Column("outcome", _choice("passed", "failed"), what="passed or failed"),
            _Column("assessors", _list_of(parse_text)),
        ),
        _item_kind(
            "credentials",
            _id("credential", "a credential id"),
            _Column("level", _parse_level, what="a whole number"),
            _day("awarded", required=True),
            _Column("assessor", parse_text),
            _Column("revalidated", _list_of(_parse_date), what="dates separated by ';'"),
        ),
        _item_kind(
            "endorsements",
            _id("endorsement", "an endorsement id"),
            _day("date", required=True),
            _Column("by", parse_text),
            _day("expires"),
        ),
        _item_kind("memberships", _id("programme", "a programme id"), _start(), _day("end")),
        _item_kind(
            "mentors", _id("mentor", "the mentor's warrant or staff number"), _start(), _day("end")
        ),
    )
}
"""Every kind of CSV file, by name (``people`` and each history section of a record)."""

PROTECTED = ("ethnicity", "gender", "disability")

PEOPLE_VALUES = tuple(c.name for c in FILE_KINDS["people"].values)


def kind_from_name(path: Path) -> str | None:
    """``ranks.csv``, ``hr_ranks.csv`` and ``ranks.rejects.csv`` are all ranks."""
    stem = path.stem.lower().removesuffix(REJECTS)
    for name in FILE_KINDS:
        if stem == name or re.search(rf"[_\-. ]{name}$", stem):
            return name
    return None
