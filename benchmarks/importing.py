"""Import benchmark: a synthetic workforce written as the import CSVs, imported into SQLite.

Run from the repository root::

    .venv/bin/python benchmarks/importing.py [--people 50000] [--runs 3] [--quick]

It prints the machine, then:

(a) N people of the seeded synthetic workforce (seed 1, as of 2024-06-01, as ``make run``
    makes them) generated and written as the CSVs of ``docs/import-format.md`` by
    :func:`workforce.csvexport.write_csv`, timed together; the files' rows and size;
(b) the CSVs imported into a fresh SQLite file by the real importer
    (:func:`workforce.importer.import_files`; if it cannot be imported, the same people
    saved with ``Store.save_people``, and the output says so): seconds and people per
    second (target: 50,000 people in <= 60 s), then the same files imported again into the
    same database (nothing may change: 0 created, 0 updated), and the database's size;
(c) a check: the first 1,000 people read back from the database equal the generated ones.

(b) is repeated ``--runs`` times, each into a new database; the medians are printed.
``--quick`` is 2,000 people and one run, for a smoke run. Exit status 1 if a re-import
changed anything or a record did not come back equal.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.engine import machine
from pathways import SHIPPED_LIBRARY, load_library
from pathways.model.catalogue import Catalogue
from store import Store
from workforce.csvexport import write_csv
from workforce.synthetic import generate_people, generate_records

__all__ = ["AS_OF", "SEED", "ImportRun", "import_once", "main"]

AS_OF = dt.date(2024, 6, 1)
SEED = 1  # as `make run` generates the demo database
TARGET_SECONDS = 60.0
TARGET_PEOPLE = 50_000
CHECKED = 1_000
ACTOR = "benchmark"


@dataclass(frozen=True)
class ImportRun:
    """One fresh import and its re-import."""

    how: str
    seconds: float
    counts: dict[str, int]
    again_seconds: float
    again_counts: dict[str, int]
    db_bytes: int


def _importer() -> Callable[..., Any] | None:
    try:
        module = importlib.import_module("workforce.importer")
    except ImportError:  # not written yet
        return None
    import_files: Callable[..., Any] = module.import_files
    return import_files


def _counts(report: Any) -> dict[str, int]:
    """created / updated / unchanged (and whatever else the report counts), as numbers."""
    out = {}
    for name in ("created", "updated", "unchanged", "rows_read", "rows_rejected", "warnings"):
        value = getattr(report, name, None)
        if isinstance(value, int) and not isinstance(value, bool):
            out[name] = value
        elif isinstance(value, list | tuple | dict):
            out[name] = len(value)
    return out


def _db_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*") if p.is_file())


def import_once(
    csv_dir: Path, db_path: Path, n: int, seed: int = SEED, catalogue: Catalogue | None = None
) -> ImportRun:
    """Import the CSVs of ``csv_dir`` into a new SQLite file, then again (ids checked
    against ``catalogue``, as ``pathways import`` checks them against the shipped one)."""
    store = Store(f"sqlite:///{db_path}")  # migrations run here, outside the timing
    import_files = _importer()
    paths = sorted(csv_dir.glob("*.csv"))

    def run() -> tuple[float, dict[str, int]]:
        start = time.perf_counter()
        if import_files is not None:
            report = import_files(store, paths, actor=ACTOR, catalogue=catalogue)
            if not getattr(report, "imported", True) or getattr(report, "problems", None):
                problems = [p.format() for p in getattr(report, "problems", [])[:5]]
                raise SystemExit("the import failed:\n" + "\n".join([*problems, str(report)]))
            counts = _counts(report)
        else:
            stats = store.save_people(generate_people(n, seed, AS_OF), actor=ACTOR)
            counts = {k: getattr(stats, k) for k in ("created", "updated", "unchanged")}
        return time.perf_counter() - start, counts

    try:
        seconds, counts = run()
        again_seconds, again_counts = run()
    finally:
        store.close()
    how = (
        "workforce.importer.import_files (the CSVs)"
        if import_files is not None
        else "Store.save_people of the generated people: workforce.importer is not "
        "importable yet, so the CSVs are NOT read"
    )
    return ImportRun(how, seconds, counts, again_seconds, again_counts, _db_bytes(db_path))


def _check(db_path: Path, n: int, seed: int) -> int:
    """How many of the first people read back differ from the generated ones."""
    store = Store(f"sqlite:///{db_path}")
    try:
        wrong = 0
        for person in generate_people(min(n, CHECKED), seed, AS_OF):
            wrong += store.get_person(person.id) != person
        return wrong
    finally:
        store.close()


def _fmt(counts: dict[str, int]) -> str:
    return ", ".join(f"{v:,} {k}" for k, v in counts.items()) or "(no counts in the report)"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--people", type=int, default=TARGET_PEOPLE, help="how many people")
    parser.add_argument("--runs", type=int, default=3, help="fresh imports; medians printed")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--quick", action="store_true", help="2,000 people, one run")
    parser.add_argument("--dir", type=Path, default=None, help="work here (default: a temp dir)")
    args = parser.parse_args(argv)
    n, runs = (2_000, 1) if args.quick else (args.people, max(1, args.runs))

    print(f"# Import benchmark, {dt.datetime.now():%Y-%m-%d %H:%M}")
    for key, value in machine().items():
        print(f"{key:>13}: {value}")

    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        work = Path(tmp)
        csv_dir = work / "csv"
        start = time.perf_counter()
        files = write_csv(generate_records(n, args.seed, AS_OF), csv_dir)
        written = time.perf_counter() - start
        size = sum(p.stat().st_size for p in csv_dir.iterdir())
        items = sum(v for k, v in files.items() if k != "people.csv")
        print(
            f"\n(a) {n:,} synthetic people (seed {args.seed}, as of {AS_OF}) generated and "
            f"written as {len(files)} CSVs in {written:.2f} s ({n / written:,.0f} people/s): "
            f"{items:,} history rows, {size / 1e6:.1f} MB"
        )
        print("    " + ", ".join(f"{name} {rows:,}" for name, rows in files.items()))

        catalogue = load_library([SHIPPED_LIBRARY]).catalogue
        results = []
        for i in range(runs):
            db_path = work / f"import-{i}.db"
            result = import_once(csv_dir, db_path, n, args.seed, catalogue)
            results.append(result)
            if i == 0:
                print(
                    f"\n(b) imported into a fresh SQLite file with {result.how}, ids checked "
                    "against the shipped catalogue as `pathways import` does"
                )
            print(
                f"    run {i + 1}: {result.seconds:.1f} s ({n / result.seconds:,.0f} people/s; "
                f"{_fmt(result.counts)}); again: {result.again_seconds:.1f} s "
                f"({_fmt(result.again_counts)}); database {result.db_bytes / 1e6:.1f} MB"
            )
        median = statistics.median(r.seconds for r in results)
        again = statistics.median(r.again_seconds for r in results)
        target = TARGET_SECONDS * n / TARGET_PEOPLE
        met = "met" if median <= target else "NOT met"
        print(
            f"    median of {runs}: import {median:.1f} s ({n / median:,.0f} people/s, "
            f"{(n + items) / median:,.0f} rows/s), re-import {again:.1f} s   "
            f"(target: {TARGET_PEOPLE:,} in <= {TARGET_SECONDS:.0f} s, i.e. "
            f"{n:,} in <= {target:.1f} s: {met})"
        )
        changed = [
            r
            for r in results
            if r.again_counts.get("created", 0) or r.again_counts.get("updated", 0)
        ]
        print(
            "    re-imports: "
            + ("changed nothing (0 created, 0 updated)" if not changed else "CHANGED RECORDS")
        )

        wrong = _check(work / "import-0.db", n, args.seed)
        print(
            f"\n(c) the first {min(n, CHECKED):,} people read back from the database: "
            f"{wrong} differ from the generated ones"
        )
    return 1 if changed or wrong else 0


if __name__ == "__main__":
    sys.exit(main())
