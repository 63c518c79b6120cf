"""The Talent Cascade page for HR: each mentor and how many people they mentor, pairs that
do not look right, and who must have a mentor but has none; with a CSV of the mentors."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from pathways.dates import Day as InRange
from store.users import Role
from workforce.reports.cascade import Cascade, cascade

from .auth import require_role
from .pagekit import Signed, page
from .reporting import csv_response

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
Day = Annotated[InRange | None, Query(description="YYYY-MM-DD (default: today)")]


def _report(request: Request, as_of: dt.date | None) -> Cascade:
    library = request.app.state.service.library().library
    return cascade(request.app.state.store, library, as_of or dt.date.today())


@router.get("/reports/talent-cascade", response_class=HTMLResponse)
def cascade_page(request: Request, user: Signed, as_of: Day = None) -> Response:
    require_role(user, Role.HR)
    return page(request, "reports_cascade.html", report=_report(request, as_of))


@router.get("/reports/talent-cascade.csv")
def cascade_csv(request: Request, user: Signed, as_of: Day = None) -> Response:
    require_role(user, Role.HR)
    report = _report(request, as_of)
    rows: list[dict[str, Any]] = [
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
    return csv_response(rows, f"talent-cascade-{report.as_of}.csv")
