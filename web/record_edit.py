"""HR's record page: read and change one person's record as JSON, never overwriting a change
made by someone else meanwhile.

The page carries the version of the record it showed (a hidden field). Saving is a
compare-and-set in the store (:meth:`store.store.Store.replace_person` with ``expected``):
if the record moved on since the page was opened, nothing is written and the page says who
changed it and when, shows the differences between the record as it is now and the text
typed, and offers the typed text again on top of the new version, so HR re-applies their
change knowingly (issue 14, "concurrent record edits").
"""

from __future__ import annotations

import difflib
import json
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from accreditation.io import RecordError, record_from_data, record_warnings
from accreditation.record import Person
from pathways.problems import Problem as InputProblem
from store.store import StaleRecord, StoreError
from store.users import Role

from .auth import check_csrf, require_role
from .pagekit import Signed, page
from .problems import Problem

__all__ = ["MAX_RECORD_TEXT", "router"]

router = APIRouter(include_in_schema=False)

#: The largest record text the page takes (characters). The biggest synthetic record is
#: under 20 KB; a career of 40 years with every course fits in far less than this.
MAX_RECORD_TEXT = 500_000


def _text(person: Person) -> str:
    return json.dumps(person.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n"


def _who(actor: str | None) -> str:
    """An audit actor in words: ``web:hr`` -> ``hr (web)``; ``import:...`` kept."""
    if not actor:
        return "someone"
    where, _, name = actor.partition(":")
    return f"{name} ({where})" if name else actor


def _form_page(
    request: Request,
    person_id: str,
    *,
    text: str,
    version: int | None,
    status: int = 200,
    **context: Any,
) -> Response:
    last = request.app.state.store.last_change(person_id)
    return page(
        request,
        "record_edit.html",
        status=status,
        title=f"Record {person_id}",
        person_id=person_id,
        text=text,
        version=version,
        last=last,
        last_by=_who(last.actor) if last else None,
        limit=MAX_RECORD_TEXT,
        **context,
    )


@router.get("/people/{person_id}/record", response_class=HTMLResponse)
def record_page(
    request: Request,
    person_id: str,
    user: Signed,
    saved: Annotated[int | None, Query(ge=0, le=2**62)] = None,
) -> Response:
    """The stored record as JSON, with the version it is at and who last changed it."""
    require_role(user, Role.HR)
    found = request.app.state.store.person_and_version(person_id)
    if found is None:
        raise Problem(404, f"no record with id '{person_id}'", kind="not-found")
    person, version = found
    return _form_page(request, person_id, text=_text(person), version=version, saved=saved)


def _problems(text: str, person_id: str) -> tuple[Person | None, list[str]]:
    """The record in ``text``, or what is wrong with it, each located (line and column for
    JSON, the field path for a record)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return None, [f"line {exc.lineno}, column {exc.colno}: not valid JSON: {exc.msg}"]
    except RecursionError:
        return None, ["the JSON is nested too deeply to be a record"]
    if not isinstance(data, dict):
        return None, ['a record is one JSON object: { "id": ..., "kind": ..., ... }']
    if data.setdefault("id", person_id) != person_id:
        return None, [
            f"id: the record's id '{data['id']}' is not this record's id '{person_id}' "
            "(to move a record to a new id, import it under the new id and delete this one)"
        ]
    try:
        return record_from_data(data), []
    except RecordError as exc:
        return None, [_located(p) for p in exc.problems]


def _located(p: InputProblem) -> str:
    where = p.path or "record"
    tail = f" ({p.hint})" if p.hint else ""
    guess = f"; did you mean '{p.suggestion}'?" if p.suggestion else ""
    return f"{where}: {p.message}{guess}{tail}"


def _diff(now: str, typed: str) -> list[tuple[str, str]]:
    """The lines that differ between the record as it is now and the typed text, as
    (``kind``, line) with kind ``added`` / ``removed`` / ``same`` / ``at``."""
    out: list[tuple[str, str]] = []
    lines = difflib.unified_diff(
        now.splitlines(), typed.splitlines(), "now", "yours", n=2, lineterm=""
    )
    for line in list(lines)[2:]:
        kind = {"+": "added", "-": "removed", "@": "at"}.get(line[:1], "same")
        out.append((kind, line))
    return out


@router.post("/people/{person_id}/record", response_class=HTMLResponse)
def save_record(
    request: Request,
    person_id: str,
    user: Signed,
    csrf_token: Annotated[str, Form()] = "",
    text: Annotated[str, Form(max_length=MAX_RECORD_TEXT)] = "",
    version: Annotated[int, Form(ge=0, le=2**62)] = 0,
) -> Response:
    """Save the typed record if the stored one is still at ``version``; otherwise say who
    changed it since, show the differences and keep the typed text (409)."""
    check_csrf(request, csrf_token)
    require_role(user, Role.HR)
    person, errors = _problems(text, person_id)
    if person is None:
        return _form_page(request, person_id, text=text, version=version, status=422, errors=errors)
    store = request.app.state.store
    try:
        _stats, saved = store.replace_person(person, f"web:{user.username}", expected=version)
    except StaleRecord as exc:
        found = store.person_and_version(person_id)
        now = _text(found[0]) if found else ""
        return _form_page(
            request,
            person_id,
            text=text,
            version=exc.current,
            status=409,
            stale=exc,
            stale_by=_who(exc.changed_by),
            diff=_diff(now, text),
            gone=found is None,
        )
    except StoreError as exc:
        return _form_page(
            request, person_id, text=text, version=version, status=422, errors=[str(exc)]
        )
    library = request.app.state.service.library().library
    warnings = record_warnings(person, library.catalogue)
    if warnings:
        return _form_page(
            request, person_id, text=_text(person), version=saved, saved=saved, warnings=warnings
        )
    return RedirectResponse(f"/people/{person_id}/record?saved={saved}", status_code=303)
