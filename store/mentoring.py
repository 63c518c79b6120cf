"""Talent Cascade mentoring pairs, read from the mentees' records (001 para 20; 002 rec 7).

A pair is one item on the mentee's record (``mentors``: who mentors them, from when to
when), so a mentor's mentees are found by looking through the records that have such
items: the database narrows them down by the text of the stored record (the section's
name, or the mentor's id, must appear in it), and each candidate is then read properly.

>>> import datetime as dt
>>> from store import Store
>>> from accreditation.record import Person
>>> store = Store("sqlite://")
>>> _ = store.save_people([
...     Person(id="W1", kind="officer", joined="2000-01-01"),
...     Person.model_validate({"id": "W2", "kind": "officer", "joined": "2010-01-01",
...         "mentors": [{"mentor": "W1", "start": "2024-01-01", "end": "2024-12-31"}]})],
...     actor="t")
>>> [(p.mentee, p.mentor, p.start) for p in pairs(store)]
[('W2', 'W1', datetime.date(2024, 1, 1))]
>>> [p.mentee for p in mentees_of(store, "W1", dt.date(2024, 6, 1))]
['W2']
>>> mentees_of(store, "W1", dt.date(2025, 1, 1))
[]
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import Text, cast, select

from accreditation.record import Person

from .schema import people
from .store import Store

__all__ = ["Pair", "mentees_of", "pairs"]


@dataclass(frozen=True)
class Pair:
    """One mentoring pair, as the mentee's record has it."""

    mentee: str
    mentor: str
    start: dt.date
    end: dt.date | None
    item: str  # the item's id on the mentee's record

    def covers(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


def pairs(store: Store, mentor: str | None = None) -> list[Pair]:
    """Every mentoring pair in the store (of one ``mentor`` if given), by mentee."""
    return [
        p
        for person in _candidates(store, mentor)
        for p in _of(person)
        if mentor is None or p.mentor == mentor
    ]


def mentees_of(store: Store, mentor: str, on: dt.date) -> list[Pair]:
    """The pairs in which ``mentor`` mentors someone on ``on``."""
    return [p for p in pairs(store, mentor) if p.covers(on)]


def _of(person: Person) -> list[Pair]:
    return [
        Pair(person.id, m.mentor, m.start, m.end, m.id or f"mentors[{i}]")
        for i, m in enumerate(person.mentors)
    ]


def _candidates(store: Store, mentor: str | None) -> Iterator[Person]:
    text = cast(people.c.record, Text)
    # Only records with mentors have the section in their JSON (it is left out when empty);
    # the match is on the text, so every candidate is parsed and checked properly.
    wanted = text.contains('"mentors"', autoescape=True)
    if mentor is not None:
        wanted = wanted & text.contains(mentor, autoescape=True)
    last = ""
    while True:
        query = (
            select(people.c.id, people.c.record)
            .where(wanted, people.c.id > last)
            .order_by(people.c.id)
            .limit(500)
        )
        with store.engine.connect() as conn:
            rows = conn.execute(query).all()
        if not rows:
            return
        for row in rows:
            yield Person.model_validate(dict(row.record))
        last = rows[-1].id
