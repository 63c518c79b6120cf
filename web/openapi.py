"""The API's OpenAPI document as other systems need it: how to authenticate (HTTP bearer, or
the session cookie), RFC 9457 problem details on every error response, operation ids a
client generator turns into readable names, and tags that group the operations.

Routes say what they answer (``response_model=`` and :mod:`web.schemas`); this module adds
what every API route shares, so a new route gets it without saying so:

- every ``/api`` operation takes a bearer token or the session cookie (``security``), unless
  its ``openapi_extra`` says otherwise (``POST /api/tokens``: the session only);
- every 4xx and 5xx response is ``application/problem+json`` with the
  :class:`web.schemas.ProblemDetails` schema, and every ``/api`` operation lists 401;
- operation ids are the route's ``operation_id``, else its function's name
  (``get_decision``, ``list_people``), never FastAPI's ``decisions_api_people__...``.

>>> from fastapi import FastAPI
>>> app = FastAPI(generate_unique_id_function=operation_id)
>>> @app.get("/api/things/{thing_id}")
... def get_thing(thing_id: int) -> int:
...     return thing_id
>>> doc = openapi_document(app)
>>> op = doc["paths"]["/api/things/{thing_id}"]["get"]
>>> op["operationId"], sorted(op["responses"]), op["security"]
('get_thing', ['200', '401', '422'], [{'bearer': []}, {'session': []}])
>>> op["responses"]["422"]["content"]["application/problem+json"]["schema"]
{'$ref': '#/components/schemas/ProblemDetails'}
>>> "HTTPValidationError" in doc["components"]["schemas"]
False
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute

from .auth import COOKIE
from .schemas import FieldError, ProblemDetails

__all__ = ["PROBLEM_REF", "SECURITY", "TAGS", "install_openapi", "openapi_document", "operation_id"]

PROBLEM_REF = {"$ref": "#/components/schemas/ProblemDetails"}
#: Either way of signing in: a bearer token, or the browser's session cookie.
SECURITY: list[dict[str, list[str]]] = [{"bearer": []}, {"session": []}]
SECURITY_SCHEMES = {
    "bearer": {
        "type": "http",
        "scheme": "bearer",
        "description": "An API token: `pathways users token NAME`, or make one on /account. "
        "Send it as `Authorization: Bearer TOKEN`.",
    },
    "session": {
        "type": "apiKey",
        "in": "cookie",
        "name": COOKIE,
        "description": "The browser's session after signing in on /login. Unsafe methods "
        "(POST, PUT, DELETE) also need the session's CSRF token in `X-CSRF-Token`.",
    },
}
TAGS = [
    {"name": "decisions", "description": "Who the caller is; decisions, what-if and routes"},
    {"name": "pathways", "description": "The pathways in use, their rules and diagrams"},
    {"name": "records", "description": "People's records (hr; an officer reads their own)"},
    {"name": "library", "description": "Library versions: check, publish, activate (hr)"},
    {"name": "reports", "description": "Workforce reports and the impact of a rule change"},
    {
        "name": "jobs",
        "description": "Whole-workforce work in the background: start (202), progress, result",
    },
    {"name": "tokens", "description": "API tokens"},
]
#: What each error means on any route, unless the route says more.
ERROR_WORDS = {
    400: "The body could not be read (not JSON, or broken multipart)",
    401: "Not signed in, or the bearer token is not valid",
    403: "The caller's role may not do this (or see this record)",
    404: "Nothing with this id",
    409: "Conflicts with what is stored",
    413: "The request is too large",
    415: "The body is not of a media type this route reads",
    422: "The input is not valid: `errors` names each invalid field",
    429: "Too many attempts: wait for `Retry-After` seconds",
    503: "The rules engine or graphviz is unavailable just now: try again",
}
_GENERIC = {"Problem details", "Validation Error", "Successful Response", ""}


def operation_id(route: APIRoute) -> str:
    """The route's function name: a client generator makes ``get_decision.sync(...)`` of it."""
    return route.name


def openapi_document(app: FastAPI) -> dict[str, Any]:
    """The app's OpenAPI document (made once, then kept)."""
    if app.openapi_schema:
        return app.openapi_schema
    doc = get_openapi(
        title=app.title,
        version=app.version,
        description=app.description,
        routes=app.routes,
        tags=TAGS,
    )
    components = doc.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    schemas["FieldError"] = FieldError.model_json_schema()
    problem = ProblemDetails.model_json_schema(ref_template="#/components/schemas/{model}")
    problem.pop("$defs", None)
    schemas["ProblemDetails"] = problem
    components["securitySchemes"] = SECURITY_SCHEMES
    for path, operations in doc.get("paths", {}).items():
        for operation in operations.values():
            _complete(path, operation)
    app.openapi_schema = doc
    return doc


def _complete(path: str, operation: dict[str, Any]) -> None:
    responses: dict[str, Any] = operation.setdefault("responses", {})
    if path.startswith("/api/"):
        operation.setdefault("security", SECURITY)
        responses.setdefault("401", {})
    if "requestBody" in operation:  # a body that is not JSON, or too large, or of another type
        for code in ("400", "413", "415"):
            responses.setdefault(code, {})
    for code, response in responses.items():
        if not code.isdigit() or int(code) < 400:
            continue
        if response.get("description", "") in _GENERIC:
            response["description"] = ERROR_WORDS.get(int(code), HTTPStatus(int(code)).phrase)
        response["content"] = {"application/problem+json": {"schema": PROBLEM_REF}}


def install_openapi(app: FastAPI) -> None:
    """Serve :func:`openapi_document` as the app's ``/openapi.json``."""

    def document() -> dict[str, Any]:
        return openapi_document(app)

    app.openapi = document  # type: ignore[method-assign]
