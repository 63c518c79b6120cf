"""The route to a goal: the stages to pass through, what each still needs, and the earliest
date each could be reached if every remaining action were done today.

The search never judges a requirement itself. From the person's record it asks the engine
for a decision, and for the goal (and, in turn, each stage the goal needs):

- **held**: nothing to do;
- **eligible**: reached today (its award is added to a hypothetical copy of the record);
- **eligible from D**: reached on D, the date the engine found (only time was missing);
- **lapsed**: revalidated today;
- **not eligible**: each way of meeting its unmet requirements is tried in turn. A stage it
  needs (``reached``, or an item some stage awards: a rank, a credential level, a
  programme membership) is reached first, the same way; an action (pass an exam, attend a
  course, take a posting) is added to the hypothetical record, dated the route's current
  day, exactly as the what-if machinery adds items (:func:`rules.whatif.with_additions`).
  Then the engine decides again, with the clock at that day.

So every date on a route is an engine decision on a record with the route's items in it,
and a route's items added to the record make the goal eligible on the route's date
(``tests/test_route.py`` checks that as a property). Alternatives (``any_of``; several
stages awarding the same rank) give separate routes: the promotion board and the HPDS
work-based assessment route to chief inspector are two routes, each with its own date.

The search is bounded (:data:`MAX_DECISIONS` engine decisions, :data:`BRANCH` partial routes
kept per stage, :data:`MAX_ROUTES` routes shown); a plan that hit a bound says so.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

from accreditation.record import Person
from pathways.model.library import Library

from .actions import ActionBook, award_key, spec
from .decision import Decision, Status
from .route_plan import Closed, Route, RouteAction, RoutePlan, RouteStage, RouteWait
from .route_search import BRANCH, MAX_DECISIONS, Decide, Event, Search, State
from .status import status_words

__all__ = [
    "BRANCH",
    "MAX_DECISIONS",
    "MAX_ROUTES",
    "Closed",
    "Route",
    "RouteAction",
    "RoutePlan",
    "RouteStage",
    "RouteWait",
    "find_routes",
]

MAX_ROUTES = 4


# --- putting a plan together ---------------------------------------------------------------


def find_routes(
    library: Library,
    decide: Decide,
    person: Person,
    goal: str,
    as_of: dt.date,
) -> RoutePlan:
    """The routes from ``person``'s record on ``as_of`` to the stage ``goal`` ('pathway.stage').

    ``decide`` is how decisions are made (an :class:`~rules.engine.Evaluator`'s ``decide``,
    or an engine pool's); ``library`` must be the one it decides with.

    Raises:
        KeyError: if ``goal`` is not a stage of ``library``.
    """
    book = ActionBook.of(library)
    pathway, stage = book.stage(goal)
    search = Search(library, decide, person, book, as_of)
    start = State(as_of, person)
    now = decide(person, as_of, list(library.pathways))
    states = search.achieve(start, goal, frozenset())
    if stage.awards is not None and states != [start]:
        # Another stage awarding the same item holds the goal too (the work-based
        # assessment's substantive superintendent is a superintendent).
        for other in book.awarding_key(award_key(stage.awards, library.catalogue)):
            if other != goal and not book.needs(other, goal):
                _, via = book.stage(other)
                labelled = replace(start, labels=(f"through {via.name}",))
                states += search.achieve(labelled, other, frozenset({goal}))
    routes = _routes(states, now, goal, book)
    try:
        goal_now = now.stage(pathway.id, stage.id)
        status, words = goal_now.status, status_words(goal_now)
    except KeyError:
        status, words = Status.NOT_ELIGIBLE, "not in force on this date"
    closed: list[Closed] = []
    if not routes:
        closed = search.closed.get(goal) or [c for cs in search.closed.values() for c in cs]
    return RoutePlan(
        person=person.id,
        as_of=as_of,
        library_version=library.digest,
        goal=goal,
        goal_name=stage.name,
        pathway_name=pathway.name,
        status_now=status,
        now=words,
        routes=routes,
        closed=closed,
        searched=len(search.decided),
        truncated=search.truncated,
    )


def _routes(states: list[State], now: Decision, goal: str, book: ActionBook) -> list[Route]:
    """Routes from the search's end states: earliest first, then shortest; one per sequence
    of stages (alternatives that differ only in an action, such as which of five
    investigative roles gives the twelve months, are one route), and none that another as
    early asks nothing more than."""
    candidates = [r for r in (_route(s, now, goal, book) for s in states) if r is not None]
    candidates.sort(
        key=lambda r: (r.reached_on, len(r.stages), sum(len(s.actions) for s in r.stages))
    )
    kept: list[Route] = []
    seen: set[tuple[Any, ...]] = set()
    for route in candidates:
        shape = (route.reached_on, tuple(s.key for s in route.stages))
        if shape in seen or any(_dominates(k, route) for k in kept):
            continue
        seen.add(shape)
        kept.append(route)
    kept = kept[:MAX_ROUTES]
    common = set.intersection(*(set(r.choices) for r in kept)) if len(kept) > 1 else set()
    return [
        r.model_copy(update={"label": "; ".join(c for c in r.choices if c not in common)})
        for r in kept
    ]


def _steps_of(route: Route) -> set[str]:
    return {s.key for s in route.stages} | {a.key for _, a in route.actions()}


def _dominates(a: Route, b: Route) -> bool:
    """``a`` is as early as ``b`` and asks for nothing ``b`` does not: ``b`` adds nothing."""
    return a.reached_on <= b.reached_on and _steps_of(a) <= _steps_of(b)


def _route(state: State, now: Decision, goal: str, book: ActionBook) -> Route | None:
    if not state.events:
        return None  # held already: no route
    stages: list[RouteStage] = []
    pending: dict[str, list[RouteAction]] = {}
    additions: dict[str, list[dict[str, Any]]] = {}
    last = state.events[-1]
    for event in state.events:
        if event.kind == "act":
            pending.setdefault(event.stage, []).append(
                RouteAction(
                    key=event.key,
                    text=event.text,
                    requirement=event.path,
                    add=[spec(s, i) for s, i in event.items],
                )
            )
        else:
            stages.append(_route_stage(event, now, pending.pop(event.stage, []), book))
        if event is not last or last.stage != goal or last.kind == "renew":
            for section, item in event.items:
                additions.setdefault(section, []).append(dict(item))
    if not stages:
        return None
    stages.sort(key=lambda s: s.reached_on)  # stable: the order they were reached in on a day
    return Route(
        label="; ".join(state.labels),
        choices=list(state.labels),
        reached_on=stages[-1].reached_on,
        stages=stages,
        additions=additions,
    )


def _route_stage(
    event: Event, now: Decision, actions: list[RouteAction], book: ActionBook
) -> RouteStage:
    pathway, stage = book.stage(event.stage)
    try:
        today = now.stage(pathway.id, stage.id)
        status, words = today.status, status_words(today)
    except KeyError:
        status, words = Status.NOT_ELIGIBLE, "not in force yet"
    return RouteStage(
        pathway=pathway.id,
        pathway_name=pathway.name,
        stage=stage.id,
        name=stage.name,
        status_now=status,
        now=words,
        reached_on=event.day,
        actions=actions,
        waits=[RouteWait(text=t, on=d) for t, d in event.waits],
        revalidate=event.kind == "renew",
        step=event.text,
        award=[spec(s, i) for s, i in event.items],
    )
