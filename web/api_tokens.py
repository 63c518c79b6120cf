"""The API tokens API: make a token for yourself (shown once), list your tokens (never the
token itself), revoke one. An admin sees and may revoke everyone's.

A token is made from a signed-in session (the browser's cookie and CSRF header), never
with another token: a leaked token cannot mint tokens that outlive its revocation.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from store.tokens import (
    MAX_DAYS,
    TokenError,
    TokenInfo,
    create_token,
    list_tokens,
    revoke_token,
)
from store.users import Role

from .apikit import ERRORS, Caller, invalid
from .auth import signed_in_with_session
from .problems import Problem
from .schemas import ApiToken, NewApiToken
from .state import store_of

__all__ = ["TokenRequest", "router"]

router = APIRouter(tags=["tokens"])


class TokenRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"name": "HR sync"}]})

    name: str = Field(min_length=1, max_length=100, description="What the token is for")
    days: int | None = Field(
        None, ge=1, le=MAX_DAYS, description="How long it works (default: 90, or the server's)"
    )


def _json(t: TokenInfo) -> dict[str, Any]:
    return {
        "id": t.id,
        "username": t.username,
        "name": t.name,
        "created_at": t.created_at.isoformat(),
        "expires_at": t.expires_at.isoformat() if t.expires_at else None,
        "last_used_at": t.last_used_at.isoformat() if t.last_used_at else None,
        "revoked": t.revoked,
        "state": t.state,
    }


@router.post(
    "/tokens",
    status_code=201,
    responses=ERRORS,
    response_model=NewApiToken,
    operation_id="create_token",
    summary="Make an API token",
    openapi_extra={"security": [{"session": []}]},  # never with another token
)
def make_token(
    request: Request, user: Caller, body: Annotated[TokenRequest, Body()]
) -> dict[str, Any]:
    """A token for the signed-in caller, with the caller's role. The token is in this
    response only; it is stored as a hash. Needs a signed-in session, not a token."""
    if not signed_in_with_session(request):
        raise Problem(
            403,
            "make API tokens while signed in (the web page /account, or this API with your "
            "session cookie and X-CSRF-Token), not with another token",
            kind="forbidden",
        )
    try:
        info, token = create_token(
            store_of(request),
            user.username,
            body.name,
            actor=f"web:{user.username}",
            days=body.days,
        )
    except TokenError as exc:
        raise invalid(str(exc), [{"field": "body.name", "message": str(exc)}]) from None
    return {**_json(info), "token": token}


@router.get(
    "/tokens",
    responses=ERRORS,
    response_model=list[ApiToken],
    operation_id="list_tokens",
    summary="API tokens (yours; admin: everyone's)",
)
def get_tokens(
    request: Request,
    user: Caller,
    username: Annotated[
        str | None, Query(max_length=100, description="admin: only this user's tokens")
    ] = None,
) -> list[dict[str, Any]]:
    """Newest first. Never the tokens themselves."""
    if user.role is Role.ADMIN:
        owner = username
    elif username not in (None, user.username):
        raise Problem(403, "you may only list your own tokens", kind="forbidden")
    else:
        owner = user.username
    return [_json(t) for t in list_tokens(store_of(request), owner)]


@router.delete(
    "/tokens/{token_id}",
    status_code=204,
    responses=ERRORS,
    operation_id="revoke_token",
    summary="Revoke an API token",
)
def delete_token(
    request: Request,
    token_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    user: Caller,
) -> Response:
    """Revoke one of your tokens (admin: anyone's); it stops working at once."""
    owner = None if user.role is Role.ADMIN else user.username
    if not revoke_token(store_of(request), token_id, owner, actor=f"web:{user.username}"):
        raise Problem(404, f"no live API token {token_id} of yours", kind="not-found")
    return Response(status_code=204)
