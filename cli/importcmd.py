"""``pathways import``: load records from an HR system's CSV exports, or JSON, into the store."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from pathways.loader import SHIPPED_LIBRARY, load_with_problems
from store import StoreError
from workforce.importer import ImportReport, import_files

from .options import db_option, format_option, open_store, progress_bar, quiet_option, secho


@click.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@db_option
@click.option(
    "--dry-run",
    is_flag=True,
    help="Check every row and report what would change, but write nothing.",
)
@click.option(
    "--skip-bad-rows",
    is_flag=True,
    help="Import the good rows and write the bad ones to <file>.rejects.csv beside their "
    "file (by default a bad row stops the whole import).",
)
@click.option(
    "--actor",
    default="import",
    show_default=True,
    help="Who is importing, as written in the audit log.",
)
@click.option(
    "--library",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="A pathway library directory whose catalogue the ids are checked against "
    "(default: the shipped library). Unknown ids are warnings.",
)
@format_option
@quiet_option
def import_command(
    files: tuple[Path, ...],
    db_url: str | None,
    dry_run: bool,
    skip_bad_rows: bool,
    actor: str,
    library: Path | None,
    fmt: str,
    quiet: bool,
) -> None:
    """Import records from the CSV files an HR system exports, or from JSON records.

    FILES are CSV files, one per kind of history (people.csv, ranks.csv, bands.csv,
    postings.csv, courses.csv, assessments.csv, credentials.csv, endorsements.csv,
    memberships.csv), JSON records (one, a list, or JSON Lines), or directories of them.
    The format is in docs/import-format.md, with a sample in examples/import/.

    Every bad row is reported as FILE:ROW: COLUMN: what to fix. A bad row stops the
    whole import unless --skip-bad-rows is given. The import is one transaction: it
    saves everything or nothing, and importing the same files again changes nothing.

    Exit status: 0 imported (with --skip-bad-rows, also when bad rows were set aside),
    1 nothing imported because of problems, 2 usage error (e.g. a database that cannot
    be opened).

    \b
    Examples:
      pathways import examples/import/                  # every file of the sample
      pathways import people.csv ranks.csv --dry-run    # check, write nothing
      pathways import exports/ --skip-bad-rows          # import the rest, set bad rows aside
      pathways import records.jsonl --db postgresql+psycopg://hr@db/pathways --format json
    """
    catalogue = None
    lib, problems = load_with_problems([library or SHIPPED_LIBRARY])
    if lib is None:
        for problem in problems:
            click.echo(problem.format(), err=True)
        raise click.BadParameter(
            "the pathway library does not load: run 'pathways check' on it", param_hint="--library"
        )
    catalogue = lib.catalogue
    store = open_store(db_url)
    try:
        with progress_bar("checking and saving people", quiet=quiet) as tick:
            report = import_files(
                store,
                files,
                dry_run=dry_run,
                skip_bad_rows=skip_bad_rows,
                actor=actor,
                catalogue=catalogue,
                progress=tick,
            )
    except StoreError as exc:
        secho(f"error: {exc}", fg="red", err=True)
        sys.exit(1)
    finally:
        store.close()
    if fmt == "json":
        click.echo(json.dumps(report.to_json(), indent=2))
    else:
        _print_text(report)
    sys.exit(1 if report.aborted else 0)


def _print_text(report: ImportReport) -> None:
    for problem in report.problems:
        click.echo(problem.format())
    for warning in report.warnings:
        click.echo(f"warning: {warning.format()}")
    for note in report.notes:
        click.echo(f"note: {note}")
    for path in report.reject_files:
        click.echo(f"rejected rows written to {path} (fix them there and import that file)")
    if report.aborted:
        secho(report.summary(), fg="red")
    elif report.rows_rejected:
        secho(report.summary(), fg="yellow")
    else:
        secho(report.summary(), fg="green")
