"""A draft of a library change as the store keeps it: its statuses, the errors of a review
(:mod:`store.drafts` does the writing)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from .store import StoreError

__all__ = [
    "CHANGES",
    "OPEN",
    "PUBLISHED",
    "STATUS_WORDS",
    "WITHDRAWN",
    "Draft",
    "DraftError",
    "StaleBase",
    "StaleDraft",
    "draft_from_row",
    "utc",
]

#: Statuses: waiting for review; sent back to the author; published; withdrawn.
OPEN, CHANGES, PUBLISHED, WITHDRAWN = "open", "changes_requested", "published", "withdrawn"
STATUS_WORDS = {
    OPEN: "waiting for review",
    CHANGES: "changes requested",
    PUBLISHED: "published",
    WITHDRAWN: "withdrawn",
}


class DraftError(StoreError):
    """A draft cannot be changed as asked (unknown, closed, four eyes, errors, cases)."""


class StaleDraft(DraftError):
    """The draft is not at the version the writer saw: someone changed it meanwhile."""

    def __init__(self, draft: Draft, expected: int):
        self.draft = draft
        self.expected = expected
        super().__init__(
            f"draft {draft.id} is at version {draft.version} (changed by {draft.last_actor} "
            f"at {draft.updated_at:%Y-%m-%d %H:%M} UTC), not {expected} that you saw: "
            "open it again; nothing was changed"
        )


class StaleBase(DraftError):
    """The library version the draft was made on no longer decides the dates it would."""

    def __init__(self, base: str | None, current: str | None, day: dt.date):
        self.base = base
        self.current = current
        self.day = day
        super().__init__(
            f"the library version in force on {day} is {(current or 'the shipped library')[:12]}"
            f", not {(base or 'the shipped library')[:12]} that this draft was made on: "
            "someone published meanwhile; save the draft again on the version in force "
            "(re-apply the change), then review it; nothing was published"
        )


@dataclass(frozen=True)
class Draft:
    """A saved change to the library, and where its review stands."""

    id: int
    title: str
    author: str
    base: str | None
    files: dict[str, str]
    cases: dict[str, str]
    digest: str | None
    checked: dict[str, Any]
    status: str
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime
    reviewer: str | None
    reviewed_at: dt.datetime | None
    review_note: str | None
    effective_from: dt.date | None
    override: str | None
    published: str | None

    @property
    def errors(self) -> int:
        return int(self.checked.get("errors") or 0)

    @property
    def failing_cases(self) -> int:
        """Example cases that failed, or could not run (a problem in their file)."""
        cases = self.checked.get("cases") or {}
        return int(cases.get("failed") or 0) + int(cases.get("problems") or 0)

    @property
    def status_words(self) -> str:
        return STATUS_WORDS.get(self.status, self.status)

    @property
    def last_actor(self) -> str:
        return (
            self.reviewer if self.status in (CHANGES, PUBLISHED) and self.reviewer else self.author
        )


def draft_from_row(r: Any) -> Draft:
    """A ``library_drafts`` row as a :class:`Draft`."""
    return Draft(
        int(r.id),
        r.title,
        r.author,
        r.base,
        dict(r.files),
        dict(r.cases),
        r.digest,
        dict(r.checked),
        r.status,
        int(r.version),
        utc(r.created_at),
        utc(r.updated_at),
        r.reviewer,
        utc(r.reviewed_at) if r.reviewed_at is not None else None,
        r.review_note,
        r.effective_from,
        r.override,
        r.published,
    )


def utc(value: dt.datetime) -> dt.datetime:
    """``value`` in UTC (SQLite gives it back without its zone)."""
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)
