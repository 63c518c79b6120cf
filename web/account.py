"""Everyone's own account page: make, list and revoke your API tokens (a token is shown
once, when it is made), and change your password (which signs out your other sessions)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from store.tokens import TokenError, create_token, default_days, list_tokens, revoke_token
from store.users import User, UserError, Users

from .auth import check_csrf
from .pagekit import Signed, page
from .problems import Problem
from .state import store_of, users_of

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


def _account(
    request: Request,
    user: User,
    status: int = 200,
    message: str = "",
    errors: list[str] | None = None,
    new_token: str | None = None,
) -> Response:
    return page(
        request,
        "account.html",
        status=status,
        tokens=list_tokens(store_of(request), user.username),
        token_days=default_days(),
        message=message,
        errors=errors or [],
        new_token=new_token,
    )


@router.get("/account", response_class=HTMLResponse)
def account_page(request: Request, user: Signed) -> Response:
    """Your API tokens and a form to change your password."""
    if user.must_change:
        return _account(
            request,
            user,
            errors=["An admin set your password: choose your own before you go on."],
        )
    return _account(request, user)


@router.post("/account/tokens", response_class=HTMLResponse)
def make_token(
    request: Request,
    user: Signed,
    csrf_token: Annotated[str, Form()] = "",
    name: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """A new token for yourself, with your role; shown on this page only, this once."""
    check_csrf(request, csrf_token)
    try:
        info, token = create_token(
            store_of(request), user.username, name, actor=f"web:{user.username}"
        )
    except TokenError as exc:
        return _account(request, user, status=422, errors=[str(exc)])
    return _account(
        request, user, message=f"Made API token {info.id} “{info.name}”", new_token=token
    )


@router.post("/account/tokens/{token_id}/revoke", response_class=HTMLResponse)
def revoke(
    request: Request, token_id: int, user: Signed, csrf_token: Annotated[str, Form()] = ""
) -> Response:
    check_csrf(request, csrf_token)
    store = store_of(request)
    if not revoke_token(store, token_id, user.username, actor=f"web:{user.username}"):
        raise Problem(404, f"you have no live API token {token_id}", kind="not-found")
    return _account(request, user, message=f"Revoked API token {token_id}")


@router.post("/account/password", response_class=HTMLResponse)
def change_password(
    request: Request,
    user: Signed,
    csrf_token: Annotated[str, Form()] = "",
    current: Annotated[str, Form(max_length=1000)] = "",
    new: Annotated[str, Form(max_length=1000)] = "",
    again: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    """Change your own password: your other sessions end, this one goes on."""
    check_csrf(request, csrf_token)
    users: Users = users_of(request)
    limiter = request.app.state.limiter  # the sign-in limit: no guessing the password here
    address = request.client.host if request.client else "unknown"
    wait = limiter.reserve(user.username, address)
    if wait:
        raise Problem(
            429,
            f"too many wrong passwords; try again in {wait} seconds",
            title="Too many attempts",
            kind="rate-limited",
            headers={"Retry-After": str(wait)},
        )
    errors = []
    if users.authenticate(user.username, current) is None:  # the reservation stays counted
        errors.append("Your current password is not right.")
    else:
        limiter.succeeded(user.username, address)
    if new != again:
        errors.append("The new password and its repeat differ.")
    if not errors:
        try:
            users.set_password(
                user.username,
                new,
                actor=f"web:{user.username}",
                keep_session=request.state.session.get("s"),
            )
        except UserError as exc:
            errors.append(str(exc))
    if errors:
        return _account(request, user, status=422, errors=errors)
    changed = users.get(user.username)
    assert changed is not None
    request.state.user = changed  # this session goes on; the user's others have ended
    return _account(request, changed, message="Your password is changed.")
