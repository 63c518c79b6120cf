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
import re
from enum import StrEnum
from typing import Annotated, Any, Self

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from pathways.dates import Day

__all__ = [
    "PERSON_ID_PATTERN",
    "AssessmentResult",
    "BandHolding",
    "CourseRecord",
    "CredentialAward",
    "Endorsement",
    "Membership",
    "Mentoring",
    "Outcome",
    "Person",
    "PersonKind",
    "Posting",
    "ProtectedCharacteristics",
    "RankHolding",
    "Text",
    "check_text",
]

#: A warrant or staff number: letters and digits, ``_`` and ``-``, at most 32 characters,
#: starting with a letter or digit. The one id rule for API bodies, imports and URL paths:
#: an id that fits can always be read, changed and deleted again (no ``/``, ``?``, ``#``,
#: spaces, control characters, or a leading ``=`` that spreadsheets would run).
PERSON_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$"
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def check_text(text: str) -> str:
    """``text``, if it has no control characters (NUL, CR, LF, tab ...).

    PostgreSQL refuses NUL in text, and CR/LF in a value ends up in headers and logs:
    every text field of a record refuses them, so a store never fails half-way.

    >>> check_text("Sam O'Neil")
    "Sam O'Neil"
    >>> check_text("W1\\r\\nX")
    Traceback (most recent call last):
    ...
    ValueError: contains the control character U+000D at position 3: remove it
    """
    found = _CONTROL.search(text)
    if found is not None:
        raise ValueError(
            f"contains the control character U+{ord(found.group()):04X} at position "
            f"{found.start() + 1}: remove it"
        )
    return text


#: Text in a record: any printable text, no control characters.
Text = Annotated[str, AfterValidator(check_text)]


class _Item(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: Text | None = Field(None, max_length=100, description="The HR system's id for this item.")


class _Dated(_Item):
    start: Day
    end: Day | None = Field(None, description="Last day; empty while it continues.")

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

    rank: Text
    basis: Basis = Basis.SUBSTANTIVE


class BandHolding(_Dated):
    """A police staff band held from ``start`` to ``end``."""

    band: Text
    basis: Basis = Basis.SUBSTANTIVE


class Posting(_Dated):
    """A posting: business group, unit (OCU/BOCU) and role."""

    business_group: Text
    role: Text
    unit: Text | None = None


class CourseRecord(_Item):
    """A course or programme stage: attended from ``start``, completed on ``completed``."""

    course: Text
    start: Day | None = None
    completed: Day | None = Field(None, description="Empty while attending.")


class Outcome(StrEnum):
    PASSED = "passed"
    FAILED = "failed"


class AssessmentResult(_Item):
    """An exam or assessment taken on ``date``."""

    assessment: Text
    date: Day
    outcome: Outcome = Outcome.PASSED
    assessors: list[Text] = Field(default_factory=list)


class CredentialAward(_Item):
    """A credential or accreditation, awarded and possibly revalidated."""

    credential: Text
    level: int | None = Field(None, ge=0)
    awarded: Day
    assessor: Text | None = None
    revalidated: list[Day] = Field(default_factory=list)

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

    endorsement: Text
    date: Day
    by: Text | None = None
    expires: Day | None = Field(None, description="Last day it counts, if it expires.")


class Membership(_Dated):
    """Membership of a programme (HPDS, talent pool, Equip to Achieve ...)."""

    programme: Text


class Mentoring(_Dated):
    """A mentor in the Talent Cascade (001 para 20; 002 rec 7), kept on the mentee's record:
    who mentors them, from ``start`` to ``end``. The pair is one item, on one record, so it
    cannot disagree with itself; a mentor's mentees are found from the mentees' records."""

    mentor: str = Field(
        min_length=1, max_length=32, description="The mentor's warrant or staff number."
    )


class PersonKind(StrEnum):
    OFFICER = "officer"
    STAFF = "staff"


class ProtectedCharacteristics(BaseModel):
    """Optional; used by positive-action rules and equality monitoring only."""

    model_config = ConfigDict(extra="forbid")

    ethnicity: Text | None = Field(None, max_length=64)
    gender: Text | None = Field(None, max_length=64)
    disability: Text | None = Field(None, max_length=64)


class Person(BaseModel):
    """One officer or member of police staff, with their dated history."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(
        pattern=PERSON_ID_PATTERN,
        description="Warrant number (officers) or staff number: letters, digits, _ and -, "
        "at most 32 characters.",
    )
    kind: PersonKind
    name: Text | None = Field(None, max_length=200)
    joined: Day
    ranks: list[RankHolding] = Field(default_factory=list)
    bands: list[BandHolding] = Field(default_factory=list)
    postings: list[Posting] = Field(default_factory=list)
    courses: list[CourseRecord] = Field(default_factory=list)
    assessments: list[AssessmentResult] = Field(default_factory=list)
    credentials: list[CredentialAward] = Field(default_factory=list)
    endorsements: list[Endorsement] = Field(default_factory=list)
    memberships: list[Membership] = Field(default_factory=list)
    # Left out of the record's JSON when empty, so that records kept before mentors were
    # recorded keep their content digest (and nothing looks changed on a re-import).
    mentors: list[Mentoring] = Field(default_factory=list, exclude_if=lambda v: not v)
    protected: ProtectedCharacteristics = Field(default_factory=ProtectedCharacteristics)
    attributes: dict[Text, Text] = Field(
        default_factory=dict, description="Other personal attributes rules may test."
    )

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.kind is PersonKind.OFFICER and self.bands:
            raise ValueError("an officer holds ranks, not bands: move 'bands' to 'ranks'")
        if self.kind is PersonKind.STAFF and self.ranks:
            raise ValueError("police staff hold bands, not ranks: move 'ranks' to 'bands'")
        for m in self.mentors:
            if m.mentor == self.id:
                raise ValueError(f"{self.id} cannot be their own mentor: name another person")
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
    "mentors",
)
