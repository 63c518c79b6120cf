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

from collections.abc import Callable, Iterable
from pathlib import Path

from sqlalchemy import Connection
from sqlalchemy.exc import SQLAlchemyError

from accreditation.record import Person
from pathways.model.catalogue import Catalogue
from store import SaveStats, Store, StoreError, stored_records

from .merging import Merging
from .reading import Reading
from .rejects import Rejects
from .report import ImportReport, RowProblem
from .schema import BATCH, FILE_KINDS, REJECTS, FileKind, kind_from_name

__all__ = [
    "BATCH",
    "FILE_KINDS",
    "FileKind",
    "ImportReport",
    "RowProblem",
    "get_people",
    "import_files",
]


class _Rollback(Exception):
    pass


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


class _Import(Reading, Merging, Rejects):
    """One import: read every file (:class:`Reading`), build each person's record
    (:class:`Merging`), save them in one transaction, write the reject files
    (:class:`Rejects`). Its data and the helpers that note problems are in ``state``."""

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
        return path.suffix.lower() != ".csv" or kind_from_name(path) == "people"
