"""The admin's pages: users (add, disable or enable, reset a password, change the role) and
their API tokens (revoke). Every change is audit-logged as ``web:ADMIN``; an admin cannot
disable themself or change their own role, so there is always an admin left."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from store.tokens import list_tokens, revoke_token
from store.users import ROLES, Role, User, UserError, Users, new_password

from .auth import check_csrf, require_role
from .pagekit import Signed, page
from .problems import Problem
from .state import store_of, users_of

__all__ = ["ACTIONS", "router"]

router = APIRouter(include_in_schema=False)

#: What ``POST /admin/users/{username}`` can do, with the words for the page.
ACTIONS = {
    "disable": "disable the user (their sessions and API tokens stop working)",
    "enable": "enable a disabled user",
    "reset": "a new random password, shown once, to be changed at the next sign-in; signs "
    "the user out everywhere and revokes their API tokens (unless kept)",
    "role": "change the role (and, for officers, the record they are linked to)",
    "revoke-tokens": "revoke every API token of the user",
    "revoke-token": "revoke one API token (token_id)",
}


def _users(request: Request) -> Users:
    users: Users = users_of(request)
    return users


def _list(
    request: Request,
    status: int = 200,
    message: str = "",
    errors: list[str] | None = None,
) -> Response:
    return page(
        request,
        "users.html",
        status=status,
        accounts=_users(request).accounts(),
        roles=ROLES,
        message=message,
        errors=errors or [],
    )


@router.get("/admin/users", response_class=HTMLResponse)
def users_page(
    request: Request, user: Signed, message: Annotated[str, Query(max_length=200)] = ""
) -> Response:
    """Every user: role, record, state, live API tokens; and a form to add one."""
    require_role(user, Role.ADMIN)
    return _list(request, message=message)


@router.post("/admin/users", response_class=HTMLResponse)
def add_user(
    request: Request,
    user: Signed,
    csrf_token: Annotated[str, Form()] = "",
    username: Annotated[str, Form(max_length=100)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    role: Annotated[str, Form(max_length=16)] = "",
    person_id: Annotated[str, Form(max_length=32)] = "",
) -> Response:
    check_csrf(request, csrf_token)
    require_role(user, Role.ADMIN)
    try:
        _users(request).add(
            username, password, role, person_id.strip() or None, actor=f"web:{user.username}"
        )
    except UserError as exc:
        return _list(request, status=422, errors=[str(exc)])
    return RedirectResponse(f"/admin/users?message=Added+{username}", status_code=303)


def _account_page(
    request: Request,
    username: str,
    status: int = 200,
    message: str = "",
    errors: list[str] | None = None,
) -> Response:
    account = next((a for a in _users(request).accounts() if a.username == username), None)
    if account is None:
        raise Problem(404, f"no user '{username}'", kind="not-found")
    return page(
        request,
        "user.html",
        status=status,
        account=account,
        tokens=list_tokens(store_of(request), username),
        roles=ROLES,
        message=message,
        errors=errors or [],
    )


@router.get("/admin/users/{username}", response_class=HTMLResponse)
def user_page(request: Request, username: str, user: Signed) -> Response:
    """One user: change the role, reset the password, disable or enable, revoke tokens."""
    require_role(user, Role.ADMIN)
    return _account_page(request, username)


@router.post("/admin/users/{username}", response_class=HTMLResponse)
def change_user(
    request: Request,
    username: str,
    user: Signed,
    csrf_token: Annotated[str, Form()] = "",
    action: Annotated[str, Form(max_length=16)] = "",
    role: Annotated[str, Form(max_length=16)] = "",
    person_id: Annotated[str, Form(max_length=32)] = "",
    token_id: Annotated[str, Form(max_length=20)] = "",
    keep_tokens: Annotated[str, Form(max_length=1)] = "",
) -> Response:
    """Do ``action`` (one of :data:`ACTIONS`) to a user; the answer is their page, with a
    new password shown there once (never in a URL)."""
    check_csrf(request, csrf_token)
    require_role(user, Role.ADMIN)
    if action not in ACTIONS:
        raise Problem(
            422,
            f"unknown action '{action}': use one of {', '.join(ACTIONS)}",
            title="Invalid request",
            kind="validation",
            errors=[{"field": "form.action", "message": f"one of {', '.join(ACTIONS)}"}],
        )
    if username == user.username and action in ("disable", "role"):
        raise Problem(
            422,
            f"you cannot {'disable yourself' if action == 'disable' else 'change your own role'}"
            "; ask another admin",
            title="Invalid request",
            kind="validation",
        )
    if _users(request).get(username, include_disabled=True) is None:
        raise Problem(404, f"no user '{username}'", kind="not-found")
    try:
        message = _do(request, user, username, action, role, person_id, token_id, keep_tokens)
    except UserError as exc:
        return _account_page(request, username, status=422, errors=[str(exc)])
    return _account_page(request, username, message=message)


def _do(
    request: Request,
    admin: User,
    username: str,
    action: str,
    role: str,
    person_id: str,
    token_id: str,
    keep_tokens: str = "",
) -> str:
    """Raises: UserError (shown on the user's page) if the change is not possible."""
    users, actor = _users(request), f"web:{admin.username}"
    if action in ("disable", "enable"):
        users.set_disabled(username, action == "disable", actor=actor)
        return f"{username} {action}d"
    if action == "reset":
        password = new_password()
        revoked = users.set_password(
            username, password, actor=actor, reset=True, revoke_tokens=keep_tokens != "1"
        )
        kept = "" if keep_tokens != "1" else " (kept the others, as asked)"
        return (
            f"{username} is signed out everywhere, {revoked} API token(s) revoked{kept}; they "
            f"choose their own password at their next sign-in. New password for {username} "
            f"(shown once): {password}"
        )
    if action == "role":
        changed = users.set_role(username, role, person_id.strip() or None, actor=actor)
        linked = f", linked to record {changed.person_id}" if changed.person_id else ""
        return f"{username} is now {changed.role.value}{linked}"
    if action == "revoke-tokens":
        return f"revoked {users.revoke_tokens(username, actor=actor)} API token(s) of {username}"
    if not token_id.isdigit():
        raise UserError(f"token_id '{token_id}' is not a token number")
    if not revoke_token(store_of(request), int(token_id), username, actor=actor):
        raise UserError(f"{username} has no live API token {token_id}")
    return f"revoked API token {token_id} of {username}"
