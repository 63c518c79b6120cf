"""``pathways impact``: who a rule change affects, over the stored workforce."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import tempfile
import time
from pathlib import Path
from typing import Any

import click

from pathways.loader import SHIPPED_LIBRARY, collect_files, is_catalogue_file, load_with_problems
from pathways.model.library import Library
from workforce.fairness import shown
from workforce.impact import changed_pathways, impact
from workforce.population import evaluate_population

from .options import db_option, open_store, progress_bar, quiet_option, secho

SHORT = 12


@click.command("impact")
@click.argument("old")
@click.argument("new")
@click.option(
    "--as-of",
    "as_of",
    type=click.DateTime(["%Y-%m-%d"]),
    help="Decide on this date (default: today), YYYY-MM-DD.",
)
@db_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "csv", "json"]),
    default="text",
    show_default=True,
    help="Text for people; CSV (the equality table) or JSON for other programs.",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=2,
    show_default=True,
    help="Rules-engine processes.",
)
@quiet_option
def impact_command(
    old: str,
    new: str,
    as_of: dt.datetime | None,
    db_url: str | None,
    fmt: str,
    workers: int,
    quiet: bool,
) -> None:
    """Compare two versions of the rules over the stored workforce: who gains and who
    loses eligibility, per stage and business group, with example people, and the same
    by ethnicity and gender with the adverse-impact ratio (four-fifths rule) and
    Fisher's exact p-value. Counts under 5 are suppressed.

    OLD and NEW are each a pathway file or library directory (files without a catalogue
    join the shipped library, replacing its pathway of the same id) or the start of a
    stored version's digest ('pathways versions'). Only pathways that differ, and those
    whose rules refer to them, are decided.

    Exit status: 0 done (whether or not anyone is affected), 2 usage error.

    \b
    Examples:
      # the FSL -> Senior PNAC rule introduction, on the demo workforce:
      pathways impact examples/impact/before_fsl pathways/library --as-of 2024-06-01
      pathways impact 3f2a9c1b 9cf271c5 --format csv > impact.csv
    """

    day = as_of.date() if as_of else dt.date.today()
    store = open_store(db_url)
    try:
        with tempfile.TemporaryDirectory(prefix="pathways-impact-") as tmp:
            old_lib, old_dir = _resolve(old, "OLD", store, Path(tmp) / "old")
            new_lib, new_dir = _resolve(new, "NEW", store, Path(tmp) / "new")
            changed = changed_pathways(old_lib, new_lib)
            if not changed:
                click.echo("the two versions have the same rules: nobody is affected")
                return
            runs = []
            for label, directory, lib in (("old", old_dir, old_lib), ("new", new_dir, new_lib)):
                started = time.perf_counter()
                wanted = [p for p in changed if p in lib.pathways]
                with progress_bar(f"{label} rules, as of {day}", quiet=quiet) as tick:
                    runs.append(
                        evaluate_population(
                            store, [directory], day, workers=workers, pathways=wanted, progress=tick
                        )
                    )
                if not quiet:
                    click.echo(
                        f"{label} rules {lib.digest[:SHORT]}: {len(runs[-1].people):,} people, "
                        f"{', '.join(wanted)} decided in {time.perf_counter() - started:.1f} s",
                        err=True,
                    )
    finally:
        store.close()
    report = impact(runs[0], runs[1])
    if fmt == "json":
        click.echo(json.dumps(_as_json(report), indent=2))
    elif fmt == "csv":
        click.echo(_as_csv(report), nl=False)
    else:
        _print_text(report)


def _resolve(spec: str, name: str, store: Any, directory: Path) -> tuple[Library, Path]:
    """A library from a path or a stored digest prefix, written out under ``directory``."""
    path = Path(spec)
    if path.exists():
        has_catalogue = any(is_catalogue_file(f) for f in collect_files([path]))
        library, problems = load_with_problems([path], None if has_catalogue else SHIPPED_LIBRARY)
        if library is None or problems:
            shown = "; ".join(p.format() for p in problems[:3])
            raise click.BadParameter(
                f"'{spec}' does not load ({shown}); run 'pathways check {spec}'",
                param_hint=name,
            )
        files = {
            f"{pid}.yaml": Path(f).read_text(encoding="utf-8") for pid, f in library.files.items()
        }
        assert library.catalogue_file is not None
        files["catalogue.yaml"] = Path(library.catalogue_file).read_text(encoding="utf-8")
    else:
        found = [v for v in store.library_versions() if v.digest.startswith(spec.strip())]
        if len(found) != 1 or not spec.strip():
            what = "no stored version" if not found else f"{len(found)} stored versions"
            raise click.BadParameter(
                f"'{spec}' is not a file or directory, and {what} start with it "
                "('pathways versions' lists them)",
                param_hint=name,
            )
        files = dict(found[0].files)
    directory.mkdir(parents=True)
    for file_name, text in files.items():
        target = directory / Path(file_name).name
        target.write_text(text, encoding="utf-8")
    library, problems = load_with_problems([directory])
    if library is None:
        raise click.BadParameter(f"'{spec}' does not load: {problems[0].format()}", param_hint=name)
    return library, directory


def _rate(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


def _print_text(report: Any) -> None:
    click.echo(
        f"Impact of the change {report.old_version[:SHORT]} -> {report.new_version[:SHORT]} "
        f"as of {report.as_of}, over {report.people:,} people"
    )
    if not report.changed:
        click.echo("nobody gains or loses any stage")
        return
    for s in report.changed:
        click.echo("")
        secho(
            f"{s.stage}: {s.before:,} -> {s.after:,} have it (held or eligible); "
            f"{len(s.gained):,} gain, {len(s.lost):,} lose",
            bold=True,
        )
        if s.lost:
            click.echo(f"  lose, e.g.: {', '.join(s.lost[:5])}")
        if s.gained:
            click.echo(f"  gain, e.g.: {', '.join(s.gained[:5])}")
        click.echo("  by business group (gain / lose):")
        for group, (gained, lost) in s.by_business_group.items():
            click.echo(f"    {group:<28} {gained:>6} {lost:>6}")
        for table in s.equality:
            click.echo(f"  by {table.characteristic}:")
            click.echo(
                f"    {'group':<14} {'people':>7} {'before':>7} {'after':>7} {'rate':>7} "
                f"{'AIR':>6} {'4/5':>4} {'p':>8} {'lose':>5} {'gain':>5}"
            )
            for b, a in zip(table.before, table.after, strict=True):
                air = "-" if a.air is None else f"{a.air:.2f}"
                p = "-" if a.p_value is None else f"{a.p_value:.3g}"
                click.echo(
                    f"    {a.group:<14} {a.shown_total:>7} {b.shown_selected:>7} "
                    f"{a.shown_selected:>7} {_rate(a.rate):>7} {air:>6} "
                    f"{'!' if a.flag else '':>4} {p:>8} "
                    f"{_shown(table.lost[a.group]):>5} {_shown(table.gained[a.group]):>5}"
                )
    click.echo("")
    click.echo(
        "AIR: the group's rate after the change over the highest group's rate; "
        "'!' marks under four fifths. p: Fisher's exact test, the group against everyone "
        "else. Counts under 5 are shown as <5, without rates."
    )


def _shown(n: int) -> str:

    return shown(n)


def _rows(report: Any) -> list[dict[str, Any]]:
    rows = []
    for s in report.changed:
        for table in s.equality:
            for b, a in zip(table.before, table.after, strict=True):
                rows.append(
                    {
                        "stage": s.stage,
                        "characteristic": table.characteristic,
                        "group": a.group,
                        "people": a.shown_total,
                        "had_before": b.shown_selected,
                        "rate_before": "" if b.rate is None else b.rate,
                        "has_after": a.shown_selected,
                        "rate_after": "" if a.rate is None else a.rate,
                        "air_after": "" if a.air is None else a.air,
                        "under_four_fifths": a.flag,
                        "fisher_p": "" if a.p_value is None else round(a.p_value, 6),
                        "lost": _shown(table.lost[a.group]),
                        "gained": _shown(table.gained[a.group]),
                    }
                )
    return rows


def _as_csv(report: Any) -> str:
    out = io.StringIO()
    rows = _rows(report)
    fields = list(rows[0]) if rows else ["stage", "characteristic", "group"]
    writer = csv.DictWriter(out, fields, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def _as_json(report: Any) -> dict[str, Any]:
    return {
        "old_version": report.old_version,
        "new_version": report.new_version,
        "as_of": report.as_of.isoformat(),
        "people": report.people,
        "stages": [
            {
                "stage": s.stage,
                "before": s.before,
                "after": s.after,
                "gained": len(s.gained),
                "lost": len(s.lost),
                "gained_examples": s.gained[:5],
                "lost_examples": s.lost[:5],
                "by_business_group": {
                    g: {"gained": a, "lost": b} for g, (a, b) in s.by_business_group.items()
                },
            }
            for s in report.changed
        ],
        "equality": _rows(report),
    }
