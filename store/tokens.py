"""API tokens for integrating systems: made for one user, shown once, stored as a sha256.

A token acts as its user, with the user's role; it stops working when it is revoked or
the user is disabled. Making and revoking one is audit-logged.

>>> from store import Store
>>> from store.users import Users
>>> store = Store("sqlite://")
>>> _ = Users(store).add("sync", "long enough", "hr")
>>> info, token = create_token(store, "sync", "HR system", actor="test")
>>> token.startswith(TOKEN_PREFIX), token_owner(store, token)
(True, 'sync')
>>> revoke_token(store, info.id, actor="test"), token_owner(store, token)
(True, None)
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import func, insert, select, update

from pathways.problems import CareerPathwaysError

from .audit import audit
from .schema import api_tokens
from .store import Store

__all__ = [
    "TOKEN_PREFIX",
    "TokenError",
    "TokenInfo",
    "create_token",
    "get_token",
    "list_tokens",
    "live_token_counts",
    "revoke_all",
    "revoke_token",
    "token_hash",
    "token_owner",
]

TOKEN_PREFIX = "pw_"


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


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _info(row: object) -> TokenInfo:
    created = row.created_at  # type: ignore[attr-defined]
    if created.tzinfo is None:  # SQLite gives naive datetimes back
        created = created.replace(tzinfo=dt.UTC)
    return TokenInfo(
        row.id,  # type: ignore[attr-defined]
        row.username,  # type: ignore[attr-defined]
        row.name,  # type: ignore[attr-defined]
        created,
        bool(row.revoked),  # type: ignore[attr-defined]
    )


def create_token(store: Store, username: str, name: str, actor: str) -> tuple[TokenInfo, str]:
    """Make a token for ``username`` (who must exist); returns it with the token, once.

    Raises:
        TokenError: if ``name`` (what the token is for) is empty or over 100 characters.
    """
    name = name.strip()
    if not name or len(name) > 100 or not name.isprintable():
        raise TokenError("a token needs a name (what it is for) of 1 to 100 printable characters")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with store.transaction() as conn:
        conn.execute(
            insert(api_tokens),
            [
                {
                    "token_hash": token_hash(token),
                    "username": username,
                    "name": name,
                    "created_at": dt.datetime.now(dt.UTC),
                    "revoked": False,
                }
            ],
        )
        row = conn.execute(
            select(api_tokens).where(api_tokens.c.token_hash == token_hash(token))
        ).one()
        after = {"user": username, "name": name}
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
    """How many tokens each user has that are not revoked."""
    query = (
        select(api_tokens.c.username, func.count())
        .where(api_tokens.c.revoked.is_(False))
        .group_by(api_tokens.c.username)
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
    """Revoke every live token of ``username``; how many there were."""
    with store.transaction() as conn:
        done = conn.execute(
            update(api_tokens)
            .where(api_tokens.c.username == username, api_tokens.c.revoked.is_(False))
            .values(revoked=True)
        )
        if done.rowcount:
            audit(conn, actor, "token.revoke-all", username, None, {"revoked": done.rowcount})
    return int(done.rowcount)


def token_owner(store: Store, token: str) -> str | None:
    """The username a live (not revoked) token belongs to."""
    with store.engine.connect() as conn:
        row = conn.execute(
            select(api_tokens.c.username).where(
                api_tokens.c.token_hash == token_hash(token), api_tokens.c.revoked.is_(False)
            )
        ).first()
    return str(row.username) if row is not None else None
