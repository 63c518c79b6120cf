"""The web's decision service keeps recent decisions, keyed by library, date and record."""

from __future__ import annotations

import datetime as dt

from store import Store
from web.service import DECISIONS_KEPT, DecisionService
from workforce.synthetic import generate_people


def test_a_repeat_decision_comes_from_the_cache_and_a_change_is_decided_again() -> None:
    store = Store("sqlite://")
    service = DecisionService(store, workers=1)
    try:
        person = next(iter(generate_people(1, seed=40)))
        day = dt.date(2024, 6, 1)
        first = service.decide(person, day)
        assert service.decide(person, day) is first
        assert service.decide(person, day + dt.timedelta(days=1)) is not first
        changed = person.model_copy(update={"courses": []})
        other = service.decide(changed, day)
        assert other is not first and other.person == person.id
        assert 0 < len(service._decided) <= DECISIONS_KEPT
    finally:
        service.close()
        store.close()
