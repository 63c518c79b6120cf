"""The ranked list of next steps as data: tiers, steps and the stages each is for.

The models of :mod:`rules.ranking` (pure data: the web and the command line render them).
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["TIER_ORDER", "TIER_WORDS", "RankedStep", "Tier", "Unlock"]


class Tier(StrEnum):
    """Where a step sits in the list, in this order."""

    NOW = "now"
    GOAL = "goal"
    NEXT = "next"
    LATER = "later"


TIER_WORDS: dict[Tier, str] = {
    Tier.NOW: "Do first",
    Tier.GOAL: "Towards your goal",
    Tier.NEXT: "Next",
    Tier.LATER: "Later",
}

#: Each tier's place in the list.
TIER_ORDER = {t: i for i, t in enumerate(Tier)}


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class Unlock(_Frozen):
    """A stage a step is for."""

    pathway: str
    pathway_name: str
    stage: str
    name: str
    opens: bool = Field(description="The step is all the stage still needs (besides time).")
    on: dt.date | None = Field(None, description="On a route: the day the stage is reached.")


class RankedStep(_Frozen):
    """One step of the ranked list."""

    key: str = Field(description="What is done; each key appears once in a list.")
    tier: Tier
    text: str
    kind: str = Field(description="action, wait, stage, revalidate, expiring or obligation")
    due: dt.date | None = Field(
        None, description="A wait's day, a lapse or expiry, a route stage's day."
    )
    how: str | None = Field(None, description="The catalogue's description of what it involves.")
    what_if: list[str] = Field(
        default_factory=list, description="The step as what-if items, dated the decision's day."
    )
    unlocks: list[Unlock] = Field(default_factory=list)
    obligation: str | None = Field(
        None,
        description="For a step an obligation asks for: the obligation and where it stands "
        "('Keep PIP accreditation current: overdue, it was due by 2022-12-31').",
    )

    @property
    def opens(self) -> list[Unlock]:
        return [u for u in self.unlocks if u.opens]

    @property
    def needed_for(self) -> list[Unlock]:
        return [u for u in self.unlocks if not u.opens]
