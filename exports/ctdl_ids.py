"""Ids of the CTDL export: CTIDs, component and owner URIs, and the error for an unknown id."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable

from pathways.model.library import Library
from pathways.problems import CareerPathwaysError, Problem
from pathways.suggest import did_you_mean

__all__ = ["DEFAULT_BASE_URI", "UnknownStageError", "component_uri", "ctid", "owner_uri"]

DEFAULT_BASE_URI = "https://example.org/pathways/"
_CTID_PATTERN = re.compile(r"^ce-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_URI_PATTERN = re.compile(r"^https?://[^\s/]+[^\s]*$")


class UnknownStageError(CareerPathwaysError, ValueError):
    """A pathway or stage id that the library does not have, with the closest one it does."""

    def __init__(self, wanted: str, known: Iterable[str], what: str = "pathway"):
        known = list(known)
        problem = Problem(
            code="unknown-reference",
            message=f"no {what} '{wanted}' in the library",
            suggestion=did_you_mean(wanted, known),
            hint=f"{what}s: " + ", ".join(known),
        )
        self.problems = [problem]
        guess = f"; did you mean '{problem.suggestion}'?" if problem.suggestion else ""
        super().__init__(f"{problem.message}{guess}; {problem.hint}")


# A fixed namespace, so the same name always gives the same UUID on every machine.
_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:career-pathways:exports:ctdl")


def ctid(
    library: Library, pathway_id: str, stage_id: str | None = None, *, stable: bool = False
) -> str:
    """The CTID of a pathway (``stage_id`` None) or of one of its stages.

    ``ce-`` and a UUID made (version 5) from the library's content hash and the
    stage's key, so an id names one stage *in one version of the rules*, as a
    CTID names one version of a resource. With ``stable``, the catalogue id is
    used instead of the hash: ids then survive rule changes (for diffing
    versions), but no longer tell versions apart.

    >>> from pathways import SHIPPED_LIBRARY, load_library
    >>> lib = load_library([SHIPPED_LIBRARY])
    >>> ctid(lib, "pip", "level_1") == ctid(lib, "pip", "level_1")
    True
    >>> ctid(lib, "pip", "level_1").startswith("ce-"), len(ctid(lib, "pip"))
    (True, 39)
    """
    scope = f"catalogue:{library.catalogue.id}" if stable else f"library:{library.digest}"
    name = f"{scope}|{pathway_id}" + (f".{stage_id}" if stage_id is not None else "")
    return f"ce-{uuid.uuid5(_NAMESPACE, name)}"


def component_uri(
    library: Library,
    pathway_id: str,
    stage_id: str,
    base_uri: str = DEFAULT_BASE_URI,
    *,
    stable: bool = False,
) -> str:
    """The ``@id`` of a stage's component: ``base_uri`` followed by its CTID."""
    return base_uri + ctid(library, pathway_id, stage_id, stable=stable)


def owner_uri(owner: str, base_uri: str = DEFAULT_BASE_URI) -> str:
    """The ``ceterms:ownedBy`` URI for ``owner``: an http(s) URI, or a CTID under ``base_uri``.

    >>> owner_uri("https://police.example/org")
    'https://police.example/org'
    >>> owner_uri("ce-3c5dd3f8-4c36-4b43-8b1f-0f0e3ba1b2a7", "https://registry.example/resources/")
    'https://registry.example/resources/ce-3c5dd3f8-4c36-4b43-8b1f-0f0e3ba1b2a7'
    >>> owner_uri("Example Police")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: 'Example Police' is neither an http(s) URI nor a CTID (ce- and a UUID): ...
    """
    value = owner.strip()
    if _CTID_PATTERN.match(value.lower()):
        return base_uri + value.lower()
    if _URI_PATTERN.match(value):
        return value
    raise ValueError(
        f"'{owner}' is neither an http(s) URI nor a CTID (ce- and a UUID): "
        "give the owning organisation's URI in the registry"
    )
