"""Server-rendered pages: sign-in, My pathways, a pathway, what if, the PDR print view,
HR's people search and library (upload, check, publish, rollback), equality, users."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import func, select
from starlette.datastructures import UploadFile

from accreditation.io import RecordError
from accreditation.store import StoreError
from accreditation.store.schema import people, protected
from rules.decision import Decision, Status
from rules.session import EngineError
from rules.whatif import parse_addition
from rules.wording import Words

from .auth import check_csrf, page_user, require_person, require_role
from .diagram import pathway_map, svg_for
from .library import (
    LibraryCheck,
    check_upload,
    file_of_pathway,
    library_files_of,
    publish_upload,
)
from .problems import Problem
from .users import ROLES, Role, User, UserError, new_password

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
log = logging.getLogger("web")

Signed = Annotated[User, Depends(page_user)]
AsOf = Annotated[dt.date | None, Query()]
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


def _page(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    context.setdefault("user", getattr(request.state, "user", None))
    context["csrf"] = request.state.session["c"]
    response: HTMLResponse = request.app.state.templates.TemplateResponse(
        request, template, context, status_code=status
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _home(user: User) -> str:
    if user.role is Role.OFFICER and user.person_id:
        return f"/people/{user.person_id}"
    return {Role.HR: "/people", Role.EQUALITY: "/equality", Role.ADMIN: "/admin/users"}.get(
        user.role, "/"
    )


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> Response:
    user = request.state.user
    if user is None:
        return RedirectResponse("/login", status_code=303)
    target = _home(user)
    if target == "/":
        return _page(request, "home.html")
    return RedirectResponse(target, status_code=303)


# --- sign-in ----------------------------------------------------------------------------


def _safe_next(target: str | None) -> str | None:
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return None


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str | None = None) -> Response:
    return _page(request, "login.html", next=_safe_next(next), error=None, username="")


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
        return _page(
            request,
            "login.html",
            status=401,
            next=_safe_next(next),
            error="The username or password is not right.",
            username=username,
        )
    limiter.succeeded(username, address)
    import secrets

    session = request.state.session
    session.update(u=user.username, c=secrets.token_urlsafe(24), changed=True)
    return RedirectResponse(_safe_next(next) or _home(user), status_code=303)


@router.post("/logout")
def logout(request: Request, csrf_token: Annotated[str, Form()] = "") -> Response:
    import secrets

    check_csrf(request, csrf_token)
    request.state.session.update(u=None, c=secrets.token_urlsafe(24), changed=True)
    return RedirectResponse("/login", status_code=303)


# --- one person -------------------------------------------------------------------------


def _decision(request: Request, user: User, person_id: str, as_of: dt.date | None) -> Any:
    from .app import decide_for, person_for

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
    return _page(
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
    return _page(
        request,
        "pathway.html",
        person=person,
        decision=decision,
        pathway=pathway,
        stages=stages,
        steps=steps,
        diagram=pathway_map(library, pathway_id, decision),
    )


@router.get("/people/{person_id}/print", response_class=HTMLResponse)
def print_view(request: Request, person_id: str, user: Signed, as_of: AsOf = None) -> Response:
    person, decision = _decision(request, user, person_id, as_of)
    return _page(
        request,
        "print.html",
        person=person,
        decision=decision,
        pathways=_by_pathway(decision),
    )


@router.get("/people/{person_id}/what-if", response_class=HTMLResponse)
def what_if_form(request: Request, person_id: str, user: Signed) -> Response:
    from .app import person_for

    require_person(user, person_id)
    person = person_for(request, person_id)
    return _page(
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
    from .app import person_for

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
    return _page(
        request,
        "whatif.html",
        status=422 if errors else 200,
        person=person,
        kinds=WHATIF_KINDS,
        result=result,
        errors=errors,
        form=form,
    )


# --- HR -----------------------------------------------------------------------------------


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
    return _page(request, "people.html", rows=rows, q=q, total=store.count_people())


@router.get("/library", response_class=HTMLResponse)
def library_page(request: Request, user: Signed, message: str = "") -> Response:
    require_role(user, Role.HR)
    used = request.app.state.service.library()
    return _page(
        request,
        "library.html",
        used=used,
        words=Words(used.library),
        versions=request.app.state.store.library_versions(),
        message=message[:200],
    )


@router.get("/library/pathways/{pathway_id}", response_class=HTMLResponse)
def library_pathway(request: Request, pathway_id: str, user: Signed) -> Response:
    """One pathway for HR: its diagram, and each stage's rules with their sources."""
    require_role(user, Role.HR)
    used = request.app.state.service.library()
    pathway = used.library.pathways.get(pathway_id)
    if pathway is None:
        raise Problem(404, f"no pathway '{pathway_id}' in the library in use", kind="not-found")
    return _page(
        request,
        "library_pathway.html",
        used=used,
        pathway=pathway,
        words=Words(used.library),
        diagram=svg_for(used.library, pathway_id, None),
        file=file_of_pathway(used, pathway_id),
    )


@router.get("/library/upload", response_class=HTMLResponse)
def upload_form(
    request: Request, user: Signed, edit: Annotated[str, Query(max_length=200)] = ""
) -> Response:
    """The upload form; ``?edit=pip.yaml`` opens that file's text in the editor."""
    require_role(user, Role.HR)
    used = request.app.state.service.library()
    text = ""
    if edit:
        files = library_files_of(used)
        if edit not in files:
            raise Problem(
                404,
                f"no file '{edit}' in the library in use; files: {', '.join(sorted(files))}",
                kind="not-found",
            )
        text = files[edit]
    return _page(request, "upload.html", check=None, files=_file_names(used), name=edit, text=text)


def _file_names(used: Any) -> list[str]:
    if used.version is not None:
        return sorted(used.version.files)
    from pathways.cli.library import library_files

    return sorted(library_files(used.directory))


@router.post("/library/check", response_class=HTMLResponse)
async def upload_check(request: Request) -> Response:
    user = page_user(request)
    require_role(user, Role.HR)
    async with request.form() as form:  # closes the spooled upload
        check_csrf(request, str(form.get("csrf_token") or ""))
        name = str(form.get("name") or "").strip()
        text = str(form.get("text") or "")
        upload = form.get("file")
        if isinstance(upload, UploadFile):
            data = await upload.read(1_000_001)
            if data:
                if len(data) > 1_000_000:
                    raise Problem(413, "a pathway file is at most 1 MB", kind="too-large")
                text = data.decode("utf-8", errors="replace")
                if not name:
                    name = upload.filename or ""
    return _checked(request, name, text)


def _checked(request: Request, name: str, text: str) -> Response:
    used = request.app.state.service.library()
    errors: list[str] = []
    if not name:
        errors.append("Choose the file to replace, or give a new file name ending in .yaml.")
    if not text.strip():
        errors.append("Upload a file or paste its text.")
    check: LibraryCheck | None = None
    if not errors:
        try:
            check = check_upload(used, name, text)
        except ValueError as exc:
            errors.append(str(exc))
    return _page(
        request,
        "upload.html",
        status=422 if errors or (check and check.errors) else 200,
        check=check,
        files=_file_names(used),
        name=name,
        text=text,
        form_errors=errors,
    )


@router.post("/library/publish", response_class=HTMLResponse)
def publish(
    request: Request,
    user: Signed,
    csrf_token: Annotated[str, Form()] = "",
    name: Annotated[str, Form(max_length=200)] = "",
    text: Annotated[str, Form(max_length=1_000_000)] = "",
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    check_csrf(request, csrf_token)
    require_role(user, Role.HR)
    used = request.app.state.service.library()
    try:
        check = check_upload(used, name, text)
    except ValueError:
        return _checked(request, name, text)
    if check.errors:
        return _checked(request, name, text)
    try:
        version = publish_upload(request.app.state.store, used, check, user.username, note)
    except StoreError as exc:
        raise Problem(422, str(exc), kind="store") from None
    return RedirectResponse(
        f"/library?message=Published+version+{version.digest[:12]}", status_code=303
    )


@router.post("/library/activate")
def activate(
    request: Request,
    user: Signed,
    csrf_token: Annotated[str, Form()] = "",
    digest: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    check_csrf(request, csrf_token)
    require_role(user, Role.HR)
    try:
        request.app.state.store.activate_library(digest, f"web:{user.username}")
    except StoreError as exc:
        raise Problem(404, str(exc), kind="not-found") from None
    return RedirectResponse(f"/library?message=Activated+{digest[:12]}", status_code=303)


# --- equality and admin -------------------------------------------------------------------


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
    return _page(request, "equality.html", tables=tables)


@router.get("/admin/users", response_class=HTMLResponse)
def users_page(request: Request, user: Signed, message: str = "") -> Response:
    require_role(user, Role.ADMIN)
    return _page(
        request,
        "users.html",
        users=request.app.state.users.all(),
        disabled=request.app.state.users.disabled(),
        roles=ROLES,
        message=message[:200],
        errors=[],
    )


@router.post("/admin/users", response_class=HTMLResponse)
def add_user(
    request: Request,
    user: Signed,
    csrf_token: Annotated[str, Form()] = "",
    username: Annotated[str, Form(max_length=100)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    role: Annotated[str, Form(max_length=16)] = "",
    person_id: Annotated[str, Form(max_length=32)] = "",
) -> Response:
    check_csrf(request, csrf_token)
    require_role(user, Role.ADMIN)
    try:
        request.app.state.users.add(username, password, role, person_id.strip() or None)
    except UserError as exc:
        return _page(
            request,
            "users.html",
            status=422,
            users=request.app.state.users.all(),
            disabled=request.app.state.users.disabled(),
            roles=ROLES,
            message="",
            errors=[str(exc)],
        )
    return RedirectResponse(f"/admin/users?message=Added+{username}", status_code=303)


@router.post("/admin/users/{username}", response_class=HTMLResponse)
def change_user(
    request: Request,
    username: str,
    user: Signed,
    csrf_token: Annotated[str, Form()] = "",
    action: Annotated[str, Form(max_length=16)] = "",
) -> Response:
    """``action``: ``disable``, ``enable`` or ``reset`` (a new random password, shown once)."""
    check_csrf(request, csrf_token)
    require_role(user, Role.ADMIN)
    users = request.app.state.users
    if username == user.username and action == "disable":
        raise Problem(422, "you cannot disable yourself; ask another admin", kind="validation")
    message = ""
    try:
        if action in ("disable", "enable"):
            users.set_disabled(username, action == "disable")
            message = f"{username} {action}d"
        elif action == "reset":
            password = new_password()
            users.set_password(username, password)
            message = f"new password for {username} (shown once): {password}"
        else:
            raise Problem(
                422, f"unknown action '{action}': use disable, enable or reset", kind="validation"
            )
    except UserError as exc:
        raise Problem(404, str(exc), kind="not-found") from None
    return _page(
        request,
        "users.html",
        users=users.all(),
        disabled=users.disabled(),
        roles=ROLES,
        message=message,
        errors=[],
    )
