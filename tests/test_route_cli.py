"""``pathways route``: the routes to a goal named in words, as text and as JSON."""

from __future__ import annotations

import json

from click.testing import CliRunner

from cli import cli

RECORD = "examples/inspector_pip.json"


def test_the_route_to_superintendent_names_each_route_with_its_date() -> None:
    result = CliRunner().invoke(
        cli, ["route", RECORD, "--to", "Superintendent", "--as-of", "2024-06-01"]
    )
    assert result.exit_code == 0, result.output
    assert "goal: Superintendent" in result.output
    # The work-based assessment route: six months as temporary superintendent first.
    assert "Route 1 - goal reached 2024-12-01" in result.output
    assert (
        "◷ Six months as temporary superintendent (the assessment period): met on 2024-12-01"
        in (result.output)
    )
    assert "The corporate superintendent process" in result.output
    assert "◷ At least 24 months as a chief inspector: met on 2026-06-01" in result.output
    assert "once you have done: apply for and pass the chief inspector promotion board" in (
        result.output
    )
    # The ranked steps: the lapsed credential first, each action once.
    steps = result.output.split("Next steps, ranked")[1]
    assert steps.index("Revalidate PIP level 2") < steps.index("Towards your goal")
    assert steps.count("Seek promotion to chief inspector") == 1


def test_json_has_the_plan_and_the_ranked_steps() -> None:
    result = CliRunner().invoke(
        cli,
        ["route", RECORD, "--to", "PIP level 3", "--as-of", "2024-06-01", "--format", "json"],
    )
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert out["goal"] == "pip.level_3"
    (route,) = out["routes"]
    assert route["reached_on"] == "2025-06-01"
    assert route["stages"][0]["revalidate"] is True
    assert out["steps"][0]["key"] == "renew:pip"


def test_a_goal_that_names_no_stage_is_a_usage_error_with_a_suggestion() -> None:
    result = CliRunner().invoke(cli, ["route", RECORD, "--to", "Superintendant"])
    assert result.exit_code == 2
    assert "did you mean 'Superintendent'?" in result.output


def test_a_closed_goal_says_why() -> None:
    result = CliRunner().invoke(
        cli, ["route", RECORD, "--to", "Detective inspector", "--as-of", "2024-06-01"]
    )
    assert result.exit_code == 0
    assert "No route" in result.output and "Holds the rank of constable" in result.output


def test_the_record_may_come_on_standard_input() -> None:
    with open(RECORD, encoding="utf-8") as f:
        text = f.read()
    result = CliRunner().invoke(
        cli, ["route", "-", "--to", "pip.level_3", "--as-of", "2024-06-01"], input=text
    )
    assert result.exit_code == 0, result.output
    assert "Route 1 - goal reached 2025-06-01" in result.output
