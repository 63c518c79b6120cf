"""When each library version decides: the schedule of versions by as-of date.

Every publication, scheduled publication and rollback adds an entry: a version and the
first as-of date it decides (``None``: every date up to the next entry's). The version in
force on a date is the live entry with the latest start on or before it (no start counts
as the earliest), the newer entry winning a tie. So a version published to take effect
on 1 April decides as-of dates from 1 April, and the one before it keeps deciding the
dates before; a decision as of any date is made with the version in force on that date.

What an entry replaces (its ``superseded_at`` is set; nothing is deleted):

- published now (no date): every entry that has started by today, so the new version
  decides today and every date before, up to a version scheduled for later;
- scheduled from a date: an entry scheduled for that same date;
- a rollback: every entry, scheduled ones too (the version decides every date).

``library_versions.active`` is kept equal to the version in force today when the schedule
changes; :func:`in_force` is the rule (a scheduled version comes into force on its date
without any write).

>>> import datetime as dt
>>> from store import Store
>>> store = Store("sqlite://")
>>> april = dt.date(2031, 4, 1)
>>> with store.transaction() as conn:
...     _ = record(conn, "v1" * 32, None, "alice", "publish", today=dt.date(2031, 3, 1))
...     _ = record(conn, "v2" * 32, april, "bob", "schedule", today=dt.date(2031, 3, 1))
...     [in_force(conn, d)[:2] for d in (dt.date(2031, 3, 31), april)]
['v1', 'v2']
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Connection, insert, or_, select, update

from .audit import audit
from .schema import library_schedule, library_versions, locks

__all__ = ["ScheduleEntry", "Segment", "entries", "in_force", "lock", "record", "segments"]


@dataclass(frozen=True)
class ScheduleEntry:
    """One publication, scheduled publication or rollback of a library version."""

    id: int
    digest: str
    effective_from: dt.date | None
    at: dt.datetime
    actor: str
    action: str
    reason: str | None
    superseded_at: dt.datetime | None

    @property
    def live(self) -> bool:
        return self.superseded_at is None


@dataclass(frozen=True)
class Segment:
    """A run of as-of dates one version decides: ``first`` to ``last`` (None: open)."""

    digest: str
    first: dt.date | None
    last: dt.date | None

    def words(self) -> str:
        """'every date', 'dates before 2027-04-01', '2027-04-01 on', 'from A to B'."""
        if self.first is None and self.last is None:
            return "every date"
        if self.first is None:
            assert self.last is not None
            return f"dates before {self.last + dt.timedelta(days=1)}"
        if self.last is None:
            return f"{self.first} on"
        return f"{self.first} to {self.last}"


def segments(timeline: list[ScheduleEntry]) -> list[Segment]:
    """The dates each version decides, in date order, by the rule of :func:`in_force`.

    >>> at = dt.datetime(2031, 1, 1, tzinfo=dt.UTC)
    >>> def e(i, d, start): return ScheduleEntry(i, d, start, at, "hr", "x", None, None)
    >>> [s.words() for s in segments([e(1, "a", None), e(2, "b", dt.date(2031, 4, 1))])]
    ['dates before 2031-04-01', '2031-04-01 on']
    """
    live = [e for e in timeline if e.live]
    starts = sorted({e.effective_from for e in live if e.effective_from is not None})
    bounds: list[dt.date | None] = [None, *starts]
    out: list[Segment] = []
    for i, first in enumerate(bounds):
        day = first or dt.date.min
        deciding = [e for e in live if (e.effective_from or dt.date.min) <= day]
        if not deciding:
            continue
        best = max(deciding, key=lambda e: (e.effective_from or dt.date.min, e.id))
        nxt = bounds[i + 1] if i + 1 < len(bounds) else None
        last = nxt - dt.timedelta(days=1) if nxt is not None else None
        if out and out[-1].digest == best.digest and out[-1].last is not None:
            out[-1] = Segment(best.digest, out[-1].first, last)
        else:
            out.append(Segment(best.digest, first, last))
    return out


def lock(conn: Connection) -> None:
    """Serialise what changes the schedule (publication, approval, rollback): call first in
    the transaction, before reading what is in force. A second one waits here until the
    first commits, then reads what it did (so it is told, never overwrites silently).

    SQLite: the store's transaction holds the write lock from its start (``BEGIN
    IMMEDIATE``). PostgreSQL: the ``library`` row of ``locks`` (``FOR UPDATE``, migration
    0005), written so the lock is taken on both.
    """
    serial = conn.execute(
        select(locks.c.serial).where(locks.c.name == "library").with_for_update()
    ).scalar_one_or_none()
    if serial is None:  # a database made before migration 0005 filled the row
        conn.execute(insert(locks), [{"name": "library", "serial": 0}])
        serial = 0
    conn.execute(update(locks).where(locks.c.name == "library").values(serial=serial + 1))


def entries(conn: Connection) -> list[ScheduleEntry]:
    """Every entry, newest first."""
    rows = conn.execute(select(library_schedule).order_by(library_schedule.c.id.desc())).all()
    return [
        ScheduleEntry(
            r.id,
            r.digest,
            r.effective_from,
            _utc(r.at),
            r.actor,
            r.action,
            r.reason,
            _utc(r.superseded_at) if r.superseded_at is not None else None,
        )
        for r in rows
    ]


def in_force(conn: Connection, day: dt.date) -> str | None:
    """The digest of the version that decides as-of ``day`` (None: none is stored).

    A database without schedule entries (published before the schedule existed) uses
    its active version for every date.
    """
    s = library_schedule.c
    live = conn.execute(
        select(s.id, s.digest, s.effective_from).where(
            s.superseded_at.is_(None), or_(s.effective_from.is_(None), s.effective_from <= day)
        )
    ).all()
    if live:
        best = max(live, key=lambda r: (r.effective_from or dt.date.min, r.id))
        return str(best.digest)
    if conn.execute(select(s.id).limit(1)).first() is not None:
        return None  # every entry starts after ``day``
    active = conn.execute(
        select(library_versions.c.digest).where(library_versions.c.active.is_(True))
    ).scalar_one_or_none()
    return str(active) if active is not None else None


def record(
    conn: Connection,
    digest: str,
    effective_from: dt.date | None,
    actor: str,
    action: str,
    reason: str | None = None,
    today: dt.date | None = None,
) -> list[int]:
    """Add an entry for ``digest`` in ``conn``'s transaction (see the module docstring for
    what it replaces), keep the active flag on the version in force today, and audit it.
    Returns the ids of the entries it replaced."""
    today = today or dt.date.today()
    before = in_force(conn, today)
    s = library_schedule.c
    live: ColumnElement[bool] = s.superseded_at.is_(None)
    replaced: ColumnElement[bool]
    if action == "rollback":
        replaced = live
    elif effective_from is None:
        replaced = live & or_(s.effective_from.is_(None), s.effective_from <= today)
    else:
        replaced = live & (s.effective_from == effective_from)
    now = dt.datetime.now(dt.UTC)
    ids = [int(i) for i in conn.execute(select(s.id).where(replaced)).scalars()]
    if ids:
        conn.execute(update(library_schedule).where(s.id.in_(ids)).values(superseded_at=now))
    conn.execute(
        insert(library_schedule),
        [
            {
                "digest": digest,
                "effective_from": effective_from,
                "at": now,
                "actor": actor[:100],
                "action": action,
                "reason": reason,
            }
        ],
    )
    after = in_force(conn, today)
    flag = library_versions.c.digest == after if after is not None else False
    conn.execute(update(library_versions).values(active=flag))
    if effective_from is not None or action == "rollback":
        audit(
            conn,
            actor,
            f"library.{action}",
            digest,
            None,
            {
                "effective_from": effective_from.isoformat() if effective_from else None,
                "reason": reason,
                "replaced": ids,
            },
        )
    if after != before:
        audit(conn, actor, "library.activate", after or "", before, after)
    return ids


def _utc(value: dt.datetime) -> dt.datetime:
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)
