"""The shipped library: complete, clean, and every rule cites where it comes from."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from authoring.checker import check
from authoring.checker.sources import ILLUSTRATIVE, parse_source
from pathways import Library
from pathways.model.requirements import AllOf, BaseRequirement, ReachedRequirement, walk

SOURCES_DIR = Path(__file__).resolve().parents[2] / "shared" / "domain" / "sources"


def test_shipped_library_has_no_problems(library: Library) -> None:
    problems = check(library)
    assert problems == [], "\n".join(p.format() for p in problems)


def test_every_pathway_of_the_brief_is_shipped(library: Library) -> None:
    names = " ".join(f"{p.id} {p.name}".lower() for p in library.pathways.values())
    for needle in ("pip", "analyst", "detective", "fsl", "senior", "promotion",
                   "work-based", "positive", "recruit", "assessor"):  # fmt: skip
        assert needle in names.replace("_", "-").replace("work based", "work-based"), needle


def _uncited(req: BaseRequirement, inherited: str | None) -> list[BaseRequirement]:
    own = req.source or inherited
    missing = [req] if own is None and not req.children() else []
    for child in req.children():
        missing += _uncited(child, own)
    return missing


def test_every_rule_stage_and_pathway_cites_a_source(library: Library) -> None:
    """Checked here directly, not through the checker, so a checker bug cannot hide it."""
    missing = []
    for pathway in library.pathways.values():
        if not pathway.source:
            missing.append(pathway.id)
        for stage in pathway.stages:
            if not stage.source:
                missing.append(f"{pathway.id}.{stage.id}")
            for top in stage.requires:
                missing += [f"{pathway.id}.{stage.id}: {r.kind}" for r in _uncited(top, None)]
    assert missing == []


def test_every_cited_document_is_a_catalogue_source(library: Library) -> None:
    docs = set(library.catalogue.ids("sources"))
    cited = set()
    for pathway in library.pathways.values():
        texts = [pathway.source] + [s.source for s in pathway.stages]
        texts += [r.source for s in pathway.stages for t in s.requires for r, _ in walk(t)]
        cited |= {parse_source(t)[0] for t in texts if t}
    assert cited - {ILLUSTRATIVE} <= docs
    assert ILLUSTRATIVE in cited  # the library says where it had to choose values


@pytest.mark.skipif(not SOURCES_DIR.is_dir(), reason="shared/domain/sources is not beside the repo")
def test_catalogue_sources_name_real_files(library: Library) -> None:
    for doc in library.catalogue.sources:
        assert doc.file and (SOURCES_DIR / doc.file).is_file(), doc.id


def test_senior_pnac_needs_every_fsl_stage_from_its_effective_date(library: Library) -> None:
    fsl = next(p for p in library.pathways.values() if p.id == "fsl")
    fsl_stages = {s.id for s in fsl.stages}
    dated = []
    for pathway, stage in library.stages():
        if "pnac" not in stage.id.lower():
            continue
        for top in stage.requires:
            for req, negated in walk(top):
                if isinstance(req, AllOf) and req.effective_from:
                    targets = {
                        c.target(pathway.id)
                        for c in req.all_of
                        if isinstance(c, ReachedRequirement)
                    }
                    if targets and {t[0] for t in targets} == {"fsl"}:
                        assert not negated
                        assert {t[1] for t in targets} == fsl_stages
                        dated.append(req.effective_from)
    assert dated == [dt.date(2010, 4, 1)]
    assert parse_source("002 rec 9")[0] in library.catalogue.ids("sources")


def test_library_graph_links_fsl_to_senior_pnac(library: Library) -> None:
    g = library.graph()
    prereq = [(a, b) for a, b, k in g.edges(data="kind") if k == "prerequisite"]
    assert any(a.startswith("fsl.") and "pnac" in b.lower() for a, b in prereq)
