"""A pytest plugin: every example case in a case file is a test item.

``pytest pathways/library_tests`` collects the shipped cases, one item per case, the way
openfisca-core's YAML tests are collected; ``-k`` selects by case name, and a failing
case shows its ``file:line``, then each stage's expected and actual status with the
requirements behind it (the same text as ``pathways test``). A case marked ``xfail``
that fails is reported as xfailed; one that passes fails (like pytest's strict xfail).

Which YAML files are case files: any given on the command line, and every ``*.yaml`` /
``*.yml`` in a directory named in the ``pathway_case_dirs`` ini option (by default
``library_tests``). ``--pathway-library DIR`` decides with a draft library, as
``pathways test --library DIR`` does. A case file with problems (an unknown key, a bad
date, an unknown stage) gives one failing item listing them, located; its other cases
still run.

The project loads the plugin with ``-p authoring.cases.plugin`` in pyproject.toml's
pytest options; elsewhere, pass the same ``-p`` option.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pathways.model.library import Library
from pathways.problems import PathwayError, Problem
from rules.engine import Evaluator

from .model import Case, CaseResult, Outcome
from .parsing import load_cases
from .running import load_case_library, run_case

__all__ = ["CaseFailed", "CaseFile", "CaseItem", "CaseProblems"]

_EVALUATOR = pytest.StashKey[Evaluator]()
_CASE_SUFFIXES = (".yaml", ".yml")


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("pathway cases", "example cases of a pathway library (YAML)")
    group.addoption(
        "--pathway-library",
        metavar="DIR",
        type=Path,
        help="decide the example cases with the pathway library in DIR (without a catalogue "
        "in DIR, its files replace the shipped pathways of the same id)",
    )
    parser.addini(
        "pathway_case_dirs",
        type="args",
        default=["library_tests"],
        help="names of directories whose YAML files are example case files",
    )


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> CaseFile | None:
    if file_path.suffix not in _CASE_SUFFIXES:
        return None
    dirs = parent.config.getini("pathway_case_dirs")
    if parent.session.isinitpath(file_path) or file_path.parent.name in dirs:
        case_file: CaseFile = CaseFile.from_parent(parent, path=file_path)
        return case_file
    return None


def _evaluator(config: pytest.Config) -> Evaluator:
    """One evaluator per test session (compiling the library is the slow part)."""
    if _EVALUATOR not in config.stash:
        library, problems = load_case_library(config.getoption("pathway_library"))
        if library is None:
            raise PathwayError(problems)
        config.stash[_EVALUATOR] = Evaluator(library)
    return config.stash[_EVALUATOR]


class CaseFile(pytest.File):
    """A YAML list of cases: one :class:`CaseItem` each, and the file's problems if any."""

    def collect(self) -> Iterator[pytest.Item]:
        library: Library = _evaluator(self.config).library
        cases, problems = load_cases([self.path], library)
        if problems:
            yield CaseProblems.from_parent(
                self, name="problems in this case file", problems=problems
            )
        for case in cases:
            yield CaseItem.from_parent(self, name=case.name, case=case)

    def repr_failure(
        self,
        excinfo: pytest.ExceptionInfo[BaseException],
        style: Any = None,  # Node's signature; a collector's own has no style
    ) -> str:
        if isinstance(excinfo.value, PathwayError):  # the library, not this file
            return f"the pathway library does not load:\n{excinfo.value}"
        return str(super().repr_failure(excinfo))


class CaseFailed(AssertionError):
    """A case whose decision differs from what it expects (or an xfail case that passed)."""

    def __init__(self, result: CaseResult):
        super().__init__(result.diff())
        self.result = result


class CaseItem(pytest.Item):
    """One case: decide its record as of its date, compare with what it expects."""

    def __init__(self, *, case: Case, **kwargs: Any):
        super().__init__(**kwargs)
        self.case = case

    def runtest(self) -> None:
        result = run_case(self.case, _evaluator(self.config))
        match result.outcome:
            case Outcome.PASS:
                return
            case Outcome.XFAIL:
                pytest.xfail(self.case.xfail or "")
            case Outcome.FAIL | Outcome.XPASS:
                raise CaseFailed(result)

    def repr_failure(
        self,
        excinfo: pytest.ExceptionInfo[BaseException],
        style: Any = None,
    ) -> str:
        if isinstance(excinfo.value, CaseFailed):
            return str(excinfo.value)
        return str(super().repr_failure(excinfo, style=style))

    def reportinfo(self) -> tuple[Path, int | None, str]:
        line = self.case.line - 1 if self.case.line else None  # pytest counts from 0
        return self.path, line, f"case: {self.case.name}"


class CaseProblems(pytest.Item):
    """The problems of a case file (those cases did not run), as one failing item."""

    def __init__(self, *, problems: list[Problem], **kwargs: Any):
        super().__init__(**kwargs)
        self.problems = problems

    def runtest(self) -> None:
        raise PathwayError(self.problems)

    def repr_failure(
        self,
        excinfo: pytest.ExceptionInfo[BaseException],
        style: Any = None,
    ) -> str:
        n = len(self.problems)
        head = f"{n} problem{'s' * (n != 1)} in the case file: those cases did not run"
        return "\n".join([head, *(p.format() for p in self.problems)])

    def reportinfo(self) -> tuple[Path, int | None, str]:
        first = self.problems[0].line
        return self.path, first - 1 if first else None, "problems in this case file"
