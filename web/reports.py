"""Workforce report pages: the succession pipeline (counts for everyone, names for hr) and
equality monitoring (equality and hr only), with SVG charts, tables and CSV downloads.

Population runs use :func:`workforce.population.evaluate_population` with the library
in use; results are cached in the store and, per process, in memory, so only the first
report of a date is slow.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from accreditation.periods import add_months
from pathways.dates import Day as InRange
from pathways.suggest import did_you_mean
from store.users import Role, User
from workforce import fairness
from workforce.csvsafe import dict_writer
from workforce.fairness import FOUR_FIFTHS, rate_text
from workforce.population import PopulationRun
from workforce.reports import (
    CATEGORIES,
    GROUPINGS,
    EqualityReport,
    StageEquality,
    grouping_words,
    monitor,
    pipeline,
    project,
    table_rows,
    trend,
)

from .auth import require_role
from .charts import bar_chart
from .pagekit import Signed, page
from .problems import Problem
from .runs import PopulationRuns

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
Day = Annotated[InRange | None, Query(description="YYYY-MM-DD (default: today)")]
DEFAULT_TARGET = "promotion.superintendent"


def population(request: Request, user: User, as_of: dt.date | None) -> PopulationRun:
    """The run of the stored workforce with the library in use; who may start one, and
    one at a time, is decided in :mod:`web.runs`."""
    runs: PopulationRuns = request.app.state.runs
    return runs.run(request, user, as_of)


def _stage(run: PopulationRun, text: str, name: str) -> str:
    keys = run.people[0].keys if run.people else ()
    if text not in keys:
        near = did_you_mean(text, keys)
        raise Problem(
            404,
            f"no stage '{text}' in the library in use"
            + (f"; did you mean {near}?" if near else ""),
            kind="not-found",
        )
    return text


def _csv(rows: list[dict[str, Any]], name: str) -> Response:
    out = io.StringIO()
    writer = dict_writer(out, list(rows[0]) if rows else ["none"], lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


def _stage_names(request: Request) -> dict[str, str]:
    library = request.app.state.service.library().library
    return {f"{p.id}.{s.id}": f"{s.name} ({p.name})" for p, s in library.stages()}


# --- the pipeline ------------------------------------------------------------------------------


def _pipeline(request: Request, user: Any, target: str, as_of: dt.date | None) -> Any:
    run = population(request, user, as_of)
    return pipeline(run, _stage(run, target, "target")), run


@router.get("/reports/pipeline", response_class=HTMLResponse)
def pipeline_page(
    request: Request,
    user: Signed,
    target: Annotated[str, Query(max_length=120)] = DEFAULT_TARGET,
    as_of: Day = None,
) -> Response:
    report, run = _pipeline(request, user, target, as_of)
    chart = bar_chart(
        f"Pipeline for {target}, all business groups",
        [
            ("hold it", report.total.held, str(report.total.held)),
            ("eligible now", report.total.eligible, str(report.total.eligible)),
            ("within 6 months", report.total.within_6, str(report.total.within_6)),
            ("within 12 months", report.total.within_12, str(report.total.within_12)),
        ],
    )
    return page(
        request,
        "reports_pipeline.html",
        report=report,
        run=run,
        chart=chart,
        names=_stage_names(request),
        lists=user.role is Role.HR,
        categories=CATEGORIES,
    )


@router.get("/reports/pipeline.csv")
def pipeline_csv(
    request: Request,
    user: Signed,
    target: Annotated[str, Query(max_length=120)] = DEFAULT_TARGET,
    as_of: Day = None,
) -> Response:
    report, _ = _pipeline(request, user, target, as_of)
    lists = user.role is Role.HR
    rows = [
        {
            "target": report.target,
            "as_of": report.as_of.isoformat(),
            "business_group": r.group,
            **{c: getattr(r, c) for c in CATEGORIES},
            **({f"{c}_people": " ".join(r.people[c]) for c in CATEGORIES} if lists else {}),
        }
        for r in [*report.rows, report.total]
    ]
    return _csv(rows, f"pipeline-{report.target}-{report.as_of}.csv")


# --- equality ------------------------------------------------------------------------------------


def _equality(
    request: Request,
    user: Any,
    pathway: str | None,
    by: str,
    as_of: dt.date | None,
    reference: str | None,
) -> tuple[EqualityReport, PopulationRun]:
    require_role(user, Role.EQUALITY, Role.HR)
    if by not in GROUPINGS:
        raise Problem(
            422, f"'by' is one of {', '.join(GROUPINGS)}, not '{by[:30]}'", kind="validation"
        )
    library = request.app.state.service.library().library
    if pathway and pathway not in library.pathways:
        raise Problem(404, f"no pathway '{pathway}' in the library in use", kind="not-found")
    run = population(request, user, as_of)
    report = monitor(run, library, by, pathway or None, reference or None)
    if reference:
        choices = _reference_choices(report)
        if reference not in dict(choices):
            raise Problem(
                422,
                f"no stated group '{reference[:40]}' by {report.grouping_words}; "
                f"choose one of {', '.join(g for g, _ in choices)}",
                kind="validation",
            )
    return report, run


def _reference_choices(report: EqualityReport) -> list[tuple[str, str]]:
    """The stated groups of the report's tables, as (id, words), in table order."""
    seen: dict[str, str] = {}
    for stage in report.stages:
        for row in stage.rows:
            if row.group.stated and row.group.id != "all":
                seen.setdefault(row.group.id, row.group.words)
    return list(seen.items())


def _chart(stage: StageEquality) -> str:
    ref = next((r for r in stage.rows if r.comparison.reference), None)
    best = ref.comparison.rate if ref is not None else None
    return bar_chart(
        f"{stage.name}: share holding or eligible, by {grouping_words(stage.grouping)}",
        [
            (
                r.group.words,
                r.comparison.rate,
                "hidden [c]"
                if r.people is None or r.has is None
                else rate_text(r.comparison.rate)
                + (" (reference)" if r.comparison.reference else "")
                + (" (under 4/5)" if r.comparison.flag else ""),
            )
            for r in stage.rows
        ],
        marker=best * FOUR_FIFTHS if best else None,
        marker_label="four fifths of the reference group's rate",
    )


@router.get("/reports/equality", response_class=HTMLResponse)
def equality_page(
    request: Request,
    user: Signed,
    pathway: Annotated[str, Query(max_length=60)] = "promotion",
    by: Annotated[str, Query(max_length=30)] = "ethnicity",
    as_of: Day = None,
    trend_stage: Annotated[str, Query(max_length=120)] = "",
    reference: Annotated[str, Query(max_length=60)] = "",
) -> Response:
    report, run = _equality(request, user, pathway, by, as_of, reference)
    library = request.app.state.service.library().library
    charts = {s.stage: _chart(s) for s in report.stages}
    trend_rows: list[StageEquality] = []
    if trend_stage:
        _stage(run, trend_stage, "trend_stage")
        years = [
            dt.date(run.as_of.year - n, run.as_of.month, min(run.as_of.day, 28))
            for n in (4, 3, 2, 1)
        ]
        runs = [population(request, user, d) for d in years] + [run]
        trend_rows = trend(runs, library, trend_stage, by, reference or None)
    projection = None
    if pathway == "promotion" and run.people and DEFAULT_TARGET in run.people[0].keys:
        projection = project(run, DEFAULT_TARGET, add_months(run.as_of, 24))
    return page(
        request,
        "reports_equality.html",
        report=report,
        run=run,
        by=by,
        pathway=pathway,
        charts=charts,
        trend_stage=trend_stage,
        trend_name=next((n for k, n in _stage_names(request).items() if k == trend_stage), ""),
        trend_rows=trend_rows,
        projection=projection,
        pathways=[(p.id, p.name) for p in library.pathways.values()],
        groupings=[(g, grouping_words(g)) for g in GROUPINGS],
        reference=reference,
        references=_reference_choices(report),
        stats=fairness,
    )


@router.get("/reports/equality.csv")
def equality_csv(
    request: Request,
    user: Signed,
    pathway: Annotated[str, Query(max_length=60)] = "",
    by: Annotated[str, Query(max_length=30)] = "ethnicity",
    as_of: Day = None,
    reference: Annotated[str, Query(max_length=60)] = "",
) -> Response:
    report, run = _equality(request, user, pathway, by, as_of, reference)
    rows = [{**row, "library_version": run.library_version} for row in table_rows(report)]
    return _csv(rows, f"equality-{by}-{run.as_of}.csv")
