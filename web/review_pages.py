"""HR's review workflow in the browser: drafts of library changes, checked when saved, and
their review by a second HR user, who sees the diff, the checker's findings, the example
cases' results and who gains and who loses before approving (now, or from a date).

The store keeps the drafts and enforces the rules (:mod:`store.drafts`): four eyes, the
draft version the reviewer saw, the library version the draft was made on. These pages
turn its refusals into messages on the page.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile

from authoring.diff import file_diffs, load_files, rules_diff
from authoring.drafts import write_files
from authoring.review import approve_draft, base_files, save_draft, shipped_digest
from store import StoreError
from store.drafts import CHANGES, OPEN, Draft, DraftError, Drafts, StaleBase, StaleDraft
from store.users import Role, User
from workforce.impact import ImpactReport, changed_pathways, impact
from workforce.population import evaluate_population

from .auth import check_csrf, page_user, require_role
from .library import MAX_FILE_BYTES, MAX_FILES, FileNameError, check_name
from .pagekit import Signed, page
from .problems import Problem
from .state import store_of

__all__ = ["review_required", "router"]

router = APIRouter(include_in_schema=False)


def review_required(request: Request) -> bool:
    """Whether publishing needs a second HR user (``create_app(four_eyes=...)``)."""
    return bool(getattr(request.app.state, "four_eyes", True))


def _draft(request: Request, draft_id: int) -> Draft:
    draft = Drafts(store_of(request)).get(draft_id)
    if draft is None:
        raise Problem(404, f"no draft {draft_id}", kind="not-found")
    return draft


@router.get("/library/drafts", response_class=HTMLResponse)
def drafts_page(
    request: Request, user: Signed, message: Annotated[str, Query(max_length=300)] = ""
) -> Response:
    """Drafts waiting for review (or sent back), then those closed, newest first."""
    require_role(user, Role.HR)
    drafts = Drafts(store_of(request)).list()
    waiting = [d for d in drafts if d.status in (OPEN, CHANGES)]
    closed = [d for d in drafts if d.status not in (OPEN, CHANGES)][:30]
    return page(
        request,
        "drafts.html",
        waiting=waiting,
        closed=closed,
        message=message,
        four_eyes=review_required(request),
    )


@router.get("/library/drafts/new", response_class=HTMLResponse)
def new_draft(request: Request, user: Signed) -> Response:
    """The form: a title, one or more pathway files, example case files."""
    require_role(user, Role.HR)
    return page(request, "draft_form.html", draft=None, errors=[], title="", name="", text="")


@router.get("/library/drafts/{draft_id}/edit", response_class=HTMLResponse)
def edit_draft(request: Request, draft_id: int, user: Signed) -> Response:
    """The form for a new version of a draft: its files shown for editing."""
    require_role(user, Role.HR)
    draft = _draft(request, draft_id)
    return page(
        request, "draft_form.html", draft=draft, errors=[], title=draft.title, name="", text=""
    )


@router.post("/library/drafts", response_class=HTMLResponse)
async def save_draft_page(request: Request) -> Response:
    """Save a new draft, or a new version of one (``draft_id`` and ``version``): the files
    are checked and the cases run as it is saved."""
    user = page_user(request)
    require_role(user, Role.HR)
    async with request.form() as form:  # closes the spooled uploads
        check_csrf(request, str(form.get("csrf_token") or ""))
        title = str(form.get("title") or "").strip()[:200]
        draft_id = _int(form.get("draft_id"))
        expected = _int(form.get("version"))
        errors: list[str] = []
        files = await _uploads(form.getlist("files"), errors)
        cases = await _uploads(form.getlist("cases"), errors)
        name, text = str(form.get("name") or "").strip(), str(form.get("text") or "")
        for key in form:  # files of the draft, edited in place: file:NAME
            if key.startswith("file:"):
                files.setdefault(key[5:], str(form.get(key) or "").replace("\r\n", "\n"))
        for key in form:
            if key.startswith("case:"):
                cases.setdefault(key[5:], str(form.get(key) or "").replace("\r\n", "\n"))
    if name or text.strip():
        if not name:
            errors.append("Give the pasted file a name ending in .yaml.")
        else:
            files[name] = text.replace("\r\n", "\n")
    draft = _draft(request, draft_id) if draft_id is not None else None
    try:
        files = {check_name(n): t for n, t in files.items() if t.strip()}
        cases = {check_name(n): t for n, t in cases.items() if t.strip()}
    except FileNameError as exc:
        errors.append(str(exc))
    if len(files) + len(cases) > MAX_FILES:
        errors.append(f"At most {MAX_FILES} files at a time.")
    if not errors:
        try:
            saved, _ = save_draft(
                store_of(request),
                user.username,
                title,
                files,
                cases,
                draft_id=draft_id,
                expected=expected,
            )
        except (ValueError, StoreError) as exc:
            errors.append(str(exc))
        else:
            return RedirectResponse(f"/library/drafts/{saved.id}", status_code=303)
    return page(
        request,
        "draft_form.html",
        status=409 if any("changed by" in e for e in errors) else 422,
        draft=draft,
        errors=errors,
        title=title,
        name=name,
        text=text,
    )


async def _uploads(items: list[Any], errors: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items:
        if not isinstance(item, UploadFile) or not item.filename:
            continue
        data = await item.read(MAX_FILE_BYTES + 1)
        if len(data) > MAX_FILE_BYTES:
            errors.append(f"{item.filename} is larger than 1 MB.")
            continue
        try:
            out[Path(item.filename).name] = data.decode("utf-8").replace("\r\n", "\n")
        except UnicodeDecodeError:
            errors.append(f"{item.filename} is not UTF-8 text: save it as UTF-8.")
    return out


def _int(value: Any) -> int | None:
    text = str(value or "").strip()
    return int(text) if text.isdigit() and len(text) < 10 else None


@router.get("/library/drafts/{draft_id}", response_class=HTMLResponse)
def draft_page(
    request: Request,
    draft_id: int,
    user: Signed,
    impact_as_of: Annotated[dt.date | None, Query()] = None,
    message: Annotated[str, Query(max_length=300)] = "",
    against: Annotated[str, Query(pattern="^(base|active)$")] = "base",
) -> Response:
    """The review page: what changes (rules, then files), the checker's findings, the
    example cases, and (asked for, with a date) who gains and who loses. The diff is
    against the version the draft was made on, or (``against=active``) the one in force."""
    require_role(user, Role.HR)
    draft = _draft(request, draft_id)
    return _review(request, user, draft, impact_as_of, message, against=against)


def _review(
    request: Request,
    user: User,
    draft: Draft,
    impact_as_of: dt.date | None = None,
    message: str = "",
    status: int = 200,
    errors: list[str] | None = None,
    form: dict[str, str] | None = None,
    against: str = "base",
) -> Response:
    store = store_of(request)
    in_force = store.active_library()
    current = in_force.digest if in_force is not None else shipped_digest()
    try:
        old = base_files(store, draft.base)
        shown = base_files(store, current) if against == "active" else old
    except StoreError as exc:
        raise Problem(409, str(exc), kind="conflict") from None
    new = {**old, **draft.files}
    before, after = load_files(old), load_files(new)
    report = _impact(request, old, new, impact_as_of) if impact_as_of else None
    return page(
        request,
        "draft.html",
        status=status,
        draft=draft,
        changes=rules_diff(load_files(shown) if against == "active" else before, after),
        diffs=file_diffs(shown, new),
        against=against,
        report=report,
        impact_as_of=impact_as_of,
        changed=changed_pathways(before, after) if before and after else [],
        message=message,
        errors=errors or [],
        form=form or {},
        four_eyes=review_required(request),
        may_review=not review_required(request) or draft.author != user.username,
        is_author=draft.author == user.username,
        base_in_force=current == draft.base,
        base_shipped=draft.base == shipped_digest(),
        today=dt.date.today(),
    )


def _impact(
    request: Request, old: dict[str, str], new: dict[str, str], day: dt.date
) -> ImpactReport | None:
    before, after = load_files(old), load_files(new)
    if before is None or after is None:
        return None
    changed = changed_pathways(before, after)
    if not changed:
        return None
    store = store_of(request)
    with tempfile.TemporaryDirectory(prefix="pathways-review-") as tmp:
        runs = []
        for label, files, lib in (("old", old, before), ("new", new, after)):
            write_files(files, Path(tmp) / label)
            wanted = [p for p in changed if p in lib.pathways]
            runs.append(evaluate_population(store, [Path(tmp) / label], day, pathways=wanted))
    return impact(runs[0], runs[1], before, after)


@router.post("/library/drafts/{draft_id}/approve", response_class=HTMLResponse)
def approve_page(
    request: Request,
    draft_id: int,
    user: Signed,
    csrf_token: Annotated[str, Form()] = "",
    version: Annotated[int, Form()] = 0,
    effective_from: Annotated[str, Form(max_length=10)] = "",
    note: Annotated[str, Form(max_length=2000)] = "",
    override: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Approve and publish (the store refuses the author, an old draft version, a library
    that moved on, errors, and failing cases without a reason)."""
    check_csrf(request, csrf_token)
    require_role(user, Role.HR)
    draft = _draft(request, draft_id)
    form = {"effective_from": effective_from, "note": note, "override": override}
    day: dt.date | None = None
    if effective_from.strip():
        try:
            day = dt.date.fromisoformat(effective_from.strip())
        except ValueError:
            return _review(
                request,
                user,
                draft,
                status=422,
                form=form,
                errors=[f"'{effective_from}' is not a date like 2027-04-01."],
            )
    try:
        published = approve_draft(
            store_of(request),
            draft_id,
            user.username,
            version,
            effective_from=day,
            note=note.strip() or None,
            override=override.strip() or None,
            review_required=review_required(request),
        )
    except (StaleDraft, StaleBase) as exc:
        return _review(
            request, user, _draft(request, draft_id), status=409, errors=[str(exc)], form=form
        )
    except DraftError as exc:
        return _review(request, user, draft, status=422, errors=[str(exc)], form=form)
    when = f"from {day}" if day else "now"
    return RedirectResponse(
        f"/library/versions?message=Draft+{draft_id}+approved:+version+"
        f"{published.digest[:12]}+decides+{when.replace(' ', '+')}",
        status_code=303,
    )


@router.post("/library/drafts/{draft_id}/request-changes", response_class=HTMLResponse)
def request_changes_page(
    request: Request,
    draft_id: int,
    user: Signed,
    csrf_token: Annotated[str, Form()] = "",
    version: Annotated[int, Form()] = 0,
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Send the draft back to its author with what to change."""
    check_csrf(request, csrf_token)
    require_role(user, Role.HR)
    try:
        Drafts(store_of(request)).request_changes(draft_id, user.username, version, note)
    except DraftError as exc:
        draft = _draft(request, draft_id)
        status = 409 if isinstance(exc, StaleDraft) else 422
        return _review(request, user, draft, status=status, errors=[str(exc)], form={"note": note})
    return RedirectResponse(
        f"/library/drafts/{draft_id}?message=Sent+back+to+the+author", status_code=303
    )


@router.post("/library/drafts/{draft_id}/withdraw", response_class=HTMLResponse)
def withdraw_page(
    request: Request,
    draft_id: int,
    user: Signed,
    csrf_token: Annotated[str, Form()] = "",
    version: Annotated[int, Form()] = 0,
) -> Response:
    """Close a draft without publishing it."""
    check_csrf(request, csrf_token)
    require_role(user, Role.HR)
    try:
        Drafts(store_of(request)).withdraw(draft_id, user.username, version)
    except DraftError as exc:
        draft = _draft(request, draft_id)
        status = 409 if isinstance(exc, StaleDraft) else 422
        return _review(request, user, draft, status=status, errors=[str(exc)])
    return RedirectResponse(f"/library/drafts?message=Draft+{draft_id}+withdrawn", status_code=303)
