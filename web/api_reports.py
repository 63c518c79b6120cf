"""The workforce reports in the JSON API, with the pages' access rules: the succession
pipeline (anyone signed in; people's ids for hr only), equality monitoring (equality and hr),
records by protected characteristic (equality), records to check (hr), and the impact of a
rule change before it is published (hr). JSON, and CSV where the page offers a CSV download.

Each route makes its report with :mod:`web.reporting`, as the page does, so the figures and
the access rule are the page's. See docs/web.md, "Adding a report".
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from pathways.dates import Day as InRange
from workforce.impactexport import impact_json
from workforce.reports import table_rows

from .api_library import UPLOAD_BODY, checked, read_upload, refused
from .apikit import ERRORS, PROBLEM, Caller, HrCaller
from .dataquality import records_to_check_report
from .report_schemas import (
    CharacteristicCounts,
    EqualityMonitoring,
    ImpactPreview,
    ImpactReportOut,
    PipelineReport,
    RecordsToCheck,
    counts_json,
    equality_json,
    pipeline_json,
    records_to_check_json,
)
from .reporting import (
    DEFAULT_TARGET,
    characteristic_counts,
    csv_response,
    equality_report,
    equality_trend,
    impact_preview,
    in_use,
    pipeline_report,
    pipeline_rows,
    promotion_projection,
    stage_names,
)

__all__ = ["router"]

router = APIRouter(prefix="/api", tags=["reports"])

Day = Annotated[InRange | None, Query(description="YYYY-MM-DD (default: today)")]
Target = Annotated[
    str, Query(max_length=120, description="The stage, pathway.stage (promotion.inspector)")
]
Pathway = Annotated[
    str, Query(max_length=60, description="One pathway's stages (default: every pathway's)")
]
By = Annotated[
    str,
    Query(
        max_length=30,
        description="ethnicity, bme, gender, disability, or two joined by + (ethnicity+gender)",
    ),
]
Reference = Annotated[
    str,
    Query(max_length=60, description="The group compared with (default: the highest rate)"),
]
CSV: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/csv": {"schema": {"type": "string"}}}, "description": "CSV"}
}


@router.get(
    "/reports/pipeline",
    responses={**ERRORS, 503: PROBLEM},
    response_model=PipelineReport,
    operation_id="get_pipeline",
    summary="Succession pipeline (people's ids for hr only)",
)
def pipeline(
    request: Request, user: Caller, target: Target = DEFAULT_TARGET, as_of: Day = None
) -> PipelineReport:
    """For a target stage, by business group: who holds it, who is eligible now, and who
    becomes eligible within 6 and 12 months. Anyone signed in sees the counts; hr also
    the people's ids."""
    report, run, names = pipeline_report(request, user, target, as_of)
    name = stage_names(in_use(request, run.as_of)).get(report.target, report.target)
    return pipeline_json(report, name, len(run.people), names)


@router.get(
    "/reports/pipeline.csv",
    responses={**ERRORS, **CSV},
    response_class=Response,
    operation_id="get_pipeline_csv",
    summary="Succession pipeline as CSV",
)
def pipeline_csv(
    request: Request, user: Caller, target: Target = DEFAULT_TARGET, as_of: Day = None
) -> Response:
    """The page's CSV download: a row per business group and the total."""
    report, _, names = pipeline_report(request, user, target, as_of)
    return csv_response(
        pipeline_rows(report, names), f"pipeline-{report.target}-{report.as_of}.csv"
    )


@router.get(
    "/reports/equality",
    responses=ERRORS,
    response_model=EqualityMonitoring,
    operation_id="get_equality_monitoring",
    summary="Equality monitoring (equality, hr)",
)
def equality(
    request: Request,
    user: Caller,
    pathway: Pathway = "promotion",
    by: By = "ethnicity",
    as_of: Day = None,
    reference: Reference = "",
    trend_stage: Annotated[
        str, Query(max_length=120, description="Also this stage's table in each of 4 years")
    ] = "",
) -> EqualityMonitoring:
    """Each stage's rate by group over its pool, the ratio to a reference group, the
    four-fifths flag and Fisher's exact p-value; small counts hidden (null). For the
    promotion ladder, a projection of BME superintendents."""
    report, run = equality_report(request, user, pathway, by, as_of, reference)
    trend = equality_trend(request, user, run, trend_stage, by, reference) if trend_stage else []
    return equality_json(report, trend, promotion_projection(run, pathway))


@router.get(
    "/reports/equality.csv",
    responses={**ERRORS, **CSV},
    response_class=Response,
    operation_id="get_equality_monitoring_csv",
    summary="Equality monitoring as CSV (equality, hr)",
)
def equality_csv(
    request: Request,
    user: Caller,
    pathway: Pathway = "",
    by: By = "ethnicity",
    as_of: Day = None,
    reference: Reference = "",
) -> Response:
    """The page's CSV download: a row per stage and group; hidden counts are [c]."""
    report, run = equality_report(request, user, pathway, by, as_of, reference)
    rows = [{**row, "library_version": run.library_version} for row in table_rows(report)]
    return csv_response(rows, f"equality-{by}-{run.as_of}.csv")


@router.get(
    "/reports/characteristics",
    responses=ERRORS,
    response_model=CharacteristicCounts,
    operation_id="get_characteristic_counts",
    summary="Records by protected characteristic (equality)",
)
def characteristics(request: Request, user: Caller) -> CharacteristicCounts:
    """How many records have each value of each protected characteristic (the page
    /equality)."""
    return counts_json(characteristic_counts(request, user))


@router.get(
    "/reports/records-to-check",
    responses=ERRORS,
    response_model=RecordsToCheck,
    operation_id="get_records_to_check",
    summary="Records to check: stages held on their award alone (hr)",
)
def records_to_check(
    request: Request,
    user: Caller,
    as_of: Day = None,
    after: Annotated[
        str,
        Query(max_length=32, pattern=r"^[A-Za-z0-9_\-]*$", description="Go on after this id"),
    ] = "",
    stage: Annotated[str, Query(max_length=120, description="Only this stage's findings")] = "",
) -> RecordsToCheck:
    """A page of records in id order (the page /data-quality): each stage a person holds
    while the record does not show the stage's own requirements, and what it lacks. Ask
    for the next page with ``after=next_after``."""
    report, _ = records_to_check_report(request, user, as_of, after, stage)
    return records_to_check_json(report)


@router.post(
    "/library/impact",
    responses={**ERRORS, 413: PROBLEM, 415: PROBLEM},
    response_model=ImpactPreview,
    operation_id="preview_impact",
    summary="Who a rule change would affect, before publishing (hr)",
    openapi_extra=UPLOAD_BODY,
)
async def impact(
    request: Request,
    user: HrCaller,
    as_of: Day = None,
    reference: Reference = "",
) -> Any:
    """The files as for check and publish (JSON or multipart): who in the stored workforce
    gains and who loses each stage if they replace those in use, by business group and by
    ethnicity, gender and disability (hidden counts null). 422 with the findings if the
    checker finds errors. Nothing is stored."""
    day = as_of or dt.date.today()
    check = checked(request, await read_upload(request))
    if check.errors or check.digest is None:
        raise refused(check, "no impact")
    # Two population runs: minutes on a large workforce, so not on the event loop.
    changed, report = await run_in_threadpool(impact_preview, request, user, check, day, reference)
    return ImpactPreview(
        in_use=check.in_use,
        digest=check.digest,
        as_of=day,
        changed_pathways=changed,
        impact=ImpactReportOut.model_validate(impact_json(report)) if report else None,
    )
