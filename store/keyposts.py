"""Key posts for succession planning (002 recs 3 and 5; 001 para 14), and the key-post
report kept once a quarter.

HR names each key post: the post in words, its business group, the stage a successor must
hold (``pathway.stage``) and the holder (a person id, or none while it is vacant). Every
change names the version of the post the writer saw, so of two people changing one post
at once the second is told, never silently overwritten; every change is audit-logged
(``keypost.add``, ``keypost.change``, ``keypost.retire``; target ``keypost:ID``). A
retired post is kept, so old snapshots and the log still name it.

A snapshot is the report on a date, kept for its quarter (``2024-Q2``): one per quarter,
and keeping another for the same quarter needs ``replace`` (logged ``keypost.snapshot``).

>>> from store import Store
>>> posts = KeyPosts(Store("sqlite://"))
>>> made = posts.add("Borough Commander, Westminster", "territorial_policing",
...                  "promotion.chief_superintendent", None, actor="hr")
>>> (made.id, made.version, made.holder)
(1, 1, None)
>>> posts.change(made.id, 1, "hr", holder="W000123").version
2
>>> try:
...     posts.change(made.id, 1, "hr2", holder="W000999")
... except KeyPostConflict as exc:
...     print(str(exc).split(": ", 1)[1][:40])
the holder is now W000123. Look again, t
>>> quarter_of(dt.date(2024, 6, 30)), quarter_of(dt.date(2024, 7, 1))
('2024-Q2', '2024-Q3')
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, insert, select, update
from sqlalchemy.exc import IntegrityError

from pathways.problems import CareerPathwaysError

from .audit import audit
from .schema import key_post_snapshots, key_posts, people
from .store import AuditEntry, Store

__all__ = [
    "MAX_POST_WORDS",
    "KeyPost",
    "KeyPostConflict",
    "KeyPostError",
    "KeyPosts",
    "Snapshot",
    "quarter_of",
]

#: The longest post name kept (characters).
MAX_POST_WORDS = 200
_FIELDS = ("post", "business_group", "stage", "holder")


class KeyPostError(CareerPathwaysError, ValueError):
    """A key post or snapshot cannot be kept as asked."""


class KeyPostConflict(KeyPostError):
    """Someone else changed the post (or kept the quarter's snapshot) since the writer saw it."""


@dataclass(frozen=True)
class KeyPost:
    id: int
    post: str
    business_group: str
    stage: str
    holder: str | None
    active: bool
    version: int
    updated_by: str
    updated_at: dt.datetime

    def fields(self) -> dict[str, Any]:
        return {f: getattr(self, f) for f in _FIELDS}


@dataclass(frozen=True)
class Snapshot:
    quarter: str
    as_of: dt.date
    library_version: str
    report: dict[str, Any]
    taken_by: str
    taken_at: dt.datetime


def quarter_of(day: dt.date) -> str:
    """The calendar quarter a day is in, as ``YYYY-Qn``."""
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def _clean(post: str, business_group: str, stage: str, holder: str | None) -> dict[str, Any]:
    post = " ".join(post.split())
    if not post:
        raise KeyPostError("name the post (e.g. 'Borough Commander, Westminster')")
    if len(post) > MAX_POST_WORDS:
        raise KeyPostError(f"the post's name is {len(post)} characters; at most {MAX_POST_WORDS}")
    for name, value, most in (("business group", business_group, 64), ("stage", stage, 200)):
        if not value.strip() or len(value) > most:
            raise KeyPostError(f"give the {name} (at most {most} characters)")
    holder = holder.strip() if holder else None
    if holder is not None and len(holder) > 32:
        raise KeyPostError("the holder is a warrant or staff number (at most 32 characters)")
    return {
        "post": post,
        "business_group": business_group.strip(),
        "stage": stage.strip(),
        "holder": holder or None,
    }


class KeyPosts:
    """Key posts and their quarterly snapshots in a :class:`store.Store`."""

    def __init__(self, store: Store):
        self.store = store

    # --- reading -------------------------------------------------------------------------

    def all(self, include_retired: bool = False) -> list[KeyPost]:
        """Every key post, by business group and post."""
        query = select(key_posts).order_by(key_posts.c.business_group, key_posts.c.post)
        if not include_retired:
            query = query.where(key_posts.c.active.is_(True))
        with self.store.engine.connect() as conn:
            return [_post(r) for r in conn.execute(query)]

    def get(self, post_id: int) -> KeyPost | None:
        with self.store.engine.connect() as conn:
            return _get(conn, post_id)

    def history(self, post_id: int) -> list[AuditEntry]:
        """The post's audit trail, newest first."""
        return self.store.audit(f"keypost:{post_id}", limit=500)

    def names(self, ids: set[str]) -> dict[str, str | None]:
        """The stored name of each person in ``ids`` that has a record."""
        found: dict[str, str | None] = {}
        wanted = sorted(ids)
        with self.store.engine.connect() as conn:
            for i in range(0, len(wanted), 500):
                query = select(people.c.id, people.c.name).where(
                    people.c.id.in_(wanted[i : i + 500])
                )
                found.update({r.id: r.name for r in conn.execute(query)})
        return found

    # --- changing ------------------------------------------------------------------------

    def add(
        self, post: str, business_group: str, stage: str, holder: str | None, actor: str
    ) -> KeyPost:
        """Name a new key post.

        Raises:
            KeyPostError: if a key post of that name is in that business group already, or a
                field is empty or too long.
        """
        values = _clean(post, business_group, stage, holder)
        with self.store.transaction() as conn:
            self._unique(conn, values, None)
            made = conn.execute(
                insert(key_posts).values(
                    **values,
                    active=True,
                    version=1,
                    updated_by=actor[:100],
                    updated_at=dt.datetime.now(dt.UTC),
                )
            )
            key = made.inserted_primary_key
            assert key is not None  # an insert of one row gives its key
            post_id = int(key[0])
            audit(conn, actor, "keypost.add", f"keypost:{post_id}", None, values)
            found = _get(conn, post_id)
        assert found is not None
        return found

    def change(self, post_id: int, seen: int, actor: str, **changes: Any) -> KeyPost:
        """Change a post's ``post``, ``business_group``, ``stage`` or ``holder``, if it is
        still at version ``seen``.

        Raises:
            KeyPostConflict: if it changed since (the message says how it stands now).
            KeyPostError: if there is no such active post, a field is unknown or bad, or the
                new name is taken in its business group.
        """
        unknown = set(changes) - set(_FIELDS)
        if unknown:
            raise KeyPostError(f"a key post has no field {', '.join(sorted(unknown))}")
        with self.store.transaction() as conn:
            current = self._check(conn, post_id, seen)
            values = _clean(**(current.fields() | changes))
            if values == current.fields():
                return current
            self._unique(conn, values, post_id)
            self._write(conn, post_id, seen, actor, values)
            before = {k: v for k, v in current.fields().items() if values[k] != v}
            after = {k: values[k] for k in before}
            audit(conn, actor, "keypost.change", f"keypost:{post_id}", before, after)
            found = _get(conn, post_id)
        assert found is not None
        return found

    def retire(self, post_id: int, seen: int, actor: str) -> None:
        """Stop treating a post as key (it is kept, for the log and old snapshots).

        Raises:
            KeyPostConflict: if it changed since the writer saw it.
            KeyPostError: if there is no such active post.
        """
        with self.store.transaction() as conn:
            current = self._check(conn, post_id, seen)
            self._write(conn, post_id, seen, actor, {"active": False})
            audit(conn, actor, "keypost.retire", f"keypost:{post_id}", current.fields(), None)

    def _write(
        self, conn: Connection, post_id: int, seen: int, actor: str, values: dict[str, Any]
    ) -> None:
        done = conn.execute(
            update(key_posts)
            .where(key_posts.c.id == post_id, key_posts.c.version == seen)
            .values(
                **values,
                version=seen + 1,
                updated_by=actor[:100],
                updated_at=dt.datetime.now(dt.UTC),
            )
        )
        if done.rowcount != 1:  # changed between the check and here
            raise _conflict(_get(conn, post_id))

    def _check(self, conn: Connection, post_id: int, seen: int) -> KeyPost:
        current = _get(conn, post_id)
        if current is None or not current.active:
            raise KeyPostError(f"no key post {post_id}" + (" (it was retired)" if current else ""))
        if current.version != seen:
            raise _conflict(current)
        return current

    def _unique(self, conn: Connection, values: dict[str, Any], own: int | None) -> None:
        query = select(key_posts.c.id).where(
            key_posts.c.active.is_(True),
            key_posts.c.post == values["post"],
            key_posts.c.business_group == values["business_group"],
        )
        clash = [r.id for r in conn.execute(query) if r.id != own]
        if clash:
            raise KeyPostError(
                f"'{values['post']}' is a key post of {values['business_group']} already "
                f"(key post {clash[0]}): change that one instead"
            )

    # --- quarterly snapshots -------------------------------------------------------------

    def keep_snapshot(
        self,
        as_of: dt.date,
        library_version: str,
        report: dict[str, Any],
        actor: str,
        replace: bool = False,
    ) -> Snapshot:
        """Keep ``report`` as the snapshot of ``as_of``'s quarter.

        Raises:
            KeyPostConflict: if the quarter has one already and ``replace`` is not given (the
                message says who kept it, when, and for which date).
        """
        quarter = quarter_of(as_of)
        row = {
            "quarter": quarter,
            "as_of": as_of,
            "library_version": library_version,
            "report": report,
            "taken_by": actor[:100],
            "taken_at": dt.datetime.now(dt.UTC),
        }
        try:
            with self.store.transaction() as conn:
                found = _snapshot(conn, quarter)
                if found is not None and not replace:
                    raise _kept(found)
                if found is None:
                    conn.execute(insert(key_post_snapshots).values(**row))
                else:
                    conn.execute(
                        update(key_post_snapshots)
                        .where(key_post_snapshots.c.quarter == quarter)
                        .values(**row)
                    )
                before = {"as_of": found.as_of.isoformat()} if found else None
                audit(
                    conn,
                    actor,
                    "keypost.snapshot",
                    f"snapshot:{quarter}",
                    before,
                    {"as_of": as_of.isoformat(), "library_version": library_version},
                )
        except IntegrityError:  # another writer kept this quarter's first
            kept = self.snapshot(quarter)
            raise _kept(kept) if kept else KeyPostError("the snapshot was not kept") from None
        made = self.snapshot(quarter)
        assert made is not None
        return made

    def snapshot(self, quarter: str) -> Snapshot | None:
        with self.store.engine.connect() as conn:
            return _snapshot(conn, quarter)

    def snapshots(self) -> list[tuple[str, dt.date, str, dt.datetime]]:
        """(quarter, as of, kept by, kept at) of every snapshot, newest quarter first."""
        query = select(
            key_post_snapshots.c.quarter,
            key_post_snapshots.c.as_of,
            key_post_snapshots.c.taken_by,
            key_post_snapshots.c.taken_at,
        ).order_by(key_post_snapshots.c.quarter.desc())
        with self.store.engine.connect() as conn:
            return [(r.quarter, r.as_of, r.taken_by, _utc(r.taken_at)) for r in conn.execute(query)]

    def before(self, quarter: str) -> Snapshot | None:
        """The latest snapshot of a quarter before ``quarter``."""
        query = (
            select(key_post_snapshots.c.quarter)
            .where(key_post_snapshots.c.quarter < quarter)
            .order_by(key_post_snapshots.c.quarter.desc())
            .limit(1)
        )
        with self.store.engine.connect() as conn:
            found = conn.execute(query).scalar_one_or_none()
            return _snapshot(conn, str(found)) if found is not None else None


def _get(conn: Connection, post_id: int) -> KeyPost | None:
    row = conn.execute(select(key_posts).where(key_posts.c.id == post_id)).first()
    return _post(row) if row is not None else None


def _post(row: Any) -> KeyPost:
    return KeyPost(
        row.id,
        row.post,
        row.business_group,
        row.stage,
        row.holder,
        bool(row.active),
        row.version,
        row.updated_by,
        _utc(row.updated_at),
    )


def _snapshot(conn: Connection, quarter: str) -> Snapshot | None:
    row = conn.execute(
        select(key_post_snapshots).where(key_post_snapshots.c.quarter == quarter)
    ).first()
    if row is None:
        return None
    return Snapshot(
        row.quarter,
        row.as_of,
        row.library_version,
        dict(row.report),
        row.taken_by,
        _utc(row.taken_at),
    )


def _utc(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _conflict(current: KeyPost | None) -> KeyPostConflict:
    if current is None:
        return KeyPostConflict("the key post was removed after you opened the page")
    when = current.updated_at.strftime("%Y-%m-%d %H:%M")
    state = "retired" if not current.active else f"the holder is now {current.holder or 'none'}"
    return KeyPostConflict(
        f"the key post was changed by {current.updated_by} at {when} after you opened the "
        f"page: {state}. Look again, then change it"
    )


def _kept(found: Snapshot) -> KeyPostConflict:
    when = found.taken_at.strftime("%Y-%m-%d %H:%M")
    return KeyPostConflict(
        f"the snapshot for {found.quarter} was kept by {found.taken_by} at {when} (as of "
        f"{found.as_of}): replace it only if this one should stand instead"
    )
