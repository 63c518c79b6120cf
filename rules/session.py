"""The one place that touches durable-rules, wrapped so callers never see its global state.

What this wrapper guards against (measured, see shared/notes/durable-rules.md):

- The default Host starts background timer threads that race and segfault:
  :class:`_QuietHost` starts none, and one lock serialises every engine call.
- ``delete_state`` crashes for a session in which no action ran: every session
  gets an ``anchor`` fact whose rule always fires.
- At most 1,024 live sessions per ruleset, and about 1.2 MB each: each
  evaluation deletes its session in ``finally``, so at most one is ever live.
- Errors raised inside actions are swallowed: actions here only record what
  matched, and any error they meet is kept and raised after the call.
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

from .compile import ANCHOR, CompiledLibrary
from .facts import FactSheet

__all__ = ["EngineError", "Firings", "RuleEngine"]

_LOCK = threading.RLock()
_NAMES = itertools.count()


class EngineError(RuntimeError):
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
        self._current: Firings | None = None
        self._compiled: dict[str, tuple[str, CompiledLibrary]] = {}
        self._pending: CompiledLibrary | None = None
        self._host = _QuietHost(self._action)

    # --- registration -------------------------------------------------------------

    def load(self, compiled: CompiledLibrary) -> str:
        """Register a compiled library (once per digest); return its ruleset name."""
        with _LOCK:
            if compiled.digest in self._compiled:
                return self._compiled[compiled.digest][0]
            name = f"lib_{compiled.digest[:12]}_{next(_NAMES)}"
            self._pending = compiled
            try:
                self._host.set_rulesets({name: compiled.fresh_definition()})
            finally:
                self._pending = None
            self._compiled[compiled.digest] = (name, compiled)
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
        """Assert one record's facts; return what fired.

        Raises:
            EngineError: if an action failed or the engine did not run to the end.
        """
        name = self.load(compiled)
        facts = [*sheet.facts, {"sid": sheet.sid, "t": ANCHOR}]
        with _LOCK:
            firings = Firings()
            self._current = firings
            try:
                self._assert_batch(name, facts, firings)
            except BaseException as exc:
                firings.errors.append(exc)
            finally:
                try:
                    if firings.anchored:
                        self._host.delete_state(name, sheet.sid)
                finally:
                    self._current = None
        if firings.errors or not firings.anchored:
            detail = "; ".join(f"{type(e).__name__}: {e}" for e in firings.errors) or (
                "the engine stopped before running every rule"
            )
            raise EngineError(f"evaluating record '{sheet.sid}' failed: {detail}")
        return firings

    def _assert_batch(self, name: str, facts: list[dict[str, Any]], firings: Firings) -> None:
        # Host.assert_facts raises MessageNotHandledException, and runs no action, when
        # any one fact matches no rule (a course no rule asks about, say). The engine's
        # own batch call stores the facts; then the queued actions run as usual.
        ruleset = self._host.get_ruleset(name)
        result = _native.assert_facts(ruleset._handle, json.dumps(facts, ensure_ascii=False))
        code, state_handle = result[0], result[1]
        if code not in (0, 1):  # 1: some fact matched no rule, which is expected here
            raise EngineError(f"durable-rules refused the facts (code {code})")
        errors: list[BaseException] = []

        def done(error: BaseException | None, _state: Any) -> None:
            if error is not None:
                errors.append(error)

        ruleset.do_actions(state_handle, done)
        firings.errors.extend(errors)

    def _action(self, name: str) -> Callable[[Any], None]:
        kind, index = name[0], name[1:]
        compiled = self._pending
        chained = compiled.chained if compiled is not None else frozenset()
        stage_of = (
            {r.held_rule: k for k, r in compiled.stages.items()}
            | {r.lapsed_rule: k for k, r in compiled.stages.items()}
            if compiled is not None
            else {}
        )

        def act(c: Any) -> None:
            firings = self._current
            if firings is None:
                return
            try:
                matched = list(c._m.values())
                if name == ANCHOR:
                    firings.anchored = True
                elif kind == "l":
                    firings.leaves[int(index)].extend(matched)
                elif kind == "h":
                    stage = stage_of[name]
                    if stage not in firings.held:
                        firings.held[stage] = matched
                        if stage in chained:
                            # Chain: 'reached' rules, here or in other pathways, match this.
                            c.assert_fact({"t": "held", "stage": stage})
                    else:
                        firings.held[stage].extend(matched)
                elif kind == "x":
                    firings.lapsed.setdefault(stage_of[name], []).extend(matched)
            except BaseException as exc:  # kept, and raised after the engine call
                firings.errors.append(exc)

        return act
