"""Drafts of library changes, and their review: four eyes before anything is published.

HR saves a change of one or more files as a *draft* (with example cases, and what the
checker found when it was saved); a second HR user reviews it and either asks for changes
or approves it, which publishes it, now or from an effective date (:mod:`store.schedule`).
Each write names the draft version it was made on, so of two people changing one draft the
second is told (:class:`StaleDraft`); an approval also names the library version the
draft was made on, which must still be the one in force on the effective date
(:class:`StaleBase`). Everything is audit-logged with both names.

>>> from store import Store
>>> drafts = Drafts(Store("sqlite://"))
>>> d = drafts.save("alice", "Firearms pathway", None, {"firearms.yaml": "pathway: ..."},
...                 {}, "f" * 64, {"errors": 0, "warnings": 0, "findings": [], "cases": None})
>>> (d.id, d.status, d.version)
(1, 'open', 1)
>>> drafts.approve(1, "alice", 1, files={}, name="x", four_eyes=True)
Traceback (most recent call last):
...
store.draft.DraftError: alice wrote draft 1: another HR user must approve it (four eyes)
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, insert, select, update

from . import schedule
from .audit import audit
from .draft import (
    CHANGES,
    OPEN,
    PUBLISHED,
    STATUS_WORDS,
    WITHDRAWN,
    Draft,
    DraftError,
    StaleBase,
    StaleDraft,
    draft_from_row,
)
from .schema import library_drafts, library_versions
from .store import LibraryVersion, Store

__all__ = [
    "CHANGES",
    "OPEN",
    "PUBLISHED",
    "STATUS_WORDS",
    "WITHDRAWN",
    "Draft",
    "DraftError",
    "Drafts",
    "StaleBase",
    "StaleDraft",
]


class Drafts:
    """Drafts and reviews in the records store."""

    def __init__(self, store: Store):
        self.store = store

    # --- reading ---------------------------------------------------------------------

    def get(self, draft_id: int) -> Draft | None:
        with self.store.engine.connect() as conn:
            return _get(conn, draft_id)

    def list(self, status: str | None = None) -> list[Draft]:
        """Drafts, newest change first (``status``: only those)."""
        query = select(library_drafts).order_by(library_drafts.c.updated_at.desc())
        if status is not None:
            query = query.where(library_drafts.c.status == status)
        with self.store.engine.connect() as conn:
            return [draft_from_row(r) for r in conn.execute(query).all()]

    def published_by(self, digest: str) -> Draft | None:
        """The (latest) draft that became the version ``digest``: its author and approver."""
        query = (
            select(library_drafts)
            .where(library_drafts.c.published == digest)
            .order_by(library_drafts.c.id.desc())
        )
        with self.store.engine.connect() as conn:
            row = conn.execute(query).first()
        return draft_from_row(row) if row is not None else None

    # --- writing ---------------------------------------------------------------------

    def save(
        self,
        author: str,
        title: str,
        base: str | None,
        files: dict[str, str],
        cases: dict[str, str],
        digest: str | None,
        checked: dict[str, Any],
    ) -> Draft:
        """Save a new draft (checked by the caller: ``digest`` and ``checked``)."""
        now = dt.datetime.now(dt.UTC)
        row = {
            "title": _fit(title, 200, "title"),
            "author": _fit(author, 100, "author"),
            "base": base,
            "files": files,
            "cases": cases,
            "digest": digest,
            "checked": checked,
            "status": OPEN,
            "version": 1,
            "created_at": now,
            "updated_at": now,
        }
        with self.store.transaction() as conn:
            draft_id = conn.execute(insert(library_drafts).values(row)).inserted_primary_key
            assert draft_id is not None
            new_id = int(draft_id[0])
            audit(conn, author, "draft.save", f"draft:{new_id}", None, _summary(row))
            draft = _get(conn, new_id)
        assert draft is not None
        return draft

    def update(
        self,
        draft_id: int,
        actor: str,
        expected: int,
        title: str,
        base: str | None,
        files: dict[str, str],
        cases: dict[str, str],
        digest: str | None,
        checked: dict[str, Any],
    ) -> Draft:
        """Replace a draft's change (its author, or anyone if four eyes are off); it goes
        back to waiting for review.

        Raises:
            StaleDraft: if the draft is not at version ``expected``.
            DraftError: if it is unknown or published or withdrawn.
        """
        values = {
            "title": _fit(title, 200, "title"),
            "base": base,
            "files": files,
            "cases": cases,
            "digest": digest,
            "checked": checked,
            "status": OPEN,
        }
        return self._change(draft_id, actor, expected, "draft.update", values)

    def withdraw(self, draft_id: int, actor: str, expected: int, note: str | None = None) -> Draft:
        """Close a draft without publishing it."""
        values = {"status": WITHDRAWN, "review_note": note}
        return self._change(draft_id, actor, expected, "draft.withdraw", values)

    def request_changes(self, draft_id: int, reviewer: str, expected: int, note: str) -> Draft:
        """Send a draft back to its author with what to change.

        Raises:
            DraftError: if ``note`` is empty, or the reviewer wrote the draft.
        """
        if not note.strip():
            raise DraftError("say what should change: the author reads it")
        values = {
            "status": CHANGES,
            "reviewer": _fit(reviewer, 100, "reviewer"),
            "reviewed_at": dt.datetime.now(dt.UTC),
            "review_note": note,
        }
        return self._change(draft_id, reviewer, expected, "draft.request_changes", values)

    def _change(
        self, draft_id: int, actor: str, expected: int, action: str, values: dict[str, Any]
    ) -> Draft:
        with self.store.transaction() as conn:
            draft = _locked(conn, draft_id, expected)
            if action == "draft.request_changes" and draft.author == actor:
                raise DraftError(f"{actor} wrote draft {draft_id}: another HR user reviews it")
            values = {**values, "version": draft.version + 1, "updated_at": _now()}
            conn.execute(
                update(library_drafts).where(library_drafts.c.id == draft_id).values(values)
            )
            audit(
                conn,
                actor,
                action,
                f"draft:{draft_id}",
                {"version": draft.version},
                {"version": draft.version + 1, **_summary(values)},
            )
            changed = _get(conn, draft_id)
        assert changed is not None
        return changed

    # Long: the approval is one transaction of checks (who, which version, the library in
    # force, errors, cases) and writes (version, schedule, draft, audit); split, it could
    # interleave with another publish.
    def approve(
        self,
        draft_id: int,
        reviewer: str,
        expected: int,
        *,
        files: dict[str, str],
        name: str,
        effective_from: dt.date | None = None,
        note: str | None = None,
        override: str | None = None,
        four_eyes: bool = True,
        today: dt.date | None = None,
        base_version: tuple[dict[str, str], str] | None = None,
    ) -> LibraryVersion:
        """Approve a draft and publish it: ``files`` is the whole library (the draft's
        files over its base version's), ``name`` the catalogue's name. It decides as-of
        dates from ``effective_from`` (None: now, every date up to a later scheduled
        version). Audited as ``draft.approve`` with the author and the approver.

        Raises:
            DraftError: if the reviewer wrote it (with ``four_eyes``), it is not waiting
                for review, it has errors, or example cases fail without an ``override``
                (the reason they may).
            StaleDraft: if it is not at version ``expected``.
            StaleBase: if the version it was made on no longer decides ``effective_from``
                (or today).

        ``base_version`` (files, name) is the version the draft was made on when the
        store does not hold it (the shipped library): while no version decides the
        date, it is stored and published first, in the same transaction.
        """
        today = today or dt.date.today()
        with self.store.transaction() as conn:
            schedule.lock(conn)  # one publication at a time: the second sees the first
            draft = _locked(conn, draft_id, expected)
            if four_eyes and draft.author == reviewer:
                raise DraftError(
                    f"{reviewer} wrote draft {draft_id}: another HR user must approve it "
                    "(four eyes)"
                )
            if draft.status != OPEN:
                raise DraftError(
                    f"draft {draft_id} is {draft.status_words}, not waiting for review"
                )
            if draft.digest is None or draft.errors:
                raise DraftError(
                    f"draft {draft_id} has {draft.errors or 'loading'} error(s): it cannot be "
                    "published; the author fixes them and saves it again"
                )
            if draft.failing_cases and not (override or "").strip():
                raise DraftError(
                    f"example cases of draft {draft_id} fail: publish only with the reason "
                    "they may (it is logged)"
                )
            day = effective_from or today
            current = schedule.in_force(conn, day)
            if current is None and base_version is not None and draft.base is not None:
                reason = f"the library draft {draft_id} was made on, stored as its base"
                _insert_version(conn, draft.base, *base_version, "shipped library", reason, None)
                audit(
                    conn,
                    reviewer,
                    "library.publish",
                    draft.base,
                    None,
                    {"name": base_version[1], "files": sorted(base_version[0]), "note": reason},
                )
                schedule.record(conn, draft.base, None, reviewer, "publish", reason, today)
                current = draft.base
            if current != draft.base:
                raise StaleBase(draft.base, current, day)
            known = conn.execute(
                select(library_versions.c.digest).where(library_versions.c.digest == draft.digest)
            ).first()
            now = _now()
            if known is None:
                _insert_version(
                    conn,
                    draft.digest,
                    files,
                    name,
                    draft.author,
                    note or draft.title,
                    effective_from,
                )
                audit(
                    conn,
                    reviewer,
                    "library.publish",
                    draft.digest,
                    None,
                    {
                        "name": name,
                        "files": sorted(files),
                        "note": note or draft.title,
                        "author": draft.author,
                        "approver": reviewer,
                    },
                )
            action = "publish" if effective_from is None else "schedule"
            schedule.record(conn, draft.digest, effective_from, reviewer, action, note, today)
            conn.execute(
                update(library_drafts)
                .where(library_drafts.c.id == draft_id)
                .values(
                    status=PUBLISHED,
                    version=draft.version + 1,
                    updated_at=now,
                    reviewer=_fit(reviewer, 100, "reviewer"),
                    reviewed_at=now,
                    review_note=note,
                    effective_from=effective_from,
                    override=override if draft.failing_cases else None,
                    published=draft.digest,
                )
            )
            audit(
                conn,
                reviewer,
                "draft.approve",
                f"draft:{draft_id}",
                {"version": draft.version},
                {
                    "author": draft.author,
                    "approver": reviewer,
                    "digest": draft.digest,
                    "effective_from": effective_from.isoformat() if effective_from else None,
                    "note": note,
                    "four_eyes": four_eyes,
                },
            )
            if draft.failing_cases:
                audit(
                    conn,
                    reviewer,
                    "cases.override",
                    f"draft:{draft_id}",
                    None,
                    {"reason": override, "failing": draft.failing_cases},
                )
        version = self.store.library_version(draft.digest)
        assert version is not None
        return version


def _insert_version(
    conn: Connection,
    digest: str,
    files: dict[str, str],
    name: str,
    author: str,
    note: str | None,
    effective_from: dt.date | None,
) -> None:
    conn.execute(
        insert(library_versions),
        [
            {
                "digest": digest,
                "name": _fit(name, 200, "name"),
                "files": files,
                "author": author,
                "published_at": _now(),
                "effective_date": effective_from,
                "note": note,
                "active": False,
            }
        ],
    )


def _get(conn: Connection, draft_id: int) -> Draft | None:
    row = conn.execute(select(library_drafts).where(library_drafts.c.id == draft_id)).first()
    return draft_from_row(row) if row is not None else None


def _locked(conn: Connection, draft_id: int, expected: int) -> Draft:
    """The draft, its row locked for the transaction, if it is at ``expected`` and open."""
    row = conn.execute(
        select(library_drafts).where(library_drafts.c.id == draft_id).with_for_update()
    ).first()
    if row is None:
        raise DraftError(f"no draft {draft_id}")
    draft = draft_from_row(row)
    if draft.version != expected:
        raise StaleDraft(draft, expected)
    if draft.status in (PUBLISHED, WITHDRAWN):
        raise DraftError(f"draft {draft_id} is {draft.status_words}: it cannot change")
    return draft


def _summary(values: dict[str, Any]) -> dict[str, Any]:
    """What the audit log keeps of a draft change: names, not the text."""
    out: dict[str, Any] = {
        k: values[k] for k in ("title", "status", "digest", "review_note") if k in values
    }
    if "files" in values:
        out["files"] = sorted(values["files"])
    if "cases" in values:
        out["cases"] = sorted(values["cases"])
    return out


def _fit(value: str, length: int, name: str) -> str:
    if len(value) > length:
        raise DraftError(f"the {name} is longer than {length} characters; nothing was saved")
    return value


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
