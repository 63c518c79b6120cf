"""The JSON API for a person's goal: read it, set it, remove it (``/api/people/{id}/goal``).

The goal is the stage a person works towards (issue 17); the pages and the API write the
same row (:class:`store.goals.Goals`). Like records, a goal carries a version as its
``ETag`` (``"g3"``): a write says which version it changes (``If-Match``) or that there is
none yet (``If-None-Match: *``), so of two people changing one goal the second is told
(412, with who set it and when), never silently overwritten. API tokens must send one
(428); a signed-in person at a page may leave it out.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from rules.targets import GoalError, find_stage, stage_choices
from store.goals import Goal, GoalConflict, Goals
from store.goals import GoalError as StoredGoalError
from store.users import User

from .apikit import ERRORS, PROBLEM, Caller, PersonId, invalid
from .auth import require_person
from .deps import person_for
from .problems import Problem

__all__ = ["GoalBody", "GoalOut", "router"]

router = APIRouter(tags=["decisions"])


class GoalBody(BaseModel):
    """The goal to set: a stage's name or key."""

    model_config = ConfigDict(extra="forbid")
    goal: Annotated[str, Field(min_length=1, max_length=200)] = Field(
        description="A stage's name ('Superintendent', 'PIP level 3') or key ('pip.level_3')",
        examples=["Superintendent"],
    )


class GoalOut(BaseModel):
    """A person's goal, with the version to send back as ``If-Match``."""

    person_id: str
    goal: str = Field(description="The stage's key, pathway.stage")
    name: str = Field(description="The stage in words")
    version: int
    set_by: str
    set_at: dt.datetime


def _allowed(person_id: PersonId, user: Caller) -> User:
    """The caller, if they may see this person's goal: checked as a dependency, so before
    the body is read (an officer gets 403 for another person whatever they send)."""
    require_person(user, person_id)
    return user


Allowed = Annotated[User, Depends(_allowed)]


def _etag(version: int) -> str:
    return f'"g{version}"'


def _out(request: Request, goal: Goal) -> JSONResponse:
    names = {
        c.key: f"{c.name} ({c.pathway_name})"
        for c in stage_choices(request.app.state.service.library().library)
    }
    body = GoalOut(
        person_id=goal.person_id,
        goal=goal.goal,
        name=names.get(goal.goal, goal.goal),
        version=goal.version,
        set_by=goal.set_by,
        set_at=goal.set_at if goal.set_at.tzinfo else goal.set_at.replace(tzinfo=dt.UTC),
    )
    return JSONResponse(body.model_dump(mode="json"), headers={"ETag": _etag(goal.version)})


def _seen(request: Request, user: User, goals: Goals, person_id: str) -> int:
    """The goal version a write expects: ``If-Match: "gN"``, ``If-None-Match: *`` (0: none
    yet), or, for a signed-in person at a page who sent neither, the version there is now.

    Raises:
        Problem(428): an API token sent neither.
        Problem(412): ``If-Match`` is not a goal ETag.
    """
    match = request.headers.get("if-match", "").strip()
    if request.headers.get("if-none-match", "").strip() == "*":
        return 0
    if not match:
        if request.headers.get("authorization"):
            raise Problem(
                428,
                f"send If-Match with the goal's ETag (GET /api/people/{person_id}/goal gives "
                "it), or If-None-Match: * to set a first goal, so a change made meanwhile is "
                "not lost",
                title="Precondition required",
                kind="precondition-required",
            )
        current = goals.get(person_id)
        return current.version if current else 0
    tag = match.removeprefix("W/").strip('"')
    if not tag.startswith("g") or not tag[1:].isdigit():
        raise Problem(
            412,
            f"If-Match '{match[:40]}' is not an ETag of a goal (they look like \"g3\")",
            kind="precondition",
        )
    return int(tag[1:])


def _changed(exc: GoalConflict) -> Problem:
    headers = {"ETag": _etag(exc.current.version)} if exc.current else {}
    return Problem(
        412,
        str(exc).replace("after you opened the page", "since you read it"),
        title="The goal changed",
        kind="precondition",
        headers=headers,
        current_version=exc.current.version if exc.current else 0,
    )


@router.get(
    "/people/{person_id}/goal",
    responses=ERRORS,
    response_model=GoalOut,
    operation_id="get_goal",
    summary="A person's goal",
)
def get_goal(request: Request, person_id: PersonId, user: Caller) -> Any:
    """The goal, with its version as the ``ETag``; 404 if none is set."""
    require_person(user, person_id)
    person_for(request, person_id)  # 404 for a record that does not exist
    goal = Goals(request.app.state.store).get(person_id)
    if goal is None:
        raise Problem(
            404,
            f"'{person_id}' has no goal: set one with PUT and If-None-Match: *",
            kind="not-found",
        )
    return _out(request, goal)


@router.put(
    "/people/{person_id}/goal",
    responses={**ERRORS, 412: PROBLEM, 428: PROBLEM},
    response_model=GoalOut,
    operation_id="set_goal",
    summary="Set a person's goal (the person, or hr)",
)
def put_goal(request: Request, person_id: PersonId, user: Allowed, body: GoalBody) -> Any:
    """Make a stage the goal; an officer sets their own, HR anyone's. The stage is named as
    in ``/route?to=``; an unknown one is 422 with the closest names."""
    require_person(user, person_id)
    person_for(request, person_id)
    library = request.app.state.service.library().library
    try:
        key = find_stage(library, body.goal)
    except GoalError as exc:
        raise invalid(str(exc), [{"field": "body.goal", "message": str(exc)}]) from None
    goals = Goals(request.app.state.store)
    seen = _seen(request, user, goals, person_id)
    try:
        made = goals.set(person_id, key, seen, f"api:{user.username}")
    except GoalConflict as exc:
        raise _changed(exc) from None
    except StoredGoalError as exc:
        raise Problem(404, str(exc), kind="not-found") from None
    return _out(request, made)


@router.delete(
    "/people/{person_id}/goal",
    status_code=204,
    responses={**ERRORS, 412: PROBLEM, 428: PROBLEM},
    operation_id="clear_goal",
    summary="Remove a person's goal (the person, or hr)",
)
def delete_goal(request: Request, person_id: PersonId, user: Caller) -> Response:
    """Remove the goal, if it is still at the version ``If-Match`` names."""
    require_person(user, person_id)
    person_for(request, person_id)
    goals = Goals(request.app.state.store)
    seen = _seen(request, user, goals, person_id)
    try:
        goals.clear(person_id, seen, f"api:{user.username}")
    except GoalConflict as exc:
        raise _changed(exc) from None
    return Response(status_code=204)
