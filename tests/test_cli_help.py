"""Every command documents itself (sqlite-utils style), and the public surface is pinned."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

import pathways
import rules
import rules.pool
from cli import cli


def _commands() -> list[tuple[str, click.Command]]:
    assert isinstance(cli, click.Group)
    return sorted(cli.commands.items())


@pytest.mark.parametrize(("name", "command"), _commands())
def test_every_command_has_help_text(name: str, command: click.Command) -> None:
    assert command.help and len(command.help.split()) >= 8, f"'{name}' lacks a help text"
    result = CliRunner().invoke(cli, [name, "--help"])
    assert result.exit_code == 0
    assert "Usage: " in result.output and "Examples:" in result.output


@pytest.mark.parametrize(("name", "command"), _commands())
def test_every_option_has_help_text(name: str, command: click.Command) -> None:
    for param in command.params:
        if isinstance(param, click.Option) and param.name != "help":
            assert param.help, f"'{name} {param.opts[0]}' has no help text"


def test_top_level_help_lists_commands() -> None:
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    for name, _ in _commands():
        assert name in result.output


def test_public_api_is_pinned() -> None:
    assert sorted(pathways.__all__) == sorted(
        [
            "SHIPPED_LIBRARY",
            "Award",
            "Catalogue",
            "Library",
            "Location",
            "Pathway",
            "PathwayError",
            "Problem",
            "Progression",
            "Requirement",
            "Severity",
            "Stage",
            "load_library",
        ]
    )
    for name in pathways.__all__:
        assert hasattr(pathways, name)


def test_engine_api_is_pinned() -> None:
    """The engine's public names. The pool's fault-injection hooks (CRASH_ENV, FAIL_ENV)
    left this list on purpose: they live in the private rules._faults, for tests only."""
    assert sorted(rules.__all__) == sorted(
        [
            "Decision",
            "EngineError",
            "Evaluator",
            "Evidence",
            "NextStep",
            "RequirementOutcome",
            "StageDecision",
            "Status",
        ]
    )
    assert sorted(rules.pool.__all__) == ["EnginePool", "PoolStats", "WorkerCrashed", "WorkerError"]
    for module in (rules, rules.pool):
        for name in module.__all__:
            assert hasattr(module, name)


def test_schema_command_describes_requirement_kinds(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import json

    out = tmp_path / "pathway.schema.json"
    result = CliRunner().invoke(cli, ["schema", "pathway", "-o", str(out)])
    assert result.exit_code == 0, result.output
    schema = json.loads(out.read_text())
    defs = schema["$defs"]
    assert {"CredentialRequirement", "AllOf", "Not", "Stage", "Progression"} <= set(defs)
    assert "from" in defs["Progression"]["properties"]  # aliases, as written in YAML
    assert defs["Stage"]["additionalProperties"] is False
