"""The web application: server-rendered pages for people and HR, and the JSON API.

>>> app = create_app("sqlite://", workers=1)  # workers start with the app (lifespan)
>>> app.title
'Career pathways'
"""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request, Response
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool

from rules.decision import Status
from rules.status import OBLIGATION_SYMBOLS, STATUS_SYMBOLS, obligation_words, status_words
from store import Store
from store.users import Users
from workforce.fairness import shown

from . import (
    api,
    api_manage,
    api_reports,
    cascade,
    compliance,
    dataquality,
    keyposts,
    pages,
    reports,
)
from .auth import NeedPasswordChange, NeedSignIn, RateLimiter, Sessions, bearer_user
from .docs import install_docs
from .limits import MAX_BODY, OPEN_BODY, BodyLimit, has_body
from .openapi import install_openapi, operation_id
from .problems import Problem, install_handlers, problem_response
from .runs import PopulationRuns
from .service import DecisionService

__all__ = ["MAX_BODY", "SECRET_ENV", "create_app"]

HERE = Path(__file__).parent
#: Pages need no script; styles may be inline (graphviz's SVG uses style attributes).
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
SECRET_ENV = "PATHWAYS_WEB_SECRET"
log = logging.getLogger("web")


def create_app(
    db_url: str,
    library_dir: str | Path | None = None,
    workers: int = 2,
    secret: str | None = None,
) -> FastAPI:
    """The app for the records store at ``db_url``.

    Decisions use ``library_dir`` if given, else the store's active library version,
    else the shipped library. ``workers`` rules-engine processes start with the app
    and stop with it. ``secret`` signs session cookies (default: ``$PATHWAYS_WEB_SECRET``,
    else a random one per process, which signs everyone out when the server restarts).
    """
    # Over 80 lines on purpose: the app's wiring (state, handlers, the session middleware,
    # routers) in one place, in the order it runs.
    store = Store(db_url)
    fixed = Path(library_dir) if library_dir is not None else None

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        service = DecisionService(store, fixed, workers)
        app.state.service = service
        try:
            await run_in_threadpool(service.start)  # loading and spawning: not on the loop
            yield
        finally:
            service.close()
            store.close()

    app = FastAPI(
        title="Career pathways",
        version="0.1.0",
        description="Eligibility decisions, what-if, records and the pathway library. "
        "Authenticate with `Authorization: Bearer TOKEN` (`pathways users token`). "
        "Errors are RFC 9457 problem details (`application/problem+json`).",
        lifespan=lifespan,
        docs_url=None,  # web.docs serves /docs from installed files, not a CDN
        redoc_url=None,
        generate_unique_id_function=operation_id,
    )
    app.state.store = store
    app.state.users = Users(store)
    app.state.sessions = Sessions(
        secret or os.environ.get(SECRET_ENV) or secrets.token_hex(32), store, app.state.users
    )
    app.state.limiter = RateLimiter(store)
    app.state.runs = PopulationRuns(store)
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.globals["symbols"] = STATUS_SYMBOLS
    templates.env.globals["status_words"] = status_words
    templates.env.globals["obligation_symbols"] = OBLIGATION_SYMBOLS
    templates.env.globals["obligation_words"] = obligation_words
    templates.env.globals["Status"] = Status
    templates.env.globals["zip"] = zip
    templates.env.globals["shown"] = shown
    app.state.templates = templates
    install_handlers(app)

    async def on_sign_in(request: Request, exc: Exception) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={_quote(target)}", status_code=303)

    app.add_exception_handler(NeedSignIn, on_sign_in)

    async def on_password(request: Request, exc: Exception) -> Response:
        return RedirectResponse("/account?must_change=1", status_code=303)

    app.add_exception_handler(NeedPasswordChange, on_password)

    @app.middleware("http")
    async def session_middleware(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        sessions: Sessions = request.app.state.sessions
        session, user = await run_in_threadpool(sessions.load, request)
        request.state.session = session
        request.state.user = user
        refused = await _unauthenticated_body(request)
        if refused is not None:
            return refused
        response = await call_next(request)
        if session.get("new") or session.get("changed"):
            sessions.save(request, response, session)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=()"
        )
        response.headers.setdefault("Content-Security-Policy", CSP)
        if request.url.scheme == "https":
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response

    # Outermost: JSON and pages leave compressed for clients that accept gzip (a full
    # decision is 76 KB as JSON, about 6 KB compressed).
    app.add_middleware(GZipMiddleware, minimum_size=1000)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    app.add_middleware(BodyLimit)  # added last: the outermost, it sees every body first
    app.include_router(api.router)
    app.include_router(api_manage.router)
    app.include_router(api_reports.router)
    app.include_router(pages.router)
    app.include_router(reports.router)
    app.include_router(dataquality.router)
    app.include_router(compliance.router)
    app.include_router(keyposts.router)
    app.include_router(cascade.router)
    install_docs(app)
    install_openapi(app)
    return app


async def _unauthenticated_body(request: Request) -> Response | None:
    """A 401 for a request that sends a body without credentials (sign-in and sign-out
    excepted), before a byte of the body is read; None if it may go on. A bearer token is
    checked here, once: ``web.auth.api_user`` takes the user found."""
    if request.method in ("GET", "HEAD", "OPTIONS") or request.url.path in OPEN_BODY:
        return None
    header = request.headers.get("authorization", "")
    if header:
        user = await run_in_threadpool(bearer_user, request, header)
        request.state.bearer = user
        if user is not None:
            return None
    elif request.state.user is not None or not has_body(request.headers):
        return None
    problem = Problem(
        401,
        "sign in, or send a valid API token as 'Authorization: Bearer TOKEN', before "
        "sending a body",
        kind="unauthorized",
        headers={"WWW-Authenticate": "Bearer", "Connection": "close"},
    )
    return problem_response(request, problem)


def _quote(text: str) -> str:
    from urllib.parse import quote

    return quote(text, safe="/")
