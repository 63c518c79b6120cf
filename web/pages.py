"""Server-rendered pages: sign-in, My pathways, a pathway, what if, the PDR print view,
HR's people search and the equality counts. HR's library pages are in
:mod:`web.library_pages`, the admin's in :mod:`web.admin`, everyone's own account (API
tokens, password) in :mod:`web.account`; all are included in :data:`router`."""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import func, select

from accreditation.io import RecordError
from rules.decision import Decision, Status
from rules.session import EngineError
from rules.whatif import parse_addition
from store.schema import people, protected
from store.users import Role, User

from . import account, admin, library_pages
from .auth import check_csrf, require_person, require_role, session_user, sign_in_session
from .deps import decide_for, person_for
from .diagram import pathway_map, stage_anchor
from .pagekit import AsOf, Signed, home_of, page
from .problems import Problem

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
log = logging.getLogger("web")

WHATIF_KINDS = [
    "course",
    "passed",
    "credential",
    "rank",
    "band",
    "endorsement",
    "member",
    "posting",
]


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
    wait = limiter.retry_after(username, address)
    if wait:
        raise Problem(
            429,
            f"too many failed sign-ins for '{username}'; try again in {wait} seconds",
            title="Too many attempts",
            kind="rate-limited",
            headers={"Retry-After": str(wait)},
        )
    user = request.app.state.users.authenticate(username, password)
    if user is None:
        limiter.failed(username, address)
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
    return RedirectResponse(_safe_next(next) or home_of(user), status_code=303)


@router.post("/logout")
def logout(request: Request, csrf_token: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf_token)
    request.state.session.update(u=None, p=None, c=secrets.token_urlsafe(24), changed=True)
    return RedirectResponse("/login", status_code=303)


# --- one person -------------------------------------------------------------------------


def _decision(request: Request, user: User, person_id: str, as_of: dt.date | None) -> Any:
    require_person(user, person_id)
    person = person_for(request, person_id)
    return person, decide_for(request, person, as_of)


def _by_pathway(decision: Decision) -> list[dict[str, Any]]:
    """Per pathway: its stages, the current (highest held) stage, the open ones, the steps."""
    out: dict[str, dict[str, Any]] = {}
    for stage in decision.stages:
        entry = out.setdefault(
            stage.pathway,
            {"id": stage.pathway, "name": stage.pathway_name, "stages": [], "steps": []},
        )
        entry["stages"].append(stage)
    for step in decision.next_steps:
        if step.pathway in out:
            out[step.pathway]["steps"].append(step)
    for entry in out.values():
        held = [s for s in entry["stages"] if s.status is Status.HELD]
        entry["current"] = held[-1] if held else None
        entry["open"] = [
            s
            for s in entry["stages"]
            if s.status in (Status.ELIGIBLE, Status.ELIGIBLE_FROM, Status.LAPSED)
        ]
    return list(out.values())


@router.get("/people/{person_id}", response_class=HTMLResponse)
def my_pathways(request: Request, person_id: str, user: Signed, as_of: AsOf = None) -> Response:
    person, decision = _decision(request, user, person_id, as_of)
    return page(
        request,
        "person.html",
        person=person,
        decision=decision,
        pathways=_by_pathway(decision),
        own=user.person_id == person_id,
    )


@router.get("/people/{person_id}/pathways/{pathway_id}", response_class=HTMLResponse)
def pathway_page(
    request: Request, person_id: str, pathway_id: str, user: Signed, as_of: AsOf = None
) -> Response:
    person, decision = _decision(request, user, person_id, as_of)
    stages = [s for s in decision.stages if s.pathway == pathway_id]
    library = request.app.state.service.library().library
    pathway = library.pathways.get(pathway_id)
    if pathway is None:
        raise Problem(404, f"no pathway '{pathway_id}'", kind="not-found")
    steps = [s for s in decision.next_steps if s.pathway == pathway_id]
    return page(
        request,
        "pathway.html",
        person=person,
        decision=decision,
        pathway=pathway,
        stages=stages,
        steps=steps,
        diagram=pathway_map(
            library,
            pathway_id,
            decision,
            external=lambda p, s: (
                f"/people/{person.id}/pathways/{p}?as_of={decision.as_of}#{stage_anchor(p, s)}"
            ),
        ),
    )


@router.get("/people/{person_id}/print", response_class=HTMLResponse)
def print_view(request: Request, person_id: str, user: Signed, as_of: AsOf = None) -> Response:
    person, decision = _decision(request, user, person_id, as_of)
    return page(
        request,
        "print.html",
        person=person,
        decision=decision,
        pathways=_by_pathway(decision),
    )


@router.get("/people/{person_id}/what-if", response_class=HTMLResponse)
def what_if_form(request: Request, person_id: str, user: Signed) -> Response:
    require_person(user, person_id)
    person = person_for(request, person_id)
    return page(
        request, "whatif.html", person=person, kinds=WHATIF_KINDS, result=None, errors=[], form={}
    )


@router.post("/people/{person_id}/what-if", response_class=HTMLResponse)
def what_if_run(
    request: Request,
    person_id: str,
    user: Signed,
    csrf_token: Annotated[str, Form()] = "",
    kind: Annotated[str, Form(max_length=20)] = "",
    item: Annotated[str, Form(max_length=200)] = "",
    date: Annotated[str, Form(max_length=20)] = "",
    more: Annotated[str, Form(max_length=5000)] = "",
    as_of: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    check_csrf(request, csrf_token)
    require_person(user, person_id)
    person = person_for(request, person_id)
    form = {"kind": kind, "item": item, "date": date, "more": more, "as_of": as_of}
    specs = []
    if item.strip():
        specs.append(f"{kind}:{item.strip()}@{date.strip()}")
    specs.extend(line.strip() for line in more.splitlines() if line.strip())
    errors: list[str] = []
    additions: dict[str, list[dict[str, Any]]] = {}
    for spec in specs:
        try:
            section, added = parse_addition(spec)
        except ValueError as exc:
            errors.append(str(exc))
            continue
        additions.setdefault(section, []).append(added)
    if not specs:
        errors.append("Add at least one item: choose a kind, type its id and pick a date.")
    day = None
    if as_of.strip():
        try:
            day = dt.date.fromisoformat(as_of.strip())
        except ValueError:
            errors.append(f"'As of' date '{as_of}' is not a date like 2027-03-01.")
    result = None
    if not errors:
        try:
            result = request.app.state.service.what_if(person, additions, day)
        except RecordError as exc:
            errors.extend(exc.problems)
        except EngineError as exc:
            raise Problem(503, str(exc), title="Rules engine unavailable", kind="engine") from None
    return page(
        request,
        "whatif.html",
        status=422 if errors else 200,
        person=person,
        kinds=WHATIF_KINDS,
        result=result,
        errors=errors,
        form=form,
    )


# --- HR and equality ----------------------------------------------------------------------


@router.get("/people", response_class=HTMLResponse)
def people_search(
    request: Request, user: Signed, q: Annotated[str, Query(max_length=32)] = ""
) -> Response:
    require_role(user, Role.HR)
    query = select(people.c.id, people.c.name, people.c.kind).order_by(people.c.id).limit(50)
    if q.strip():
        query = query.where(people.c.id.startswith(q.strip().upper(), autoescape=True))
    store = request.app.state.store
    with store.engine.connect() as conn:
        rows = conn.execute(query).all()
    return page(request, "people.html", rows=rows, q=q, total=store.count_people())


@router.get("/equality", response_class=HTMLResponse)
def equality(request: Request, user: Signed) -> Response:
    require_role(user, Role.EQUALITY)
    tables = {}
    with request.app.state.store.engine.connect() as conn:
        for column in ("gender", "ethnicity", "disability"):
            col = protected.c[column]
            tables[column] = conn.execute(
                select(col, func.count()).group_by(col).order_by(func.count().desc())
            ).all()
    return page(request, "equality.html", tables=tables)


router.include_router(library_pages.router)
router.include_router(admin.router)
router.include_router(account.router)
