"""Server-rendered pages: sign-in, HR's people search and the equality counts. A person's
pages (My pathways, goal, pathway, diagram, what if, PDR print) are in :mod:`web.officer`,
HR's library pages in :mod:`web.library_pages`, the admin's in :mod:`web.admin`, everyone's
own account (API tokens, password) in :mod:`web.account`; all are included in
:data:`router`."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from store.users import Role

from . import account, admin, library_pages, officer, record_edit
from .auth import check_csrf, require_role, session_user, sign_in_session, sign_out_session
from .pagekit import Signed, home_of, page
from .problems import Problem
from .reporting import characteristic_counts

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
log = logging.getLogger("web")


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> Response:
    user = session_user(request)
    if user is None:
        return RedirectResponse("/login", status_code=303)
    target = home_of(user)
    if target == "/":
        return page(request, "home.html")
    return RedirectResponse(target, status_code=303)


# --- sign-in ----------------------------------------------------------------------------


def _safe_next(target: str | None) -> str | None:
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return None


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str | None = None) -> Response:
    return page(request, "login.html", next=_safe_next(next), error=None, username="")


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    username: Annotated[str, Form(max_length=100)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    csrf_token: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(request, csrf_token)
    address = request.client.host if request.client else "unknown"
    limiter = request.app.state.limiter
    wait = limiter.reserve(username, address)  # before the password is checked
    if wait:
        raise Problem(
            429,
            f"too many failed sign-ins for '{username}'; try again in {wait} seconds",
            title="Too many attempts",
            kind="rate-limited",
            headers={"Retry-After": str(wait)},
        )
    user = request.app.state.users.authenticate(username, password)
    if user is None:  # the reserved attempt stays counted as a failure
        return page(
            request,
            "login.html",
            status=401,
            next=_safe_next(next),
            error="The username or password is not right.",
            username=username,
        )
    limiter.succeeded(username, address)
    sign_in_session(request, user)
    if user.must_change:
        return RedirectResponse("/account?must_change=1", status_code=303)
    return RedirectResponse(_safe_next(next) or home_of(user), status_code=303)


@router.post("/logout")
def logout(request: Request, csrf_token: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf_token)
    sign_out_session(request)
    return RedirectResponse("/login", status_code=303)


# --- HR and equality ----------------------------------------------------------------------


@router.get("/people", response_class=HTMLResponse)
def people_search(
    request: Request, user: Signed, q: Annotated[str, Query(max_length=32)] = ""
) -> Response:
    require_role(user, Role.HR)
    store = request.app.state.store
    _, rows = store.list_people(q, limit=50)
    return page(request, "people.html", rows=rows, q=q, total=store.count_people())


@router.get("/equality", response_class=HTMLResponse)
def equality(request: Request, user: Signed) -> Response:
    return page(request, "equality.html", tables=characteristic_counts(request, user))


router.include_router(officer.router)
router.include_router(record_edit.router)
router.include_router(library_pages.router)
router.include_router(admin.router)
router.include_router(account.router)
