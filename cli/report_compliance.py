"""``pathways report compliance``: who is overdue on an obligation, or due within a window,
per business group; ``--by`` adds the counts by protected characteristic, small numbers
hidden."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import click

from pathways.suggest import did_you_mean
from workforce.fairness import HIDDEN, SUPPRESS_BELOW, count_text
from workforce.reports import GROUPINGS
from workforce.reports.compliance import (
    WINDOW_DAYS,
    Compliance,
    compliance,
    count_rows,
    entry_rows,
    equality_rows,
    equality_tables,
)
from workforce.reports.groups import grouping_words
from workforce.reports.tables import Table

from .options import db_option, open_store, progress_bar
from .report import _emit, _library_dir, _load

__all__ = ["compliance_command"]


@click.command("compliance")
@click.option(
    "--as-of",
    "as_of",
    type=click.DateTime(["%Y-%m-%d"]),
    help="The date (default: today), YYYY-MM-DD.",
)
@click.option(
    "--window",
    type=click.IntRange(0, 3660),
    default=WINDOW_DAYS,
    show_default=True,
    help="List obligations due within this many days, besides the overdue ones.",
)
@click.option("--group", "business_group", help="Only this business group's people.")
@click.option(
    "--by",
    type=click.Choice(GROUPINGS),
    help="Also count by a protected characteristic (or two crossed), counts under "
    f"{SUPPRESS_BELOW} hidden: for equality monitoring.",
)
@db_option
@click.option(
    "--library",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="A library directory (default: the store's active version, else the shipped library).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "csv", "json"]),
    default="text",
    show_default=True,
    help="Text for people; CSV (the list, or with --by the counts) or JSON.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file instead of standard output.",
)
@click.option("--quiet", is_flag=True, help="No progress bar on stderr.")
def compliance_command(
    as_of: dt.datetime | None,
    window: int,
    business_group: str | None,
    by: str | None,
    db_url: str | None,
    library: Path | None,
    fmt: str,
    output: Path | None,
    quiet: bool,
) -> None:
    """Who must act on an obligation: overdue, or due within --window days (90), per
    business group, with what to do and by when. An obligation met now that stops holding
    by itself (a credential that lapses) is due if the day to act is in the window.

    \b
    Examples:
      pathways report compliance
      pathways report compliance --as-of 2013-07-01 --group territorial_policing
      pathways report compliance --format csv -o compliance.csv
      pathways report compliance --by ethnicity --format csv -o compliance-equality.csv
    """
    day = as_of.date() if as_of else dt.date.today()
    store = open_store(db_url)
    try:
        total = store.count_people()
        with tempfile.TemporaryDirectory(prefix="pathways-report-") as tmp:
            lib = _load(_library_dir(store, library, Path(tmp)))
        with progress_bar(f"obligations as of {day}", quiet=quiet) as progress:
            report = compliance(store, lib, day, window, lambda n: progress(n, total))
    finally:
        store.close()
    if business_group is not None:
        report = _only(report, business_group, lib.catalogue.ids("business_groups"))
    tables = {key: equality_tables(report, key, [by]) for key in report.obligations} if by else {}
    rows = equality_rows(report, by) if by else entry_rows(report)
    data = {
        "as_of": day.isoformat(),
        "library_version": report.library_version,
        "window_days": window,
        "people": report.people,
        "obligations": report.obligations,
        "counts": count_rows(report),
        "entries": entry_rows(report),
        **({"by": by, "hidden": "null counts are hidden", "tables": rows} if by else {}),
    }
    _emit(rows, data, fmt, output, _text(report, tables, by))


def _only(report: Compliance, group: str, known: list[str]) -> Compliance:
    present = {c.group for c in report.counts}
    if group not in present and group not in known:
        near = did_you_mean(group, sorted(set(known) | present))
        raise click.BadParameter(
            f"no business group '{group}'" + (f"; did you mean '{near}'?" if near else ""),
            param_hint="--group",
        )
    report.entries = [e for e in report.entries if e.business_group == group]
    report.counts = [c for c in report.counts if c.group in (group, "all")]
    return report


def _text(report: Compliance, tables: dict[str, dict[str, Table]], by: str | None) -> str:
    lines = [
        f"Obligations as of {report.as_of}: overdue, or due within {report.window_days} days "
        f"(library {report.library_version[:12]}, {report.people:,} people)",
        "",
        f"{'business group':<28} {'obligation':<40} {'applies':>8} {'overdue':>8} {'due':>6}",
    ]
    for c in report.counts:
        name = report.obligations.get(c.obligation, c.obligation)[:40]
        lines.append(f"{c.group:<28} {name:<40} {c.applies:>8} {c.overdue:>8} {c.due:>6}")
    group = None
    for e in report.entries:
        if e.business_group != group:
            group = e.business_group
            lines += ["", f"{group}"]
        when = (
            f"overdue, was due by {e.due_by}"
            if e.category == "overdue"
            else f"act by {e.act_by}"
            if e.act_by
            else "due (no date)"
        )
        who = " [HR acts]" if e.owner == "hr" else ""
        name = f" {e.name}" if e.name else ""
        lines.append(f"  {e.person}{name}: {e.obligation_name}: {when}{who}")
        if e.next_step:
            lines.append(f"      {e.next_step}")
    if not report.entries:
        lines += ["", "Nobody is overdue or due within the window."]
    for key, by_grouping in tables.items():
        for grouping, table in by_grouping.items():
            lines += ["", f"{report.obligations[key]} by {grouping_words(grouping)}"]
            if table.withheld:
                lines.append("  withheld: any table would let a small number be worked out")
                continue
            lines.append(f"  {'group':<40} {'people':>8} {'overdue':>8} {'due':>6}")
            for r in table.rows:
                lines.append(
                    f"  {r.group.words[:40]:<40} {count_text(r.count('people')):>8} "
                    f"{count_text(r.count('overdue')):>8} {count_text(r.count('due')):>6}"
                )
    if by:
        lines += [
            "",
            f"{HIDDEN}: hidden so that no count under {SUPPRESS_BELOW} can be worked out "
            "(docs/reports.md).",
        ]
    return "\n".join(lines) + "\n"
