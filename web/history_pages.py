"""The library's history and the audit log, in the browser.

- ``/library/versions``: every stored version with its author, approver and note, the
  as-of dates it decides (scheduled ones too), a diff between any two, and a rollback
  that asks for confirmation (what it changes) and a reason;
- ``/audit``: the audit log for HR and admins, filtered by user, action, record and date,
  and exported as CSV (cells that a spreadsheet would run are neutralised).
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from authoring.diff import file_diffs, load_files, rules_diff
from authoring.review import shipped_digest, version_files
from store import StoreError
from store.auditlog import MAX_PAGE, AuditRow, actions, search
from store.drafts import Drafts
from store.schedule import segments
from store.users import Role
from workforce.csvsafe import writer

from .auth import check_csrf, require_role
from .pagekit import Signed, page
from .problems import Problem
from .state import store_of

__all__ = ["describe", "router"]

router = APIRouter(include_in_schema=False)
PAGE = 100


@router.get("/library/versions", response_class=HTMLResponse)
def versions_page(
    request: Request, user: Signed, message: Annotated[str, Query(max_length=300)] = ""
) -> Response:
    """Stored versions, newest first: who wrote and approved each, the dates it decides."""
    require_role(user, Role.HR)
    store = store_of(request)
    versions = store.library_versions()
    drafts = Drafts(store)
    today = dt.date.today()
    decides: dict[str, list[str]] = {}
    for seg in segments(store.library_schedule()):
        words = seg.words() + (" (scheduled)" if seg.first and seg.first > today else "")
        decides.setdefault(seg.digest, []).append(words)
    return page(
        request,
        "versions.html",
        versions=versions,
        approvers={v.digest: drafts.published_by(v.digest) for v in versions},
        decides=decides,
        message=message,
    )


@router.get("/library/versions/diff", response_class=HTMLResponse)
def version_diff(
    request: Request,
    user: Signed,
    a: Annotated[str, Query(max_length=64)] = "",
    b: Annotated[str, Query(max_length=64)] = "",
) -> Response:
    """What changed from version ``a`` to version ``b`` (digest prefixes, or 'shipped')."""
    require_role(user, Role.HR)
    store = store_of(request)
    try:
        old_digest, old = version_files(store, a)
        new_digest, new = version_files(store, b)
    except StoreError as exc:
        raise Problem(404, str(exc), kind="not-found") from None
    return page(
        request,
        "version_diff.html",
        a=old_digest,
        b=new_digest,
        changes=rules_diff(load_files(old), load_files(new)),
        diffs=file_diffs(old, new),
    )


@router.get("/library/versions/{digest}/rollback", response_class=HTMLResponse)
def rollback_form(request: Request, digest: str, user: Signed) -> Response:
    """Confirm a rollback: what it changes (the rules from the version in force today to
    this one, and the scheduled versions it cancels); a reason is required."""
    require_role(user, Role.HR)
    return _rollback_page(request, digest)


def _rollback_page(
    request: Request, digest: str, errors: list[str] | None = None, status: int = 200
) -> Response:
    store = store_of(request)
    target = next((v for v in store.library_versions() if v.digest == digest), None)
    if target is None:
        raise Problem(404, f"no library version {digest[:12]}", kind="not-found")
    today = dt.date.today()
    in_force = store.active_library()
    current = in_force.digest if in_force is not None else shipped_digest()
    _, now_files = version_files(store, current if in_force is not None else "shipped")
    cancelled = [
        e
        for e in store.library_schedule()
        if e.live and e.effective_from is not None and e.effective_from > today
    ]
    return page(
        request,
        "rollback.html",
        status=status,
        target=target,
        current=current,
        changes=rules_diff(load_files(now_files), load_files(target.files)),
        cancelled=cancelled,
        errors=errors or [],
    )


@router.post("/library/versions/{digest}/rollback", response_class=HTMLResponse)
def rollback(
    request: Request,
    digest: str,
    user: Signed,
    csrf_token: Annotated[str, Form()] = "",
    reason: Annotated[str, Form(max_length=2000)] = "",
    confirm: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """Roll back (the version decides every date from now on), with the reason audited."""
    check_csrf(request, csrf_token)
    require_role(user, Role.HR)
    errors = []
    if not reason.strip():
        errors.append("Say why you roll back: the reason is kept in the audit log.")
    if confirm != "yes":
        errors.append("Tick the box to confirm the rollback.")
    if errors:
        return _rollback_page(request, digest, errors, status=422)
    try:
        store_of(request).activate_library(digest, f"web:{user.username}", reason.strip())
    except StoreError as exc:
        raise Problem(404, str(exc), kind="not-found") from None
    return RedirectResponse(
        f"/library/versions?message=Rolled+back+to+{digest[:12]}", status_code=303
    )


# --- the audit log -------------------------------------------------------------------------


@router.get("/audit", response_class=HTMLResponse)
def audit_page(
    request: Request,
    user: Signed,
    who: Annotated[str, Query(max_length=100)] = "",
    action: Annotated[str, Query(max_length=40)] = "",
    target: Annotated[str, Query(max_length=100)] = "",
    since: Annotated[str, Query(max_length=10)] = "",
    until: Annotated[str, Query(max_length=10)] = "",
    start: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> Response:
    """The audit log, newest first, filtered; 100 entries a page. An empty date is no limit."""
    require_role(user, Role.HR, Role.ADMIN)
    store = store_of(request)
    first, last = _date(since, "From"), _date(until, "To")
    total, rows = search(
        store,
        user=who or None,
        action=action or None,
        target=target or None,
        since=first,
        until=last,
        limit=PAGE,
        offset=start,
    )
    query = {"who": who, "action": action, "target": target, "since": since, "until": until}
    return page(
        request,
        "audit.html",
        rows=rows,
        total=total,
        start=start,
        page_size=PAGE,
        query=query,
        actions=actions(store),
        describe=describe,
    )


@router.get("/audit.csv")
def audit_csv(
    request: Request,
    user: Signed,
    who: Annotated[str, Query(max_length=100)] = "",
    action: Annotated[str, Query(max_length=40)] = "",
    target: Annotated[str, Query(max_length=100)] = "",
    since: Annotated[str, Query(max_length=10)] = "",
    until: Annotated[str, Query(max_length=10)] = "",
) -> Response:
    """The filtered audit log as CSV (at most 10,000 entries, newest first)."""
    require_role(user, Role.HR, Role.ADMIN)
    _, rows = search(
        store_of(request),
        user=who or None,
        action=action or None,
        target=target or None,
        since=_date(since, "From"),
        until=_date(until, "To"),
        limit=MAX_PAGE,
    )
    out = io.StringIO()
    w = writer(out)
    w.writerow(["at (UTC)", "user", "action", "target", "details"])
    for r in rows:
        w.writerow([r.at.strftime("%Y-%m-%d %H:%M:%S"), r.actor, r.action, r.target, describe(r)])
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": 'attachment; filename="audit-log.csv"',
            "Cache-Control": "no-store",
        },
    )


def _date(text: str, label: str) -> dt.date | None:
    """A filter's date ('' for none).

    Raises:
        Problem(422): if it is not a date like 2027-04-01.
    """
    if not text.strip():
        return None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise Problem(422, f"{label}: '{text}' is not a date like 2027-04-01") from None


def describe(row: AuditRow) -> str:
    """An entry's details in words: both names of an approval, a reason, what changed."""
    after, before = row.after, row.before
    if isinstance(after, dict):
        parts = [
            f"{key.replace('_', ' ')}: {after[key]}"
            for key in ("author", "approver", "reason", "effective_from", "title", "note", "status")
            if after.get(key)
        ]
        if "files" in after and isinstance(after["files"], list):
            parts.append("files: " + ", ".join(map(str, after["files"][:6])))
        return "; ".join(parts) or ", ".join(sorted(map(str, after)))
    if isinstance(after, str) or isinstance(before, str):
        return f"{str(before or 'none')[:12]} → {str(after or 'none')[:12]}"
    if after is None and isinstance(before, dict):
        return "deleted"
    return ""
