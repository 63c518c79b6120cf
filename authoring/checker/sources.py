"""Every rule cites where it comes from, and every citation points at real text.

A ``source`` (and an ``effective_source``, which cites where a rule's dates come from)
is one or more citations (:mod:`pathways.citations`): ``"002 rec 9"``,
``"001 para 35; 002 rec 15-17"``, ``'003 Appendix 1 "go live ... in April 2004"'``, or
``"illustrative: why"``. The document must be one of the catalogue's sources and the
citation must say where in it. If the library has a source index
(:mod:`pathways.model.sources`) with that document, the place must be one of its units
and quoted words must be in the unit's text: otherwise ``unknown-citation`` or
``misquoted-source``, an error if the index says it is complete (``unknown: error``,
as the shipped one does), a warning if not.

>>> parse_source("002 rec 9")
('002', 'rec 9')
>>> parse_source("illustrative: durations are not in the sources")
('illustrative', 'durations are not in the sources')
>>> parse_source("002")
('002', '')
"""

from __future__ import annotations

from pathways.citations import ILLUSTRATIVE, Citation, normal_ref, parse_citations, resolve
from pathways.model.catalogue import VOCABULARY
from pathways.model.library import Library
from pathways.model.obligation import Obligation
from pathways.model.pathway import Pathway, Stage
from pathways.model.requirements import BaseRequirement, LocatedModel, walk
from pathways.model.sources import OnUnknown, SourceIndex
from pathways.problems import Severity
from pathways.sourceindex import source_index_of
from pathways.suggest import did_you_mean

from .context import Reporter, describe

__all__ = ["ILLUSTRATIVE", "check_sources", "parse_source", "unindexed_documents"]


def parse_source(text: str) -> tuple[str, str]:
    """(document id, locator) of a source's first citation; 'illustrative' is its own document."""
    first = (parse_citations(text) or [Citation(ILLUSTRATIVE)])[0]
    if first.illustrative:
        return ILLUSTRATIVE, first.note or ""
    return first.document, first.locator


class _Sources:
    """What a citation is checked against: the catalogue's documents and the index."""

    def __init__(self, rep: Reporter):
        self.rep = rep
        self.docs = rep.library.catalogue.ids("sources")
        index, problems = source_index_of(rep.library)
        rep.problems.extend(problems)
        self.index: SourceIndex | None = index
        if index is not None:
            self._check_index(index)

    def _check_index(self, index: SourceIndex) -> None:
        for document in index.documents:
            if document.id not in self.docs:
                self.rep.add(
                    document,
                    "unknown-reference",
                    f"the source index has document '{document.id}', which is not one of "
                    "the catalogue's sources",
                    suggestion=did_you_mean(document.id, self.docs),
                    severity=Severity.WARNING,
                    hint="add it to the catalogue's 'sources', or correct the id",
                )
            seen: dict[str, str] = {}
            for unit in document.units:
                for ref in unit.refs():
                    key = " ".join(ref.lower().split())
                    if key in seen:
                        self.rep.add(
                            unit,
                            "duplicate-id",
                            f"document '{document.id}' of the source index has the unit "
                            f"'{ref}' twice",
                            hint="give each unit its own ref",
                        )
                    seen[key] = ref

    def check(
        self,
        item: LocatedModel,
        text: str,
        pathway: Pathway | None,
        stage: Stage | None = None,
        field: str = "source",
    ) -> None:
        citations = parse_citations(text)
        if not citations:
            self.rep.add(
                item,
                "invalid-source",
                f"{field} '{text}' cites nothing",
                pathway=pathway,
                stage=stage,
                hint="write '\"<doc> <paragraph>\"' (e.g. \"002 rec 9\"), or 'illustrative: why'",
            )
        for citation in citations:
            if not citation.illustrative:
                self._citation(item, text, citation, pathway, stage, field)

    def _citation(
        self,
        item: LocatedModel,
        text: str,
        citation: Citation,
        pathway: Pathway | None,
        stage: Stage | None,
        field: str,
    ) -> None:
        doc = citation.document
        if doc not in self.docs:
            self.rep.add(
                item,
                "unknown-reference",
                f"{field} '{text}' names unknown document '{doc}'",
                pathway=pathway,
                stage=stage,
                suggestion=did_you_mean(doc, self.docs),
                hint=f"documents in the catalogue's sources: {', '.join(self.docs)}; "
                "or write 'illustrative'",
            )
            return
        if not citation.locator:
            self.rep.add(
                item,
                "invalid-source",
                f"{field} '{text}' names a document but no paragraph",
                pathway=pathway,
                stage=stage,
                hint=f"say where in it, e.g. '{doc} para 12' or '{doc} rec 9'",
            )
            return
        document = self.index.document(doc) if self.index is not None else None
        if document is None:
            return  # no index of this document: the place cannot be checked
        assert self.index is not None
        severity = Severity.ERROR if self.index.unknown is OnUnknown.ERROR else Severity.WARNING
        found = resolve(citation, document)
        if found.missing:
            refs = [u.ref for u in document.units]
            missing = found.missing[0]
            if [missing] == [normal_ref(citation.locator)]:
                missing = citation.locator  # as written, not as compared
            self.rep.add(
                item,
                "unknown-citation",
                f"{field} '{text}': document {doc} has no {missing}",
                pathway=pathway,
                stage=stage,
                severity=severity,
                suggestion=did_you_mean(missing, refs),
                hint=f"cite one of the units the source index lists for {doc} "
                f"('pathways sources' shows them), or write 'illustrative: why'",
            )
        elif found.quote_found is False:
            self.rep.add(
                item,
                "misquoted-source",
                f"{field} '{text}': the words \"{citation.quote}\" are not in "
                f"{doc} {citation.locator}",
                pathway=pathway,
                stage=stage,
                severity=severity,
                hint="quote the document's words exactly ('...' may stand for words left out), "
                "or cite the unit they are in",
            )


def unindexed_documents(library: Library) -> list[str]:
    """Documents the library cites that its source index (if any) does not have: their
    citations name a place, but nothing checks that the place exists."""
    index, _ = source_index_of(library)
    indexed = {d.id for d in index.documents} if index is not None else set()
    known = set(library.catalogue.ids("sources"))
    cited: dict[str, None] = {}
    texts = [e.source for s in VOCABULARY for e in getattr(library.catalogue, s)]
    for pathway in library.pathways.values():
        texts.append(pathway.source)
        for stage in pathway.stages:
            texts += [stage.source, stage.effective_source]
            texts += [r.source for top in stage.requires for r, _ in walk(top)]
            texts += [r.effective_source for top in stage.requires for r, _ in walk(top)]
        for obligation in pathway.obligations:
            texts.append(obligation.source)
            tops = [top for _path, top in obligation.requirements()]
            texts += [r.source for top in tops for r, _ in walk(top)]
    for text in texts:
        for citation in parse_citations(text or ""):
            if not citation.illustrative and citation.document in known:
                cited[citation.document] = None
    return sorted(d for d in cited if d not in indexed)


def check_sources(rep: Reporter) -> None:
    sources = _Sources(rep)
    for section in VOCABULARY:
        for entry in getattr(rep.library.catalogue, section):
            if entry.source:
                sources.check(entry, entry.source, None)
    for unit in rep.library.catalogue.units:
        for period in unit.business_groups:
            if period.source:
                sources.check(period, period.source, None)
    for pathway in rep.library.pathways.values():
        _cited(rep, sources, pathway, pathway.source, pathway, f"pathway '{pathway.id}'")
        for stage in pathway.stages:
            _cited(rep, sources, stage, stage.source, pathway, f"stage '{stage.id}'", stage)
            _dates(sources, stage, pathway, stage)
            for req in stage.requires:
                _requirement(rep, sources, req, None, pathway, stage)
        for prog in pathway.progressions:
            if prog.source:
                sources.check(prog, prog.source, pathway)
            _dates(sources, prog, pathway, None)
        for obligation in pathway.obligations:
            _obligation(rep, sources, obligation, pathway)


def _obligation(rep: Reporter, sources: _Sources, obligation: Obligation, pathway: Pathway) -> None:
    # One warning for the obligation: its requirements take its source (it is one rule).
    what = f"obligation '{obligation.id}'"
    _cited(rep, sources, obligation, obligation.source, pathway, what)
    for _path, top in obligation.requirements():
        for req, _negated in walk(top):
            if req.source:
                sources.check(req, req.source, pathway)
            _dates(sources, req, pathway, None)


def _dates(sources: _Sources, item: LocatedModel, pathway: Pathway, stage: Stage | None) -> None:
    cited = getattr(item, "effective_source", None)
    if cited:
        sources.check(item, cited, pathway, stage, field="effective_source")


def _requirement(
    rep: Reporter,
    sources: _Sources,
    req: BaseRequirement,
    inherited: str | None,
    pathway: Pathway,
    stage: Stage | None,
) -> None:
    if req.source:
        sources.check(req, req.source, pathway, stage)
    _dates(sources, req, pathway, stage)
    own = req.source or inherited
    children = req.children()
    if own is None and not children:
        rep.add(
            req,
            "missing-source",
            f"requirement '{describe(req)}' cites no source",
            pathway=pathway,
            stage=stage,
            severity=Severity.WARNING,
            hint='add \'source: "<doc> <paragraph>"\' (e.g. "002 rec 9"), or '
            "'source: illustrative' if the sources do not give it",
        )
    for child in children:
        _requirement(rep, sources, child, own, pathway, stage)


def _cited(
    rep: Reporter,
    sources: _Sources,
    item: LocatedModel,
    source: str | None,
    pathway: Pathway,
    what: str,
    stage: Stage | None = None,
) -> None:
    if source is None:
        rep.add(
            item,
            "missing-source",
            f"{what} cites no source",
            pathway=pathway,
            stage=stage,
            severity=Severity.WARNING,
            hint="add 'source: \"<doc> <paragraph>\"' or 'source: illustrative'",
        )
    else:
        sources.check(item, source, pathway, stage)
