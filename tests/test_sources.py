"""Citations that check out: the source index, the checker's source check, the listing.

The index of the documents' citable units is committed (pathways/library/sources.yaml),
so these tests run on a fresh clone; the ones that remake it from the documents need
../shared/domain/sources beside the repository and are skipped without it.
"""

from __future__ import annotations

import hashlib
import importlib.util
import shutil
import sys
from pathlib import Path
from types import ModuleType

import pytest
from click.testing import CliRunner

from authoring.checker import check, check_paths
from authoring.citations import list_citations, to_markdown
from cli import cli
from pathways import SHIPPED_LIBRARY, Library, load_library
from pathways.citations import parse_citations, quote_in, resolve
from pathways.model.catalogue import VOCABULARY
from pathways.model.requirements import BaseRequirement, walk
from pathways.model.sources import OnUnknown
from pathways.sourceindex import source_index_of

ROOT = Path(__file__).resolve().parents[1]
DOCUMENTS = ROOT.parent / "shared" / "domain" / "sources"
SOURCES_MD = ROOT / "docs" / "sources.md"
needs_documents = pytest.mark.skipif(
    not DOCUMENTS.is_dir(), reason="shared/domain/sources is not beside the repo"
)


@pytest.fixture(scope="module")
def library() -> Library:
    return load_library([SHIPPED_LIBRARY])


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "index_sources", ROOT / "scripts" / "index_sources.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


def _all_sources(library: Library) -> list[tuple[str, str]]:
    """(where, source text) of every source and effective_source in the library."""
    out: list[tuple[str, str]] = []
    for section in VOCABULARY:
        for entry in getattr(library.catalogue, section):
            out += [(f"catalogue.{entry.id}", entry.source)] if entry.source else []
            for period in getattr(entry, "business_groups", None) or ():
                out += [(f"catalogue.{entry.id}", period.source)] if period.source else []
    for pathway in library.pathways.values():
        out += [(pathway.id, pathway.source or "")]
        for stage in pathway.stages:
            items: list[object] = [stage]
            items += [r for top in stage.requires for r, _ in walk(top)]
            for item in items:
                for text in (
                    getattr(item, "source", None),
                    getattr(item, "effective_source", None),
                ):
                    if text:
                        out.append((f"{pathway.id}.{stage.id}", text))
    return out


# --- the index -------------------------------------------------------------------------


def test_the_shipped_index_is_complete_and_covers_every_catalogue_source(library: Library) -> None:
    index, problems = source_index_of(library)
    assert problems == [] and index is not None
    assert index.unknown is OnUnknown.ERROR
    assert [d.id for d in index.documents] == library.catalogue.ids("sources")
    files = {d.id: d.file for d in index.documents}
    assert files == {s.id: s.file for s in library.catalogue.sources}


def test_every_shipped_citation_resolves_against_the_index(library: Library) -> None:
    """Resolved here directly, not through the checker, so a checker bug cannot hide one."""
    index, _ = source_index_of(library)
    assert index is not None
    unresolved = []
    cited = 0
    for where, text in _all_sources(library):
        for citation in parse_citations(text):
            if citation.illustrative:
                assert citation.note, f"{where}: say why it is illustrative"
                continue
            document = index.document(citation.document)
            assert document is not None, f"{where}: {text}"
            found = resolve(citation, document)
            cited += 1
            if not found.ok:
                unresolved.append(f"{where}: {citation.describe()} {found.missing}")
    assert unresolved == []
    assert cited > 200  # the library cites its sources, mostly with the words it stands on


@needs_documents
def test_the_committed_index_is_what_the_script_makes_from_the_documents(tmp_path: Path) -> None:
    script = _script()
    made = script.build(SHIPPED_LIBRARY / "catalogue.yaml", DOCUMENTS, "error")
    assert made == (SHIPPED_LIBRARY / "sources.yaml").read_text(encoding="utf-8"), (
        "pathways/library/sources.yaml is out of date: run scripts/index_sources.py"
    )


@needs_documents
def test_the_index_records_the_documents_it_was_made_from(library: Library) -> None:
    index, _ = source_index_of(library)
    assert index is not None
    for document in index.documents:
        assert document.file is not None
        data = (DOCUMENTS / document.file).read_bytes()
        assert document.sha256 == hashlib.sha256(data).hexdigest(), document.id


@needs_documents
def test_every_numbered_paragraph_and_recommendation_of_the_documents_is_a_unit(
    library: Library,
) -> None:
    index, _ = source_index_of(library)
    assert index is not None
    refs = {d.id: {r.lower() for u in d.units for r in u.refs()} for d in index.documents}
    assert {f"para {n}" for n in range(1, 43)} <= refs["001"]
    assert {f"rec {n}" for n in range(1, 24)} <= refs["001"]
    assert {f"rec {n}" for n in range(1, 24)} <= refs["002"]
    assert {f"para {n}" for n in range(1, 12)} | {"appendix 1", "section c"} <= refs["003"]
    assert {f"para {n}" for n in range(1, 8)} <= refs["004"]
    assert "section d para 2" in refs["001"] and "para 43" not in refs["001"]


def test_the_script_splits_a_document_into_units(tmp_path: Path) -> None:
    script = _script()
    doc = tmp_path / "policy.txt"
    doc.write_text(
        "Promotion policy\nReport: 1\nSummary\n"
        + "A summary paragraph long enough to be read as the body of the summary, "
        "not as a heading of another section of this policy.\n"
        "A. Recommendation\nThat members note it.\n"
        "B. Supporting information\n1. The first paragraph.\n"
        "  \u2022 a bullet of the first paragraph\n"
        "Recommendation 1: Promote on merit.\n2. The second paragraph.\n"
        "C. Finance\n1. A paragraph numbered again.\n"
        "Appendix 1: Levels\nThere are two levels:\n  \u2022 Level 1 \u2013 the first\n",
        encoding="utf-8",
    )
    units = {u["ref"]: u for u in script.index_document("X", doc)["units"]}
    assert list(units) == [
        "header", "summary", "section A", "para 1", "rec 1", "para 2", "section C para 1",
        "Appendix 1", "Appendix 1 Level 1",
    ]  # fmt: skip
    assert units["para 1"]["text"] == "The first paragraph.\n\u2022 a bullet of the first paragraph"
    assert units["para 1"]["also"] == ["section B para 1"]
    assert units["Appendix 1"]["title"] == "Levels"


# --- citations ---------------------------------------------------------------------------


def test_citations_parse_documents_places_quotes_and_illustrative_notes() -> None:
    parts = parse_citations(
        '001 para 35; 002 rec 15-17 October 2008 update "6-month ... period" (the trial); '
        "illustrative: the day; and the month"
    )
    assert [(c.document, c.locator, c.quote, c.note) for c in parts] == [
        ("001", "para 35", None, None),
        ("002", "rec 15-17 October 2008 update", "6-month ... period", "the trial"),
        ("illustrative", "", None, "the day; and the month"),
    ]
    quoted = parse_citations('003 para 4 "response policing; investigation; or community"')
    assert len(quoted) == 1 and quoted[0].quote == "response policing; investigation; or community"


def test_ranges_and_lists_need_every_unit_and_a_row_of_several_recommendations_answers_each(
    library: Library,
) -> None:
    index, _ = source_index_of(library)
    assert index is not None
    doc1, doc2 = index.document("001"), index.document("002")
    assert doc1 is not None and doc2 is not None
    (citation,) = parse_citations("001 paras 34-35")
    assert [u.ref for u in resolve(citation, doc1).units] == ["para 34", "para 35"]
    (citation,) = parse_citations("001 para 41-43")
    assert resolve(citation, doc1).missing == ["para 43"]
    for text in ("002 rec 16", "002 recommendation 15-17", "002 Rec 17 October 2008 Update"):
        (citation,) = parse_citations(text)
        assert resolve(citation, doc2).ok, text


def test_quotes_must_be_the_documents_words() -> None:
    text = "A number of senior officers believe that the initial two-year grounding is vital."
    assert quote_in("the initial two-year grounding", text)
    assert quote_in("senior officers \u2026 grounding", text)
    assert not quote_in("the initial three-year grounding", text)
    assert not quote_in("grounding ... senior officers", text)  # in order


# --- the checker -------------------------------------------------------------------------


def _copy_with(
    tmp_path: Path, old: str, new: str, file: str = "work_based_assessment.yaml"
) -> Path:
    text = (SHIPPED_LIBRARY / file).read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / file
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_pathways_check_rejects_001_para_999_for_the_shipped_library(tmp_path: Path) -> None:
    bad = _copy_with(tmp_path, "source: *ci_trial_words", 'source: "001 para 999"')
    result = CliRunner().invoke(cli, ["check", str(bad)])
    assert result.exit_code == 1, result.output
    assert "error[unknown-citation]" in result.output
    assert "source '001 para 999': document 001 has no para 999" in result.output


def test_a_misquote_in_the_shipped_library_is_an_error(tmp_path: Path) -> None:
    bad = _copy_with(tmp_path, '"trialling work-based', '"testing work-based')
    report = check_paths([bad], SHIPPED_LIBRARY)
    codes = {(p.code, p.severity.value) for p in report.problems}
    assert codes == {("misquoted-source", "error")}, [p.format() for p in report.problems]


def test_a_library_with_its_own_sources_and_no_index_is_not_checked_for_places(
    tmp_path: Path,
) -> None:
    own = tmp_path / "lib"
    shutil.copytree(SHIPPED_LIBRARY, own)
    (own / "sources.yaml").unlink()
    text = (own / "fsl.yaml").read_text(encoding="utf-8")
    (own / "fsl.yaml").write_text(text.replace("each stage of the programme", "no such words"))
    report = check_paths([own])
    assert report.problems == []
    assert report.notes == [
        "citations of 000, 001, 002, 003, 004 name a place, but the library has no source index "
        "for them, so the place is not checked (docs/language.md, 'Source index')"
    ]
    assert check_paths([SHIPPED_LIBRARY]).notes == []


def test_a_library_with_its_own_draft_index_gets_warnings(tmp_path: Path) -> None:
    own = tmp_path / "lib"
    shutil.copytree(SHIPPED_LIBRARY, own)
    index = own / "sources.yaml"
    index.write_text(
        index.read_text(encoding="utf-8").replace("unknown: error", "unknown: warning")
    )
    text = (own / "fsl.yaml").read_text(encoding="utf-8")
    (own / "fsl.yaml").write_text(text.replace("rec 9 November", "rec 99 November", 1))
    report = check_paths([own])
    assert report.errors == 0 and report.warnings == 1
    assert report.problems[0].code == "unknown-citation"


def test_a_changed_index_makes_a_new_library_version(tmp_path: Path, library: Library) -> None:
    own = tmp_path / "lib"
    shutil.copytree(SHIPPED_LIBRARY, own)
    assert load_library([own]).digest == library.digest
    index = own / "sources.yaml"
    index.write_text(index.read_text(encoding="utf-8").replace("Appendix A", "Appendix A."))
    assert load_library([own]).digest != library.digest


def test_decisions_never_read_the_index(library: Library) -> None:
    """The loader only notes index files; the library's rules do not include them."""
    assert library.source_index_files and all(
        f.endswith("sources.yaml") for f in library.source_index_files
    )
    assert not any(f.endswith("sources.yaml") for f in library.files.values())


# --- what the issue found, fixed -----------------------------------------------------------


def _source(library: Library, pathway: str, stage: str, path: str | None = None) -> str:
    found = library.stage(pathway, stage)
    assert found is not None
    if path is None:
        return found.source or ""
    for i, top in enumerate(found.requires):
        for req, _ in walk(top):
            if req is _at(top, path, i):
                return req.source or ""
    raise AssertionError(path)


def _at(top: BaseRequirement, path: str, index: int) -> BaseRequirement | None:
    head, _, rest = path.partition(".")
    if head != f"requires[{index}]":
        return None
    node = top
    for part in filter(None, rest.split(".")):
        _, _, number = part.partition("[")
        children = node.children()
        node = children[int(number.rstrip("]"))] if number else children[0]
    return node


def _illustrative(text: str) -> bool:
    return any(c.illustrative for c in parse_citations(text))


def test_rules_that_go_beyond_their_source_say_so(library: Library) -> None:
    goes_beyond = [
        ("analyst", "intelligence_analyst", "requires[2]"),  # a course 003 para 8 does not name
        ("analyst", "senior_analyst", "requires[0]"),  # the two-year period
        ("analyst", "senior_analyst", "requires[1]"),  # an accreditation against the NOS
        ("pip", "level_1", "requires[1]"),  # the level 1 course
        ("pip", "level_3", "requires[0]"),  # levels as a ladder
        ("promotion", "sergeant", "requires[1]"),  # two years before sergeant
        ("senior_leadership", "spnac", "requires[5]"),  # FSL before Senior PNAC
        ("senior_leadership", "commander", "requires[0]"),  # Senior PNAC before ACPO rank
        ("positive_action", "springboard", "requires[1]"),  # which grades are non-managerial
        ("recruit", "response_stream", None),  # the Kent and Surrey model
        ("detective", "rotation_due", "requires[1]"),  # 48 months
        ("work_based_assessment", "gateway", "requires[4]"),  # "senior" officers
    ]
    for pathway, stage, path in goes_beyond:
        text = _source(library, pathway, stage, path)
        assert _illustrative(text), f"{pathway}.{stage} {path}: {text}"
    catalogue = library.catalogue
    for section, entry_id in (("credentials", "analyst_nos"), ("courses", "pip_level_1_training")):
        entry = catalogue.entry(section, entry_id)
        assert entry is not None and _illustrative(getattr(entry, "source", "")), entry_id


def test_the_citations_the_issue_found_wrong_now_cite_the_right_place(library: Library) -> None:
    sergeant = _source(library, "promotion", "sergeant", "requires[0]")
    assert "003 para 5" not in sergeant  # para 5 is about specialising, not promotion
    equip = library.catalogue.entry("programmes", "equip_to_achieve")
    assert equip is not None and "001 para 11" in (equip.source or "")  # "run over one year"
    springboard = library.stage("positive_action", "springboard")
    assert springboard is not None and "001 para 8" in (springboard.source or "")
    assert not any(r.kind == "reached" for r in springboard.requires)  # police staff too
    commander = library.stage("senior_leadership", "commander")
    assert commander is not None
    assert [r.kind for r in commander.requires] == ["reached"]  # no course 000 does not name
    fsl = _source(library, "senior_leadership", "spnac", "requires[5]")
    assert "likely to be a pre-requisite for attendance at Senior PNAC in the future" in fsl


def test_every_dated_rule_cites_where_its_dates_come_from(library: Library) -> None:
    undated_source = []
    for pathway, stage in library.stages():
        items: list[object] = [stage, *(r for top in stage.requires for r, _ in walk(top))]
        for item in items:
            dated = getattr(item, "effective_from", None) or getattr(item, "effective_to", None)
            if dated and not getattr(item, "effective_source", None):
                undated_source.append(f"{pathway.id}.{stage.id}")
    assert undated_source == []
    starts = {
        key: stage.effective_from
        for key in (
            "pip.level_1",
            "positive_action.promoting_difference",
            "positive_action.equip_to_achieve",
            "work_based_assessment.chief_inspector_assessment",
            "work_based_assessment.gateway",
            "fsl.stage_1",
        )
        if (stage := library.stage(*key.split("."))) is not None
    }
    assert [str(d) for d in starts.values()] == [
        "2004-04-01", "2008-01-01", "2008-05-01", "2008-04-24", "2008-06-01", "2010-04-01",
    ]  # fmt: skip


# --- the listing -----------------------------------------------------------------------------


def test_docs_sources_md_is_the_listing_of_the_shipped_library(library: Library) -> None:
    made = to_markdown(list_citations(library), library)
    assert SOURCES_MD.read_text(encoding="utf-8") == made, (
        "docs/sources.md is out of date: pathways sources --format markdown > docs/sources.md"
    )


def test_the_listing_has_every_stage_and_rule_with_the_words_it_cites(library: Library) -> None:
    rows = list_citations(library)
    listed = {(r.where, r.path) for r in rows}
    for pathway, stage in library.stages():
        assert (f"{pathway.id}.{stage.id}", "") in listed
        for i in range(len(stage.requires)):
            assert (f"{pathway.id}.{stage.id}", f"requires[{i}]") in listed
    gateway = [
        r for r in rows if r.where == "work_based_assessment.gateway" and r.path == "requires[3]"
    ]
    (cited,) = [c for c in gateway[0].cited if c.document]
    assert cited.excerpt is not None and "with two trained assessors" in cited.excerpt
    assert cited.excerpt.startswith('\u2026 A rigorous "gateway" selection process')


def test_the_listing_marks_a_citation_the_index_does_not_have(tmp_path: Path) -> None:
    bad = _copy_with(tmp_path, "source: *ci_trial_words", 'source: "001 para 999"')
    result = CliRunner().invoke(cli, ["sources", str(bad)])
    assert result.exit_code == 0, result.output
    assert "001 para 999: NOT FOUND in the source index" in result.output
    as_json = CliRunner().invoke(cli, ["sources", "--format", "json"])
    assert as_json.exit_code == 0 and '"where": "work_based_assessment.gateway"' in as_json.output


def test_check_reports_the_shipped_library_clean_with_the_index(library: Library) -> None:
    assert check(library) == []
