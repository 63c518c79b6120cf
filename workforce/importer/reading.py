"""Reading the files: CSV files by kind (header checked, every cell parsed) and JSON records
(one, a list, or JSON Lines), noting each row's problems where they are."""

from __future__ import annotations

import csv
import json
import sys
from typing import Any

from pydantic import ValidationError

from accreditation.record import Person
from pathways.suggest import did_you_mean

from ..csvsafe import restore
from .merging import explain
from .schema import (
    ABSENT,
    DATED,
    ERROR_COLUMN,
    FILE_KINDS,
    ITEM_ID,
    PERSON_ID,
    REJECTS,
    Bad,
    FileKind,
    kind_from_name,
    parse_text,
    person_id_problem,
)
from .state import ItemRow, Pending, Src, State

__all__ = ["Reading"]


class Reading(State):
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
        by_name = kind_from_name(self.files[index].path)
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

    # Long: see the comment below (one pass on purpose).
    def _read_rows(self, index: int, kind: FileKind, reader: Any, plan: list[int]) -> None:
        # Over 80 lines on purpose: the per-row loop of an import (a million rows for a
        # large force), its state kept in locals; split into calls per row it was slower.
        report = self.report
        people_file = kind.name == "people"
        pid_at = plan[0]
        item_at = -1 if people_file else plan[1]
        value_columns = [
            (column, at)
            for column, at in zip(kind.columns, plan, strict=True)
            if column.name not in ("person_id", "item_id")
        ]
        absent = ABSENT if people_file else None
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
                self.problem(src, "person_id", f"missing (required): give {PERSON_ID.what}")
                continue
            wrong = person_id_problem(pid)
            if wrong is not None:
                self.problem(src, "person_id", wrong)
                continue
            pid = sys.intern(pid)
            item_id = ""
            if not people_file:
                item_id = restore(row[item_at].strip()) if item_at < len(row) else ""
                if not item_id:
                    self.problem(src, "item_id", f"missing (required): give {ITEM_ID.what}")
                    bad = True
                try:
                    item_id = parse_text(item_id)
                except Bad as exc:
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
                except Bad as exc:
                    self.problem(src, column.name, str(exc))
                    bad = True
                    values.append(None)
            if not bad:
                bad = self._check_dates(src, kind.name, values)
            pending = self.pending.get(pid)
            if pending is None:
                pending = self.pending[pid] = Pending()
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
                pending.items.setdefault(kind.name, []).append(ItemRow(src, item_id, tuple(values)))
            else:
                pending.bad_items.append(src)

    def _check_dates(self, src: Src, kind: str, values: list[Any]) -> bool:
        """End before start (and revalidation before award), named by the column to fix."""
        if kind in DATED:
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
                self.problem(src, *explain(err))
            pid = data.get("id") if isinstance(data, dict) else None
            # Only a valid id can be stored, or be looked up (PostgreSQL refuses a NUL).
            if isinstance(pid, str) and person_id_problem(pid) is None:
                self.pending.setdefault(pid, Pending()).json_bad = src
            return
        pending = self.pending.setdefault(person.id, Pending())
        if pending.json is not None:
            self.problem(
                src,
                "id",
                f"{person.id} is already in {self.where(pending.json[0], src)}: "
                "give each person one record",
            )
            return
        pending.json = (src, person)
