"""Words and small JSON-LD values of the CTDL export: language maps, identifiers, windows.

>>> window_words(dt.date(2010, 4, 1), None)
' (in force from 2010-04-01)'
>>> with_source("Holds PIP level 2", "003 Appendix 1")
'Holds PIP level 2. Source: 003 Appendix 1.'
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

__all__ = [
    "EXTENSION_PREFIX",
    "LANGUAGE",
    "LIFE_CYCLE_STATUS",
    "JsonDict",
    "identifier",
    "iso",
    "lang",
    "life_cycle_status",
    "sentence",
    "uris",
    "window",
    "window_terms",
    "window_words",
    "with_source",
]

JsonDict = dict[str, Any]
LANGUAGE = "en"

#: The project's namespace prefix for what CTDL has no term for (``extensions=True``).
EXTENSION_PREFIX = "pathways"

#: ``ceterms:lifeCycleStatusType``: the concept of CTDL's LifeCycleStatus scheme.
LIFE_CYCLE_STATUS = "lifeCycle:Active"


def lang(text: str) -> dict[str, str]:
    """A CTDL language map."""
    return {LANGUAGE: " ".join(text.split())}


def uris(values: Iterable[str]) -> list[str]:
    """Distinct URIs, sorted (the same rules give the same document)."""
    return sorted(set(values))


def identifier(type_name: str, value: str) -> JsonDict:
    """A ``ceterms:IdentifierValue``."""
    return {
        "@type": "ceterms:IdentifierValue",
        "ceterms:identifierTypeName": lang(type_name),
        "ceterms:identifierValueCode": value,
    }


def life_cycle_status() -> JsonDict:
    """``lifeCycle:Active`` as the CredentialAlignmentObject CTDL's range asks for."""
    return {
        "@type": "ceterms:CredentialAlignmentObject",
        "ceterms:framework": "https://credreg.net/ctdl/terms/LifeCycleStatus",
        "ceterms:frameworkName": lang("Life Cycle Status"),
        "ceterms:targetNode": LIFE_CYCLE_STATUS,
        "ceterms:targetNodeName": lang("Active"),
    }


def iso(day: dt.date | None) -> str | None:
    """A date as ISO 8601 text, or None."""
    return day.isoformat() if day is not None else None


def window_terms(start: dt.date | None, end: dt.date | None) -> dict[str, str | None]:
    """An effective window as ``effectiveFrom`` / ``effectiveTo`` values."""
    return {"effectiveFrom": iso(start), "effectiveTo": iso(end)}


def window(start: dt.date | None, end: dt.date | None) -> JsonDict:
    """The ``pathways:`` effective-date terms of a window that has them."""
    return {
        f"{EXTENSION_PREFIX}:{key}": value
        for key, value in window_terms(start, end).items()
        if value is not None
    }


def sentence(text: str) -> str:
    """``text`` with its whitespace tidied and a full stop at the end."""
    text = " ".join(text.split())
    return text if text.endswith((".", "!", "?")) else f"{text}."


def with_source(text: str, source: str | None) -> str:
    """``text``, then where the rule comes from, if it says."""
    return f"{sentence(text)} Source: {source}." if source else " ".join(text.split())


def window_words(start: dt.date | None, end: dt.date | None) -> str:
    """`` (in force from ...)`` to append to a description; empty if not dated."""
    if start is not None and end is not None:
        return f" (in force from {start} to {end})"
    if start is not None:
        return f" (in force from {start})"
    if end is not None:
        return f" (in force until {end})"
    return ""
