"""Citations: what a ``source:`` says, and the units of the source index it points at.

A ``source`` is one or more parts separated by ``;``. Each part is a citation,
``DOC LOCATOR ["quoted words"] [(a note)]``, or ``illustrative[: why]``, which takes the
rest of the text (so the reason may itself contain ``;``):

>>> [c.describe() for c in parse_citations('001 para 35; 002 rec 15-17 "6-month assessment"')]
['001 para 35', '002 rec 15-17 "6-month assessment"']
>>> c = parse_citations("002 rec 9; illustrative: the start date is the library's; not FSL's")
>>> c[1].illustrative, c[1].note
(True, "the start date is the library's; not FSL's")
>>> parse_citations("003 header (report by the Commissioner)")[0].note
'report by the Commissioner'

Locators are compared without regard to case, spacing, dash style or the spelling of
``para``/``paragraph`` and ``rec``/``recommendation``; a range (``para 10-13``) or a list
(``para 34, 35``) needs every unit in it:

>>> normal_ref("Paragraphs 34 \u2013 35"), expand_locator("para 34-36")
('para 34-35', ['para 34', 'para 35', 'para 36'])
>>> quote_in("the MPS\u2019s  Senior", "the MPS's senior leadership team")
True
>>> quote_in("two assessors ... three officers", "with two assessors, then three officers")
True
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .model.sources import IndexedDocument, Unit

__all__ = [
    "ILLUSTRATIVE",
    "Citation",
    "Resolution",
    "expand_locator",
    "normal_ref",
    "normal_text",
    "parse_citations",
    "quote_in",
    "resolve",
]

ILLUSTRATIVE = "illustrative"
_QUOTES = {"\u201c": '"', "\u201d": '"', "\u2018": "'", "\u2019": "'", "`": "'"}
_WORDS = (
    (r"\bparagraphs?\b|\bparas\b", "para"),
    (r"\brecommendations?\b|\brecs\b", "rec"),
    (r"\bappendices\b", "appendix"),
    (r"\bsections\b", "section"),
)
_SERIES = re.compile(r"^(?P<prefix>.*?\b(?:para|rec))\s+(?P<numbers>\d+(?:\s*(?:,|-|and)\s*\d+)+)$")
MAX_RANGE = 60  # a longer range is a typo, not a citation


@dataclass(frozen=True)
class Citation:
    """One part of a ``source``: a document and a place in it, or 'illustrative'."""

    document: str  # a catalogue source id, or "illustrative"
    locator: str = ""  # as written, e.g. "rec 9 November 2009 update"
    quote: str | None = None  # words the cited text must contain
    note: str | None = None  # the illustrative reason, or a (parenthesised) comment

    @property
    def illustrative(self) -> bool:
        return self.document == ILLUSTRATIVE

    def describe(self) -> str:
        if self.illustrative:
            return ILLUSTRATIVE + (f": {self.note}" if self.note else "")
        out = f"{self.document} {self.locator}".strip()
        if self.quote:
            out += f' "{self.quote}"'
        return out


def _split(text: str) -> list[str]:
    """Split on ';' outside double quotes; an 'illustrative' part keeps the rest."""
    if text.strip().lower().startswith(ILLUSTRATIVE):
        return [text.strip()]
    parts: list[str] = []
    current: list[str] = []
    quoted = False
    for i, ch in enumerate(text):
        if ch in '"\u201c\u201d':
            quoted = not quoted
        if ch == ";" and not quoted:
            parts.append("".join(current))
            current = []
            if text[i + 1 :].strip().lower().startswith(ILLUSTRATIVE):
                parts.append(text[i + 1 :])
                return [p.strip() for p in parts if p.strip()]
            continue
        current.append(ch)
    parts.append("".join(current))
    return [p.strip() for p in parts if p.strip()]


def parse_citations(text: str) -> list[Citation]:
    """Every part of a ``source`` text, in order (see the module docstring)."""
    out: list[Citation] = []
    for part in _split(text):
        if part.lower().startswith(ILLUSTRATIVE):
            reason = part[len(ILLUSTRATIVE) :].lstrip(" :-").strip()
            out.append(Citation(ILLUSTRATIVE, note=reason or None))
            continue
        doc, _, rest = part.partition(" ")
        note: str | None = None
        rest = rest.strip()
        found = re.search(r"\(([^()]*)\)\s*$", rest)
        if found:
            note = found.group(1).strip() or None
            rest = rest[: found.start()].strip()
        quote = None
        found = re.search(r"[\"\u201c]([^\"\u201c\u201d]*)[\"\u201d]", rest)
        if found:
            quote = found.group(1).strip() or None
            rest = (rest[: found.start()] + rest[found.end() :]).strip()
        out.append(Citation(doc, rest, quote, note))
    return out


def normal_ref(locator: str) -> str:
    """A locator in the one form index lookups compare."""
    text = locator.strip().lower()
    for char, plain in _QUOTES.items():
        text = text.replace(char, plain)
    text = re.sub(r"[\u2010-\u2015]", "-", text)
    for pattern, word in _WORDS:
        text = re.sub(pattern, word, text)
    text = re.sub(r"\s*-\s*", "-", text)
    text = re.sub(r"\s*,\s*", ", ", text)
    return re.sub(r"\s+", " ", text).strip(" .:")


def expand_locator(locator: str) -> list[str]:
    """The normal refs a locator asks for: one, or each of a range or list."""
    ref = normal_ref(locator)
    series = _SERIES.match(ref)
    if series is None:
        return [ref]
    numbers: list[int] = []
    for piece in re.split(r"\s*(?:,|and)\s*", series["numbers"]):
        low, _, high = piece.partition("-")
        first, last = int(low), int(high or low)
        if last < first or last - first > MAX_RANGE:
            return [ref]
        numbers.extend(range(first, last + 1))
    return [f"{series['prefix']} {n}" for n in dict.fromkeys(numbers)]


def normal_text(text: str) -> str:
    """Text as quotes are matched in it: one case, plain quotes and dashes, single spaces."""
    text = text.lower()
    for char, plain in _QUOTES.items():
        text = text.replace(char, plain)
    text = re.sub(r"[\u2010-\u2015]", "-", text)
    return re.sub(r"\s+", " ", text).strip()


def quote_in(quote: str, text: str) -> bool:
    """True if every piece of ``quote`` (split at '...') is in ``text``, in order."""
    haystack = normal_text(text)
    at = 0
    for piece in re.split(r"\.\.\.|\u2026", quote):
        needle = normal_text(piece).strip(" '\"")
        if not needle:
            continue
        found = haystack.find(needle, at)
        if found < 0:
            return False
        at = found + len(needle)
    return True


@dataclass
class Resolution:
    """What a citation found in its document's index."""

    units: list[Unit] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # normal refs not in the index
    quote_found: bool | None = None  # None: no quote to look for

    @property
    def ok(self) -> bool:
        return not self.missing and self.quote_found is not False

    @property
    def text(self) -> str:
        return "\n\n".join(u.text for u in self.units)


def _lookup(document: IndexedDocument) -> dict[str, Unit]:
    table: dict[str, Unit] = {}
    for unit in document.units:
        for ref in unit.refs():
            table.setdefault(normal_ref(ref), unit)
    return table


_TABLES: dict[int, tuple[IndexedDocument, dict[str, Unit]]] = {}


def resolve(citation: Citation, document: IndexedDocument) -> Resolution:
    """The units ``citation`` points at in ``document``, and what it names that is not there."""
    cached = _TABLES.get(id(document))
    if cached is None or cached[0] is not document:
        if len(_TABLES) > 64:  # libraries come and go in a long-lived process
            _TABLES.clear()
        cached = (document, _lookup(document))
        _TABLES[id(document)] = cached
    table = cached[1]
    result = Resolution()
    whole = table.get(normal_ref(citation.locator))
    wanted = [normal_ref(citation.locator)] if whole else expand_locator(citation.locator)
    for ref in wanted:
        unit = table.get(ref)
        if unit is None:
            result.missing.append(ref)
        elif unit not in result.units:
            result.units.append(unit)
    if citation.quote and not result.missing:
        result.quote_found = quote_in(citation.quote, result.text)
    return result
