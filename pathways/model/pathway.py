"""Pathways: stages (nodes) with requirements, joined by progressions (edges).

>>> p = Pathway.model_validate({
...     "id": "pip", "name": "PIP",
...     "stages": [{"id": "level_1", "name": "Level 1", "entry": True},
...                {"id": "level_2", "name": "Level 2",
...                 "requires": [{"reached": "level_1"}]}],
...     "progressions": [{"from": "level_1", "to": "level_2"}]})
>>> [s.id for s in p.stages], p.progressions[0].from_
(['level_1', 'level_2'], 'level_1')
"""

from __future__ import annotations

import datetime as dt

from pydantic import Field, model_validator

from .additions import CatalogueAdditions
from .obligation import Obligation
from .requirements import LocatedModel, RankBasis, Requirement

__all__ = ["Award", "Pathway", "PathwayFile", "Progression", "Stage"]


class _Dated(LocatedModel):
    text: str | None = Field(None, description="Plain-language description.")
    source: str | None = Field(
        None, description="'DOC LOCATOR' (e.g. '003 Appendix 1') or 'illustrative[: why]'."
    )
    effective_from: dt.date | None = None
    effective_to: dt.date | None = None
    effective_source: str | None = Field(
        None, description="Where the effective dates come from, cited like 'source'."
    )

    def in_force(self, on: dt.date) -> bool:
        """True if ``on`` lies in the (inclusive) effective window."""
        if self.effective_from and on < self.effective_from:
            return False
        return not (self.effective_to and on > self.effective_to)


AWARD_KEYS = (
    "credential",
    "rank",
    "band",
    "course",
    "completed_programme",
    "passed",
    "member_of",
    "role",
)


class Award(LocatedModel):
    """What holding a stage means in a person's record: exactly one item kind.

    ``credential`` may add ``level``; ``rank`` and ``band`` may add ``basis``.
    """

    credential: str | None = None
    level: int | None = Field(None, ge=0)
    rank: str | None = None
    band: str | None = None
    basis: RankBasis | None = None
    course: str | None = None
    completed_programme: str | None = None
    passed: str | None = None
    member_of: str | None = None
    role: str | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> Award:
        present = [k for k in AWARD_KEYS if getattr(self, k) is not None]
        if len(present) != 1:
            raise ValueError(
                "an award names exactly one of: "
                + ", ".join(AWARD_KEYS)
                + (f" (this one has {', '.join(present)})" if present else "")
            )
        if self.level is not None and self.credential is None:
            raise ValueError("'level' is only used with 'credential'")
        if self.basis is not None and self.rank is None and self.band is None:
            raise ValueError("'basis' is only used with 'rank' or 'band'")
        return self

    @property
    def kind(self) -> str:
        return next(k for k in AWARD_KEYS if getattr(self, k) is not None)

    @property
    def value(self) -> str:
        return str(getattr(self, self.kind))

    def describe(self) -> str:
        """Plain words for what holding the stage means.

        >>> Award(credential="pip", level=2).describe()
        'credential pip level 2'
        """
        text = f"{self.kind} {self.value}"
        if self.level is not None:
            text += f" level {self.level}"
        if self.basis:
            text += f" ({self.basis.value})"
        return text


class Stage(_Dated):
    """A node of a pathway: something a person can reach, with its requirements."""

    id: str = Field(pattern=r"^[A-Za-z0-9_\-]+$")
    name: str
    entry: bool = Field(False, description="A starting stage: reachable without a progression.")
    awards: Award | None = Field(None, description="The record item that shows it is held.")
    requires: list[Requirement] = Field(
        default_factory=list, description="All of these must hold to be eligible."
    )


class Progression(_Dated):
    """An edge: people move from one stage to the next."""

    from_: str = Field(alias="from")
    to: str


class Pathway(LocatedModel):
    """A named graph of stages and progressions."""

    id: str = Field(pattern=r"^[A-Za-z0-9_\-]+$")
    name: str
    description: str | None = None
    source: str | None = None
    stages: list[Stage] = Field(min_length=1)
    progressions: list[Progression] = Field(default_factory=list)
    obligations: list[Obligation] = Field(
        default_factory=list, description="What people must do, by when (not only may)."
    )

    def stage(self, stage_id: str) -> Stage | None:
        return next((s for s in self.stages if s.id == stage_id), None)

    def obligation(self, obligation_id: str) -> Obligation | None:
        return next((o for o in self.obligations if o.id == obligation_id), None)


class PathwayFile(LocatedModel):
    """The top level of a pathway file: ``pathway: {...}``, and optionally the entries it
    adds to the library's catalogue (``catalogue: {...}``, see :mod:`.additions`)."""

    pathway: Pathway
    catalogue: CatalogueAdditions | None = None
