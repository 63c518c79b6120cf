"""The JSON API (``/api``): decisions, what-if, records, pathways and library versions.

Every error is a problem details document (RFC 9457); see :mod:`web.problems`.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from accreditation.io import RecordError, record_from_data, record_warnings
from accreditation.record import ITEM_SECTIONS
from accreditation.store import StoreError
from rules.session import EngineError
from rules.whatif import parse_addition, with_additions

from .auth import api_user, require_person, require_role
from .problems import Problem
from .users import Role, User

__all__ = ["WhatIfRequest", "router"]

router = APIRouter(prefix="/api", tags=["api"])

Caller = Annotated[User, Depends(api_user)]
AsOf = Annotated[
    dt.date | None,
    Query(description="Decide as of this date, YYYY-MM-DD (default: today)."),
]

PROBLEM = {"content": {"application/problem+json": {}}, "description": "Problem details"}
ERRORS: dict[int | str, dict[str, Any]] = {
    401: PROBLEM,
    403: PROBLEM,
    404: PROBLEM,
    422: PROBLEM,
}


class WhatIfRequest(BaseModel):
    """Hypothetical items: as ``KIND:ID[:EXTRA]@DATE`` strings, or as record items."""

    model_config = ConfigDict(extra="forbid")

    add: list[str] = Field(
        default_factory=list,
        description="e.g. ['course:fsl_stage_3@2027-03-01', 'rank:sergeant@2028-01-01']",
        max_length=50,
    )
    additions: dict[str, list[dict[str, Any]]] = Field(
        default_factory=dict,
        description='Record items by section, e.g. {"courses": [{"course": "x", '
        '"completed": "2027-03-01"}]}',
    )
    as_of: dt.date | None = Field(
        None, description="Default: the latest added date, or today if later."
    )


def _invalid(detail: str, errors: list[dict[str, Any]]) -> Problem:
    return Problem(422, detail, title="Invalid request", kind="validation", errors=errors)


@router.get("/me", responses=ERRORS, summary="Who the caller is")
def me(user: Caller) -> dict[str, Any]:
    return {"username": user.username, "role": user.role.value, "person_id": user.person_id}


@router.get("/people/{person_id}/decisions", responses=ERRORS, summary="A person's decision")
def decisions(request: Request, person_id: str, user: Caller, as_of: AsOf = None) -> Any:
    """Every stage in force on ``as_of``, with reasons, evidence, sources and next steps."""
    from .app import decide_for, person_for

    require_person(user, person_id)
    person = person_for(request, person_id)
    return decide_for(request, person, as_of).model_dump(mode="json")


@router.post("/people/{person_id}/what-if", responses=ERRORS, summary="What if")
def what_if(
    request: Request,
    person_id: str,
    user: Caller,
    body: Annotated[WhatIfRequest, Body()],
) -> Any:
    """The decision without and with hypothetical items, and the stages that change."""
    from .app import person_for

    require_person(user, person_id)
    additions = parse_additions(body.add, body.additions)
    person = person_for(request, person_id)
    service = request.app.state.service
    try:
        result = service.what_if(person, additions, body.as_of)
    except RecordError as exc:
        raise _invalid(
            "the record with these items is not valid",
            [{"field": "body.additions", "message": p} for p in exc.problems],
        ) from None
    except (ValueError, TypeError) as exc:  # a date that is not a date, in an item
        raise _invalid(
            f"a hypothetical item is not valid: {exc}",
            [{"field": "body.additions", "message": str(exc)}],
        ) from None
    except EngineError as exc:
        raise Problem(503, str(exc), title="Rules engine unavailable", kind="engine") from None
    catalogue = service.library().library.catalogue
    hypothetical = with_additions(person, additions)
    own = set(record_warnings(person, catalogue))
    out = result.model_dump(mode="json")
    out["warnings"] = [w for w in record_warnings(hypothetical, catalogue) if w not in own]
    return out


def parse_additions(
    specs: list[str], items: dict[str, list[dict[str, Any]]]
) -> dict[str, list[dict[str, Any]]]:
    """Both forms of hypothetical items, merged by section.

    Raises:
        Problem(422): naming each bad item.
    """
    errors: list[dict[str, Any]] = []
    additions: dict[str, list[dict[str, Any]]] = {}
    for i, spec in enumerate(specs):
        try:
            section, item = parse_addition(spec)
        except ValueError as exc:
            errors.append({"field": f"body.add[{i}]", "message": str(exc)})
            continue
        additions.setdefault(section, []).append(item)
    for section, listed in items.items():
        if section not in ITEM_SECTIONS:
            errors.append(
                {
                    "field": f"body.additions.{section}",
                    "message": f"unknown section '{section}': use one of "
                    + ", ".join(ITEM_SECTIONS),
                }
            )
            continue
        additions.setdefault(section, []).extend(listed)
    if not errors and not additions:
        errors.append({"field": "body", "message": "add at least one hypothetical item"})
    if errors:
        raise _invalid("; ".join(f"{e['field']}: {e['message']}" for e in errors), errors)
    return additions


@router.get("/people/{person_id}", responses=ERRORS, summary="A person's record")
def get_record(request: Request, person_id: str, user: Caller) -> Any:
    """The stored record. HR sees protected characteristics; an officer sees their own
    record without them."""
    from .app import person_for

    require_person(user, person_id)
    person = person_for(request, person_id)
    if user.role is Role.HR:
        return person.model_dump(mode="json")
    return person.model_dump(mode="json", exclude={"protected"})


@router.put(
    "/people/{person_id}",
    responses={**ERRORS, 201: {"description": "Created"}},
    summary="Create or replace a record (hr)",
)
def put_record(
    request: Request,
    response: Response,
    person_id: str,
    user: Caller,
    record: Annotated[dict[str, Any], Body(description="The record, as 'pathways import' reads")],
) -> Any:
    require_role(user, Role.HR)
    if record.setdefault("id", person_id) != person_id:
        raise _invalid(
            f"the record's id '{record['id']}' is not the id in the URL '{person_id}'",
            [{"field": "body.id", "message": "must equal the id in the URL"}],
        )
    try:
        person = record_from_data(record, person_id)
    except RecordError as exc:
        raise _invalid(
            f"the record is not valid: {'; '.join(exc.problems[:5])}",
            [{"field": "body", "message": p} for p in exc.problems],
        ) from None
    store = request.app.state.store
    try:
        stats = store.save_people([person], actor=f"web:{user.username}")
    except StoreError as exc:
        raise _invalid(str(exc), [{"field": "body", "message": str(exc)}]) from None
    if stats.created:
        response.status_code = 201
    return {
        "id": person_id,
        "created": bool(stats.created),
        "changed": bool(stats.created or stats.updated),
        "version": store.record_version(person_id),
    }


@router.get("/pathways", responses=ERRORS, summary="The pathways in use")
def list_pathways(request: Request, user: Caller) -> Any:
    used = request.app.state.service.library()
    return {
        "library_version": used.library.digest,
        "pathways": [
            {
                "id": p.id,
                "name": p.name,
                "source": p.source,
                "stages": [{"id": s.id, "name": s.name} for s in p.stages],
            }
            for p in used.library.pathways.values()
        ],
    }


@router.get("/pathways/{pathway_id}", responses=ERRORS, summary="One pathway's rules")
def get_pathway(request: Request, pathway_id: str, user: Caller) -> Any:
    library = request.app.state.service.library().library
    pathway = library.pathways.get(pathway_id)
    if pathway is None:
        raise Problem(
            404,
            f"no pathway '{pathway_id}'; known: {', '.join(library.pathways)}",
            kind="not-found",
        )
    return pathway.model_dump(mode="json", by_alias=True, exclude_none=True)


@router.get("/versions", responses=ERRORS, summary="Stored library versions (hr)")
def versions(request: Request, user: Caller) -> Any:
    require_role(user, Role.HR)
    return [
        {
            "digest": v.digest,
            "name": v.name,
            "author": v.author,
            "published_at": v.published_at.isoformat(),
            "effective_date": v.effective_date.isoformat() if v.effective_date else None,
            "note": v.note,
            "active": v.active,
            "files": sorted(v.files),
        }
        for v in request.app.state.store.library_versions()
    ]
