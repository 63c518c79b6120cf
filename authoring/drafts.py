"""Checking a draft library change: the checker's findings and the example cases' results.

A draft is a change of one or more pathway files (with catalogue additions, if any) made
on a library version, and the example cases that come with it. :func:`check_draft` puts
the files over the version's, checks the whole library (every finding located in the
draft's own file names), and runs the cases against it in an engine worker (durable-rules
never runs in the caller's thread: the web calls this from a request). What it returns is
what the store keeps with the draft and what a reviewer sees.

Uploaded cases give their record inline: ``record_file`` would read a file on the server.

>>> from pathways import SHIPPED_LIBRARY
>>> from pathways.loader import library_files
>>> base = library_files(SHIPPED_LIBRARY)
>>> text = base["pip.yaml"].replace("  name:", "  nmae:", 1)
>>> check = check_draft(base, {"pip.yaml": text}, {})
>>> check.errors, sorted({f["code"] for f in check.findings}), check.digest
(2, ['missing-field', 'unknown-field'], None)
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from authoring.cases import CaseReport, parse_cases, run_case
from authoring.checker import check_paths
from pathways.model.library import Library
from pathways.problems import Problem
from pathways.yamlsource import read_yaml_text
from rules.engine import Evaluator
from rules.pool import EnginePool

__all__ = [
    "FOUR_EYES_ENV",
    "DraftCheck",
    "check_draft",
    "finding",
    "four_eyes",
    "write_files",
]

#: ``off`` (or ``0``, ``no``, ``false``) lets one HR user publish alone (a small deployment).
FOUR_EYES_ENV = "PATHWAYS_FOUR_EYES"


def four_eyes() -> bool:
    """Whether publishing needs a second HR user's approval: yes, unless the deployment
    sets ``PATHWAYS_FOUR_EYES=off``."""
    return os.environ.get(FOUR_EYES_ENV, "on").strip().lower() not in ("off", "0", "no", "false")


@dataclass
class DraftCheck:
    """What the checker and the example cases found for a draft."""

    files: dict[str, str]  # the whole library as checked
    findings: list[dict[str, Any]] = field(default_factory=list)
    digest: str | None = None  # None: the library does not load
    catalogue_name: str | None = None
    cases: dict[str, Any] | None = None  # None: the draft has no cases
    library: Library | None = None

    @property
    def errors(self) -> int:
        return sum(f["severity"] == "error" for f in self.findings)

    @property
    def warnings(self) -> int:
        return sum(f["severity"] == "warning" for f in self.findings)

    @property
    def failing_cases(self) -> int:
        if self.cases is None:
            return 0
        return int(self.cases["failed"]) + int(self.cases["problems"])

    def checked(self) -> dict[str, Any]:
        """What the store keeps with the draft (``store.drafts.Draft.checked``)."""
        return {
            "errors": self.errors,
            "warnings": self.warnings,
            "findings": self.findings,
            "cases": self.cases,
        }


def write_files(files: Mapping[str, str], root: Path) -> None:
    """Write ``{relative name: text}`` under ``root``.

    Raises:
        ValueError: if a name points outside ``root``.
    """
    for name, text in files.items():
        target = (root / name).resolve()
        if not target.is_relative_to(root.resolve()):
            raise ValueError(f"file name '{name}' is outside the library")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")


def check_draft(
    base: Mapping[str, str], changed: Mapping[str, str], cases: Mapping[str, str]
) -> DraftCheck:
    """Check ``changed`` files over the ``base`` library's, and run the ``cases``."""
    files = {**base, **changed}
    with tempfile.TemporaryDirectory(prefix="pathways-draft-") as tmp:
        root = Path(tmp)
        write_files(files, root)
        report = check_paths([root])
        check = DraftCheck(
            files,
            [finding(p, root) for p in report.problems],
            report.library.digest if report.library else None,
            report.library.catalogue.name if report.library else None,
            library=report.library,
        )
        if cases:
            check.cases = _run_cases(cases, report.library, root)
    return check


def finding(problem: Problem, root: Path | None = None) -> dict[str, Any]:
    """A problem as data for the store, the pages and the API: where (file as named in the
    library, line, column, field), what, and how to fix it."""
    fix = problem.hint
    if problem.suggestion:
        fix = f"did you mean '{problem.suggestion}'?" + (f" {fix}" if fix else "")
    return {
        "severity": problem.severity.value,
        "code": problem.code,
        "file": _relative(problem.file, root) if root else problem.file,
        "line": problem.line,
        "column": problem.column,
        "field": problem.path or None,
        "message": problem.message,
        "fix": fix,
        "snippet": problem.snippet,
    }


def _run_cases(cases: Mapping[str, str], library: Library | None, root: Path) -> dict[str, Any]:
    report = CaseReport(library_version=library.digest if library else None)
    if library is None:
        report.problems.append(
            Problem(
                code="unreadable-file",
                message="the example cases did not run: the library does not load",
                hint="fix the checker's findings first",
            )
        )
        return _cases_json(report)
    parsed = []
    for name, text in cases.items():
        doc = read_yaml_text(text, name)
        if isinstance(doc.data, list):
            for i, raw in enumerate(doc.data):
                if isinstance(raw, dict) and "record_file" in raw:
                    report.problems.append(
                        Problem.at(
                            doc.location((i, "record_file"), at_key=True),
                            "unknown-field",
                            "an uploaded case gives its record inline, under 'record:'",
                            hint="copy the record into the case ('record_file' reads a file "
                            "on the server)",
                        )
                    )
        if report.problems:
            continue
        found, problems = parse_cases(doc, library, root)
        parsed.extend(found)
        report.problems.extend(problems)
    if parsed:
        with EnginePool([root], workers=1) as pool:
            # The pool decides as the evaluator would, in a worker process.
            decider = cast(Evaluator, pool)
            report.results = [run_case(case, decider) for case in parsed]
    return _cases_json(report)


def _cases_json(report: CaseReport) -> dict[str, Any]:
    data = report.to_json()
    return {
        **data["summary"],
        "results": data["cases"],
        "problem_list": [finding(p) for p in report.problems],
        "ok": report.ok,
    }


def _relative(file: str | None, root: Path) -> str | None:
    if file is None:
        return None
    path = Path(file)
    for base in (root, root.resolve()):
        try:
            return (path if path.is_absolute() else path.resolve()).relative_to(base).as_posix()
        except ValueError:
            continue
    return file
