"""What changed between two library versions: their files, line by line, and their rules.

The file diff is what a person edited; the rules diff is what it means: pathways, stages,
progressions and catalogue entries added, removed or changed (comments and layout are not
rules, so a change to them alone is no rule change).

>>> from pathways import SHIPPED_LIBRARY
>>> from pathways.loader import library_files
>>> old = library_files(SHIPPED_LIBRARY)
>>> new = dict(old, **{"pip.yaml": old["pip.yaml"].replace("level_4", "level_5")})
>>> [d.status for d in file_diffs(old, new)]
['changed']
>>> change = rules_diff(load_files(old), load_files(new))[0]
>>> change.kind, change.what
('changed', "pathway 'pip' (Professionalising Investigation (PIP))")
>>> change.detail
'stages added: level_5; stages removed: level_4; progressions changed'

"""

from __future__ import annotations

import difflib
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pathways.loader import load_with_problems
from pathways.model.catalogue import SECTIONS
from pathways.model.library import Library
from pathways.model.pathway import Pathway

from .drafts import write_files

__all__ = ["Change", "FileDiff", "file_diffs", "load_files", "rules_diff"]


@dataclass(frozen=True)
class FileDiff:
    """One file's change: ``added``, ``removed`` or ``changed``, as a unified diff."""

    name: str
    status: str
    text: str

    @property
    def lines(self) -> list[tuple[str, str]]:
        """(kind, line) for a page: kind is ``add``, ``del``, ``hunk`` or ``same``."""
        out = []
        for line in self.text.splitlines():
            if line.startswith(("+++", "---")):
                continue
            kind = {"+": "add", "-": "del", "@": "hunk"}.get(line[:1], "same")
            out.append((kind, line))
        return out


@dataclass(frozen=True)
class Change:
    """One rule change, in words."""

    kind: str  # added, removed, changed
    what: str  # "pathway 'pip' (Professionalising Investigation)", "course 'afo_course'"
    detail: str = ""

    def __str__(self) -> str:
        return f"{self.kind}: {self.what}" + (f": {self.detail}" if self.detail else "")


def file_diffs(old: Mapping[str, str], new: Mapping[str, str]) -> list[FileDiff]:
    """The files that differ, in name order, each as a unified diff from old to new."""
    out = []
    for name in sorted(set(old) | set(new)):
        before, after = old.get(name), new.get(name)
        if before == after:
            continue
        status = "added" if before is None else "removed" if after is None else "changed"
        text = "".join(
            difflib.unified_diff(
                (before or "").splitlines(keepends=True),
                (after or "").splitlines(keepends=True),
                f"{name} (before)" if before is not None else "/dev/null",
                f"{name} (after)" if after is not None else "/dev/null",
            )
        )
        out.append(FileDiff(name, status, text))
    return out


def load_files(files: Mapping[str, str]) -> Library | None:
    """The library of ``{relative name: text}`` (None if it does not load)."""
    with tempfile.TemporaryDirectory(prefix="pathways-diff-") as tmp:
        write_files(files, Path(tmp))
        library, _ = load_with_problems([tmp])
    return library


def rules_diff(old: Library | None, new: Library | None) -> list[Change]:
    """Pathways (their stages and progressions) and catalogue entries that differ."""
    if old is None or new is None:
        return []
    out = [
        *_pathways(old.pathways, new.pathways),
        *_catalogue(old, new),
    ]
    return out


def _pathways(old: Mapping[str, Pathway], new: Mapping[str, Pathway]) -> list[Change]:
    out = []
    for pid in sorted(set(old) | set(new)):
        a, b = old.get(pid), new.get(pid)
        label = f"pathway '{pid}' ({(b or a).name})"  # type: ignore[union-attr]
        if a is None:
            assert b is not None
            out.append(Change("added", label, f"{len(b.stages)} stages"))
        elif b is None:
            out.append(Change("removed", label))
        elif _dump(a) != _dump(b):
            out.append(Change("changed", label, "; ".join(_pathway_details(a, b))))
    return out


def _pathway_details(a: Pathway, b: Pathway) -> list[str]:
    details = []
    for fld in ("name", "description", "source"):
        if getattr(a, fld) != getattr(b, fld):
            details.append(f"{fld} changed")
    old = {s.id: s for s in a.stages}
    new = {s.id: s for s in b.stages}
    added = [s for s in new if s not in old]
    removed = [s for s in old if s not in new]
    if added:
        details.append("stages added: " + ", ".join(added))
    if removed:
        details.append("stages removed: " + ", ".join(removed))
    for sid in (s for s in new if s in old):
        parts = [
            fld
            for fld in ("name", "entry", "awards", "requires", "effective_from", "effective_to")
            if _dump(getattr(old[sid], fld)) != _dump(getattr(new[sid], fld))
        ]
        if parts:
            details.append(f"stage '{sid}': {', '.join(parts)} changed")
    if _dump(a.progressions) != _dump(b.progressions):
        details.append("progressions changed")
    return details or ["text, sources or ids changed"]


def _catalogue(old: Library, new: Library) -> list[Change]:
    out = []
    for section in SECTIONS:
        a = {e.id: e for e in getattr(old.catalogue, section, [])}
        b = {e.id: e for e in getattr(new.catalogue, section, [])}
        word = section.rstrip("s").replace("_", " ")
        for eid in sorted(set(a) | set(b)):
            what = f"{word} '{eid}'"
            if eid not in a:
                out.append(Change("added", what, getattr(b[eid], "name", "") or ""))
            elif eid not in b:
                out.append(Change("removed", what))
            elif _dump(a[eid]) != _dump(b[eid]):
                out.append(Change("changed", what))
    if [e.id for e in old.catalogue.ranks] != [e.id for e in new.catalogue.ranks]:
        out.append(Change("changed", "the order of ranks"))
    return out


def _dump(value: Any) -> Any:
    if isinstance(value, list):
        return [_dump(v) for v in value]
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json", by_alias=True, exclude_none=True)
    return value
