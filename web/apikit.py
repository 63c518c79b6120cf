"""What the JSON API modules share: the caller, the hr-only caller, problem responses for
OpenAPI, and turning invalid input into a 422 problem that names each field.

>>> from pathways.problems import Problem
>>> for e in problem_errors([
...     Problem(code="wrong-type", path="body.ranks[0].start", message="expected a date"),
...     Problem(code="missing-field", path="", message="missing (required)")]):
...     print(e["field"], "--", e["message"], "--", e["code"])
body.ranks[0].start -- expected a date -- wrong-type
body -- missing (required) -- missing-field
"""

from __future__ import annotations

import json
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Path, Request
from pydantic import BaseModel, ValidationError

from accreditation.record import PERSON_ID_PATTERN
from pathways.problems import Problem as InputProblem
from store.users import Role, User

from .auth import api_user, require_role
from .problems import Problem

__all__ = [
    "ERRORS",
    "PERSON_ID",
    "PROBLEM",
    "Caller",
    "HrCaller",
    "PersonId",
    "invalid",
    "json_body",
    "problem_errors",
    "validated",
]

PROBLEM = {"content": {"application/problem+json": {}}, "description": "Problem details"}
ERRORS: dict[int | str, dict[str, Any]] = {
    401: PROBLEM,
    403: PROBLEM,
    404: PROBLEM,
    422: PROBLEM,
}

Caller = Annotated[User, Depends(api_user)]

#: A record id in a path: a warrant or staff number, the one id rule of
#: :data:`accreditation.record.PERSON_ID_PATTERN`.
PERSON_ID = PERSON_ID_PATTERN
PersonId = Annotated[str, Path(pattern=PERSON_ID, description="Warrant or staff number")]


def hr_caller(user: Caller) -> User:
    """The caller, if they have the hr role: checked before the body is read, so an
    officer gets 403 whatever they send."""
    require_role(user, Role.HR)
    return user


HrCaller = Annotated[User, Depends(hr_caller)]


def invalid(detail: str, errors: list[dict[str, Any]]) -> Problem:
    """A 422 problem; ``errors`` is a list of ``{"field": "body.x[0]", "message": ...}``."""
    return Problem(422, detail, title="Invalid request", kind="validation", errors=errors)


def problem_errors(problems: list[InputProblem], prefix: str = "body") -> list[dict[str, Any]]:
    """Located problems (a record's, read with paths under ``prefix``) as the ``errors`` of a
    problem document: ``{field, message, code, hint, suggestion}``."""
    out = []
    for p in problems:
        field = p.path if p.path.startswith(prefix) else ".".join(x for x in (prefix, p.path) if x)
        entry: dict[str, Any] = {"field": field.replace(".[", "["), "message": p.message}
        entry["code"] = p.code
        if p.hint:
            entry["hint"] = p.hint
        if p.suggestion:
            entry["suggestion"] = p.suggestion
        out.append(entry)
    return out


async def json_body(request: Request) -> Any:
    """The request's JSON body.

    Raises:
        Problem(415): if it is not sent as ``application/json``.
        Problem(422): if it is not JSON, naming the line and column.
    """
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "application/json":
        raise Problem(
            415,
            f"send the body as application/json, not '{kind or 'nothing'}'",
            kind="unsupported-media-type",
        )
    raw = await request.body()
    try:
        return json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        where = (
            f" at line {exc.lineno}, column {exc.colno}"
            if isinstance(exc, json.JSONDecodeError)
            else ""
        )
        raise invalid(
            f"the body is not JSON{where}: {exc}",
            [{"field": "body", "message": f"not JSON{where}"}],
        ) from None


M = TypeVar("M", bound=BaseModel)


def validated(model: type[M], data: Any, prefix: str = "body") -> M:
    """``data`` as ``model``.

    Raises:
        Problem(422): naming every invalid field (``body.files[0].name``).
    """
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors = [
            {
                "field": _path(prefix, e["loc"]),
                "message": e["msg"],
                "type": e["type"],
            }
            for e in exc.errors()
        ]
        shown = "; ".join(f"{e['field']}: {e['message']}" for e in errors[:5])
        raise invalid(f"the request is not valid: {shown}", errors) from None


def _path(prefix: str, loc: tuple[Any, ...]) -> str:
    out = prefix
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out
