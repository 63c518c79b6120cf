"""Records written as the import CSVs of ``docs/import-format.md``, for ``pathways import``.

:func:`write_csv` streams records (validated :class:`Person` objects, or plain dicts in the
same shape, such as :func:`workforce.synthetic.generate_records` yields) into
``people.csv`` and one CSV per kind of history: one row per person or item, each item's own
id in ``item_id``, lists joined with ``;``, an empty cell for "none". Each record is written
as soon as it is read, so a population of any size is never held in memory.

Text that a spreadsheet would run as a formula (``=2+3``, ``@x`` ...) is written with a
leading ``'`` (:mod:`workforce.csvsafe`), which the importer takes off again.

Read back by the importer, the files give records equal to the ones written, provided every
item has an id (an item without one is written with the id the store would give it,
``section[index]``, e.g. ``courses[2]``) and no record has ``attributes`` (the import format
has no column for them: :func:`write_csv` refuses such a record rather than drop them).

>>> import tempfile
>>> from workforce.synthetic import generate_records
>>> with tempfile.TemporaryDirectory() as out:
...     counts = write_csv(generate_records(20, seed=7), out)
...     header = (Path(out) / "ranks.csv").read_text().splitlines()[0]
>>> counts["people.csv"], header
(20, 'person_id,item_id,rank,basis,start,end')
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from contextlib import ExitStack
from enum import Enum
from pathlib import Path
from typing import Any

from accreditation.record import Person

from .csvsafe import writer

__all__ = ["FILES", "PEOPLE_COLUMNS", "SECTION_COLUMNS", "write_csv"]

PEOPLE_COLUMNS = ("person_id", "kind", "name", "joined", "ethnicity", "gender", "disability")
"""The header of ``people.csv``."""

SECTION_COLUMNS: dict[str, tuple[str, ...]] = {
    "ranks": ("rank", "basis", "start", "end"),
    "bands": ("band", "basis", "start", "end"),
    "postings": ("business_group", "unit", "role", "start", "end"),
    "courses": ("course", "start", "completed"),
    "assessments": ("assessment", "date", "outcome", "assessors"),
    "credentials": ("credential", "level", "awarded", "assessor", "revalidated"),
    "endorsements": ("endorsement", "date", "by", "expires"),
    "memberships": ("programme", "start", "end"),
    "mentors": ("mentor", "start", "end"),
}
"""Each history section's columns after ``person_id`` and ``item_id``; its file is
``<section>.csv``."""

FILES = ("people.csv", *(f"{section}.csv" for section in SECTION_COLUMNS))
"""Every file :func:`write_csv` writes, in the order it lists them."""

# Values of a field left out of a plain dict (the model's defaults).
_DEFAULTS = {"basis": "substantive", "outcome": "passed"}


def _cell(value: Any) -> str:
    """One CSV cell: empty for None, ``;``-joined for lists, ISO for dates."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return ";".join(_cell(v) for v in value)
    return str(value)


def _getter(record: Any) -> Callable[[Any, str], Any]:
    """How to read a field of ``record`` and of its items: by key (dicts) or attribute."""
    if isinstance(record, Mapping):
        return lambda obj, name: obj.get(name, _DEFAULTS.get(name))
    return getattr


def write_csv(records: Iterable[Person | Mapping[str, Any]], out_dir: str | Path) -> dict[str, int]:
    """Write ``records`` as the import CSVs in ``out_dir`` (created if missing; files there
    of the same names are replaced). Every file of :data:`FILES` is written, with its header
    even when it has no rows. Plain dicts are written as they are, not validated.

    Returns:
        The number of data rows of each file, by file name, in the order of :data:`FILES`.

    Raises:
        ValueError: if a record has ``attributes``, which the import format cannot carry.
        OSError: if a file cannot be written.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    counts = dict.fromkeys(FILES, 0)
    with ExitStack() as stack:
        writers = {}
        for name in FILES:
            handle = stack.enter_context((out / name).open("w", encoding="utf-8", newline=""))
            writers[name] = writer(handle, lineterminator="\n")
        writers["people.csv"].writerow(PEOPLE_COLUMNS)
        sections = []
        for section, columns in SECTION_COLUMNS.items():
            name = f"{section}.csv"
            writers[name].writerow(("person_id", "item_id", *columns))
            sections.append((section, name, columns))
        for record in records:
            get = _getter(record)
            pid = get(record, "id")
            if get(record, "attributes"):
                raise ValueError(
                    f"record '{pid}' has attributes, which the import CSVs cannot carry: "
                    "write it as JSON instead"
                )
            characteristics = get(record, "protected") or {}
            writers["people.csv"].writerow(
                (
                    _cell(pid),
                    _cell(get(record, "kind")),
                    _cell(get(record, "name")),
                    _cell(get(record, "joined")),
                    *(_cell(get(characteristics, f)) for f in PEOPLE_COLUMNS[4:]),
                )
            )
            counts["people.csv"] += 1
            for section, name, columns in sections:
                items = get(record, section)
                if not items:
                    continue
                rows = [
                    (
                        pid,
                        _cell(get(item, "id")) or f"{section}[{index}]",
                        *(_cell(get(item, column)) for column in columns),
                    )
                    for index, item in enumerate(items)
                ]
                writers[name].writerows(rows)
                counts[name] += len(rows)
    return counts
