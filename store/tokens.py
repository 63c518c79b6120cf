"""API tokens for integrating systems: made for one user, shown once, stored as a sha256.

A token acts as its user, with the user's role; it stops working when it is revoked, when
it expires (:data:`DEFAULT_DAYS` after it is made, unless asked otherwise), when an admin
resets the user's password, or while the user is disabled. When it was last used is kept
(to the minute). Making and revoking one is audit-logged.

>>> from store import Store
>>> from store.users import Users
>>> store = Store("sqlite://")
>>> _ = Users(store).add("sync", "long enough to use", "hr")
>>> info, token = create_token(store, "sync", "HR system", actor="test")
>>> token.startswith(TOKEN_PREFIX), token_owner(store, token)
(True, 'sync')
>>> revoke_token(store, info.id, actor="test"), token_owner(store, token)
(True, None)
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import secrets
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Connection, func, insert, or_, select, update

from pathways.problems import CareerPathwaysError

from .audit import audit
from .schema import api_tokens
from .store import Store

__all__ = [
    "DAYS_ENV",
    "DEFAULT_DAYS",
    "MAX_DAYS",
    "TOKEN_PREFIX",
    "TokenError",
    "TokenInfo",
    "create_token",
    "get_token",
    "list_tokens",
    "live_token_counts",
    "revoke_all",
    "revoke_all_in",
    "revoke_token",
    "token_hash",
    "token_owner",
]

TOKEN_PREFIX = "pw_"
#: How long a token works unless its maker asks otherwise (``$PATHWAYS_TOKEN_DAYS``).
DEFAULT_DAYS = 90
DAYS_ENV = "PATHWAYS_TOKEN_DAYS"
MAX_DAYS = 366
#: Last use is written at most this often per token (a write on every call would be a lot).
LAST_USED_EVERY = dt.timedelta(minutes=1)


class TokenError(CareerPathwaysError, ValueError):
    """A token cannot be made as asked."""


@dataclass(frozen=True)
class TokenInfo:
    """An API token as its owner may see it: never the token itself."""

    id: int
    username: str
    name: str
    created_at: dt.datetime
    revoked: bool
    expires_at: dt.datetime | None = None
    last_used_at: dt.datetime | None = None

    @property
    def expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= _now()

    @property
    def live(self) -> bool:
        return not self.revoked and not self.expired

    @property
    def state(self) -> str:
        """In words: live, expired or revoked."""
        return "revoked" if self.revoked else "expired" if self.expired else "live"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    """SQLite gives naive datetimes back (they were written in UTC)."""
    if value is None:
        return None
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def default_days() -> int:
    """``$PATHWAYS_TOKEN_DAYS`` if it is a number of days from 1 to 366, else 90."""
    text = os.environ.get(DAYS_ENV, "")
    return int(text) if text.isdigit() and 1 <= int(text) <= MAX_DAYS else DEFAULT_DAYS


def _info(row: object) -> TokenInfo:
    created = _utc(row.created_at)  # type: ignore[attr-defined]
    assert created is not None
    return TokenInfo(
        row.id,  # type: ignore[attr-defined]
        row.username,  # type: ignore[attr-defined]
        row.name,  # type: ignore[attr-defined]
        created,
        bool(row.revoked),  # type: ignore[attr-defined]
        _utc(row.expires_at),  # type: ignore[attr-defined]
        _utc(row.last_used_at),  # type: ignore[attr-defined]
    )


def _live() -> ColumnElement[bool]:
    return (api_tokens.c.revoked.is_(False)) & or_(
        api_tokens.c.expires_at.is_(None), api_tokens.c.expires_at > _now()
    )


def create_token(
    store: Store, username: str, name: str, actor: str, days: int | None = None
) -> tuple[TokenInfo, str]:
    """Make a token for ``username`` (who must exist), working for ``days`` (default
    :func:`default_days`); returns it with the token, once.

    Raises:
        TokenError: if ``name`` (what the token is for) is empty or over 100 characters, or
            ``days`` is not 1 to 366.
    """
    name = name.strip()
    if not name or len(name) > 100 or not name.isprintable():
        raise TokenError("a token needs a name (what it is for) of 1 to 100 printable characters")
    days = default_days() if days is None else days
    if not 1 <= days <= MAX_DAYS:
        raise TokenError(f"a token works for 1 to {MAX_DAYS} days, not {days}")
    now = _now()
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with store.transaction() as conn:
        conn.execute(
            insert(api_tokens),
            [
                {
                    "token_hash": token_hash(token),
                    "username": username,
                    "name": name,
                    "created_at": now,
                    "revoked": False,
                    "expires_at": now + dt.timedelta(days=days),
                }
            ],
        )
        row = conn.execute(
            select(api_tokens).where(api_tokens.c.token_hash == token_hash(token))
        ).one()
        after = {"user": username, "name": name, "days": days}
        audit(conn, actor, "token.create", f"token:{row.id}", None, after)
    return _info(row), token


def list_tokens(store: Store, username: str | None = None) -> list[TokenInfo]:
    """The tokens of ``username`` (everyone's if None), newest first."""
    query = select(api_tokens).order_by(api_tokens.c.id.desc())
    if username is not None:
        query = query.where(api_tokens.c.username == username)
    with store.engine.connect() as conn:
        return [_info(r) for r in conn.execute(query).all()]


def live_token_counts(store: Store) -> dict[str, int]:
    """How many tokens each user has that work (not revoked, not expired)."""
    query = (
        select(api_tokens.c.username, func.count()).where(_live()).group_by(api_tokens.c.username)
    )
    with store.engine.connect() as conn:
        return {r[0]: int(r[1]) for r in conn.execute(query).all()}


def get_token(store: Store, token_id: int) -> TokenInfo | None:
    with store.engine.connect() as conn:
        row = conn.execute(select(api_tokens).where(api_tokens.c.id == token_id)).first()
    return _info(row) if row is not None else None


def revoke_token(
    store: Store, token_id: int, username: str | None = None, actor: str = "cli"
) -> bool:
    """Revoke one token (only if it is ``username``'s, unless None). True if it was live."""
    query = update(api_tokens).where(api_tokens.c.id == token_id, api_tokens.c.revoked.is_(False))
    if username is not None:
        query = query.where(api_tokens.c.username == username)
    with store.transaction() as conn:
        done = conn.execute(query.values(revoked=True))
        if done.rowcount == 1:
            audit(conn, actor, "token.revoke", f"token:{token_id}", {"revoked": False}, None)
    return int(done.rowcount) == 1


def revoke_all(store: Store, username: str, actor: str = "cli") -> int:
    """Revoke every token of ``username`` not revoked yet; how many there were."""
    with store.transaction() as conn:
        return revoke_all_in(conn, username, actor)


def revoke_all_in(conn: Connection, username: str, actor: str) -> int:
    """:func:`revoke_all` in ``conn``'s transaction (a password reset's)."""
    done = conn.execute(
        update(api_tokens)
        .where(api_tokens.c.username == username, api_tokens.c.revoked.is_(False))
        .values(revoked=True)
    )
    if done.rowcount:
        audit(conn, actor, "token.revoke-all", username, None, {"revoked": done.rowcount})
    return int(done.rowcount)


def token_owner(store: Store, token: str) -> str | None:
    """The username a live token (not revoked, not expired) belongs to; its last use is
    noted (to the minute)."""
    digest = token_hash(token)
    with store.engine.connect() as conn:
        row = conn.execute(
            select(api_tokens.c.id, api_tokens.c.username, api_tokens.c.last_used_at).where(
                api_tokens.c.token_hash == digest, _live()
            )
        ).first()
    if row is None:
        return None
    now = _now()
    last = _utc(row.last_used_at)
    if last is None or now - last >= LAST_USED_EVERY:
        with store.transaction() as conn:
            conn.execute(
                update(api_tokens).where(api_tokens.c.id == row.id).values(last_used_at=now)
            )
    return str(row.username)
