"""Workforce report pages: the succession pipeline (counts for everyone, names for hr) and
equality monitoring (equality and hr only), with SVG charts, tables and CSV downloads.

The reports themselves, with their access rules, are made by :mod:`web.reporting`, which
the JSON API (:mod:`web.api_reports`) shares.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from pathways.dates import Day as InRange
from workforce import fairness
from workforce.fairness import FOUR_FIFTHS, rate_text
from workforce.reports import CATEGORIES, GROUPINGS, StageEquality, grouping_words, table_rows

from .charts import bar_chart
from .pagekit import Signed, page
from .reporting import (
    DEFAULT_TARGET,
    csv_response,
    equality_report,
    equality_trend,
    in_use,
    pipeline_report,
    pipeline_rows,
    promotion_projection,
    reference_choices,
    stage_names,
)

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
Day = Annotated[InRange | None, Query(description="YYYY-MM-DD (default: today)")]


# --- the pipeline ------------------------------------------------------------------------------


@router.get("/reports/pipeline", response_class=HTMLResponse)
def pipeline_page(
    request: Request,
    user: Signed,
    target: Annotated[str, Query(max_length=120)] = DEFAULT_TARGET,
    as_of: Day = None,
) -> Response:
    report, run, names = pipeline_report(request, user, target, as_of)
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
        names=stage_names(in_use(request, run.as_of)),
        lists=names,
        categories=CATEGORIES,
    )


@router.get("/reports/pipeline.csv")
def pipeline_csv(
    request: Request,
    user: Signed,
    target: Annotated[str, Query(max_length=120)] = DEFAULT_TARGET,
    as_of: Day = None,
) -> Response:
    report, _, names = pipeline_report(request, user, target, as_of)
    return csv_response(
        pipeline_rows(report, names), f"pipeline-{report.target}-{report.as_of}.csv"
    )


# --- equality ------------------------------------------------------------------------------------


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
    report, run = equality_report(request, user, pathway, by, as_of, reference)
    library = in_use(request, run.as_of)
    trend_rows = (
        equality_trend(request, user, run, trend_stage, by, reference) if trend_stage else []
    )
    return page(
        request,
        "reports_equality.html",
        report=report,
        run=run,
        by=by,
        pathway=pathway,
        charts={s.stage: _chart(s) for s in report.stages},
        trend_stage=trend_stage,
        trend_name=stage_names(library).get(trend_stage, ""),
        trend_rows=trend_rows,
        projection=promotion_projection(run, pathway),
        pathways=[(p.id, p.name) for p in library.pathways.values()],
        groupings=[(g, grouping_words(g)) for g in GROUPINGS],
        reference=reference,
        references=reference_choices(report),
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
    report, run = equality_report(request, user, pathway, by, as_of, reference)
    rows = [{**row, "library_version": run.library_version} for row in table_rows(report)]
    return csv_response(rows, f"equality-{by}-{run.as_of}.csv")
