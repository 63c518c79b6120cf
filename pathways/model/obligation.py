"""Obligations: what people *must* do, by when, not only what they *may* reach.

A stage says what a person may reach; an obligation says what someone must do: who it
applies to (``applies_to``, requirements that must all hold), what must hold
(``must``, one requirement; left out for a time limit that only moving on resets, such
as detective rotation), and by when: within ``within_months`` whole months of the
latest of the dates in ``from`` (promotion to the current rank, the start of the current
role or business group, joining, or the first day the record shows an item) and of the
obligation's ``effective_from``, so that people it already applied to when it came into
force are given the same time.

>>> o = Obligation.model_validate({
...     "id": "fsl", "name": "Attend FSL",
...     "applies_to": [{"rank": {"exactly": "chief_inspector"}}],
...     "must": {"completed_programme": "fsl"},
...     "within_months": 24, "from": "current_rank"})
>>> o.from_[0].clock, o.must.kind, o.owner.value
(<Clock.CURRENT_RANK: 'current_rank'>, 'completed_programme', 'person')
>>> Obligation.model_validate({"id": "x", "name": "X", "applies_to": [{"member_of": "hpds"}],
...     "within_months": 1, "from": [{"member_of": "hpds"}, "current_role"]}).from_[1].describe()
'current_role'
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from pydantic import Field, field_validator, model_validator

from .requirements import LocatedModel, Requirement

__all__ = ["ANCHOR_KEYS", "Anchor", "Clock", "Obligation", "Owner"]


class Clock(StrEnum):
    """A start date the record gives for the current state of things."""

    SERVICE = "service"  # joining
    CURRENT_RANK = "current_rank"  # promotion to the rank (or band) held now, substantively
    CURRENT_ROLE = "current_role"  # the start of the current unbroken run in the role
    CURRENT_BUSINESS_GROUP = "current_business_group"  # ... in the business group


ANCHOR_KEYS = ("clock", "credential", "course", "passed", "member_of")


class Anchor(LocatedModel):
    """One start date of an obligation's clock: a ``clock`` (written alone, as
    ``from: current_rank``), or the first day the record shows an item: a credential first
    awarded, a course first completed, an assessment first passed; for ``member_of``, the
    start of the current membership of the programme."""

    clock: Clock | None = None
    credential: str | None = None
    course: str | None = None
    passed: str | None = None
    member_of: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _plain_clock(cls, value: Any) -> Any:
        return {"clock": value} if isinstance(value, str) else value

    @model_validator(mode="after")
    def _exactly_one(self) -> Anchor:
        present = [k for k in ANCHOR_KEYS if getattr(self, k) is not None]
        if len(present) != 1:
            raise ValueError(
                "a 'from' item is one of "
                + ", ".join(c.value for c in Clock)
                + ", or a mapping with one of: "
                + ", ".join(ANCHOR_KEYS[1:])
            )
        return self

    @property
    def kind(self) -> str:
        return next(k for k in ANCHOR_KEYS if getattr(self, k) is not None)

    @property
    def value(self) -> str:
        value = getattr(self, self.kind)
        return value.value if isinstance(value, Clock) else str(value)

    def describe(self) -> str:
        return self.value if self.clock is not None else f"{self.kind} {self.value}"


class Owner(StrEnum):
    """Who must act: the person, or HR on their behalf (a mentor to arrange)."""

    PERSON = "person"
    HR = "hr"


class Obligation(LocatedModel):
    """Something a person must do (or HR must do for them), by a date."""

    id: str = Field(pattern=r"^[A-Za-z0-9_\-]+$")
    name: str
    text: str | None = Field(None, description="The obligation in plain words.")
    next_step: str | None = Field(None, description="What to do to meet it.")
    source: str | None = None
    effective_from: dt.date | None = None
    effective_to: dt.date | None = None
    applies_to: list[Requirement] = Field(
        min_length=1, description="Who it applies to: all of these hold."
    )
    must: Requirement | None = Field(
        None, description="What must hold; left out for a time limit (rotation)."
    )
    within_months: int = Field(ge=1, description="How long from the clock's start.")
    from_: list[Anchor] = Field(
        alias="from", min_length=1, description="When the clock starts: the latest of these."
    )
    owner: Owner = Owner.PERSON

    @field_validator("from_", mode="before")
    @classmethod
    def _listed(cls, value: Any) -> Any:
        return value if isinstance(value, list) else [value]

    def in_force(self, on: dt.date) -> bool:
        """True if ``on`` lies in the (inclusive) effective window."""
        if self.effective_from and on < self.effective_from:
            return False
        return not (self.effective_to and on > self.effective_to)

    def requirements(self) -> list[tuple[str, Requirement]]:
        """Its requirement trees with their paths: ``applies_to[i]`` and ``must``."""
        out: list[tuple[str, Requirement]] = [
            (f"applies_to[{i}]", r) for i, r in enumerate(self.applies_to)
        ]
        if self.must is not None:
            out.append(("must", self.must))
        return out
