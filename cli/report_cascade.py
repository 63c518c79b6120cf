"""``pathways report talent-cascade``: each mentor's mentees, pairs that do not look right,
and who must have a mentor but has none."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Any

import click

from workforce.reports.cascade import MENTOR_STAGE, Cascade, cascade

from .options import db_option, open_store
from .report import _emit, _library_dir, _load

__all__ = ["cascade_command", "cascade_rows"]


def cascade_rows(report: Cascade) -> list[dict[str, Any]]:
    """One CSV row per mentor."""
    return [
        {
            "as_of": report.as_of.isoformat(),
            "mentor": r.mentor,
            "name": r.name or "",
            "business_group": r.business_group or "",
            "mentees": r.count,
            "mentee_ids": " ".join(p.mentee for p in r.mentees),
            "mentor_stage": r.stage_status,
        }
        for r in report.mentors
    ]


def cascade_text(report: Cascade) -> str:
    lines = [
        f"Talent Cascade as of {report.as_of}: {len(report.mentors)} mentors, "
        f"{report.pairs} mentees (mentor stage {report.mentor_stage})",
        "",
        f"{'mentor':<10} {'name':<30} {'mentees':>7}  mentor stage",
    ]
    for r in report.mentors:
        lines.append(f"{r.mentor:<10} {(r.name or '')[:30]:<30} {r.count:>7}  {r.stage_status}")
        lines.append(f"{'':<10} {', '.join(p.mentee for p in r.mentees)}")
    if report.unmatched:
        lines += ["", "Pairs to look at:"]
        lines += [
            f"  {u.pair.mentee} mentored by {u.pair.mentor}: {u.reason}" for u in report.unmatched
        ]
    lines += ["", "Must have a mentor and have none (HR arranges it):"]
    if not report.without_mentor:
        lines.append("  nobody")
    for pid, name, o in report.without_mentor:
        when = (
            f"overdue, was due by {o.due_by}" if o.status.value == "overdue" else f"by {o.due_by}"
        )
        lines.append(f"  {pid} {name or ''}: {o.name}: {when}")
    return "\n".join(lines) + "\n"


@click.command("talent-cascade")
@click.option("--as-of", "as_of", type=click.DateTime(["%Y-%m-%d"]), help="Default: today.")
@click.option(
    "--mentor-stage", default=MENTOR_STAGE, show_default=True, help="The stage mentors hold."
)
@db_option
@click.option("--library", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "csv", "json"]), default="text")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path))
def cascade_command(
    as_of: dt.datetime | None,
    mentor_stage: str,
    db_url: str | None,
    library: Path | None,
    fmt: str,
    output: Path | None,
) -> None:
    """Each Talent Cascade mentor and their mentees on the date (from the mentees' records),
    pairs whose mentor has no record or does not hold the mentor stage, or whose mentee is
    in no mentee programme; and who must have a mentor (Equip to Achieve) but has none.

    \b
    Examples:
      pathways report talent-cascade
      pathways report talent-cascade --as-of 2009-06-01 --format csv -o cascade.csv
    """
    day = as_of.date() if as_of else dt.date.today()
    store = open_store(db_url)
    try:
        with tempfile.TemporaryDirectory(prefix="pathways-report-") as tmp:
            lib = _load(_library_dir(store, library, Path(tmp)))
        try:
            report = cascade(store, lib, day, mentor_stage)
        except KeyError:
            raise click.BadParameter(
                f"no stage '{mentor_stage}' in the library", param_hint="--mentor-stage"
            ) from None
    finally:
        store.close()
    rows = cascade_rows(report)
    data = {
        "as_of": day.isoformat(),
        "mentor_stage": report.mentor_stage,
        "mentors": rows,
        "unmatched": [
            {"mentee": u.pair.mentee, "mentor": u.pair.mentor, "reason": u.reason}
            for u in report.unmatched
        ],
        "without_mentor": [
            {"person": pid, "obligation": o.key, "status": o.status.value, "due_by": o.due_by}
            for pid, _, o in report.without_mentor
        ],
    }
    _emit(rows, data, fmt, output, cascade_text(report))
