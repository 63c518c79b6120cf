"""``pathways verify``: property-based consistency checks of a pathway library."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from authoring.checker import check_paths
from authoring.testing import PROFILES, VerifyReport, describe, verify
from pathways.loader import SHIPPED_LIBRARY, collect_files, is_catalogue_file

from .options import format_option, progress_bar, quiet_option, secho


@click.command("verify")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--profile",
    type=click.Choice(["quick", "default", "long"]),
    default="quick",
    show_default=True,
    help="How many records to try per property: quick 25, default 60, long 400.",
)
@click.option("--examples", type=click.IntRange(1, 100_000), help="Records per property.")
@click.option("--seed", type=int, help="Draw the same records as an earlier run with this seed.")
@click.option(
    "--property",
    "only",
    multiple=True,
    help="Run only this property (repeatable); see the list below.",
)
@click.option(
    "--no-shipped",
    is_flag=True,
    help="Verify PATHS alone (by default files without a catalogue join the shipped library).",
)
@format_option
@quiet_option
def verify_command(
    paths: tuple[Path, ...],
    profile: str,
    examples: int | None,
    seed: int | None,
    only: tuple[str, ...],
    no_shipped: bool,
    fmt: str,
    quiet: bool,
) -> None:
    """Try many generated records against a pathway library and report any
    inconsistency as a small counterexample in plain words.

    \b
    The properties:
      oracle_agrees_with_engine                    an independent evaluator agrees with the engine
      oracle_agrees_on_every_requirement           ... on every requirement, and on its dates
      adding_an_item_never_removes_an_eligibility  (stages whose rules say 'not' are exempt)
      eligible_from_is_exact                       eligible on the date given, not the day before
      item_order_does_not_matter
      decisions_are_deterministic_and_pinned       same record, date, library: same decision
      next_steps_are_sufficient                    doing every next step makes the stage eligible
      record_json_round_trip, library_yaml_round_trip

    Exit status: 0 every property held, 1 a property failed, 2 usage error (or the
    library does not pass 'pathways check').

    \b
    Examples:
      pathways verify                              # the shipped library, quick profile
      pathways verify my_pathway.yaml --profile long
      pathways verify --no-shipped ./lib --seed 7 --format json
    """

    targets = list(paths) or [SHIPPED_LIBRARY]
    has_catalogue = any(is_catalogue_file(f) for f in collect_files(targets))
    base = None if (no_shipped or has_catalogue or not paths) else SHIPPED_LIBRARY
    checked = check_paths(targets, base)
    if checked.library is None or checked.errors:
        for problem in checked.problems[:10]:
            click.echo(problem.format(), err=True)
        click.echo(
            "error: the library has errors; fix what 'pathways check' reports, then verify",
            err=True,
        )
        sys.exit(2)
    try:
        with progress_bar("verifying: properties", quiet=quiet) as tick:
            report = verify(
                checked.library, examples or PROFILES[profile], seed, only or None, progress=tick
            )
    except KeyError as exc:
        raise click.BadParameter(str(exc.args[0]), param_hint="--property") from None
    if fmt == "json":
        click.echo(json.dumps(_report_json(report), indent=2))
    else:
        _print_report(report)
    sys.exit(0 if report.ok else 1)


def _report_json(report: VerifyReport) -> dict[str, Any]:
    """The report for ``--format json``: each property, and its counterexample if any."""
    return {
        "library_version": report.library_version,
        "ok": report.ok,
        "properties": [
            {
                "name": r.name,
                "ok": r.ok,
                "examples": r.examples,
                "seconds": round(r.seconds, 2),
                "error": r.error,
                "counterexample": None
                if r.failure is None
                else {
                    "stage": r.failure.stage,
                    "as_of": r.failure.as_of.isoformat(),
                    "engine_said": r.failure.engine_said,
                    "expected": r.failure.expected,
                    "detail": r.failure.detail,
                    "record": r.failure.person.model_dump(mode="json", exclude_defaults=True),
                },
            }
            for r in report.results
        ],
    }


def _print_report(report: VerifyReport) -> None:
    click.echo(f"library {report.library_version[:12]}")
    for r in report.results:
        mark = "ok  " if r.ok else "FAIL"
        click.echo(f"{mark} {r.name} ({r.examples} examples, {r.seconds:.1f} s)")
        if r.failure is not None:
            click.echo("     " + r.doc)
            click.echo("\n".join("     " + line for line in describe(r.failure).splitlines()))
        elif r.error:
            click.echo(f"     {r.error}")
    failed = [r.name for r in report.results if not r.ok]
    if failed:
        secho(
            f"{len(failed)} propert{'y' if len(failed) == 1 else 'ies'} failed: "
            + ", ".join(failed),
            fg="red",
        )
    else:
        secho(f"ok: {len(report.results)} properties held", fg="green")
