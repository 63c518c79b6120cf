"""Merging catalogue additions (see :mod:`pathways.model.additions`) into a catalogue.

Additions only add, by default: an id the catalogue already has is a located error at the
added entry (naming where the existing one is), unless the file lists it under
``replaces:``; an id two files add is an error at the second. Added entries follow the
catalogue's own, sorted by id in each section, so the merged catalogue (and the library
version's digest) does not depend on which file or folder they came from.

>>> from pathways.model.catalogue import Catalogue
>>> from pathways.model.additions import CatalogueAdditions
>>> base = Catalogue.model_validate({"id": "c", "name": "C",
...     "courses": [{"id": "pip_course", "name": "PIP course"}]})
>>> extra = CatalogueAdditions.model_validate({"courses": [
...     {"id": "afo_course", "name": "AFO course"}]})
>>> merged = merge_additions(base, [Addition(extra, "afo.yaml", None)])
>>> merged.catalogue.ids("courses"), merged.added, merged.problems
(['pip_course', 'afo_course'], {('courses', 'afo_course'): 'afo.yaml'}, [])
>>> clash = CatalogueAdditions.model_validate({"courses": [
...     {"id": "pip_course", "name": "Again"}]})
>>> merged = merge_additions(base, [Addition(clash, "afo.yaml", None)])
>>> print(merged.problems[0].format())  # doctest: +NORMALIZE_WHITESPACE
<library>: error[duplicate-id]: course 'pip_course' is already in the catalogue; a pathway
    file's catalogue: section adds entries, it does not change them
    hint: use the catalogue's 'pip_course' (delete this entry), give the new course its own
    id, or list 'pip_course' under 'replaces:' to change the catalogue's entry on purpose
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from .model.additions import ADDABLE, CatalogueAdditions
from .model.catalogue import Catalogue, Entry, SourceDocument
from .problems import Problem
from .yamlsource import YamlDocument

__all__ = ["SECTION_WORDS", "Addition", "Merged", "merge_additions"]

#: A catalogue section's entries in words, singular.
SECTION_WORDS = {
    "sources": "source document",
    "ranks": "rank",
    "bands": "band",
    "business_groups": "business group",
    "units": "unit",
    "roles": "role",
    "courses": "course",
    "programmes": "programme",
    "credentials": "credential",
    "assessments": "assessment",
    "endorsements": "endorsement",
    "attributes": "attribute",
}


@dataclass(frozen=True)
class Addition:
    """One file's additions, with the file's name and parsed YAML (for locations)."""

    additions: CatalogueAdditions
    file: str
    doc: YamlDocument | None


@dataclass
class Merged:
    """The catalogue with the additions, which file added each entry, and any clashes."""

    catalogue: Catalogue
    added: dict[tuple[str, str], str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def merge_additions(catalogue: Catalogue, additions: Sequence[Addition]) -> Merged:
    """``catalogue`` with every addition merged in (see the module docstring)."""
    merged = Merged(catalogue)
    sections: dict[str, list[Entry | SourceDocument]] = {
        s: list(getattr(catalogue, s)) for s in ADDABLE
    }
    new: dict[str, list[Entry | SourceDocument]] = {s: [] for s in ADDABLE}
    for addition in additions:
        used: set[str] = set()
        for section, entry in addition.additions.entries():
            existing = next((e for e in sections[section] if e.id == entry.id), None)
            other = merged.added.get((section, entry.id))
            if other is not None:
                merged.problems.append(_twice(section, entry, other))
            elif existing is None:
                new[section].append(entry)
                merged.added[(section, entry.id)] = addition.file
            elif entry.id in addition.additions.replaces:
                used.add(entry.id)
                sections[section][sections[section].index(existing)] = entry
                merged.added[(section, entry.id)] = addition.file
            else:
                merged.problems.append(_clash(section, entry, existing))
        merged.problems.extend(_unused_replaces(addition, used))
    if merged.problems:
        return merged
    update = {s: sections[s] + sorted(new[s], key=lambda e: e.id) for s in ADDABLE if new[s]}
    update |= {s: sections[s] for s in ADDABLE if s not in update}
    merged.catalogue = catalogue.model_copy(update=update)
    return merged


def _clash(
    section: str, entry: Entry | SourceDocument, existing: Entry | SourceDocument
) -> Problem:
    word = SECTION_WORDS[section]
    where = existing.location
    at = f" ({where.file}:{where.line})" if where is not None and where.line else ""
    return Problem.at(
        entry.location,
        "duplicate-id",
        f"{word} '{entry.id}' is already in the catalogue{at}; a pathway file's catalogue: "
        "section adds entries, it does not change them",
        hint=f"use the catalogue's '{entry.id}' (delete this entry), give the new {word} its "
        f"own id, or list '{entry.id}' under 'replaces:' to change the catalogue's entry "
        "on purpose",
    )


def _twice(section: str, entry: Entry | SourceDocument, other: str) -> Problem:
    word = SECTION_WORDS[section]
    return Problem.at(
        entry.location,
        "duplicate-id",
        f"{word} '{entry.id}' is also added by {other}",
        hint=f"add it in one file only: every pathway of the library can use '{entry.id}'",
    )


def _unused_replaces(addition: Addition, used: set[str]) -> list[Problem]:
    out = []
    for i, rid in enumerate(addition.additions.replaces):
        if rid in used:
            continue
        where = addition.doc.location(("catalogue", "replaces", i)) if addition.doc else None
        out.append(
            Problem.at(
                where,
                "invalid-value",
                f"'{rid}' is listed under 'replaces:' but this file adds no entry '{rid}' "
                "that the catalogue already has",
                hint="list only the ids of catalogue entries this file changes on purpose; "
                "a new id needs no 'replaces:'",
            )
        )
    return out
