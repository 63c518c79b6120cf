"""The tutorial, the record format and the example-case format stay true (tests as data).

- docs/tutorial.md: every file it shows is written (``<!-- file: NAME -->`` before a code
  block) and every command of its ``console`` blocks runs, in order, in an empty folder,
  and prints what the page shows (``...`` for what changes; whitespace is not compared;
  ``# exit status N`` after a command gives its exit status, 0 otherwise). The files it
  ends with are those of examples/tutorial/.
- docs/records.md: every JSON block is a valid record, and every field of the record model
  is in one of its tables.
- docs/cases.md: every YAML block is a case file whose cases pass (with the tutorial's
  pathway), and every key of a case is described.
"""

from __future__ import annotations

import doctest
import re
import shlex
import typing
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner
from pydantic import BaseModel

from accreditation.io import load_record_text
from accreditation.record import Person
from authoring.cases import CASE_KEYS, parse_cases, run_case
from cli import cli
from pathways import SHIPPED_LIBRARY
from pathways.loader import load_library
from pathways.yamlsource import read_yaml_text
from rules.engine import Evaluator

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
EXAMPLES = ROOT / "examples" / "tutorial"
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


@dataclass
class Step:
    kind: str  # "file" or "command"
    name: str  # the file's name, or the command line
    text: str  # the file's text, or the output the page shows
    status: int = 0


def tutorial_steps(text: str) -> list[Step]:
    """The files and commands of the tutorial, in page order."""
    steps: list[Step] = []
    pending: str | None = None
    for match in re.finditer(
        r"<!-- file: (?P<file>\S+) -->|```(?P<lang>\w*)\n(?P<body>.*?)```", text, re.S
    ):
        if match["file"]:
            pending = match["file"]
            continue
        body = match["body"]
        if pending is not None:
            steps.append(Step("file", pending, body))
            pending = None
        elif match["lang"] == "console":
            steps.extend(_commands(body))
    return steps


def _commands(block: str) -> list[Step]:
    out: list[Step] = []
    for line in block.splitlines():
        if line.startswith("$ "):
            status = re.search(r"#\s*exit status (\d+)", line)
            out.append(Step("command", line[2:], "", int(status[1]) if status else 0))
        else:
            out[-1].text += line + "\n"
    return out


TUTORIAL = (DOCS / "tutorial.md").read_text(encoding="utf-8")
STEPS = tutorial_steps(TUTORIAL)


def test_the_tutorial_ends_with_the_example_files() -> None:
    last = {s.name: s.text for s in STEPS if s.kind == "file"}
    assert set(last) == {p.name for p in EXAMPLES.iterdir()}
    for name, text in last.items():
        assert (EXAMPLES / name).read_text(encoding="utf-8") == text, name


@pytest.mark.slow  # runs verify's properties and an impact run (make test-fast leaves it out)
def test_the_tutorial_runs_as_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every command of docs/tutorial.md, in order, in an empty folder with its own store.
    (Slow: it generates a workforce, verifies, runs an impact and reviews a draft.)"""
    monkeypatch.chdir(tmp_path)
    for name in ("PATHWAYS_DATABASE_URL", "PATHWAYS_FOUR_EYES"):
        monkeypatch.delenv(name, raising=False)
    env = {"NO_COLOR": "1", "COLUMNS": "200"}
    checker = doctest.OutputChecker()
    runner = CliRunner()
    for step in STEPS:
        if step.kind == "file":
            (tmp_path / step.name).write_text(step.text, encoding="utf-8")
            continue
        words = shlex.split(step.name, comments=True)
        assert words[0] == "pathways", step.name
        result = runner.invoke(cli, words[1:], env=env, catch_exceptions=False)
        assert result.exit_code == step.status, f"{step.name}\n{result.output}"
        if step.text.strip():
            assert checker.check_output(step.text, result.output, FLAGS), (
                f"$ {step.name}\n--- the tutorial shows:\n{step.text}\n--- it printed:\n"
                f"{result.output}"
            )


def test_the_tutorial_parser_sees_files_commands_and_statuses() -> None:
    steps = tutorial_steps(
        "<!-- file: a.yaml -->\n```yaml\nx: 1\n```\n```console\n$ pathways check a.yaml"
        "   # exit status 1: errors\nerror\n$ pathways versions\n```\n```text\nnot run\n```\n"
    )
    assert [(s.kind, s.name, s.text, s.status) for s in steps] == [
        ("file", "a.yaml", "x: 1\n", 0),
        ("command", "pathways check a.yaml   # exit status 1: errors", "error\n", 1),
        ("command", "pathways versions", "", 0),
    ]


# --- docs/records.md -----------------------------------------------------------------------

RECORDS = (DOCS / "records.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("block", re.findall(r"```json\n(.*?)```", RECORDS, re.S))
def test_every_record_on_the_page_is_valid(block: str) -> None:
    person = load_record_text(block, "docs/records.md")
    assert isinstance(person, Person)


def _fields(model: type[BaseModel], seen: set[str] | None = None) -> set[str]:
    seen = seen if seen is not None else set()
    for name, field in model.model_fields.items():
        seen.add(name)
        for arg in [field.annotation, *typing.get_args(field.annotation)]:
            inner = typing.get_args(arg) or (arg,)
            for t in inner:
                if isinstance(t, type) and issubclass(t, BaseModel) and t is not model:
                    _fields(t, seen)
    return seen


def test_every_record_field_is_described() -> None:
    described = set(re.findall(r"^\| `([a-z_]+)`", RECORDS, re.M))
    described |= {
        f for row in re.findall(r"^\| `([a-z_]+)` / `([a-z_]+)`", RECORDS, re.M) for f in row
    }
    missing = _fields(Person) - described
    assert missing == set(), f"docs/records.md does not describe {sorted(missing)}"


# --- docs/cases.md --------------------------------------------------------------------------

CASES = (DOCS / "cases.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("block", re.findall(r"```yaml\n(.*?)```", CASES, re.S))
def test_every_case_file_on_the_page_passes(block: str) -> None:
    library = load_library([EXAMPLES / "armed_officer.yaml"], SHIPPED_LIBRARY)
    cases, problems = parse_cases(read_yaml_text(block, "docs/cases.md"), library)
    assert problems == [] and cases
    evaluator = Evaluator(library)
    results = [run_case(case, evaluator) for case in cases]
    assert all(r.ok for r in results), [r.diff() for r in results if not r.ok]


def test_every_case_key_is_described() -> None:
    described = set(re.findall(r"^\| `([a-z_]+)`", CASES, re.M))
    assert set(CASE_KEYS) - described == set()
