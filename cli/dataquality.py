"""``pathways data-quality``: records holding a stage on its award alone."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import tempfile
from dataclasses import asdict
from pathlib import Path

import click

from pathways.loader import SHIPPED_LIBRARY, load_with_problems
from rules.batch import BatchEvaluator
from store import Store
from workforce.dataquality import DataQualityReport, scan

from .options import db_option, open_store
from .report import resolve_target

__all__ = ["data_quality_command"]


@click.command("data-quality")
@db_option
@click.option(
    "--as-of",
    "as_of",
    type=click.DateTime(["%Y-%m-%d"]),
    help="Check as of this date (default: today), YYYY-MM-DD.",
)
@click.option(
    "--library",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="A library directory (default: the store's active version, else the shipped library).",
)
@click.option("--stage", help="Only this stage (pathway.stage, a stage id or its name).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "csv"]),
    default="text",
    show_default=True,
    help="Text for people; JSON or CSV (one row per person and stage) for other programs.",
)
def data_quality_command(
    db_url: str | None,
    as_of: dt.datetime | None,
    library: Path | None,
    stage: str | None,
    fmt: str,
) -> None:
    """Records to check: stages held on their award alone, while the record does not
    show the stage's own requirements (an intelligence analyst post and no analyst
    training; a response stream posting and no stream training).

    The stage stays held (the award is what holding it means). The requirements listed
    are ones the record shows were never met: a course, exam or programme it lacks, or a
    stage with such an award never reached. Time, ranks, postings and anything that
    lapses are given the benefit of the doubt. Every record is checked (about 1.5 ms
    each).

    \b
    Examples:
      pathways data-quality --db sqlite:///var/pathways.db
      pathways data-quality --stage analyst.intelligence_analyst --format csv > check.csv
    """
    store = open_store(db_url)
    day = as_of.date() if as_of else dt.date.today()
    with tempfile.TemporaryDirectory(prefix="pathways-dq-") as tmp:
        directory = library or _active(store, Path(tmp))
        loaded, problems = load_with_problems([directory])
        if loaded is None:
            raise click.BadParameter(
                f"the library does not load ({problems[0].format()}); run 'pathways check'",
                param_hint="--library",
            )
    key = resolve_target(loaded, stage) if stage else None
    report = scan(store, BatchEvaluator(loaded), day, stage=key)
    click.echo(_render(report, fmt), nl=False)


def _active(store: Store, tmp: Path) -> Path:
    """The store's active library version, written out under ``tmp`` (or the shipped one)."""
    version = store.active_library()
    if version is None:
        return SHIPPED_LIBRARY
    for name, text in version.files.items():
        (tmp / Path(name).name).write_text(text, encoding="utf-8")
    return tmp


def _render(report: DataQualityReport, fmt: str) -> str:
    rows = [
        {
            "person": f.person,
            "name": f.name or "",
            "pathway": f.pathway,
            "stage": f.stage,
            "stage_name": f.stage_name,
            "not_shown": "; ".join(f.not_shown),
        }
        for f in report.findings
    ]
    if fmt == "json":
        data = {
            "as_of": report.as_of.isoformat(),
            "library_version": report.library_version,
            "checked": report.checked,
            "people": report.people(),
            "by_stage": [
                {"pathway": p, "stage": s, "stage_name": n, "people": c}
                for p, s, n, c in report.by_stage()
            ],
            "findings": [asdict(f) for f in report.findings],
        }
        return json.dumps(data, indent=2) + "\n"
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(
            buffer,
            ["person", "name", "pathway", "stage", "stage_name", "not_shown"],
            lineterminator="\n",
        )
        writer.writeheader()
        writer.writerows(rows)
        return buffer.getvalue()
    lines = [
        f"Records to check as of {report.as_of} (library {report.library_version[:12]}): "
        f"{report.people():,} of {report.checked:,} people hold a stage on its award alone"
    ]
    for pathway, stage, name, count in report.by_stage():
        lines.append(f"  {count:>6,}  {name} ({pathway}.{stage})")
    if report.findings:
        lines += ["", "Each record, and what it does not show:"]
    for f in report.findings:
        who = f"{f.person} {f.name}" if f.name else f.person
        lines.append(f"  {who}: {f.stage_name}: " + "; ".join(f.not_shown))
    return "\n".join(lines) + "\n"
