"""The catalogue: the vocabulary every pathway file shares.

Ranks and bands are listed lowest first; that order is what ``at_least`` and
``at_most`` compare. Everything else is a list of entries with an ``id``.

>>> c = Catalogue.model_validate({"id": "demo", "name": "Demo",
...     "ranks": [{"id": "constable", "name": "Constable"},
...               {"id": "sergeant", "name": "Sergeant"}]})
>>> c.rank_order()["sergeant"] > c.rank_order()["constable"]
True
"""

from __future__ import annotations

import datetime as dt
import itertools
from enum import StrEnum

from pydantic import Field, model_validator

from .requirements import LocatedModel

__all__ = [
    "AssessmentEntry",
    "AttributeEntry",
    "Catalogue",
    "CatalogueFile",
    "CredentialEntry",
    "EndorsementEntry",
    "Entry",
    "ProgrammeEntry",
    "SourceDocument",
    "UnitEntry",
    "UnitPeriod",
]

ID_PATTERN = r"^[A-Za-z0-9_\-]+$"


class Entry(LocatedModel):
    """A named item of the vocabulary."""

    id: str = Field(pattern=ID_PATTERN)
    name: str
    description: str | None = None
    source: str | None = None
    url: str | None = Field(
        None,
        pattern=r"^https?://[^\s]+$",
        max_length=500,
        description="Where to read more or apply (an http(s) address); steps link to it.",
    )
    contact: str | None = Field(
        None, max_length=200, description="Who to ask (a team, a mailbox); steps name it."
    )


class SourceDocument(LocatedModel):
    """A document rules may cite as ``source: "<id> <paragraph>"``."""

    id: str = Field(pattern=ID_PATTERN)
    title: str
    file: str | None = None
    date: dt.date | None = None


class CredentialEntry(Entry):
    """A credential or accreditation; ``validity_months`` makes it lapse unless revalidated."""

    levels: list[int] | None = Field(None, description="Levels it is awarded at, if any.")
    validity_months: int | None = Field(None, ge=1)


class ProgrammeEntry(Entry):
    """A programme: a scheme people are members of, and/or a sequence of course stages."""

    stages: list[str] = Field(default_factory=list, description="Course ids, in order.")
    duration_months: int | None = Field(None, ge=1)


class AssessmentKind(StrEnum):
    EXAM = "exam"
    ASSESSMENT = "assessment"
    ASSESSMENT_CENTRE = "assessment_centre"
    INTERVIEW = "interview"
    WORK_BASED = "work_based"


class AssessmentEntry(Entry):
    """An exam or assessment that a person passes."""

    kind: AssessmentKind = AssessmentKind.ASSESSMENT


class EndorsementEntry(Entry):
    """An endorsement or recommendation, and the role that gives it."""

    by: str = Field(description="The role that endorses, e.g. 'OCU Commander'.")


class UnitPeriod(LocatedModel):
    """A time a unit belonged to a business group (both days included; open if left out)."""

    business_group: str
    from_: dt.date | None = Field(None, alias="from")
    to: dt.date | None = None
    source: str | None = Field(None, description="Where the move is recorded, cited.")

    @model_validator(mode="after")
    def _ordered(self) -> UnitPeriod:
        if self.from_ and self.to and self.to < self.from_:
            raise ValueError(f"'to' ({self.to}) is before 'from' ({self.from_})")
        return self

    def covers(self, day: dt.date) -> bool:
        return (self.from_ is None or self.from_ <= day) and (self.to is None or day <= self.to)


class UnitEntry(Entry):
    """An OCU, BOCU or other unit postings name, and the business group(s) it belonged to.

    A unit that moved between business groups (the 2007 restructure, 004 para 4-5) lists
    each period: a posting there counts in the group the unit was in on each day, so
    counts of distinct business groups and time in a group are right for any date.
    """

    business_groups: list[UnitPeriod] = Field(min_length=1)

    @model_validator(mode="after")
    def _no_overlap(self) -> UnitEntry:
        ordered = sorted(self.business_groups, key=lambda p: p.from_ or dt.date.min)
        for before, after in itertools.pairwise(ordered):
            if before.to is None or (after.from_ is not None and after.from_ <= before.to):
                raise ValueError(
                    f"the periods of unit '{self.id}' in '{before.business_group}' and "
                    f"'{after.business_group}' overlap: end one the day before the next starts"
                )
        return self

    def group_on(self, day: dt.date) -> str | None:
        """The business group the unit was in on ``day``, if the catalogue says."""
        return next((p.business_group for p in self.business_groups if p.covers(day)), None)


class AttributeEntry(Entry):
    """A personal attribute and its allowed values; ``protected`` ones are restricted."""

    values: list[str] = Field(min_length=1)
    protected: bool = False


class Catalogue(LocatedModel):
    """The shared vocabulary of a pathway library."""

    id: str = Field(pattern=ID_PATTERN)
    name: str
    sources: list[SourceDocument] = Field(default_factory=list)
    ranks: list[Entry] = Field(default_factory=list)
    bands: list[Entry] = Field(default_factory=list)
    business_groups: list[Entry] = Field(default_factory=list)
    units: list[UnitEntry] = Field(default_factory=list)
    roles: list[Entry] = Field(default_factory=list)
    courses: list[Entry] = Field(default_factory=list)
    programmes: list[ProgrammeEntry] = Field(default_factory=list)
    credentials: list[CredentialEntry] = Field(default_factory=list)
    assessments: list[AssessmentEntry] = Field(default_factory=list)
    endorsements: list[EndorsementEntry] = Field(default_factory=list)
    attributes: list[AttributeEntry] = Field(default_factory=list)

    def rank_order(self) -> dict[str, int]:
        """Rank id -> position, lowest rank first."""
        return {e.id: i for i, e in enumerate(self.ranks)}

    def band_order(self) -> dict[str, int]:
        """Band id -> position, lowest band first."""
        return {e.id: i for i, e in enumerate(self.bands)}

    def ids(self, section: str) -> list[str]:
        """Ids of one section, e.g. ``ids("courses")``."""
        return [e.id for e in getattr(self, section)]

    def entry(self, section: str, entry_id: str) -> Entry | SourceDocument | None:
        return next((e for e in getattr(self, section) if e.id == entry_id), None)

    def names(self) -> dict[tuple[str, str], str]:
        """(section, id) -> name, for every vocabulary entry."""
        return {(s, e.id): e.name for s in VOCABULARY for e in getattr(self, s)}


SECTIONS: tuple[str, ...] = (
    "sources",
    "ranks",
    "bands",
    "business_groups",
    "units",
    "roles",
    "courses",
    "programmes",
    "credentials",
    "assessments",
    "endorsements",
    "attributes",
)


#: The sections that name things (every section but the source documents).
VOCABULARY: tuple[str, ...] = SECTIONS[1:]


class CatalogueFile(LocatedModel):
    """The top level of a catalogue file: ``catalogue: {...}``."""

    catalogue: Catalogue
