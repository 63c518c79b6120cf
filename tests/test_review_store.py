"""Drafts, four-eyes approval and the schedule of library versions, in the store (SQLite
and PostgreSQL: every test runs on both).

The schedule's rule (store/schedule.py) is checked against a separate, brute-force model:
every entry replays onto a day-by-day table of which version decides each date.
"""

from __future__ import annotations

import datetime as dt
import random
import threading
from typing import Any

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import delete, insert, inspect

from store import Store, schedule
from store.drafts import DraftError, Drafts, StaleBase, StaleDraft
from store.schema import library_schedule, library_versions
from store.store import MIGRATIONS

D = dt.date
TODAY = dt.date(2031, 3, 10)
V = {n: f"{n}" * 64 for n in "abcdef"}
CLEAN = {"errors": 0, "warnings": 0, "findings": [], "cases": {"passed": 2, "failed": 0}}
FAILING = {"errors": 0, "warnings": 0, "findings": [], "cases": {"passed": 1, "failed": 1}}


def publish(store: Store, v: str, effective: dt.date | None = None, actor: str = "hr") -> None:
    store.publish_library({"x.yaml": v}, V[v], f"library {v}", actor, effective)


def draft(drafts: Drafts, digest: str, base: str | None, checked: Any = CLEAN) -> int:
    saved = drafts.save("alice", "Firearms", base, {"firearms.yaml": "..."}, {}, digest, checked)
    return saved.id


# --- four eyes and concurrency -----------------------------------------------------------


def test_a_second_hr_user_approves_and_both_names_are_logged(store: Store) -> None:
    drafts = Drafts(store)
    publish(store, "a")
    d = draft(drafts, V["b"], V["a"])
    with pytest.raises(DraftError, match="four eyes"):
        drafts.approve(d, "alice", 1, files={}, name="lib")
    version = drafts.approve(d, "bob", 1, files={"x.yaml": "b"}, name="lib", note="AFO")
    assert version.digest == V["b"] and version.author == "alice" and version.active
    approved = drafts.get(d)
    assert approved is not None and approved.status == "published"
    assert (approved.reviewer, approved.published) == ("bob", V["b"])
    entry = next(e for e in store.audit() if e.action == "draft.approve")
    assert entry.actor == "bob" and entry.after["author"] == "alice"
    assert entry.after["approver"] == "bob"
    with pytest.raises(DraftError, match="published: it cannot change"):
        drafts.approve(d, "carol", 2, files={}, name="lib")


def test_four_eyes_can_be_turned_off(store: Store) -> None:
    drafts = Drafts(store)
    d = draft(drafts, V["a"], None)
    version = drafts.approve(d, "alice", 1, files={}, name="lib", four_eyes=False)
    assert version.digest == V["a"]
    assert store.audit(target=f"draft:{d}")[0].after["four_eyes"] is False


def test_the_second_writer_of_a_draft_is_told(store: Store) -> None:
    drafts = Drafts(store)
    d = draft(drafts, V["a"], None)
    drafts.update(d, "alice", 1, "Firearms v2", None, {"f.yaml": "2"}, {}, V["b"], CLEAN)
    with pytest.raises(StaleDraft, match=r"at version 2 .*not 1 that you saw") as caught:
        drafts.approve(d, "bob", 1, files={}, name="lib")
    assert "changed by alice" in str(caught.value)
    with pytest.raises(StaleDraft):
        drafts.request_changes(d, "bob", 1, "why?")
    assert drafts.list()[0].digest == V["b"]  # the reviewer's approval changed nothing
    assert store.active_library() is None


def test_a_draft_made_on_an_older_version_is_refused(store: Store) -> None:
    drafts = Drafts(store)
    publish(store, "a")
    d = draft(drafts, V["c"], V["a"])
    publish(store, "b")  # published meanwhile
    with pytest.raises(StaleBase, match="made on"):
        drafts.approve(d, "bob", 1, files={}, name="lib")
    assert store.active_library() is not None and store.active_library().digest == V["b"]


def test_failing_cases_block_unless_a_reason_is_given(store: Store) -> None:
    drafts = Drafts(store)
    d = draft(drafts, V["a"], None, FAILING)
    for reason in (None, "  "):
        with pytest.raises(DraftError, match=r"example cases .* fail"):
            drafts.approve(d, "bob", 1, files={}, name="lib", override=reason)
    drafts.approve(d, "bob", 1, files={}, name="lib", override="case 2 expects the old rule")
    logged = [e for e in store.audit(target=f"draft:{d}") if e.action == "cases.override"]
    assert logged[0].actor == "bob" and logged[0].after["reason"] == "case 2 expects the old rule"


def test_a_draft_with_errors_cannot_be_approved(store: Store) -> None:
    drafts = Drafts(store)
    d = draft(drafts, V["a"], None, {**CLEAN, "errors": 2})
    with pytest.raises(DraftError, match="2 error"):
        drafts.approve(d, "bob", 1, files={}, name="lib")


def test_changes_requested_then_saved_again(store: Store) -> None:
    drafts = Drafts(store)
    d = draft(drafts, V["a"], None)
    with pytest.raises(DraftError, match="say what should change"):
        drafts.request_changes(d, "bob", 1, " ")
    sent = drafts.request_changes(d, "bob", 1, "add a refresher course")
    assert sent.status == "changes_requested" and sent.review_note == "add a refresher course"
    with pytest.raises(DraftError, match="changes requested, not waiting"):
        drafts.approve(d, "bob", 2, files={}, name="lib")
    again = drafts.update(d, "alice", 2, "Firearms", None, {"f.yaml": "3"}, {}, V["b"], CLEAN)
    assert again.status == "open" and again.version == 3
    assert drafts.approve(d, "bob", 3, files={}, name="lib").digest == V["b"]


# --- the schedule --------------------------------------------------------------------------


def test_a_scheduled_version_decides_from_its_date(store: Store) -> None:
    drafts = Drafts(store)
    publish(store, "a")
    d = draft(drafts, V["b"], V["a"])
    april = D(2099, 4, 1)
    drafts.approve(d, "bob", 1, files={}, name="lib", effective_from=april)
    assert store.library_in_force(april - dt.timedelta(days=1)).digest == V["a"]
    assert store.library_in_force(april).digest == V["b"]
    assert store.active_library().digest == V["a"]  # today is before April 2099
    listed = {v.digest: v.active for v in store.library_versions()}
    assert listed == {V["a"]: True, V["b"]: False}
    # A rollback (with its reason) cancels what is scheduled.
    store.activate_library(V["a"], "carol", reason="the AFO course is not ready")
    assert store.library_in_force(april).digest == V["a"]
    rollback = next(e for e in store.audit() if e.action == "library.rollback")
    assert rollback.after["reason"] == "the AFO course is not ready"


def _model(ops: list[tuple[str, str, dt.date | None, dt.date]], days: list[dt.date]) -> dict:
    """Brute force: the version deciding each day after every operation, replayed day by day."""
    decides: dict[dt.date, str | None] = dict.fromkeys(days)
    pending: list[tuple[dt.date, str]] = []  # scheduled starts not yet overtaken
    for kind, digest, start, today in ops:
        if kind == "rollback":
            decides = dict.fromkeys(days, digest)
            pending = []
        elif start is None:
            # every date up to the next pending start after today
            later = sorted(s for s, _ in pending if s > today)
            stop = later[0] if later else None
            for d in days:
                if stop is None or d < stop:
                    decides[d] = digest
            pending = [(s, v) for s, v in pending if s > today]
        else:
            after = sorted(s for s, _ in pending if s > start)
            stop = after[0] if after else None
            for d in days:
                if d >= start and (stop is None or d < stop):
                    decides[d] = digest
            pending = [(s, v) for s, v in pending if s != start] + [(start, digest)]
    return decides


def test_the_schedule_agrees_with_a_day_by_day_model(store: Store) -> None:
    """Random publications, scheduled publications and rollbacks on moving 'todays': after
    every one, the version in force on each day of a window equals the brute-force replay.
    (Seen failing when a publication left a dated entry that had started in force, and
    when the newest entry won regardless of its date.)"""
    rng = random.Random(18)
    days = [TODAY + dt.timedelta(days=i) for i in range(-20, 60)]
    for run in range(8):
        ops: list[tuple[str, str, dt.date | None, dt.date]] = []
        today = TODAY
        with store.transaction() as conn:
            conn.execute(delete(library_schedule))
        for step in range(10):
            digest = rng.choice(list(V.values()))
            kind = rng.choice(["publish", "publish", "schedule", "schedule", "rollback"])
            start = today + dt.timedelta(days=rng.randint(-8, 20)) if kind == "schedule" else None
            ops.append((kind, digest, start, today))
            with store.transaction() as conn:
                schedule.record(conn, digest, start, f"hr{step}", kind, today=today)
                got = {d: schedule.in_force(conn, d) for d in days}
                timeline = schedule.segments(schedule.entries(conn))
            assert got == _model(ops, days), f"run {run}, after {ops}"
            for d in days:  # the listing's segments say the same, day by day
                seg = [s for s in timeline if (s.first or D.min) <= d <= (s.last or D.max)]
                assert [s.digest for s in seg] == ([got[d]] if got[d] else [])
            today += dt.timedelta(days=rng.randint(0, 4))


def test_two_approvals_at_once_the_second_is_told(db_url: str) -> None:
    """Two drafts made on one version, approved at the same moment by two reviewers, each
    over its own store (engine and connection): one publishes, the other is refused
    (StaleBase), never both. (Seen failing on PostgreSQL without schedule.lock: both read
    the same version in force and both published; SQLite's BEGIN IMMEDIATE serialises.)"""
    stores = [Store(db_url), Store(db_url)]
    try:
        publish(stores[0], "a")
        first = draft(Drafts(stores[0]), V["b"], V["a"])
        second = draft(Drafts(stores[0]), V["c"], V["a"])
        barrier = threading.Barrier(2, timeout=30)
        outcomes: dict[int, str] = {}

        def approve(store: Store, draft_id: int, reviewer: str) -> None:
            try:
                barrier.wait()
                Drafts(store).approve(draft_id, reviewer, 1, files={}, name="lib")
                outcomes[draft_id] = "published"
            except StaleBase:
                outcomes[draft_id] = "told"
            except Exception as error:  # shown by the assertion below, not lost in a thread
                outcomes[draft_id] = repr(error)

        threads = [
            threading.Thread(target=approve, args=(stores[0], first, "bo"), daemon=True),
            threading.Thread(target=approve, args=(stores[1], second, "cy"), daemon=True),
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert sorted(outcomes.values()) == ["published", "told"], outcomes
        winner = next(d for d, o in outcomes.items() if o == "published")
        assert stores[1].active_library().digest == (V["b"] if winner == first else V["c"])
    finally:
        for store in stores:
            store.close()


def test_migration_0008_keeps_the_active_version_in_force_on_every_date(db_url: str) -> None:
    """A database published before the schedule existed: after the upgrade its active
    version decides every date (one entry, no start), and the downgrade removes the tables."""

    def to(store: Store, revision: str, step: Any) -> None:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        with store.engine.begin() as conn:
            config.attributes["connection"] = conn
            step(config, revision)

    old = Store(db_url, migrate=False)
    try:
        to(old, "0007", command.upgrade)
        with old.engine.begin() as conn:
            conn.execute(
                insert(library_versions),
                [{"digest": V["a"], "name": "lib", "files": {"x.yaml": "a"}, "author": "hr",
                  "published_at": dt.datetime.now(dt.UTC), "active": True}],
            )  # fmt: skip
    finally:
        old.close()
    store = Store(db_url)  # upgrades to the newest migration
    try:
        assert [(e.digest, e.effective_from) for e in store.library_schedule()] == [(V["a"], None)]
        for day in (D(1990, 1, 1), TODAY, D(2090, 1, 1)):
            assert store.digest_in_force(day) == V["a"]
        to(store, "0007", command.downgrade)
        assert not {"library_schedule", "library_drafts"} & set(
            inspect(store.engine).get_table_names()
        )
    finally:
        store.close()
