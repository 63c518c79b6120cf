"""Decisions as plain data: what the CLI, web pages, reports and the JSON API all render.

A :class:`Decision` is reproducible: it names the library version (content
hash) and the as-of date it was made for, and each stage names the effective
window of the rule version it used.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "Decision",
    "DecisionOverview",
    "DecisionSummary",
    "Evidence",
    "NextStep",
    "ObligationDecision",
    "ObligationStatus",
    "RequirementOutcome",
    "StageDecision",
    "StageStatus",
    "Status",
    "built",
    "without_trees",
]


_Model = TypeVar("_Model", bound=BaseModel)


def built(cls: type[_Model], **values: Any) -> _Model:
    """Make a model from values that are already valid, without validating them again.

    A full decision has a few hundred outcomes; pydantic's own ``model_construct``
    spends more time on bookkeeping than the whole rules engine takes. Every field
    must be given. ``tests/test_decision_models.py`` checks the result equals a
    validated model.
    """
    obj = cls.__new__(cls)
    object.__setattr__(obj, "__dict__", values)
    object.__setattr__(obj, "__pydantic_fields_set__", set(values))
    object.__setattr__(obj, "__pydantic_extra__", None)
    object.__setattr__(obj, "__pydantic_private__", None)
    return obj


class Status(StrEnum):
    """Where a person stands on a stage."""

    HELD = "held"
    ELIGIBLE = "eligible"
    ELIGIBLE_FROM = "eligible_from"
    LAPSED = "lapsed"
    NOT_ELIGIBLE = "not_eligible"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class Evidence(_Frozen):
    """A record item that satisfied a requirement."""

    item: str = Field(description="The item's id, or section[index] if it has none.")
    section: str
    label: str = Field(description="The item in words, e.g. 'FSL stage 1 (completed 2011-03-04)'.")


class RequirementOutcome(_Frozen):
    """One requirement of a stage, met or not, and why."""

    path: str = Field(description="Where it is in the stage, e.g. 'requires[1].all_of[0]'.")
    rule: str | None = Field(None, description="The requirement's id in the pathway file.")
    kind: str
    text: str
    met: bool
    in_force: bool = True
    evidence: list[Evidence] = Field(default_factory=list)
    met_from: dt.date | None = Field(None, description="When only time is missing: the day.")
    met_until: dt.date | None = Field(None, description="Last day it stays met, if it ends.")
    next_step: str | None = None
    blocked: bool = Field(
        False,
        description="Unmet, and nothing the person does can change it (an attribute, "
        "a rank above the limit, too long served): the stage is closed to them.",
    )
    source: str | None = None
    effective_from: dt.date | None = None
    effective_to: dt.date | None = None
    children: list[RequirementOutcome] = Field(default_factory=list)
    need: int | None = Field(None, description="For 'at_least': how many children must hold.")


class StageDecision(_Frozen):
    """The decision for one stage of one pathway."""

    pathway: str
    pathway_name: str
    stage: str
    name: str
    status: Status
    eligible_from: dt.date | None = None
    lapsed_on: dt.date | None = Field(None, description="For 'lapsed': the day it lapsed.")
    held_evidence: list[Evidence] = Field(default_factory=list)
    held_until: dt.date | None = Field(
        None,
        description="For 'held': the last day it stays held unless renewed (the day before "
        "a credential lapses, the end of a posting or membership); None if it does not end.",
    )
    not_shown: list[str] = Field(
        default_factory=list,
        description="For 'held': requirements of the stage the record shows were never met "
        "(a course or pass it lacks). The stage is held on its award alone; HR may check "
        "the record.",
    )
    requirements: list[RequirementOutcome] = Field(default_factory=list)
    rule_effective_from: dt.date | None = None
    rule_effective_to: dt.date | None = None
    source: str | None = None


class ObligationStatus(StrEnum):
    """Where a person stands on an obligation that applies to them."""

    OVERDUE = "overdue"
    DUE = "due"
    MET = "met"


class ObligationDecision(_Frozen):
    """An obligation that applies to the person, and whether it is met, due or overdue.

    The clock starts on ``clock_from`` (the latest of the obligation's ``from`` dates and
    the day it came into force); ``due_by`` is the last day to meet it (``within_months``
    whole months later, less a day): overdue from the day after. ``act_by`` is the last
    day to act and stay in time: ``due_by`` when it is not met; when it is met but stops
    holding by itself (a credential lapses: ``met_until``), the later of that day and
    ``due_by``; none when it is met for good.
    """

    pathway: str
    pathway_name: str
    obligation: str
    name: str
    text: str = Field(description="The obligation in plain words.")
    owner: str = Field(description="Who must act: 'person', or 'hr' on their behalf.")
    status: ObligationStatus
    clock_from: dt.date | None = Field(None, description="The day the clock started.")
    due_by: dt.date | None = Field(None, description="The last day to meet it.")
    met_until: dt.date | None = Field(None, description="For met: the last day it holds.")
    act_by: dt.date | None = Field(None, description="The last day to act and stay in time.")
    next_step: str | None = None
    applies: list[RequirementOutcome] = Field(
        default_factory=list, description="Why it applies: its 'applies_to', all met."
    )
    must: RequirementOutcome | None = Field(
        None, description="What must hold, and whether it does."
    )
    source: str | None = None
    rule_effective_from: dt.date | None = None
    rule_effective_to: dt.date | None = None

    @property
    def key(self) -> str:
        return f"{self.pathway}.{self.obligation}"


class NextStep(_Frozen):
    """Something the person can do (or wait for) to reach a stage next to where they are."""

    pathway: str
    stage: str
    stage_name: str
    text: str
    requirement: str = Field(description="The requirement's path in the stage.")
    due: dt.date | None = Field(None, description="For time: the day it will be met.")


class Decision(_Frozen):
    """Everything decided for one person as of one date under one library version."""

    person: str
    as_of: dt.date
    library_version: str = Field(description="The library's content hash.")
    engine: str = "durable-rules"
    stages: list[StageDecision]
    next_steps: list[NextStep] = Field(default_factory=list)
    obligations: list[ObligationDecision] = Field(
        default_factory=list,
        description="The obligations that apply to the person: overdue first, then due by "
        "date, then met.",
    )

    def summary(self) -> DecisionSummary:
        """Statuses and dates only, for population runs that do not need the reasons."""
        return built(
            DecisionSummary,
            person=self.person,
            as_of=self.as_of,
            library_version=self.library_version,
            engine=self.engine,
            stages=[
                built(
                    StageStatus,
                    pathway=s.pathway,
                    stage=s.stage,
                    status=s.status,
                    eligible_from=s.eligible_from,
                    lapsed_on=s.lapsed_on,
                )
                for s in self.stages
            ],
        )

    def stage(self, pathway: str, stage: str) -> StageDecision:
        """The decision for one stage.

        Raises:
            KeyError: if the stage was not decided (unknown, or not in force on ``as_of``).
        """
        return _find(self.stages, pathway, stage)


class StageStatus(_Frozen):
    """One stage's status and date, without the reasons."""

    pathway: str
    stage: str
    status: Status
    eligible_from: dt.date | None = None
    lapsed_on: dt.date | None = None


class DecisionSummary(_Frozen):
    """A :class:`Decision` without its explanations: what population reports need."""

    person: str
    as_of: dt.date
    library_version: str
    engine: str
    stages: list[StageStatus]

    def stage(self, pathway: str, stage: str) -> StageStatus:
        """The status of one stage.

        Raises:
            KeyError: if the stage was not decided (unknown, or not in force on ``as_of``).
        """
        return _find(self.stages, pathway, stage)


_S = TypeVar("_S", StageDecision, StageStatus)


def _find(stages: list[_S], pathway: str, stage: str) -> _S:
    for s in stages:
        if s.pathway == pathway and s.stage == stage:
            return s
    raise KeyError(f"{pathway}.{stage}")


class DecisionOverview(_Frozen):
    """A decision without its requirement trees: what a summary view shows (statuses and
    dates, the next steps, the obligations with their dates). Equal to
    ``DecisionOverview.of(decide(...))``, but :meth:`rules.engine.Evaluator.overview`
    builds the reasons only of the stages next steps come from."""

    person: str
    as_of: dt.date
    library_version: str
    engine: str
    stages: list[StageStatus]
    next_steps: list[NextStep]
    obligations: list[ObligationDecision] = Field(
        default_factory=list,
        description="Those that apply, with status and dates; without 'applies' and 'must' "
        "(the requirement trees: ask for detail=full).",
    )

    @classmethod
    def of(cls, decision: Decision) -> DecisionOverview:
        return built(
            cls,
            person=decision.person,
            as_of=decision.as_of,
            library_version=decision.library_version,
            engine=decision.engine,
            stages=decision.summary().stages,
            next_steps=decision.next_steps,
            obligations=without_trees(decision.obligations),
        )


def without_trees(obligations: list[ObligationDecision]) -> list[ObligationDecision]:
    """The obligations without 'applies' and 'must' (their requirement trees)."""
    return [o.model_copy(update={"applies": [], "must": None}) for o in obligations]
