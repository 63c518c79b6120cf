"""``pathways eligibility`` and ``pathways whatif``: decisions for one record."""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
from pathlib import Path
from typing import Any

import click

from accreditation.io import RecordError, record_warnings
from authoring.drafts import write_files
from pathways.loader import SHIPPED_LIBRARY, load_with_problems
from pathways.model.library import UnknownPathwayError
from rules.engine import Evaluator
from rules.whatif import parse_addition, what_if

from .options import DATE, RECORD_PATH, format_option, open_store, read_record, record_name
from .render import console, render_decision, render_whatif

LIBRARY = click.option(
    "--library",
    type=click.Path(exists=True, path_type=Path),
    default=None,
    help="A pathway library directory (default: the shipped library).",
)
DB = click.option(
    "--db",
    "db_url",
    metavar="URL",
    default=None,
    help="Decide with the library version in force on the as-of date in this records store "
    "(a published or scheduled version; the shipped library if none is stored).",
)
AS_OF = click.option(
    "--as-of",
    type=DATE,
    default=None,
    help="Decide as of this date, YYYY-MM-DD, using the rules in force that day (default: today).",
)


def _evaluator(
    library_dir: Path | None, db_url: str | None = None, day: dt.date | None = None
) -> Evaluator:
    if db_url is not None:
        if library_dir is not None:
            raise click.UsageError("give --library or --db, not both")
        return _stored(db_url, day or dt.date.today())
    library, problems = load_with_problems([library_dir or SHIPPED_LIBRARY])
    if library is None:
        for p in problems:
            click.echo(p.format(), err=True)
        raise click.UsageError("the pathway library does not load: run 'pathways check' on it")
    return Evaluator(library)


def _stored(db_url: str, day: dt.date) -> Evaluator:
    """The library version in force on ``day`` in the store (the shipped one if none)."""
    store = open_store(db_url)
    try:
        version = store.library_in_force(day)
    finally:
        store.close()
    if version is None:
        return _evaluator(None)
    with tempfile.TemporaryDirectory(prefix="pathways-version-") as tmp:
        write_files(version.files, Path(tmp))
        library, problems = load_with_problems([tmp])
    if library is None:
        raise click.UsageError(
            f"version {version.digest[:12]} does not load: {problems[0].format()}"
        )
    click.echo(
        f"rules: version {version.digest[:12]} ({version.name}), in force on {day}", err=True
    )
    return Evaluator(library)


def _record(path: Path, evaluator: Evaluator) -> Any:
    try:
        person = read_record(path)
    except RecordError as exc:
        click.echo(str(exc), err=True)
        click.echo("the record is not valid: fix the fields above (see examples/*.json)", err=True)
        sys.exit(2)
    for warning in record_warnings(person, evaluator.library.catalogue):
        click.echo(f"warning: {record_name(path)}: {warning}", err=True)
    return person


@click.command("eligibility")
@click.argument("record", type=RECORD_PATH)
@AS_OF
@click.option(
    "--pathway",
    "pathways",
    multiple=True,
    help="Only this pathway (repeat for several). Default: every pathway.",
)
@click.option(
    "--explain",
    is_flag=True,
    help="Show every requirement of every stage, not only those that matter now.",
)
@format_option
@LIBRARY
@DB
def eligibility_command(
    record: Path,
    as_of: dt.datetime | None,
    pathways: tuple[str, ...],
    explain: bool,
    fmt: str,
    library: Path | None,
    db_url: str | None,
) -> None:
    """Where a person stands on every pathway: eligibility, reasons, next steps, dates.

    RECORD is one person's record as JSON (see examples/), or - to read it
    from standard input. For each stage in
    force on the date: held, eligible, eligible from a date (only time is
    missing), lapsed, or not eligible; each requirement met or not with the
    record items that met it; and the next steps. The decision names the rule
    version (library hash) it used.

    \b
    Examples:
      pathways eligibility examples/inspector_pip.json
      pathways eligibility examples/superintendent_spnac.json --as-of 2010-03-31
      pathways eligibility examples/staff_analyst.json --pathway analyst --format json
      pathways export W000123 | jq .record | pathways eligibility -
      pathways eligibility examples/inspector_pip.json --db sqlite:///var/pathways.db
    """
    evaluator = _evaluator(library, db_url, as_of.date() if as_of else None)
    person = _record(record, evaluator)
    try:
        decision = evaluator.decide(person, as_of.date() if as_of else None, list(pathways) or None)
    except UnknownPathwayError as exc:
        raise click.BadParameter(str(exc), param_hint="--pathway") from None
    if fmt == "json":
        click.echo(decision.model_dump_json(indent=2))
        return
    render_decision(console(), decision, person.name, explain)


@click.command("whatif")
@click.argument("record", type=RECORD_PATH)
@click.option(
    "--add",
    "adds",
    multiple=True,
    required=True,
    metavar="KIND:ID[:EXTRA]@DATE",
    help="A hypothetical item: course:ID@DATE, passed:ID@DATE, credential:ID[:LEVEL]@DATE, "
    "rank:ID[:temporary]@DATE, band:ID@DATE, endorsement:ID@DATE, member:ID@DATE, "
    "posting:GROUP/ROLE@DATE. Repeat for several.",
)
@AS_OF
@format_option
@LIBRARY
def whatif_command(
    record: Path, adds: tuple[str, ...], as_of: dt.datetime | None, fmt: str, library: Path | None
) -> None:
    """What changes if the record had these items: compare decisions with and without.

    RECORD is one person's record as JSON, or - for standard input. By default
    both decisions are as of the latest date among the added items (or today,
    if later), so the items count.

    \b
    Examples:
      pathways whatif examples/superintendent_spnac.json --add course:fsl_stage_3@2011-03-01
      pathways whatif examples/inspector_pip.json --add credential:pip:1@2024-07-01 --format json
      cat r.json | pathways whatif - --add course:icidp@2025-01-01
    """
    evaluator = _evaluator(library)
    person = _record(record, evaluator)
    additions: dict[str, list[dict[str, Any]]] = {}
    for spec in adds:
        try:
            section, item = parse_addition(spec)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--add") from None
        additions.setdefault(section, []).append(item)
    try:
        result = what_if(evaluator, person, additions, as_of.date() if as_of else None)
    except RecordError as exc:
        raise click.BadParameter(str(exc), param_hint="--add") from None
    if fmt == "json":
        click.echo(result.model_dump_json(indent=2, exclude={"before", "after"}))
        return
    render_whatif(console(), result)
