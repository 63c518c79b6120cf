"""``pathways impact``: who a rule change affects, over the stored workforce."""

from __future__ import annotations

import datetime as dt
import json
import tempfile
import time
from pathlib import Path
from typing import Any

import click

from pathways.loader import SHIPPED_LIBRARY, collect_files, is_catalogue_file, load_with_problems
from pathways.model.library import Library
from workforce.fairness import (
    HIDDEN,
    SUPPRESS_BELOW,
    count_text,
    p_text,
    rate_text,
    ratio_text,
)
from workforce.impact import EqualityTable, ImpactReport, StageImpact, changed_pathways, impact
from workforce.impactexport import impact_csv, impact_json
from workforce.population import evaluate_population

from .options import DATE, db_option, open_store, progress_bar, quiet_option, secho

SHORT = 12


@click.command("impact")
@click.argument("old")
@click.argument("new")
@click.option(
    "--as-of",
    "as_of",
    type=DATE,
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
@click.option(
    "--reference",
    help="The group the others are compared with, in the table that has it (e.g. white); "
    "default: the highest rate among stated groups.",
)
@quiet_option
def impact_command(
    old: str,
    new: str,
    as_of: dt.datetime | None,
    db_url: str | None,
    fmt: str,
    workers: int,
    reference: str | None,
    quiet: bool,
) -> None:
    """Compare two versions of the rules over the stored workforce: who gains and who
    loses eligibility, per stage and business group, with example people, and the same
    by ethnicity (with BME), gender and disability over each stage's pool, with the
    ratio to a reference group (four-fifths rule) and Fisher's exact p-value. A stage
    only in NEW shows gains only, one only in OLD losses only. Counts under 5, and any
    count that would let one be worked out, are hidden as [c].

    OLD and NEW are each a pathway file or library directory (files without a catalogue
    join the shipped library, replacing its pathway of the same id), 'shipped' (the
    shipped library) or the start of a stored version's digest ('pathways versions').
    Only pathways that differ, and those whose rules refer to them, are decided.

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
                decided = ", ".join(wanted) or "no pathway (none of those changed is in it)"
                if not quiet:
                    click.echo(
                        f"{label} rules {lib.digest[:SHORT]}: {len(runs[-1].people):,} people, "
                        f"{decided} decided in {time.perf_counter() - started:.1f} s",
                        err=True,
                    )
    finally:
        store.close()
    report = impact(runs[0], runs[1], old_lib, new_lib, reference)
    if fmt == "json":
        click.echo(json.dumps(impact_json(report), indent=2))
    elif fmt == "csv":
        click.echo(impact_csv(report), nl=False)
    else:
        _print_text(report)


def _resolve(spec: str, name: str, store: Any, directory: Path) -> tuple[Library, Path]:
    """A library from a path or a stored digest prefix, written out under ``directory``."""
    path = SHIPPED_LIBRARY if spec.strip().lower() == "shipped" else Path(spec)
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
        # Files of catalogue additions (a pathway file's own additions come with it).
        for extra in sorted(set(library.added.values()) - set(library.files.values())):
            files[f"added_{Path(extra).name}"] = Path(extra).read_text(encoding="utf-8")
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


def _print_text(report: ImpactReport) -> None:
    click.echo(
        f"Impact of the change {report.old_version[:SHORT]} -> {report.new_version[:SHORT]} "
        f"as of {report.as_of}, over {report.people:,} people"
    )
    if report.added:
        click.echo(f"stages new in this version: {', '.join(report.added)}")
    if report.removed:
        click.echo(f"stages removed in this version: {', '.join(report.removed)}")
    if not report.changed:
        click.echo("nobody gains or loses any stage")
        return
    for s in report.changed:
        click.echo("")
        secho(f"{s.name} [{s.stage}]: {_headline(s)}", bold=True)
        if s.lost:
            click.echo(f"  lose, e.g.: {', '.join(s.lost[:5])}")
        if s.gained:
            click.echo(f"  gain, e.g.: {', '.join(s.gained[:5])}")
        click.echo("  by business group (gain / lose):")
        for group, (gained, lost) in s.by_business_group.items():
            click.echo(f"    {group:<28} {gained:>6} {lost:>6}")
        click.echo(f"  equality tables over the pool: {s.pool}")
        if s.positive_action:
            click.echo(f"  {POSITIVE_ACTION_NOTE}")
        for table in s.equality:
            _print_table(table, s.change)
    click.echo("")
    click.echo(LEGEND)


def _headline(s: StageImpact) -> str:
    match s.change:
        case "added":
            return f"new in this version; {s.after:,} have it (held or eligible), all gains"
        case "removed":
            return f"removed in this version; {s.before:,} had it, all losses"
        case _:
            return (
                f"{s.before:,} -> {s.after:,} have it (held or eligible); "
                f"{len(s.gained):,} gain, {len(s.lost):,} lose"
            )


def _print_table(table: EqualityTable, change: str) -> None:
    """A stage's table; a stage new in this version has no 'before', a removed one no
    'after' (shown as '-')."""
    if table.withheld:
        click.echo(f"  by {table.characteristic}: {table.reference_note}")
        return
    click.echo(f"  by {table.characteristic} (reference: {_reference(table)}):")
    click.echo(
        f"    {'group':<34} {'people':>7} {'before':>7} {'after':>7} {'lose':>6} {'gain':>6} "
        f"{'rate bef.':>9} {'rate aft.':>9} {'ratio':>6} {'4/5':>4} {'p':>8}"
    )
    for r in table.rows:
        ratio = "ref." if r.reference else ratio_text(r.ratio_after)
        before = (
            ("-", "-") if change == "added" else (count_text(r.before), rate_text(r.rate_before))
        )
        after = (
            ("-", "-") if change == "removed" else (count_text(r.after), rate_text(r.rate_after))
        )
        click.echo(
            f"    {r.group.words[:34]:<34} {count_text(r.people):>7} {before[0]:>7} "
            f"{after[0]:>7} {count_text(r.lost):>6} {count_text(r.gained):>6} "
            f"{before[1]:>9} {after[1]:>9} {ratio:>6} "
            f"{'!' if r.flag else '':>4} {p_text(r.p_value):>8}"
        )


def _reference(table: EqualityTable) -> str:
    words = next((r.group.words for r in table.rows if r.group.id == table.reference), None)
    return f"{words} ({table.reference_note})" if words else f"none: {table.reference_note}"


POSITIVE_ACTION_NOTE = (
    "A positive-action stage (Equality Act 2010 ss.158-159): people it does not admit by "
    "design are left out of its pool and never flagged."
)
LEGEND = (
    "People: the pool (see each stage). Ratio: the group's rate after the change over the "
    "reference group's rate; '!' marks a stated group under four fifths of it. p: Fisher's "
    "exact test after the change, the group against the reference (< 0.001 for tiny "
    f"values). {HIDDEN}: hidden so that no count under {SUPPRESS_BELOW} can be worked out, "
    "from this table, the others, or before and after (docs/reports.md)."
)
