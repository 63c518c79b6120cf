"""Whether the stored workforce changed: a cheap fingerprint for reports kept in memory.

Every change to a person (record or protected characteristics) gives them a new version and
the time of the change, and a deletion lowers the count, so (count, sum of versions,
latest change) differs after any change.

>>> from store import Store
>>> from accreditation.record import Person
>>> store = Store("sqlite://")
>>> before = people_fingerprint(store)
>>> _ = store.save_people([Person(id="W1", kind="officer", joined="2020-01-01")], actor="t")
>>> people_fingerprint(store) != before
True
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from .schema import people
from .store import Store

__all__ = ["people_fingerprint"]


def people_fingerprint(store: Store) -> tuple[Any, ...]:
    """(count, sum of versions, latest change) of the stored records."""
    query = select(func.count(), func.sum(people.c.version), func.max(people.c.updated_at))
    with store.engine.connect() as conn:
        row = conn.execute(query).one()
    return tuple(row)
