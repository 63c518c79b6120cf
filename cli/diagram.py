"""``pathways render``: a pathway (or the overview) as a diagram, optionally with a person on it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from accreditation.io import RecordError, record_warnings
from pathways.loader import SHIPPED_LIBRARY, load_with_problems
from pathways.model.library import Library
from pathways.suggest import did_you_mean
from rules.engine import Evaluator
from visualize import overlay, overview_diagram, pathway_diagram, render, to_graph
from visualize.output import FORMATS

from .eligibility import AS_OF, LIBRARY
from .options import RECORD_PATH, read_record, record_name

__all__ = ["render_command"]

OVERVIEW = "overview"
DIAGRAMS = Path("var/diagrams")


@click.command("render")
@click.argument("pathway", metavar="PATHWAY|overview")
@click.option(
    "--record",
    type=RECORD_PATH,
    default=None,
    help="Draw this person's position (a record as JSON, or - for standard input): a status "
    "on every stage, next steps highlighted.",
)
@AS_OF
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The file to write; its suffix picks the format: .svg (default), .png, .dot or .gv. "
    "Default: var/diagrams/PATHWAY[-PERSON].svg.",
)
@LIBRARY
def render_command(
    pathway: str,
    record: Path | None,
    as_of: dt.datetime | None,
    output: Path | None,
    library: Path | None,
) -> None:
    """Draw a pathway, or every pathway (overview), with graphviz: SVG, PNG or DOT.

    Stages are boxes in progression order, progressions solid arrows, and
    prerequisites on other stages or pathways dashed arrows (labelled with the
    date a dated rule starts). Hover a stage in the SVG for its requirements.
    With --record, each stage shows the person's status (held, eligible,
    eligible from a date, lapsed, not eligible: each with its own colour and
    border), next steps are marked, and a key and caption (as-of date, library
    version) are added.

    \b
    Examples:
      pathways render pip -o var/diagrams/pip.png
      pathways render pip --record examples/inspector_pip.json --as-of 2024-06-01
      pathways render overview --record examples/superintendent_spnac.json --as-of 2010-04-01
      pathways render senior_leadership -o senior_leadership.dot
    """
    if output is not None and output.suffix.lower() not in FORMATS:
        raise click.BadParameter(
            f"'{output}' does not end in one of {', '.join(FORMATS)}", param_hint="-o/--output"
        )
    if as_of is not None and record is None:
        raise click.BadParameter(
            "--as-of needs --record: it is the date a person's position is decided for",
            param_hint="--as-of",
        )
    lib = _library(library)
    _check_pathway(pathway, lib)
    diagram = overview_diagram(lib) if pathway == OVERVIEW else pathway_diagram(lib, pathway)
    person_id = None
    if record is not None:
        evaluator = Evaluator(lib)
        try:
            person = read_record(record)
        except RecordError as exc:
            raise click.BadParameter(
                f"the record is not valid (see examples/*.json):\n{exc}", param_hint="--record"
            ) from None
        for warning in record_warnings(person, lib.catalogue):
            click.echo(f"warning: {record_name(record)}: {warning}", err=True)
        decision = evaluator.decide(person, as_of.date() if as_of else None)
        diagram = overlay(diagram, decision, person.name)
        person_id = person.id
    path = output or DIAGRAMS / f"{pathway}{f'-{person_id}' if person_id else ''}.svg"
    try:
        render(to_graph(diagram), path)
    except RuntimeError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"wrote {path}")


def _library(directory: Path | None) -> Library:
    library, problems = load_with_problems([directory or SHIPPED_LIBRARY])
    if library is None:
        for p in problems:
            click.echo(p.format(), err=True)
        raise click.BadParameter(
            "the pathway library does not load: run 'pathways check' on it", param_hint="--library"
        )
    return library


def _check_pathway(name: str, library: Library) -> None:
    choices = [OVERVIEW, *library.pathways]
    if name in choices:
        return
    guess = did_you_mean(name, choices)
    hint = f" (did you mean '{guess}'?)" if guess else ""
    raise click.BadParameter(
        f"no pathway '{name}'{hint}; choose one of: {', '.join(choices)}",
        param_hint="PATHWAY",
    )
