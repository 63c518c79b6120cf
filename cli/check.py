"""``pathways check``: report mistakes in pathway files."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from authoring.checker import CheckReport, check_paths
from pathways.loader import SHIPPED_LIBRARY, collect_files, is_catalogue_file
from pathways.model.library import Library
from pathways.problems import Severity

from .options import format_option, secho


@click.command("check")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@format_option
@click.option(
    "--no-shipped",
    is_flag=True,
    help="Check PATHS alone. By default, files without a catalogue are checked together "
    "with the shipped catalogue and pathways (a file replaces the shipped pathway of the same id).",
)
@click.option("--strict", is_flag=True, help="Exit 1 on warnings too (e.g. a missing source).")
def check_command(paths: tuple[Path, ...], fmt: str, no_shipped: bool, strict: bool) -> None:
    """Check pathway files or directories for mistakes before publishing.

    Finds YAML and schema errors, duplicate ids, unknown references (with "did
    you mean"), cycles, stages no one can reach, requirements that can never
    hold, empty effective windows, progressions that skip a required stage, and
    rules that cite no source. With no PATHS, checks the shipped library.

    Exit status: 0 no problems, 1 problems found, 2 usage error.

    \b
    Examples:
      pathways check                      # the shipped library
      pathways check my_pathway.yaml      # one file, with the shipped catalogue
      pathways check --no-shipped ./lib   # a whole library of your own
      pathways check lib --format json
    """
    targets = list(paths) or [SHIPPED_LIBRARY]
    has_catalogue = any(is_catalogue_file(f) for f in collect_files(targets))
    base = None if (no_shipped or has_catalogue or not paths) else SHIPPED_LIBRARY
    report = check_paths(targets, base)
    if base is not None:
        report.notes.insert(
            0,
            "checked with the shipped catalogue and pathways "
            "(use --no-shipped to check these files alone)",
        )
    if report.library is not None:
        report.notes.extend(_additions(report.library))
    if fmt == "json":
        click.echo(json.dumps(report.to_json(), indent=2))
    else:
        _print_text(report)
    failing = report.errors or (strict and report.warnings)
    sys.exit(1 if failing else 0)


def _additions(library: Library) -> list[str]:
    """'firearms.yaml adds 3 catalogue entries: afo_course, ...', one note per file."""
    by_file: dict[str, list[str]] = {}
    for (_section, entry_id), file in library.added.items():
        by_file.setdefault(file, []).append(entry_id)
    return [
        f"{Path(file).name} adds {len(ids)} catalogue entr{'y' if len(ids) == 1 else 'ies'}: "
        + ", ".join(ids)
        for file, ids in by_file.items()
    ]


def _print_text(report: CheckReport) -> None:
    for problem in report.problems:
        click.echo(problem.format(), err=False)
    for note in report.notes:
        click.echo(f"note: {note}")
    lib = report.library
    scope = f"{len(report.files)} file(s)"
    if lib is not None:
        scope += f", {len(lib.pathways)} pathways, {len(lib.stages())} stages"
    if not report.problems:
        secho(f"ok: {scope}, no problems", fg="green")
        return
    parts = []
    if report.errors:
        parts.append(f"{report.errors} error{'s' * (report.errors != 1)}")
    if report.warnings:
        parts.append(f"{report.warnings} warning{'s' * (report.warnings != 1)}")
    colour = "red" if report.errors else "yellow"
    secho(f"{' and '.join(parts)} in {scope}", fg=colour)
    if any(p.severity is Severity.WARNING for p in report.problems) and not report.errors:
        click.echo("warnings do not fail the check; use --strict to make them fail")
