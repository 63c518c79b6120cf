"""HR's pathway library pages: browse the library in use (each pathway's diagram beside its
rules and sources), upload or edit a pathway file in place, see the checker's findings by
line and a diff against the file in use, publish a new version, roll back.

Checking and publishing share :mod:`web.library` with the JSON API.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from pathways.dates import EARLIEST, LATEST, check_day
from pathways.loader import load_library
from rules.obligations import clock_words
from rules.wording import Words
from store import StaleLibrary, StoreError
from store.users import Role
from workforce import fairness
from workforce.impact import changed_pathways, impact
from workforce.population import evaluate_population

from .auth import check_csrf, page_user, require_role
from .diagram import draw, stage_anchor
from .library import (
    MAX_FILE_BYTES,
    LibraryCheck,
    check_upload,
    file_of_pathway,
    library_files_of,
    publish_checked,
    rebase,
)
from .pagekit import Signed, page
from .problems import Problem
from .service import LibraryInUse, write_library

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


def _in_use(request: Request) -> LibraryInUse:
    used: LibraryInUse = request.app.state.service.library()
    return used


@router.get("/library", response_class=HTMLResponse)
def library_page(
    request: Request, user: Signed, message: Annotated[str, Query(max_length=200)] = ""
) -> Response:
    """The library in use: its pathways (each linking to its own page), and its versions."""
    require_role(user, Role.HR)
    used = _in_use(request)
    return page(
        request,
        "library.html",
        used=used,
        files={pid: file_of_pathway(used, pid) for pid in used.library.pathways},
        versions=request.app.state.store.library_versions(),
        message=message,
    )


@router.get("/library/pathways/{pathway_id}", response_class=HTMLResponse)
def library_pathway(request: Request, pathway_id: str, user: Signed) -> Response:
    """One pathway for HR: its diagram, and each stage's rules with their sources."""
    require_role(user, Role.HR)
    used = _in_use(request)
    pathway = used.library.pathways.get(pathway_id)
    if pathway is None:
        raise Problem(404, f"no pathway '{pathway_id}' in the library in use", kind="not-found")
    return page(
        request,
        "library_pathway.html",
        used=used,
        pathway=pathway,
        words=Words(used.library),
        clock=lambda anchor: clock_words(anchor, Words(used.library)),
        drawing=draw(
            used.library,
            pathway_id,
            external=lambda p, s: f"/library/pathways/{p}#{stage_anchor(p, s)}",
        ),
        file=file_of_pathway(used, pathway_id),
    )


@router.get("/library/upload", response_class=HTMLResponse)
def upload_form(
    request: Request, user: Signed, edit: Annotated[str, Query(max_length=200)] = ""
) -> Response:
    """The upload form; ``?edit=pip.yaml`` opens that file's text in the editor."""
    require_role(user, Role.HR)
    used = _in_use(request)
    files = library_files_of(used)
    if edit and edit not in files:
        raise Problem(
            404,
            f"no file '{edit}' in the library in use; files: {', '.join(sorted(files))}",
            kind="not-found",
        )
    return page(
        request,
        "upload.html",
        check=None,
        files=sorted(files),
        name=edit,
        text=files.get(edit, ""),
        editing=bool(edit),
        base_version=used.library.digest,
    )


@router.post("/library/check", response_class=HTMLResponse)
async def upload_check(request: Request) -> Response:
    """Check an uploaded, pasted or edited file; nothing is stored."""
    user = page_user(request)
    require_role(user, Role.HR)
    async with request.form() as form:  # closes the spooled upload
        check_csrf(request, str(form.get("csrf_token") or ""))
        name = str(form.get("name") or "").strip()
        text = str(form.get("text") or "")
        editing = form.get("editing") == "1"
        base = str(form.get("base_version") or "")[:64]
        upload = form.get("file")
        if isinstance(upload, UploadFile):
            data = await upload.read(MAX_FILE_BYTES + 1)
            if data:
                if len(data) > MAX_FILE_BYTES:
                    raise Problem(413, "a pathway file is at most 1 MB", kind="too-large")
                text = data.decode("utf-8", errors="replace")
                if not name:
                    name = upload.filename or ""
    if len(text) > MAX_FILE_BYTES:
        raise Problem(413, "a pathway file is at most 1 MB", kind="too-large")
    # Parsing and checking is CPU work: in a worker thread, never on the event loop.
    return await run_in_threadpool(_checked, request, name, text, editing, base)


def _conflict(
    request: Request, used: LibraryInUse, base: str, name: str, text: str, editing: bool
) -> Response:
    """409: the library in use is not the version this text was made on. What changed
    meanwhile is shown, and the text re-applied on the version in use is put in the
    editor (with conflict markers where both changed the same lines) to check again."""
    again = rebase(request.app.state.store, used, base, {name: text})
    return page(
        request,
        "upload.html",
        status=409,
        check=None,
        files=sorted(library_files_of(used)),
        name=name,
        text=again.merged[name],
        editing=editing,
        base_version=used.library.digest,
        conflict=again,
    )


def _checked(
    request: Request, name: str, text: str, editing: bool = False, base: str = ""
) -> Response:
    used = _in_use(request)
    if base and name and base != used.library.digest:
        return _conflict(request, used, base, name, text, editing)
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
    return page(
        request,
        "upload.html",
        status=422 if errors or (check and check.errors) else 200,
        check=check,
        files=sorted(library_files_of(used)),
        name=name,
        text=text,
        editing=editing,
        form_errors=errors,
        base_version=used.library.digest,
    )


@router.post("/library/publish", response_class=HTMLResponse)
def publish(
    request: Request,
    user: Signed,
    csrf_token: Annotated[str, Form()] = "",
    name: Annotated[str, Form(max_length=200)] = "",
    text: Annotated[str, Form(max_length=MAX_FILE_BYTES)] = "",
    note: Annotated[str, Form(max_length=2000)] = "",
    base_version: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    """Check again (the text may have changed since), then publish; errors go back to the
    check page, nothing published. ``base_version`` is the library the text was made on:
    if another version was published since, the answer is 409 with what changed and the
    text re-applied on the version in use (nothing is published)."""
    check_csrf(request, csrf_token)
    require_role(user, Role.HR)
    used = _in_use(request)
    if base_version and name and base_version != used.library.digest:
        return _conflict(request, used, base_version, name, text, False)
    try:
        check = check_upload(used, name, text)
    except ValueError:
        return _checked(request, name, text)
    if check.errors:
        return _checked(request, name, text)
    if check.unchanged:
        return RedirectResponse(
            "/library?message=Nothing+published:+the+rules+are+those+in+use", status_code=303
        )
    try:
        version, _ = publish_checked(request.app.state.store, check, user.username, note)
    except StaleLibrary:  # published by someone else between the check and now
        return _conflict(request, _in_use(request), check.in_use, name, text, False)
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
    """Make a stored version the one in use (a rollback, or a roll forward)."""
    check_csrf(request, csrf_token)
    require_role(user, Role.HR)
    try:
        request.app.state.store.activate_library(digest, f"web:{user.username}")
    except StoreError as exc:
        raise Problem(404, str(exc), kind="not-found") from None
    return RedirectResponse(f"/library?message=Activated+{digest[:12]}", status_code=303)


@router.post("/library/impact", response_class=HTMLResponse)
def impact_page(
    request: Request,
    user: Signed,
    csrf_token: Annotated[str, Form()] = "",
    name: Annotated[str, Form(max_length=200)] = "",
    text: Annotated[str, Form(max_length=MAX_FILE_BYTES)] = "",
    as_of: Annotated[str, Form(max_length=10)] = "",
    reference: Annotated[str, Form(max_length=60)] = "",
) -> Response:
    """Before publishing: who gains and who loses eligibility in the stored workforce if
    this file's rules replace those in use (a new pathway or stage: gains only; a removed
    one: losses only), with the equality tables."""
    import datetime as dt
    import tempfile
    from pathlib import Path

    check_csrf(request, csrf_token)
    require_role(user, Role.HR)
    try:
        day = check_day(dt.date.fromisoformat(as_of)) if as_of else dt.date.today()
    except ValueError:
        raise Problem(
            422,
            f"as_of: '{as_of}' is not a date (YYYY-MM-DD) between {EARLIEST} and {LATEST}",
            kind="validation",
            errors=[{"field": "form.as_of", "message": "a date from 1900 to 2200"}],
        ) from None
    used = _in_use(request)
    try:
        check = check_upload(used, name, text)
    except ValueError:
        return _checked(request, name, text)
    if check.errors or check.digest is None:
        return _checked(request, name, text)
    store = request.app.state.store
    report = None
    with tempfile.TemporaryDirectory(prefix="pathways-impact-") as tmp:
        write_library(check.files, Path(tmp))
        proposed = load_library([tmp])
        changed = changed_pathways(used.library, proposed)
        if changed:
            before = [p for p in changed if p in used.library.pathways]
            after = [p for p in changed if p in proposed.pathways]
            old = evaluate_population(store, [used.directory], day, pathways=before)
            new = evaluate_population(store, [tmp], day, pathways=after)
            report = impact(old, new, used.library, proposed, reference or None)
    return page(
        request,
        "library_impact.html",
        check=check,
        report=report,
        changed=changed,
        as_of=day,
        stats=fairness,
        reference=reference,
    )
