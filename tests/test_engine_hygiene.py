"""Many evaluations in one process: no leaked sessions, state or memory; no silent errors.

durable-rules keeps process-global state (see shared/notes/durable-rules.md): at most
1,024 live sessions per ruleset, facts that outlive a session if it is not deleted,
and exceptions in actions swallowed into the session state. These tests hold
:class:`rules.engine.Evaluator` and :class:`rules.session.RuleEngine` to their promise
of hiding all of that. Sessions are probed with durable's own ``get_state``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import gc
import json
import re
from pathlib import Path
from typing import Any

import durable_rules_engine as native
import pytest
from sample_people import OFFICER, PEOPLE

from accreditation.record import Person
from pathways import Library
from rules import EngineError, Evaluator
from rules.compile import compile_library
from rules.session import RuleEngine

AS_OF = dt.date(2021, 6, 1)
# Long loops report a few pathways only, to keep them quick: every rule of the library
# is still asserted and fired in durable-rules; only fewer stages are written up.
SOME = ["promotion", "fsl", "pip", "analyst"]
SID_NOT_FOUND = "error code: 309"  # what durable's get_state says for a sid with no session


def handle_of(engine: RuleEngine, evaluator: Evaluator) -> Any:
    """durable's handle for the ruleset ``engine`` registered for the evaluator's library."""
    return engine._host.get_ruleset(engine.load(evaluator.compiled))._handle


def session_live(handle: Any, sid: str) -> bool:
    try:
        native.get_state(handle, sid)
    except native.error as exc:
        if SID_NOT_FOUND in str(exc):
            return False
        raise
    return True


class NativeSpy:
    """durable's native module, with a look at the live sessions as each one starts.

    Right after a record's facts are asserted its own session must exist, and the
    previous record's must not: then no more than one session is ever live.
    """

    def __init__(self) -> None:
        self.previous: tuple[Any, str] | None = None
        self.seen: list[tuple[bool, bool]] = []  # (own session live, previous one live)

    def __getattr__(self, name: str) -> Any:
        return getattr(native, name)

    def assert_facts(self, handle: Any, facts: str) -> Any:
        result = native.assert_facts(handle, facts)
        sid = json.loads(facts)[0]["sid"]
        before = self.previous is not None and session_live(*self.previous)
        self.seen.append((session_live(handle, sid), before))
        self.previous = (handle, sid)
        return result


def rss_kib() -> int:
    status = Path("/proc/self/status").read_text()
    match = re.search(r"^VmRSS:\s+(\d+) kB", status, re.M)
    assert match is not None
    return int(match.group(1))


def numbered(i: int) -> Person:
    """Record ``i`` of a long run: the people in turn, each copy with its own id."""
    person = PEOPLE[i % len(PEOPLE)]
    return person.model_copy(update={"id": f"{person.id}-{i}"})


def test_no_state_leaks_between_people(library: Library) -> None:
    evaluator = Evaluator(library)
    for a in PEOPLE:
        for b in PEOPLE:
            first = evaluator.decide(a, AS_OF).model_dump()
            evaluator.decide(b, AS_OF)
            assert evaluator.decide(a, AS_OF).model_dump() == first, (a.id, b.id)
    # A brand-new engine (a fresh durable ruleset) agrees with the well-used one.
    fresh = Evaluator(library, RuleEngine())
    for person in PEOPLE:
        assert (
            fresh.decide(person, AS_OF).model_dump() == evaluator.decide(person, AS_OF).model_dump()
        )


@pytest.mark.slow  # 3,000 evaluations
def test_3000_evaluations_leave_no_sessions_and_never_more_than_one(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = RuleEngine()
    evaluator = Evaluator(library, engine)
    handle = engine._host.get_ruleset(engine.load(evaluator.compiled))._handle
    spy = NativeSpy()
    monkeypatch.setattr("rules.session._native", spy)
    first = [evaluator.decide(p, AS_OF, SOME).model_dump() for p in PEOPLE]
    sids = []
    # 3,000 distinct session ids: had any session been kept, the 1,025th would fail.
    for i in range(3000):
        person = numbered(i)
        decision = evaluator.decide(person, AS_OF, SOME)
        assert decision.model_dump() == first[i % len(PEOPLE)] | {"person": person.id}
        assert not session_live(handle, person.id)
        sids.append(person.id)
    assert len(spy.seen) == 3000 + len(PEOPLE)
    assert all(own and not previous for own, previous in spy.seen)
    assert not any(session_live(handle, sid) for sid in sids)


@pytest.mark.slow  # 3,000 evaluations
def test_memory_stays_flat_over_3000_evaluations(library: Library) -> None:
    evaluator = Evaluator(library)
    for i in range(500):  # warm-up: caches, allocator pools
        evaluator.decide(numbered(i), AS_OF, SOME)
    gc.collect()
    before = rss_kib()
    for i in range(500, 3500):
        evaluator.decide(numbered(i), AS_OF, SOME)
    gc.collect()
    after = rss_kib()
    assert after <= before * 1.10, f"RSS grew from {before} KiB to {after} KiB"


def test_an_error_inside_an_action_surfaces_as_engine_error(library: Library) -> None:
    """A compiled library with a rule whose action fails: an error, never a decision."""
    compiled = compile_library(library)
    definition = compiled.fresh_definition()
    # Fires for every record (each has a 'person' fact); RuleEngine's action for it
    # looks up a stage that does not exist and raises KeyError mid-evaluation.
    definition["h_broken"] = {"all": [{"m0": {"t": "person"}}], "run": "h_broken"}
    broken = dataclasses.replace(compiled, definition=definition)
    engine = RuleEngine()
    evaluator = Evaluator(library, engine)
    engine.unload(broken.digest)  # same digest: forget the good ruleset, load the broken one
    evaluator.compiled = broken
    handle = engine._host.get_ruleset(engine.load(broken))._handle
    for _ in range(3):  # the same every time, and nothing is left behind
        with pytest.raises(EngineError, match=r"'W2001'.*KeyError"):
            evaluator.decide(OFFICER, AS_OF)
        assert not session_live(handle, OFFICER.id)
    # Other engines are unaffected.
    assert Evaluator(library).decide(OFFICER, AS_OF).person == OFFICER.id


def test_an_error_before_the_anchor_action_leaves_no_session(library: Library) -> None:
    compiled = compile_library(library)
    # The same broken rule, but first in the ruleset: durable runs it before the anchor.
    definition = {
        "h_broken": {"all": [{"m0": {"t": "person"}}], "run": "h_broken"},
        **compiled.fresh_definition(),
    }
    broken = dataclasses.replace(compiled, definition=definition)
    engine = RuleEngine()
    evaluator = Evaluator(library, engine)
    engine.unload(broken.digest)
    evaluator.compiled = broken
    handle = engine._host.get_ruleset(engine.load(broken))._handle
    for _ in range(2):  # the person can be evaluated again: nothing was left behind
        with pytest.raises(EngineError, match=r"'W2001'.*KeyError"):
            evaluator.decide(OFFICER, AS_OF)
        assert not session_live(handle, OFFICER.id)
