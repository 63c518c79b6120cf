"""The library API (hr only): stored versions, and check / publish / activate.

Checking and publishing share :mod:`web.library` with HR's pages. A check stores nothing;
a publish stores a new version and makes it active (audit-logged; earlier versions are
kept), or refuses with 422 and the findings when the checker finds errors; activate rolls
back (or forward) to a stored version.

Files come as JSON (``{"name": "pip.yaml", "text": "..."}`` or ``{"files": [{"name", "text"},
...]}``) or as ``multipart/form-data`` uploads (one or more ``file`` parts, named by their
file names).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, model_validator
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from pathways.dates import Day
from store import LibraryVersion, StaleLibrary, StoreError

from .apikit import ERRORS, PROBLEM, HrCaller, invalid, json_body, validated
from .library import (
    MAX_FILE_BYTES,
    MAX_FILES,
    FileNameError,
    LibraryCheck,
    check_files,
    finding_json,
    publish_checked,
    rebase,
)
from .problems import Problem
from .schemas import CheckResult, PublishResult, VersionInfo
from .state import service_of, store_of

__all__ = [
    "UPLOAD_BODY",
    "ActivateRequest",
    "LibraryFile",
    "LibraryUpload",
    "checked",
    "read_upload",
    "refused",
    "router",
]

router = APIRouter(tags=["library"])

Digest = Annotated[str, Path(pattern="^[0-9a-f]{64}$", description="A version's digest")]


class LibraryFile(BaseModel):
    """One pathway or catalogue file, replacing (or added to) the library in use."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200, description="e.g. pip.yaml")
    text: str = Field(max_length=MAX_FILE_BYTES, description="The file's YAML text")


class LibraryUpload(BaseModel):
    """One file (``name`` and ``text``) or several (``files``); for publishing, a note."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, min_length=1, max_length=200, description="e.g. pip.yaml")
    text: str | None = Field(None, max_length=MAX_FILE_BYTES)
    files: list[LibraryFile] | None = Field(None, min_length=1, max_length=MAX_FILES)
    note: str | None = Field(None, max_length=2000, description="Why the rules change")
    effective_date: Day | None = Field(
        None, description="When the version's rules take effect (recorded with it)"
    )
    base_version: str | None = Field(
        None,
        pattern="^[0-9a-f]{64}$",
        description="The library version (its digest, `in_use` of a check) this change was "
        "made on; or send it as `If-Match`. If another version is in use now, the answer is "
        "409 with the change re-applied on it.",
    )

    @model_validator(mode="after")
    def _one_form(self) -> LibraryUpload:
        if self.files is None and (self.name is None or self.text is None):
            raise ValueError("give 'name' and 'text', or 'files': [{name, text}, ...]")
        if self.files is not None and (self.name is not None or self.text is not None):
            raise ValueError("give either 'name' and 'text', or 'files', not both")
        return self

    def changed(self) -> dict[str, str]:
        if self.files is not None:
            return {f.name: f.text for f in self.files}
        assert self.name is not None and self.text is not None
        return {self.name: self.text}


class ActivateRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"digest": "9cf271c5ead7"}]}
    )

    digest: str = Field(
        pattern="^[0-9a-f]{12,64}$",
        description="A stored version's digest, or its first 12 or more characters",
    )
    reason: str | None = Field(
        None, max_length=2000, description="Why (kept in the audit log with the rollback)"
    )


_FILE_SCHEMA = {
    "type": "object",
    "required": ["name", "text"],
    "properties": {"name": {"type": "string"}, "text": {"type": "string"}},
}
UPLOAD_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "name": {"type": "string", "example": "pip.yaml"},
                        "text": {"type": "string"},
                        "files": {"type": "array", "items": _FILE_SCHEMA},
                        "note": {"type": "string"},
                        "effective_date": {"type": "string", "format": "date"},
                        "base_version": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                    },
                },
                "example": {
                    "name": "pip.yaml",
                    "text": "pathway:\n  id: pip\n  name: Professionalising Investigation\n...",
                    "note": "PIP level 2 course renamed",
                },
            },
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "file": {
                            "type": "array",
                            "items": {"type": "string", "format": "binary"},
                        },
                        "note": {"type": "string"},
                        "effective_date": {"type": "string", "format": "date"},
                    },
                }
            },
        },
    }
}


async def read_upload(request: Request) -> LibraryUpload:
    """The files (and note) of a check or publish request, JSON or multipart.

    Raises:
        Problem(413, 415, 422): too large, another media type, invalid.
    """
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "multipart/form-data":
        return validated(LibraryUpload, await json_body(request))
    files: list[dict[str, str]] = []
    fields: dict[str, str] = {}
    async with request.form(max_files=MAX_FILES + 1) as form:
        for key, value in form.multi_items():
            if isinstance(value, UploadFile):
                data = await value.read(MAX_FILE_BYTES + 1)
                if len(data) > MAX_FILE_BYTES:
                    raise Problem(
                        413,
                        f"'{value.filename}' is over 1 MB: a pathway file is at most 1 MB",
                        kind="too-large",
                    )
                try:
                    text = data.decode("utf-8")
                except UnicodeDecodeError:
                    raise invalid(
                        f"'{value.filename}' is not UTF-8 text",
                        [{"field": f"form.{key}", "message": "not UTF-8 text"}],
                    ) from None
                files.append({"name": value.filename or "", "text": text})
            elif key in ("note", "effective_date", "base_version"):
                fields[key] = value
            else:
                raise invalid(
                    f"unknown form field '{key}': send files as 'file' parts, and 'note'",
                    [{"field": f"form.{key}", "message": "unknown field"}],
                )
    if not files:
        raise invalid(
            "upload at least one file (a 'file' part)",
            [{"field": "form.file", "message": "required"}],
        )
    return validated(LibraryUpload, {"files": files, **fields}, prefix="form")


def _base(request: Request, upload: LibraryUpload) -> str | None:
    """The version a change was made on: ``base_version``, else ``If-Match``."""
    if upload.base_version:
        return upload.base_version
    tag = request.headers.get("if-match", "").strip().removeprefix("W/").strip('"')
    return tag or None


def _stale(request: Request, base: str, upload: LibraryUpload) -> Problem:
    used = service_of(request).library()
    again = rebase(store_of(request), used, base, upload.changed())
    return Problem(
        409,
        f"the library in use is {again.current[:12]}, not {base[:12]} that this change was "
        "made on: someone published meanwhile. Nothing was published. 'rebased' holds your "
        "files re-applied on the version in use"
        + (f" (with conflicts in {', '.join(again.conflicts)})" if again.conflicts else "")
        + f'; check and publish them with If-Match: "{again.current}"',
        title="The library changed",
        kind="conflict",
        headers={"ETag": f'"{again.current}"'},
        **again.json(),
    )


def checked(request: Request, upload: LibraryUpload) -> LibraryCheck:
    base = _base(request, upload)
    if base is not None and base != service_of(request).library().library.digest:
        raise _stale(request, base, upload)
    try:
        return check_files(service_of(request).library(), upload.changed())
    except FileNameError as exc:
        names = list(upload.changed())
        at = "body.name" if upload.files is None else f"body.files[{names.index(exc.name)}].name"
        raise invalid(str(exc), [{"field": at, "message": str(exc)}]) from None


def refused(check: LibraryCheck, what: str) -> Problem:
    """A 422 problem for a library the checker found errors in (``what``: "not published"),
    with the errors' findings in ``errors``."""
    found = [finding_json(f) for f in check.findings if f.problem.severity.value == "error"]
    first = found[0] if found else None
    return Problem(
        422,
        f"{what}: the checker found {check.errors} error(s); the first: "
        + (
            f"{first['file']}:{first['line']}: {first['message']}"
            if first
            else "the library does not load"
        ),
        title="The library has errors",
        kind="library",
        errors=[{**f, "field": f["field"] or f["file"]} for f in found],
    )


def _result(check: LibraryCheck) -> dict[str, Any]:
    return {
        "ok": check.errors == 0,
        "errors": check.errors,
        "warnings": check.warnings,
        "digest": check.digest,
        "in_use": check.in_use,
        "unchanged": check.unchanged,
        "findings": [finding_json(f) for f in check.findings],
        "diff": {name: check.diff(name) for name in check.changed},
    }


def version_json(v: LibraryVersion, texts: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "digest": v.digest,
        "name": v.name,
        "author": v.author,
        "published_at": v.published_at.isoformat(),
        "effective_date": v.effective_date.isoformat() if v.effective_date else None,
        "note": v.note,
        "active": v.active,
        "files": sorted(v.files),
    }
    if texts:
        out["texts"] = dict(sorted(v.files.items()))
    return out


@router.get(
    "/versions",
    responses=ERRORS,
    response_model=list[VersionInfo],
    response_model_exclude_unset=True,
    operation_id="list_versions",
    summary="Stored library versions (hr)",
)
def versions(request: Request, user: HrCaller) -> Any:
    """Every stored version, newest first; ``active`` marks the one decisions use."""
    return [version_json(v) for v in store_of(request).library_versions()]


@router.get(
    "/versions/{digest}",
    responses=ERRORS,
    response_model=VersionInfo,
    response_model_exclude_unset=True,
    summary="One library version (hr)",
)
def get_version(
    request: Request,
    digest: Digest,
    user: HrCaller,
    files: Annotated[bool, Query(description="Include each file's text")] = False,
) -> Any:
    version = store_of(request).library_version(digest)
    if version is None:
        raise Problem(404, f"no library version '{digest}'", kind="not-found")
    return version_json(version, texts=files)


@router.post(
    "/library/check",
    responses={**ERRORS, 409: PROBLEM, 413: PROBLEM, 415: PROBLEM},
    response_model=CheckResult,
    operation_id="check_library",
    summary="Check pathway files (hr)",
    openapi_extra=UPLOAD_BODY,
)
async def library_check(request: Request, user: HrCaller) -> Any:
    """The checker's findings (severity, code, file, line, column, field, message, fix) for
    the library in use with these files in it, and a diff of each against the file in use.
    Nothing is stored."""
    upload = await read_upload(request)
    # Parsing and checking is CPU work: in a worker thread, never on the event loop.
    check = await run_in_threadpool(checked, request, upload)
    return JSONResponse(_result(check), headers={"ETag": f'"{check.in_use}"'})


@router.post(
    "/library/publish",
    status_code=201,
    responses={
        **ERRORS,
        200: {"description": "No new version", "model": PublishResult},
        409: PROBLEM,
        413: PROBLEM,
        415: PROBLEM,
    },
    response_model=PublishResult,
    response_model_exclude_unset=True,
    operation_id="publish_library",
    summary="Publish pathway files as a new version (hr)",
    openapi_extra=UPLOAD_BODY,
)
async def library_publish(request: Request, response: Response, user: HrCaller) -> Any:
    """Check, then publish the library with these files as the active version (201).
    Refused (422, with the findings in ``errors``) if the checker finds errors. If the
    rules equal a stored version's, that version becomes active again (200)."""
    if getattr(request.app.state, "four_eyes", True):
        raise Problem(
            403,
            "publishing needs a second HR user's approval (four eyes): save the change as a "
            "draft (the web page /library/drafts/new, or 'pathways draft save'); another HR "
            "user approves it",
            title="Publishing needs a review",
            kind="review-required",
        )
    upload = await read_upload(request)
    check = await run_in_threadpool(checked, request, upload)
    if check.errors or check.digest is None:
        raise refused(check, "not published")
    try:
        version, new = await run_in_threadpool(
            publish_checked,
            store_of(request),
            check,
            user.username,
            upload.note,
            upload.effective_date,
        )
    except StaleLibrary:  # published by someone else between the check and now
        raise await run_in_threadpool(_stale, request, check.in_use, upload) from None
    except StoreError as exc:
        raise invalid(str(exc), [{"field": "body", "message": str(exc)}]) from None
    if not new:
        response.status_code = 200
    return {**version_json(version), "created": new}


@router.post(
    "/library/activate",
    responses={**ERRORS, 409: PROBLEM},
    response_model=VersionInfo,
    response_model_exclude_unset=True,
    operation_id="activate_version",
    summary="Activate (roll back to) a stored version (hr)",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": ActivateRequest.model_json_schema()}},
        }
    },
)
async def library_activate(request: Request, user: HrCaller) -> Any:
    """Make a stored version the one decisions use (audit-logged)."""
    body = validated(ActivateRequest, await json_body(request))
    store = store_of(request)
    try:
        await run_in_threadpool(
            store.activate_library, body.digest, f"web:{user.username}", body.reason
        )
    except StoreError as exc:
        status = 409 if "more than one" in str(exc) else 404
        raise Problem(status, str(exc), kind="conflict" if status == 409 else "not-found") from None
    version = store.active_library()
    assert version is not None
    return version_json(version)
