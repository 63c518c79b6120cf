"""What an import knows as it goes: where each row came from, what the files say about each
person, and the problems found, with the helpers every step uses to note them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from accreditation.record import Person
from pathways.model.catalogue import Catalogue
from store import Store, StoredRecord

from .report import ImportReport, RowProblem
from .schema import PROTECTED, FileKind

__all__ = ["File", "Found", "ItemRow", "Pending", "Src", "State", "Stored"]

Src = tuple[int, int]  # (file index, row / JSON Lines line / list index / 0)


@dataclass(slots=True)
class ItemRow:
    src: Src
    item_id: str
    values: tuple[Any, ...]


@dataclass(slots=True)
class Pending:
    """Everything the import says about one person."""

    people: tuple[Src, tuple[Any, ...]] | None = None
    people_bad: Src | None = None
    json: tuple[Src, Person] | None = None
    json_bad: Src | None = None
    items: dict[str, list[ItemRow]] = field(default_factory=dict)
    bad_items: list[Src] = field(default_factory=list)

    def own_sources(self) -> set[Src]:
        """The person's own row (people.csv) and JSON record."""
        return {s[0] for s in (self.people, self.json) if s is not None}

    def sources(self) -> list[Src]:
        """Every row and record of the person, good or bad."""
        out = [s for s in (self.people_bad, self.json_bad) if s is not None]
        out.extend(sorted(self.own_sources()))
        out.extend(r.src for rows in self.items.values() for r in rows)
        out.extend(self.bad_items)
        return out

    def has_rows(self, dropped: set[Src] | frozenset[Src] = frozenset()) -> bool:
        """Anything left to import."""
        return bool(self.own_sources()) or any(
            r.src not in dropped for rows in self.items.values() for r in rows
        )


@dataclass
class File:
    path: Path
    name: str
    kind: FileKind | None = None  # None: JSON
    layout: str = "csv"  # csv / jsonl / list / one
    header: list[str] = field(default_factory=list)


Stored = StoredRecord
Found = list[tuple[Src, str, str]]  # problems of one person's record: (row, column, message)


class State:
    """The import's data; the steps (reading, merging, reject files) are mixins of it."""

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
            self.known_values = {a.id: a.values for a in catalogue.attributes if a.id in PROTECTED}
        self.files = [File(p, str(p)) for p in paths]
        self.report = ImportReport([str(p) for p in paths], dry_run, skip)
        self.pending: dict[str, Pending] = {}
        self.people_rows: dict[str, Src] = {}
        self.bad: dict[Src, list[str]] = {}  # rows with problems -> their messages
        self.rejected: dict[Src, str] = {}  # rows set aside, and why
        self.accepted = 0  # records that would be saved

    # -- problems --

    def problem(self, src: Src, column: str, message: str) -> None:
        file = self.files[src[0]]
        if file.layout == "list":
            column = f"[{src[1]}].{column}" if column else f"[{src[1]}]"
        row = src[1] if file.layout in ("csv", "jsonl") else None
        self.report.problems.append(RowProblem(file.name, row, column, message))
        self.bad.setdefault(src, []).append(f"{column}: {message}" if column else message)

    def file_problem(self, index: int, column: str, message: str, row: int | None = 1) -> None:
        self.report.file_problems = True
        self.report.problems.append(RowProblem(self.files[index].name, row, column, message))

    def warning(self, src: Src, column: str, message: str) -> None:
        file = self.files[src[0]]
        if file.layout == "list":
            column = f"[{src[1]}].{column}"
        row = src[1] if file.layout in ("csv", "jsonl") else None
        self.report.warnings.append(RowProblem(file.name, row, column, message))

    def where(self, src: Src | None, here: Src | None = None) -> str:
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

    def is_csv(self, src: Src | None) -> bool:
        return src is not None and self.files[src[0]].kind is not None
