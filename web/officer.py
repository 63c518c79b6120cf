"""A person's pages: My pathways (summary first), their goal and its routes, one pathway in
full, its diagram at full size, what if, and the one-page PDR print.

An officer sees their own record only; HR anyone's. Officers see positive-action criteria
worded neutrally (:func:`rules.protected.neutral`); the PDR print, meant to be shown to
others, leaves positive-action programmes out unless the person ticks to include them.
See docs/web.md, "Protected characteristics".
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from accreditation.io import RecordError
from accreditation.record import Person
from pathways.model.library import Library
from rules.decision import Decision, Status
from rules.protected import neutral, neutral_text, positive_action_stages
from rules.ranking import TIER_WORDS, RankedStep, Tier, rank_steps
from rules.route import RoutePlan
from rules.session import EngineError
from rules.targets import GoalError, find_stage, stage_choices
from rules.whatif import parse_addition
from store.goals import Goal, GoalConflict, Goals
from store.goals import GoalError as StoredGoalError
from store.mentoring import mentees_of
from store.users import Role, User

from .auth import check_csrf, require_person
from .deps import decide_for, person_for
from .diagram import pathway_map, stage_anchor
from .pagekit import Signed, page
from .problems import Problem
from .summary import catalogue_picks, holdings, newly_met, pathway_lines, resolve_pick

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
log = logging.getLogger("web")

#: Ranked steps shown on the PDR print (it must fit one A4 page).
PRINT_STEPS = 8


def _day(text: str, what: str, field: str) -> dt.date:
    """A date typed by a person, or a plain problem saying how to write it."""
    try:
        day = dt.date.fromisoformat(text.strip())
    except ValueError:
        day = None
    if day is None or not 1900 <= day.year <= 2200:
        message = f"{what} '{text}' is not a date: write it as YYYY-MM-DD, for example 2026-06-01"
        raise Problem(
            422,
            message,
            title="That date is not right",
            kind="validation",
            errors=[{"field": field, "message": message}],
        )
    return day


def _as_of(as_of: Annotated[str | None, Query(max_length=40)] = None) -> dt.date | None:
    return _day(as_of, "The 'as of' date", "query.as_of") if as_of else None


AsOfDay = Annotated[dt.date | None, Depends(_as_of)]


def _library(request: Request) -> Library:
    library: Library = request.app.state.service.library().library
    return library


def _seen(request: Request, user: User, person_id: str, as_of: dt.date | None) -> Any:
    """The record and the decision as this user may see it."""
    require_person(user, person_id)
    person = person_for(request, person_id)
    decision = decide_for(request, person, as_of)
    return person, _shown(request, user, decision)


def _shown(request: Request, user: User, decision: Decision) -> Decision:
    """Officers (and so their own pages) see positive-action criteria worded neutrally."""
    if user.role is Role.OFFICER:
        return neutral(decision, _library(request))
    return decision


def _plan(request: Request, person: Person, goal: str, day: dt.date) -> RoutePlan:
    try:
        plan: RoutePlan = request.app.state.service.route(person, goal, day)
    except EngineError as exc:
        raise Problem(503, str(exc), title="Rules engine unavailable", kind="engine") from None
    return plan


def _neutral_plan(request: Request, user: User, plan: RoutePlan) -> RoutePlan:
    if user.role is not Role.OFFICER or not plan.closed:
        return plan
    library = _library(request)
    closed = [
        c.model_copy(
            update={"text": neutral_text(library, f"{c.pathway}.{c.stage}", c.requirement, c.text)}
        )
        for c in plan.closed
    ]
    return plan.model_copy(update={"closed": closed})


def _goal(request: Request, person_id: str) -> Goal | None:
    return Goals(request.app.state.store).get(person_id)


def _tiers(steps: list[RankedStep]) -> list[tuple[Tier, str, list[RankedStep]]]:
    return [
        (tier, TIER_WORDS[tier], [s for s in steps if s.tier is tier])
        for tier in Tier
        if any(s.tier is tier for s in steps)
    ]


def _title(user: User, person: Person, mine: str, theirs: str) -> str:
    return mine if user.person_id == person.id else f"{theirs} {person.id}"


# --- My pathways ------------------------------------------------------------------------------


@router.get("/people/{person_id}", response_class=HTMLResponse)
def my_pathways(request: Request, person_id: str, user: Signed, as_of: AsOfDay = None) -> Response:
    person, decision = _seen(request, user, person_id, as_of)
    library = _library(request)
    goal = _goal(request, person_id)
    plan = None
    if goal is not None and goal.goal in {c.key for c in stage_choices(library)}:
        plan = _neutral_plan(request, user, _plan(request, person, goal.goal, decision.as_of))
    steps = rank_steps(library, decision, person, plan)
    # A mentor's mentee count, for HR (the pairs are items of the mentees' records).
    mentees = (
        mentees_of(request.app.state.store, person.id, decision.as_of)
        if user.role is Role.HR
        else []
    )
    return page(
        request,
        "person.html",
        mentees=mentees,
        title=_title(user, person, "My pathways", "Pathways of"),
        person=person,
        decision=decision,
        goal=goal,
        plan=plan,
        tiers=_tiers(steps),
        obligations=decision.obligations,
        holdings=holdings(decision, person, library),
        lines=pathway_lines(decision, library),
        choices=stage_choices(library),
    )


# --- the goal and its routes ------------------------------------------------------------------


@router.get("/people/{person_id}/goal", response_class=HTMLResponse)
def goal_page(
    request: Request,
    person_id: str,
    user: Signed,
    to: Annotated[str, Query(max_length=200)] = "",
    as_of: AsOfDay = None,
) -> Response:
    require_person(user, person_id)
    person = person_for(request, person_id)
    return _goal_page(request, user, person, to, as_of)


def _goal_page(
    request: Request,
    user: User,
    person: Person,
    to: str,
    as_of: dt.date | None,
    status: int = 200,
    error: str | None = None,
) -> Response:
    library = _library(request)
    goal = _goal(request, person.id)
    wanted = to.strip() or (goal.goal if goal else "")
    key = None
    if wanted:
        try:
            key = find_stage(library, wanted)
        except GoalError as exc:
            error, status = str(exc), 422
    day = as_of or dt.date.today()
    plan = _neutral_plan(request, user, _plan(request, person, key, day)) if key else None
    return page(
        request,
        "goal.html",
        status=status,
        title=_title(user, person, "My goal", "Goal of"),
        person=person,
        goal=goal,
        plan=plan,
        key=key,
        typed=to,
        error=error,
        as_of=day,
        choices=stage_choices(library),
        names={c.key: f"{c.name} ({c.pathway_name})" for c in stage_choices(library)},
    )


@router.post("/people/{person_id}/goal", response_class=HTMLResponse)
def set_goal(
    request: Request,
    person_id: str,
    user: Signed,
    csrf_token: Annotated[str, Form()] = "",
    goal: Annotated[str, Form(max_length=200)] = "",
    version: Annotated[str, Form(max_length=12)] = "0",
    action: Annotated[str, Form(max_length=10)] = "set",
) -> Response:
    check_csrf(request, csrf_token)
    require_person(user, person_id)
    person = person_for(request, person_id)
    goals = Goals(request.app.state.store)
    seen = int(version) if version.isdigit() else -1
    actor = f"web:{user.username}"
    try:
        if action == "clear":
            goals.clear(person_id, seen, actor)
            return RedirectResponse(f"/people/{person_id}/goal", status_code=303)
        key = find_stage(_library(request), goal)
        goals.set(person_id, key, seen, actor)
    except GoalConflict as exc:
        return _goal_page(request, user, person, goal, None, 409, str(exc))
    except (GoalError, StoredGoalError) as exc:
        return _goal_page(request, user, person, goal, None, 422, str(exc))
    return RedirectResponse(f"/people/{person_id}/goal", status_code=303)


# --- one pathway, its diagram -------------------------------------------------------------------


@router.get("/people/{person_id}/pathways/{pathway_id}", response_class=HTMLResponse)
def pathway_page(
    request: Request, person_id: str, pathway_id: str, user: Signed, as_of: AsOfDay = None
) -> Response:
    person, decision = _seen(request, user, person_id, as_of)
    library = _library(request)
    pathway = library.pathways.get(pathway_id)
    if pathway is None:
        raise Problem(404, f"no pathway '{pathway_id}'", kind="not-found")
    return page(
        request,
        "pathway.html",
        person=person,
        decision=decision,
        pathway=pathway,
        stages=[s for s in decision.stages if s.pathway == pathway_id],
        steps=[s for s in decision.next_steps if s.pathway == pathway_id],
        diagram=_map(library, pathway_id, decision, person.id),
    )


def _map(library: Library, pathway_id: str, decision: Decision, person_id: str) -> Any:
    return pathway_map(
        library,
        pathway_id,
        decision,
        external=lambda p, s: (
            f"/people/{person_id}/pathways/{p}?as_of={decision.as_of}#{stage_anchor(p, s)}"
        ),
    )


@router.get("/people/{person_id}/pathways/{pathway_id}/diagram", response_class=HTMLResponse)
def diagram_page(
    request: Request, person_id: str, pathway_id: str, user: Signed, as_of: AsOfDay = None
) -> Response:
    person, decision = _seen(request, user, person_id, as_of)
    library = _library(request)
    pathway = library.pathways.get(pathway_id)
    if pathway is None:
        raise Problem(404, f"no pathway '{pathway_id}'", kind="not-found")
    drawn = _map(library, pathway_id, decision, person.id)
    # On its own page, a stage's link goes to its requirements on the pathway's page.
    here = f"/people/{person.id}/pathways/{pathway_id}?as_of={decision.as_of}#"
    svg = drawn.svg.replace('xlink:href="#', f'xlink:href="{here}') if drawn.svg else None
    return page(
        request,
        "diagram.html",
        person=person,
        decision=decision,
        pathway=pathway,
        diagram=drawn,
        svg=svg,
    )


# --- the PDR print ----------------------------------------------------------------------------


@router.get("/people/{person_id}/print", response_class=HTMLResponse)
def print_view(
    request: Request,
    person_id: str,
    user: Signed,
    as_of: AsOfDay = None,
    positive_action: Annotated[bool, Query()] = False,
) -> Response:
    person, decision = _seen(request, user, person_id, as_of)
    library = _library(request)
    hide = frozenset() if positive_action else positive_action_stages(library)
    goal = _goal(request, person_id)
    plan = None
    if goal is not None and goal.goal in {c.key for c in stage_choices(library)}:
        plan = _plan(request, person, goal.goal, decision.as_of)
        routes = [r for r in plan.routes if not any(s.key in hide for s in r.stages)]
        plan = plan.model_copy(update={"routes": routes})
        if goal.goal in hide:
            plan = None
    steps = [
        s
        for s in rank_steps(library, decision, person, plan, hide=hide)
        if s.tier is not Tier.LATER
    ]
    return page(
        request,
        "print.html",
        person=person,
        decision=decision,
        goal=goal,
        plan=plan,
        steps=steps[:PRINT_STEPS],
        more=len(steps) - PRINT_STEPS,
        holdings=[
            h
            for h in holdings(decision, person, library)
            if f"{h.stage.pathway}.{h.stage.stage}" not in hide
        ],
        positive_action=positive_action,
        open=[
            s
            for s in decision.stages
            if s.status in (Status.ELIGIBLE, Status.ELIGIBLE_FROM)
            and f"{s.pathway}.{s.stage}" not in hide
        ],
    )


# --- what if ----------------------------------------------------------------------------------


@router.get("/people/{person_id}/what-if", response_class=HTMLResponse)
def what_if_form(request: Request, person_id: str, user: Signed) -> Response:
    require_person(user, person_id)
    person = person_for(request, person_id)
    return _what_if_page(request, person, {"date": dt.date.today().isoformat()})


def _what_if_page(
    request: Request,
    person: Person,
    form: dict[str, str],
    status: int = 200,
    errors: list[str] | None = None,
    result: Any = None,
    met: Any = None,
    warnings: list[str] | None = None,
) -> Response:
    library = _library(request)
    return page(
        request,
        "whatif.html",
        status=status,
        person=person,
        picks=catalogue_picks(library.catalogue, person, dt.date.today()),
        form=form,
        errors=errors or [],
        result=result,
        met=met,
        warnings=warnings or [],
    )


@router.post("/people/{person_id}/what-if", response_class=HTMLResponse)
def what_if_run(
    request: Request,
    person_id: str,
    user: Signed,
    csrf_token: Annotated[str, Form()] = "",
    pick: Annotated[str, Form(max_length=300)] = "",
    date: Annotated[str, Form(max_length=20)] = "",
    more: Annotated[str, Form(max_length=5000)] = "",
    as_of: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    check_csrf(request, csrf_token)
    require_person(user, person_id)
    person = person_for(request, person_id)
    library = _library(request)
    form = {"pick": pick, "date": date, "more": more, "as_of": as_of}
    errors: list[str] = []
    specs: list[str] = []
    if pick.strip():
        day = date.strip() or dt.date.today().isoformat()
        try:
            chosen = resolve_pick(catalogue_picks(library.catalogue, person, dt.date.today()), pick)
            specs.append(f"{chosen.spec}@{_day(day, 'The date', 'date').isoformat()}")
        except (ValueError, Problem) as exc:
            errors.append(exc.detail if isinstance(exc, Problem) else str(exc))
    specs.extend(line.strip() for line in more.splitlines() if line.strip())
    additions: dict[str, list[dict[str, Any]]] = {}
    for spec in specs:
        try:
            section, added = parse_addition(spec)
        except ValueError as exc:
            errors.append(str(exc))
            continue
        additions.setdefault(section, []).append(added)
    if not specs and not errors:
        errors.append("Choose an item (start typing its name) and a date.")
    when: dt.date | None = None
    if as_of.strip():
        try:
            when = _day(as_of, "The 'as of' date", "as_of")
        except Problem as exc:
            errors.append(exc.detail)
    if errors:
        return _what_if_page(request, person, form, 422, errors)
    try:
        result = request.app.state.service.what_if(person, additions, when)
    except RecordError as exc:
        problems = [getattr(p, "message", str(p)) for p in exc.problems]
        return _what_if_page(request, person, form, 422, problems or [str(exc)])
    except EngineError as exc:
        raise Problem(503, str(exc), title="Rules engine unavailable", kind="engine") from None
    before = _shown(request, user, result.before)
    after = _shown(request, user, result.after)
    shown = result.model_copy(update={"before": before, "after": after})
    return _what_if_page(
        request, person, form, result=shown, met=newly_met(before, after), warnings=result.warnings
    )
