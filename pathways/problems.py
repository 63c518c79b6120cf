"""Problems found in pathway files, and the exception that carries them.

Every loader error and checker finding is a :class:`Problem`: structured data
(code, file, line, column, field path, message, hint, suggestion) that the CLI,
the web layer and the JSON output all phrase from the same fields.

>>> p = Problem(code="unknown-reference", message="unknown course 'fls'",
...             file="pip.yaml", line=12, column=9, path="pathway.stages[0]",
...             suggestion="fsl")
>>> print(p.format())
pip.yaml:12:9: error[unknown-reference] pathway.stages[0]: unknown course 'fls'
    did you mean 'fsl'?
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, field_validator

__all__ = [
    "PROBLEM_CODES",
    "CareerPathwaysError",
    "Location",
    "PathwayError",
    "Problem",
    "Severity",
    "describe_value",
    "format_path",
]

#: Every code a problem can have, with what it means (docs/checker.md explains each).
PROBLEM_CODES: dict[str, str] = {
    # reading and validating files
    "unreadable-file": "a file cannot be read",
    "yaml-syntax": "a file is not valid YAML (or not UTF-8)",
    "json-syntax": "a record or body is not valid JSON",
    "too-large": "a file is too large, too deeply nested, or expands (YAML aliases) too far",
    "duplicate-key": "a key appears twice in one mapping",
    "unknown-file-kind": "a file's top-level key is not 'pathway', 'catalogue' or 'source_index'",
    "missing-catalogue": "no catalogue file was given or found",
    "missing-field": "a required field is missing",
    "unknown-field": "a field is not part of the language here",
    "requirement-kind": "a requirement has no kind key, an unknown one, or two",
    "wrong-type": "a value has the wrong type (text, number, list, mapping, date)",
    "invalid-value": "a value is not allowed (enum, date, range, combination)",
    # checking a loaded library
    "duplicate-id": "an id is defined twice",
    "unknown-reference": "an id is used but not defined",
    "cycle": "progressions or prerequisites form a loop",
    "no-entry-stage": "a pathway has no entry stage",
    "unreachable-stage": "a stage cannot be reached from an entry stage",
    "unsatisfiable-requirement": "a requirement can never hold",
    "empty-effective-window": "an effective window is empty or never overlaps its stage",
    "skipped-required-stage": "a progression bypasses a stage its target requires",
    "missing-source": "a rule, stage or pathway cites no source",
    "invalid-source": "a source names a document but not where in it",
    "unknown-citation": "a source cites a place its document's index does not have",
    "misquoted-source": "a source quotes words its cited text does not contain",
}


class Severity(StrEnum):
    """How serious a problem is: errors make ``pathways check`` exit 1."""

    ERROR = "error"
    WARNING = "warning"


class Location(BaseModel):
    """Where something is: a file, a 1-based line and column, a field path."""

    model_config = ConfigDict(frozen=True)

    file: str
    line: int | None = None
    column: int | None = None
    path: str = ""


class Problem(BaseModel):
    """One thing wrong with a pathway library, located and explained.

    ``snippet`` is YAML the author can paste to fix it (e.g. a catalogue entry to add);
    :meth:`format` prints it indented under the hint.
    """

    model_config = ConfigDict(frozen=True)

    code: str
    message: str
    severity: Severity = Severity.ERROR
    file: str | None = None
    line: int | None = None
    column: int | None = None
    path: str = ""
    #: ``path`` as its parts (``("ranks", 0, "start")``), where the producer knows them:
    #: for code that places a problem (a CSV row and column), so nothing parses ``path``.
    loc: tuple[str | int, ...] = ()
    #: The row of a CSV file (the header is row 1), for problems in tabular input.
    row: int | None = None
    pathway: str | None = None
    stage: str | None = None
    hint: str | None = None
    suggestion: str | None = None
    snippet: str | None = None
    nodes: tuple[str, ...] = ()

    @field_validator("code")
    @classmethod
    def _known_code(cls, code: str) -> str:
        if code not in PROBLEM_CODES:
            raise ValueError(f"unknown problem code '{code}': add it to PROBLEM_CODES")
        return code

    @classmethod
    def at(cls, where: Location | None, code: str, message: str, **fields: object) -> Problem:
        """Build a problem placed at ``where`` (which may be unknown)."""
        if where is not None:
            fields.setdefault("file", where.file)
            fields.setdefault("line", where.line)
            fields.setdefault("column", where.column)
            fields.setdefault("path", where.path)
        return cls.model_validate({"code": code, "message": message, **fields})

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.file or "", self.line or 0, self.column or 0, self.code)

    def format(self) -> str:
        """Render as a compiler-style message, with suggestion and hint lines."""
        place = self.file or "<library>"
        if self.line is None and self.row is not None:
            place += f":{self.row}"
        if self.line is not None:
            place += f":{self.line}"
            if self.column is not None:
                place += f":{self.column}"
        head = f"{place}: {self.severity.value}[{self.code}]"
        if self.path:
            head += f" {self.path}"
        lines = [f"{head}: {self.message}"]
        if self.suggestion:
            lines.append(f"    did you mean '{self.suggestion}'?")
        if self.hint:
            lines.append(f"    hint: {self.hint}")
        if self.snippet:
            lines.extend(f"        {line}".rstrip() for line in self.snippet.splitlines())
        return "\n".join(lines)


class CareerPathwaysError(Exception):
    """The root of every exception this project raises on purpose.

    ``except CareerPathwaysError`` catches every refusal of bad input and every known
    failure (engine, store, an unknown id) and nothing else. Where the failure is about
    user input, ``problems`` holds the structured, located :class:`Problem` objects that
    interfaces render; nothing should parse ``str(error)``.
    """

    problems: list[Problem] = []


class PathwayError(CareerPathwaysError):
    """Raised when pathway files cannot be loaded; carries every problem found.

    The message lists each problem on its own lines, so ``str(err)`` is already
    what a person needs; ``err.problems`` has the structured fields.
    """

    def __init__(self, problems: Iterable[Problem]):
        self.problems: list[Problem] = sorted(problems, key=Problem.sort_key)
        super().__init__("\n".join(p.format() for p in self.problems))


def describe_value(value: object) -> str:
    """A value as an error message shows it.

    >>> describe_value({"a": 1}), describe_value(None), describe_value("x")
    ('a mapping', 'empty', "'x'")
    """
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "empty"
    return str(value) if isinstance(value, dt.date) else repr(value)


def format_path(parts: Sequence[str | int]) -> str:
    """Render a data path the way a person reads it.

    >>> format_path(["pathway", "stages", 2, "requires", 0, "rank"])
    'pathway.stages[2].requires[0].rank'
    """
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out
