"""The pytest plugin: `pytest pathways/library_tests` runs each example case as a test item."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from authoring.cases import SHIPPED_CASES, load_cases
from pathways import SHIPPED_LIBRARY, load_library

pytest_plugins = ["pytester"]

PLUGIN = ("-p", "authoring.cases.plugin", "-p", "no:cacheprovider")
RECORD = (
    "{id: T1, kind: officer, joined: 2022-09-05, ranks: [{rank: constable, start: 2022-09-05}]}"
)
PIP_COURSE = "courses: [{course: pip_level_1_training, completed: 2023-11-10}]"
# Line 1: passes; line 5: fails (no PIP course); line 9: xfail and fails; line 14: xfail, passes.
# Paths in messages are relative to the working directory (pytester's, here).
CASES = f"""\
- name: a constable with the course is eligible
  as_of: 2024-06-01
  record: {RECORD[:-1]}, {PIP_COURSE}}}
  expect: {{pip.level_1: eligible}}
- name: a constable without the course is eligible
  as_of: 2024-06-01
  record: {RECORD}
  expect: {{pip.level_1: eligible}}
- name: a known gap
  xfail: the course is missing on purpose
  as_of: 2024-06-01
  record: {RECORD}
  expect: {{pip.level_1: eligible}}
- name: a gap that was fixed
  xfail: it used to fail
  as_of: 2024-06-01
  record: {RECORD[:-1]}, {PIP_COURSE}}}
  expect: {{pip.level_1: eligible}}
"""


def literal(pattern: str) -> str:
    """``pattern`` for ``fnmatch_lines`` with its square brackets literal (``*`` still matches)."""
    return pattern.replace("[", "[[]")


@pytest.fixture
def case_dir(pytester: pytest.Pytester) -> Path:
    """A directory named like the shipped one, with the four cases above."""
    directory = pytester.mkdir("library_tests")
    (directory / "pip.yaml").write_text(CASES, encoding="utf-8")
    return directory


def test_the_shipped_cases_are_one_item_each_and_pass(pytester: pytest.Pytester) -> None:
    shipped, problems = load_cases([SHIPPED_CASES], load_library([SHIPPED_LIBRARY]))
    assert not problems
    result = pytester.runpytest(str(SHIPPED_CASES), *PLUGIN)
    result.assert_outcomes(passed=len(shipped))
    assert result.ret == pytest.ExitCode.OK


def test_a_failure_shows_file_line_expected_and_actual(
    pytester: pytest.Pytester, case_dir: Path
) -> None:
    result = pytester.runpytest(str(case_dir), *PLUGIN, "-rxX")
    result.assert_outcomes(passed=1, failed=2, xfailed=1)
    out = result.stdout.str()
    # The failing case: its file and line, the expected and actual status, and why.
    result.stdout.fnmatch_lines(
        [
            "*_ case: a constable without the course is eligible _*",
            "FAIL library_tests/pip.yaml:5: a constable without the course is eligible "
            "(as of 2024-06-01)",
            "  pip.level_1: expected eligible, got not_eligible",
            literal("      unmet requires[1]: Completed initial investigation training"),
        ]
    )
    # An xfail case that fails is an expected failure, with its reason ...
    result.stdout.fnmatch_lines(["XFAIL *a known gap* - the course is missing on purpose"])
    # ... and one that passes fails the run, saying what to do.
    assert "is marked xfail (it used to fail) but passed" in out
    assert result.ret == pytest.ExitCode.TESTS_FAILED


def test_k_selects_cases_by_name(pytester: pytest.Pytester, case_dir: Path) -> None:
    result = pytester.runpytest(str(case_dir), *PLUGIN, "-k", "course and not without")
    result.assert_outcomes(passed=1)


def test_a_case_file_with_problems_fails_and_its_good_cases_still_run(
    pytester: pytest.Pytester,
) -> None:
    bad = CASES + "- name: unknown stage\n  as_of: 2024-06-01\n"
    bad += f"  record: {RECORD}\n  expect: {{pip.level_9: held}}\n"
    path = pytester.path / "mine.yaml"  # not in a case directory: named on the command line
    path.write_text(bad, encoding="utf-8")
    result = pytester.runpytest(str(path), *PLUGIN)
    result.assert_outcomes(passed=1, failed=3, xfailed=1)
    result.stdout.fnmatch_lines(
        [
            "1 problem in the case file: those cases did not run",
            literal("mine.yaml:22:*: error[unknown-reference] *: unknown stage 'level_9' in *"),
            "    did you mean 'level_4'?",
        ]
    )


def test_other_yaml_files_are_not_collected(pytester: pytest.Pytester) -> None:
    """A pathway file beside tests (not in a case directory, not named) is not a case file."""
    shutil.copy(SHIPPED_LIBRARY / "pip.yaml", pytester.path / "pip.yaml")
    result = pytester.runpytest(str(pytester.path), *PLUGIN)
    assert result.ret == pytest.ExitCode.NO_TESTS_COLLECTED


def test_the_library_option_decides_with_a_draft(pytester: pytest.Pytester, case_dir: Path) -> None:
    draft = pytester.mkdir("draft")
    text = (SHIPPED_LIBRARY / "pip.yaml").read_text(encoding="utf-8")
    # The draft drops the PIP level 1 course from level 1: both constables are eligible.
    assert "course: pip_level_1_training" in text
    changed = text.replace("- course: pip_level_1_training", "- rank: {exactly: constable}", 1)
    assert changed != text
    (draft / "pip.yaml").write_text(changed, encoding="utf-8")
    args = ("--pathway-library", str(draft), "-k", "without")
    result = pytester.runpytest(str(case_dir), *PLUGIN, *args)
    result.assert_outcomes(passed=1)
    broken = pytester.mkdir("broken")
    (broken / "pip.yaml").write_text(textwrap.dedent("pathway: {id: pip}\n"), encoding="utf-8")
    result = pytester.runpytest(str(case_dir), *PLUGIN, "--pathway-library", str(broken))
    assert result.ret != pytest.ExitCode.OK
    result.stdout.fnmatch_lines(
        [
            "the pathway library does not load:",
            literal("broken/pip.yaml:1:*: error[missing-field] *: missing required field 'name'"),
        ]
    )
