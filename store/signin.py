"""The sign-in rate limit, kept in the store so that every server process shares it.

At most ``limit`` attempts per ``window`` for one key (a username and an address) that are
not known to have succeeded. An attempt is *reserved* before the password is checked, in
one transaction that locks the key's row (``BEGIN IMMEDIATE`` on SQLite, ``FOR UPDATE``
on PostgreSQL): forty attempts at once get five reservations, not forty. A success gives
the reservation back and clears the key. Rows of windows that have ended are deleted on
the way, so the table holds at most the keys tried in the last window.

>>> from store import Store
>>> store = Store("sqlite://")
>>> [reserve(store, "sam|10.0.0.1", limit=2) for _ in range(3)][:2], reserve(store, "x", 2)
([0, 0], 0)
>>> reserve(store, "sam|10.0.0.1", limit=2) > 0
True
>>> succeeded(store, "sam|10.0.0.1"); reserve(store, "sam|10.0.0.1", limit=2)
0
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from .schema import sign_in_attempts
from .store import Store

__all__ = ["LIMIT", "WINDOW", "reserve", "stored_keys", "succeeded"]

LIMIT = 5
WINDOW = 300  # seconds


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _utc(value: dt.datetime) -> dt.datetime:
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value


def reserve(
    store: Store,
    key: str,
    limit: int = LIMIT,
    window: int = WINDOW,
    now: dt.datetime | None = None,
) -> int:
    """Reserve one attempt for ``key``: 0 if it may go ahead, else the seconds to wait.
    (``now`` is for tests.)"""
    key = key[:250]
    now = now or _now()
    start_of_window = now - dt.timedelta(seconds=window)
    insert_new = postgres_insert if store.postgres else sqlite_insert
    with store.transaction() as conn:
        conn.execute(
            delete(sign_in_attempts).where(sign_in_attempts.c.window_start < start_of_window)
        )
        # Make sure the key's row exists, then lock it: every attempt on the key queues here.
        conn.execute(
            insert_new(sign_in_attempts)
            .values(key=key, failures=0, window_start=now)
            .on_conflict_do_nothing(index_elements=[sign_in_attempts.c.key])
        )
        query = select(sign_in_attempts).where(sign_in_attempts.c.key == key)
        row = conn.execute(query.with_for_update() if store.postgres else query).one()
        if row.failures >= limit:
            wait = _utc(row.window_start) + dt.timedelta(seconds=window) - now
            return max(1, int(wait.total_seconds()) + 1)
        conn.execute(
            update(sign_in_attempts)
            .where(sign_in_attempts.c.key == key)
            .values(failures=row.failures + 1)
        )
        return 0


def succeeded(store: Store, key: str) -> None:
    """The attempt reserved for ``key`` succeeded: its earlier failures are forgiven."""
    with store.transaction() as conn:
        conn.execute(delete(sign_in_attempts).where(sign_in_attempts.c.key == key[:250]))


def stored_keys(store: Store) -> int:
    """How many keys the table holds (it is bounded by the keys tried in one window)."""
    with store.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(sign_in_attempts)).scalar_one())
