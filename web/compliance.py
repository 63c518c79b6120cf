"""The compliance page: who must act on an obligation (overdue, or due within a window), per
business group, for HR (with names); and for HR and equality, the counts by protected
characteristic with small numbers hidden. CSV downloads of each.

The report reads every stored record; it is kept per process for the library version,
date and window while the stored workforce stays the same (:mod:`store.fingerprint`), and
made by one request at a time (a second one waits for it rather than making it again).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from pathways.dates import Day as InRange
from store.fingerprint import people_fingerprint
from store.users import Role, User
from workforce import fairness
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

from .auth import require_role
from .pagekit import Signed, page
from .problems import Problem
from .reporting import csv_response

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
_LOCK = threading.Lock()
_KEPT: OrderedDict[tuple[Any, ...], Compliance] = OrderedDict()
KEPT = 6
Day = Annotated[InRange | None, Query(description="YYYY-MM-DD (default: today)")]
Window = Annotated[int, Query(ge=0, le=3660)]


def report_for(request: Request, as_of: dt.date, window: int) -> Compliance:
    """The compliance report of the stored workforce with the library in use."""
    store = request.app.state.store
    library = request.app.state.service.library().library
    with _LOCK:  # one at a time: it reads every record
        key = (id(store), library.digest, as_of, window, people_fingerprint(store))
        found = _KEPT.get(key)
        if found is None:
            found = compliance(store, library, as_of, window)
            _KEPT[key] = found
            while len(_KEPT) > KEPT:
                _KEPT.popitem(last=False)
        _KEPT.move_to_end(key)
        return found


def _grouping(by: str) -> str:
    if by not in GROUPINGS:
        raise Problem(
            422,
            f"'by' is one of {', '.join(GROUPINGS)}, not '{by[:40]}'",
            kind="validation",
            errors=[{"field": "query.by", "message": f"one of {', '.join(GROUPINGS)}"}],
        )
    return by


def _seen(report: Compliance, user: User, group: str) -> Compliance:
    """The report as this user may see it: names for HR only; one business group if asked."""
    entries = report.entries if user.role is Role.HR else []
    if group:
        if group not in report.groups():
            raise Problem(404, f"nobody in business group '{group[:60]}' has an obligation")
        entries = [e for e in entries if e.business_group == group]
    counts = [c for c in report.counts if not group or c.group in (group, "all")]
    return Compliance(
        report.as_of,
        report.library_version,
        report.window_days,
        report.obligations,
        entries,
        counts,
        report.people,
        report.atoms,
        report.pools,
    )


@router.get("/reports/compliance", response_class=HTMLResponse)
def compliance_page(
    request: Request,
    user: Signed,
    as_of: Day = None,
    window: Window = WINDOW_DAYS,
    group: Annotated[str, Query(max_length=80)] = "",
    by: Annotated[str, Query(max_length=40)] = "ethnicity",
) -> Response:
    require_role(user, Role.HR, Role.EQUALITY)
    grouping = _grouping(by)
    full = report_for(request, as_of or dt.date.today(), window)
    report = _seen(full, user, group)
    tables = {key: equality_tables(full, key, [grouping])[grouping] for key in full.obligations}
    return page(
        request,
        "reports_compliance.html",
        report=report,
        groups=full.groups(),
        group=group,
        by=grouping,
        by_words=grouping_words(grouping),
        groupings=[(g, grouping_words(g)) for g in GROUPINGS],
        tables=tables,
        names=user.role is Role.HR,
        stats=fairness,
    )


@router.get("/reports/compliance.csv")
def compliance_csv(
    request: Request,
    user: Signed,
    as_of: Day = None,
    window: Window = WINDOW_DAYS,
    group: Annotated[str, Query(max_length=80)] = "",
    table: Annotated[str, Query(max_length=20)] = "people",
    by: Annotated[str, Query(max_length=40)] = "ethnicity",
) -> Response:
    """``table=people`` (HR: who must act), ``groups`` (counts by business group) or
    ``equality`` (counts by ``by``, hidden counts empty)."""
    require_role(user, Role.HR, Role.EQUALITY)
    full = report_for(request, as_of or dt.date.today(), window)
    report = _seen(full, user, group)
    day = report.as_of.isoformat()
    rows: list[dict[str, Any]]
    if table == "people":
        require_role(user, Role.HR)
        rows = entry_rows(report)
    elif table == "groups":
        rows = count_rows(report)
    elif table == "equality":
        rows = [
            {k: fairness.HIDDEN if v is None else v for k, v in row.items()}
            for row in equality_rows(full, _grouping(by))
        ]
    else:
        raise Problem(
            422,
            f"'table' is people, groups or equality, not '{table[:20]}'",
            kind="validation",
            errors=[{"field": "query.table", "message": "people, groups or equality"}],
        )
    return csv_response(rows, f"compliance-{table}-{day}.csv")
