"""Reject files: with ``skip_bad_rows``, the rows set aside are written beside their file
(``<stem>.rejects.csv`` or ``.rejects.jsonl``) with the reason, so they can be fixed and
imported again; a reject file imported itself keeps only the rows still bad."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from ..csvsafe import restore
from ..csvsafe import writer as csv_writer
from .schema import ERROR_COLUMN, REJECTS
from .state import File, State

__all__ = ["Rejects"]


class Rejects(State):
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


def _write_json_rejects(sources: list[tuple[File, dict[int, str]]], target: Path) -> None:
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
