"""Errors as RFC 9457 problem details (``application/problem+json``) for the API, and as
an HTML page, with the same title and detail, for the pages."""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from pathways.problems import CareerPathwaysError

__all__ = ["PROBLEM_TYPE", "Problem", "install_handlers", "problem_response"]

log = logging.getLogger("web")

PROBLEM_TYPE = "https://pathways.example/problems/"


class Problem(CareerPathwaysError):
    """Raise to answer with a problem: ``status``, a short ``title``, a ``detail``."""

    def __init__(
        self,
        status: int,
        detail: str,
        title: str | None = None,
        kind: str | None = None,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ):
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.title = title or HTTPStatus(status).phrase
        self.kind = kind or HTTPStatus(status).phrase.lower().replace(" ", "-")
        self.headers = headers or {}
        self.extra = extra


def _wants_html(request: Request) -> bool:
    if request.url.path.startswith("/api/") or request.url.path in ("/openapi.json",):
        return False
    return "text/html" in request.headers.get("accept", "")


def problem_response(request: Request, problem: Problem) -> Response:
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE + problem.kind,
        "title": problem.title,
        "status": problem.status,
        "detail": problem.detail,
        "instance": request.url.path,
        **problem.extra,
    }
    if _wants_html(request):
        templates = request.app.state.templates
        session = getattr(request.state, "session", None)
        # The session middleware has already checked the user (web.auth.session_user).
        signed_in = getattr(request.state, "user", None) if session is not None else None
        return templates.TemplateResponse(  # type: ignore[no-any-return]
            request,
            "error.html",
            {"problem": body, "user": signed_in, "csrf": session["c"] if session else ""},
            status_code=problem.status,
            headers=problem.headers,
        )
    return JSONResponse(
        body,
        status_code=problem.status,
        media_type="application/problem+json",
        headers=problem.headers,
    )


def _field(loc: tuple[Any, ...] | list[Any]) -> str:
    """``("body", "add", 0)`` -> ``body.add[0]``."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def install_handlers(app: FastAPI) -> None:
    async def on_problem(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, Problem)
        return problem_response(request, exc)

    async def on_http(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        headers = dict(exc.headers or {})
        detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
        if exc.status_code == 404 and detail == "Not Found":
            detail = f"there is nothing at {request.url.path}"
        if exc.status_code == 405:
            detail = f"{request.method} is not allowed on {request.url.path}"
        return problem_response(request, Problem(exc.status_code, detail, headers=headers))

    async def on_validation(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        errors = [
            {"field": _field(e.get("loc", ())), "message": e.get("msg", ""), "type": e.get("type")}
            for e in exc.errors()
        ]
        shown = "; ".join(f"{e['field']}: {e['message']}" for e in errors[:5])
        return problem_response(
            request,
            Problem(
                422,
                f"the request is not valid: {shown}",
                title="Invalid request",
                kind="validation",
                errors=errors,
            ),
        )

    async def on_error(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return problem_response(
            request,
            Problem(500, "an unexpected error happened; it has been logged", kind="internal"),
        )

    app.add_exception_handler(Problem, on_problem)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(Exception, on_error)
