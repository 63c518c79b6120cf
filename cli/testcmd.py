"""``pathways test``: run example cases (a record, a date, the expected decision)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from authoring.cases import (
    SHIPPED_CASES,
    CaseReport,
    collect_case_files,
    load_case_library,
    load_cases,
    run_cases,
)

from .options import format_option, secho


@click.command("test")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--library",
    "library_dir",
    metavar="PATH",
    type=click.Path(exists=True, path_type=Path),
    help="Decide with the pathway library in DIR (or one pathway file) instead of the "
    "shipped one. Without a catalogue in DIR, its files replace the shipped pathways of "
    "the same id (and add new ones).",
)
@format_option
@click.option(
    "-k",
    "keyword",
    metavar="SUBSTRING",
    help="Run only the cases whose name contains SUBSTRING (ignoring case).",
)
def test_cases_command(
    paths: tuple[Path, ...], library_dir: Path | None, fmt: str, keyword: str | None
) -> None:
    """Run example cases: records, as-of dates and the decisions they should get.

    A case file is a YAML list of cases; each gives a record (inline or
    'record_file'), an 'as_of' date and the expected status of some stages
    (held, eligible, eligible_from with its date, lapsed with 'lapsed_on',
    not_eligible, or not_in_force), and optionally phrases the next steps must
    (or must not) contain. With no PATHS, runs the shipped library's cases. A
    case marked 'xfail' must fail; if it passes, that is a failure.

    Prints one PASS/FAIL line per case, then what differed, then "N passed,
    M failed". Exit status: 0 all passed, 1 a case failed or a case file has
    problems, 2 usage error (an unknown option, no case files, -k matches none).

    \b
    Examples:
      pathways test                               # shipped cases, shipped library
      pathways test my_cases.yaml                 # your cases, shipped library
      pathways test --library ./draft-library     # shipped cases, a draft library
      pathways test -k "lapse" --format json
    """
    files = collect_case_files(list(paths) or [SHIPPED_CASES])
    if not files:
        raise click.UsageError(
            f"no case files (*.yaml, *.yml) in {', '.join(map(str, paths or (SHIPPED_CASES,)))}"
        )
    library, problems = load_case_library(library_dir)
    if library is None:
        for p in problems:
            click.echo(p.format(), err=True)
        click.echo("the library does not load: run 'pathways check' for details", err=True)
        sys.exit(1)
    cases, case_problems = load_cases(files, library)
    report = run_cases(cases, library, keyword)
    report.problems = case_problems
    if keyword and not report.results and cases:
        raise click.UsageError(f"no case name contains '{keyword}' (of {len(cases)} cases)")
    if fmt == "json":
        click.echo(json.dumps(report.to_json(), indent=2))
    else:
        _print_text(report)
    sys.exit(0 if report.ok else 1)


def _print_text(report: CaseReport) -> None:
    for result in report.results:
        colour = {"pass": "green", "xfail": "yellow"}.get(result.outcome.value, "red")
        secho(result.line(), fg=colour)
    failed = [r for r in report.results if not r.ok]
    if failed or report.problems:
        click.echo()
    for result in failed:
        click.echo(result.diff())
        click.echo()
    for problem in report.problems:
        click.echo(problem.format())
    if report.problems:
        n = len(report.problems)
        secho(
            f"{n} problem{'s' * (n != 1)} in the case files: those cases did not run",
            fg="red",
        )
    if report.xfailed:
        click.echo(f"{report.xfailed} expected failure{'s' * (report.xfailed != 1)} (xfail)")
    secho(report.summary(), fg="green" if report.ok else "red")
