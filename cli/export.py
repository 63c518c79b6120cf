"""``pathways export``: a stored record (and its decision) as JSON, for other systems."""

from __future__ import annotations

import datetime as dt
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

import click

from accreditation.io import record_warnings
from pathways.loader import SHIPPED_LIBRARY, load_with_problems
from pathways.model.library import Library
from rules.engine import Evaluator
from store import LibraryVersion, StoreError

from .library import SHORT
from .options import DATE, db_option, open_store

__all__ = ["export_command", "stored_library"]


@click.command("export")
@click.argument("person_id")
@db_option
@click.option(
    "--decision",
    is_flag=True,
    help="Also decide eligibility, with the active library version in the database, and "
    'print {"record": ..., "decision": ...}.',
)
@click.option(
    "--as-of",
    type=DATE,
    default=None,
    help="With --decision: decide as of this date, YYYY-MM-DD (default: today).",
)
def export_command(
    person_id: str, db_url: str | None, decision: bool, as_of: dt.datetime | None
) -> None:
    """Print a person's stored record as JSON, optionally with their decision.

    PERSON_ID is a warrant or staff number. The record is printed in the same
    JSON form 'pathways eligibility' reads (with its protected
    characteristics). With --decision, the output is {"record": ...,
    "decision": ...}; the decision is made with the library version that is
    active in the database ('pathways versions'), or with the shipped library
    if none has been published; which one is said on stderr, and the decision
    names its version (library_version).

    Exit status: 0 printed, 1 no such person (or the stored library does not
    load), 2 usage error.

    \b
    Examples:
      pathways export W000123
      pathways export W000123 --decision --as-of 2026-04-01 > w000123.json
      pathways export S000042 --db postgresql+psycopg://pathways@db.internal/pathways
    """
    if as_of is not None and not decision:
        raise click.UsageError("--as-of dates a decision: add --decision")
    store = open_store(db_url)
    try:
        person = store.get_person(person_id)
        day = as_of.date() if as_of else dt.date.today()
        # The version in force on the decision's date, as the web decides.
        version = store.library_in_force(day) if decision and person is not None else None
    except StoreError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    finally:
        store.close()
    if person is None:
        click.echo(
            f"error: no record with id '{person_id}' in the records store; ids are warrant "
            "or staff numbers, exactly as imported (is --db the right database?)",
            err=True,
        )
        sys.exit(1)
    record = person.model_dump(mode="json")
    if not decision:
        _print(record)
        return
    library = _decision_library(version)
    for warning in record_warnings(person, library.catalogue):
        click.echo(f"warning: {person_id}: {warning}", err=True)
    made = Evaluator(library).decide(person, day)
    _print({"record": record, "decision": made.model_dump(mode="json")})


def _print(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


def _decision_library(version: LibraryVersion | None) -> Library:
    if version is None:
        library, problems = load_with_problems([SHIPPED_LIBRARY])
        if library is None:  # the shipped library is tested; this would be a broken install
            for problem in problems:
                click.echo(problem.format(), err=True)
            raise click.ClickException("the shipped library does not load: reinstall")
        click.echo(
            "no library version is published in the database: deciding with the shipped "
            f"library ({library.digest[:SHORT]}); 'pathways publish' stores one",
            err=True,
        )
        return library
    library = stored_library(version)
    click.echo(
        f"deciding with the active library version {version.digest[:SHORT]} "
        f"'{version.name}', published by {version.author} on "
        f"{version.published_at:%Y-%m-%d}",
        err=True,
    )
    if library.digest != version.digest:
        click.echo(
            f"warning: the stored files load as version {library.digest[:SHORT]} now "
            "(the pathway language changed since publishing); republish to align them",
            err=True,
        )
    return library


def stored_library(version: LibraryVersion) -> Library:
    """Load a stored library version (its files, written to a temporary directory).

    Exits with status 1, printing the problems, if the files no longer load.
    """
    with tempfile.TemporaryDirectory(prefix="pathways-library-") as tmp:
        root = Path(tmp)
        for name, text in version.files.items():
            target = (root / name).resolve()
            if not target.is_relative_to(root.resolve()):  # a path stored by hand: refuse it
                raise click.ClickException(f"stored file name '{name}' is outside the library")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        library, problems = load_with_problems([root])
    if library is None:
        for problem in problems:
            click.echo(problem.format(), err=True)
        click.echo(
            f"error: stored library version {version.digest[:SHORT]} does not load; "
            "activate another with 'pathways rollback'",
            err=True,
        )
        sys.exit(1)
    return library
