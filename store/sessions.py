"""Server-side sessions: a signed-in browser's cookie holds a random id; this table holds
its sha256, the user, the CSRF token and when it expires.

Signing out deletes the row, so a copied cookie stops working at once; so do a password
change or reset, a role change and disabling the user (:mod:`store.users` ends every
session of the user in the same transaction as the change).

>>> from store import Store
>>> from store.users import Users
>>> store = Store("sqlite://")
>>> _ = Users(store).add("hr1", "correct horse battery", "hr", must_change=False)
>>> sid, csrf = create_session(store, "hr1")
>>> session_of(store, sid) == ("hr1", csrf)
True
>>> end_session(store, sid), session_of(store, sid)
(True, None)
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import Connection, delete, insert, select

from .schema import sessions
from .store import Store

__all__ = [
    "SESSION_AGE",
    "create_session",
    "end_session",
    "end_sessions",
    "session_of",
]

#: How long a session lasts from sign-in (seconds).
SESSION_AGE = 8 * 3600


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _utc(value: dt.datetime) -> dt.datetime:
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value


def create_session(store: Store, username: str, age: int = SESSION_AGE) -> tuple[str, str]:
    """A new session for ``username``: its id (for the cookie only) and its CSRF token.
    Expired sessions are deleted on the way, so the table stays small."""
    session_id = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(24)
    now = _now()
    with store.transaction() as conn:
        conn.execute(delete(sessions).where(sessions.c.expires_at < now))
        conn.execute(
            insert(sessions),
            [
                {
                    "id_hash": _hash(session_id),
                    "username": username,
                    "csrf": csrf,
                    "created_at": now,
                    "expires_at": now + dt.timedelta(seconds=age),
                }
            ],
        )
    return session_id, csrf


def session_of(store: Store, session_id: str) -> tuple[str, str] | None:
    """The (username, CSRF token) of a live session; None if it ended or expired."""
    with store.engine.connect() as conn:
        row = conn.execute(
            select(sessions.c.username, sessions.c.csrf, sessions.c.expires_at).where(
                sessions.c.id_hash == _hash(session_id)
            )
        ).first()
    if row is None or _utc(row.expires_at) <= _now():
        return None
    return str(row.username), str(row.csrf)


def end_session(store: Store, session_id: str) -> bool:
    """Sign a session out; True if it was live."""
    with store.transaction() as conn:
        done = conn.execute(delete(sessions).where(sessions.c.id_hash == _hash(session_id)))
    return int(done.rowcount) > 0


def end_sessions(conn: Connection, username: str, keep: str | None = None) -> int:
    """End every session of ``username`` (but ``keep``'s), in ``conn``'s transaction."""
    query = delete(sessions).where(sessions.c.username == username)
    if keep is not None:
        query = query.where(sessions.c.id_hash != _hash(keep))
    return int(conn.execute(query).rowcount)
