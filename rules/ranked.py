"""The ranked list of next steps as data: tiers, steps and the stages each is for.

The models of :mod:`rules.ranking` (pure data: the web and the command line render them),
and :class:`Draft`, a step while the list is being built.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "EXPIRY_WINDOW_DAYS",
    "TIER_ORDER",
    "TIER_WORDS",
    "Draft",
    "RankedStep",
    "Tier",
    "Unlock",
]

#: Credentials lapsing (and obligations ending) within this many days are shown first.
EXPIRY_WINDOW_DAYS = 90


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


@dataclass
class Draft:
    """A step while the list is built: drafts with one key are merged, then :meth:`step`
    gives the finished :class:`RankedStep`."""

    key: str
    tier: Tier
    kind: str
    texts: list[tuple[Tier, str]] = field(default_factory=list)
    due: dt.date | None = None
    how: str | None = None
    what_if: list[str] = field(default_factory=list)
    unlocks: dict[str, Unlock] = field(default_factory=dict)
    order: tuple[int, ...] = (0,)
    obligation: str | None = None

    def step(self) -> RankedStep:
        # The words of the sources in the step's own tier; of those, the ones most used,
        # then the shortest (no pathway cross-references).
        own = [t for tier, t in self.texts if tier is self.tier] or [t for _, t in self.texts]
        text = min(own, key=lambda t: (-own.count(t), len(t)))
        return RankedStep(
            key=self.key,
            tier=self.tier,
            text=text,
            kind=self.kind,
            due=self.due,
            how=self.how,
            what_if=self.what_if,
            unlocks=list(self.unlocks.values()),
            obligation=self.obligation,
        )
