"""Every rule cites where it comes from: a source document and paragraph, or 'illustrative'.

>>> parse_source("002 rec 9")
('002', 'rec 9')
>>> parse_source("illustrative: durations are not in the sources")
('illustrative', 'durations are not in the sources')
>>> parse_source("002")
('002', '')
"""

from __future__ import annotations

from pathways.model.catalogue import VOCABULARY
from pathways.model.pathway import Pathway, Stage
from pathways.model.requirements import BaseRequirement, LocatedModel
from pathways.problems import Severity
from pathways.suggest import did_you_mean

from .context import Reporter, describe

ILLUSTRATIVE = "illustrative"


def parse_source(text: str) -> tuple[str, str]:
    """Split a source into (document id, locator); 'illustrative' is its own document."""
    text = text.strip()
    if text.lower().startswith(ILLUSTRATIVE):
        return ILLUSTRATIVE, text[len(ILLUSTRATIVE) :].lstrip(" :-").strip()
    doc, _, locator = text.partition(" ")
    return doc, locator.strip()


def check_sources(rep: Reporter) -> None:
    docs = rep.library.catalogue.ids("sources")
    for section in VOCABULARY:
        for entry in getattr(rep.library.catalogue, section):
            if entry.source:
                _valid(rep, entry, entry.source, docs, None)
    for pathway in rep.library.pathways.values():
        _cited(rep, pathway, pathway.source, docs, pathway, f"pathway '{pathway.id}'")
        for stage in pathway.stages:
            _cited(rep, stage, stage.source, docs, pathway, f"stage '{stage.id}'", stage)
            for req in stage.requires:
                _requirement(rep, req, None, docs, pathway, stage)
        for prog in pathway.progressions:
            if prog.source:
                _valid(rep, prog, prog.source, docs, pathway)


def _requirement(
    rep: Reporter,
    req: BaseRequirement,
    inherited: str | None,
    docs: list[str],
    pathway: Pathway,
    stage: Stage | None,
) -> None:
    if req.source:
        _valid(rep, req, req.source, docs, pathway)
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
        _requirement(rep, child, own, docs, pathway, stage)


def _cited(
    rep: Reporter,
    item: LocatedModel,
    source: str | None,
    docs: list[str],
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
        _valid(rep, item, source, docs, pathway)


def _valid(
    rep: Reporter, item: LocatedModel, source: str, docs: list[str], pathway: Pathway | None
) -> None:
    doc, locator = parse_source(source)
    if doc == ILLUSTRATIVE:
        return
    if doc not in docs:
        rep.add(
            item,
            "unknown-reference",
            f"source '{source}' names unknown document '{doc}'",
            pathway=pathway,
            suggestion=did_you_mean(doc, docs),
            hint=f"documents in the catalogue's sources: {', '.join(docs)}; "
            "or write 'illustrative'",
        )
    elif not locator:
        rep.add(
            item,
            "invalid-source",
            f"source '{source}' names a document but no paragraph",
            pathway=pathway,
            hint=f"say where in it, e.g. '{doc} para 12' or '{doc} rec 9'",
        )


def cited(
    rep: Reporter,
    item: LocatedModel,
    source: str | None,
    pathway: Pathway,
    what: str,
    stage: Stage | None = None,
) -> None:
    """``item`` cites a source (a warning if not), and the source is well formed."""
    _cited(rep, item, source, rep.library.catalogue.ids("sources"), pathway, what, stage)


def valid_source(rep: Reporter, item: LocatedModel, source: str, pathway: Pathway) -> None:
    """``source`` names a document of the catalogue and a place in it, or is illustrative."""
    _valid(rep, item, source, rep.library.catalogue.ids("sources"), pathway)
