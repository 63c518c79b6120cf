"""The JSON API for goals: the routes to a stage and the ranked next steps
(``GET /api/people/{id}/route?to=STAGE``)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from rules.protected import neutral, neutral_text
from rules.ranking import rank_steps
from rules.route import RoutePlan
from rules.session import EngineError
from rules.targets import GoalError, find_stage
from store.users import Role

from .apikit import ERRORS, PROBLEM, Caller, PersonId, invalid
from .auth import require_person
from .deps import decide_for, person_for
from .problems import Problem
from .schemas import RouteResult
from .state import service_of

__all__ = ["router"]

router = APIRouter(tags=["decisions"])


@router.get(
    "/people/{person_id}/route",
    responses={**ERRORS, 503: PROBLEM},
    response_model=RouteResult,
    operation_id="get_route",
    summary="The routes to a goal stage, and the ranked next steps",
)
def route(
    request: Request,
    person_id: PersonId,
    user: Caller,
    to: Annotated[
        str,
        Query(
            max_length=200,
            description="The goal: a stage's name ('Superintendent', 'PIP level 3', "
            "'Senior PNAC') or key ('pip.level_3'). Required.",
        ),
    ] = "",
    as_of: Annotated[
        dt.date | None, Query(description="Start from this date, YYYY-MM-DD (default: today).")
    ] = None,
) -> Any:
    """Each route: the stages to pass through (across pathways) in order, each with the
    actions still to do, the periods it waits for, and the earliest day it could be reached
    if every action were done on ``as_of``; routes earliest first. ``closed`` says why there
    is none. ``steps``: the ranked next steps, each action once, with the stages it opens or
    is needed for. An officer sees positive-action criteria worded neutrally."""
    require_person(user, person_id)
    service = service_of(request)
    library = service.library(as_of).library  # the version in force on the date
    try:  # checked here, after access: another person's route is 403 whatever is asked
        goal = find_stage(library, to)
    except GoalError as exc:
        raise invalid(str(exc), [{"field": "query.to", "message": str(exc)}]) from None
    person = person_for(request, person_id)
    decision = decide_for(request, person, as_of)
    try:
        plan: RoutePlan = service.route(person, goal, decision.as_of)
    except EngineError as exc:
        raise Problem(503, str(exc), title="Rules engine unavailable", kind="engine") from None
    if user.role is Role.OFFICER:
        decision = neutral(decision, library)
        plan = plan.model_copy(
            update={
                "closed": [
                    c.model_copy(
                        update={
                            "text": neutral_text(
                                library, f"{c.pathway}.{c.stage}", c.requirement, c.text
                            )
                        }
                    )
                    for c in plan.closed
                ]
            }
        )
    out = plan.model_dump(mode="json")
    out["steps"] = [s.model_dump(mode="json") for s in rank_steps(library, decision, person, plan)]
    return JSONResponse(out)
