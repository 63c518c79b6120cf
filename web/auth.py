"""Sessions (signed cookies), CSRF tokens, the sign-in rate limit, and who may do what.

A session is a cookie signed with itsdangerous: ``{"u": username or None, "c": csrf token,
"p": the user's password stamp}``, HttpOnly, SameSite=Lax and Secure over https, valid for
:data:`SESSION_AGE` seconds. The user is looked up again on every request, so a disabled
user is out at once, a new role applies at once, and a session made before the password
was changed (or reset by an admin) is signed out.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import defaultdict, deque
from typing import Any

from fastapi import Request, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

from store.users import Role, User

from .problems import Problem

__all__ = [
    "COOKIE",
    "SESSION_AGE",
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
    "signed_in_with_session",
]

COOKIE = "pathways_session"
SESSION_AGE = 8 * 3600


class NeedSignIn(Exception):
    """A page needs a signed-in user: answered with a redirect to the sign-in page."""


class Sessions:
    def __init__(self, secret: str):
        self.serializer = URLSafeTimedSerializer(secret, salt="pathways-session")

    def load(self, request: Request) -> dict[str, Any]:
        """The request's session, or a new, signed-out one (with a fresh CSRF token)."""
        raw = request.cookies.get(COOKIE)
        if raw:
            try:
                data = self.serializer.loads(raw, max_age=SESSION_AGE)
                if isinstance(data, dict) and isinstance(data.get("c"), str):
                    return data
            except BadSignature:
                pass
        return {"u": None, "c": secrets.token_urlsafe(24), "new": True}

    def save(self, request: Request, response: Response, session: dict[str, Any]) -> None:
        body = {"u": session.get("u"), "c": session["c"], "p": session.get("p")}
        response.set_cookie(
            COOKIE,
            self.serializer.dumps(body),
            max_age=SESSION_AGE,
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https",
            path="/",
        )


class RateLimiter:
    """At most ``limit`` failed sign-ins per ``window`` seconds for one username and address."""

    def __init__(self, limit: int = 5, window: float = 300.0):
        self.limit = limit
        self.window = window
        self._failures: dict[tuple[str, str], deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _recent(self, key: tuple[str, str], now: float) -> deque[float]:
        times = self._failures[key]
        while times and times[0] <= now - self.window:
            times.popleft()
        return times

    def retry_after(self, username: str, address: str) -> int:
        """Seconds until another try is allowed; 0 if one is allowed now."""
        now = time.monotonic()
        with self._lock:
            times = self._recent((username.lower(), address), now)
            if len(times) < self.limit:
                return 0
            return max(1, int(times[0] + self.window - now) + 1)

    def failed(self, username: str, address: str) -> None:
        with self._lock:
            self._failures[(username.lower(), address)].append(time.monotonic())

    def succeeded(self, username: str, address: str) -> None:
        with self._lock:
            self._failures.pop((username.lower(), address), None)


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
    """The session's user, unless the session predates their last password change (then
    the session is signed out: a password reset ends the sessions made with the old one)."""
    user = request.state.user
    if user is None:
        return None
    assert isinstance(user, User)
    session = request.state.session
    if not secrets.compare_digest(str(session.get("p") or ""), user.stamp):
        session.update(u=None, p=None, c=secrets.token_urlsafe(24), changed=True)
        request.state.user = None
        return None
    return user


def sign_in_session(request: Request, user: User) -> None:
    """Start a new session for ``user`` (a new CSRF token too: no session fixation)."""
    request.state.session.update(
        u=user.username, p=user.stamp, c=secrets.token_urlsafe(24), changed=True
    )
    request.state.user = user


def page_user(request: Request) -> User:
    """The signed-in user of a page (a redirect to the sign-in page if there is none)."""
    user = session_user(request)
    if user is None:
        raise NeedSignIn()
    return user


def bearer_user(request: Request, header: str) -> User | None:
    """The user of an ``Authorization: Bearer TOKEN`` header, if the token is valid."""
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    user = request.app.state.users.for_token(token.strip())
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
