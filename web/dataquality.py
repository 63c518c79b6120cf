"""HR's "records to check" page: people holding a stage on its award alone, while the
record does not show the stage's own requirements (see :mod:`workforce.dataquality`).

A page checks :data:`PAGE` records in id order (about 1.5 ms each, so a page stays well
under two seconds on a large store) and links to the next; ``pathways data-quality``
checks them all at once.
"""

from __future__ import annotations

import datetime as dt
import threading
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from rules.batch import BatchEvaluator
from store.users import Role, User
from workforce.dataquality import DataQualityReport, scan

from .auth import require_role
from .pagekit import AsOf, Signed, page
from .problems import Problem
from .state import service_of, store_of

__all__ = ["PAGE", "records_to_check_report", "router"]

router = APIRouter(include_in_schema=False)
PAGE = 1000
_LOCK = threading.Lock()
_BATCH: dict[str, BatchEvaluator] = {}


def _batch(request: Request) -> BatchEvaluator:
    """The batch evaluator of the library in use (compiled once per library version)."""
    library = service_of(request).library().library
    with _LOCK:
        if library.digest not in _BATCH:
            _BATCH.clear()
            _BATCH[library.digest] = BatchEvaluator(library)
        return _BATCH[library.digest]


def records_to_check_report(
    request: Request, user: User, as_of: dt.date | None, after: str, stage: str
) -> tuple[DataQualityReport, list[tuple[str, str]]]:
    """:data:`PAGE` records after ``after`` checked on ``as_of``, with the findings for
    ``stage`` (or every stage), and every stage as (key, name); shared with the API
    (:mod:`web.api_reports`).

    Raises:
        Problem(403): unless ``user`` is hr.
        Problem(404): an unknown stage.
    """
    require_role(user, Role.HR)
    day = as_of or dt.date.today()
    batch = _batch(request)
    stages = [(key, plan.stage.name) for key, plan in batch.plans.items()]
    if stage and stage not in batch.plans:
        raise Problem(404, f"no stage '{stage}' in the library in use", kind="not-found")
    report = scan(store_of(request), batch, day, after=after, limit=PAGE, stage=stage or None)
    return report, stages


@router.get("/data-quality", response_class=HTMLResponse)
def records_to_check(
    request: Request,
    user: Signed,
    as_of: AsOf = None,
    after: Annotated[str, Query(max_length=32, pattern=r"^[A-Za-z0-9_\-]*$")] = "",
    stage: Annotated[str, Query(max_length=120)] = "",
) -> Response:
    report, stages = records_to_check_report(request, user, as_of, after, stage)
    return page(
        request,
        "data_quality.html",
        report=report,
        total=store_of(request).count_people(),
        after=after,
        stage=stage,
        stages=stages,
        page_size=PAGE,
    )
