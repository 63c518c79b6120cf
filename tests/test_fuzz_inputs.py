"""Fuzzing the two ways data comes in: pathway YAML and records import (CSV).

Random bytes and mutated valid files always give located problems, never an unexpected
exception, and a failed import stores nothing. ``PATHWAYS_LONG_TESTS=1`` runs 10x more.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pathways import SHIPPED_LIBRARY
from pathways.loader import load_with_problems
from store import Store
from workforce.importer import import_files

# Slow: hundreds of fuzzed files and imports (make test-fast leaves these out).
pytestmark = pytest.mark.slow

ROOT = Path(__file__).parent.parent
IMPORTS = ROOT / "examples" / "import"
SCALE = 10 if os.environ.get("PATHWAYS_LONG_TESTS") == "1" else 1
FUZZ = settings(
    max_examples=40 * SCALE,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@st.composite
def mutated(draw: st.DrawFn, text: str) -> str:
    """``text`` with a few line-level and character-level edits."""
    lines = text.split("\n")
    for _ in range(draw(st.integers(1, 4))):
        if not lines:
            break
        i = draw(st.integers(0, len(lines) - 1))
        edit = draw(st.sampled_from(["drop", "duplicate", "indent", "dedent", "chars", "swap"]))
        if edit == "drop":
            del lines[i]
        elif edit == "duplicate":
            lines.insert(i, lines[i])
        elif edit == "indent":
            lines[i] = "  " + lines[i]
        elif edit == "dedent":
            lines[i] = lines[i].lstrip()
        elif edit == "swap" and i + 1 < len(lines):
            lines[i], lines[i + 1] = lines[i + 1], lines[i]
        else:
            at = draw(st.integers(0, len(lines[i])))
            junk = draw(st.text(st.characters(codec="utf-8"), max_size=6))
            lines[i] = lines[i][:at] + junk + lines[i][at + 1 :]
    return "\n".join(lines)


def _load(tmp: Path, data: bytes) -> None:
    path = tmp / "fuzzed.yaml"
    path.write_bytes(data)
    library, problems = load_with_problems([path], SHIPPED_LIBRARY)
    assert library is not None or problems, "a file that does not load must say why"
    for p in problems:
        assert p.message and p.code, p
        assert p.file is None or Path(p.file).name in (
            "fuzzed.yaml",
            *(f.name for f in SHIPPED_LIBRARY.glob("*.yaml")),
        ), p


@FUZZ
@given(st.binary(max_size=400))
def test_random_bytes_as_a_pathway_file_give_problems_not_tracebacks(
    tmp_path: Path, data: bytes
) -> None:
    _load(tmp_path, data)


@FUZZ
@given(mutated((SHIPPED_LIBRARY / "senior_leadership.yaml").read_text(encoding="utf-8")))
def test_a_mutated_pathway_file_gives_problems_not_tracebacks(tmp_path: Path, text: str) -> None:
    _load(tmp_path, text.encode("utf-8", errors="surrogatepass"))


def _import(tmp: Path, name: str, data: bytes) -> None:
    folder = tmp / "in"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    (folder / name).write_bytes(data)
    store = Store(f"sqlite:///{tmp / 'fuzz.db'}")
    try:
        before = store.count_people()
        report = import_files(store, [folder])
        if not report.imported:
            assert store.count_people() == before, "a failed import stored something"
            assert report.problems or report.notes, "a failed import must say why"
            for p in report.problems:
                assert str(p), p
    finally:
        store.close()


@FUZZ
@given(st.sampled_from(sorted(p.name for p in IMPORTS.glob("*.csv"))), st.binary(max_size=300))
def test_random_bytes_as_an_import_file_give_row_problems_and_store_nothing(
    tmp_path: Path, name: str, data: bytes
) -> None:
    _import(tmp_path, name, data)


@FUZZ
@given(st.data())
def test_a_mutated_import_file_gives_row_problems_and_stores_nothing(
    tmp_path: Path, data: st.DataObject
) -> None:
    name = data.draw(st.sampled_from(["people.csv", "ranks.csv", "courses.csv"]))
    text = data.draw(mutated((IMPORTS / name).read_text(encoding="utf-8")))
    _import(tmp_path, name, text.encode("utf-8", errors="surrogatepass"))


def test_a_control_character_is_located(tmp_path: Path) -> None:
    """Found by the fuzzer: a NUL byte used to escape as yaml.ReaderError."""
    path = tmp_path / "nul.yaml"
    path.write_bytes(b"pathway:\n  id: x\x00\n")
    library, problems = load_with_problems([path], SHIPPED_LIBRARY)
    assert library is None
    [problem] = problems
    assert (problem.code, problem.line, problem.column) == ("yaml-syntax", 2, 8)
    assert "U+0000 is not allowed" in problem.message
