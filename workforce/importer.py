"""Importing records from the files an HR system exports: one CSV per kind of history, or JSON.

The format is in ``docs/import-format.md``; a sample set is in ``examples/import/``.

An import reads and checks every row of every file first, then builds each person's
record: the stored record (if any), with the ``people.csv`` row applied and the history
rows put in by item id (an item with the same id is replaced, the others are left alone).
Every bad row is reported with its file, row number, column and what to do about it.
A file with a bad row imports nothing, unless ``skip_bad_rows`` is given: then the bad
rows are written to ``<stem>.rejects.csv`` beside their file and the rest is imported.
All saving is one transaction, so an import that fails or is killed changes nothing, and
importing the same files again changes nothing either.

>>> import tempfile
>>> from store import Store
>>> folder = Path(tempfile.mkdtemp())
>>> _ = (folder / "people.csv").write_text("person_id,kind,joined\\nW1,officer,2020-01-06\\n")
>>> _ = (folder / "ranks.csv").write_text(
...     "person_id,item_id,rank,start,end\\nW1,R1,constable,2020-01-06,2019-12-31\\n")
>>> store = Store("sqlite://")
>>> report = import_files(store, [folder / "people.csv", folder / "ranks.csv"])
>>> print(report.problems[0].format().replace(str(folder), "DIR"))
DIR/ranks.csv:2: end: 'end' (2019-12-31) is before 'start' (2020-01-06): correct one of the dates
>>> report.imported, store.count_people()
(False, 0)
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Connection
from sqlalchemy.exc import SQLAlchemyError

from accreditation.io import record_problem, reference_problems
from accreditation.record import ITEM_SECTIONS, PERSON_ID_PATTERN, Person, check_text
from pathways.dates import out_of_range
from pathways.model.catalogue import Catalogue
from pathways.suggest import did_you_mean
from store import SaveStats, Store, StoredRecord, StoreError, stored_records

from .csvsafe import restore
from .csvsafe import writer as csv_writer

__all__ = [
    "BATCH",
    "FILE_KINDS",
    "FileKind",
    "ImportReport",
    "RowProblem",
    "get_people",
    "import_files",
]

BATCH = 500
"""Stored records are read this many ids per query."""
REJECTS = ".rejects"
ERROR_COLUMN = "error"
MAX_ID = 32  # people.id is a String(32)

# --- problems and the report ------------------------------------------------------------


@dataclass(frozen=True)
class RowProblem:
    """One problem: where it is (file, row, column) and what to do about it.

    ``row`` is the line number in the file (the CSV header is row 1; a JSON Lines record's
    line), or None for the file as a whole, a single JSON record or a record of a JSON list
    (whose ``column`` then starts with its index, e.g. ``[2].ranks[0].end``).
    """

    file: str
    row: int | None
    column: str
    message: str

    def format(self) -> str:
        where = self.file if self.row is None else f"{self.file}:{self.row}"
        return (
            f"{where}: {self.column}: {self.message}" if self.column else f"{where}: {self.message}"
        )

    def to_json(self) -> dict[str, Any]:
        return {"file": self.file, "row": self.row, "column": self.column, "message": self.message}


@dataclass
class ImportReport:
    """What an import read, what it changed (or, on a dry run, would change), and why not."""

    files: list[str]
    dry_run: bool = False
    skip_bad_rows: bool = False
    rows_read: int = 0
    """Data rows of the CSV files (not the header, nor blank lines) and JSON records."""
    bad_rows: int = 0
    """Rows (or JSON records) with a problem."""
    rows_rejected: int = 0
    """Rows set aside with ``skip_bad_rows``: the bad rows, and every row of a person
    whose own row (in people.csv, or their JSON record) is bad."""
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    warnings: list[RowProblem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    reject_files: list[str] = field(default_factory=list)
    file_problems: bool = False
    """A whole file is wrong (cannot be read, unknown kind, bad header): never skipped."""
    aborted: bool = False
    """Nothing was (or, on a dry run, would be) imported because of the problems."""
    imported: bool = False
    """The records were saved (the transaction committed); never on a dry run."""

    @property
    def people(self) -> int:
        return self.created + self.updated + self.unchanged

    def summary(self) -> str:
        """One line: what happened, and what to do next if anything went wrong."""
        nothing = "nothing would be imported" if self.dry_run else "nothing imported"
        if self.aborted:
            bad = f"{self.bad_rows} bad row{'s' * (self.bad_rows != 1)}"
            if self.file_problems:
                return (
                    f"{nothing}: {bad} and files that cannot be read as they are; "
                    "fix them (--skip-bad-rows skips rows, never whole files)"
                )
            if self.skip_bad_rows:
                return f"{nothing}: {bad}, and no good rows left to import"
            return f"{nothing}: {bad}; fix them, or use --skip-bad-rows to import the rest"
        files = f"{len(self.files)} file{'s' * (len(self.files) != 1)}"
        counts = (
            f"{self.people} {'person' if self.people == 1 else 'people'} "
            f"({self.created} new, {self.updated} updated, {self.unchanged} unchanged) "
            f"from {files}; {self.rows_rejected} row{'s' * (self.rows_rejected != 1)} rejected"
        )
        if self.dry_run:
            return f"dry run: would import {counts}; nothing was written"
        return f"imported {counts}"

    def to_json(self) -> dict[str, Any]:
        return {
            "files": self.files,
            "dry_run": self.dry_run,
            "imported": self.imported,
            "aborted": self.aborted,
            "rows_read": self.rows_read,
            "bad_rows": self.bad_rows,
            "rows_rejected": self.rows_rejected,
            "people": {
                "created": self.created,
                "updated": self.updated,
                "unchanged": self.unchanged,
            },
            "problems": [p.to_json() for p in self.problems],
            "warnings": [p.to_json() for p in self.warnings],
            "notes": self.notes,
            "reject_files": self.reject_files,
            "summary": self.summary(),
        }


# --- the CSV format ---------------------------------------------------------------------


class _Bad(ValueError):
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
            raise _Bad(f"expected {_DATE_HINT}, got {text!r} ({exc})") from None
        wrong = out_of_range(day)
        if wrong is not None:
            raise _Bad(wrong)
        if len(_DATES) < 100_000:
            _DATES[text] = day
        return day
    raise _Bad(f"expected {_DATE_HINT}, got {text!r}")


def _parse_text(text: str) -> str:
    try:
        return sys.intern(check_text(text))
    except ValueError as exc:
        raise _Bad(str(exc)) from None


def _parse_name(text: str) -> str:
    try:
        return check_text(text)
    except ValueError as exc:
        raise _Bad(str(exc)) from None


_PERSON_ID_RE = re.compile(PERSON_ID_PATTERN)


def _person_id_problem(pid: str) -> str | None:
    """Why ``pid`` is not a warrant or staff number (the one id rule), or None."""
    if _PERSON_ID_RE.match(pid):
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
        raise _Bad(f"expected a whole number, got {text!r}") from None
    if value < 0:
        raise _Bad(f"expected a whole number 0 or more, got {value}")
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
        raise _Bad(f"{text!r} is not one of {', '.join(values)}{hint}")

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
    return _Column(name, _parse_text, True, what)


_PERSON_ID = _id("person_id", "the person's warrant or staff number")
_ITEM_ID = _id("item_id", "the HR system's id for this item (unique within the person)")
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
    return FileKind(name, (_PERSON_ID, _ITEM_ID, *columns), columns[0].name)


FILE_KINDS: dict[str, FileKind] = {
    kind.name: kind
    for kind in (
        FileKind(
            "people",
            (
                _PERSON_ID,
                _Column("kind", _choice("officer", "staff"), True, "officer or staff"),
                _Column("name", _parse_name),
                _day("joined", required=True),
                _Column("ethnicity", _parse_text),
                _Column("gender", _parse_text),
                _Column("disability", _parse_text),
            ),
            "kind",
        ),
        _item_kind("ranks", _id("rank", "a rank id"), _BASIS, _start(), _day("end")),
        _item_kind("bands", _id("band", "a band id"), _BASIS, _start(), _day("end")),
        _item_kind(
            "postings",
            _id("business_group", "a business group id"),
            _Column("unit", _parse_text),
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
            _Column("assessors", _list_of(_parse_text)),
        ),
        _item_kind(
            "credentials",
            _id("credential", "a credential id"),
            _Column("level", _parse_level, what="a whole number"),
            _day("awarded", required=True),
            _Column("assessor", _parse_text),
            _Column("revalidated", _list_of(_parse_date), what="dates separated by ';'"),
        ),
        _item_kind(
            "endorsements",
            _id("endorsement", "an endorsement id"),
            _day("date", required=True),
            _Column("by", _parse_text),
            _day("expires"),
        ),
        _item_kind("memberships", _id("programme", "a programme id"), _start(), _day("end")),
    )
}
"""Every kind of CSV file, by name (``people`` and each history section of a record)."""

_PROTECTED = ("ethnicity", "gender", "disability")
_DATED = frozenset({"ranks", "bands", "postings", "memberships"})
_ABSENT: Any = object()  # a people.csv column the file does not have: keep the stored value

# --- what the files say -------------------------------------------------------------------

_Src = tuple[int, int]  # (file index, row / JSON Lines line / list index / 0)


@dataclass(slots=True)
class _ItemRow:
    src: _Src
    item_id: str
    values: tuple[Any, ...]


@dataclass(slots=True)
class _Pending:
    """Everything the import says about one person."""

    people: tuple[_Src, tuple[Any, ...]] | None = None
    people_bad: _Src | None = None
    json: tuple[_Src, Person] | None = None
    json_bad: _Src | None = None
    items: dict[str, list[_ItemRow]] = field(default_factory=dict)
    bad_items: list[_Src] = field(default_factory=list)

    def own_sources(self) -> set[_Src]:
        """The person's own row (people.csv) and JSON record."""
        return {s[0] for s in (self.people, self.json) if s is not None}

    def sources(self) -> list[_Src]:
        """Every row and record of the person, good or bad."""
        out = [s for s in (self.people_bad, self.json_bad) if s is not None]
        out.extend(sorted(self.own_sources()))
        out.extend(r.src for rows in self.items.values() for r in rows)
        out.extend(self.bad_items)
        return out

    def has_rows(self, dropped: set[_Src] | frozenset[_Src] = frozenset()) -> bool:
        """Anything left to import."""
        return bool(self.own_sources()) or any(
            r.src not in dropped for rows in self.items.values() for r in rows
        )


@dataclass
class _File:
    path: Path
    name: str
    kind: FileKind | None = None  # None: JSON
    layout: str = "csv"  # csv / jsonl / list / one
    header: list[str] = field(default_factory=list)


_Stored = StoredRecord


class _Rollback(Exception):
    pass


# --- the import -----------------------------------------------------------------------------


def import_files(
    store: Store,
    paths: Iterable[str | Path],
    *,
    dry_run: bool = False,
    skip_bad_rows: bool = False,
    actor: str = "import",
    catalogue: Catalogue | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Import CSV or JSON files (or directories of them) into ``store``, in one transaction.

    Nothing is saved if any row has a problem, unless ``skip_bad_rows``: then the bad rows
    go to ``<stem>.rejects.csv`` (``.rejects.jsonl`` for JSON) beside their file and the
    rest is saved (a reject file that is imported itself keeps only the rows still bad, and
    is removed when none are left). ``dry_run`` checks everything and reports what would
    change, writing nothing. With a ``catalogue``, ids it does not know are reported as warnings.
    ``progress(done, total)`` is called as the people read are checked and saved.

    Raises:
        StoreError: if the database fails during the import (nothing was changed).
    """
    if isinstance(paths, str | Path):
        paths = [paths]
    importer = _Import(store, _expand(paths), dry_run, skip_bad_rows, actor, catalogue)
    importer.progress = progress
    return importer.run()


def get_people(ids: Iterable[str], conn: Connection) -> dict[str, Person]:
    """The stored records of ``ids`` (those that exist), read in batches."""
    return {pid: s.person() for pid, s in stored_records(conn, ids).items()}


def _expand(paths: Iterable[str | Path]) -> list[Path]:
    """Files as given; for a directory, its *.csv, *.json and *.jsonl files but reject files."""
    out: dict[Path, Path] = {}
    for raw in paths:
        path = Path(raw)
        found = [path]
        if path.is_dir():
            found = sorted(
                f
                for f in path.iterdir()
                if f.suffix.lower() in (".csv", ".json", ".jsonl") and REJECTS not in f.name
            )
        for f in found:
            out.setdefault(f.resolve(), f)  # a file named twice is read once
    return list(out.values())


_Found = list[tuple[_Src, str, str]]  # problems of one person's record: (row, column, message)


class _Import:
    def __init__(
        self,
        store: Store,
        paths: list[Path],
        dry_run: bool,
        skip: bool,
        actor: str,
        catalogue: Catalogue | None,
    ):
        self.store = store
        self.progress: Callable[[int, int], None] | None = None
        self.dry_run = dry_run
        self.skip = skip
        self.actor = actor
        self.catalogue = catalogue
        self.known_values: dict[str, list[str]] = {}
        if catalogue is not None:
            self.known_values = {a.id: a.values for a in catalogue.attributes if a.id in _PROTECTED}
        self.files = [_File(p, str(p)) for p in paths]
        self.report = ImportReport([str(p) for p in paths], dry_run, skip)
        self.pending: dict[str, _Pending] = {}
        self.people_rows: dict[str, _Src] = {}
        self.bad: dict[_Src, list[str]] = {}  # rows with problems -> their messages
        self.rejected: dict[_Src, str] = {}  # rows set aside, and why
        self.accepted = 0  # records that would be saved

    # -- problems --

    def problem(self, src: _Src, column: str, message: str) -> None:
        file = self.files[src[0]]
        if file.layout == "list":
            column = f"[{src[1]}].{column}" if column else f"[{src[1]}]"
        row = src[1] if file.layout in ("csv", "jsonl") else None
        self.report.problems.append(RowProblem(file.name, row, column, message))
        self.bad.setdefault(src, []).append(f"{column}: {message}" if column else message)

    def file_problem(self, index: int, column: str, message: str, row: int | None = 1) -> None:
        self.report.file_problems = True
        self.report.problems.append(RowProblem(self.files[index].name, row, column, message))

    def warning(self, src: _Src, column: str, message: str) -> None:
        file = self.files[src[0]]
        if file.layout == "list":
            column = f"[{src[1]}].{column}"
        row = src[1] if file.layout in ("csv", "jsonl") else None
        self.report.warnings.append(RowProblem(file.name, row, column, message))

    def where(self, src: _Src | None, here: _Src | None = None) -> str:
        """How a message names a row: ``people.csv row 3``, ``row 3`` if in the file ``here``."""
        if src is None:
            return "the database"
        file = self.files[src[0]]
        if here is not None and here[0] == src[0] and file.layout in ("csv", "jsonl"):
            return f"{'row' if file.layout == 'csv' else 'line'} {src[1]}"
        return {
            "csv": f"{file.name} row {src[1]}",
            "jsonl": f"{file.name} line {src[1]}",
            "list": f"{file.name} [{src[1]}]",
        }.get(file.layout, file.name)

    def is_csv(self, src: _Src | None) -> bool:
        return src is not None and self.files[src[0]].kind is not None

    # -- the steps --

    def run(self) -> ImportReport:
        report = self.report
        # people first, so "already on row N" names the people.csv row
        for index in sorted(range(len(self.files)), key=lambda i: (not self._is_base(i), i)):
            self._read(index)
        save = not self.dry_run and not report.file_problems and (self.skip or not self.bad)
        stats = SaveStats()
        try:
            if save:
                try:
                    with self.store.transaction() as conn:
                        records = (person for person, _ in self._records(conn))
                        stats = self.store.save_people(records, self.actor, conn)
                        if report.problems and (not self.skip or not self.accepted):
                            raise _Rollback  # nothing to import: leave the database alone
                    report.imported = True
                except _Rollback:
                    stats = SaveStats()
            else:
                with self.store.engine.connect() as conn:
                    stats = self._count(self._records(conn))
        except SQLAlchemyError as exc:
            raise StoreError(f"the import failed, and nothing was imported: {exc}") from exc
        report.bad_rows = len(self.bad)
        order = {f.name: i for i, f in enumerate(self.files)}
        for found in (report.problems, report.warnings):
            found.sort(key=lambda p: (order.get(p.file, -1), p.row or 0))
        report.aborted = bool(report.problems) and (
            not self.skip or report.file_problems or not self.accepted
        )
        if not report.aborted:
            report.created, report.updated = stats.created, stats.updated
            report.unchanged = stats.unchanged
            self._set_aside()
        return report

    def _is_base(self, index: int) -> bool:
        """A file of people (people.csv, or JSON records)."""
        path = self.files[index].path
        return path.suffix.lower() != ".csv" or _kind_from_name(path) == "people"

    def _read(self, index: int) -> None:
        file = self.files[index]
        try:
            if file.path.suffix.lower() == ".csv":
                self._read_csv(index)
            else:
                self._read_json(index)
        except (OSError, UnicodeDecodeError, csv.Error) as exc:
            self.file_problem(index, "", f"cannot read the file: {exc}", row=None)

    # -- CSV --

    def _read_csv(self, index: int) -> None:
        file = self.files[index]
        with file.path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.reader(fh)
            header = next(reader, None)
            if header is None:
                self.file_problem(index, "", "the file is empty: it needs a header row", None)
                return
            file.header = header
            names = [h.strip().lower() for h in header]
            kind = self._detect(index, names)
            if kind is None:
                return
            file.kind = kind
            plan = self._plan(index, kind, names)
            if plan is not None:
                self._read_rows(index, kind, reader, plan)

    def _detect(self, index: int, names: list[str]) -> FileKind | None:
        by_name = _kind_from_name(self.files[index].path)
        if by_name is not None:
            return FILE_KINDS[by_name]
        for kind in FILE_KINDS.values():
            if kind.key in names and "person_id" in names:
                return kind
        self.file_problem(
            index,
            "",
            "cannot tell what this file holds: name it "
            + ", ".join(k.filename for k in FILE_KINDS.values())
            + ", or give it the header of one of them (see docs/import-format.md)",
        )
        return None

    def _plan(self, index: int, kind: FileKind, names: list[str]) -> list[int] | None:
        """For each of the kind's columns, its position in the file (-1: not there)."""
        ok = True
        positions: dict[str, int] = {}
        allowed = [c.name for c in kind.columns]
        for pos, name in enumerate(names):
            if name == ERROR_COLUMN:
                continue  # a reject file's reasons: ignored, so it can be imported once fixed
            if name not in allowed:
                guess = did_you_mean(name, allowed) if name else None
                hint = f" (did you mean '{guess}'?)" if guess else ""
                shown = repr(name) if name else f"without a name (column {pos + 1})"
                self.file_problem(
                    index,
                    name,
                    f"unknown column {shown}{hint}: rename or remove it; "
                    f"{kind.filename} has the columns {', '.join(allowed)}",
                )
                ok = False
            elif name in positions:
                self.file_problem(index, name, "the column appears twice: remove one of them")
                ok = False
            else:
                positions[name] = pos
        for column in kind.columns:
            if column.required and column.name not in positions:
                self.file_problem(
                    index,
                    column.name,
                    f"missing required column '{column.name}' ({column.what}): add it to the "
                    f"header; {kind.filename} needs "
                    + ", ".join(c.name for c in kind.columns if c.required),
                )
                ok = False
        return [positions.get(c.name, -1) for c in kind.columns] if ok else None

    def _read_rows(self, index: int, kind: FileKind, reader: Any, plan: list[int]) -> None:
        report = self.report
        people_file = kind.name == "people"
        pid_at = plan[0]
        item_at = -1 if people_file else plan[1]
        value_columns = [
            (column, at)
            for column, at in zip(kind.columns, plan, strict=True)
            if column.name not in ("person_id", "item_id")
        ]
        absent = _ABSENT if people_file else None
        width = len(self.files[index].header)
        line = 1
        for row in reader:
            row_no, line = line + 1, reader.line_num  # a quoted cell may span lines
            pid = restore(row[pid_at].strip()) if pid_at < len(row) else ""
            if not pid and not any(cell.strip() for cell in row):
                continue  # a blank line
            report.rows_read += 1
            src = (index, row_no)
            bad = False
            if len(row) > width:
                self.problem(
                    src,
                    "",
                    f"the row has {len(row)} cells but the header has {width}: "
                    "quote cells that hold commas, or remove the extra cells",
                )
                bad = True
            if not pid:
                self.problem(src, "person_id", f"missing (required): give {_PERSON_ID.what}")
                continue
            wrong = _person_id_problem(pid)
            if wrong is not None:
                self.problem(src, "person_id", wrong)
                continue
            pid = sys.intern(pid)
            item_id = ""
            if not people_file:
                item_id = restore(row[item_at].strip()) if item_at < len(row) else ""
                if not item_id:
                    self.problem(src, "item_id", f"missing (required): give {_ITEM_ID.what}")
                    bad = True
                try:
                    item_id = _parse_text(item_id)
                except _Bad as exc:
                    self.problem(src, "item_id", str(exc))
                    bad = True
            values: list[Any] = []
            for column, at in value_columns:
                if at < 0:
                    values.append(absent)
                    continue
                cell = restore(row[at].strip()) if at < len(row) else ""
                if not cell:
                    if column.required:
                        self.problem(src, column.name, f"missing (required): give {column.what}")
                        bad = True
                    values.append(None)
                    continue
                try:
                    values.append(column.parse(cell))
                except _Bad as exc:
                    self.problem(src, column.name, str(exc))
                    bad = True
                    values.append(None)
            if not bad:
                bad = self._check_dates(src, kind.name, values)
            pending = self.pending.get(pid)
            if pending is None:
                pending = self.pending[pid] = _Pending()
            if people_file:
                first = self.people_rows.get(pid)
                if first is not None:
                    self.problem(
                        src,
                        "person_id",
                        f"{pid} is already on {self.where(first, src)}: give each person one row",
                    )
                    continue
                self.people_rows[pid] = src
                if bad:
                    pending.people_bad = src
                else:
                    pending.people = (src, tuple(values))
            elif not bad:
                pending.items.setdefault(kind.name, []).append(
                    _ItemRow(src, item_id, tuple(values))
                )
            else:
                pending.bad_items.append(src)

    def _check_dates(self, src: _Src, kind: str, values: list[Any]) -> bool:
        """End before start (and revalidation before award), named by the column to fix."""
        if kind in _DATED:
            start, end = values[-2], values[-1]
            if end is not None and start is not None and end < start:
                self.problem(
                    src,
                    "end",
                    f"'end' ({end}) is before 'start' ({start}): correct one of the dates",
                )
                return True
        elif kind == "credentials":
            awarded, revalidated = values[2], values[4] or []
            early = [day for day in revalidated if day < awarded]
            if early:
                self.problem(
                    src,
                    "revalidated",
                    f"revalidated on {early[0]}, before it was awarded ({awarded}): "
                    "correct one of the dates",
                )
                return True
        return False

    # -- JSON --

    def _read_json(self, index: int) -> None:
        file = self.files[index]
        text = file.path.read_text(encoding="utf-8-sig")
        if not text.strip():
            self.file_problem(index, "", "the file is empty", None)
            return
        records: list[tuple[int, Any]] = []
        lines = file.path.suffix.lower() == ".jsonl"
        if not lines:
            try:
                data = json.loads(text)
            except json.JSONDecodeError as exc:
                if not (text.lstrip().startswith("{") and exc.msg == "Extra data"):
                    self.file_problem(index, "", f"not valid JSON: {exc.msg}", exc.lineno)
                    return
                lines = True  # several objects, one a line: JSON Lines
            else:
                file.layout = "list" if isinstance(data, list) else "one"
                records = list(enumerate(data)) if isinstance(data, list) else [(0, data)]
        if lines:
            file.layout = "jsonl"
            for line_no, line in enumerate(text.splitlines(), 1):
                if not line.strip():
                    continue
                try:
                    records.append((line_no, json.loads(line)))
                except json.JSONDecodeError as err:
                    self.report.rows_read += 1
                    self.problem(
                        (index, line_no), "", f"not valid JSON (column {err.colno}): {err.msg}"
                    )
        for pos, data in records:
            self._read_record(index, pos, data)

    def _read_record(self, index: int, pos: int, data: Any) -> None:
        self.report.rows_read += 1
        src = (index, pos)
        if isinstance(data, dict) and REJECTS in self.files[index].path.name:
            data = {k: v for k, v in data.items() if k != ERROR_COLUMN}
        try:
            person = Person.model_validate(data)
        except ValidationError as exc:
            for err in exc.errors():
                self.problem(src, *_explain(err))
            pid = data.get("id") if isinstance(data, dict) else None
            # Only a valid id can be stored, or be looked up (PostgreSQL refuses a NUL).
            if isinstance(pid, str) and _person_id_problem(pid) is None:
                self.pending.setdefault(pid, _Pending()).json_bad = src
            return
        pending = self.pending.setdefault(person.id, _Pending())
        if pending.json is not None:
            self.problem(
                src,
                "id",
                f"{person.id} is already in {self.where(pending.json[0], src)}: "
                "give each person one record",
            )
            return
        pending.json = (src, person)

    # -- building records --

    def _records(self, conn: Connection) -> Iterator[tuple[Person, _Stored | None]]:
        """Each person's new record (and the stored one), built and checked, in batches."""
        ids = list(self.pending)
        for start in range(0, len(ids), BATCH):
            chunk = ids[start : start + BATCH]
            stored = self.store.stored_records(chunk, conn)
            for pid in chunk:
                person = self._person(pid, self.pending[pid], stored.get(pid))
                if person is not None:
                    self.accepted += 1
                    yield person, stored.get(pid)
            if self.progress is not None:
                self.progress(start + len(chunk), len(ids))

    @staticmethod
    def _count(records: Iterator[tuple[Person, _Stored | None]]) -> SaveStats:
        """What saving would do, without saving."""
        created = updated = unchanged = 0
        for person, old in records:
            if old is None:
                created += 1
            elif old.digest == Store.digest_of(person):
                unchanged += 1
            else:
                updated += 1
        return SaveStats(created, updated, unchanged)

    def _person(self, pid: str, pending: _Pending, stored: _Stored | None) -> Person | None:
        """The new record, or None (its problems noted; with --skip-bad-rows, without the
        rows that caused them, or with none of its rows if its own row is bad)."""
        own = pending.people_bad or pending.json_bad
        if own is not None:
            if self.skip:
                self._reject_person(pid, pending, own)
            return None
        if not pending.has_rows():
            return None  # only bad history rows
        dropped: set[_Src] = set()
        while True:
            found: _Found = []
            person = self._build(pid, pending, stored, dropped, found)
            if not found:
                if person is not None and self.catalogue is not None:
                    self._warn(person, pending, dropped)
                return person
            for src, column, message in found:
                self.problem(src, column, message)
            if not self.skip:
                return None
            culprits = {src for src, _, _ in found}
            own_rows = pending.own_sources()
            if culprits & own_rows:
                self._reject_person(pid, pending, min(culprits & own_rows))
                return None
            dropped |= culprits
            if not pending.has_rows(dropped):
                return None

    def _reject_person(self, pid: str, pending: _Pending, cause: _Src) -> None:
        others = 0
        for src in pending.sources():
            if src not in self.bad and src not in self.rejected:
                self.rejected[src] = (
                    f"not imported: {pid}'s own row ({self.where(cause)}) has a problem"
                )
                others += 1
        note = f"{pid}: none of their rows were imported, because {self.where(cause)} is bad"
        if others:
            note += f" ({others} good row{'s' * (others != 1)} set aside with it)"
        self.report.notes.append(note)

    def _build(
        self,
        pid: str,
        pending: _Pending,
        stored: _Stored | None,
        dropped: set[_Src],
        found: _Found,
    ) -> Person | None:
        rows_by_section = {
            section: [r for r in rows if r.src not in dropped]
            for section, rows in pending.items.items()
        }
        item_rows = [r for rows in rows_by_section.values() for r in rows]
        people_src = pending.people[0] if pending.people is not None else None
        json_src: _Src | None = None
        if pending.json is not None:
            json_src, person = pending.json
            if not item_rows and people_src is None:
                return person
            data = person.model_dump()
        elif stored is not None:
            data = {**stored.record, "protected": dict(stored.protected)}
        elif pending.people is not None:
            data = {}
        else:
            for row in item_rows:
                found.append(
                    (
                        row.src,
                        "person_id",
                        f"unknown person '{pid}': not in people.csv (nor in a JSON record) of "
                        "this import, nor in the database; add their row to people.csv, or "
                        "correct the person_id",
                    )
                )
            return None
        data["id"] = pid
        kind_src = json_src
        if pending.people is not None:
            given = dict(zip(_PEOPLE_VALUES, pending.people[1], strict=True))
            if given["kind"] is not _ABSENT:
                kind_src = people_src
            for name in ("kind", "name", "joined"):
                if given[name] is not _ABSENT:
                    data[name] = given[name]
            characteristics = dict(data.get("protected") or {})
            for name in _PROTECTED:
                if given[name] is not _ABSENT:
                    characteristics[name] = given[name]
            data["protected"] = characteristics
        # origins[section][i]: where item i came from (None: the stored record)
        origins: dict[str, list[_Src | None]] = {}
        for section in ITEM_SECTIONS:
            items = [dict(item) for item in data.get(section, ())]
            origin: list[_Src | None] = [json_src] * len(items)
            rows = rows_by_section.get(section)
            if rows:
                self._put_rows(pid, section, rows, items, origin, found)
            data[section] = items
            origins[section] = origin
        self._check_kind(pid, data, origins, kind_src, people_src, found)
        self._check_unique(pid, data, origins, found)
        if found:
            return None
        try:
            return Person.model_validate(data)
        except ValidationError as exc:
            first = people_src or json_src or item_rows[0].src
            for err in exc.errors():
                found.append(self._locate(err, origins, people_src, json_src, first))
            return None

    def _put_rows(
        self,
        pid: str,
        section: str,
        rows: list[_ItemRow],
        items: list[dict[str, Any]],
        origin: list[_Src | None],
        found: _Found,
    ) -> None:
        """Replace the items with the rows' item ids, and add the others at the end."""
        fields = [c.field for c in FILE_KINDS[section].values]
        at = {item.get("id"): i for i, item in enumerate(items)}
        given: dict[str, _Src] = {}
        for row in rows:
            if row.item_id in given:
                found.append(
                    (
                        row.src,
                        "item_id",
                        f"duplicate item_id '{row.item_id}' for {pid}: also on "
                        f"{self.where(given[row.item_id], row.src)}; give each item its own id",
                    )
                )
                continue
            given[row.item_id] = row.src
            item: dict[str, Any] = {"id": row.item_id}
            for name, value in zip(fields, row.values, strict=True):
                if value is not None:
                    item[name] = value
            i = at.get(row.item_id)
            if i is None:
                at[row.item_id] = len(items)
                items.append(item)
                origin.append(row.src)
            else:
                items[i] = item
                origin[i] = row.src

    def _check_kind(
        self,
        pid: str,
        data: dict[str, Any],
        origins: dict[str, list[_Src | None]],
        kind_src: _Src | None,
        people_src: _Src | None,
        found: _Found,
    ) -> None:
        """Bands for an officer, ranks for staff: blame the history row, or the people row."""
        kind = data.get("kind")
        wrong = {"officer": "bands", "staff": "ranks"}.get(str(kind))
        if wrong is None:
            return
        right = "ranks" if wrong == "bands" else "bands"
        whose = "a police officer" if kind == "officer" else "police staff"
        for i, src in enumerate(origins[wrong]):
            if self.is_csv(src):
                assert src is not None
                found.append(
                    (
                        src,
                        "person_id",
                        f"{pid} is {whose} ({self.where(kind_src)}), who hold {right}, "
                        f"not {wrong}: put this row in {right}.csv, or correct their kind",
                    )
                )
            elif people_src is not None:
                found.append(
                    (
                        people_src,
                        "kind",
                        f"{pid} has {wrong} in {self.where(src)} (e.g. "
                        f"'{data[wrong][i].get('id')}'), which {kind} cannot hold: correct "
                        f"the kind, or their {wrong}",
                    )
                )
                return

    def _check_unique(
        self,
        pid: str,
        data: dict[str, Any],
        origins: dict[str, list[_Src | None]],
        found: _Found,
    ) -> None:
        """One item id in two sections: blame the row that brought it."""
        seen: dict[str, tuple[str, _Src | None]] = {}
        for section in ITEM_SECTIONS:
            for i, item in enumerate(data[section]):
                item_id = item.get("id")
                if item_id is None:
                    continue
                if item_id not in seen:
                    seen[item_id] = (section, origins[section][i])
                    continue
                other, other_src = seen[item_id]
                src = origins[section][i]
                blame, there = (src, other_src) if self.is_csv(src) else (other_src, src)
                if not self.is_csv(blame):
                    continue  # not a CSV row's doing: validation names the record
                assert blame is not None
                found.append(
                    (
                        blame,
                        "item_id",
                        f"item id '{item_id}' of {pid} is also used in "
                        f"{other if blame == src else section} ({self.where(there, blame)}): "
                        "item ids must be unique within a person's record; give this item its "
                        "own id",
                    )
                )

    def _locate(
        self,
        err: Any,
        origins: dict[str, list[_Src | None]],
        people_src: _Src | None,
        json_src: _Src | None,
        first: _Src,
    ) -> tuple[_Src, str, str]:
        """The row and column a validation error of a built record belongs to: the item's
        row, else the people row, else the JSON record, else the person's first row."""
        loc = [p for p in err["loc"] if p != "__root__"]
        path, message = _explain(err)
        if len(loc) >= 2 and isinstance(loc[0], str) and isinstance(loc[1], int):
            src = origins.get(loc[0], [])[loc[1]] if loc[0] in origins else None
            if self.is_csv(src):
                assert src is not None
                if len(loc) >= 3:
                    column = "item_id" if loc[2] == "id" else str(loc[2])
                else:  # a check across the item's fields
                    column = {"credentials": "revalidated"}.get(
                        loc[0], "end" if loc[0] in _DATED else ""
                    )
                return src, column, message
            if src is not None:
                return src, path, message
        if people_src is not None:
            column = str(loc[0]) if len(loc) == 1 and loc[0] in _PEOPLE_VALUES else ""
            return people_src, column, message if column or not path else f"{path}: {message}"
        if json_src is not None:
            return json_src, path, message
        return first, "", f"the record would not be valid: {path or 'record'}: {message}"

    def _warn(self, person: Person, pending: _Pending, dropped: set[_Src]) -> None:
        """Ids the catalogue does not know, and protected characteristics outside its values."""
        assert self.catalogue is not None
        item_src: dict[tuple[str, int], _Src] = {}
        if pending.json is not None:
            for section in ITEM_SECTIONS:
                for i in range(len(getattr(person, section))):
                    item_src[(section, i)] = pending.json[0]
        for section, rows in pending.items.items():
            at = {item.id: i for i, item in enumerate(getattr(person, section))}
            for row in rows:
                if row.src not in dropped and row.item_id in at:
                    item_src[(section, at[row.item_id])] = row.src
        for found in reference_problems(person, self.catalogue):
            where, index, name = found.loc
            src = item_src.get((str(where), int(index)))
            if src is not None:
                hint = f" (did you mean '{found.suggestion}'?)" if found.suggestion else ""
                column = str(name) if self.is_csv(src) else found.path
                self.warning(src, column, found.message + hint)
        if pending.people is not None:
            for name in _PROTECTED:
                value = getattr(person.protected, name)
                allowed = self.known_values.get(name)
                if value is not None and allowed and value not in allowed:
                    guess = did_you_mean(value, allowed)
                    hint = f" (did you mean '{guess}'?)" if guess else ""
                    self.warning(
                        pending.people[0],
                        name,
                        f"{value!r} is not one of the catalogue's values "
                        f"({', '.join(allowed)}), so no rule can use it{hint}",
                    )

    # -- reject files --

    def _set_aside(self) -> None:
        """Write the reject files. A reject file that was imported itself is rewritten with
        the rows still bad, and removed when none are left."""
        for src, messages in self.bad.items():
            self.rejected[src] = "; ".join(messages)
        self.report.rows_rejected = len(self.rejected)
        if self.dry_run:
            return
        by_target: dict[Path, dict[int, dict[int, str]]] = {}
        for (index, pos), why in sorted(self.rejected.items()):
            file = self.files[index]
            target = _reject_path(file.path, file.kind is not None)
            by_target.setdefault(target, {}).setdefault(index, {})[pos] = why
        for target, by_file in by_target.items():
            if target.suffix == ".csv":
                _write_csv_rejects(
                    [(self.files[i].path, rows) for i, rows in by_file.items()], target
                )
            else:
                _write_json_rejects([(self.files[i], rows) for i, rows in by_file.items()], target)
            self.report.reject_files.append(str(target))
        for file in self.files:
            if REJECTS in file.path.name and file.path not in by_target and file.path.exists():
                file.path.unlink()
                self.report.notes.append(f"{file.name}: every row imported, so it was removed")


_PEOPLE_VALUES = tuple(c.name for c in FILE_KINDS["people"].values)


def _kind_from_name(path: Path) -> str | None:
    """``ranks.csv``, ``hr_ranks.csv`` and ``ranks.rejects.csv`` are all ranks."""
    stem = path.stem.lower().removesuffix(REJECTS)
    for name in FILE_KINDS:
        if stem == name or re.search(rf"[_\-. ]{name}$", stem):
            return name
    return None


def _explain(err: Any) -> tuple[str, str]:
    """A pydantic error as (field path, message), in the wording of accreditation.io."""
    loc = [p for p in err["loc"] if p != "__root__"]
    found = record_problem(err)
    path, message = found.path, found.message
    if found.hint:
        message = f"{message} ({found.hint})"
    if len(loc) == 2 and isinstance(loc[1], int) and err["type"] == "value_error":
        # an item's own check across its fields: name the field to correct
        checked = "end" if loc[0] in _DATED else "revalidated" if loc[0] == "credentials" else ""
        path = f"{path}.{checked}" if checked else path
    return path, message


def _reject_path(path: Path, is_csv: bool) -> Path:
    stem = path.stem.removesuffix(REJECTS)
    return path.with_name(f"{stem}{REJECTS}{'.csv' if is_csv else '.jsonl'}")


def _write_csv_rejects(sources: list[tuple[Path, dict[int, str]]], target: Path) -> None:
    """The rejected rows as they were, with an ``error`` column (a reason, in place of an
    ``error`` column the file already had)."""
    out_header: list[str] | None = None
    kept: list[list[str]] = []
    for source, rows in sources:
        with source.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.reader(fh)
            header = next(reader)
            names = [h.strip().lower() for h in header]
            error_at = names.index(ERROR_COLUMN) if ERROR_COLUMN in names else len(header)
            if out_header is None:
                out_header = header if error_at < len(header) else [*header, ERROR_COLUMN]
            line = 1
            for row in reader:
                row_no, line = line + 1, reader.line_num
                why = rows.get(row_no)
                if why is not None:
                    # As read (quote taken off), so the writer quotes what would run.
                    cells = [restore(c) for c in row] + [""] * (len(out_header) - len(row))
                    cells[error_at] = why
                    kept.append(cells)
    tmp = target.with_name(target.name + ".tmp")
    with tmp.open("w", encoding="utf-8", newline="") as out:
        writer = csv_writer(out)
        writer.writerow(out_header or [])
        writer.writerows(kept)
    tmp.replace(target)


def _write_json_rejects(sources: list[tuple[_File, dict[int, str]]], target: Path) -> None:
    """The rejected records as JSON Lines, each with an ``error`` field."""
    lines = []
    for file, rows in sources:
        text = file.path.read_text(encoding="utf-8-sig")
        records: list[tuple[int, Any]]
        if file.layout == "jsonl":
            records = list(enumerate(text.splitlines(), 1))
        elif file.layout == "list":
            records = list(enumerate(json.loads(text)))
        else:
            records = [(0, json.loads(text))]
        for pos, data in records:
            why = rows.get(pos)
            if why is None:
                continue
            if file.layout == "jsonl":
                try:
                    data = json.loads(data)
                except json.JSONDecodeError:
                    data = {"line": data}
            data = (
                {**data, ERROR_COLUMN: why}
                if isinstance(data, dict)
                else {
                    "record": data,
                    ERROR_COLUMN: why,
                }
            )
            lines.append(json.dumps(data, ensure_ascii=False, default=str))
    tmp = target.with_name(target.name + ".tmp")
    tmp.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    tmp.replace(target)
