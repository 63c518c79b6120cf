"""Workforce report pages: the succession pipeline (counts for everyone, names for hr) and
equality monitoring with its trend (equality and hr only), with SVG charts, tables and CSV
downloads.

Each report is a background job (:mod:`web.jobs`, :mod:`workforce.jobs`): a page shows the
report if it was made from the records as they are, else asks for it and, if it takes more
than a moment, shows the job's progress and comes back when it is done. Officers and admin
never start a run of the whole workforce: they see reports of the dates hr or equality had
computed (without a date, the latest).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from pathways.dates import Day as InRange
from pathways.suggest import did_you_mean
from store.jobs import Job
from store.users import Role, User
from workforce import fairness
from workforce.fairness import FOUR_FIFTHS, rate_text
from workforce.jobs import KINDS
from workforce.reports import CATEGORIES, GROUPINGS, grouping_words
from workforce.reports.export import table_rows

from .auth import require_role
from .charts import bar_chart
from .jobs import Pending, ask, library_spec, queue_of, wait_for
from .pagekit import Signed, page
from .problems import Problem
from .reporting import DEFAULT_TARGET, csv_response, in_use, stage_names
from .state import service_of

__all__ = ["report_job", "router"]

router = APIRouter(include_in_schema=False)
Day = Annotated[InRange | None, Query(description="YYYY-MM-DD (default: today)")]


def report_job(
    request: Request,
    user: User,
    kind: str,
    params: dict[str, Any],
    as_of: dt.date | None,
    *,
    redirect: bool = True,
) -> tuple[Job, dict[str, Any] | None]:
    """The job of a report and its result as ``user`` may see it (None while it runs).

    Without ``as_of``: today for those who may start a run, else the latest date computed.

    Raises:
        Pending: (with ``redirect``) if it is not done after a moment: show its progress
            (without, the job is given with no result: the page shows its progress).
        Problem(403): a date nobody computed, for those who may not start a run.
        Problem(422): if the job failed (its message says why).
    """
    role = user.role.value
    found = KINDS[kind]
    day = as_of
    if day is None:
        if role in found.start and role not in found.start_if_computed:
            day = dt.date.today()
        else:
            dates = queue_of(request).computed_dates(library_spec(request).digest)
            if not dates:
                raise Problem(
                    403,
                    "no report has been computed yet for the library in use; hr or equality "
                    "compute them (or 'pathways jobs submit' on the server)",
                    kind="forbidden",
                )
            day = dates[0]
    job = ask(request, user, kind, {**params, "as_of": day.isoformat()})
    if not job.finished:
        job = wait_for(request, job, request.app.state.job_wait)
    if job.state == "done":
        return job, queue_of(request).result(job, role)
    if job.finished:
        raise Problem(422, job.error or f"the {found.words} was {job.state}", kind="job-failed")
    if redirect:
        query = request.query_params.multi_items()
        back = (
            request.url.path
            + "?"
            + "&".join(
                f"{k}={_q(v)}"
                for k, v in [*[(k, v) for k, v in query if k != "as_of"], ("as_of", str(day))]
            )
        )
        raise Pending(job, back)
    return job, None


def _q(value: str) -> str:
    return quote(value, safe="")


def _known_stage(request: Request, text: str, name: str) -> str:
    """``text`` if the library in use has that stage (404 naming the nearest if not)."""
    keys = stage_names(in_use(request))
    if text not in keys:
        near = did_you_mean(text, list(keys))
        raise Problem(
            404,
            f"no stage '{text[:120]}' in the library in use"
            + (f"; did you mean {near}?" if near else ""),
            kind="not-found",
        )
    return text


# --- the pipeline ------------------------------------------------------------------------------


def _pipeline(
    request: Request, user: User, target: str, as_of: dt.date | None
) -> tuple[dict[str, Any], Job]:
    _known_stage(request, target, "target")
    job, data = report_job(request, user, "pipeline", {"target": target}, as_of)
    assert data is not None
    return data, job


@router.get("/reports/pipeline", response_class=HTMLResponse)
def pipeline_page(
    request: Request,
    user: Signed,
    target: Annotated[str, Query(max_length=120)] = DEFAULT_TARGET,
    as_of: Day = None,
) -> Response:
    report, job = _pipeline(request, user, target, as_of)
    total = report["total"]
    chart = bar_chart(
        f"Pipeline for {report['target_name']}, all business groups",
        [
            ("hold it", total["held"], str(total["held"])),
            ("eligible now", total["eligible"], str(total["eligible"])),
            ("within 6 months", total["within_6"], str(total["within_6"])),
            ("within 12 months", total["within_12"], str(total["within_12"])),
        ],
    )
    return page(
        request,
        "reports_pipeline.html",
        report=report,
        job=job,
        fresh=queue_of(request).fresh(job),
        chart=chart,
        names=stage_names(in_use(request, dt.date.fromisoformat(report["as_of"]))),
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
            "target": report["target"],
            "as_of": report["as_of"],
            "business_group": r["business_group"],
            **{c: r[c] for c in CATEGORIES},
            **({f"{c}_people": " ".join(r["people"][c]) for c in CATEGORIES} if lists else {}),
        }
        for r in [*report["rows"], report["total"]]
    ]
    return csv_response(rows, f"pipeline-{report['target']}-{report['as_of']}.csv")


# --- equality ------------------------------------------------------------------------------------


def _equality(
    request: Request,
    user: User,
    pathway: str | None,
    by: str,
    as_of: dt.date | None,
    reference: str | None,
) -> tuple[dict[str, Any], Job]:
    require_role(user, Role.EQUALITY, Role.HR)
    if by not in GROUPINGS:
        raise Problem(
            422, f"'by' is one of {', '.join(GROUPINGS)}, not '{by[:30]}'", kind="validation"
        )
    library = service_of(request).library().library
    if pathway and pathway not in library.pathways:
        raise Problem(404, f"no pathway '{pathway}' in the library in use", kind="not-found")
    params = {"pathway": pathway or None, "by": by, "reference": reference or None}
    job, data = report_job(request, user, "equality", params, as_of)
    assert data is not None
    return data, job


def reference_choices(stages: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """The stated groups of the tables, as (id, words), in table order."""
    seen: dict[str, str] = {}
    for stage in stages:
        for row in stage["rows"]:
            if row["stated"] and row["group"] != "all":
                seen.setdefault(row["group"], row["group_name"])
    return list(seen.items())


def _chart(stage: dict[str, Any], by_words: str) -> str:
    ref = next((r for r in stage["rows"] if r["reference"]), None)
    best = ref["rate"] if ref is not None else None
    return bar_chart(
        f"{stage['name']}: share holding or eligible, by {by_words}",
        [
            (
                r["group_name"],
                r["rate"],
                "hidden [c]"
                if r["people"] is None or r["has"] is None
                else rate_text(r["rate"])
                + (" (reference)" if r["reference"] else "")
                + (" (under 4/5)" if r["under_four_fifths"] else ""),
            )
            for r in stage["rows"]
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
    report, job = _equality(request, user, pathway, by, as_of, reference)
    library = in_use(request, dt.date.fromisoformat(report["as_of"]))
    trend: dict[str, Any] | None = None
    trend_job: Job | None = None
    if trend_stage:
        _known_stage(request, trend_stage, "trend_stage")
        params = {"stage": trend_stage, "by": by, "reference": reference or None}
        day = dt.date.fromisoformat(report["as_of"])
        # The tables now; the trend (five runs the first time) when it is made.
        trend_job, trend = report_job(request, user, "trend", params, day, redirect=False)
    return page(
        request,
        "reports_equality.html",
        report=report,
        job=job,
        fresh=queue_of(request).fresh(job),
        by=by,
        pathway=pathway,
        charts={s["stage"]: _chart(s, report["by_words"]) for s in report["stages"]},
        trend_stage=trend_stage,
        trend_name=stage_names(library).get(trend_stage, ""),
        trend=trend,
        trend_job=trend_job,
        pathways=[(p.id, p.name) for p in library.pathways.values()],
        groupings=[(g, grouping_words(g)) for g in GROUPINGS],
        reference=reference,
        references=reference_choices(report["stages"]),
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
    report, _ = _equality(request, user, pathway, by, as_of, reference)
    rows = [{**row, "library_version": report["library_version"]} for row in table_rows(report)]
    return csv_response(rows, f"equality-{by}-{report['as_of']}.csv")
