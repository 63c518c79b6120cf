"""Example tests as data: the shipped cases pass, and the runner reports mistakes clearly."""

from __future__ import annotations

import json
import os
import shutil
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner
from shipped import shipped

from authoring.cases import (
    SHIPPED_CASES,
    Case,
    CaseResult,
    Outcome,
    collect_case_files,
    load_cases,
    run_case,
    run_cases,
)
from cli import cli
from pathways import SHIPPED_LIBRARY, Library, Problem, load_library
from rules.engine import Evaluator

REPO = Path(__file__).resolve().parent.parent
LIBRARY = shipped()
SHIPPED, SHIPPED_PROBLEMS = load_cases([SHIPPED_CASES], LIBRARY)

# A constable with the PIP level 1 course: six lines, to splice into a case after 'as_of'.
CONSTABLE = """\
  record:
    id: T-1
    kind: officer
    joined: 2022-09-05
    ranks: [{rank: constable, start: 2022-09-05}]
    courses: [{course: pip_level_1_training, completed: 2023-11-10}]
"""


def case(name: str, rest: str, head: str = "", record: str = CONSTABLE) -> str:
    """A case: name (line 1), as_of 2024-06-01 (line 2), ``head`` lines, the record, ``rest``."""
    body = textwrap.indent(textwrap.dedent(rest), "  ")
    return f"- name: {name}\n  as_of: 2024-06-01\n{head}{record}{body}"


def write(tmp_path: Path, text: str, name: str = "cases.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def load(path: Path, library: Library = LIBRARY) -> tuple[list[Case], list[Problem]]:
    return load_cases([path], library)


def only(problems: list[Problem], code: str) -> Problem:
    found = [p for p in problems if p.code == code]
    assert len(found) == 1, "\n".join(p.format() for p in problems)
    return found[0]


def run_one(path: Path, evaluator: Evaluator) -> CaseResult:
    cases, problems = load(path)
    assert not problems, "\n".join(p.format() for p in problems)
    assert len(cases) == 1
    return run_case(cases[0], evaluator)


# --- the shipped cases ----------------------------------------------------------------------


def test_shipped_case_files_load_without_problems() -> None:
    assert not SHIPPED_PROBLEMS, "\n".join(p.format() for p in SHIPPED_PROBLEMS)
    assert len(SHIPPED) >= 40


def test_every_shipped_pathway_has_its_own_case_file_with_cases() -> None:
    files = {f.stem for f in collect_case_files([SHIPPED_CASES])}
    assert files == set(LIBRARY.pathways)
    for pid in LIBRARY.pathways:
        in_file = [c for c in SHIPPED if Path(c.file).stem == pid]
        assert len(in_file) >= 3, f"{pid}: only {len(in_file)} cases"
        assert all(any(e.pathway == pid for e in (*c.expect, *c.obligations)) for c in in_file), pid


def test_the_shipped_cases_are_not_inside_the_library_directory() -> None:
    # The loader reads every *.yaml under the library as a pathway file.
    assert SHIPPED_LIBRARY not in SHIPPED_CASES.parents
    load_library([SHIPPED_LIBRARY])


# Each shipped case is a test item of its own: `pytest pathways/library_tests` (the plugin in
# authoring/cases/plugin.py; tests/test_cases_plugin.py tests it).


# --- failures are reported as readable diffs ---------------------------------------------------


def test_a_wrong_status_is_a_failure_with_the_unmet_requirements(
    tmp_path: Path, evaluator: Evaluator
) -> None:
    rest = """\
      expect:
        pip.level_1: eligible
        pip.level_2: {status: eligible_from, eligible_from: 2025-03-01}
    """
    path = write(tmp_path, case("wrong on purpose", rest))
    result = run_one(path, evaluator)
    assert result.outcome is Outcome.FAIL and not result.ok
    assert len(result.failures) == 1
    text = result.failures[0]
    assert text.startswith("pip.level_2: expected eligible_from 2025-03-01, got not_eligible")
    assert "unmet requires[0]: Holds PIP level 1" in text
    assert "unmet requires[1]: Received nationally recognised investigative training" in text
    assert "unmet requires[2]: Passed the National Investigators' Examination" in text
    diff = result.diff()
    assert diff.startswith(f"FAIL {result.case.where}: wrong on purpose (as of 2024-06-01)")


def test_a_wrong_date_shows_both_dates_and_when_each_requirement_is_met(
    tmp_path: Path, evaluator: Evaluator
) -> None:
    path = write(
        tmp_path,
        """\
        - name: one day out
          as_of: 2024-02-28
          record:
            id: T-2
            kind: staff
            joined: 2023-08-31
            postings:
              - {business_group: specialist_crime, role: civilian_investigator, start: 2023-08-31}
            courses: [{course: pip_level_1_training, completed: 2023-10-20}]
          expect:
            pip.level_1: {eligible_from: 2024-03-01}
        """,
    )
    result = run_one(path, evaluator)
    text = result.failures[0]
    assert text.startswith(
        "pip.level_1: expected eligible_from 2024-03-01, got eligible_from 2024-02-29"
    )
    assert "At least 6 months as a civilian investigator (met from 2024-02-29)" in text


def test_a_requirement_check_and_next_steps_are_compared(
    tmp_path: Path, evaluator: Evaluator
) -> None:
    rest = """\
      expect:
        pip.level_1:
          status: eligible
          requirements: {"requires[1]": unmet}
      next_steps: [Book a course that does not exist]
      not_next_steps: [{stage: pip.level_1}]
    """
    path = write(tmp_path, case("steps", rest, head="  pathways: [pip]\n"))
    result = run_one(path, evaluator)
    assert result.failures[0] == (
        "pip.level_1 requires[1]: expected unmet, got met: Completed initial investigation training"
    )
    assert result.failures[1].startswith(
        'next steps: expected one containing "Book a course that does not exist", got:'
    )
    assert "(no next steps)" in result.failures[1]
    assert len(result.failures) == 2  # level 1 is eligible: no step for it


def test_a_stage_not_in_force_is_its_own_status(tmp_path: Path, evaluator: Evaluator) -> None:
    text = case("FSL before it existed", "  expect: {fsl.stage_1: not_eligible}\n")
    path = write(tmp_path, text.replace("2024-06-01", "2010-03-31"))
    result = run_one(path, evaluator)
    assert result.failures == (
        "fsl.stage_1: expected not_eligible, got not_in_force "
        "(no decision: the stage is not in force on 2010-03-31)",
    )


def test_xfail_cases_must_fail(tmp_path: Path, evaluator: Evaluator) -> None:
    fails = case(
        "expected to fail",
        "  expect: {pip.level_1: held}\n",
        head="  xfail: demonstrates a known problem\n",
    )
    passes = case(
        "expected to fail but passes",
        "  expect: {pip.level_1: eligible}\n",
        head="  xfail: the problem was fixed\n",
    )
    path = write(tmp_path, fails + passes)
    cases, problems = load(path)
    assert not problems
    report = run_cases(cases, LIBRARY)
    xfail, xpass = report.results
    assert xfail.outcome is Outcome.XFAIL and xfail.ok
    assert "[xfail: demonstrates a known problem]" in xfail.line()
    assert xpass.outcome is Outcome.XPASS and not xpass.ok
    assert "marked xfail (the problem was fixed) but passed" in xpass.failures[0]
    assert report.summary() == "1 passed, 1 failed"
    assert report.xfailed == 1


def test_record_file_is_relative_to_the_case_file(tmp_path: Path, evaluator: Evaluator) -> None:
    example = os.path.relpath(REPO / "examples" / "inspector_pip.json", tmp_path)
    path = write(
        tmp_path,
        f"""\
        - name: the example inspector's PIP level 2 lapses
          as_of: 2022-10-12
          record_file: {example}
          expect:
            pip.level_1: held
            pip.level_2: {{lapsed_on: 2022-10-12}}
        """,
    )
    assert run_one(path, evaluator).outcome is Outcome.PASS


# --- mistakes in case files -------------------------------------------------------------------


def test_an_unknown_key_in_a_case_is_reported_with_file_and_line(tmp_path: Path) -> None:
    rest = """\
      expect: {pip.level_1: eligible}
      next_step: [x]
    """
    path = write(tmp_path, case("typo", rest))
    cases, problems = load(path)
    assert cases == []
    p = only(problems, "unknown-field")
    assert (p.file, p.line, p.column) == (str(path), 10, 3)
    assert p.message == "unknown field 'next_step' in a case"
    assert p.suggestion == "next_steps"
    assert p.format().startswith(f"{path}:10:3: error[unknown-field] [0].next_step:")


def test_unknown_keys_deeper_in_a_case_are_reported(tmp_path: Path) -> None:
    record = CONSTABLE.replace("    kind: officer\n", "    kind: officer\n    rnaks: []\n")
    rest = "  expect: {pip.level_1: {status: eligible, eligble_from: 2024-01-01}}\n"
    path = write(tmp_path, case("typos", rest, record=record))
    _cases, problems = load(path)
    found = {(p.line, p.message, p.suggestion) for p in problems if p.code == "unknown-field"}
    assert found == {
        (6, "unknown field 'rnaks' in record", "ranks"),
        (10, "unknown field 'eligble_from' in 'pip.level_1'", "eligible_from"),
    }


def test_an_unknown_stage_or_pathway_is_a_clear_error(tmp_path: Path) -> None:
    rest = """\
      expect:
        pip.levle_2: eligible
        pipp.level_1: eligible
        pip: eligible
      next_steps: [{text: x, stage: fsl.stage_9}]
    """
    path = write(tmp_path, case("unknown names", rest))
    cases, problems = load(path)
    assert cases == []
    assert all(p.file == str(path) and p.line for p in problems)
    by_line = {p.line: p for p in problems}
    assert by_line[10].code == "unknown-reference"
    assert by_line[10].message == "unknown stage 'levle_2' in pathway 'pip'"
    assert by_line[10].suggestion == "level_2"
    assert by_line[11].message == "unknown pathway 'pipp' in 'pipp.level_1'"
    assert by_line[11].suggestion == "pip"
    assert by_line[12].message == "'pip' should name a stage as 'pathway.stage'"
    assert by_line[13].message == "unknown stage 'stage_9' in pathway 'fsl'"


def test_bad_values_in_expectations(tmp_path: Path) -> None:
    rest = """\
      expect:
        pip.level_1: elligible
        pip.level_2: {status: eligible, eligible_from: 2025-01-01}
        pip.level_3: {status: not_eligible, requirements: {"requires[9]": met}}
        fsl.stage_1: eligible
    """
    text = case("bad values", rest, head="  pathways: [pip]\n")
    path = write(tmp_path, text.replace("2024-06-01", "1 June 2024", 1))
    _cases, problems = load(path)
    messages = {(p.line, p.code, p.message) for p in problems}
    assert messages == {
        (2, "wrong-type", "'as_of' should be a date like 2010-04-01, not '1 June 2024'"),
        (11, "invalid-value", "'elligible' is not a status"),
        (12, "invalid-value", "'eligible_from' goes with status 'eligible_from', not 'eligible'"),
        (13, "unknown-reference", "stage 'pip.level_3' has no requirement 'requires[9]'"),
        (
            14,
            "invalid-value",
            "'fsl.stage_1' is in pathway 'fsl', which this case's 'pathways' leaves out",
        ),
    }
    assert next(p for p in problems if p.line == 11).suggestion == "eligible"


def test_ids_in_a_record_must_be_in_the_catalogue(tmp_path: Path) -> None:
    record = CONSTABLE.replace("pip_level_1_training", "pip_level_1_trainig")
    rest = "  expect: {pip.level_1: eligible}\n"
    path = write(tmp_path, case("typo in the record", rest, record=record))
    _cases, problems = load(path)
    p = only(problems, "unknown-reference")
    assert p.line == 8
    assert p.path == "[0].record.courses[0].course"
    assert p.message.startswith("unknown course 'pip_level_1_trainig' in the record")
    assert p.suggestion == "pip_level_1_training"


def test_record_problems_and_missing_fields(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        - name: no record
          as_of: 2024-06-01
          expect: {pip.level_1: eligible}
        - name: missing record file
          as_of: 2024-06-01
          record_file: nowhere.json
          expect: {pip.level_1: eligible}
        - as_of: 2024-06-01
          record:
            {id: X, kind: officer, joined: 2020-01-01,
             credentials: [{credential: pip, level: 7, awarded: 2021-01-01}]}
        """,
    )
    cases, problems = load(path)
    assert cases == []
    found = {(p.line, p.code) for p in problems}
    assert found == {
        (1, "missing-field"),  # no record
        (6, "unreadable-file"),  # record_file not found
        (8, "missing-field"),  # no name
        (8, "missing-field"),  # no expect
        (11, "invalid-value"),  # PIP has no level 7
    }
    assert any("exactly one of 'record'" in p.message for p in problems)


def test_a_case_file_must_be_a_list_and_names_unique(tmp_path: Path) -> None:
    _cases, problems = load(write(tmp_path, "name: not a list\n", "mapping.yaml"))
    assert only(problems, "wrong-type").message.startswith("a case file is a list of cases")
    text = case("same", "  expect: {pip.level_1: eligible}\n")
    cases, problems = load(write(tmp_path, text + text, "twice.yaml"))
    assert len(cases) == 1
    assert only(problems, "duplicate-id").line == 10


def test_yaml_syntax_errors_are_problems(tmp_path: Path) -> None:
    _cases, problems = load(write(tmp_path, "- name: [unclosed\n"))
    assert only(problems, "yaml-syntax").file is not None


# --- the command ---------------------------------------------------------------------------


def test_command_runs_the_shipped_cases() -> None:
    result = CliRunner().invoke(cli, ["test"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[-1] == f"{len(SHIPPED)} passed, 0 failed"
    assert sum(line.startswith("PASS ") for line in lines) == len(SHIPPED)


def test_command_exit_1_and_diff_when_a_case_fails(tmp_path: Path) -> None:
    passes = case("passes", "  expect: {pip.level_1: eligible}\n")
    fails = case("fails", "  expect: {pip.level_1: held}\n")
    path = write(tmp_path, passes + fails)
    result = CliRunner().invoke(cli, ["test", str(path)])
    assert result.exit_code == 1
    out = result.output.splitlines()
    assert out[0].startswith("PASS ") and out[0].endswith("passes")
    assert out[1].startswith("FAIL ") and out[1].endswith("fails")
    assert "  pip.level_1: expected held, got eligible" in out
    assert out[-1] == "1 passed, 1 failed"


def test_command_exit_1_when_a_case_file_has_problems(tmp_path: Path) -> None:
    path = write(tmp_path, "- name: x\n  as_of: 2024-06-01\n  expect: {pip.level_9: held}\n")
    result = CliRunner().invoke(cli, ["test", str(path)])
    assert result.exit_code == 1
    assert "error[unknown-reference]" in result.output
    assert result.output.splitlines()[-1] == "0 passed, 0 failed"


def test_command_json_and_k(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["test", "-k", "LAPSE", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    names = [c["name"] for c in data["cases"]]
    assert names and all("lapse" in n.lower() for n in names)
    assert data["summary"] == {"passed": len(names), "failed": 0, "xfailed": 0, "problems": 0}
    assert data["library_version"] == LIBRARY.digest


def test_command_library_option_replaces_a_shipped_pathway(tmp_path: Path) -> None:
    draft = tmp_path / "draft"
    draft.mkdir()
    text = (SHIPPED_LIBRARY / "fsl.yaml").read_text(encoding="utf-8")
    (draft / "fsl.yaml").write_text(text.replace("2010-04-01", "2010-05-01"), encoding="utf-8")
    result = CliRunner().invoke(cli, ["test", "--library", str(draft), "-k", "FSL stage 1 from"])
    assert result.exit_code == 1
    assert "fsl.stage_1: expected eligible, got not_in_force" in result.output
    whole = tmp_path / "whole"
    shutil.copytree(SHIPPED_LIBRARY, whole)
    result = CliRunner().invoke(cli, ["test", "--library", str(whole), "-k", "FSL"])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    "args",
    [
        ["test", "--colour"],
        ["test", "does-not-exist.yaml"],
        ["test", "--format", "xml"],
        ["test", "-k", "no case is called this"],
    ],
)
def test_command_usage_errors_exit_2(args: list[str]) -> None:
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2, result.output


def test_command_no_case_files_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["test", str(tmp_path)])
    assert result.exit_code == 2
    assert "no case files" in result.output


def test_command_help_has_examples() -> None:
    result = CliRunner().invoke(cli, ["test", "--help"])
    assert result.exit_code == 0
    assert "Examples:" in result.output and "pathways test" in result.output


# --- obligations in cases ---------------------------------------------------------------------


def test_obligation_expectations_are_checked_with_their_dates(
    tmp_path: Path, evaluator: Evaluator
) -> None:
    rest = """\
      obligations:
        pip.pip_accreditation_current: {status: due, due_by: 2024-12-31}
    """
    record = (
        "  record: {id: W1, kind: officer, joined: 2020-01-06,\n"
        "    ranks: [{rank: constable, start: 2020-01-06}],\n"
        "    postings: [{business_group: territorial_policing, role: investigation,\n"
        "                start: 2024-01-01}]}\n"
    )
    result = run_one(write(tmp_path, case("pip due", rest, record=record)), evaluator)
    assert result.outcome.value == "pass", result.failures
    wrong = rest.replace("status: due, due_by: 2024-12-31", "status: overdue, due_by: 2024-12-30")
    result = run_one(write(tmp_path, case("pip wrong", wrong, record=record)), evaluator)
    assert list(result.failures) == [
        "pip.pip_accreditation_current: expected overdue due_by 2024-12-30, got due "
        "due_by 2024-12-31 act_by 2024-12-31\n"
        "    met applies_to[0]: Posted in an investigative role\n"
        "    met applies_to[1]: An officer up to and including inspector, or police staff "
        "(who PIP level 1 is for)\n"
        "    unmet must: Current PIP accreditation"
    ]
    absent = rest.replace("{status: due, due_by: 2024-12-31}", "not_applicable")
    result = run_one(write(tmp_path, case("pip absent", absent)), evaluator)
    assert result.outcome.value == "pass", result.failures


def test_bad_obligation_expectations_are_located_problems(tmp_path: Path) -> None:
    rest = """\
      obligations:
        fsl.fsl_for_chief_inspector: due
        fsl.fsl_for_chief_inspectors: {status: overdeu, due_on: 2024-01-01}
        pip.pip_accreditation_current: {due_by: 1 May}
    """
    _cases, problems = load(write(tmp_path, case("bad obligations", rest)))
    messages = {(p.line, p.code, p.message, p.suggestion) for p in problems}
    assert messages == {
        (
            10,
            "unknown-reference",
            "unknown obligation 'fsl.fsl_for_chief_inspector'",
            "fsl.fsl_for_chief_inspectors",
        ),
        (11, "unknown-field", "unknown field 'due_on' in 'fsl.fsl_for_chief_inspectors'", "due_by"),
        (11, "invalid-value", "'overdeu' is not an obligation's status", "overdue"),
        (12, "missing-field", "missing 'status' for 'pip.pip_accreditation_current'", None),
    }
