"""Key posts in the store (SQLite and PostgreSQL): versions, the second writer told, the
audit trail, quarterly snapshots; and the key-post report to the day (ready now, within 6
and 12 months, no ready successor, the change since the last quarter), on the command line."""

from __future__ import annotations

import datetime as dt
import json
import re
import threading
from typing import Any

import pytest
from click.testing import CliRunner

from accreditation.record import Person
from cli import cli
from pathways import SHIPPED_LIBRARY
from store import Store
from store.keyposts import KeyPostConflict, KeyPostError, KeyPosts, quarter_of
from workforce.population import evaluate_population
from workforce.reports.keyposts import key_post_report, snapshot_of

TP, SC = "territorial_policing", "specialist_crime"
SERGEANT = "promotion.sergeant"


def test_a_key_post_is_added_changed_and_retired_with_its_trail(store: Store) -> None:
    posts = KeyPosts(store)
    made = posts.add("  Custody   sergeant, Brixton ", TP, SERGEANT, None, actor="hr1")
    assert (made.post, made.version, made.holder, made.active) == (
        "Custody sergeant, Brixton",
        1,
        None,
        True,
    )
    changed = posts.change(made.id, 1, "hr2", holder="W000001")
    assert (changed.version, changed.holder, changed.updated_by) == (2, "W000001", "hr2")
    same = posts.change(made.id, 2, "hr2", holder="W000001")
    assert same.version == 2  # nothing changed: nothing written
    posts.retire(made.id, 2, "hr1")
    assert posts.all() == [] and posts.all(include_retired=True)[0].active is False
    trail = [(e.action, e.actor, e.before, e.after) for e in posts.history(made.id)]
    assert trail == [
        ("keypost.retire", "hr1", changed.fields(), None),
        ("keypost.change", "hr2", {"holder": None}, {"holder": "W000001"}),
        ("keypost.add", "hr1", None, made.fields()),
    ]
    with pytest.raises(KeyPostError, match="it was retired"):
        posts.change(made.id, 3, "hr1", holder=None)


def test_the_second_writer_is_told_and_names_are_unique_per_business_group(store: Store) -> None:
    posts = KeyPosts(store)
    made = posts.add("Borough Commander", TP, "promotion.chief_superintendent", None, "hr1")
    posts.change(made.id, 1, "hr1", holder="W000009")
    with pytest.raises(KeyPostConflict, match=r"changed by hr1 .* the holder is now W000009"):
        posts.change(made.id, 1, "hr2", holder="W000010")
    with pytest.raises(KeyPostConflict):
        posts.retire(made.id, 1, "hr2")
    with pytest.raises(KeyPostError, match="is a key post of territorial_policing already"):
        posts.add("Borough Commander", TP, SERGEANT, None, "hr2")
    assert posts.add("Borough Commander", SC, SERGEANT, None, "hr2").id != made.id
    with pytest.raises(KeyPostError, match="name the post"):
        posts.add("   ", TP, SERGEANT, None, "hr2")
    with pytest.raises(KeyPostError, match="at most 200"):
        posts.add("x" * 201, TP, SERGEANT, None, "hr2")
    with pytest.raises(KeyPostError, match="has no field colour"):
        posts.change(made.id, 2, "hr1", colour="red")


def test_two_writers_at_once_one_wins_and_the_other_is_told(store: Store) -> None:
    posts = KeyPosts(store)
    made = posts.add("Borough Commander", TP, SERGEANT, None, "hr")
    outcomes: list[str] = []
    start = threading.Barrier(2)

    def write(holder: str) -> None:
        start.wait()
        try:
            posts.change(made.id, 1, holder, holder=holder)
            outcomes.append("saved")
        except KeyPostConflict:
            outcomes.append("told")

    threads = [threading.Thread(target=write, args=(h,)) for h in ("W1", "W2")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["saved", "told"]
    assert posts.get(made.id).version == 2  # type: ignore[union-attr]


def test_one_snapshot_a_quarter_unless_replaced(store: Store) -> None:
    posts = KeyPosts(store)
    first = posts.keep_snapshot(dt.date(2024, 6, 30), "v1", {"posts": {}}, "hr1")
    assert first.quarter == "2024-Q2"
    with pytest.raises(KeyPostConflict, match=r"2024-Q2 was kept by hr1 .* \(as of 2024-06-30\)"):
        posts.keep_snapshot(dt.date(2024, 4, 1), "v1", {"posts": {}}, "hr2")
    again = posts.keep_snapshot(dt.date(2024, 4, 1), "v2", {"posts": {"1": {}}}, "hr2", True)
    assert (again.as_of, again.taken_by, again.report) == (
        dt.date(2024, 4, 1),
        "hr2",
        {"posts": {"1": {}}},
    )
    posts.keep_snapshot(dt.date(2023, 12, 31), "v1", {"posts": {}}, "hr1")
    assert posts.before("2024-Q3").quarter == "2024-Q2"  # type: ignore[union-attr]
    assert posts.before("2024-Q2").quarter == "2023-Q4"  # type: ignore[union-attr]
    assert posts.before("2023-Q4") is None
    assert [q for q, *_ in posts.snapshots()] == ["2024-Q2", "2023-Q4"]
    assert [e.action for e in store.audit("snapshot:2024-Q2")] == ["keypost.snapshot"] * 2


def test_two_snapshots_of_one_quarter_at_once_one_is_kept_the_other_told(store: Store) -> None:
    posts = KeyPosts(store)
    outcomes: list[str] = []
    start = threading.Barrier(2)

    def keep(who: str) -> None:
        start.wait()
        try:
            posts.keep_snapshot(dt.date(2024, 5, 1), "v", {"posts": {}}, who)
            outcomes.append("kept")
        except KeyPostConflict as exc:
            outcomes.append("told" if "was kept by" in str(exc) else str(exc))

    threads = [threading.Thread(target=keep, args=(w,)) for w in ("hr1", "hr2")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["kept", "told"]


# --- the report, to the day ------------------------------------------------------------------

AS_OF = dt.date(2024, 6, 1)


def constable(pid: str, joined: str, group: str = TP) -> Person:
    """A constable who passed the exam and board: eligible for sergeant 24 months after
    joining."""
    return Person.model_validate(
        {
            "id": pid,
            "kind": "officer",
            "joined": joined,
            "ranks": [{"rank": "constable", "start": joined}],
            "postings": [{"business_group": group, "role": "response", "start": joined}],
            "assessments": [
                {"assessment": "sergeants_exam", "date": "2022-01-10"},
                {"assessment": "sergeant_promotion_board", "date": "2022-02-10"},
            ],
        }
    )


def sergeant(pid: str, group: str) -> Person:
    return Person.model_validate(
        {
            "id": pid,
            "kind": "officer",
            "joined": "2010-01-04",
            "ranks": [
                {"rank": "constable", "start": "2010-01-04", "end": "2015-01-04"},
                {"rank": "sergeant", "start": "2015-01-05"},
            ],
            "postings": [{"business_group": group, "role": "response", "start": "2010-01-04"}],
        }
    )


@pytest.fixture
def workforce(store: Store) -> Store:
    store.save_people(
        [
            constable("W000001", "2022-06-01"),  # eligible on the day: ready now
            constable("W000002", "2022-12-01"),  # eligible 2024-12-01: within 6 months, just
            constable("W000003", "2022-12-02"),  # a day later: within 12 months only
            constable("W000004", "2023-06-01"),  # eligible 2025-06-01: within 12 months, just
            constable("W000005", "2023-06-02"),  # a day later: not within 12 months
            sergeant("W000006", SC),  # holds it, in another business group: ready now
            sergeant("W000007", TP),  # the holder: never counted
        ],
        actor="test",
    )
    return store


def _report(store: Store, day: dt.date) -> Any:
    run = evaluate_population(store, [SHIPPED_LIBRARY], day, workers=1, cache=False)
    posts = KeyPosts(store)
    return key_post_report(posts.all(), run, posts.before(quarter_of(day)))


def test_ready_now_within_6_and_12_months_to_the_day(workforce: Store) -> None:
    posts = KeyPosts(workforce)
    posts.add("Custody sergeant", TP, SERGEANT, "W000007", "hr")
    posts.add("Nobody ready", TP, "promotion.chief_superintendent", None, "hr")
    report = _report(workforce, AS_OF)
    custody, nobody = sorted(report.rows, key=lambda r: r.post.post)
    assert custody.ready_now == ["W000001", "W000006"]  # the post's own group first
    assert custody.within_6 == ["W000002"]
    assert custody.within_12 == ["W000002", "W000003", "W000004"]
    assert custody.later == ["W000003", "W000004"]
    assert not custody.flagged and nobody.flagged and report.flagged == [nobody]


def test_the_change_since_the_last_quarters_snapshot(workforce: Store) -> None:
    posts = KeyPosts(workforce)
    made = posts.add("Custody sergeant", TP, SERGEANT, "W000007", "hr")
    q2 = _report(workforce, AS_OF)
    assert q2.compared_with is None and q2.rows[0].change is None
    posts.keep_snapshot(AS_OF, q2.library_version, snapshot_of(q2), "hr")
    posts.change(made.id, 1, "hr", holder="W000006")
    later = posts.add("Another post", SC, SERGEANT, None, "hr")
    q4 = _report(workforce, dt.date(2024, 12, 1))
    rows = {r.post.id: r for r in q4.rows}
    change = rows[made.id].change
    assert q4.compared_with == "2024-Q2" and change is not None
    assert change.ready_then == 2 and change.holder_then == "W000007"
    # W000002 became eligible on 2024-12-01; W000006 is the holder now, so not a successor;
    # W000007 no longer holds the post and is ready.
    assert change.joined == ["W000002", "W000007"] and change.left == ["W000006"]
    assert rows[later.id].change is not None and rows[later.id].change.new_post


# --- the command line -----------------------------------------------------------------------


def cli_run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def test_key_posts_on_the_command_line(tmp_path: Any) -> None:
    db = f"sqlite:///{tmp_path / 'k.db'}"
    store = Store(db)
    store.save_people([constable("W000001", "2022-06-01"), sergeant("W000007", TP)], "test")
    store.close()
    code, out = cli_run(
        "key-posts", "add", "--db", db, "--post", "Custody sergeant", "--group",
        "territorial_polcing", "--stage", SERGEANT,
    )  # fmt: skip
    assert code == 2 and "did you mean 'territorial_policing'?" in out
    code, out = cli_run(
        "key-posts", "add", "--db", db, "--post", "Custody sergeant", "--group", TP,
        "--stage", "Sergeant", "--holder", "W999999",
    )  # fmt: skip
    assert code == 2 and "no record 'W999999'" in out
    code, out = cli_run(
        "key-posts", "add", "--db", db, "--post", "Custody sergeant", "--group", TP,
        "--stage", "Sergeant", "--holder", "W000007",
    )  # fmt: skip
    assert code == 0 and "successor holds promotion.sergeant; holder W000007; version 1" in out
    code, out = cli_run("key-posts", "change", "1", "--version", "5", "--holder", "", "--db", db)
    assert code == 1 and "changed by cli" in out
    code, out = cli_run("key-posts", "history", "1", "--db", db)
    assert code == 0 and "keypost.add" in out
    base = ("report", "key-posts", "--db", db, "--as-of", "2024-06-01", "--workers", "1")
    code, out = cli_run(*base, "--quiet", "--snapshot")
    assert code == 0 and re.search(r"ready now +1  W000001", out), out
    code, out = cli_run(*base, "--quiet", "--snapshot")
    assert code == 1 and "replace it only if" in out
    code, out = cli_run(*base[:5], "2024-07-01", "--workers", "1", "--quiet", "--format", "json")
    body = json.loads(out)
    assert body["compared_with"] == "2024-Q2" and body["rows"][0]["ready_now_people"] == "W000001"
