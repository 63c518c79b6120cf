"""The records API (hr only): list, create, read, replace and delete people's records.

Writes are audit-logged by the store as ``web:USERNAME``. An officer may read their own
record (without protected characteristics) and nothing else: every other route answers
403, also for ids that do not exist, so nothing leaks.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request, Response
from sqlalchemy import func, or_, select

from accreditation.io import RecordError, record_from_data
from accreditation.record import Person
from store import StoreError
from store.schema import people, protected
from store.users import Role

from .apikit import ERRORS, PROBLEM, Caller, HrCaller, PersonId, invalid, problem_errors
from .auth import require_person
from .deps import person_for
from .problems import Problem

__all__ = ["router"]

router = APIRouter(tags=["records"])

EXAMPLE = {
    "id": "W123456",
    "kind": "officer",
    "name": "A. Officer",
    "joined": "2015-09-01",
    "ranks": [{"rank": "constable", "start": "2015-09-01"}],
    "courses": [{"course": "pip_level_1", "completed": "2016-03-01"}],
}
RecordBody = Annotated[
    dict[str, Any],
    Body(
        description="The record, as `pathways import` reads it (docs/import-format.md)",
        examples=[EXAMPLE],
    ),
]


def parse_record(data: dict[str, Any]) -> Person:
    """Raises: Problem(422) naming each invalid field as ``body.FIELD``."""
    try:
        return record_from_data(data)
    except RecordError as exc:
        errors = problem_errors(exc.problems)
        shown = "; ".join(f"{e['field']}: {e['message']}" for e in errors[:5])
        raise invalid(f"the record is not valid: {shown}", errors) from None


def _saved(request: Request, person: Person, actor: str) -> Any:
    try:
        return request.app.state.store.save_people([person], actor=actor)
    except StoreError as exc:
        raise invalid(str(exc), [{"field": "body", "message": str(exc)}]) from None


@router.get("/people", responses=ERRORS, summary="List records (hr)")
def list_people(
    request: Request,
    user: HrCaller,
    q: Annotated[
        str, Query(max_length=32, description="Ids starting with this, or names containing it")
    ] = "",
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    include_protected: Annotated[
        bool,
        Query(alias="protected", description="Include protected characteristics"),
    ] = False,
) -> Any:
    """Records in id order, a page at a time: id, kind, name, joined, version, updated.
    Protected characteristics only when asked for (``?protected=true``)."""
    columns = [
        people.c.id,
        people.c.kind,
        people.c.name,
        people.c.joined,
        people.c.version,
        people.c.updated_at,
    ]
    query = select(*columns)
    if include_protected:
        query = select(
            *columns, protected.c.ethnicity, protected.c.gender, protected.c.disability
        ).outerjoin(protected, protected.c.person_id == people.c.id)
    counted = select(func.count()).select_from(people)
    text = q.strip()
    if text:
        match = or_(
            people.c.id.startswith(text.upper(), autoescape=True),
            func.lower(people.c.name).contains(text.lower(), autoescape=True),
        )
        query, counted = query.where(match), counted.where(match)
    with request.app.state.store.engine.connect() as conn:
        total = int(conn.execute(counted).scalar_one())
        rows = conn.execute(query.order_by(people.c.id).limit(limit).offset(offset)).all()
    items = []
    for r in rows:
        item: dict[str, Any] = {
            "id": r.id,
            "kind": r.kind,
            "name": r.name,
            "joined": r.joined.isoformat(),
            "version": r.version,
            "updated_at": r.updated_at.isoformat(),
        }
        if include_protected:
            item["protected"] = {
                "ethnicity": r.ethnicity,
                "gender": r.gender,
                "disability": r.disability,
            }
        items.append(item)
    more = offset + len(items) < total
    return {
        "total": total,
        "limit": limit,
        "offset": offset,
        "next_offset": offset + len(items) if more else None,
        "people": items,
    }


@router.post(
    "/people",
    status_code=201,
    responses={**ERRORS, 409: PROBLEM},
    summary="Create a record (hr)",
)
def create_record(request: Request, response: Response, user: HrCaller, record: RecordBody) -> Any:
    """Create a record; 409 if one with that id exists (replace it with PUT)."""
    person_id = record.get("id")
    if not isinstance(person_id, str) or not person_id.strip():
        raise invalid(
            "the record needs an 'id' (warrant or staff number)",
            [{"field": "body.id", "message": "required: a non-empty string"}],
        )
    person = parse_record(record)
    store = request.app.state.store
    with store.transaction() as conn:
        if store.get_person(person.id, conn) is not None:
            raise Problem(
                409,
                f"there is already a record '{person.id}': replace it with "
                f"PUT /api/people/{person.id}",
                kind="conflict",
            )
        try:
            store.save_people([person], actor=f"web:{user.username}", conn=conn)
        except StoreError as exc:
            raise invalid(str(exc), [{"field": "body", "message": str(exc)}]) from None
    response.headers["Location"] = f"/api/people/{person.id}"
    return {"id": person.id, "created": True, "version": store.record_version(person.id)}


@router.get("/people/{person_id}", responses=ERRORS, summary="A person's record")
def get_record(request: Request, person_id: PersonId, user: Caller) -> Any:
    """The stored record. HR sees protected characteristics; an officer sees their own
    record without them."""
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
    person_id: PersonId,
    user: HrCaller,
    record: RecordBody,
) -> Any:
    """Create (201) or replace (200) the record with this id; the id in the body, if
    given, must be the id in the URL."""
    if record.setdefault("id", person_id) != person_id:
        raise invalid(
            f"the record's id '{record['id']}' is not the id in the URL '{person_id}'",
            [{"field": "body.id", "message": "must equal the id in the URL"}],
        )
    stats = _saved(request, parse_record(record), f"web:{user.username}")
    if stats.created:
        response.status_code = 201
    return {
        "id": person_id,
        "created": bool(stats.created),
        "changed": bool(stats.created or stats.updated),
        "version": request.app.state.store.record_version(person_id),
    }


@router.delete(
    "/people/{person_id}", status_code=204, responses=ERRORS, summary="Delete a record (hr)"
)
def delete_record(request: Request, person_id: PersonId, user: HrCaller) -> Response:
    """Delete the record and its protected characteristics; the audit log keeps the old
    record."""
    if not request.app.state.store.delete_person(person_id, actor=f"web:{user.username}"):
        raise Problem(404, f"no record with id '{person_id}'", kind="not-found")
    return Response(status_code=204)
