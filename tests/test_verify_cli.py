"""``pathways verify``: properties on any library, counterexamples in plain words, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import cli

FIXTURES = Path(__file__).parent / "fixtures" / "verify"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["verify", *args])
    return result.exit_code, result.output


@pytest.mark.slow  # every property over generated records
def test_the_shipped_library_verifies() -> None:
    code, out = run("--examples", "10", "--seed", "1")
    assert code == 0, out
    assert "ok: 9 properties held" in out
    assert "ok   oracle_agrees_with_engine (10 examples" in out


@pytest.mark.slow  # hypothesis until it finds and shrinks a counterexample
def test_an_inconsistent_file_fails_with_a_readable_counterexample() -> None:
    code, out = run(str(FIXTURES / "contradiction.yaml"), "--seed", "3")
    assert code == 1, out
    assert "FAIL next_steps_are_sufficient" in out
    assert "Stage:    mentoring.mentor" in out
    assert "Expected: eligible after doing every next step" in out
    assert "Complete the Foundation for Senior Leadership programme" in out
    assert "Record (the smallest hypothesis found):" in out and "joined:" in out
    assert "1 property failed: next_steps_are_sufficient" in out


@pytest.mark.slow  # hypothesis until it finds and shrinks a counterexample
def test_json_output_carries_the_counterexample_record() -> None:
    code, out = run(
        str(FIXTURES / "contradiction.yaml"),
        "--property",
        "next_steps_are_sufficient",
        "--seed",
        "3",
        "--format",
        "json",
    )
    assert code == 1
    body = json.loads(out)
    assert body["ok"] is False
    [prop] = body["properties"]
    example = prop["counterexample"]
    assert example["stage"] == "mentoring.mentor" and example["record"]["id"]
    assert example["engine_said"] in ("not_eligible", "eligible_from")


def test_unknown_property_and_broken_library_are_usage_errors(tmp_path: Path) -> None:
    code, out = run("--property", "nonsense")
    assert code == 2 and "no property 'nonsense'" in out
    broken = tmp_path / "broken.yaml"
    broken.write_text("pathway:\n  id: x\n  nmae: X\n", encoding="utf-8")
    code, out = run(str(broken))
    assert code == 2 and "fix what 'pathways check' reports" in out
