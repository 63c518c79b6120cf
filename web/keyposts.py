"""Key posts for HR: name them (post, business group, the stage a successor must hold, the
holder), change or retire them (the version the page saw goes with the form: a second
writer is told, 409), each with its audit trail; and the key-post report: holder, who is
ready now and within 6 and 12 months, posts with nobody ready flagged, the change since
the last quarter's snapshot, a CSV, and keeping this quarter's snapshot.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from pathways.dates import Day as InRange
from pathways.dates import out_of_range
from pathways.model.library import Library
from pathways.suggest import did_you_mean
from rules.targets import GoalError, find_stage, stage_choices
from store.keyposts import KeyPost, KeyPostConflict, KeyPostError, KeyPosts, quarter_of
from store.users import Role, User
from workforce.reports.keyposts import KeyPostReport, key_post_report, report_rows, snapshot_of

from .auth import check_csrf, require_role
from .pagekit import Signed, page
from .problems import Problem
from .reporting import csv_response, population

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
Day = Annotated[InRange | None, Query(description="YYYY-MM-DD (default: today)")]
Text = Annotated[str, Form(max_length=400)]


def _library(request: Request) -> Library:
    library: Library = request.app.state.service.library().library
    return library


def _hr(user: User) -> None:
    require_role(user, Role.HR)


def _actor(user: User) -> str:
    return f"web:{user.username}"


def _fields(
    request: Request, post: str, business_group: str, stage: str, holder: str
) -> dict[str, Any]:
    """The form's fields checked against the library and the store, or a 422 saying which
    is wrong and how (with "did you mean")."""
    library = _library(request)
    errors = []
    groups = library.catalogue.ids("business_groups")
    if business_group not in groups:
        near = did_you_mean(business_group, groups)
        errors.append(
            {
                "field": "business_group",
                "message": f"no business group '{business_group[:60]}'"
                + (f"; did you mean '{near}'?" if near else ""),
            }
        )
    key = ""
    try:
        key = find_stage(library, stage)
    except GoalError as exc:
        errors.append({"field": "stage", "message": str(exc)})
    holder = holder.strip()
    if holder and request.app.state.store.get_person(holder) is None:
        errors.append(
            {
                "field": "holder",
                "message": f"no record '{holder[:40]}': give the holder's warrant or staff "
                "number, or leave it empty while the post is vacant",
            }
        )
    if errors:
        raise Problem(
            422,
            "; ".join(e["message"] for e in errors),
            title="The key post is not right",
            kind="validation",
            errors=errors,
        )
    return {"post": post, "business_group": business_group, "stage": key, "holder": holder}


def _list_page(
    request: Request,
    status: int = 200,
    error: str | None = None,
    form: dict[str, str] | None = None,
) -> Response:
    library = _library(request)
    return page(
        request,
        "keyposts.html",
        status=status,
        posts=KeyPosts(request.app.state.store).all(),
        groups=library.catalogue.ids("business_groups"),
        choices=stage_choices(library),
        names={c.key: f"{c.name} ({c.pathway_name})" for c in stage_choices(library)},
        error=error,
        form=form or {},
    )


@router.get("/key-posts", response_class=HTMLResponse)
def key_posts_page(request: Request, user: Signed) -> Response:
    _hr(user)
    return _list_page(request)


@router.post("/key-posts", response_class=HTMLResponse)
def add_key_post(
    request: Request,
    user: Signed,
    csrf_token: Annotated[str, Form()] = "",
    post: Text = "",
    business_group: Text = "",
    stage: Text = "",
    holder: Text = "",
) -> Response:
    check_csrf(request, csrf_token)
    _hr(user)
    form = {"post": post, "business_group": business_group, "stage": stage, "holder": holder}
    try:
        fields = _fields(request, post, business_group, stage, holder)
        made = KeyPosts(request.app.state.store).add(**fields, actor=_actor(user))
    except Problem as exc:
        return _list_page(request, 422, exc.detail, form)
    except KeyPostError as exc:
        return _list_page(request, 422, str(exc), form)
    return RedirectResponse(f"/key-posts/{made.id}", status_code=303)


def _post_page(
    request: Request, found: KeyPost, status: int = 200, error: str | None = None
) -> Response:
    library = _library(request)
    return page(
        request,
        "keypost.html",
        status=status,
        post=found,
        history=KeyPosts(request.app.state.store).history(found.id),
        groups=library.catalogue.ids("business_groups"),
        choices=stage_choices(library),
        names={c.key: f"{c.name} ({c.pathway_name})" for c in stage_choices(library)},
        error=error,
    )


def _found(request: Request, post_id: int) -> KeyPost:
    found = KeyPosts(request.app.state.store).get(post_id)
    if found is None:
        raise Problem(404, f"no key post {post_id}", kind="not-found")
    return found


@router.get("/key-posts/{post_id}", response_class=HTMLResponse)
def key_post_page(request: Request, post_id: int, user: Signed) -> Response:
    _hr(user)
    return _post_page(request, _found(request, post_id))


@router.post("/key-posts/{post_id}", response_class=HTMLResponse)
def change_key_post(
    request: Request,
    post_id: int,
    user: Signed,
    csrf_token: Annotated[str, Form()] = "",
    version: Annotated[str, Form(max_length=12)] = "",
    action: Annotated[str, Form(max_length=10)] = "change",
    post: Text = "",
    business_group: Text = "",
    stage: Text = "",
    holder: Text = "",
) -> Response:
    check_csrf(request, csrf_token)
    _hr(user)
    found = _found(request, post_id)
    seen = int(version) if version.isdigit() else -1
    posts = KeyPosts(request.app.state.store)
    try:
        if action == "retire":
            posts.retire(post_id, seen, _actor(user))
            return RedirectResponse("/key-posts", status_code=303)
        fields = _fields(request, post, business_group, stage, holder)
        posts.change(post_id, seen, _actor(user), **fields)
    except KeyPostConflict as exc:
        return _post_page(request, _found(request, post_id), 409, str(exc))
    except Problem as exc:
        return _post_page(request, found, 422, exc.detail)
    except KeyPostError as exc:
        return _post_page(request, found, 422, str(exc))
    return RedirectResponse(f"/key-posts/{post_id}", status_code=303)


# --- the report --------------------------------------------------------------------------------


def _report(request: Request, user: User, as_of: dt.date | None) -> KeyPostReport:
    day = as_of or dt.date.today()
    posts = KeyPosts(request.app.state.store)
    run = population(request, user, day)
    return key_post_report(posts.all(), run, posts.before(quarter_of(day)))


@router.get("/reports/key-posts", response_class=HTMLResponse)
def key_posts_report_page(request: Request, user: Signed, as_of: Day = None) -> Response:
    _hr(user)
    return _report_page(request, user, as_of)


def _report_page(
    request: Request, user: User, as_of: dt.date | None, status: int = 200, note: str = ""
) -> Response:
    report = _report(request, user, as_of)
    posts = KeyPosts(request.app.state.store)
    people = {p for r in report.rows for p in (*r.ready_now, *r.within_12, r.post.holder) if p}
    return page(
        request,
        "reports_keyposts.html",
        status=status,
        report=report,
        names=posts.names(people),
        kept=posts.snapshot(report.quarter),
        snapshots=posts.snapshots(),
        stage_names={c.key: c.name for c in stage_choices(_library(request))},
        note=note,
    )


@router.get("/reports/key-posts.csv")
def key_posts_csv(request: Request, user: Signed, as_of: Day = None) -> Response:
    _hr(user)
    from_report = _report(request, user, as_of)
    rows = report_rows(from_report)
    return csv_response(rows, f"key-posts-{from_report.as_of}.csv")


@router.post("/reports/key-posts/snapshot", response_class=HTMLResponse)
def keep_snapshot(
    request: Request,
    user: Signed,
    csrf_token: Annotated[str, Form()] = "",
    as_of: Annotated[str, Form(max_length=20)] = "",
    replace: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    check_csrf(request, csrf_token)
    _hr(user)
    try:
        day = dt.date.fromisoformat(as_of.strip())
    except ValueError:
        raise Problem(
            422,
            f"'{as_of[:20]}' is not a date: write it as YYYY-MM-DD",
            kind="validation",
            errors=[{"field": "as_of", "message": "a date, YYYY-MM-DD"}],
        ) from None
    if (why := out_of_range(day)) is not None:
        raise Problem(422, why, kind="validation", errors=[{"field": "as_of", "message": why}])
    report = _report(request, user, day)
    try:
        KeyPosts(request.app.state.store).keep_snapshot(
            day, report.library_version, snapshot_of(report), _actor(user), replace=replace == "yes"
        )
    except KeyPostConflict as exc:
        return _report_page(request, user, day, status=409, note=str(exc))
    return RedirectResponse(f"/reports/key-posts?as_of={day}", status_code=303)
