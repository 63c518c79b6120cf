"""An individual's record: the dated history the engine decides on.

Officers (warrant number) hold ranks; police staff (staff number) hold bands.
Every history item may carry an ``id`` (the HR system's), which decisions cite
as evidence; items without one are cited by position, e.g. ``courses[2]``.

>>> p = Person.model_validate({"id": "W1001", "kind": "officer", "joined": "2015-09-01",
...     "ranks": [{"rank": "constable", "start": "2015-09-01"}]})
>>> p.ranks[0].basis.value, p.current_ranks(dt.date(2020, 1, 1))[0].rank
('substantive', 'constable')
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = [
    "AssessmentResult",
    "BandHolding",
    "CourseRecord",
    "CredentialAward",
    "Endorsement",
    "Membership",
    "Outcome",
    "Person",
    "PersonKind",
    "Posting",
    "ProtectedCharacteristics",
    "RankHolding",
]


class _Item(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str | None = Field(None, description="The HR system's id for this item.")


class _Dated(_Item):
    start: dt.date
    end: dt.date | None = Field(None, description="Last day; empty while it continues.")

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.end is not None and self.end < self.start:
            raise ValueError(f"'end' ({self.end}) is before 'start' ({self.start})")
        return self

    def covers(self, day: dt.date) -> bool:
        """True if the item is in force on ``day`` (start and end inclusive)."""
        return self.start <= day and (self.end is None or day <= self.end)


class Basis(StrEnum):
    SUBSTANTIVE = "substantive"
    TEMPORARY = "temporary"


class RankHolding(_Dated):
    """A rank held from ``start`` to ``end``, substantively or temporarily."""

    rank: str
    basis: Basis = Basis.SUBSTANTIVE


class BandHolding(_Dated):
    """A police staff band held from ``start`` to ``end``."""

    band: str
    basis: Basis = Basis.SUBSTANTIVE


class Posting(_Dated):
    """A posting: business group, unit (OCU/BOCU) and role."""

    business_group: str
    role: str
    unit: str | None = None


class CourseRecord(_Item):
    """A course or programme stage: attended from ``start``, completed on ``completed``."""

    course: str
    start: dt.date | None = None
    completed: dt.date | None = Field(None, description="Empty while attending.")


class Outcome(StrEnum):
    PASSED = "passed"
    FAILED = "failed"


class AssessmentResult(_Item):
    """An exam or assessment taken on ``date``."""

    assessment: str
    date: dt.date
    outcome: Outcome = Outcome.PASSED
    assessors: list[str] = Field(default_factory=list)


class CredentialAward(_Item):
    """A credential or accreditation, awarded and possibly revalidated."""

    credential: str
    level: int | None = Field(None, ge=0)
    awarded: dt.date
    assessor: str | None = None
    revalidated: list[dt.date] = Field(default_factory=list)

    @model_validator(mode="after")
    def _after_award(self) -> Self:
        for day in self.revalidated:
            if day < self.awarded:
                raise ValueError(f"revalidated on {day}, before it was awarded ({self.awarded})")
        return self

    def last_validated(self, on: dt.date) -> dt.date:
        """The award or latest revalidation on or before ``on``."""
        return max([self.awarded, *(d for d in self.revalidated if d <= on)])


class Endorsement(_Item):
    """An endorsement or recommendation, given on ``date`` by a named person or role."""

    endorsement: str
    date: dt.date
    by: str | None = None
    expires: dt.date | None = Field(None, description="Last day it counts, if it expires.")


class Membership(_Dated):
    """Membership of a programme (HPDS, talent pool, Equip to Achieve ...)."""

    programme: str


class PersonKind(StrEnum):
    OFFICER = "officer"
    STAFF = "staff"


class ProtectedCharacteristics(BaseModel):
    """Optional; used by positive-action rules and equality monitoring only."""

    model_config = ConfigDict(extra="forbid")

    ethnicity: str | None = None
    gender: str | None = None
    disability: str | None = None


class Person(BaseModel):
    """One officer or member of police staff, with their dated history."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1, description="Warrant number (officers) or staff number.")
    kind: PersonKind
    name: str | None = None
    joined: dt.date
    ranks: list[RankHolding] = Field(default_factory=list)
    bands: list[BandHolding] = Field(default_factory=list)
    postings: list[Posting] = Field(default_factory=list)
    courses: list[CourseRecord] = Field(default_factory=list)
    assessments: list[AssessmentResult] = Field(default_factory=list)
    credentials: list[CredentialAward] = Field(default_factory=list)
    endorsements: list[Endorsement] = Field(default_factory=list)
    memberships: list[Membership] = Field(default_factory=list)
    protected: ProtectedCharacteristics = Field(default_factory=ProtectedCharacteristics)
    attributes: dict[str, str] = Field(
        default_factory=dict, description="Other personal attributes rules may test."
    )

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.kind is PersonKind.OFFICER and self.bands:
            raise ValueError("an officer holds ranks, not bands: move 'bands' to 'ranks'")
        if self.kind is PersonKind.STAFF and self.ranks:
            raise ValueError("police staff hold bands, not ranks: move 'ranks' to 'bands'")
        seen: dict[str, str] = {}
        for section, item in self.items():
            if item.id is None:
                continue
            if item.id in seen:
                raise ValueError(
                    f"item id '{item.id}' is used in both {seen[item.id]} and {section}: "
                    "item ids must be unique within a record"
                )
            seen[item.id] = section
        return self

    def items(self) -> list[tuple[str, Any]]:
        """Every history item with its section name."""
        return [(section, item) for section in ITEM_SECTIONS for item in getattr(self, section)]

    def item_ref(self, section: str, index: int) -> str:
        """How evidence names an item: its id, or ``section[index]``."""
        item = getattr(self, section)[index]
        return item.id if item.id is not None else f"{section}[{index}]"

    def current_ranks(self, on: dt.date) -> list[RankHolding]:
        return [r for r in self.ranks if r.covers(on)]

    def current_postings(self, on: dt.date) -> list[Posting]:
        return [p for p in self.postings if p.covers(on)]

    def attribute(self, name: str) -> str | None:
        """A personal attribute by name: ``workforce``, a protected characteristic, or other."""
        if name == "workforce":
            return self.kind.value
        if name in ProtectedCharacteristics.model_fields:
            value: str | None = getattr(self.protected, name)
            return value
        return self.attributes.get(name)


#: (record section, field, catalogue section) for every catalogue id a record uses.
REFERENCES: tuple[tuple[str, str, str], ...] = (
    ("ranks", "rank", "ranks"),
    ("bands", "band", "bands"),
    ("postings", "role", "roles"),
    ("postings", "business_group", "business_groups"),
    ("courses", "course", "courses"),
    ("assessments", "assessment", "assessments"),
    ("credentials", "credential", "credentials"),
    ("endorsements", "endorsement", "endorsements"),
    ("memberships", "programme", "programmes"),
)

ITEM_SECTIONS = (
    "ranks",
    "bands",
    "postings",
    "courses",
    "assessments",
    "credentials",
    "endorsements",
    "memberships",
)
