"""HR's check-and-publish, shared by the pages and the API: pathway files, checked with the
rest of the library in use, findings located by file and line, a unified diff against the
files in use; then published as a new library version (audit-logged, the old ones kept).

>>> from pathways import SHIPPED_LIBRARY
>>> from web.service import LibraryInUse
>>> from pathways.loader import load_library
>>> used = LibraryInUse(load_library([SHIPPED_LIBRARY]), None, SHIPPED_LIBRARY)
>>> text = (SHIPPED_LIBRARY / "pip.yaml").read_text()
>>> check = check_upload(used, "pip.yaml", text.replace("  name:", "  nmae:", 1))
>>> sorted({(f.file, f.problem.code) for f in check.findings})
[('pip.yaml', 'missing-field'), ('pip.yaml', 'unknown-field')]
>>> finding_json(check.findings[0])["line"] > 1
True
>>> check.unchanged, check_upload(used, "pip.yaml", text).unchanged
(False, True)
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import re
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from merge3 import Merge3

from authoring.checker import check_paths
from pathways.loader import SHIPPED_LIBRARY, library_files, load_library
from pathways.problems import CareerPathwaysError, Problem, Severity
from store import LibraryVersion, Store

from .service import LibraryInUse, write_library

__all__ = [
    "MAX_FILES",
    "MAX_FILE_BYTES",
    "FileNameError",
    "Finding",
    "LibraryCheck",
    "Rebase",
    "check_files",
    "check_name",
    "check_upload",
    "file_of_pathway",
    "finding_json",
    "library_files_of",
    "publish_checked",
    "rebase",
]

MAX_FILE_BYTES = 1_000_000
MAX_FILES = 50
_NAME = re.compile(r"^[A-Za-z0-9_\-]+(/[A-Za-z0-9_\-]+)*\.ya?ml$")


class FileNameError(CareerPathwaysError, ValueError):
    """A file name that is not a plain relative ``.yaml`` path inside the library."""

    def __init__(self, name: str):
        self.name = name
        super().__init__(
            f"'{name}' is not a file name like pip.yaml or teams/pip.yaml "
            "(letters, digits, _ and -, ending .yaml)"
        )


def check_name(name: str) -> str:
    """``name`` stripped, if it is a safe library file name.

    >>> check_name(" pip.yaml ")
    'pip.yaml'
    >>> check_name("../etc/passwd.yaml")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    web.library.FileNameError: '../etc/passwd.yaml' is not a file name like pip.yaml ...

    Raises:
        FileNameError: if it is empty, absolute, climbs out (``..``) or is not ``.yaml``.
    """
    name = name.strip()
    if not _NAME.match(name) or ".." in PurePosixPath(name).parts:
        raise FileNameError(name)
    return name


@dataclass(frozen=True)
class Finding:
    """A checker problem, with its file named as in the library (not a temporary path)."""

    problem: Problem
    file: str | None


def finding_json(f: Finding) -> dict[str, Any]:
    """A finding for the API: where (file, line, column, field), what, and how to fix it."""
    fix = f.problem.hint
    if f.problem.suggestion:
        fix = f"did you mean '{f.problem.suggestion}'?" + (f" {fix}" if fix else "")
    return {
        "severity": f.problem.severity.value,
        "code": f.problem.code,
        "file": f.file,
        "line": f.problem.line,
        "column": f.problem.column,
        "field": f.problem.path or None,
        "message": f.problem.message,
        "fix": fix,
        "suggestion": f.problem.suggestion,
        "snippet": f.problem.snippet,
    }


@dataclass
class LibraryCheck:
    """The library in use with some files replaced or added, as the checker found it."""

    changed: dict[str, str]  # file name -> the new text, in the order given
    previous: dict[str, str | None]  # file name -> its text in the library in use (None: new)
    files: dict[str, str]  # the whole library as checked
    in_use: str  # the digest of the library in use: the version this change is built on
    findings: list[Finding] = field(default_factory=list)
    digest: str | None = None  # None: the library does not load
    catalogue_name: str | None = None
    #: The store's active version when checked (None: none, the shipped library is used):
    #: a publish of this check is refused if another version is active by then.
    stored_base: str | None = None

    @property
    def name(self) -> str:
        """The (first) changed file: what the single-file pages show."""
        return next(iter(self.changed))

    @property
    def text(self) -> str:
        return self.changed[self.name]

    @property
    def errors(self) -> int:
        return sum(f.problem.severity is Severity.ERROR for f in self.findings)

    @property
    def warnings(self) -> int:
        return sum(f.problem.severity is Severity.WARNING for f in self.findings)

    @property
    def unchanged(self) -> bool:
        """True if the rules are those in use (the text may still differ in comments)."""
        return self.digest == self.in_use

    def diff(self, name: str | None = None) -> str:
        """A unified diff from the file in use to the new text ("" if the text is the same)."""
        name = name or self.name
        before = self.previous.get(name)
        old = (before or "").splitlines(keepends=True)
        new = self.changed[name].splitlines(keepends=True)
        label = name if before is not None else "/dev/null"
        return "".join(difflib.unified_diff(old, new, f"{label} (in use)", f"{name} (this text)"))

    def lines(self, name: str | None = None) -> list[tuple[int, str, list[Finding]]]:
        """A changed file's lines, numbered from 1, each with its findings."""
        name = name or self.name
        by_line: dict[int, list[Finding]] = {}
        for f in self.findings:
            if f.file == name and f.problem.line:
                by_line.setdefault(f.problem.line, []).append(f)
        text = self.changed[name]
        return [(i, line, by_line.get(i, [])) for i, line in enumerate(text.split("\n"), 1)]


def library_files_of(used: LibraryInUse) -> dict[str, str]:
    """The files of the library in use: ``{relative name: text}``."""
    if used.version is not None:
        return dict(used.version.files)
    return library_files(used.directory)


def check_files(used: LibraryInUse, changed: Mapping[str, str]) -> LibraryCheck:
    """Check the library in use with each file of ``changed`` replaced (or added).

    Nothing is stored: the files are written to a temporary directory and checked there.

    Raises:
        FileNameError: for the first name that is not a safe ``.yaml`` file name.
        ValueError: if no file is given, or more than :data:`MAX_FILES`.
    """
    if not changed:
        raise ValueError("give at least one file")
    if len(changed) > MAX_FILES:
        raise ValueError(f"at most {MAX_FILES} files at a time")
    new = {check_name(name): text.replace("\r\n", "\n") for name, text in changed.items()}
    files = library_files_of(used)
    previous = {name: files.get(name) for name in new}
    files.update(new)
    with tempfile.TemporaryDirectory(prefix="pathways-upload-") as tmp:
        root = Path(tmp)
        write_library(files, root)
        report = check_paths([root])
        findings = [Finding(p, _relative(p.file, root)) for p in report.problems]
        library = report.library
    return LibraryCheck(
        new,
        previous,
        files,
        used.library.digest,
        findings,
        library.digest if library is not None else None,
        library.catalogue.name if library is not None else None,
        used.version.digest if used.version is not None else None,
    )


def check_upload(used: LibraryInUse, name: str, text: str) -> LibraryCheck:
    """:func:`check_files` for one file.

    Raises:
        FileNameError: if ``name`` is not a plain relative ``.yaml`` file name.
    """
    return check_files(used, {name: text})


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


def publish_checked(
    store: Store,
    check: LibraryCheck,
    author: str,
    note: str | None = None,
    effective_date: dt.date | None = None,
) -> tuple[LibraryVersion, bool]:
    """Publish a checked library as the active version (audit-logged as ``web:AUTHOR``).

    Returns the version and whether it is new: a library whose rules equal a stored
    version's (same digest) only makes that version active again.

    Raises:
        ValueError: if the check found errors (nothing is published).
        store.StaleLibrary: if another version became active since the check was made on
            the one in use (nothing is published: :func:`rebase` re-applies the change).
        store.StoreError: if the database refuses (e.g. a name too long).
    """
    if check.errors or check.digest is None or check.catalogue_name is None:
        raise ValueError(f"the checker found {check.errors} error(s): nothing is published")
    new = store.library_version(check.digest) is None
    version = store.publish_library(
        check.files,
        check.digest,
        check.catalogue_name,
        f"web:{author}",
        effective_date=effective_date,
        note=note or f"{', '.join(check.changed)} changed in the web library",
        base=check.stored_base,
    )
    return version, new


@dataclass(frozen=True)
class Rebase:
    """A change made on an older library version, re-applied on the one in use now."""

    base: str  # the library digest the change was made on
    current: str  # the library digest in use now
    current_version: LibraryVersion | None
    meanwhile: dict[str, str]  # file -> unified diff from the base to the version in use
    merged: dict[str, str]  # file -> the change re-applied on the version in use
    conflicts: list[str]  # files where both changed the same lines (marked in ``merged``)

    def json(self) -> dict[str, Any]:
        """For a 409 problem: what changed meanwhile, and the change re-applied."""
        return {
            "base_version": self.base,
            "in_use": self.current,
            "changed_meanwhile": self.meanwhile,
            "rebased": self.merged,
            "conflicts": self.conflicts,
        }


@functools.cache
def _shipped() -> tuple[str, dict[str, str]]:
    return load_library([SHIPPED_LIBRARY]).digest, library_files(SHIPPED_LIBRARY)


def _files_of(store: Store, digest: str) -> dict[str, str] | None:
    """The files of a library version by digest (a stored one, or the shipped library)."""
    version = store.library_version(digest)
    if version is not None:
        return dict(version.files)
    shipped_digest, files = _shipped()
    return dict(files) if digest == shipped_digest else None


def rebase(store: Store, used: LibraryInUse, base: str, changed: Mapping[str, str]) -> Rebase:
    """Re-apply ``changed`` (made on the version ``base``) on the library in use: a
    three-way merge of each file (base, your text, the text in use). Where both changed
    the same lines, both are kept between conflict markers for a person to resolve."""
    now = library_files_of(used)
    before = _files_of(store, base)
    meanwhile: dict[str, str] = {}
    merged: dict[str, str] = {}
    conflicts: list[str] = []
    names = sorted(set(now) | set(before or {}))
    for name in names:
        old, new = (before or {}).get(name), now.get(name)
        if before is not None and old != new:
            meanwhile[name] = "".join(
                difflib.unified_diff(
                    (old or "").splitlines(keepends=True),
                    (new or "").splitlines(keepends=True),
                    f"{name} ({base[:12]}, yours was made on)",
                    f"{name} (in use now)",
                )
            )
    for name, mine in changed.items():
        old = (before or {}).get(name)
        theirs = now.get(name)
        if before is None or theirs is None or old == theirs:
            merged[name] = mine  # nothing to merge with: the file did not change meanwhile
            continue
        mine_lines = mine.replace("\r\n", "\n").splitlines(keepends=True)
        regions: list[tuple[Any, ...]]
        if old is None:  # both added a file of this name
            regions = [("conflict",)]
            lines = ["<<<<<<< your text\n", *mine_lines, "=======\n", *theirs.splitlines(True)]
            lines.append(">>>>>>> in use\n")
        else:
            merge = Merge3(
                old.splitlines(keepends=True), mine_lines, theirs.splitlines(keepends=True)
            )
            regions = list(merge.merge_regions())
            lines = list(merge.merge_lines(name_a="your text", name_b="in use"))
        merged[name] = "".join(lines)
        if any(r[0] == "conflict" for r in regions):
            conflicts.append(name)
    return Rebase(base, used.library.digest, used.version, meanwhile, merged, conflicts)


def file_of_pathway(used: LibraryInUse, pathway_id: str) -> str | None:
    """The library file name (as HR edits it) that defines ``pathway_id``."""
    path = used.library.files.get(pathway_id)
    if path is None:
        return None
    return _relative(path, used.directory) or Path(path).name
