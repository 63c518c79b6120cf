"""Sessions, CSRF tokens, the sign-in rate limit, and who may do what.

A signed-in session lives in the store (:mod:`store.sessions`): the cookie holds a random
id (signed with itsdangerous, HttpOnly, SameSite=Lax, Secure over https), the store its
hash, the user and the CSRF token. Signing out deletes it, so a copied cookie stops working
at once; a password change or reset, a role change and disabling the user end the user's
sessions the same way. The user is looked up on every request, so a new role or a disabled
account applies at once. A visitor who is not signed in has a signed cookie with a CSRF
token only (nothing is stored for them).

The sign-in limit is kept in the store too (:mod:`store.signin`), so it holds across
``pathways serve --processes N``.
"""

from __future__ import annotations

import secrets
from typing import Any

from fastapi import Request, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

from store import Store, signin
from store import sessions as stored
from store.users import Role, User, Users

from .problems import Problem
from .state import users_of

__all__ = [
    "COOKIE",
    "SESSION_AGE",
    "NeedPasswordChange",
    "NeedSignIn",
    "RateLimiter",
    "Sessions",
    "api_user",
    "bearer_user",
    "check_csrf",
    "page_user",
    "require_person",
    "require_role",
    "session_user",
    "sign_in_session",
    "sign_out_session",
    "signed_in_with_session",
]

COOKIE = "pathways_session"
SESSION_AGE = stored.SESSION_AGE
#: Pages a user whose password was set by an admin may use before choosing their own.
PASSWORD_PAGES = ("/account", "/account/password", "/logout")


class NeedSignIn(Exception):
    """A page needs a signed-in user: answered with a redirect to the sign-in page."""


class NeedPasswordChange(Exception):
    """The user must choose their own password first: a redirect to their account page."""


class Sessions:
    def __init__(self, secret: str, store: Store, users: Users):
        self.serializer = URLSafeTimedSerializer(secret, salt="pathways-session")
        self.store = store
        self.users = users

    def load(self, request: Request) -> tuple[dict[str, Any], User | None]:
        """The request's session and its user; a new, signed-out session (with a fresh CSRF
        token) if there is none, or it was signed out, expired, or its user disabled."""
        raw = request.cookies.get(COOKIE)
        data: Any = None
        if raw:
            try:
                data = self.serializer.loads(raw, max_age=SESSION_AGE)
            except BadSignature:
                data = None
        if isinstance(data, dict) and isinstance(data.get("s"), str):
            found = stored.session_of(self.store, data["s"])
            user = self.users.get(found[0]) if found is not None else None
            if found is not None and user is not None:
                return {"u": user.username, "c": found[1], "s": data["s"]}, user
            return _anonymous(), None  # signed out elsewhere: a new cookie
        if isinstance(data, dict) and isinstance(data.get("c"), str):
            return {"u": None, "c": data["c"], "s": None}, None
        return _anonymous(), None

    def save(self, request: Request, response: Response, session: dict[str, Any]) -> None:
        body = {"s": session["s"]} if session.get("s") else {"c": session["c"]}
        response.set_cookie(
            COOKIE,
            self.serializer.dumps(body),
            max_age=SESSION_AGE,
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https",
            path="/",
        )


def _anonymous() -> dict[str, Any]:
    return {"u": None, "c": secrets.token_urlsafe(24), "s": None, "new": True}


class RateLimiter:
    """At most ``limit`` failed sign-ins per ``window`` seconds for one username and address,
    counted in the store (shared by every server process). An attempt is reserved before
    the password is checked, so attempts sent at once cannot all slip through."""

    def __init__(self, store: Store, limit: int = signin.LIMIT, window: int = signin.WINDOW):
        self.store = store
        self.limit = limit
        self.window = window

    @staticmethod
    def _key(username: str, address: str) -> str:
        return f"{username.lower()}|{address}"

    def reserve(self, username: str, address: str) -> int:
        """Reserve an attempt: 0 if it may go ahead, else seconds until another may."""
        return signin.reserve(self.store, self._key(username, address), self.limit, self.window)

    def succeeded(self, username: str, address: str) -> None:
        signin.succeeded(self.store, self._key(username, address))


def check_csrf(request: Request, token: str | None) -> None:
    """Raises Problem(403) unless ``token`` is this session's CSRF token."""
    expected = request.state.session["c"]
    if not token or not secrets.compare_digest(token, expected):
        raise Problem(
            403,
            "the form's security token is missing or out of date; reload the page and try again",
            title="Form expired",
            kind="csrf",
        )


def session_user(request: Request) -> User | None:
    """The session's user (checked against the store by the session middleware)."""
    user = request.state.user
    assert user is None or isinstance(user, User)
    return user


def sign_in_session(request: Request, user: User) -> None:
    """Start a new session for ``user`` (a new id and CSRF token: no session fixation); the
    session it replaces, if any, ends."""
    sessions: Sessions = request.app.state.sessions
    old = request.state.session.get("s")
    if old:
        stored.end_session(sessions.store, old)
    session_id, csrf = stored.create_session(sessions.store, user.username)
    request.state.session.update(u=user.username, c=csrf, s=session_id, changed=True)
    request.state.user = user


def sign_out_session(request: Request) -> None:
    """End the session in the store (a copy of the cookie stops working too)."""
    sessions: Sessions = request.app.state.sessions
    old = request.state.session.get("s")
    if old:
        stored.end_session(sessions.store, old)
    request.state.session.update(u=None, s=None, c=secrets.token_urlsafe(24), changed=True)
    request.state.user = None


def page_user(request: Request) -> User:
    """The signed-in user of a page (a redirect to the sign-in page if there is none, and
    to their account page if they must change their password first)."""
    user = session_user(request)
    if user is None:
        raise NeedSignIn()
    if user.must_change and request.url.path not in PASSWORD_PAGES:
        raise NeedPasswordChange()
    return user


def bearer_user(request: Request, header: str) -> User | None:
    """The user of an ``Authorization: Bearer TOKEN`` header, if the token is valid."""
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    user = users_of(request).for_token(token.strip())
    assert user is None or isinstance(user, User)
    return user


def api_user(request: Request) -> User:
    """The API caller: a bearer token, or a signed-in session (unsafe methods then need the
    session's CSRF token in an ``X-CSRF-Token`` header)."""
    header = request.headers.get("authorization", "")
    if header:
        # The middleware has looked a token up already when the request has a body.
        found = getattr(request.state, "bearer", False)
        user = bearer_user(request, header) if found is False else found
        if user is None:
            raise Problem(
                401,
                "the bearer token is not valid (revoked, mistyped, or not a bearer token)",
                kind="unauthorized",
                headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
            )
        assert isinstance(user, User)
        return user
    user = session_user(request)
    if user is None:
        raise Problem(
            401,
            "sign in, or send an API token as 'Authorization: Bearer TOKEN'",
            kind="unauthorized",
            headers={"WWW-Authenticate": "Bearer"},
        )
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        check_csrf(request, request.headers.get("x-csrf-token"))
    if user.must_change:
        raise Problem(
            403,
            "choose your own password first (your account page): an admin set this one",
            kind="password-change",
        )
    return user


def signed_in_with_session(request: Request) -> bool:
    """True if the request is signed in by its session cookie, not by a bearer token."""
    return not request.headers.get("authorization") and session_user(request) is not None


def require_role(user: User, *roles: Role) -> None:
    """Raises Problem(403) unless the user has one of ``roles``."""
    if user.role not in roles:
        raise Problem(
            403,
            f"this needs the role {' or '.join(r.value for r in roles)}; "
            f"you are signed in as '{user.username}' ({user.role.value})",
            kind="forbidden",
        )


def require_person(user: User, person_id: str) -> None:
    """Raises Problem(403) unless the user may see this person's record."""
    if not user.may_see_person(person_id):
        raise Problem(
            403,
            "you may only see your own record"
            if user.role is Role.OFFICER
            else f"the role {user.role.value} does not give access to individual records",
            kind="forbidden",
        )
