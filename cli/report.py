"""``pathways report pipeline|equality``: workforce reports over the records store."""

from __future__ import annotations

import datetime as dt
import io
import json
import tempfile
from pathlib import Path
from typing import Any

import click

from pathways.loader import SHIPPED_LIBRARY, load_with_problems
from pathways.model.library import Library
from pathways.suggest import did_you_mean
from workforce.cluster import ClusterError, DaskCluster
from workforce.csvsafe import dict_writer
from workforce.fairness import (
    HIDDEN,
    SUPPRESS_BELOW,
    count_text,
    p_text,
    rate_text,
    ratio_text,
)
from workforce.population import evaluate_population
from workforce.reports import (
    CATEGORIES,
    GROUPINGS,
    EqualityReport,
    monitor,
    pipeline,
    table_rows,
)

from .options import DATE, db_option, open_store

__all__ = ["equality_text", "report_group", "resolve_target"]


def resolve_target(library: Library, text: str) -> str:
    """A stage key from ``pathway.stage``, a stage id or a stage name (any case).

    Raises:
        click.BadParameter: naming the nearest stage if none or several match.
    """
    keys = {f"{p.id}.{s.id}": s.name for p, s in library.stages()}
    if text in keys:
        return text
    folded = text.strip().lower().replace(" ", "_")
    found = [
        k
        for k, name in keys.items()
        if k.split(".")[1] == folded or name.lower() == text.strip().lower()
    ]
    if len(found) == 1:
        return found[0]
    if found:
        raise click.BadParameter(
            f"'{text}' matches {', '.join(found)}: give one as pathway.stage", param_hint="--target"
        )
    near = did_you_mean(text, [*keys, *keys.values()])
    hint = f"; did you mean '{near}'?" if near else "; 'pathways list' shows the stages"
    raise click.BadParameter(f"no stage '{text}'{hint}", param_hint="--target")


def _library_dir(store: Any, library: Path | None, tmp: Path, day: dt.date | None = None) -> Path:
    """``library``, or the stored version in force on ``day`` (default today), or the
    shipped library."""
    if library is not None:
        return library
    version = store.library_in_force(day or dt.date.today())
    if version is None:
        return SHIPPED_LIBRARY
    for name, text in version.files.items():
        target = tmp / Path(name).name
        target.write_text(text, encoding="utf-8")
    return tmp


def _run(
    store: Any,
    directory: Path,
    as_of: dt.date,
    workers: int,
    quiet: bool,
    scheduler: str | None = None,
) -> Any:
    if scheduler is not None:  # the people decided on a Dask cluster (the 'cluster' extra)
        try:
            cluster = DaskCluster(scheduler)
        except ClusterError as exc:
            raise click.UsageError(str(exc)) from None
        try:
            run = evaluate_population(store, [directory], as_of, cluster=cluster)
        finally:
            cluster.close()
        if not quiet:
            click.echo(
                f"{len(run.people):,} people as of {as_of} on the cluster {scheduler}: "
                f"{run.evaluated:,} decided, {run.cached:,} from the cache, {run.seconds:.1f} s",
                err=True,
            )
        return run
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    if quiet:
        return evaluate_population(store, [directory], as_of, workers=workers)
    with Progress(
        TextColumn(f"deciding as of {as_of}"),
        BarColumn(),
        TextColumn("{task.completed:,}/{task.total:,}"),
        TimeRemainingColumn(),
        console=_stderr(),
        transient=True,
    ) as bar:
        task = bar.add_task("run", total=store.count_people())
        run = evaluate_population(
            store,
            [directory],
            as_of,
            workers=workers,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )
    click.echo(
        f"{len(run.people):,} people as of {as_of} with library {run.library_version[:12]}: "
        f"{run.evaluated:,} decided, {run.cached:,} from the cache, {run.seconds:.1f} s",
        err=True,
    )
    return run


def _stderr() -> Any:
    from rich.console import Console

    return Console(stderr=True)


def _load(directory: Path) -> Library:
    library, problems = load_with_problems([directory])
    if library is None:
        raise click.BadParameter(
            f"the library does not load ({problems[0].format()}); run 'pathways check'",
            param_hint="--library",
        )
    return library


def _emit(
    rows: list[dict[str, Any]], data: dict[str, Any], fmt: str, output: Path | None, text: str
) -> None:
    if fmt == "json":
        out = json.dumps(data, indent=2, default=str) + "\n"
    elif fmt == "csv":
        buffer = io.StringIO()
        writer = dict_writer(buffer, list(rows[0]) if rows else ["none"], lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        out = buffer.getvalue()
    else:
        out = text
    if output is None:
        click.echo(out, nl=False)
    else:
        output.write_text(out, encoding="utf-8")
        click.echo(f"wrote {output}", err=True)


_common = [
    click.option(
        "--as-of",
        "as_of",
        type=DATE,
        help="Decide on this date (default: today), YYYY-MM-DD.",
    ),
    db_option,
    click.option(
        "--library",
        type=click.Path(exists=True, file_okay=False, path_type=Path),
        help="A library directory (default: the store's active version, else the shipped library).",
    ),
    click.option(
        "--format",
        "fmt",
        type=click.Choice(["text", "csv", "json"]),
        default="text",
        show_default=True,
        help="Text for people; CSV or JSON for other programs.",
    ),
    click.option(
        "-o",
        "--output",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Write to this file instead of standard output.",
    ),
    click.option(
        "--workers",
        type=click.IntRange(1, 64),
        default=2,
        show_default=True,
        help="Worker processes.",
    ),
    click.option("--quiet", is_flag=True, help="No progress bar or summary on stderr."),
    click.option(
        "--scheduler",
        metavar="tcp://HOST:PORT",
        help="Decide the people on this Dask cluster, in partitions that read their records "
        "from the database (PostgreSQL for a cluster of machines).",
    ),
]


def common(func: Any) -> Any:
    for option in reversed(_common):
        func = option(func)
    return func


@click.group("report")
def report_group() -> None:
    """Workforce reports: the succession pipeline and equality monitoring.

    The stored workforce is decided with the batch evaluator on worker processes; results
    are cached in the store, so a repeat report on the same date is quick.

    \b
    Examples:
      pathways report pipeline --target promotion.superintendent --as-of 2024-06-01
      pathways report equality --pathway promotion --by gender --format csv -o eq.csv
    """


@report_group.command("pipeline")
@click.option(
    "--target",
    required=True,
    help="The stage: pathway.stage (promotion.superintendent), a stage id or name.",
)
@click.option("--list", "lists", is_flag=True, help="Name the people in each cell (HR use).")
@common
def pipeline_command(
    target: str,
    lists: bool,
    as_of: dt.datetime | None,
    db_url: str | None,
    library: Path | None,
    fmt: str,
    output: Path | None,
    workers: int,
    quiet: bool,
    scheduler: str | None,
) -> None:
    """Who holds TARGET, who is eligible now, and who becomes eligible within 6 and 12
    months, per business group.

    \b
    Examples:
      pathways report pipeline --target promotion.superintendent
      pathways report pipeline --target "Senior Police National Assessment Centre (SPNAC)"
      pathways report pipeline --target pip.level_3 --format csv -o pip3.csv
    """

    day = as_of.date() if as_of else dt.date.today()
    store = open_store(db_url)
    try:
        with tempfile.TemporaryDirectory(prefix="pathways-report-") as tmp:
            directory = _library_dir(store, library, Path(tmp), day)
            key = resolve_target(_load(directory), target)
            run = _run(store, directory, day, workers, quiet, scheduler)
    finally:
        store.close()
    report = pipeline(run, key)
    rows = [
        {
            "business_group": r.group,
            **{c: getattr(r, c) for c in CATEGORIES},
            **({f"{c}_people": " ".join(r.people[c]) for c in CATEGORIES} if lists else {}),
        }
        for r in [*report.rows, report.total]
    ]
    lines = [
        f"Succession pipeline for {key} as of {day} (library {report.library_version[:12]})",
        f"{'business group':<28} {'hold':>6} {'eligible':>9} {'<=6 mo':>7} {'<=12 mo':>8}",
    ]
    for r in [*report.rows, report.total]:
        lines.append(f"{r.group:<28} {r.held:>6} {r.eligible:>9} {r.within_6:>7} {r.within_12:>8}")
        if lists:
            for c in CATEGORIES:
                if r.people[c] and r.group != "all":
                    lines.append(f"    {c}: {', '.join(r.people[c])}")
    lines.append(
        "<=6 / <=12 mo: not eligible now, eligible from a date within 6 / 12 months "
        "if nothing else changes (<=12 includes <=6)."
    )
    data = {
        "target": key,
        "as_of": day.isoformat(),
        "library_version": report.library_version,
        "rows": rows,
    }
    _emit(rows, data, fmt, output, "\n".join(lines) + "\n")


@report_group.command("equality")
@click.option("--pathway", help="Only this pathway's stages.")
@click.option(
    "--by",
    type=click.Choice(GROUPINGS),
    default="ethnicity",
    show_default=True,
    help="The groups to compare: one characteristic, or two crossed (e.g. ethnicity+gender).",
)
@click.option(
    "--reference",
    help="The group every other is compared with (e.g. white, female, white+male); "
    "default: the highest rate among stated groups with enough people.",
)
@common
def equality_command(
    pathway: str | None,
    by: str,
    reference: str | None,
    as_of: dt.datetime | None,
    db_url: str | None,
    library: Path | None,
    fmt: str,
    output: Path | None,
    workers: int,
    quiet: bool,
    scheduler: str | None,
) -> None:
    """For each stage, each group's rate over the stage's pool (people in post on the
    date, of the workforce the stage is open to, and for a stage that follows another
    those who hold the one before), the ratio to the reference group ('!' under four
    fifths) and Fisher's exact p-value. 'Not stated' and 'not recorded' are shown, never
    compared. [c]: a count hidden so that no count under 5 can be worked out.

    \b
    Examples:
      pathways report equality --pathway promotion
      pathways report equality --pathway promotion --reference white
      pathways report equality --by ethnicity+gender --format csv -o equality.csv
    """

    day = as_of.date() if as_of else dt.date.today()
    store = open_store(db_url)
    try:
        with tempfile.TemporaryDirectory(prefix="pathways-report-") as tmp:
            directory = _library_dir(store, library, Path(tmp), day)
            lib = _load(directory)
            if pathway is not None and pathway not in lib.pathways:
                near = did_you_mean(pathway, lib.pathways)
                raise click.BadParameter(
                    f"no pathway '{pathway}'" + (f"; did you mean '{near}'?" if near else ""),
                    param_hint="--pathway",
                )
            run = _run(store, directory, day, workers, quiet, scheduler)
    finally:
        store.close()
    report = monitor(run, lib, by, pathway, reference)
    if reference is not None:
        _check_reference(report, reference)
    rows = table_rows(report)
    data = {
        "by": by,
        "as_of": day.isoformat(),
        "library_version": run.library_version,
        "reference_asked": reference,
        "hidden": f"null counts are hidden: under {SUPPRESS_BELOW}, or would let one be worked out",
        "not_in_force": report.not_in_force,
        "rows": [{k: (None if v == HIDDEN else v) for k, v in row.items()} for row in rows],
    }
    _emit(rows, data, fmt, output, equality_text(report))


def _check_reference(report: EqualityReport, reference: str) -> None:
    ids = {r.group.id: r.group for s in report.stages for r in s.rows}
    if reference in ids and ids[reference].stated and reference != "all":
        return
    stated = sorted(g for g, group in ids.items() if group.stated and g != "all")
    if reference in ids:
        raise click.BadParameter(
            f"'{reference}' is not a stated group and cannot be the reference; "
            f"choose one of {', '.join(stated)}",
            param_hint="--reference",
        )
    near = did_you_mean(reference, stated)
    hint = f"did you mean '{near}'?" if near else f"choose one of {', '.join(stated)}"
    raise click.BadParameter(
        f"no group '{reference}' by {report.grouping_words}; {hint}", param_hint="--reference"
    )


def equality_text(report: EqualityReport) -> str:
    lines = [
        f"Equality monitoring by {report.grouping_words} as of {report.as_of} "
        f"(library {report.library_version[:12]}, {report.people:,} people)"
    ]
    for s in report.stages:
        lines += ["", f"{s.name} [{s.stage}]"]
        lines.append(f"  rated over: {s.pool.words}")
        ref = s.reference_words
        lines.append(
            f"  reference: {ref} ({s.reference_note})"
            if ref
            else f"  no reference: {s.reference_note}"
        )
        if s.positive_action:
            lines.append(f"  {s.positive_action}")
        if s.flagged:
            lines.append(f"  ! under four fifths of the reference: {', '.join(s.flagged)}")
        if s.withheld:
            continue
        lines.append(
            f"  {'group':<40} {'people':>8} {'has it':>8} {'rate':>7} {'ratio':>6}   {'p':>8}"
        )
        for r in s.rows:
            c = r.comparison
            ratio = "ref." if c.reference else ratio_text(c.ratio)
            lines.append(
                f"  {r.group.words[:40]:<40} {count_text(r.people):>8} {count_text(r.has):>8} "
                f"{rate_text(c.rate):>7} {ratio:>6} {'!' if c.flag else ' '} {p_text(c.p_value):>8}"
            )
    if report.not_in_force:
        lines += ["", f"Not in force on {report.as_of}: {', '.join(report.not_in_force)}"]
    lines += [
        "",
        "Rate: of the people in the stage's pool, the share who hold it or are eligible. "
        "Ratio: the group's rate over the reference group's; '!' marks a stated group under "
        "four fifths of it. p: Fisher's exact test, the group against the reference. "
        f"{HIDDEN}: hidden so that no count under {SUPPRESS_BELOW} can be worked out "
        "(docs/reports.md).",
    ]
    return "\n".join(lines) + "\n"
