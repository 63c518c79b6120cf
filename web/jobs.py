"""Background jobs on the web: the JSON API (``/api/jobs``) and the job pages (``/jobs``).

Whole-workforce work (population runs, reports, trends, impact previews) is asked for here
and worked by ``pathways worker`` processes (``pathways serve`` starts one, and
:func:`web.app.create_app` works jobs in a thread of its own by default). Who may start and
see which job is decided in :mod:`workforce.jobs.queue`, the same for the pages, the API and
the command line.

API: ``POST /api/jobs`` with ``{"kind": ..., "params": {...}}`` answers **202 Accepted**
with the job and its URL in ``Location`` (a result already made from the records as they
are is given at once: the job is ``done``); ``GET /api/jobs/{id}`` gives its state,
progress (percent, people done, time left) and, once done, its result; ``DELETE`` cancels
it. The models are :class:`JobIn`, :class:`JobOut` and :class:`JobProgress`; a result's
shape depends on the kind (docs/reports.md, "Reports as background jobs").

Pages: ``/jobs/{id}`` shows a job's progress, refreshed by ``static/jobs.js`` (or, without
script, by the page itself every few seconds), and moves on to the report when it is done.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from store.jobs import Job, JobLimit
from store.users import User
from workforce import fairness
from workforce.jobs import KINDS, JobInvalid, JobNotFound, JobQueue, JobRefused, LibraryError
from workforce.jobs.library import LibrarySpec, spec_of

from .apikit import ERRORS, PROBLEM, Caller
from .auth import check_csrf
from .library import check_files
from .pagekit import Signed, page
from .problems import Problem
from .state import service_of

__all__ = [
    "JobIn",
    "JobOut",
    "JobProgress",
    "Pending",
    "ask",
    "job_out",
    "library_spec",
    "queue_of",
    "router",
    "wait_for",
]

router = APIRouter()
JobId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$", description="The job's id")]
#: Seconds a page waits for a job before showing its progress instead (most jobs on a
#: computed date take well under a second).
PAGE_WAIT = 2.0


class JobIn(BaseModel):
    """A job to start: its kind and parameters (the library in use and, for an impact
    preview, the proposed files are filled in by the server)."""

    kind: str = Field(description="population, pipeline, equality, trend, impact or compliance")
    params: dict[str, Any] = Field(
        default_factory=dict,
        description="as_of (YYYY-MM-DD) and the kind's own: pipeline target; equality "
        "pathway, by, reference; trend stage, by, reference; population pathways; impact "
        "files ({name: YAML text}) and reference; compliance window (days) and by",
    )


class JobProgress(BaseModel):
    percent: float = Field(description="0-100")
    done: int = Field(description="People decided so far (over every run the job makes)")
    total: int = Field(description="People to decide (0 until known)")
    seconds_left: float | None = Field(description="An estimate; null until there is a pace")
    phase: str | None = Field(description="What it is doing, in words")


class JobOut(BaseModel):
    """A job: what it is, where it is, and its result once done."""

    id: str
    kind: str
    kind_words: str
    state: str = Field(description="queued, running, done, failed or cancelled")
    as_of: dt.date | None
    library_version: str | None
    params: dict[str, Any] = Field(description="As asked (library files left out)")
    owner: str
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    attempts: int = Field(description="Tries so far: a job whose worker died is retried")
    progress: JobProgress
    fresh: bool | None = Field(
        description="Done: whether the result was made from the records as they are now"
    )
    result: dict[str, Any] | None = Field(description="Once done; its shape is the kind's")
    error: str | None
    url: str = Field(description="This job in the API")
    page: str = Field(description="This job on the web")


class Pending(Exception):
    """A page's report is not made yet: show its job's progress (then come back)."""

    def __init__(self, job: Job, back: str):
        super().__init__(job.id)
        self.job, self.back = job, back


def queue_of(request: Request) -> JobQueue:
    queue: JobQueue = request.app.state.jobs
    return queue


def library_spec(request: Request, day: dt.date | None = None) -> LibrarySpec:
    """The library that decides as of ``day`` (default today: the version in force then),
    as a job names it (kept per library version, a few at a time)."""
    used = service_of(request).library(day)
    kept: dict[str, LibrarySpec] = request.app.state.job_specs
    spec = kept.get(used.library.digest)
    if spec is None:
        try:
            spec = spec_of(used.directory, used.version)
        except LibraryError as exc:
            raise Problem(500, str(exc), kind="library") from None
        if len(kept) >= 4:
            kept.clear()
        kept[used.library.digest] = spec
    return spec


def ask(request: Request, user: User, kind: str, params: dict[str, Any]) -> Job:
    """The job for this work with the library in use (fresh, queued, running or new).

    Raises:
        Problem(403, 404, 422, 429): refused, unknown kind, invalid parameters, too many.
    """
    day = params.get("as_of")  # a report of a date is decided by the rules in force then
    spec = library_spec(request, dt.date.fromisoformat(day) if isinstance(day, str) else None)
    wanted = {"library": spec.model_dump(exclude_none=True), **params}
    try:
        return queue_of(request).ask(kind, wanted, owner=user.username, role=user.role.value)
    except JobInvalid as exc:
        raise Problem(422, str(exc), kind="validation", errors=exc.errors) from None
    except JobRefused as exc:
        raise Problem(403, str(exc), kind="forbidden") from None
    except JobLimit as exc:
        raise Problem(429, str(exc), kind="too-many-jobs", headers={"Retry-After": "30"}) from None


def wait_for(request: Request, job: Job, seconds: float) -> Job:
    """``job`` once finished, or as it is after ``seconds`` (called in a worker thread of
    the server, never on its event loop)."""
    queue = queue_of(request)
    deadline = time.monotonic() + seconds
    while not job.finished and time.monotonic() < deadline:
        time.sleep(0.1)
        found = queue.jobs.get(job.id)
        if found is None:
            break
        job = found
    return job


def job_out(request: Request, job: Job, user: User) -> JobOut:
    queue = queue_of(request)
    params = {k: v for k, v in job.params.items() if k not in ("library", "proposed")}
    return JobOut(
        id=job.id,
        kind=job.kind,
        kind_words=KINDS[job.kind].words,
        state=job.state,
        as_of=job.as_of or _day(job.params.get("as_of")),
        library_version=job.library_version,
        params=params,
        owner=job.owner,
        created_at=job.created_at,
        started_at=job.started_at,
        finished_at=job.finished_at,
        attempts=job.attempts,
        progress=JobProgress(
            percent=round(job.percent, 1),
            done=job.done,
            total=job.total,
            seconds_left=job.seconds_left(),
            phase=job.phase,
        ),
        fresh=queue.fresh(job) if job.state == "done" else None,
        result=queue.result(job, user.role.value),
        error=job.error,
        url=f"/api/jobs/{job.id}",
        page=f"/jobs/{job.id}",
    )


def _day(text: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(text))
    except ValueError:
        return None


def _get(request: Request, job_id: str, user: User) -> Job:
    try:
        return queue_of(request).get(job_id, user.role.value)
    except JobNotFound as exc:
        raise Problem(404, str(exc), kind="not-found") from None


# --- the API -------------------------------------------------------------------------------


@router.post(
    "/api/jobs",
    status_code=202,
    tags=["jobs"],
    response_model=JobOut,
    responses={**ERRORS, 429: PROBLEM},
    operation_id="start_job",
    summary="Start a background job (or get the fresh result)",
)
def start_job(request: Request, user: Caller, body: JobIn) -> JSONResponse:
    """Ask for whole-workforce work with the library in use: 202 with the job and its URL
    in ``Location``. Poll ``GET /api/jobs/{id}`` for its progress and result. Asking
    again for the same work while it runs gives the same job; a result already made from
    the records as they are comes back done at once."""
    params = dict(body.params)
    if body.kind == "impact":
        params = _impact_params(request, user, params)
    job = ask(request, user, body.kind, params)
    out = job_out(request, job, user)
    return JSONResponse(out.model_dump(mode="json"), status_code=202, headers={"Location": out.url})


def _impact_params(request: Request, user: User, params: dict[str, Any]) -> dict[str, Any]:
    """An impact preview's ``files`` checked against the library in use, as the proposed
    library (422 with the checker's findings if they have errors)."""
    files = params.pop("files", None)
    if user.role.value != "hr":
        raise Problem(403, "impact previews are for hr", kind="forbidden")
    if (
        not isinstance(files, dict)
        or not files
        or not all(isinstance(k, str) and isinstance(v, str) for k, v in files.items())
    ):
        raise Problem(
            422,
            "params.files: the proposed pathway files, as {file name: YAML text}",
            kind="validation",
            errors=[{"field": "params.files", "message": "an object of file name: YAML text"}],
        )
    try:
        check = check_files(service_of(request).library(), files)
    except ValueError as exc:
        raise Problem(422, str(exc), kind="validation") from None
    if check.errors or check.digest is None:
        raise Problem(
            422,
            "the files have errors: "
            + "; ".join(
                f.problem.format() for f in check.findings if f.problem.severity.value == "error"
            )[:2000],
            kind="validation",
        )
    return {**params, "proposed": {"digest": check.digest, "files": check.files}}


@router.get(
    "/api/jobs/{job_id}",
    tags=["jobs"],
    response_model=JobOut,
    responses=ERRORS,
    operation_id="get_job",
    summary="A job's state, progress and result",
)
def get_job(request: Request, user: Caller, job_id: JobId) -> JobOut:
    """Its state and progress; once done, its result (as your role may see it: a
    pipeline's people's ids for hr only)."""
    return job_out(request, _get(request, job_id, user), user)


@router.get(
    "/api/jobs",
    tags=["jobs"],
    response_model=list[JobOut],
    responses=ERRORS,
    operation_id="list_jobs",
    summary="Recent jobs you may see",
)
def list_jobs(
    request: Request,
    user: Caller,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[JobOut]:
    """The newest jobs of the kinds your role may see, without their results."""
    jobs = queue_of(request).recent(user.role.value, limit=limit)
    return [job_out(request, j, user).model_copy(update={"result": None}) for j in jobs]


@router.delete(
    "/api/jobs/{job_id}",
    tags=["jobs"],
    response_model=JobOut,
    responses=ERRORS,
    operation_id="cancel_job",
    summary="Cancel a job (its owner, or hr)",
)
def cancel_job(request: Request, user: Caller, job_id: JobId) -> JobOut:
    """A queued job stops at once; a running one at its next progress report."""
    return job_out(request, _cancel(request, user, job_id), user)


def _cancel(request: Request, user: User, job_id: str) -> Job:
    try:
        return queue_of(request).cancel(job_id, user.role.value, user.username)
    except JobNotFound as exc:
        raise Problem(404, str(exc), kind="not-found") from None
    except JobRefused as exc:
        raise Problem(403, str(exc), kind="forbidden") from None


# --- the pages -------------------------------------------------------------------------------


def safe_next(target: str | None) -> str | None:
    """``target`` if it is a path on this site (never another site: no open redirect).

    >>> safe_next("/reports/pipeline?as_of=2024-06-01"), safe_next("//evil.example/")
    ('/reports/pipeline?as_of=2024-06-01', None)
    """
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    return target


def pending_redirect(request: Request, pending: Pending) -> Response:
    """A page whose report is not made yet goes to its job's progress page."""
    target = f"/jobs/{pending.job.id}?next={quote(pending.back, safe='/')}"
    return RedirectResponse(target, status_code=303)


@router.get("/jobs", response_class=HTMLResponse, include_in_schema=False)
def jobs_page(request: Request, user: Signed) -> Response:
    queue = queue_of(request)
    return page(
        request,
        "jobs.html",
        jobs=queue.recent(user.role.value, limit=50),
        kinds=KINDS,
        counts=queue.jobs.counts(),
    )


@router.get("/jobs/{job_id}", response_class=HTMLResponse, include_in_schema=False)
def job_page(
    request: Request,
    user: Signed,
    job_id: JobId,
    next: Annotated[str | None, Query(max_length=2000)] = None,
) -> Response:
    job = _get(request, job_id, user)
    back = safe_next(next)
    if job.state == "done" and back is not None:
        return RedirectResponse(back, status_code=303)
    queue = queue_of(request)
    result = queue.result(job, user.role.value)
    return page(
        request,
        "job.html",
        tables=impact_tables(result) if job.kind == "impact" else {},
        stats=fairness,
        job=job,
        kind=KINDS[job.kind],
        out=job_out(request, job, user),
        back=back,
        result=result,
        fresh=queue.fresh(job),
        may_cancel=not job.finished and (job.owner == user.username or user.role.value == "hr"),
    )


def impact_tables(result: dict[str, Any] | None) -> dict[str, list[dict[str, Any]]]:
    """An impact result's equality rows as tables: stage -> [{characteristic, rows, note}]
    (a table withheld whole has a note and no rows)."""
    tables: dict[str, dict[str, dict[str, Any]]] = {}
    report = (result or {}).get("impact") or {}
    for row in report.get("equality", []):
        by = tables.setdefault(row["stage"], {})
        table = by.setdefault(
            row["characteristic"],
            {"characteristic": row["characteristic"], "rows": [], "note": None},
        )
        if row.get("group") is None:
            table["note"] = row.get("note")
        else:
            table["rows"].append(row)
    return {stage: list(by.values()) for stage, by in tables.items()}


@router.post("/jobs/{job_id}/cancel", include_in_schema=False)
def cancel_page(
    request: Request,
    user: Signed,
    job_id: JobId,
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(request, csrf_token)
    job = _cancel(request, user, job_id)
    return RedirectResponse(f"/jobs/{job.id}", status_code=303)
