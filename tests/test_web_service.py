"""The web's decision service keeps recent decisions, keyed by library, date and record,
and decides for several requests at once (one engine lane each)."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

import pytest

from pathways import SHIPPED_LIBRARY
from rules.decision import DecisionOverview
from rules.lanes import EngineLanes
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


def test_two_requests_decide_at_once_on_two_lanes(tmp_path: Path) -> None:
    """A request waits for a free engine worker, not for every other request: while one
    lane is held (a long decision, say), the other still decides. With one lock around one
    pool, as before, the second request would wait for the first."""
    store = Store(f"sqlite:///{tmp_path / 'people.db'}")  # read from request threads
    service = DecisionService(store, workers=2)
    try:
        people = list(generate_people(2, seed=41))
        day = dt.date(2024, 6, 1)
        _, _, lanes = service._use(day)
        held = threading.Event()
        release = threading.Event()

        def hold_a_lane() -> None:
            with lanes.lane():
                held.set()
                release.wait(60)

        holder = threading.Thread(target=hold_a_lane)
        holder.start()
        try:
            assert held.wait(30)
            done: list[str] = []
            other = threading.Thread(
                target=lambda: done.append(service.decide(people[0], day).person)
            )
            other.start()
            other.join(60)
            assert done == [people[0].id] and lanes.free == 1  # the held one is not free
        finally:
            release.set()
            holder.join(60)
        assert lanes.free == 2
        # The summary of a person already decided comes from the decision kept.
        assert service.overview(people[0], day) == DecisionOverview.of(
            service.decide(people[0], day)
        )
    finally:
        service.close()
        store.close()


def test_lanes_closed_while_in_use_stop_when_handed_back() -> None:
    with EngineLanes([SHIPPED_LIBRARY], lanes=1) as lanes:
        with lanes.lane() as pool:
            lanes.close()
            assert pool.worker_pids()  # still running for the caller that has it
        with pytest.raises(RuntimeError, match="closed"):
            pool.decide(next(iter(generate_people(1, seed=42))), dt.date(2024, 6, 1))
        with pytest.raises(RuntimeError, match="closed"), lanes.lane():
            pass
