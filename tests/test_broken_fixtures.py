"""The checker against deliberately broken pathway files (tests/fixtures/broken/).

Each case of ``broken/cases.yaml`` names the files to check, and the problems the
report must hold: code, file, line (and column), and phrases of the formatted
message. The report must hold exactly those problems, so a fixture that starts
reporting something extra, or loses a finding, fails.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from authoring.checker import CheckReport, check_paths
from cli import cli
from pathways.problems import PROBLEM_CODES, Problem

HERE = Path(__file__).parent
MINI = HERE / "fixtures" / "mini"
BROKEN = HERE / "fixtures" / "broken"
MANIFEST = BROKEN / "cases.yaml"

CASES: list[dict[str, Any]] = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))

# Every problem code the loader and checker can report. Keep in step with pathways/:
# a new code must get a broken fixture and a case in cases.yaml.
# Loader codes (yamlsource.py, loader.py) stop the checker, so the report has no library.
LOADER_CODES = {
    "unreadable-file",
    "yaml-syntax",
    "duplicate-key",
    "unknown-file-kind",
    "missing-catalogue",
    "missing-field",
    "unknown-field",
    "requirement-kind",
    "wrong-type",
    "invalid-value",
    "too-large",
}
# Checker codes (checker/*.py). The loader also reports duplicate-id (two catalogues,
# two files with one pathway id).
CHECKER_CODES = {
    "duplicate-id",
    "unknown-reference",
    "cycle",
    "no-entry-stage",
    "unreachable-stage",
    "unsatisfiable-requirement",
    "empty-effective-window",
    "skipped-required-stage",
    "missing-source",
    "invalid-source",
    "unknown-citation",
    "misquoted-source",
}
ALL_CODES = LOADER_CODES | CHECKER_CODES
# Codes of records (JSON), not of pathway files.
RECORD_CODES = {"json-syntax"}
assert set(PROBLEM_CODES) == ALL_CODES | RECORD_CODES, "PROBLEM_CODES and this test disagree"
# Codes that cannot be pinned to a line by a fixture file, and where they are tested instead.
COVERED_ELSEWHERE = {"unreadable-file": "tests/test_loader.py::test_unreadable_file"}
# Problems about the library as a whole: they have no file or line.
LIBRARY_LEVEL = {"missing-catalogue"}

CASE_KEYS = {
    "name",
    "files",
    "standalone",
    "xfail",
    "problems",
    "file",
    "code",
    "line",
    "column",
    "severity",
    "contains",
    "nodes",
}
PROBLEM_KEYS = {"file", "code", "line", "column", "severity", "contains", "nodes"}


def expected_problems(case: dict[str, Any]) -> list[dict[str, Any]]:
    """The case's expected problems, each with its file filled in."""
    if "problems" in case:
        items = case["problems"]
    else:
        items = [{k: v for k, v in case.items() if k in PROBLEM_KEYS}]
    return [{"file": case["files"][0], **item} for item in items]


def case_paths(case: dict[str, Any]) -> list[Path]:
    own = [BROKEN / f for f in case["files"]]
    return own if case.get("standalone") else [MINI / "catalogue.yaml", *own]


def same_file(reported: str | None, fixture: str) -> bool:
    # The loader names files relative to the working directory when it can.
    return reported is not None and Path(reported).resolve() == (BROKEN / fixture).resolve()


def matches(problem: Problem, want: dict[str, Any]) -> bool:
    if problem.code != want["code"] or problem.line != want["line"]:
        return False
    if want["line"] is None:
        if problem.file is not None:
            return False
    elif not same_file(problem.file, want["file"]):
        return False
    if "column" in want and problem.column != want["column"]:
        return False
    if problem.severity.value != want.get("severity", "error"):
        return False
    if "nodes" in want and list(problem.nodes) != want["nodes"]:
        return False
    text = problem.format()
    return all(phrase in text for phrase in want["contains"])


def show(report: CheckReport) -> str:
    return "\n".join(p.format() for p in report.problems) or "(no problems)"


def _params() -> list[Any]:
    out = []
    for case in CASES:
        marks = [pytest.mark.xfail(strict=True, reason=case["xfail"])] if "xfail" in case else []
        out.append(pytest.param(case, id=case["name"].replace(" ", "-"), marks=marks))
    return out


@pytest.mark.parametrize("case", _params())
def test_broken_case(case: dict[str, Any]) -> None:
    report = check_paths(case_paths(case))
    wanted = expected_problems(case)
    for want in wanted:
        assert any(matches(p, want) for p in report.problems), (
            f"no problem {want['code']} at {want['file']}:{want['line']} containing "
            f"{want['contains']}; the report has:\n{show(report)}"
        )
    assert len(report.problems) == len(wanted), f"unexpected extra problems:\n{show(report)}"
    errors = sum(w.get("severity", "error") == "error" for w in wanted)
    assert report.errors == errors
    if any(w["code"] in LOADER_CODES for w in wanted):
        assert report.library is None


# --- the manifest itself ---------------------------------------------------------------


def test_manifest_is_well_formed() -> None:
    names = [c["name"] for c in CASES]
    assert len(names) == len(set(names)), "case names must be unique"
    for case in CASES:
        assert set(case) <= CASE_KEYS, f"{case['name']}: unknown keys {set(case) - CASE_KEYS}"
        assert case["files"], case["name"]
        for f in case["files"]:
            assert (BROKEN / f).is_file(), f"{case['name']}: no file {f}"
        assert ("problems" in case) != ("code" in case), f"{case['name']}: code or problems"
        if "xfail" in case:
            assert case["xfail"].strip(), f"{case['name']}: say why it fails"
        for want in expected_problems(case):
            assert set(want) <= PROBLEM_KEYS, f"{case['name']}: unknown keys in {want}"
            assert want["code"] in ALL_CODES, f"{case['name']}: unknown code {want['code']}"
            assert "line" in want, f"{case['name']}: every expected problem pins its line"
            if want["code"] in LIBRARY_LEVEL:
                assert want["line"] is None
            else:
                assert isinstance(want["line"], int) and want["line"] >= 1, case["name"]
            assert want["file"] in case["files"], f"{case['name']}: {want['file']} not checked"
            assert want["contains"] and all(isinstance(s, str) for s in want["contains"])
            assert want.get("severity", "error") in ("error", "warning")


def test_every_fixture_is_in_the_manifest() -> None:
    on_disk = {
        p.relative_to(BROKEN).as_posix()
        for p in BROKEN.rglob("*")
        if p.suffix in (".yaml", ".yml") and p != MANIFEST
    }
    used = {
        (BROKEN / f).resolve().relative_to(BROKEN.resolve()).as_posix()
        for case in CASES
        for f in case["files"]
        if (BROKEN / f).resolve().is_relative_to(BROKEN.resolve())
    }
    assert on_disk - used == set(), "fixtures no case uses (orphans)"


def test_every_problem_code_has_a_case() -> None:
    covered = {
        want["code"]
        for case in CASES
        if "xfail" not in case  # a known-failing case proves nothing about its code
        for want in expected_problems(case)
    }
    missing = ALL_CODES - covered - set(COVERED_ELSEWHERE)
    assert missing == set(), f"problem codes with no broken fixture: {sorted(missing)}"


def test_mini_library_is_clean() -> None:
    """The fixtures are broken only by what they add: the mini library alone is clean."""
    report = check_paths([MINI])
    assert report.problems == [], show(report)
    assert report.library is not None
    assert sorted(report.library.pathways) == ["pip", "senior"]


# --- the command line -------------------------------------------------------------------


def run_cli(*args: str | Path) -> Any:
    return CliRunner().invoke(cli, ["check", *map(str, args)])


def test_cli_exit_0_when_clean() -> None:
    result = run_cli("--no-shipped", MINI)
    assert result.exit_code == 0, result.output
    assert "ok: 3 file(s), 2 pathways, 5 stages, no problems" in result.output


def test_cli_exit_1_on_problems() -> None:
    result = run_cli("--no-shipped", MINI / "catalogue.yaml", BROKEN / "unknown_field.yaml")
    assert result.exit_code == 1, result.output
    assert "error[unknown-field]" in result.output
    assert "did you mean 'name'?" in result.output
    assert "2 errors in 2 file(s)" in result.output


def test_cli_warnings_fail_only_with_strict() -> None:
    files = [MINI / "catalogue.yaml", BROKEN / "missing_source.yaml"]
    relaxed = run_cli("--no-shipped", *files)
    assert relaxed.exit_code == 0, relaxed.output
    assert "warning[missing-source]" in relaxed.output
    assert "use --strict" in relaxed.output
    strict = run_cli("--no-shipped", "--strict", *files)
    assert strict.exit_code == 1, strict.output


@pytest.mark.parametrize(
    "args",
    [
        pytest.param([str(BROKEN / "no_such_file.yaml")], id="nonexistent-path"),
        pytest.param(["--format", "xml", str(MINI)], id="bad-format"),
        pytest.param(["--no-such-option", str(MINI)], id="unknown-option"),
    ],
)
def test_cli_exit_2_on_usage_error(args: list[str]) -> None:
    result = run_cli("--no-shipped", *args)
    assert result.exit_code == 2, result.output
    assert "Usage:" in result.output


def test_cli_json_output() -> None:
    result = run_cli(
        "--no-shipped", "--format", "json", MINI / "catalogue.yaml", BROKEN / "several_errors.yaml"
    )
    assert result.exit_code == 1, result.output
    data = json.loads(result.output)
    problems = data["problems"]
    assert len(problems) == 6
    assert [p["line"] for p in problems] == [10, 13, 20, 21, 24, 24]
    assert all(isinstance(p["column"], int) for p in problems)
    assert {p["code"] for p in problems} == {
        "wrong-type",
        "invalid-value",
        "unknown-field",
        "missing-field",
    }
    assert data["summary"]["errors"] == 6
    assert data["summary"]["digest"] is None


def test_cli_json_output_when_clean() -> None:
    result = run_cli("--no-shipped", "--format", "json", MINI)
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["problems"] == []
    assert data["summary"]["pathways"] == 2
    assert data["summary"]["stages"] == 5
    assert len(data["summary"]["digest"]) == 64


# --- valid libraries the checker must accept -----------------------------------------------


def test_negated_reached_is_not_a_prerequisite(tmp_path: Path) -> None:
    """'not reached level_2' on level_1 excludes level_2 holders: it is no prerequisite,
    so level_1 <-> level_2 is not a cycle."""
    pathway = tmp_path / "refresher.yaml"
    pathway.write_text(NEGATED_REACHED, encoding="utf-8")
    report = check_paths([MINI / "catalogue.yaml", pathway])
    assert report.library is not None
    assert report.problems == [], show(report)


NEGATED_REACHED = textwrap.dedent(
    """\
    pathway:
      id: investigation
      name: Investigation
      source: 003 Appendix 1
      stages:
        - id: level_1
          name: PIP level 1
          entry: true
          awards: {credential: pip, level: 1}
          source: 003 Appendix 1
          requires:
            - not: {reached: level_2}
              source: illustrative
        - id: level_2
          name: PIP level 2
          awards: {credential: pip, level: 2}
          source: 003 Appendix 1
          requires:
            - reached: level_1
              source: 003 Appendix 1
      progressions:
        - {from: level_1, to: level_2}
    """
)
