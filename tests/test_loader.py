"""Unit tests of the loader: YAML positions, file-level problems, PathwayError, Library."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml

from pathways import Library, PathwayError, Problem, load_library
from pathways.loader import collect_files, load_with_problems, validate_document
from pathways.yamlsource import read_yaml_file, read_yaml_text

HERE = Path(__file__).parent
MINI = HERE / "fixtures" / "mini"
BROKEN = HERE / "fixtures" / "broken"
MINI_FILES = ("catalogue.yaml", "pip.yaml", "senior.yaml")


def problems_of(text: str, name: str = "pip.yaml") -> list[Problem]:
    _model, problems = validate_document(read_yaml_text(textwrap.dedent(text), name))
    return problems


def only(problems: list[Problem], code: str) -> Problem:
    found = [p for p in problems if p.code == code]
    assert len(found) == 1, "\n".join(p.format() for p in problems)
    return found[0]


# --- positions ----------------------------------------------------------------------------


def test_unknown_field_points_at_the_key_not_the_value() -> None:
    problems = problems_of(
        """\
        pathway:
          id: pip
          name: Investigation
          descripion:
            Professionalising investigation, levels 1 to 3
          stages:
            - id: level_1
              name: PIP level 1
              entry: true
        """
    )
    p = only(problems, "unknown-field")
    # The value starts on line 5; the misspelt key is on line 4, column 3.
    assert (p.file, p.line, p.column) == ("pip.yaml", 4, 3)
    assert p.path == "pathway.descripion"
    assert p.suggestion == "description"
    assert len(problems) == 1


def test_unknown_field_in_a_flow_mapping_points_at_the_key() -> None:
    problems = problems_of(
        """\
        pathway:
          id: pip
          name: Investigation
          stages:
            - id: level_1
              name: PIP level 1
              entry: true
              requires:
                - rank: {at_lest: constable, at_most: inspector}
        """
    )
    p = only(problems, "unknown-field")
    assert (p.line, p.column) == (9, 18)
    assert p.path == "pathway.stages[0].requires[0].rank.at_lest"
    assert p.suggestion == "at_least"


def test_missing_field_points_at_the_mapping_that_lacks_it() -> None:
    problems = problems_of(
        """\
        pathway:
          id: pip
          name: Investigation
          stages:
            - id: level_1
              entry: true
        """
    )
    p = only(problems, "missing-field")
    assert (p.line, p.column, p.path) == (5, 7, "pathway.stages[0]")
    assert "missing required field 'name'" in p.message


def test_positions_of_scalars_and_block_values() -> None:
    doc = read_yaml_text((MINI / "pip.yaml").read_text(encoding="utf-8"), "pip.yaml")
    assert doc.problems == []
    assert doc.position(("pathway", "name")) == (3, 9)
    # A block value (the list of stages) is placed at its key.
    assert doc.position(("pathway", "stages")) == (5, 3)
    assert doc.position(("pathway", "stages", 1)) == (16, 7)
    assert doc.position(("pathway", "progressions", 0, "to")) == (26, 27)
    # An unknown deeper path falls back to its deepest known prefix.
    assert doc.position(("pathway", "stages", 1, "nope", 3)) == (16, 7)


# --- duplicate keys -----------------------------------------------------------------------


def test_duplicate_keys_report_both_lines() -> None:
    problems = problems_of(
        """\
        pathway:
          id: pip
          name: Investigation
          source: 003 Appendix 1
          name: Investigation (PIP)
          stages:
            - id: level_1
              name: PIP level 1
              entry: true
        """
    )
    p = only(problems, "duplicate-key")
    assert (p.line, p.column, p.path) == (5, 3, "pathway.name")
    assert "key 'name' appears twice" in p.message
    assert "first on line 3" in p.message
    assert len(problems) == 1


def test_duplicate_keys_make_the_file_fail_to_load(tmp_path: Path) -> None:
    shutil_copy(MINI / "catalogue.yaml", tmp_path / "catalogue.yaml")
    (tmp_path / "pip.yaml").write_text(
        (MINI / "pip.yaml")
        .read_text(encoding="utf-8")
        .replace("  name: Investigation\n", "  name: Investigation\n  name: PIP\n"),
        encoding="utf-8",
    )
    library, problems = load_with_problems([tmp_path])
    assert library is None
    assert [(p.code, p.line) for p in problems] == [("duplicate-key", 4)]


def test_duplicate_key_first_line_is_the_key_line_for_a_value_on_the_next_line() -> None:
    problems = problems_of(
        """\
        pathway:
          id: pip
          name:
            Investigation
          name: Investigation (PIP)
          stages:
            - {id: level_1, name: PIP level 1, entry: true}
        """
    )
    p = only(problems, "duplicate-key")
    assert p.line == 5
    assert "first on line 3" in p.message


def test_merge_key_overrides_are_not_duplicate_keys() -> None:
    problems = problems_of(
        """\
        pathway:
          id: pip
          name: Investigation
          stages:
            - &pip_stage
              id: level_1
              name: PIP level 1
              entry: true
              source: 003 Appendix 1
            - <<: *pip_stage
              id: level_2
              name: PIP level 2
              entry: false
          progressions:
            - {from: level_1, to: level_2}
        """
    )
    assert problems == []


# --- file-level problems ------------------------------------------------------------------


def test_non_utf8_file_is_a_yaml_syntax_problem_with_a_line(tmp_path: Path) -> None:
    path = tmp_path / "pip.yaml"
    path.write_bytes(
        b"pathway:\n  id: pip\n  name: Investigation\n"
        b"  description: Caf\xe9 de la Gare training rooms\n"
        b"  stages:\n    - {id: level_1, name: PIP level 1, entry: true}\n"
    )
    doc = read_yaml_file(path, "pip.yaml")
    assert doc.data is None
    [p] = doc.problems
    assert (p.code, p.file, p.line) == ("yaml-syntax", "pip.yaml", 4)
    assert "not UTF-8" in p.message
    assert p.hint == "save the file as UTF-8"

    library, problems = load_with_problems([MINI / "catalogue.yaml", path])
    assert library is None
    assert [(p.code, p.line) for p in problems] == [("yaml-syntax", 4)]
    assert Path(problems[0].file or "").name == "pip.yaml"


@pytest.mark.parametrize(
    "content",
    [
        pytest.param("", id="empty"),
        pytest.param("\n\n   \n", id="blank-lines"),
        pytest.param("# PIP pathway: to be written\n", id="only-a-comment"),
    ],
)
def test_empty_file_is_reported(tmp_path: Path, content: str) -> None:
    path = tmp_path / "draft.yaml"
    path.write_text(content, encoding="utf-8")
    library, problems = load_with_problems([MINI / "catalogue.yaml", path])
    assert library is None
    [p] = problems
    assert p.code == "unknown-file-kind"
    assert Path(p.file or "").name == "draft.yaml"
    assert "exactly one top-level key, 'pathway', 'catalogue' or 'source_index'" in p.message
    with pytest.raises(PathwayError):
        load_library([MINI / "catalogue.yaml", path])


def test_unreadable_file(tmp_path: Path) -> None:
    gone = tmp_path / "gone.yaml"
    library, problems = load_with_problems([MINI / "catalogue.yaml", gone])
    assert library is None
    [p] = problems
    assert p.code == "unreadable-file"
    assert Path(p.file or "").name == "gone.yaml"
    assert p.message.startswith("cannot read file:")
    assert p.format().startswith(f"{p.file}: error[unreadable-file]: cannot read file")


def test_yaml_syntax_problem_has_line_and_column() -> None:
    doc = read_yaml_text("pathway:\n  id: pip\n  stages: [\n", "pip.yaml")
    assert doc.data is None
    [p] = doc.problems
    assert p.code == "yaml-syntax"
    assert p.line is not None and p.line >= 3
    assert p.column is not None
    model, problems = validate_document(doc)
    assert model is None
    assert problems == [p]


def test_two_documents_in_one_file_are_a_yaml_syntax_problem() -> None:
    doc = read_yaml_text("pathway:\n  id: pip\n---\npathway:\n  id: senior\n", "two.yaml")
    [p] = doc.problems
    assert (p.code, p.line) == ("yaml-syntax", 3)


# --- load_library and PathwayError --------------------------------------------------------


def test_load_library_raises_pathway_error_with_every_problem() -> None:
    broken = BROKEN / "several_errors.yaml"
    with pytest.raises(PathwayError) as caught:
        load_library([MINI / "catalogue.yaml", broken, BROKEN / "missing_field.yaml"])
    err = caught.value
    assert all(isinstance(p, Problem) for p in err.problems)
    located = [(Path(p.file or "").name, p.line, p.code) for p in err.problems]
    assert located == [
        ("missing_field.yaml", 12, "missing-field"),
        ("several_errors.yaml", 10, "wrong-type"),
        ("several_errors.yaml", 13, "invalid-value"),
        ("several_errors.yaml", 20, "unknown-field"),
        ("several_errors.yaml", 21, "invalid-value"),
        ("several_errors.yaml", 24, "missing-field"),
        ("several_errors.yaml", 24, "unknown-field"),
    ]
    assert err.problems[3].suggestion == "source"
    assert err.problems[3].path == "pathway.stages[1].requires[0].sorce"
    # str() is what a person reads: every problem, formatted, one after the other.
    assert str(err) == "\n".join(p.format() for p in err.problems)
    assert "did you mean 'from'?" in str(err)


def test_load_library_without_a_catalogue_raises() -> None:
    with pytest.raises(PathwayError) as caught:
        load_library([MINI / "pip.yaml"])
    assert [p.code for p in caught.value.problems] == ["missing-catalogue"]
    assert "no catalogue file found" in str(caught.value)


def test_load_mini_library() -> None:
    library = load_library([MINI])
    assert isinstance(library, Library)
    assert library.catalogue.id == "mini"
    assert list(library.pathways) == ["pip", "senior"]
    assert Path(library.files["senior"]).name == "senior.yaml"
    assert Path(library.catalogue_file or "").name == "catalogue.yaml"
    assert [s.id for _p, s in library.stages()] == ["level_1", "level_2", "fsl_1", "fsl_2", "spnac"]
    assert library.catalogue.rank_order()["superintendent"] == 4


def test_loaded_models_know_where_they_were_written() -> None:
    library = load_library([MINI])
    spnac = library.stage("senior", "spnac")
    assert spnac is not None and spnac.location is not None
    assert Path(spnac.location.file).name == "senior.yaml"
    assert (spnac.location.line, spnac.location.path) == (21, "pathway.stages[2]")
    fsl_2_req = spnac.requires[1].children()[1]
    assert fsl_2_req.location is not None
    assert (fsl_2_req.location.line, fsl_2_req.location.path) == (
        30,
        "pathway.stages[2].requires[1].all_of[1]",
    )
    level_1 = library.stage("pip", "level_1")
    assert level_1 is not None and level_1.awards is not None
    assert level_1.awards.location is not None and level_1.awards.location.line == 10
    inspector = library.catalogue.ranks[2]
    assert inspector.location is not None
    assert (inspector.location.line, inspector.location.path) == (11, "catalogue.ranks[2]")


def test_files_replace_base_pathways_with_the_same_id(tmp_path: Path) -> None:
    draft = tmp_path / "pip_draft.yaml"
    draft.write_text(
        (MINI / "pip.yaml")
        .read_text(encoding="utf-8")
        .replace("name: Investigation", "name: Investigation (2011 draft)"),
        encoding="utf-8",
    )
    library = load_library([draft], base=MINI)
    assert sorted(library.pathways) == ["pip", "senior"]
    assert library.pathways["pip"].name == "Investigation (2011 draft)"
    assert Path(library.files["pip"]).name == "pip_draft.yaml"
    assert library.catalogue.id == "mini"


def test_the_same_file_named_twice_is_loaded_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(MINI.parent)
    assert len(collect_files(["mini", MINI.resolve() / "pip.yaml"])) == 3
    library, problems = load_with_problems(["mini", MINI.resolve() / "pip.yaml"])
    assert problems == []
    assert library is not None


# --- digest -------------------------------------------------------------------------------


def _reversed_keys(data: Any) -> Any:
    if isinstance(data, dict):
        return {k: _reversed_keys(v) for k, v in reversed(data.items())}
    if isinstance(data, list):
        return [_reversed_keys(v) for v in data]
    return data


def reformat(text: str) -> str:
    """The same rules, laid out differently: key order, block style, indent, comments."""
    data = _reversed_keys(yaml.safe_load(text))
    dumped = yaml.safe_dump(data, sort_keys=False, indent=4, default_flow_style=False, width=200)
    lines = ["# Reformatted copy: same rules, different layout.", ""]
    for i, line in enumerate(dumped.splitlines()):
        lines.append(line)
        if i % 4 == 0:
            lines.append("    # reviewed by the pathways board")
        if i % 7 == 0:
            lines.append("")
    return "\n".join(lines) + "\n"


def copy_mini(target: Path, change: tuple[str, str, str] | None = None) -> Path:
    target.mkdir()
    for name in MINI_FILES:
        text = (MINI / name).read_text(encoding="utf-8")
        if change and change[0] == name:
            assert change[1] in text
            text = text.replace(change[1], change[2])
        (target / name).write_text(text, encoding="utf-8")
    return target


def shutil_copy(src: Path, dst: Path) -> None:
    dst.write_bytes(src.read_bytes())


def test_digest_is_stable_across_reformatting(tmp_path: Path) -> None:
    original = load_library([MINI]).digest
    assert len(original) == 64 and int(original, 16) >= 0
    assert load_library([MINI]).digest == original

    again = tmp_path / "reformatted"
    again.mkdir()
    for name in MINI_FILES:
        text = reformat((MINI / name).read_text(encoding="utf-8"))
        assert text != (MINI / name).read_text(encoding="utf-8")
        (again / name).write_text(text, encoding="utf-8")
    reformatted = load_library([again])
    assert reformatted.digest == original
    # File order and file names are not rules either.
    renamed = tmp_path / "renamed"
    renamed.mkdir()
    for i, name in enumerate(reversed(MINI_FILES)):
        shutil_copy(again / name, renamed / f"{i}_{name}")
    assert load_library([renamed]).digest == original


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(
            ("pip.yaml", "at_least_months: 12", "at_least_months: 18"), id="served-months"
        ),
        pytest.param(("senior.yaml", "exactly: chief_inspector", "exactly: inspector"), id="rank"),
        pytest.param(
            ("senior.yaml", "effective_from: 2010-04-01", "effective_from: 2010-04-02"),
            id="effective-date",
        ),
        pytest.param(
            ("catalogue.yaml", "levels: [1, 2]", "levels: [1, 2, 3]"), id="catalogue-levels"
        ),
    ],
)
def test_digest_changes_when_a_rule_changes(tmp_path: Path, change: tuple[str, str, str]) -> None:
    original = load_library([MINI]).digest
    changed = load_library([copy_mini(tmp_path / "changed", change)])
    assert changed.digest != original


# --- graph --------------------------------------------------------------------------------


def test_graph_has_progression_and_prerequisite_edges() -> None:
    g = load_library([MINI]).graph()
    assert set(g.nodes) == {
        "pip.level_1",
        "pip.level_2",
        "senior.fsl_1",
        "senior.fsl_2",
        "senior.spnac",
    }
    assert g.nodes["senior.spnac"] == {"pathway": "senior", "stage": "spnac", "name": "Senior PNAC"}
    edges = set(g.edges(data="kind"))
    assert edges == {
        ("pip.level_1", "pip.level_2", "progression"),
        ("pip.level_1", "pip.level_2", "prerequisite"),
        ("senior.fsl_1", "senior.fsl_2", "progression"),
        ("senior.fsl_1", "senior.fsl_2", "prerequisite"),
        ("senior.fsl_2", "senior.spnac", "progression"),
        ("senior.fsl_1", "senior.spnac", "prerequisite"),
        ("senior.fsl_2", "senior.spnac", "prerequisite"),
    }
    spnac_needs = {
        u for u, _v, kind in g.in_edges("senior.spnac", data="kind") if kind == "prerequisite"
    }
    assert spnac_needs == {"senior.fsl_1", "senior.fsl_2"}


def test_graph_prerequisite_edges_cross_pathways(tmp_path: Path) -> None:
    chief = tmp_path / "chief.yaml"
    chief.write_text(
        textwrap.dedent(
            """\
            pathway:
              id: chief
              name: Chief officer
              source: 002 rec 13
              stages:
                - id: spc
                  name: Strategic command course
                  entry: true
                  source: 002 rec 13
                  requires:
                    - reached: senior.spnac
                      source: 002 rec 13
            """
        ),
        encoding="utf-8",
    )
    g = load_library([MINI, chief]).graph()
    assert set(g.in_edges("chief.spc", data="kind")) == {
        ("senior.spnac", "chief.spc", "prerequisite")
    }


def test_graph_has_no_prerequisite_edge_for_a_negated_reached(tmp_path: Path) -> None:
    lib = copy_mini(
        tmp_path / "lib",
        (
            "pip.yaml",
            "        - course: investigation_course\n",
            "        - not: {reached: level_2}\n          source: illustrative\n"
            "        - course: investigation_course\n",
        ),
    )
    g = load_library([lib]).graph()
    assert not g.has_edge("pip.level_2", "pip.level_1")
