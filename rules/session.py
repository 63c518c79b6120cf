"""The one place that touches durable-rules, wrapped so callers never see its global state.

What this wrapper guards against (measured, see shared/notes/durable-rules.md):

- The default Host starts background timer threads that race and segfault:
  :class:`_QuietHost` starts none, and one lock serialises every engine call.
- ``delete_state`` crashes for a session in which no action ran: every session
  gets an ``anchor`` fact whose rule always fires.
- At most 1,024 live sessions per ruleset, and about 1.2 MB each: each
  evaluation deletes its session in ``finally``, so at most one is ever live.
- Errors raised inside actions are swallowed by durable's Python layer: the
  actions here are run by this module's own loop over the native calls, and
  any error is raised after the call, naming the record.
- A ruleset name can be registered once: names carry a counter, and a
  library version that is no longer needed is unloaded.
"""

from __future__ import annotations

import itertools
import json
import threading
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import durable_rules_engine as _native
from durable import engine as durable_engine

from pathways.problems import CareerPathwaysError

from .compile import ANCHOR, CompiledLibrary
from .facts import FactSheet

__all__ = ["EngineError", "Firings", "RuleEngine"]

_LOCK = threading.RLock()
_NAMES = itertools.count()


class EngineError(CareerPathwaysError, RuntimeError):
    """The rules engine failed; the decision cannot be trusted and none is returned."""


@dataclass
class Firings:
    """What fired for one record: matched leaves and held/lapsed stages, with their facts."""

    leaves: dict[int, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    held: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    lapsed: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    errors: list[BaseException] = field(default_factory=list)
    anchored: bool = False


class _QuietHost(durable_engine.Host):  # type: ignore[misc]
    """A Host without the background dispatch threads; actions resolved by name."""

    def __init__(self, resolve: Callable[[str], Callable[[Any], None]]):
        self._resolve = resolve
        super().__init__()

    def _run(self) -> None:  # no timers, no dispatch thread
        return None

    def get_action(self, action_name: str) -> Callable[[Any], None]:
        return self._resolve(action_name)


class RuleEngine:
    """Evaluates fact sheets against compiled libraries, one record at a time."""

    def __init__(self) -> None:
        self._compiled: dict[str, tuple[str, CompiledLibrary, dict[str, str]]] = {}
        self._host = _QuietHost(_unused_action)

    # --- registration -------------------------------------------------------------

    def load(self, compiled: CompiledLibrary) -> str:
        """Register a compiled library (once per digest); return its ruleset name."""
        with _LOCK:
            if compiled.digest in self._compiled:
                return self._compiled[compiled.digest][0]
            name = f"lib_{compiled.digest[:12]}_{next(_NAMES)}"
            self._host.set_rulesets({name: compiled.fresh_definition()})
            stage_of = {r.held_rule: k for k, r in compiled.stages.items() if r.held_rule}
            stage_of |= {r.lapsed_rule: k for k, r in compiled.stages.items() if r.lapsed_rule}
            self._compiled[compiled.digest] = (name, compiled, stage_of)
            return name

    def unload(self, digest: str) -> None:
        """Forget a library version (durable-rules has no public unload)."""
        with _LOCK:
            entry = self._compiled.pop(digest, None)
            if entry is None:
                return
            ruleset = self._host._ruleset_directory.pop(entry[0], None)
            if ruleset is not None:
                self._host._ruleset_list.remove(ruleset)

    def loaded(self) -> list[str]:
        return list(self._compiled)

    # --- evaluation ---------------------------------------------------------------

    def run(self, compiled: CompiledLibrary, sheet: FactSheet) -> Firings:
        """Assert one record's facts, run every rule that matches; return what fired.

        Raises:
            EngineError: if durable-rules refused the facts, an action failed, or the
                rules did not run to the end. Never a silent partial result.
        """
        name = self.load(compiled)
        _, _, stage_of = self._compiled[compiled.digest]
        facts = [*sheet.facts, {"sid": sheet.sid, "t": ANCHOR}]
        firings = Firings()
        with _LOCK:
            handle = self._host.get_ruleset(name)._handle
            try:
                self._run_actions(handle, facts, firings, compiled.chained, stage_of)
            except BaseException as exc:  # kept, and raised below with the record's id
                firings.errors.append(exc)
            finally:
                if firings.anchored:  # deleting a session where nothing ran crashes
                    _native.delete_state(handle, sheet.sid)
        if firings.errors or not firings.anchored:
            detail = "; ".join(f"{type(e).__name__}: {e}" for e in firings.errors) or (
                "the engine stopped before running every rule"
            )
            raise EngineError(f"evaluating record '{sheet.sid}' failed: {detail}")
        return firings

    @staticmethod
    def _run_actions(
        handle: int,
        facts: list[dict[str, Any]],
        firings: Firings,
        chained: frozenset[str],
        stage_of: dict[str, str],
    ) -> None:
        # Host.assert_facts raises MessageNotHandledException, and runs no action, when
        # any one fact matches no rule (a course no rule asks about, say); the native
        # batch call stores the facts and queues the matching rules' actions.
        result = _native.assert_facts(handle, json.dumps(facts))
        code, state_handle = result[0], result[1]
        if code not in (0, 1):  # 1: some fact matched no rule, which is expected here
            raise EngineError(f"durable-rules refused the facts (code {code})")
        started = _native.start_action_for_state(handle, state_handle)
        if not started:
            return
        message = json.loads(started[1])
        # The actions only record what matched (and assert 'held' facts), so the
        # per-action state round trip of durable's Python layer is not needed.
        while message:
            try:
                RuleEngine._record(message, handle, facts, firings, chained, stage_of)
            except Exception as exc:  # kept; the queue is still drained, so the anchor
                firings.errors.append(exc)  # runs and the session can be deleted
            following = _native.complete_and_start_action(handle, state_handle)
            message = json.loads(following) if following else None

    @staticmethod
    def _record(
        message: dict[str, Any],
        handle: int,
        facts: list[dict[str, Any]],
        firings: Firings,
        chained: frozenset[str],
        stage_of: dict[str, str],
    ) -> None:
        rule, bindings = next(iter(message.items()))
        matched = list(bindings.values())
        kind = rule[0]
        if rule == ANCHOR:
            firings.anchored = True
        elif kind == "l":
            firings.leaves[int(rule[1:])].extend(matched)
        elif kind == "h":
            stage = stage_of[rule]
            if stage not in firings.held:
                firings.held[stage] = matched
                if stage in chained:
                    # Chain: 'reached' rules, in this pathway or another, match this.
                    fact = {"sid": facts[0]["sid"], "t": "held", "stage": stage}
                    _native.assert_fact(handle, json.dumps(fact))
            else:
                firings.held[stage].extend(matched)
        elif kind == "x":
            firings.lapsed.setdefault(stage_of[rule], []).extend(matched)


def _unused_action(name: str) -> Callable[[Any], None]:
    def never(_c: Any) -> None:
        raise EngineError(f"rule '{name}' ran through durable's Python layer unexpectedly")

    return never
