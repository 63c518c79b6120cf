"""The documentation stays true: its worked example checks clean, every kind and code is covered."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from authoring.checker import check_paths
from pathways.model.requirements import KIND_KEYS
from pathways.problems import PROBLEM_CODES

ROOT = Path(__file__).resolve().parents[1]
LANGUAGE = (ROOT / "docs" / "language.md").read_text()
CHECKER = (ROOT / "docs" / "checker.md").read_text()
EXAMPLE = ROOT / "examples" / "roads_example"


@pytest.mark.parametrize("name", ["catalogue.yaml", "roads_policing.yaml"])
def test_worked_example_files_match_the_docs(name: str) -> None:
    block = re.search(
        r"`roads_example/" + re.escape(name) + r"`\n\n```yaml\n(.*?)```", LANGUAGE, re.S
    )
    assert block, f"docs/language.md no longer shows {name}"
    assert (EXAMPLE / name).read_text() == block.group(1)


def test_worked_example_checks_clean_alone() -> None:
    report = check_paths([EXAMPLE])
    assert report.problems == []
    assert report.library is not None and list(report.library.pathways) == ["roads_policing"]


@pytest.mark.parametrize("kind", KIND_KEYS)
def test_every_requirement_kind_has_a_reference_section(kind: str) -> None:
    assert re.search(rf"^### {kind}\b", LANGUAGE, re.M), f"docs/language.md lacks '### {kind}'"


def test_every_problem_code_is_documented() -> None:
    missing = [
        code for code in sorted(PROBLEM_CODES) if not re.search(rf"^## {code}$", CHECKER, re.M)
    ]
    assert missing == []
