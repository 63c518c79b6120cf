"""What an import says: each problem with its file, row and column, and the report of what
was read, changed (or, on a dry run, would change) and set aside."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["ImportReport", "RowProblem"]


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
