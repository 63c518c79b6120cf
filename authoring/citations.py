"""Every rule of a library beside the words it cites: what ``pathways sources`` lists.

For review: each pathway, stage, requirement, progression and catalogue entry that
cites a source, with the citation and the start of the cited text (or the words it
quotes) from the library's source index, and its dates' citation if it has dates.
Requirements nested in a combinator without a source of their own are listed under
it, marked as citing what it cites. ``docs/sources.md`` is this listing of the shipped
library (``pathways sources --format markdown``; a test keeps it current).

>>> from pathways import SHIPPED_LIBRARY, load_library
>>> rows = list_citations(load_library([SHIPPED_LIBRARY]))
>>> gateway = [r for r in rows if r.where == "work_based_assessment.gateway"][0]
>>> gateway.cited[0].place, gateway.cited[0].units
('002 rec 15-17 October 2008 update', ['rec 15-17 October 2008 update'])
>>> gateway.cited[0].excerpt.startswith('\u2026 A rigorous "gateway" selection process')
True
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

from pathways.citations import Citation, parse_citations, quote_in, resolve
from pathways.model.catalogue import VOCABULARY
from pathways.model.library import Library
from pathways.model.pathway import Pathway, Stage
from pathways.model.requirements import LocatedModel, Not, Requirement
from pathways.model.sources import SourceIndex
from pathways.sourceindex import source_index_of
from rules.wording import Words

__all__ = ["CitedText", "RuleCitation", "list_citations", "to_json", "to_markdown", "to_text"]

EXCERPT = 220  # characters of cited text shown when the citation quotes nothing
CONTEXT = 400  # characters of the sentences around quoted words


@dataclass(frozen=True)
class CitedText:
    """One citation of a rule, and what it found in the index."""

    citation: str
    document: str | None  # None: illustrative
    place: str = ""  # "003 para 5": where, without the quote
    units: list[str] = field(default_factory=list)
    excerpt: str | None = None  # the quoted words, or the start of the cited text
    note: str | None = None
    found: bool | None = None  # None: the document has no index (or it is illustrative)


@dataclass(frozen=True)
class RuleCitation:
    """A rule (or a stage, pathway, progression, catalogue entry) and what it cites."""

    where: str  # pathway.stage, pathway, or catalogue.section.id
    path: str  # e.g. requires[1].any_of[0]; "" for the stage, pathway or entry itself
    what: str  # the rule in words
    field: str  # "source" or "effective_source"
    source: str | None
    cited: list[CitedText]
    inherited: bool = False  # cites what the combinator around it cites
    file: str | None = None
    line: int | None = None
    dates: str | None = None  # "from 2008-06-01", for effective_source rows

    @property
    def illustrative_only(self) -> bool:
        return bool(self.cited) and all(c.document is None for c in self.cited)


def _excerpt(text: str, most: int = EXCERPT) -> str:
    flat = " ".join(text.split())
    if len(flat) <= most:
        return flat
    cut = flat[:most].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + " \u2026"


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+|\n+", text) if s.strip()]


def _in_context(quote: str, text: str) -> str:
    """The fewest sentences of ``text`` that hold the quoted words, so a reviewer reads
    them in their setting (the document's own words, not the quote again)."""
    sentences = _sentences(text)
    for last in range(len(sentences)):
        for first in range(last, -1, -1):
            if quote_in(quote, " ".join(sentences[first : last + 1])):
                shown = _excerpt(" ".join(sentences[first : last + 1]), CONTEXT)
                before = "\u2026 " if first > 0 else ""
                more = last + 1 < len(sentences) and not shown.endswith("\u2026")
                return before + shown + (" \u2026" if more else "")
    return _excerpt(text)  # not found sentence by sentence: show the start


def _cite(citation: Citation, index: SourceIndex | None) -> CitedText:
    if citation.illustrative:
        return CitedText(citation.describe(), None, note=citation.note)
    place = f"{citation.document} {citation.locator}".strip()
    document = index.document(citation.document) if index is not None else None
    if document is None:
        return CitedText(citation.describe(), citation.document, place, note=citation.note)
    found = resolve(citation, document)
    excerpt = None
    if found.units:
        quoted = citation.quote and found.quote_found
        excerpt = _in_context(citation.quote or "", found.text) if quoted else _excerpt(found.text)
    return CitedText(
        citation.describe(),
        citation.document,
        place,
        [u.ref for u in found.units],
        excerpt,
        citation.note,
        found.ok,
    )


def _dates(item: Any) -> str | None:
    return _window(item.effective_from, item.effective_to)


def _window(start: Any, end: Any) -> str | None:
    if start and end:
        return f"from {start} to {end}"
    if start:
        return f"from {start}"
    return f"until {end}" if end else None


class _Lister:
    def __init__(self, library: Library):
        self.library = library
        self.index, _ = source_index_of(library)
        self.words = Words(library)
        self.rows: list[RuleCitation] = []

    def add(
        self,
        item: LocatedModel,
        where: str,
        path: str,
        what: str,
        source: str | None,
        inherited: bool = False,
    ) -> None:
        loc = item.location
        cited = [_cite(c, self.index) for c in parse_citations(source or "")]
        row = RuleCitation(
            where,
            path,
            what,
            "source",
            source,
            cited,
            inherited,
            loc.file if loc else None,
            loc.line if loc else None,
        )
        self.rows.append(row)
        dated = _dates(item) if hasattr(item, "effective_from") else None
        cited_dates = getattr(item, "effective_source", None)
        if dated or cited_dates:
            self.rows.append(
                RuleCitation(
                    where,
                    path,
                    f"in force {dated}" if dated else what,
                    "effective_source",
                    cited_dates,
                    [_cite(c, self.index) for c in parse_citations(cited_dates or "")],
                    False,
                    row.file,
                    row.line,
                    dated,
                )
            )

    def requirement(
        self, req: Requirement, pathway: Pathway, stage: Stage, path: str, inherited: str | None
    ) -> None:
        where = f"{pathway.id}.{stage.id}"
        own = req.source
        self.add(req, where, path, self.words.text(req, pathway.id), own or inherited, not own)
        children = req.children()
        key = "not" if isinstance(req, Not) else {"at_least": "of"}.get(req.kind, req.kind)
        for i, child in enumerate(children):
            child_path = f"{path}.{key}" if isinstance(req, Not) else f"{path}.{key}[{i}]"
            self.requirement(child, pathway, stage, child_path, own or inherited)

    def run(self) -> list[RuleCitation]:
        for pathway in self.library.pathways.values():
            self.add(pathway, pathway.id, "", pathway.name, pathway.source)
            for stage in pathway.stages:
                where = f"{pathway.id}.{stage.id}"
                self.add(stage, where, "", stage.name, stage.source)
                for i, req in enumerate(stage.requires):
                    self.requirement(req, pathway, stage, f"requires[{i}]", None)
            for prog in pathway.progressions:
                if prog.source or prog.effective_source:
                    where = f"{pathway.id}: {prog.from_} -> {prog.to}"
                    self.add(prog, where, "", "progression", prog.source)
        cat = self.library.catalogue
        for section in VOCABULARY:
            for entry in getattr(cat, section):
                if entry.source:
                    self.add(entry, f"catalogue.{section}", entry.id, entry.name, entry.source)
                for period in getattr(entry, "business_groups", None) or ():
                    if period.source:
                        dates = _window(period.from_, period.to)
                        what = f"in {period.business_group}" + (f" {dates}" if dates else "")
                        self.add(period, f"catalogue.{section}", entry.id, what, period.source)
        return self.rows


def list_citations(library: Library) -> list[RuleCitation]:
    """Every cited item of ``library`` in file order: pathways, then the catalogue."""
    return _Lister(library).run()


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _cited_words(row: RuleCitation) -> list[str]:
    out = []
    for c in row.cited:
        if c.document is None:
            continue
        if c.found is False:
            out.append(f"{c.citation}: NOT FOUND in the source index")
        elif c.excerpt:
            out.append(f"{c.place}: {c.excerpt}")
        else:
            out.append(f"{c.place}: (no index of document {c.document})")
    return out


def to_text(rows: list[RuleCitation]) -> str:
    """For a terminal: each rule, its citation, and the cited words indented below it."""
    lines: list[str] = []
    last = None
    for row in rows:
        if row.where != last:
            lines += ["", row.where]
            last = row.where
        label = f"{row.path}: " if row.path else ""
        field_name = "dates" if row.field == "effective_source" else "source"
        lines.append(f"  {label}{row.what}")
        if row.inherited and row.field == "source":
            lines.append(f"      {field_name}: as above ({row.source or 'none'})")
            continue
        lines.append(f"      {field_name}: {row.source or '(none)'}")
        lines += [f"        {w}" for w in _cited_words(row)]
    return "\n".join(lines).lstrip("\n") + "\n"


MARKDOWN_HEAD = """\
# The shipped library beside its sources

Every pathway, stage and rule of the shipped library with what it cites, and the start of
the cited text (or the words it quotes) from the source documents in
`../shared/domain/sources/` (archived MPA papers, 2005-2010). Made by
`pathways sources --format markdown > docs/sources.md`; `tests/test_sources.py` fails
when it is out of date. The units a citation may name are those of
`pathways/library/sources.yaml`, made from the documents by `scripts/index_sources.py`;
docs/language.md ("Sources" and "Source index") says how citations are written and
checked.

**Illustrative** marks a value the sources do not give: the library chose it, and it is
not official MPS policy. A rule citing a document *and* "illustrative" takes part of
what it says from the document and goes beyond it where the note says. "Dates" rows
cite where a rule's effective dates come from. Rows marked "as above" are inside a
combinator and cite what it cites.
"""


def to_markdown(rows: list[RuleCitation], library: Library) -> str:
    """The listing as a Markdown page: a table per pathway, then the catalogue."""
    total = [r for r in rows if not r.inherited and r.field == "source"]
    summary = (
        f"{len(total)} citations: {sum(not r.illustrative_only for r in total)} cite a source "
        f"document, {sum(r.illustrative_only for r in total)} are illustrative only; "
        f"{sum(r.field == 'effective_source' for r in rows)} dated rules cite their dates.\n"
    )
    out = [MARKDOWN_HEAD, summary]
    groups: dict[str, list[RuleCitation]] = {}
    for row in rows:
        key = row.where.split(".")[0].split(":")[0]
        groups.setdefault(key, []).append(row)
    for key, group in groups.items():
        title = "Catalogue" if key == "catalogue" else f"{library.pathways[key].name} (`{key}`)"
        out += [f"## {title}", "", "| where | rule | cites | cited text |", "| --- " * 4 + "|"]
        for row in group:
            where = row.where.removeprefix(f"{key}.") if row.where != key else "pathway"
            where = f"{where} {row.path}".strip()
            what = ("dates: " if row.field == "effective_source" else "") + row.what
            if row.inherited and row.field == "source":
                cites, words = "as above", ""
            else:
                cites = "<br>".join(f"`{_cell(c.citation)}`" for c in row.cited) or "(none)"
                words = "<br>".join(_cell(w) for w in _cited_words(row))
            out.append(f"| {_cell(where)} | {_cell(what)} | {cites} | {words} |")
        out.append("")
    return "\n".join(out)


def to_json(rows: list[RuleCitation]) -> list[dict[str, Any]]:
    return [asdict(r) for r in rows]
