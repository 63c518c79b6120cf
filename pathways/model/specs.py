"""What a leaf requirement's mapping holds besides its kind key: the assessors of an
assessment, the basis of a rank or band, and how long in what (``served``), counted
from the start or only since an item.

They live apart from :mod:`pathways.model.requirements`, which re-exports them.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field, model_validator

from .located import LocatedModel

__all__ = [
    "ANY_ASSESSOR",
    "SINCE_KINDS",
    "STAGE_REF",
    "AssessorsSpec",
    "RankBasis",
    "ServedSpec",
    "ServiceScope",
    "SinceSpec",
]


STAGE_REF = r"^[A-Za-z0-9_\-]+(\.[A-Za-z0-9_\-]+)?$"
#: The qualification key of an assessor count that asks for none.
ANY_ASSESSOR = "*"


class AssessorsSpec(LocatedModel):
    """Who must have assessed: at least N named assessors, each holding a stage that day.

    The record names an assessment's assessors (``assessors: [W1234, ...]``). An assessor
    who is a person in the records counts if they held the ``qualified`` stage on the day
    of the assessment; one who is not in the records counts, and the decision says
    their qualification could not be checked.
    """

    at_least: int = Field(ge=1, description="How many qualified assessors, at least.")
    qualified: str | None = Field(
        None,
        pattern=STAGE_REF,
        description="A stage ('stage' or 'pathway.stage') each assessor held on the day.",
    )

    def target(self, own_pathway: str) -> tuple[str, str] | None:
        """The (pathway, stage) assessors must hold, if any.

        >>> AssessorsSpec(at_least=2, qualified="assessors.assessor_trained").target("x")
        ('assessors', 'assessor_trained')
        """
        if self.qualified is None:
            return None
        pathway, _, stage = self.qualified.rpartition(".")
        return (pathway or own_pathway, stage)

    def key(self, own_pathway: str) -> str:
        """``pathway.stage`` of the qualification, or ``*`` for none: how facts name it."""
        target = self.target(own_pathway)
        return ".".join(target) if target else ANY_ASSESSOR


class RankBasis(StrEnum):
    SUBSTANTIVE = "substantive"
    TEMPORARY = "temporary"
    ANY = "any"


class ServiceScope(StrEnum):
    SERVICE = "service"
    CURRENT_RANK = "current_rank"
    CURRENT_ROLE = "current_role"
    CURRENT_BUSINESS_GROUP = "current_business_group"
    ROLE = "role"
    BUSINESS_GROUP = "business_group"
    RANK = "rank"
    BAND = "band"


SINCE_KINDS = ("credential", "course", "passed")


class SinceSpec(LocatedModel):
    """Count time only from the first day the record shows an item (an award, a course
    completed, an assessment passed), e.g. time as a *qualified* detective."""

    credential: str | None = None
    course: str | None = None
    passed: str | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> SinceSpec:
        present = [k for k in SINCE_KINDS if getattr(self, k) is not None]
        if len(present) != 1:
            raise ValueError("'since' names exactly one of: " + ", ".join(SINCE_KINDS))
        return self

    @property
    def kind(self) -> str:
        return next(k for k in SINCE_KINDS if getattr(self, k) is not None)

    @property
    def value(self) -> str:
        return str(getattr(self, self.kind))


_NAMED = {
    ServiceScope.ROLE: "role",
    ServiceScope.BUSINESS_GROUP: "business_group",
    ServiceScope.RANK: "rank",
    ServiceScope.BAND: "band",
}


class ServedSpec(LocatedModel):
    """How long, and in what: the whole service, the current rank/role/group, or a named
    role, business group, rank or band; optionally counted only since an item."""

    in_: ServiceScope = Field(alias="in")
    role: str | None = None
    business_group: str | None = None
    rank: str | None = None
    band: str | None = None
    basis: RankBasis | None = Field(
        None, description="With 'in: rank' or 'in: band': which holdings count (substantive)."
    )
    since: SinceSpec | None = None
    at_least_months: int | None = Field(None, ge=0)
    at_most_months: int | None = Field(None, ge=0)

    @model_validator(mode="after")
    def _consistent(self) -> ServedSpec:
        if self.at_least_months is None and self.at_most_months is None:
            raise ValueError("give 'at_least_months' or 'at_most_months' (or both)")
        for scope, name in _NAMED.items():
            if self.in_ is scope and not getattr(self, name):
                raise ValueError(f"'in: {scope.value}' needs '{name}: <{name} id>'")
            if getattr(self, name) and self.in_ is not scope:
                raise ValueError(f"'{name}' is only used with 'in: {scope.value}'")
        if self.basis is not None and self.in_ not in (ServiceScope.RANK, ServiceScope.BAND):
            raise ValueError("'basis' is only used with 'in: rank' or 'in: band'")
        return self

    def scope_key(self) -> str:
        """The time this counts, as one string the engine's facts are keyed by.

        >>> ServedSpec.model_validate({"in": "rank", "rank": "superintendent",
        ...     "basis": "temporary", "at_least_months": 6}).scope_key()
        'rank:superintendent:temporary'
        >>> ServedSpec.model_validate({"in": "current_business_group", "at_least_months": 48,
        ...     "since": {"credential": "detective_qualification"}}).scope_key()
        'current_business_group|since:credential:detective_qualification'
        """
        if self.in_ in (ServiceScope.RANK, ServiceScope.BAND):
            basis = (self.basis or RankBasis.SUBSTANTIVE).value
            key = f"{self.in_.value}:{getattr(self, self.in_.value)}:{basis}"
        elif self.in_ in _NAMED:
            key = f"{self.in_.value}:{getattr(self, _NAMED[self.in_])}"
        else:
            key = self.in_.value
        if self.since is not None:
            key += f"|since:{self.since.kind}:{self.since.value}"
        return key
