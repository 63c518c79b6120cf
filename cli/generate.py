"""``pathways generate``: a seeded synthetic workforce, into the store or as import files."""

from __future__ import annotations

import datetime as dt
import json
import sys
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import click
from sqlalchemy.exc import SQLAlchemyError

from store import Store, StoreError, default_url
from workforce.csvexport import write_csv
from workforce.synthetic import DEFAULT_AS_OF, MAX_PEOPLE, generate_people, generate_records

from .options import DATE

__all__ = ["JSON_FILE", "PROGRESS_EVERY", "generate_command"]

PROGRESS_EVERY = 10_000
"""A progress line on stderr after every this many people."""
JSON_FILE = "people.jsonl"
"""The file ``--format json`` writes in ``--out``: JSON Lines, one record per line."""
ACTOR = "generate"

T = TypeVar("T")


@click.command("generate")
@click.option(
    "--people",
    "count",
    type=click.IntRange(0, MAX_PEOPLE),
    default=1000,
    show_default=True,
    help=f"How many people to make (at most {MAX_PEOPLE:,}).",
)
@click.option(
    "--seed",
    type=int,
    default=1,
    show_default=True,
    help="The random seed: the same seed (and --as-of) gives the same people every time; "
    "a smaller --people gives the first people of a larger one.",
)
@click.option(
    "--as-of",
    type=DATE,
    metavar="DATE",
    default=DEFAULT_AS_OF.isoformat(),
    show_default=True,
    help="The date the records run up to, YYYY-MM-DD: nothing is dated after it.",
)
@click.option(
    "--db",
    "db_url",
    metavar="URL",
    default=None,
    help="Save the people into this database (SQLAlchemy URL, e.g. sqlite:///var/pathways.db "
    "or postgresql+psycopg://...), in one transaction. This is the default when --out is not "
    "given, with $PATHWAYS_DATABASE_URL or sqlite:///var/pathways.db.",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Instead of a database, write the files 'pathways import' reads into this directory "
    "(created if missing; files of the same names are replaced).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "json"]),
    default=None,
    help="With --out: csv (people.csv and one CSV per history, as in docs/import-format.md; "
    f"the default) or json ({JSON_FILE}, JSON Lines, one record per line).",
)
def generate_command(
    count: int,
    seed: int,
    as_of: dt.datetime,
    db_url: str | None,
    out: Path | None,
    fmt: str | None,
) -> None:
    """Make a seeded synthetic workforce: realistic, valid, made-up records.

    Officers (about 63%, in a rank pyramid) and police staff (bands), with
    gap-free rank and band histories, postings, courses, exams, credentials,
    endorsements, programme memberships and protected characteristics, all in
    the shipped catalogue's ids (see workforce/synthetic/). No real
    person's data: names are 'Synthetic Person NNNNNN'.

    The people go straight into the database (--db; by default the one of
    $PATHWAYS_DATABASE_URL or sqlite:///var/pathways.db), or into files for
    'pathways import' (--out). The same --seed and --as-of give the same
    people; saving them again changes nothing.

    Exit status: 0 written, 1 the records could not be saved or the files
    written, 2 usage error (e.g. a database that cannot be opened).

    \b
    Examples:
      pathways generate --people 50000 --seed 1        # into the default database
      pathways generate --people 500 --db sqlite:///demo.db
      pathways generate --people 2000 --out hr-export/ # import CSVs
      pathways import hr-export/ --db sqlite:///demo.db
      pathways generate --people 100 --out records/ --format json
    """
    if db_url is not None and out is not None:
        raise click.UsageError(
            "use either --db (save into a database) or --out (write files), not both"
        )
    if fmt is not None and out is None:
        raise click.BadParameter(
            "only applies to files: add --out DIR (with --db the people go straight into "
            "the database)",
            param_hint="--format",
        )
    day = as_of.date()
    start = time.perf_counter()
    if out is not None:
        _to_files(count, seed, day, out, fmt or "csv", start)
    else:
        _to_store(count, seed, day, db_url or default_url(), start)


def _to_store(count: int, seed: int, day: dt.date, url: str, start: float) -> None:
    shown = _display_url(url)
    try:
        store = Store(url)
    except StoreError as exc:
        raise click.BadParameter(
            f"{exc} (fix the URL, or $PATHWAYS_DATABASE_URL)", param_hint="--db"
        ) from None
    click.echo(f"generating {count:,} people (seed {seed}, as of {day}) into {shown} ...", err=True)
    try:
        stats = store.save_people(
            _progress(generate_people(count, seed, day), count, start), actor=ACTOR
        )
    except (SQLAlchemyError, StoreError, OSError) as exc:  # nothing was committed
        click.echo(f"error: saving into {shown} failed, nothing was saved: {exc}", err=True)
        click.echo("check the database given to --db (or $PATHWAYS_DATABASE_URL)", err=True)
        sys.exit(1)
    finally:
        store.close()
    seconds = time.perf_counter() - start
    click.echo(
        f"saved {count:,} people (seed {seed}, as of {day}) into {shown} in {seconds:.1f} s: "
        f"{stats.created:,} created, {stats.updated:,} updated, {stats.unchanged:,} unchanged"
    )


def _to_files(count: int, seed: int, day: dt.date, out: Path, fmt: str, start: float) -> None:
    records = _progress(generate_records(count, seed, day), count, start)
    try:
        if fmt == "json":
            counts = {JSON_FILE: _write_json_lines(records, out)}
        else:
            counts = write_csv(records, out)
    except OSError as exc:
        click.echo(f"error: cannot write into {out}: {exc}", err=True)
        click.echo("choose a directory you can write to with --out", err=True)
        sys.exit(1)
    seconds = time.perf_counter() - start
    rows = sum(n for name, n in counts.items() if name != "people.csv")
    what = f"{count:,} people" + (f" and {rows:,} history items" if fmt == "csv" else "")
    click.echo(f"wrote {what} (seed {seed}, as of {day}) to {out}/ in {seconds:.1f} s:")
    for name, n in counts.items():
        click.echo(f"  {name:20} {n:>10,} rows")
    click.echo(f"import them with: pathways import {out}/")


def _write_json_lines(records: Iterable[dict[str, Any]], out: Path) -> int:
    out.mkdir(parents=True, exist_ok=True)
    n = 0
    with (out / JSON_FILE).open("w", encoding="utf-8") as fh:
        for record in records:
            fh.write(json.dumps(record, separators=(",", ":"), default=_json_value))
            fh.write("\n")
            n += 1
    return n


def _json_value(value: object) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _progress(items: Iterable[T], total: int, start: float) -> Iterator[T]:
    """``items``, with a line on stderr after every :data:`PROGRESS_EVERY` of them."""
    for i, item in enumerate(items, 1):
        yield item
        if i % PROGRESS_EVERY == 0 and i < total:
            seconds = time.perf_counter() - start
            click.echo(f"  {i:,} of {total:,} people ({seconds:.1f} s)", err=True)


def _display_url(url: str) -> str:
    """The URL without its password."""
    try:
        from sqlalchemy.engine import make_url

        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # not a URL SQLAlchemy can parse: Store will say so
        return url
