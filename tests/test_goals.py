"""A person's goal in the store (store.goals), on SQLite and PostgreSQL: the second of two
writers is told, deleting the record deletes the goal, every change is audit-logged."""

from __future__ import annotations

import threading

import pytest

from accreditation.record import Person
from store import Store
from store.goals import GoalConflict, GoalError, Goals


def _person(store: Store, pid: str = "W000001") -> None:
    store.save_people(
        [Person.model_validate({"id": pid, "kind": "officer", "joined": "2020-01-01"})],
        actor="test",
    )


def test_a_goal_is_set_changed_and_cleared_with_its_version(store: Store) -> None:
    _person(store)
    goals = Goals(store)
    assert goals.get("W000001") is None
    first = goals.set("W000001", "promotion.sergeant", seen=0, actor="W000001")
    assert (first.goal, first.version, first.set_by) == ("promotion.sergeant", 1, "W000001")
    second = goals.set("W000001", "pip.level_2", seen=1, actor="hr")
    assert (second.goal, second.version) == ("pip.level_2", 2)
    goals.clear("W000001", seen=2, actor="W000001")
    assert goals.get("W000001") is None
    actions = [(e.action, e.before, e.after) for e in store.audit("W000001")]
    assert ("goal.set", {"goal": None}, {"goal": "promotion.sergeant"}) in actions
    assert ("goal.set", {"goal": "promotion.sergeant"}, {"goal": "pip.level_2"}) in actions
    assert ("goal.clear", {"goal": "pip.level_2"}, None) in actions


def test_the_second_writer_from_an_old_page_is_told_not_overwritten(store: Store) -> None:
    _person(store)
    goals = Goals(store)
    goals.set("W000001", "promotion.sergeant", seen=0, actor="W000001")
    with pytest.raises(GoalConflict, match=r"changed by W000001 .* now 'promotion.sergeant'"):
        goals.set("W000001", "pip.level_2", seen=0, actor="hr")
    with pytest.raises(GoalConflict):
        goals.clear("W000001", seen=5, actor="hr")
    assert goals.get("W000001").goal == "promotion.sergeant"  # type: ignore[union-attr]


def test_two_writers_at_once_one_wins_and_the_other_is_told(store: Store) -> None:
    _person(store)
    goals = Goals(store)
    outcomes: list[str] = []
    start = threading.Barrier(2)

    def write(goal: str) -> None:
        start.wait()
        try:
            goals.set("W000001", goal, seen=0, actor=goal)
            outcomes.append("saved")
        except GoalConflict:
            outcomes.append("told")
        except Exception as exc:  # a unique-key clash must read as a conflict, not a crash
            outcomes.append(type(exc).__name__)

    threads = [threading.Thread(target=write, args=(g,)) for g in ("pip.level_2", "fsl.stage_1")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["saved", "told"]
    assert goals.get("W000001").version == 1  # type: ignore[union-attr]


def test_no_record_no_goal_and_deleting_the_record_deletes_it(store: Store) -> None:
    goals = Goals(store)
    with pytest.raises(GoalError, match="no record with id 'W404'"):
        goals.set("W404", "promotion.sergeant", seen=0, actor="hr")
    _person(store)
    goals.set("W000001", "promotion.sergeant", seen=0, actor="hr")
    store.delete_person("W000001", actor="hr")
    assert goals.get("W000001") is None
