"""A person's goal: the stage they aim for, kept with their record.

Setting a goal names the version of the goal the writer saw (0: none), so of two people
changing it at once (an officer and HR, or two browser tabs) the second is told, never
silently overwritten. Every change is audit-logged (``goal.set``, ``goal.clear``).

>>> from store import Store
>>> from accreditation.record import Person
>>> store = Store("sqlite://")
>>> _ = store.save_people([Person(id="W1", kind="officer", joined="2020-01-01")], actor="t")
>>> goals = Goals(store)
>>> goals.set("W1", "promotion.sergeant", seen=0, actor="W1").version
1
>>> try:
...     goals.set("W1", "pip.level_2", seen=0, actor="hr")
... except GoalConflict as exc:
...     print(str(exc).split(": ", 1)[1])
it is now 'promotion.sergeant'. Look again, then choose
>>> goals.get("W1").goal
'promotion.sergeant'
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Connection, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from pathways.problems import CareerPathwaysError

from .audit import audit
from .schema import goals, people
from .store import Store

__all__ = ["Goal", "GoalConflict", "GoalError", "Goals"]


class GoalError(CareerPathwaysError, ValueError):
    """A goal cannot be kept as asked (no such record)."""


class GoalConflict(GoalError):
    """Someone else changed the goal since the writer last saw it."""

    def __init__(self, message: str, current: Goal | None):
        super().__init__(message)
        self.current = current


@dataclass(frozen=True)
class Goal:
    person_id: str
    goal: str
    version: int
    set_by: str
    set_at: dt.datetime


class Goals:
    """People's goals in a :class:`store.Store`."""

    def __init__(self, store: Store):
        self.store = store

    def get(self, person_id: str) -> Goal | None:
        with self.store.engine.connect() as conn:
            return _get(conn, person_id)

    def set(self, person_id: str, goal: str, seen: int, actor: str) -> Goal:
        """Make ``goal`` the person's goal, if it is still at version ``seen`` (0: none).

        Raises:
            GoalConflict: if it changed since (the message says how it stands now).
            GoalError: if there is no record ``person_id``.
        """
        try:
            return self._set(person_id, goal, seen, actor)
        except IntegrityError:  # another writer inserted it first
            raise _conflict(self.get(person_id)) from None

    def _set(self, person_id: str, goal: str, seen: int, actor: str) -> Goal:
        now = dt.datetime.now(dt.UTC)
        with self.store.transaction() as conn:
            current = self._check(conn, person_id, seen)
            if current is None:
                conn.execute(
                    insert(goals),
                    [
                        {
                            "person_id": person_id,
                            "goal": goal[:200],
                            "version": 1,
                            "set_by": actor[:100],
                            "set_at": now,
                        }
                    ],
                )
            else:
                done = conn.execute(
                    update(goals)
                    .where(goals.c.person_id == person_id, goals.c.version == seen)
                    .values(goal=goal[:200], version=seen + 1, set_by=actor[:100], set_at=now)
                )
                if done.rowcount != 1:  # changed between the check and here
                    raise _conflict(_get(conn, person_id))
            before = current.goal if current else None
            audit(conn, actor, "goal.set", person_id, {"goal": before}, {"goal": goal})
            made = _get(conn, person_id)
        assert made is not None
        return made

    def clear(self, person_id: str, seen: int, actor: str) -> None:
        """Remove the person's goal, if it is still at version ``seen``.

        Raises:
            GoalConflict: if it changed since.
        """
        with self.store.transaction() as conn:
            current = self._check(conn, person_id, seen)
            if current is None:
                return
            conn.execute(
                delete(goals).where(goals.c.person_id == person_id, goals.c.version == seen)
            )
            audit(conn, actor, "goal.clear", person_id, {"goal": current.goal}, None)

    def _check(self, conn: Connection, person_id: str, seen: int) -> Goal | None:
        exists = conn.execute(select(people.c.id).where(people.c.id == person_id)).first()
        if exists is None:
            raise GoalError(f"no record with id '{person_id}'")
        current = _get(conn, person_id)
        if (current.version if current else 0) != seen:
            raise _conflict(current)
        return current


def _get(conn: Connection, person_id: str) -> Goal | None:
    row = conn.execute(select(goals).where(goals.c.person_id == person_id)).first()
    if row is None:
        return None
    return Goal(row.person_id, row.goal, row.version, row.set_by, row.set_at)


def _conflict(current: Goal | None) -> GoalConflict:
    if current is None:
        message = "the goal was removed after you opened the page. Look again, then choose"
    else:
        when = current.set_at.strftime("%Y-%m-%d %H:%M")
        message = (
            f"the goal was changed by {current.set_by} at {when} after you opened the page: "
            f"it is now '{current.goal}'. Look again, then choose"
        )
    return GoalConflict(message, current)
