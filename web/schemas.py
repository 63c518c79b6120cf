"""The JSON API's response models: what each route answers, as OpenAPI documents it and as a
generated client reads it (``openapi-python-client`` makes typed classes of these).

Models the engine already has (:class:`rules.decision.Decision`, :class:`rules.route.RoutePlan`,
:class:`accreditation.record.Person`, ...) are used as they are; the ones here are the API's
own shapes. A route with ``response_model=`` is validated against it on the way out, so a key
a route returns that is not in its model is dropped: add new keys here first.

Errors are :class:`ProblemDetails` (RFC 9457), put on every error response of every route by
:mod:`web.openapi`.

>>> ProblemDetails.model_validate(PROBLEM_EXAMPLE).status
404
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from accreditation.record import ProtectedCharacteristics
from rules.ranking import RankedStep
from rules.route import RoutePlan
from rules.whatif import WhatIf
from store.users import Role

__all__ = [
    "PROBLEM_EXAMPLE",
    "ApiToken",
    "CheckResult",
    "FieldError",
    "Finding",
    "Me",
    "NewApiToken",
    "PathwayBrief",
    "Pathways",
    "PeoplePage",
    "PersonRow",
    "ProblemDetails",
    "PublishResult",
    "RecordWritten",
    "RouteResult",
    "StageBrief",
    "UtcDateTime",
    "VersionInfo",
    "WhatIfResult",
]


def _utc(value: dt.datetime) -> dt.datetime:
    """The store writes UTC; SQLite reads it back without its zone."""
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


#: A moment, always with its zone (RFC 3339 ``date-time``): naive ones are UTC.
UtcDateTime = Annotated[dt.datetime, AfterValidator(_utc)]


def _examples(*examples: dict[str, Any]) -> ConfigDict:
    return ConfigDict(json_schema_extra={"examples": list(examples)})


# --- errors ------------------------------------------------------------------------------------


class FieldError(BaseModel):
    """One invalid input: where (``body.ranks[0].start``, ``query.as_of``) and what."""

    model_config = ConfigDict(extra="allow")

    field: str = Field(description="The input's path: body.x[0].y, query.name, path.name, form.x")
    message: str
    type: str | None = Field(None, description="The validator's error type, when there is one")


PROBLEM_EXAMPLE: dict[str, Any] = {
    "type": "https://pathways.example/problems/not-found",
    "title": "Not Found",
    "status": 404,
    "detail": "no record with id 'W999999'",
    "instance": "/api/people/W999999/decisions",
}


class ProblemDetails(BaseModel):
    """An error, as RFC 9457 problem details (``application/problem+json``). Validation
    errors (422) add ``errors``, one entry per invalid field."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                PROBLEM_EXAMPLE,
                {
                    "type": "https://pathways.example/problems/validation",
                    "title": "Invalid request",
                    "status": 422,
                    "detail": "the request is not valid: query.as_of: Input should be a valid "
                    "date or datetime, input is too short",
                    "instance": "/api/people/W000001/decisions",
                    "errors": [
                        {
                            "field": "query.as_of",
                            "message": "Input should be a valid date or datetime, input is "
                            "too short",
                            "type": "date_from_datetime_parsing",
                        }
                    ],
                },
            ]
        },
    )

    type: str = Field(description="A URI naming the kind of problem")
    title: str = Field(description="The kind of problem, in a few words")
    status: int = Field(description="The HTTP status code")
    detail: str = Field(description="What went wrong this time, and how to put it right")
    instance: str = Field(description="The path that was asked for")
    errors: list[FieldError] | None = Field(
        None, description="For invalid input: each invalid field"
    )


# --- who am I, pathways ------------------------------------------------------------------------


class Me(BaseModel):
    """The caller."""

    model_config = _examples({"username": "W000001", "role": "officer", "person_id": "W000001"})

    username: str
    role: Role
    person_id: str | None = Field(description="An officer's own record; None for other roles")


class StageBrief(BaseModel):
    id: str
    name: str


class PathwayBrief(BaseModel):
    id: str
    name: str
    source: str | None = Field(description="The policy or guidance the pathway comes from")
    stages: list[StageBrief]


class Pathways(BaseModel):
    """The pathways of the library decisions are made with."""

    library_version: str = Field(description="The library's content hash")
    pathways: list[PathwayBrief]


# --- decisions -------------------------------------------------------------------------------


class WhatIfResult(WhatIf):
    """The decision without and with the hypothetical items, the stages that change, and
    warnings about the items (ids the catalogue does not know, with "did you mean")."""

    warnings: list[str] = Field(default_factory=list)


class RouteResult(RoutePlan):
    """The routes to a goal stage, and the ranked next steps."""

    steps: list[RankedStep] = Field(
        default_factory=list, description="Each action once, most pressing first"
    )


# --- records ---------------------------------------------------------------------------------


class PersonRow(BaseModel):
    """A record in a list: who, and when it was last written."""

    id: str
    kind: str = Field(description="officer or staff")
    name: str | None
    joined: dt.date
    version: int = Field(description="Goes up by one on every write")
    updated_at: UtcDateTime
    protected: ProtectedCharacteristics | None = Field(
        None, description="Only with ?protected=true"
    )


class PeoplePage(BaseModel):
    """One page of records, in id order."""

    model_config = _examples(
        {
            "total": 1,
            "limit": 50,
            "offset": 0,
            "next_offset": None,
            "people": [
                {
                    "id": "W000001",
                    "kind": "officer",
                    "name": "A. Officer",
                    "joined": "2015-09-01",
                    "version": 3,
                    "updated_at": "2026-04-01T09:30:00+00:00",
                }
            ],
        }
    )

    total: int = Field(description="Records matching the query")
    limit: int
    offset: int
    next_offset: int | None = Field(description="The next page's offset; None on the last page")
    people: list[PersonRow]


class RecordWritten(BaseModel):
    """A record created or replaced."""

    model_config = _examples(
        {"id": "W123456", "created": True, "changed": True, "version": 1, "warnings": []}
    )

    id: str
    created: bool
    changed: bool | None = Field(None, description="PUT: whether the record changed")
    version: int | None = Field(description="The record's version after the write")
    warnings: list[str] = Field(
        default_factory=list,
        description="What an import would warn about: unknown ids, dates after today, ...",
    )


# --- the library ------------------------------------------------------------------------------


class VersionInfo(BaseModel):
    """A stored library version."""

    model_config = _examples(
        {
            "digest": "9cf271c5" + "0" * 56,
            "name": "library",
            "author": "hr",
            "published_at": "2026-04-01T09:30:00+00:00",
            "effective_date": "2026-05-01",
            "note": "PIP level 2 course renamed",
            "active": True,
            "files": ["catalogue.yaml", "pip.yaml"],
        }
    )

    digest: str
    name: str
    author: str
    published_at: UtcDateTime
    effective_date: dt.date | None
    note: str | None
    active: bool = Field(description="The version decisions use")
    files: list[str]
    texts: dict[str, str] | None = Field(None, description="Each file's text (?files=true)")


class PublishResult(VersionInfo):
    created: bool = Field(description="False: a stored version with these rules became active")


class Finding(BaseModel):
    """What the checker found in a file: where, what, and how to fix it."""

    severity: str = Field(description="error or warning")
    code: str
    file: str
    line: int | None
    column: int | None
    field: str | None = Field(description="The path in the file: stages[2].requires")
    message: str
    fix: str | None
    suggestion: str | None = Field(description="The id the checker thinks was meant")


class CheckResult(BaseModel):
    """The library in use with the files given, as the checker finds it."""

    ok: bool = Field(description="No errors")
    errors: int
    warnings: int
    digest: str | None = Field(description="The checked library's digest; None: it does not load")
    in_use: str = Field(description="The digest of the library in use")
    unchanged: bool = Field(description="The rules are those in use")
    findings: list[Finding]
    diff: dict[str, str] = Field(description="Each file's unified diff against the file in use")


# --- tokens ----------------------------------------------------------------------------------


class ApiToken(BaseModel):
    """An API token, without the token itself."""

    id: int
    username: str
    name: str = Field(description="What the token is for")
    created_at: UtcDateTime
    expires_at: UtcDateTime | None = Field(None, description="When it stops working (null: never)")
    last_used_at: UtcDateTime | None = Field(
        None, description="When it was last used (to the minute; null: never)"
    )
    revoked: bool
    state: str = Field("live", description="live, expired or revoked")


class NewApiToken(ApiToken):
    token: str = Field(description="The bearer token: shown in this response only")
