"""The JSON API for managing things: records (hr), library versions (hr), API tokens, and
pathway diagrams (SVG).

Every error is a problem details document (RFC 9457); see :mod:`web.problems`.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func, select

from accreditation.io import RecordError, record_from_data
from accreditation.store import StoreError
from accreditation.store.schema import people
from pathways.problems import Severity

from .auth import api_user, require_person, require_role
from .library import LibraryCheck, check_upload, publish_upload
from .problems import Problem
from .users import Role, User, UserError, list_tokens, revoke_token

__all__ = ["LibraryFile", "PublishRequest", "TokenRequest", "router"]

router = APIRouter(prefix="/api", tags=["api"])

Caller = Annotated[User, Depends(api_user)]
PROBLEM = {"content": {"application/problem+json": {}}, "description": "Problem details"}
ERRORS: dict[int | str, dict[str, Any]] = {401: PROBLEM, 403: PROBLEM, 404: PROBLEM, 422: PROBLEM}
MAX_FILE = 1_000_000


def _invalid(detail: str, errors: list[dict[str, Any]]) -> Problem:
    return Problem(422, detail, title="Invalid request", kind="validation", errors=errors)


# --- records --------------------------------------------------------------------------------


@router.get("/people", responses=ERRORS, summary="List records (hr)")
def list_people(
    request: Request,
    user: Caller,
    q: Annotated[str, Query(max_length=32, description="Ids starting with this")] = "",
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Any:
    """Record ids, kinds, names and versions, in id order, a page at a time."""
    require_role(user, Role.HR)
    query = select(people.c.id, people.c.kind, people.c.name, people.c.version)
    counted = select(func.count()).select_from(people)
    if q.strip():
        match = people.c.id.startswith(q.strip().upper(), autoescape=True)
        query, counted = query.where(match), counted.where(match)
    with request.app.state.store.engine.connect() as conn:
        total = conn.execute(counted).scalar_one()
        rows = conn.execute(query.order_by(people.c.id).limit(limit).offset(offset)).all()
    return {
        "total": total,
        "limit": limit,
        "offset": offset,
        "people": [
            {"id": r.id, "kind": r.kind, "name": r.name, "version": r.version} for r in rows
        ],
    }


@router.post(
    "/people",
    status_code=201,
    responses={**ERRORS, 409: PROBLEM},
    summary="Create a record (hr)",
)
def create_record(
    request: Request,
    user: Caller,
    record: Annotated[dict[str, Any], Body(description="The record, as 'pathways import' reads")],
) -> Any:
    require_role(user, Role.HR)
    person_id = record.get("id")
    if not isinstance(person_id, str) or not person_id:
        raise _invalid(
            "the record needs an 'id' (warrant or staff number)",
            [{"field": "body.id", "message": "required, a non-empty string"}],
        )
    store = request.app.state.store
    if store.record_version(person_id) is not None:
        raise Problem(
            409,
            f"there is already a record '{person_id}': replace it with PUT /api/people/{person_id}",
            kind="conflict",
        )
    try:
        person = record_from_data(record, person_id)
    except RecordError as exc:
        raise _invalid(
            f"the record is not valid: {'; '.join(exc.problems[:5])}",
            [{"field": "body", "message": p} for p in exc.problems],
        ) from None
    try:
        store.save_people([person], actor=f"web:{user.username}")
    except StoreError as exc:
        raise _invalid(str(exc), [{"field": "body", "message": str(exc)}]) from None
    return {"id": person_id, "created": True, "version": store.record_version(person_id)}


@router.delete(
    "/people/{person_id}", status_code=204, responses=ERRORS, summary="Delete a record (hr)"
)
def delete_record(request: Request, person_id: str, user: Caller) -> Response:
    """Deletes the record and its protected characteristics; the audit log keeps the old
    record."""
    require_role(user, Role.HR)
    if not request.app.state.store.delete_person(person_id, actor=f"web:{user.username}"):
        raise Problem(404, f"no record with id '{person_id}'", kind="not-found")
    return Response(status_code=204)


# --- the pathway library -----------------------------------------------------------------


class LibraryFile(BaseModel):
    """One pathway or catalogue file, replacing (or added to) the library in use."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(max_length=200, description="e.g. pip.yaml")
    text: str = Field(max_length=MAX_FILE, description="The file's YAML text")


class PublishRequest(LibraryFile):
    note: str | None = Field(None, max_length=2000, description="Why the rules change")


def _check(request: Request, body: LibraryFile) -> LibraryCheck:
    try:
        return check_upload(request.app.state.service.library(), body.name, body.text)
    except ValueError as exc:
        raise _invalid(str(exc), [{"field": "body.name", "message": str(exc)}]) from None


def _findings(check: LibraryCheck) -> list[dict[str, Any]]:
    return [
        {
            "severity": f.problem.severity.value,
            "code": f.problem.code,
            "file": f.file,
            "line": f.problem.line,
            "column": f.problem.column,
            "field": f.problem.path,
            "message": f.problem.message,
            "fix": f.problem.hint,
            "suggestion": f.problem.suggestion,
        }
        for f in check.findings
    ]


@router.post("/library/check", responses=ERRORS, summary="Check a pathway file (hr)")
def library_check(
    request: Request, user: Caller, body: Annotated[LibraryFile, Body()]
) -> dict[str, Any]:
    """Check the library in use with this file in it. Nothing is stored."""
    require_role(user, Role.HR)
    check = _check(request, body)
    return {
        "ok": check.errors == 0,
        "errors": check.errors,
        "warnings": check.warnings,
        "digest": check.digest,
        "findings": _findings(check),
    }


@router.post(
    "/library/publish", status_code=201, responses=ERRORS, summary="Publish a pathway file (hr)"
)
def library_publish(
    request: Request, user: Caller, body: Annotated[PublishRequest, Body()]
) -> dict[str, Any]:
    """Check, then publish the library with this file as a new active version (audit-logged;
    earlier versions are kept for rollback). Refused (422) if the checker finds errors."""
    require_role(user, Role.HR)
    check = _check(request, body)
    if check.errors or check.digest is None:
        findings = [f for f in _findings(check) if f["severity"] == Severity.ERROR.value]
        raise Problem(
            422,
            f"not published: the checker found {check.errors} error(s); the first: "
            + (
                f"{findings[0]['file']}:{findings[0]['line']}: {findings[0]['message']}"
                if findings
                else "the library does not load"
            ),
            title="The library has errors",
            kind="library",
            errors=findings,
        )
    try:
        version = publish_upload(
            request.app.state.store,
            request.app.state.service.library(),
            check,
            user.username,
            body.note,
        )
    except StoreError as exc:
        raise Problem(422, str(exc), kind="store") from None
    return _version(version)


class ActivateRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    digest: str = Field(min_length=64, max_length=64, pattern="^[0-9a-f]{64}$")


@router.post("/library/activate", responses=ERRORS, summary="Activate (roll back to) a version")
def library_activate(
    request: Request, user: Caller, body: Annotated[ActivateRequest, Body()]
) -> dict[str, Any]:
    require_role(user, Role.HR)
    store = request.app.state.store
    try:
        store.activate_library(body.digest, f"web:{user.username}")
    except StoreError as exc:
        raise Problem(404, str(exc), kind="not-found") from None
    version = store.library_version(body.digest)
    assert version is not None
    return _version(version)


@router.get("/versions/{digest}", responses=ERRORS, summary="One library version (hr)")
def get_version(request: Request, digest: str, user: Caller, files: bool = False) -> dict[str, Any]:
    """A stored version; ``?files=true`` includes each file's text."""
    require_role(user, Role.HR)
    version = request.app.state.store.library_version(digest)
    if version is None:
        raise Problem(404, f"no library version '{digest[:64]}'", kind="not-found")
    out = _version(version)
    if files:
        out["texts"] = dict(sorted(version.files.items()))
    return out


def _version(v: Any) -> dict[str, Any]:
    return {
        "digest": v.digest,
        "name": v.name,
        "author": v.author,
        "published_at": v.published_at.isoformat(),
        "effective_date": v.effective_date.isoformat() if v.effective_date else None,
        "note": v.note,
        "active": v.active,
        "files": sorted(v.files),
    }


# --- diagrams ---------------------------------------------------------------------------


@router.get(
    "/pathways/{pathway_id}/diagram.svg",
    responses={**ERRORS, 200: {"content": {"image/svg+xml": {}}}},
    summary="A pathway diagram (SVG), optionally with a person's position",
)
def diagram_svg(
    request: Request,
    pathway_id: str,
    user: Caller,
    person: Annotated[str | None, Query(max_length=32)] = None,
    as_of: Annotated[dt.date | None, Query()] = None,
) -> Response:
    """Nodes carry ids (``pathway__stage``) and tooltips. With ``person`` the same access
    rules as decisions apply."""
    from visualize import overlay, pathway_diagram, svg

    from .app import decide_for, person_for

    library = request.app.state.service.library().library
    if pathway_id not in library.pathways:
        raise Problem(
            404,
            f"no pathway '{pathway_id}'; known: {', '.join(library.pathways)}",
            kind="not-found",
        )
    diagram = pathway_diagram(library, pathway_id)
    if person is not None:
        require_person(user, person)
        diagram = overlay(diagram, decide_for(request, person_for(request, person), as_of))
    return Response(svg(diagram), media_type="image/svg+xml")


# --- API tokens ---------------------------------------------------------------------------


class TokenRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100, description="What the token is for")


@router.post("/tokens", status_code=201, responses=ERRORS, summary="Make an API token")
def create_token(
    request: Request, user: Caller, body: Annotated[TokenRequest, Body()]
) -> dict[str, Any]:
    """A token for the caller, with the caller's role. The token is shown in this response
    only; it is stored as a hash."""
    try:
        token = request.app.state.users.new_token(user.username, body.name)
    except UserError as exc:
        raise _invalid(str(exc), [{"field": "body.name", "message": str(exc)}]) from None
    mine = list_tokens(request.app.state.store, user.username)
    return {"id": mine[0].id, "name": body.name, "token": token}


@router.get("/tokens", responses=ERRORS, summary="API tokens (own; admin: all)")
def get_tokens(request: Request, user: Caller) -> list[dict[str, Any]]:
    owner = None if user.role is Role.ADMIN else user.username
    return [
        {
            "id": t.id,
            "username": t.username,
            "name": t.name,
            "created_at": t.created_at.isoformat(),
            "revoked": t.revoked,
        }
        for t in list_tokens(request.app.state.store, owner)
    ]


@router.delete(
    "/tokens/{token_id}", status_code=204, responses=ERRORS, summary="Revoke an API token"
)
def delete_token(request: Request, token_id: int, user: Caller) -> Response:
    """Revoke one of the caller's tokens (admin: anyone's)."""
    owner = None if user.role is Role.ADMIN else user.username
    if not revoke_token(request.app.state.store, token_id, owner):
        raise Problem(404, f"no live token {token_id} of yours", kind="not-found")
    return Response(status_code=204)
