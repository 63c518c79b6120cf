"""The layers of docs/architecture.md hold, and the contract that keeps them can fail.

``make test`` runs ``lint-imports`` on the tree. These tests run it on a copy of the
sources: as they are (kept), and with one deliberate upward import or cycle added
(broken, naming the import), so the contract is known to catch what it exists for.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"][
    "importlinter"
]
PACKAGES: list[str] = CONFIG["root_packages"]
LINT = Path(sys.executable).with_name("lint-imports")


def _copy(tmp: Path) -> Path:
    for package in PACKAGES:
        shutil.copytree(
            ROOT / package,
            tmp / package,
            ignore=shutil.ignore_patterns("__pycache__", "*.yaml", "templates", "static"),
        )
    shutil.copy(ROOT / "pyproject.toml", tmp / "pyproject.toml")
    return tmp


def _lint(tree: Path) -> subprocess.CompletedProcess[str]:
    # The copy comes first on the path, so it, not the installed tree, is what is analysed.
    env = {**os.environ, "PYTHONPATH": str(tree)}
    return subprocess.run(
        [str(LINT), "--no-cache"],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def _add_import(tree: Path, module: str, line: str) -> None:
    path = tree / (module.replace(".", "/") + ".py")
    text = path.read_text(encoding="utf-8")
    # After the module docstring and ``from __future__``: an ordinary top-level import.
    marker = "from __future__ import annotations\n"
    assert marker in text, path
    path.write_text(text.replace(marker, marker + line + "\n", 1), encoding="utf-8")


def test_the_layers_are_kept(tmp_path: Path) -> None:
    result = _lint(_copy(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "words"),
    [
        # the language reaching up into the engine
        ("pathways.suggest", "import rules.engine", "pathways.suggest -> rules.engine"),
        # the engine reaching up into an interface
        ("rules.steps", "import web.app", "rules.steps -> web.app"),
        # a service reaching into a sibling service (they are independent)
        ("visualize.build", "import workforce.fairness", "visualize.build -> workforce.fairness"),
        # the web front end importing the command line's internals
        ("web.deps", "import cli.options", "web.deps -> cli.options"),
    ],
)
def test_an_upward_import_breaks_the_layers(
    tmp_path: Path, module: str, line: str, words: str
) -> None:
    tree = _copy(tmp_path)
    _add_import(tree, module, line)
    result = _lint(tree)
    assert result.returncode == 1, result.stdout
    assert "Layers: the language and the record" in result.stdout
    assert words in result.stdout


def test_a_cycle_inside_a_package_breaks_the_contract(tmp_path: Path) -> None:
    tree = _copy(tmp_path)
    # rules.decision is imported by rules.steps; the reverse import makes a cycle.
    _add_import(tree, "rules.decision", "import rules.steps")
    result = _lint(tree)
    assert result.returncode == 1, result.stdout
    assert "No cycles between the modules" in result.stdout
    assert "BROKEN" in result.stdout
