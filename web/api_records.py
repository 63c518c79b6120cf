"""The records API (hr only): list, create, read, replace and delete people's records.

A record written is answered with the warnings the import gives for it (``warnings``:
ids the catalogue does not know, with "did you mean"; protected values outside the
catalogue; dates after today): valid, so stored, but probably not what was meant.

Writes are audit-logged by the store as ``web:USERNAME``. An officer may read their own
record (without protected characteristics) and nothing else: every other route answers
403, also for ids that do not exist, so nothing leaks.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request, Response
from fastapi.responses import JSONResponse

from accreditation.io import RecordError, record_from_data, record_warnings
from accreditation.record import Person
from store import ANY, StaleRecord, Store, StoreError
from store.users import Role, User

from .apikit import ERRORS, PROBLEM, Caller, HrCaller, PersonId, invalid, problem_errors
from .auth import require_person
from .problems import Problem
from .schemas import PeoplePage, RecordWritten
from .state import service_of, store_of

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


def record_warnings_for(request: Request, person: Person) -> list[str]:
    """What the import would warn about in this record (ids the catalogue does not know,
    protected values outside it, dates after today), against the library in use."""
    return record_warnings(person, service_of(request).library().library.catalogue)


@router.get(
    "/people",
    responses=ERRORS,
    response_model=PeoplePage,
    response_model_exclude_unset=True,
    summary="List records (hr)",
)
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
    store: Store = store_of(request)
    total, rows = store.list_people(q, limit, offset, include_protected)
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
        if r.protected is not None:
            item["protected"] = r.protected
        items.append(item)
    more = offset + len(items) < total
    return {
        "total": total,
        "limit": limit,
        "offset": offset,
        "next_offset": offset + len(items) if more else None,
        "people": items,
    }


def etag(version: int) -> str:
    """A record version as an entity tag: ``"v3"``."""
    return f'"v{version}"'


def expected_version(request: Request, user: User, person_id: str) -> int | None:
    """The version a write expects, from ``If-Match`` (``"v3"``, or ``*``: any that
    exists) or ``If-None-Match: *`` (none may exist); ANY if neither and the caller is
    signed in with a session (a person at a page, who saw the record just now).

    Raises:
        Problem(428): if an API token sends neither: a program must say which version it
            changes, so that it never overwrites a change it has not seen.
        Problem(412): if ``If-Match`` is not a version of this server's form.
    """
    match = request.headers.get("if-match", "").strip()
    if request.headers.get("if-none-match", "").strip() == "*":
        return None
    if not match:
        if request.headers.get("authorization"):
            raise Problem(
                428,
                f"send If-Match with the record's ETag (GET /api/people/{person_id} gives it), "
                "or If-None-Match: * to create it, so a change made meanwhile is not lost",
                title="Precondition required",
                kind="precondition-required",
            )
        return ANY  # type: ignore[no-any-return]
    if match == "*":
        current = store_of(request).record_version(person_id)
        if current is None:
            raise Problem(412, f"no record '{person_id}' (If-Match: *)", kind="precondition")
        return int(current)
    tag = match.removeprefix("W/").strip('"')
    if not tag.startswith("v") or not tag[1:].isdigit():
        raise Problem(
            412,
            f"If-Match '{match[:40]}' is not an ETag of this record (they look like \"v3\")",
            kind="precondition",
        )
    return int(tag[1:])


def _stale(exc: StaleRecord) -> Problem:
    """412: the record changed since the caller read it (who did it, and when)."""
    headers = {"ETag": etag(exc.current)} if exc.current is not None else {}
    return Problem(
        412,
        str(exc) + "; read it again (GET) and apply your change to what is there now",
        title="The record changed",
        kind="precondition",
        headers=headers,
        current_version=exc.current,
        changed_by=exc.changed_by,
        changed_at=exc.changed_at.isoformat() if exc.changed_at else None,
    )


@router.post(
    "/people",
    status_code=201,
    responses={**ERRORS, 409: PROBLEM},
    response_model=RecordWritten,
    response_model_exclude_unset=True,
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
    person = parse_record(record)  # before anything is stored: the id is checked here
    store: Store = store_of(request)
    try:
        _, version = store.replace_person(person, f"web:{user.username}", expected=None)
    except StaleRecord:
        raise Problem(
            409,
            f"there is already a record '{person.id}': replace it with PUT /api/people/{person.id}",
            kind="conflict",
        ) from None
    except StoreError as exc:
        raise invalid(str(exc), [{"field": "body", "message": str(exc)}]) from None
    response.headers["Location"] = f"/api/people/{person.id}"
    response.headers["ETag"] = etag(version)
    return {
        "id": person.id,
        "created": True,
        "version": version,
        "warnings": record_warnings_for(request, person),
    }


@router.get(
    "/people/{person_id}",
    responses=ERRORS,
    response_model=Person,
    summary="A person's record",
)
def get_record(request: Request, person_id: PersonId, user: Caller) -> Any:
    """The stored record, with its version as the ``ETag`` (send it back as ``If-Match``
    to change or delete it). HR sees protected characteristics; an officer sees their own
    record without them."""
    require_person(user, person_id)
    found = store_of(request).person_and_version(person_id)
    if found is None:
        raise Problem(404, f"no record with id '{person_id}'", kind="not-found")
    person, version = found
    body = (
        person.model_dump(mode="json")
        if user.role is Role.HR
        else person.model_dump(mode="json", exclude={"protected"})
    )
    return JSONResponse(body, headers={"ETag": etag(version)})


@router.put(
    "/people/{person_id}",
    responses={
        **ERRORS,
        201: {"description": "Created", "model": RecordWritten},
        412: PROBLEM,
        428: PROBLEM,
    },
    response_model=RecordWritten,
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
    given, must be the id in the URL. Send ``If-Match`` with the ETag you read (or
    ``If-None-Match: *`` to create): if the record changed meanwhile, the answer is 412
    with who changed it, and nothing is written. API tokens must send one (428)."""
    if record.setdefault("id", person_id) != person_id:
        raise invalid(
            f"the record's id '{record['id']}' is not the id in the URL '{person_id}'",
            [{"field": "body.id", "message": "must equal the id in the URL"}],
        )
    person = parse_record(record)
    expected = expected_version(request, user, person_id)
    try:
        stats, version = store_of(request).replace_person(
            person, f"web:{user.username}", expected=expected
        )
    except StaleRecord as exc:
        raise _stale(exc) from None
    except StoreError as exc:
        raise invalid(str(exc), [{"field": "body", "message": str(exc)}]) from None
    if stats.created:
        response.status_code = 201
    response.headers["ETag"] = etag(version)
    return {
        "id": person_id,
        "created": bool(stats.created),
        "changed": bool(stats.created or stats.updated),
        "version": version,
        "warnings": record_warnings_for(request, person),
    }


@router.delete(
    "/people/{person_id}",
    status_code=204,
    responses={**ERRORS, 412: PROBLEM, 428: PROBLEM},
    summary="Delete a record (hr)",
)
def delete_record(request: Request, person_id: PersonId, user: HrCaller) -> Response:
    """Delete the record and its protected characteristics; the audit log keeps the old
    record. ``If-Match`` as for PUT (412 if it changed meanwhile; 428 without, by token)."""
    expected = expected_version(request, user, person_id)
    try:
        deleted = store_of(request).delete_person(
            person_id, actor=f"web:{user.username}", expected=expected
        )
    except StaleRecord as exc:
        raise _stale(exc) from None
    if not deleted:
        raise Problem(404, f"no record with id '{person_id}'", kind="not-found")
    return Response(status_code=204)
