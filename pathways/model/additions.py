"""Catalogue additions: the new courses, credentials, roles ... a new pathway brings along.

A pathway file may carry a ``catalogue:`` section next to ``pathway:``, and a file of
its own may hold only a ``catalogue:`` without ``id`` and ``name``; either lists entries
to *add* to the library's catalogue. An id the catalogue already has is an error unless
it is listed under ``replaces:`` (a deliberate change of a shipped entry). Ranks and
bands cannot be added: their order is what ``at_least`` and ``at_most`` compare, so a
new one belongs in its place in the library's catalogue.

>>> a = CatalogueAdditions.model_validate(
...     {"courses": [{"id": "afo_course", "name": "Armed officer course"}]})
>>> [(s, e.id) for s, e in a.entries()]
[('courses', 'afo_course')]
>>> is_additions({"courses": []}), is_additions({"id": "mps", "name": "MPS"})
(True, False)
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pydantic import Field

from .catalogue import (
    AssessmentEntry,
    AttributeEntry,
    CredentialEntry,
    EndorsementEntry,
    Entry,
    ProgrammeEntry,
    SourceDocument,
    UnitEntry,
)
from .requirements import LocatedModel

__all__ = [
    "ADDABLE",
    "ORDERED",
    "CatalogueAdditions",
    "CatalogueAdditionsFile",
    "is_additions",
]

#: Sections whose order means something: never added by a pathway file.
ORDERED: tuple[str, ...] = ("ranks", "bands")


class CatalogueAdditions(LocatedModel):
    """Entries added to the library's catalogue (a ``catalogue:`` without id and name)."""

    replaces: list[str] = Field(
        default_factory=list,
        description="Ids of existing entries this file changes on purpose (default: none).",
    )
    sources: list[SourceDocument] = Field(default_factory=list)
    business_groups: list[Entry] = Field(default_factory=list)
    roles: list[Entry] = Field(default_factory=list)
    courses: list[Entry] = Field(default_factory=list)
    programmes: list[ProgrammeEntry] = Field(default_factory=list)
    credentials: list[CredentialEntry] = Field(default_factory=list)
    assessments: list[AssessmentEntry] = Field(default_factory=list)
    endorsements: list[EndorsementEntry] = Field(default_factory=list)
    attributes: list[AttributeEntry] = Field(default_factory=list)
    units: list[UnitEntry] = Field(default_factory=list)

    def entries(self) -> Iterator[tuple[str, Entry | SourceDocument]]:
        """Every added entry with its section, in file order."""
        for section in ADDABLE:
            for entry in getattr(self, section):
                yield section, entry


#: The catalogue sections additions may hold (tests/test_additions.py keeps it complete).
ADDABLE: tuple[str, ...] = tuple(
    name for name in CatalogueAdditions.model_fields if name != "replaces"
)


class CatalogueAdditionsFile(LocatedModel):
    """A file holding only catalogue additions: ``catalogue:`` without ``id`` and ``name``."""

    catalogue: CatalogueAdditions


def is_additions(catalogue: Any) -> bool:
    """True if a ``catalogue:`` mapping adds entries, rather than being a whole catalogue:
    it has neither ``id`` nor ``name``."""
    return isinstance(catalogue, dict) and not ({"id", "name"} & set(catalogue))
