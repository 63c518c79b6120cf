"""HR's upload-and-check: one pathway file, checked with the rest of the library in use,
its findings located by line; then published as a new library version."""

from __future__ import annotations

import difflib
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from accreditation.store import LibraryVersion, Store
from pathways.checker import check_paths
from pathways.problems import Problem, Severity

from .service import LibraryInUse, write_library

__all__ = [
    "Finding",
    "LibraryCheck",
    "check_upload",
    "file_of_pathway",
    "library_files_of",
    "publish_upload",
]

_NAME = re.compile(r"^[A-Za-z0-9_\-]+(/[A-Za-z0-9_\-]+)*\.ya?ml$")


@dataclass(frozen=True)
class Finding:
    """A checker problem, with its file named as in the library (not a temporary path)."""

    problem: Problem
    file: str | None

    @property
    def in_upload(self) -> bool:
        return self.problem.file is not None and self.file == self._upload

    _upload: str = ""


@dataclass
class LibraryCheck:
    name: str
    text: str
    files: dict[str, str]
    findings: list[Finding] = field(default_factory=list)
    digest: str | None = None
    catalogue_name: str | None = None
    previous: str | None = None  # the file's text in the library in use; None if new

    def diff(self) -> str:
        """A unified diff from the file in use to this text ("" if unchanged)."""
        old = (self.previous or "").splitlines(keepends=True)
        new = self.text.splitlines(keepends=True)
        label = self.name if self.previous is not None else "/dev/null"
        return "".join(
            difflib.unified_diff(old, new, f"{label} (in use)", f"{self.name} (this text)")
        )

    @property
    def errors(self) -> int:
        return sum(f.problem.severity is Severity.ERROR for f in self.findings)

    @property
    def warnings(self) -> int:
        return sum(f.problem.severity is Severity.WARNING for f in self.findings)

    def lines(self) -> list[tuple[int, str, list[Finding]]]:
        """The uploaded file's lines, numbered from 1, each with its findings."""
        by_line: dict[int, list[Finding]] = {}
        for f in self.findings:
            if f.file == self.name and f.problem.line:
                by_line.setdefault(f.problem.line, []).append(f)
        return [(i, line, by_line.get(i, [])) for i, line in enumerate(self.text.split("\n"), 1)]


def library_files_of(used: LibraryInUse) -> dict[str, str]:
    if used.version is not None:
        return dict(used.version.files)
    from pathways.cli.library import library_files

    return library_files(used.directory)


def check_upload(used: LibraryInUse, name: str, text: str) -> LibraryCheck:
    """Check the library in use with ``name`` replaced (or added) by ``text``.

    Raises:
        ValueError: if ``name`` is not a plain relative ``.yaml`` file name.
    """
    name = name.strip()
    if not _NAME.match(name) or ".." in PurePosixPath(name).parts:
        raise ValueError(
            f"'{name}' is not a file name like pip.yaml (letters, digits, _ and -, ending .yaml)"
        )
    text = text.replace("\r\n", "\n")
    files = library_files_of(used)
    previous = files.get(name)
    files[name] = text
    with tempfile.TemporaryDirectory(prefix="pathways-upload-") as tmp:
        root = Path(tmp)
        write_library(files, root)
        report = check_paths([root])
        findings = [Finding(p, _relative(p.file, root), name) for p in report.problems]
        library = report.library
    return LibraryCheck(
        name,
        text,
        files,
        findings,
        library.digest if library is not None else None,
        library.catalogue.name if library is not None else None,
        previous,
    )


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


def publish_upload(
    store: Store, used: LibraryInUse, check: LibraryCheck, author: str, note: str | None
) -> LibraryVersion:
    """Publish a checked library (no errors) as a new, active version (audit-logged)."""
    assert check.digest is not None and check.catalogue_name is not None and not check.errors
    return store.publish_library(
        check.files,
        check.digest,
        check.catalogue_name,
        f"web:{author}",
        note=note or f"{check.name} uploaded in the web library",
    )


def file_of_pathway(used: LibraryInUse, pathway_id: str) -> str | None:
    """The library file name (as HR edits it) that defines ``pathway_id``."""
    path = used.library.files.get(pathway_id)
    if path is None:
        return None
    return _relative(path, used.directory) or Path(path).name
