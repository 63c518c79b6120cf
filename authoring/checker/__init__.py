"""The pathway checker: finds mistakes in a library before it is published.

>>> from pathways import SHIPPED_LIBRARY
>>> report = check_paths([SHIPPED_LIBRARY])
>>> report.errors, report.warnings
(0, 0)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pathways.loader import collect_files, load_with_problems
from pathways.model.library import Library
from pathways.problems import Problem, Severity

from .context import Reporter
from .obligations import check_obligations
from .references import check_references
from .satisfiable import check_satisfiable
from .sources import check_sources, unindexed_documents
from .structure import check_cycles, check_duplicates, check_reachability, check_skipped_stages

__all__ = ["CheckReport", "check", "check_paths"]

PASSES = (
    check_duplicates,
    check_references,
    check_cycles,
    check_reachability,
    check_skipped_stages,
    check_satisfiable,
    check_sources,
    check_obligations,
)


def check(library: Library) -> list[Problem]:
    """Every problem in a loaded library, sorted by file and line."""
    rep = Reporter(library, [])
    for run in PASSES:
        run(rep)
    unique = list(dict.fromkeys(rep.problems))
    return sorted(unique, key=Problem.sort_key)


@dataclass
class CheckReport:
    """What ``pathways check`` found, and what it looked at."""

    files: list[str]
    problems: list[Problem]
    library: Library | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def errors(self) -> int:
        return sum(p.severity is Severity.ERROR for p in self.problems)

    @property
    def warnings(self) -> int:
        return sum(p.severity is Severity.WARNING for p in self.problems)

    def to_json(self) -> dict[str, Any]:
        lib = self.library
        return {
            "files": self.files,
            "problems": [p.model_dump(mode="json") for p in self.problems],
            "summary": {
                "errors": self.errors,
                "warnings": self.warnings,
                "pathways": len(lib.pathways) if lib else 0,
                "stages": len(lib.stages()) if lib else 0,
                "digest": lib.digest if lib else None,
            },
            "notes": self.notes,
        }


def check_paths(paths: Iterable[str | Path], base: str | Path | None = None) -> CheckReport:
    """Load files or directories (on top of ``base``, if given) and check them.

    Loader problems (syntax, schema) are reported alone: the semantic checks
    need a library that loaded.
    """
    paths = list(paths)
    files = [str(f) for f in collect_files(paths)]
    library, problems = load_with_problems(paths, base)
    if library is None:
        return CheckReport(
            files,
            sorted(problems, key=Problem.sort_key),
            None,
            [
                "fix these problems first; then the checker looks at "
                "references, cycles, reachability and satisfiability"
            ],
        )
    notes = []
    unchecked = unindexed_documents(library)
    if unchecked:
        notes.append(
            f"citations of {', '.join(unchecked)} name a place, but the library has no source "
            "index for them, so the place is not checked (docs/language.md, 'Source index')"
        )
    return CheckReport(files, check(library), library, notes)
