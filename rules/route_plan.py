"""What a route search returns: routes to a goal, their stages, actions and waits.

The models of :mod:`rules.route` (a plan is pure data: the web and the command line
render it, the pool sends it back as JSON).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from pathways.model.library import stage_key

from .decision import Status

__all__ = ["Closed", "Route", "RouteAction", "RoutePlan", "RouteStage", "RouteWait"]


# --- the result --------------------------------------------------------------------------


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class RouteAction(_Frozen):
    """Something to do on the way, once, for the stage it is listed under."""

    key: str = Field(description="What is done, the same for every stage that asks for it.")
    text: str = Field(description="In words: 'Pass the inspectors' examination'.")
    requirement: str = Field(description="The requirement's path in the stage that asks.")
    add: list[str] = Field(description="As what-if items, KIND:ID[:EXTRA]@DATE.")


class RouteWait(_Frozen):
    """A requirement only time meets, and the day it is met."""

    text: str
    on: dt.date


class RouteStage(_Frozen):
    """One stage on a route, in the order they are passed."""

    pathway: str
    pathway_name: str
    stage: str
    name: str
    status_now: Status
    now: str = Field(description="The status today in words.")
    reached_on: dt.date = Field(description="The earliest day, if the actions are done today.")
    actions: list[RouteAction] = Field(default_factory=list)
    waits: list[RouteWait] = Field(default_factory=list)
    revalidate: bool = Field(False, description="Held before, lapsed: revalidated on the day.")
    step: str = Field(
        "", description="What reaching it is, in the words of the stage that needs it."
    )
    award: list[str] = Field(
        default_factory=list, description="What reaching it adds to the record, as what-if items."
    )

    @property
    def key(self) -> str:
        return stage_key(self.pathway, self.stage)


class Route(_Frozen):
    """One way to the goal."""

    label: str = Field(
        description="The choices that set this route apart from the others, in words; may be empty."
    )
    choices: list[str] = Field(default_factory=list, description="Every choice it makes.")
    reached_on: dt.date = Field(description="The earliest day the goal is eligible.")
    stages: list[RouteStage] = Field(
        description="In order; the goal is last, or a stage awarding what the goal does."
    )
    additions: dict[str, list[dict[str, Any]]] = Field(
        description="Every item of the route but the goal's own award (unless the goal is "
        "revalidated), as record items."
    )

    def actions(self) -> list[tuple[RouteStage, RouteAction]]:
        return [(s, a) for s in self.stages for a in s.actions]


class Closed(_Frozen):
    """Why a stage cannot be reached: a requirement nothing the person does can meet."""

    pathway: str
    stage: str
    name: str
    requirement: str
    text: str


class RoutePlan(_Frozen):
    """The routes from where a person stands to a goal stage."""

    person: str
    as_of: dt.date
    library_version: str
    goal: str = Field(description="The goal stage, 'pathway.stage'.")
    goal_name: str
    pathway_name: str
    status_now: Status
    now: str
    routes: list[Route] = Field(default_factory=list)
    closed: list[Closed] = Field(default_factory=list)
    searched: int = Field(0, description="Engine decisions the search made.")
    truncated: bool = Field(False, description="The search stopped at a bound.")
