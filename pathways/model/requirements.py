"""Requirement kinds: the leaves and combinators of a stage's rules.

A requirement is a YAML mapping with exactly one *kind key* (``credential``,
``rank``, ``all_of`` ...) plus modifiers of that kind and the fields every
requirement may carry (``id``, ``text``, ``next_step``, ``source``,
``effective_from``, ``effective_to``).

>>> from pydantic import TypeAdapter
>>> r = TypeAdapter(Requirement).validate_python(
...     {"credential": "pip", "level": 2, "source": "003 Appendix 1"})
>>> type(r).__name__, r.level, r.current
('CredentialRequirement', 2, True)
>>> kind_of({"rank": {"at_least": "inspector"}})
'rank'
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Annotated, Any, ClassVar, Literal, TypeAlias, get_args

from pydantic import (
    Discriminator,
    Field,
    Tag,
    model_validator,
)

from .located import LocatedModel
from .specs import (
    AssessorsSpec,
    RankBasis,
    ServedSpec,
    ServiceScope,
    SinceSpec,
)

__all__ = [
    "KIND_KEYS",
    "AllOf",
    "AnyOf",
    "AssessorsSpec",
    "AtLeast",
    "AttributeRequirement",
    "BandBounds",
    "BandRequirement",
    "BaseRequirement",
    "Combinator",
    "CompletedProgrammeRequirement",
    "CourseRequirement",
    "CredentialRequirement",
    "DistinctBusinessGroupsRequirement",
    "EndorsementRequirement",
    "HasMentorRequirement",
    "LeafRequirement",
    "LocatedModel",
    "MembershipRequirement",
    "Not",
    "PassedRequirement",
    "PostedRequirement",
    "RankBasis",
    "RankBounds",
    "RankRequirement",
    "ReachedRequirement",
    "Requirement",
    "ServedRequirement",
    "ServedSpec",
    "ServiceScope",
    "SinceSpec",
    "kind_of",
    "walk",
]


class BaseRequirement(LocatedModel):
    """Fields every requirement may carry."""

    kind: ClassVar[str]

    id: str | None = Field(
        None,
        pattern=r"^[A-Za-z0-9_\-]+$",
        description="Optional id, for example tests and next steps.",
    )
    text: str | None = Field(None, description="The requirement in plain words.")
    next_step: str | None = Field(
        None, description="What a person should do to meet it, e.g. 'Attend FSL stage 3'."
    )
    source: str | None = Field(
        None, description="'DOC LOCATOR' (e.g. '002 rec 9') or 'illustrative[: why]'."
    )
    effective_from: dt.date | None = Field(None, description="First day the rule applies.")
    effective_to: dt.date | None = Field(None, description="Last day the rule applies.")
    effective_source: str | None = Field(
        None, description="Where the effective dates come from, cited like 'source'."
    )

    def in_force(self, on: dt.date) -> bool:
        """True if this requirement applies on ``on`` (its window is inclusive).

        >>> CourseRequirement(course="x", effective_from="2010-04-01").in_force(
        ...     dt.date(2010, 3, 31))
        False
        """
        if self.effective_from and on < self.effective_from:
            return False
        return not (self.effective_to and on > self.effective_to)

    def children(self) -> list[Requirement]:
        """Nested requirements, for combinators; empty for leaves."""
        return []


class CredentialRequirement(BaseRequirement):
    """Holds a credential or accreditation, optionally at a level, optionally current."""

    kind: ClassVar[str] = "credential"
    credential: str
    level: int | None = Field(None, ge=0, description="Minimum level held.")
    current: bool = Field(True, description="If true, a lapsed credential does not count.")


class CourseRequirement(BaseRequirement):
    """Completed a course (or one stage of a programme, which is a course)."""

    kind: ClassVar[str] = "course"
    course: str


class CompletedProgrammeRequirement(BaseRequirement):
    """Completed every stage of a programme."""

    kind: ClassVar[str] = "completed_programme"
    completed_programme: str


class PassedRequirement(BaseRequirement):
    """Passed an exam or assessment (optionally, assessed by enough qualified assessors)."""

    kind: ClassVar[str] = "passed"
    passed: str
    assessors: AssessorsSpec | None = None


class _Bounds(LocatedModel):
    exactly: str | None = None
    at_least: str | None = None
    at_most: str | None = None
    basis: RankBasis = RankBasis.SUBSTANTIVE

    @model_validator(mode="after")
    def _one_bound(self) -> _Bounds:
        if self.exactly is None and self.at_least is None and self.at_most is None:
            raise ValueError("give at least one of 'exactly', 'at_least' or 'at_most'")
        if self.exactly is not None and (self.at_least or self.at_most):
            raise ValueError("'exactly' cannot be combined with 'at_least' or 'at_most'")
        return self


class RankBounds(_Bounds):
    """Rank ids from the catalogue, compared in the catalogue's rank order."""


class BandBounds(_Bounds):
    """Band ids from the catalogue, compared in the catalogue's band order."""


class RankRequirement(BaseRequirement):
    """Holds a rank (officers): exactly, at least, at most; substantive or temporary."""

    kind: ClassVar[str] = "rank"
    rank: RankBounds

    @property
    def bounds(self) -> RankBounds:
        """The bounds, under the name rank and band requirements share."""
        return self.rank


class BandRequirement(BaseRequirement):
    """Holds a band (police staff): exactly, at least, at most."""

    kind: ClassVar[str] = "band"
    band: BandBounds

    @property
    def bounds(self) -> BandBounds:
        """The bounds, under the name rank and band requirements share."""
        return self.band


class ServedRequirement(BaseRequirement):
    """Served at least / at most N whole months in service, a rank, role or business group."""

    kind: ClassVar[str] = "served"
    served: ServedSpec


class DistinctGroupsSpec(LocatedModel):
    at_least: int = Field(ge=1)
    role: str | None = Field(None, description="Count only postings in this role.")


class DistinctBusinessGroupsRequirement(BaseRequirement):
    """Postings in at least k distinct business groups (optionally in one role)."""

    kind: ClassVar[str] = "distinct_business_groups"
    distinct_business_groups: DistinctGroupsSpec


class PostingSpec(LocatedModel):
    role: str | None = None
    business_group: str | None = None

    @model_validator(mode="after")
    def _something(self) -> PostingSpec:
        if self.role is None and self.business_group is None:
            raise ValueError("give 'role', 'business_group', or both")
        return self


class PostedRequirement(BaseRequirement):
    """Currently posted in a role and/or a business group."""

    kind: ClassVar[str] = "posted"
    posted: PostingSpec


class EndorsementRequirement(BaseRequirement):
    """An endorsement or recommendation, by the role the catalogue names for it."""

    kind: ClassVar[str] = "endorsement"
    endorsement: str


class MembershipRequirement(BaseRequirement):
    """A current member of a programme (HPDS, talent pool, Equip to Achieve ...)."""

    kind: ClassVar[str] = "member_of"
    member_of: str


class HasMentorRequirement(BaseRequirement):
    """Has a mentor now: a Talent Cascade mentoring pair on the record (001 para 11, 20)."""

    kind: ClassVar[str] = "has_mentor"
    has_mentor: Literal[True] = Field(description="Write 'has_mentor: true'.")


class ReachedRequirement(BaseRequirement):
    """Reached (holds) a stage: ``stage_id`` in this pathway, or ``pathway.stage``."""

    kind: ClassVar[str] = "reached"
    reached: str = Field(pattern=r"^[A-Za-z0-9_\-]+(\.[A-Za-z0-9_\-]+)?$")

    def target(self, own_pathway: str) -> tuple[str, str]:
        """The (pathway, stage) this refers to.

        >>> ReachedRequirement(reached="fsl.stage_1").target("senior_leadership")
        ('fsl', 'stage_1')
        >>> ReachedRequirement(reached="level_1").target("pip")
        ('pip', 'level_1')
        """
        pathway, _, stage = self.reached.rpartition(".")
        return (pathway or own_pathway, stage)


class AttributeRequirement(BaseRequirement):
    """A personal attribute: ``equals`` one value or is ``in`` a list of values."""

    kind: ClassVar[str] = "attribute"
    attribute: str
    equals: str | None = None
    in_: list[str] | None = Field(None, alias="in")

    @model_validator(mode="after")
    def _one_test(self) -> AttributeRequirement:
        if (self.equals is None) == (self.in_ is None):
            raise ValueError("give exactly one of 'equals: <value>' or 'in: [<values>]'")
        return self

    def allowed(self) -> list[str]:
        return [self.equals] if self.equals is not None else list(self.in_ or [])


class AllOf(BaseRequirement):
    """Every listed requirement holds."""

    kind: ClassVar[str] = "all_of"
    all_of: list[Requirement] = Field(min_length=1)

    def children(self) -> list[Requirement]:
        return list(self.all_of)


class AnyOf(BaseRequirement):
    """At least one listed requirement holds."""

    kind: ClassVar[str] = "any_of"
    any_of: list[Requirement] = Field(min_length=1)

    def children(self) -> list[Requirement]:
        return list(self.any_of)


class AtLeast(BaseRequirement):
    """At least k of the listed requirements hold."""

    kind: ClassVar[str] = "at_least"
    at_least: int = Field(ge=1)
    of: list[Requirement] = Field(min_length=1)

    def children(self) -> list[Requirement]:
        return list(self.of)


class Not(BaseRequirement):
    """The nested requirement does not hold."""

    kind: ClassVar[str] = "not"
    not_: Requirement = Field(alias="not")

    def children(self) -> list[Requirement]:
        return [self.not_]


def kind_of(value: Any) -> str | None:
    """The kind of a requirement (raw mapping or model); None if not exactly one kind key."""
    if isinstance(value, BaseRequirement):
        return value.kind
    if isinstance(value, dict):
        present = [k for k in KIND_KEYS if k in value]
        if len(present) == 1:
            return present[0]
    return None


Requirement = Annotated[
    Annotated[CredentialRequirement, Tag("credential")]
    | Annotated[CourseRequirement, Tag("course")]
    | Annotated[CompletedProgrammeRequirement, Tag("completed_programme")]
    | Annotated[PassedRequirement, Tag("passed")]
    | Annotated[RankRequirement, Tag("rank")]
    | Annotated[BandRequirement, Tag("band")]
    | Annotated[ServedRequirement, Tag("served")]
    | Annotated[DistinctBusinessGroupsRequirement, Tag("distinct_business_groups")]
    | Annotated[PostedRequirement, Tag("posted")]
    | Annotated[EndorsementRequirement, Tag("endorsement")]
    | Annotated[MembershipRequirement, Tag("member_of")]
    | Annotated[HasMentorRequirement, Tag("has_mentor")]
    | Annotated[ReachedRequirement, Tag("reached")]
    | Annotated[AttributeRequirement, Tag("attribute")]
    | Annotated[AllOf, Tag("all_of")]
    | Annotated[AnyOf, Tag("any_of")]
    | Annotated[AtLeast, Tag("at_least")]
    | Annotated[Not, Tag("not")],
    Discriminator(
        kind_of,
        custom_error_type="requirement_kind",
        custom_error_message="a requirement needs exactly one kind key",
    ),
]

for _cls in (AllOf, AnyOf, AtLeast, Not):
    _cls.model_rebuild()

#: The kinds that test the record, and the kinds that combine other requirements. Code
#: that treats kinds differently matches on these (or on :data:`Requirement`) and ends in
#: ``case _: assert_never(req)``, so a new kind is a mypy error wherever it must be handled
#: (docs/architecture.md lists the places).
LeafRequirement: TypeAlias = (
    CredentialRequirement
    | CourseRequirement
    | CompletedProgrammeRequirement
    | PassedRequirement
    | RankRequirement
    | BandRequirement
    | ServedRequirement
    | DistinctBusinessGroupsRequirement
    | PostedRequirement
    | EndorsementRequirement
    | MembershipRequirement
    | HasMentorRequirement
    | ReachedRequirement
    | AttributeRequirement
)
Combinator: TypeAlias = AllOf | AnyOf | AtLeast | Not


def _registry() -> dict[str, type[BaseRequirement]]:
    """Every kind by its key, checked at import: the pydantic union, its tags, the two
    aliases above and the subclasses of :class:`BaseRequirement` must name the same kinds
    (a kind added to one and forgotten in another would be parsed but not handled, or
    handled but never parsed)."""
    union, _discriminator = get_args(Requirement)
    models: dict[str, type[BaseRequirement]] = {}
    for member in get_args(union):
        cls, tag = get_args(member)
        if tag.tag != cls.kind:
            raise TypeError(f"{cls.__name__} is tagged '{tag.tag}' but its kind is '{cls.kind}'")
        models[cls.kind] = cls
    classes = set(models.values())
    aliased = {*get_args(LeafRequirement), *get_args(Combinator)}
    defined = set(BaseRequirement.__subclasses__())
    if not classes == aliased == defined:
        missing = sorted(c.__name__ for c in (classes | aliased | defined) - (classes & aliased))
        raise TypeError(
            "every requirement kind must be in the Requirement union, in LeafRequirement or "
            f"Combinator, and subclass BaseRequirement; check {', '.join(missing)}"
        )
    return models


REQUIREMENT_MODELS: dict[str, type[BaseRequirement]] = _registry()
KIND_KEYS: tuple[str, ...] = tuple(REQUIREMENT_MODELS)


def walk(requirement: Requirement, negated: bool = False) -> Iterator[tuple[Requirement, bool]]:
    """Yield every requirement in a tree, depth first, with whether it sits under a ``not``.

    >>> tree = AllOf(all_of=[CourseRequirement(course="a"),
    ...                      Not(**{"not": CourseRequirement(course="b")})])
    >>> [(r.kind, neg) for r, neg in walk(tree)]
    [('all_of', False), ('course', False), ('not', False), ('course', True)]
    """
    yield requirement, negated
    for child in requirement.children():
        yield from walk(child, negated or isinstance(requirement, Not))
