"""Reading the audit log: who did what to which record or library version, and when,
filtered for the audit log viewer (web) and ``pathways audit`` (CLI).

>>> import datetime as dt
>>> from store import Store
>>> store = Store("sqlite://")
>>> from accreditation import Person
>>> _ = store.save_people([Person.model_validate(
...     {"id": "W1", "kind": "officer", "joined": "2020-01-06"})], actor="hr:alice")
>>> total, rows = search(store, user="alice")
>>> total, rows[0].action, rows[0].target
(1, 'record.create', 'W1')
>>> search(store, user="bob")[0]
0
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, func, select

from .schema import audit_log
from .store import Store

__all__ = ["MAX_PAGE", "AuditRow", "actions", "search"]

#: The most entries one page (or one CSV export) holds.
MAX_PAGE = 10_000


@dataclass(frozen=True)
class AuditRow:
    """One audit entry: ``actor`` did ``action`` to ``target`` at ``at``."""

    id: int
    at: dt.datetime
    actor: str
    action: str
    target: str
    before: Any
    after: Any


def search(
    store: Store,
    *,
    user: str | None = None,
    action: str | None = None,
    target: str | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[int, list[AuditRow]]:
    """Entries, newest first, and how many match in all.

    ``user`` matches the actor with or without its channel prefix (``web:alice``,
    ``hr:alice`` and ``alice`` are all alice); ``action`` is a whole action
    (``draft.approve``) or its family (``draft``); ``target`` a record id, a version's
    digest (or its start) or ``draft:N``; ``since`` and ``until`` are dates, both included
    (UTC).
    """
    c = audit_log.c
    where: list[ColumnElement[bool]] = []
    if user:
        name = user.strip()
        where.append((c.actor == name) | c.actor.endswith(":" + name, autoescape=True))
    if action:
        a = action.strip()
        where.append((c.action == a) | c.action.startswith(a + ".", autoescape=True))
    if target:
        where.append(c.target.startswith(target.strip(), autoescape=True))
    if since:
        where.append(c.at >= dt.datetime.combine(since, dt.time(), dt.UTC))
    if until:
        where.append(c.at < dt.datetime.combine(until + dt.timedelta(days=1), dt.time(), dt.UTC))
    limit = max(1, min(limit, MAX_PAGE))
    with store.engine.connect() as conn:
        total = int(
            conn.execute(select(func.count()).select_from(audit_log).where(*where)).scalar_one()
        )
        rows = conn.execute(
            select(audit_log).where(*where).order_by(c.id.desc()).limit(limit).offset(offset)
        ).all()
    return total, [
        AuditRow(int(r.id), _utc(r.at), r.actor, r.action, r.target, r.before, r.after)
        for r in rows
    ]


def actions(store: Store) -> list[str]:
    """Every action in the log, sorted: the choices of the viewer's filter."""
    with store.engine.connect() as conn:
        found = conn.execute(select(audit_log.c.action).distinct()).scalars()
        return sorted(str(a) for a in found)


def _utc(value: dt.datetime) -> dt.datetime:
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)
