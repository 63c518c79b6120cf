"""The search behind :func:`rules.route.find_routes`: states, options and the engine calls.

Each state is a hypothetical record and the day a route has got to; the search asks the
engine for decisions on it and branches on the ways to meet what is unmet (see the
docstring of :mod:`rules.route`).
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from accreditation.io import RecordError
from accreditation.record import Person
from pathways.model.library import Library, stage_key

from .actions import ActionBook, Addition
from .decision import Decision, RequirementOutcome, StageDecision, Status
from .route_plan import Closed
from .whatif import with_additions

__all__ = ["BRANCH", "MAX_DECISIONS", "Decide", "Event", "Search", "StageDecisions", "State"]

BRANCH = 6
MAX_DECISIONS = 600
_MAX_EVENTS = 80
ONE_DAY = dt.timedelta(days=1)

#: How the search asks for a decision: (record, as-of date, the pathways to explain).
Decide = Callable[[Person, dt.date, list[str]], Decision]


# --- the search state ----------------------------------------------------------------------


@dataclass(frozen=True)
class Event:
    kind: str  # "act", "reach" or "renew"
    stage: str
    day: dt.date
    items: tuple[Addition, ...] = ()
    key: str = ""
    text: str = ""
    path: str = ""
    waits: tuple[tuple[str, dt.date], ...] = ()


@dataclass(frozen=True)
class State:
    day: dt.date
    record: Person
    events: tuple[Event, ...] = ()
    commits: tuple[tuple[str, str, str], ...] = ()  # (stage, path, choice)
    labels: tuple[str, ...] = ()
    asked: tuple[tuple[str, str], ...] = ()  # (stage, the words of the step that needs it)

    def signature(self) -> str:
        items = [i for e in self.events for i in e.items]
        return json.dumps(items, sort_keys=True, default=str)

    def committed(self, stage: str, path: str) -> str | None:
        return next((c for s, p, c in self.commits if s == stage and p == path), None)


@dataclass(frozen=True)
class _Reach:
    path: str
    stages: tuple[str, ...]
    text: str = ""


@dataclass(frozen=True)
class _Do:
    path: str
    text: str


_Need = _Reach | _Do


@dataclass(frozen=True)
class _Option:
    needs: tuple[_Need, ...] = ()
    commits: tuple[tuple[str, str, str], ...] = ()
    labels: tuple[str, ...] = ()

    def __add__(self, other: _Option) -> _Option:
        return _Option(
            self.needs + other.needs, self.commits + other.commits, self.labels + other.labels
        )


_NOTHING = _Option()

#: One pathway's stage decisions, by stage id.
StageDecisions = dict[str, StageDecision]


@dataclass
class Search:
    library: Library
    decide: Decide
    person: Person
    book: ActionBook
    origin: dt.date
    decided: dict[tuple[str, dt.date, str], StageDecisions] = field(default_factory=dict)
    closed: dict[str, list[Closed]] = field(default_factory=dict)
    truncated: bool = False

    # --- deciding -----------------------------------------------------------------

    def decision(
        self, state: State, pathway: str, day: dt.date | None = None
    ) -> StageDecisions | None:
        """The engine's decision on ``state``'s record as of ``day`` (default: its clock),
        for the stages of ``pathway`` (the engine decides every stage; explaining one
        pathway's is what costs)."""
        on = day or state.day
        key = (state.signature(), on, pathway)
        found = self.decided.get(key)
        if found is None:
            if len(self.decided) >= MAX_DECISIONS:
                self.truncated = True
                return None
            decision = self.decide(state.record, on, [pathway])
            found = {s.stage: s for s in decision.stages}
            self.decided[key] = found
        return found

    def stage(
        self, state: State, key: str, day: dt.date | None = None
    ) -> StageDecision | bool | None:
        """The decision for stage ``key``: None if the search ran out, False if the stage
        is not in force on that day."""
        pathway_id, _, stage_id = key.partition(".")
        decided = self.decision(state, pathway_id, day)
        if decided is None:
            return None
        return decided.get(stage_id, False)

    def add(self, state: State, event: Event) -> State | None:
        """``state`` with ``event`` done (its items added; the clock moves on to its day if
        later), or None if the record would not be valid (a posting ending before it began)."""
        if len(state.events) >= _MAX_EVENTS:
            self.truncated = True
            return None
        record = state.record
        if event.items:
            additions: dict[str, list[dict[str, Any]]] = {}
            for section, item in event.items:
                additions.setdefault(section, []).append(item)
            try:
                record = with_additions(state.record, additions)
            except RecordError:
                return None
        return replace(
            state, day=max(state.day, event.day), record=record, events=(*state.events, event)
        )

    # --- reaching a stage -----------------------------------------------------------

    def achieve(self, state: State, key: str, visiting: frozenset[str]) -> list[State]:
        """Every way (at most :data:`BRANCH`) to hold ``key``, from ``state``."""
        if key in visiting:
            return []
        sd = self.stage(state, key)
        if sd is None:
            return []
        if sd is False:
            return self._not_in_force(state, key, visiting)
        assert isinstance(sd, StageDecision)
        if sd.status is Status.HELD:
            return [state]
        if sd.status is Status.NOT_ELIGIBLE:
            return self._work(state, sd, key, visiting)
        return self._reach(state, *self._earliest(state, sd))

    def _earliest(self, state: State, sd: StageDecision) -> tuple[StageDecision, dt.date]:
        """The stage's decision and the day it is reached: the earliest day, from the start of
        the route to the clock, on which the engine finds it eligible (or eligible from a
        date). Items dated later do not count on an earlier day, so a stage that does not
        need them is not held back by them (a promotion by a posting elsewhere)."""
        best = (sd, sd.eligible_from or state.day)
        days = sorted({self.origin, *(e.day for e in state.events)})
        for day in days:
            if day >= best[1]:
                break
            early = self.stage(state, stage_key(sd.pathway, sd.stage), day)
            if early is None:
                break
            if not isinstance(early, StageDecision):
                continue
            if early.status is Status.ELIGIBLE_FROM and early.eligible_from is not None:
                if early.eligible_from < best[1]:
                    best = (early, early.eligible_from)
            elif early.status in (Status.ELIGIBLE, Status.LAPSED):
                best = (early, day)
                break
        return best

    def _not_in_force(self, state: State, key: str, visiting: frozenset[str]) -> list[State]:
        """A stage not in force on the route's day: wait for it if it comes into force later."""
        _, stage = self.book.stage(key)
        start = stage.effective_from
        if start is None or start <= state.day:
            return []
        return self.achieve(replace(state, day=start), key, visiting)

    def _reach(self, state: State, sd: StageDecision, day: dt.date) -> list[State]:
        key = stage_key(sd.pathway, sd.stage)
        renew = sd.status is Status.LAPSED
        waits = tuple(sorted(_waits(sd.requirements, self._counter(key)), key=lambda w: w[1]))
        # A rank (posting) that started on ``day`` cannot end the day before it started: a
        # second promotion the same day is made the next day; one before a later posting
        # already on the route, after it.
        for when in dict.fromkeys((day, day + ONE_DAY, state.day, state.day + ONE_DAY)):
            if when < day:
                continue
            items = self.book.award_items(key, state.record, when)
            kind = "renew" if renew else "reach"
            text = next((t for k, t in reversed(state.asked) if k == key), "")
            event = Event(kind, key, when, tuple(items or ()), text=text, waits=waits)
            done = self.add(state, event)
            if done is not None:
                return [done]
        return []

    def _counter(self, key: str) -> Callable[[str], int]:
        def need(path: str) -> int:
            return int(getattr(self.book.requirement(key, path), "at_least", 1))

        return need

    def _work(
        self, state: State, sd: StageDecision, key: str, visiting: frozenset[str]
    ) -> list[State]:
        """A stage not yet eligible: for each way of meeting it, reach the first stage it
        needs, or else do its actions; then decide again."""
        options = _product([self._options(o, key, state) for o in sd.requirements])
        if not options:
            self.closed[key] = [
                Closed(pathway=sd.pathway, stage=sd.stage, name=sd.name, requirement=p, text=t)
                for p, t in _closed(sd.requirements)
            ]
            return []
        out: list[State] = []
        for option in options:
            start = replace(
                state,
                commits=state.commits + option.commits,
                labels=state.labels + tuple(x for x in option.labels if x not in state.labels),
            )
            for moved in self._advance(start, option, key, visiting):
                out += self.achieve(moved, key, visiting)
                if len(out) >= BRANCH:
                    return out[:BRANCH]
        return out

    def _advance(
        self, state: State, option: _Option, key: str, visiting: frozenset[str]
    ) -> list[State]:
        """One move towards ``key`` along ``option``: the states after it (none: no progress)."""
        reaches = sorted((n for n in option.needs if isinstance(n, _Reach)), key=self._order)
        if reaches:
            need = reaches[0]
            out: list[State] = []
            for target in need.stages:
                chosen = state
                if len(need.stages) > 1:
                    _, stage = self.book.stage(target)
                    # The first stage listed is the usual way: only the others are named.
                    label = () if target == need.stages[0] else (f"through {stage.name}",)
                    chosen = replace(
                        state,
                        commits=(*state.commits, (key, need.path, target)),
                        labels=(*state.labels, *label),
                    )
                if need.text:
                    chosen = replace(chosen, asked=(*chosen.asked, (target, need.text)))
                out += [
                    s
                    for s in self.achieve(chosen, target, visiting | {key})
                    if len(s.events) > len(state.events)
                ]
            return out
        moved: State | None = state
        for act in option.needs:
            assert isinstance(act, _Do)
            if moved is None:
                return []
            moved = self._do(moved, key, act)
        if moved is None or len(moved.events) == len(state.events):
            return []  # nothing to do, and still not eligible: no progress on this way
        return [moved]

    def _do(self, state: State, key: str, need: _Do) -> State | None:
        """``state`` with the action at ``need.path`` done: today (the route's first day),
        as the route promises; a posting or rank, which ends the one before it, on the
        clock's day (or the next, if one started that day)."""
        action = self.book.key_of(key, need.path) or need.path
        for when in dict.fromkeys((self.origin, state.day, state.day + ONE_DAY)):
            items = self.book.action_items(key, need.path, state.record, when)
            if not items:
                return None
            if when < state.day and any(s in ("postings", "ranks", "bands") for s, _ in items):
                continue
            done = self.add(
                state, Event("act", key, when, tuple(items), action, need.text, need.path)
            )
            if done is not None:
                return done
        return None

    def _order(self, need: _Reach) -> tuple[int, int]:
        """Stages that change the rank (band) last: reaching them can close a stage that has
        a rank limit (the HPDS is for constables and sergeants)."""
        _, stage = self.book.stage(need.stages[0])
        award = stage.awards
        if award is not None and (award.rank or award.band):
            order = self.library.catalogue.rank_order() | self.library.catalogue.band_order()
            return (1, order.get(str(award.rank or award.band), 0))
        return (0, 0)

    # --- ways to meet a requirement -------------------------------------------------------

    def _options(self, o: RequirementOutcome, key: str, state: State) -> list[_Option]:
        """The ways to meet ``o``: [] if none, [_NOTHING] if nothing needs doing (met, or
        only time is missing)."""
        if o.met or not o.in_force or o.met_from is not None:
            return [_NOTHING]
        if o.blocked:
            return []
        if o.kind == "all_of":
            return _product([self._options(c, key, state) for c in o.children])
        if o.kind in ("any_of", "at_least"):
            return self._alternatives(o, key, state)
        if o.kind == "not":
            return []
        stages = self.book.awarding(key, o.path)
        if stages:
            return [_Option((_Reach(o.path, tuple(stages), o.next_step or ""),))]
        if self.book.action_items(key, o.path, state.record, state.day) is not None:
            return [_Option((_Do(o.path, o.next_step or o.text),))]
        return [_NOTHING]  # a period in a rank or role not yet held: reaching it starts it

    def _alternatives(self, o: RequirementOutcome, key: str, state: State) -> list[_Option]:
        live = [
            (i, c) for i, c in enumerate(o.children) if c.in_force and not c.met and not c.blocked
        ]
        viable = [(i, c, opts) for i, c in live if (opts := self._options(c, key, state))]
        committed = state.committed(key, o.path)
        if o.kind == "any_of":
            choose = [[x] for x in viable]
        else:
            req = self.book.requirement(key, o.path)
            need_total = getattr(req, "at_least", 1)
            met = sum(1 for c in o.children if c.in_force and c.met)
            k = max(1, min(need_total, sum(1 for c in o.children if c.in_force)) - met)
            choose = [list(combo) for combo in itertools.combinations(viable, k)][:BRANCH]
        out: list[_Option] = []
        for combo in choose:
            choice = ",".join(str(i) for i, _, _ in combo)
            if committed is not None and committed != choice:
                continue
            label = "; ".join(c.text for _, c, _ in combo)
            head = _Option(
                commits=((key, o.path, choice),),
                labels=(label,) if len(choose) > 1 else (),
            )
            for combined in _product([opts for _, _, opts in combo]):
                out.append(head + combined)
        return out[:BRANCH]


def _product(choices: list[list[_Option]]) -> list[_Option]:
    """Every combination of one option per requirement (at most :data:`BRANCH`)."""
    out = [_NOTHING]
    for options in choices:
        if not options:
            return []
        out = [a + b for a in out for b in options][:BRANCH]
    return out


def _waits(
    outcomes: list[RequirementOutcome], need: Callable[[str], int]
) -> list[tuple[str, dt.date]]:
    """The periods a stage that is eligible from a date waits for: of alternatives, only
    those met soonest. ``need`` gives the count an ``at_least`` at a path asks for."""
    found = _wait_of(outcomes, "all_of", 0, need)
    return found[1] if found else []


def _wait_of(
    outcomes: list[RequirementOutcome], kind: str, count: int, need: Callable[[str], int]
) -> tuple[dt.date, list[tuple[str, dt.date]]] | None:
    """(day, waits) if waiting alone meets ``outcomes`` combined by ``kind``; else None."""
    parts: list[tuple[dt.date, list[tuple[str, dt.date]]]] = []
    for o in outcomes:
        if not o.in_force or o.met:
            parts.append((dt.date.min, []))
        elif o.children and o.kind != "not":
            sub = _wait_of(o.children, o.kind, need(o.path) if o.kind == "at_least" else 1, need)
            if sub is not None:
                parts.append(sub)
        elif o.met_from is not None:
            parts.append((o.met_from, [(o.text, o.met_from)]))
    if kind == "all_of":
        if len(parts) < len(outcomes):
            return None
        chosen = parts
    else:
        count = min(max(count, 1), len(outcomes))
        if len(parts) < count:
            return None
        chosen = sorted(parts, key=lambda p: p[0])[:count]
    day = max((p[0] for p in chosen), default=dt.date.min)
    return day, [w for p in chosen for w in p[1]]


def _closed(outcomes: list[RequirementOutcome]) -> Iterator[tuple[str, str]]:
    for o in outcomes:
        if o.in_force and not o.met:
            if o.blocked or o.kind == "not":
                yield o.path, o.text
            else:
                yield from _closed(o.children)
