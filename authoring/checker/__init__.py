"""The pathway checker: finds mistakes in a library before it is published.

>>> from pathways import SHIPPED_LIBRARY
>>> report = check_paths([SHIPPED_LIBRARY])
>>> report.errors, report.warnings
(0, 0)
"""

from __future__ import annotations

from collections import Counter
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
    """Every problem in a loaded library, sorted by file and line, root causes first."""
    rep = Reporter(library, [])
    for run in PASSES:
        run(rep)
    unique = list(dict.fromkeys(rep.problems))
    return root_causes_first(library, sorted(unique, key=Problem.sort_key))


#: Findings about a pathway's stages that a stage id used twice can cause on its own.
_FOLLOW_ON = {"cycle", "unreachable-stage", "skipped-required-stage", "unknown-reference"}


def root_causes_first(library: Library, problems: list[Problem]) -> list[Problem]:
    """A stage id used twice first, without the findings it explains.

    Two stages with one id make one node of the graph: a ``reached`` between them
    becomes a cycle of that node with itself, and the id the second stage was meant to
    have is an "unknown stage" wherever it is used. Those findings are left out (and
    counted in the duplicate's hint) until the id is fixed; the others stay.
    """
    doubled = {
        f"{p.id}.{sid}": p.id
        for p in library.pathways.values()
        for sid, n in Counter(s.id for s in p.stages).items()
        if n > 1
    }
    if not doubled:
        return problems
    pathways = set(doubled.values())

    def follows(p: Problem) -> bool:
        if p.code not in _FOLLOW_ON:
            return False
        if p.code == "cycle":
            return any(n in doubled for n in p.nodes)
        if p.code == "unknown-reference":  # an unknown stage names the stage in nodes
            return any(n.split(".", 1)[0] in pathways for n in p.nodes)
        return p.pathway in pathways

    left_out = [p for p in problems if follows(p)]
    roots = [
        _explains(p, [q for q in left_out if q.pathway == p.pathway])
        for p in problems
        if _is_root(p, doubled)
    ]
    rest = [p for p in problems if not follows(p) and not _is_root(p, doubled)]
    return roots + rest


def _is_root(p: Problem, doubled: dict[str, str]) -> bool:
    return p.code == "duplicate-id" and p.stage is not None and f"{p.pathway}.{p.stage}" in doubled


def _explains(root: Problem, left_out: list[Problem]) -> Problem:
    if not left_out:
        return root
    shown = "; ".join(p.message for p in left_out[:3]) + ("; ..." if len(left_out) > 3 else "")
    return root.model_copy(
        update={
            "hint": f"{root.hint}. Fix this first: {len(left_out)} other finding"
            f"{'s' * (len(left_out) != 1)} follow from it and are left out until it is "
            f"fixed ({shown})"
        }
    )


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
