"""The source index: the citable units of a library's source documents, with their text.

A library's rules cite their sources as ``source: "002 rec 9"``. The index says which
units each document has (paragraphs, recommendations, appendices, sections) and what
each says, so the checker can tell a citation that points at real text from one that
does not, and ``pathways sources`` can show a reviewer the words a rule stands on.

An index is a YAML file in the library's folder whose one top-level key is
``source_index:`` (docs/language.md, "Source index"). The shipped one,
``pathways/library/sources.yaml``, is made from the archived papers by
``scripts/index_sources.py``; an HR team can write its own by hand.

>>> unit = Unit(ref="rec 15-17", also=["rec 15", "rec 16", "rec 17"], text="That ...")
>>> unit.refs()
['rec 15-17', 'rec 15', 'rec 16', 'rec 17']
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from .requirements import LocatedModel

__all__ = ["IndexedDocument", "OnUnknown", "SourceIndex", "SourceIndexFile", "Unit"]


class OnUnknown(StrEnum):
    """How the checker reports a citation the index cannot find."""

    ERROR = "error"
    WARNING = "warning"


class Unit(LocatedModel):
    """One citable unit of a document: ``para 6``, ``rec 9``, ``Appendix 1``, ``header`` ..."""

    ref: str = Field(min_length=1, description="What a citation writes after the document id.")
    also: list[str] = Field(
        default_factory=list,
        description="Other refs that name this unit, e.g. 'rec 16' for a row 'rec 15-17'.",
    )
    title: str | None = Field(None, description="A heading, if the unit has one.")
    text: str = Field(description="The unit's words, as in the document.")

    def refs(self) -> list[str]:
        return [self.ref, *self.also]


class IndexedDocument(LocatedModel):
    """The units of one document; ``id`` is the catalogue's source id."""

    id: str = Field(pattern=r"^[A-Za-z0-9_\-]+$")
    file: str | None = Field(None, description="The document's file name.")
    sha256: str | None = Field(
        None, pattern=r"^[0-9a-f]{64}$", description="Of the file the index was made from."
    )
    units: list[Unit] = Field(min_length=1)


class SourceIndex(LocatedModel):
    """Every indexed document of a library."""

    unknown: OnUnknown = Field(
        OnUnknown.WARNING,
        description="'error' when the index is complete (the shipped one), so a citation "
        "of a unit it lacks is a mistake; 'warning' while an index is being built.",
    )
    documents: list[IndexedDocument] = Field(default_factory=list)

    def document(self, doc_id: str) -> IndexedDocument | None:
        return next((d for d in self.documents if d.id == doc_id), None)


class SourceIndexFile(LocatedModel):
    """The top level of a source index file: ``source_index: {...}``."""

    source_index: SourceIndex
