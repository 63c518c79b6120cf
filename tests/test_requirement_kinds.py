"""Requirement kinds are dispatched exhaustively: a new kind is an error until it is handled.

Two guards: the model checks at import that the pydantic union, ``LeafRequirement`` /
``Combinator`` and the subclasses of ``BaseRequirement`` name the same kinds; and every
``match`` over them ends in ``assert_never``, so mypy reports each place a new kind must be
handled. The slow test adds a kind to a copy of the tree and runs mypy to show it, and
checks that docs/architecture.md lists every one of those places.
"""

from __future__ import annotations

import gc
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import ClassVar

import pytest

from pathways.model import requirements
from pathways.model.requirements import BaseRequirement

ROOT = Path(__file__).resolve().parent.parent
PACKAGES: list[str] = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"][
    "mypy"
]["packages"]
MYPY = Path(sys.executable).with_name("mypy")

# Where a new leaf kind must be handled: the model's own helpers, the engine, the checker,
# the exports, the test-data builder and the independent oracle.
MUST_HANDLE = {
    "pathways/model/tree.py",
    "rules/actions.py",
    "rules/compile.py",
    "rules/evaluate.py",
    "rules/popcode.py",
    "rules/plan.py",
    "rules/wording.py",
    "authoring/checker/references.py",
    "authoring/checker/satisfiable.py",
    "authoring/checker/structure.py",
    "authoring/testing/oracle.py",
    "authoring/testing/pending.py",
    "authoring/testing/satisfy.py",
    "exports/ctdl.py",
}

DUMMY_CLASS = """class DummyRequirement(BaseRequirement):
    kind: ClassVar[str] = "dummy"
    dummy: str


class AllOf(BaseRequirement):"""


def test_a_kind_missing_from_the_union_fails_at_import() -> None:
    class Forgotten(BaseRequirement):  # a new kind, not added to Requirement
        kind: ClassVar[str] = "forgotten"

    try:
        with pytest.raises(TypeError, match="check Forgotten"):
            requirements._registry()
    finally:
        del Forgotten
        gc.collect()  # BaseRequirement.__subclasses__() forgets it
    assert "forgotten" not in requirements._registry()


def test_every_kind_is_a_leaf_or_a_combinator() -> None:
    models = requirements.REQUIREMENT_MODELS
    leaves = {cls.kind for cls in requirements.LeafRequirement.__args__}
    combinators = {cls.kind for cls in requirements.Combinator.__args__}
    assert leaves | combinators == set(models) == set(requirements.KIND_KEYS)
    assert not leaves & combinators
    assert combinators == {"all_of", "any_of", "at_least", "not"}


def _add_dummy_kind(tree: Path) -> None:
    path = tree / "pathways" / "model" / "requirements.py"
    text = path.read_text(encoding="utf-8")
    for old, new in [
        ("class AllOf(BaseRequirement):", DUMMY_CLASS),
        (
            '    | Annotated[AttributeRequirement, Tag("attribute")]',
            '    | Annotated[AttributeRequirement, Tag("attribute")]\n'
            '    | Annotated[DummyRequirement, Tag("dummy")]',
        ),
        ("    | AttributeRequirement\n)", "    | AttributeRequirement\n    | DummyRequirement\n)"),
    ]:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")


@pytest.mark.slow
def test_a_new_kind_is_a_mypy_error_wherever_it_must_be_handled(tmp_path: Path) -> None:
    for package in PACKAGES:
        shutil.copytree(
            ROOT / package,
            tmp_path / package,
            ignore=shutil.ignore_patterns("__pycache__", "*.yaml", "templates", "static"),
        )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    _add_dummy_kind(tmp_path)
    result = subprocess.run(
        [str(MYPY), "--cache-dir", str(tmp_path / ".mypy_cache")],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    # e.g. rules/compile.py:205: error: Argument 1 to "assert_never" has incompatible type
    # "DummyRequirement"; expected "Never"  [arg-type]
    pattern = re.compile(r'^(\S+\.py):\d+: error: .*"assert_never".*"DummyRequirement"', re.M)
    reported = {m.group(1) for m in pattern.finditer(result.stdout)}
    assert reported == MUST_HANDLE, result.stdout
    # Nothing else breaks: every error is an unhandled kind.
    errors = [line for line in result.stdout.splitlines() if ": error:" in line]
    assert all("assert_never" in line or "DummyRequirement" in line for line in errors), errors
    # The guide for a new kind names each place.
    guide = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    row = next(line for line in guide.splitlines() if line.startswith("| a new requirement kind"))
    assert all(f"`{path}`" in row for path in MUST_HANDLE), row
