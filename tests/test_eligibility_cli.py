"""`pathways eligibility` and `pathways whatif` as a person and a program use them."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from cli import cli

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
SPNAC = str(EXAMPLES / "superintendent_spnac.json")


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def test_text_output_shows_status_words_evidence_and_next_steps() -> None:
    code, out = run("eligibility", SPNAC, "--as-of", "2010-04-01", "--pathway", "senior_leadership")
    assert code == 0, out
    assert "as of 2010-04-01" in out and "library version" in out
    assert "✘ not eligible  Senior Police National Assessment Centre" in out
    assert "rule fsl_prerequisite, in force from 2010-04-01" in out
    assert "DAC Roberts" in out  # evidence
    assert "1. Attend FSL stage 1" in out


def test_json_output_is_a_decision() -> None:
    code, out = run("eligibility", SPNAC, "--as-of", "2010-03-31", "--format", "json")
    assert code == 0
    data = json.loads(out)
    spnac = next(s for s in data["stages"] if s["stage"] == "spnac")
    assert spnac["status"] == "eligible"
    assert len(data["library_version"]) == 64


def test_unknown_pathway_is_a_usage_error_listing_pathways() -> None:
    code, out = run("eligibility", SPNAC, "--pathway", "pipp")
    assert code == 2
    assert "unknown pathway 'pipp'; did you mean 'pip'?" in out
    assert "senior_leadership" in out


def test_invalid_record_says_which_field(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"id": "W1", "kind": "officer", "joined": "2020-02-30", "ranks": [{}]}')
    code, out = run("eligibility", str(bad))
    assert code == 2
    assert "joined: expected a date" in out
    assert "ranks[0].rank: missing" in out


def test_unknown_ids_in_a_record_are_warned_with_a_suggestion(tmp_path: Path) -> None:
    record = json.loads(Path(SPNAC).read_text())
    record["courses"][0]["course"] = "fsl_stage_one"
    path = tmp_path / "typo.json"
    path.write_text(json.dumps(record))
    code, out = run("eligibility", str(path), "--pathway", "fsl")
    assert code == 0
    assert "'fsl_stage_one' is not in the catalogue" in out and "did you mean" in out


def test_whatif_shows_what_changes() -> None:
    code, out = run(
        "whatif", SPNAC, "--add", "course:fsl_stage_3@2011-03-01", "--as-of", "2011-03-01"
    )
    assert code == 0, out
    assert "Senior Police National Assessment Centre (SPNAC)" in out
    assert "not eligible -> eligible" in out


def test_whatif_json_lists_changes() -> None:
    code, out = run("whatif", SPNAC, "--add", "course:fsl_stage_3@2011-03-01", "--format", "json")
    assert code == 0
    changes = json.loads(out)["changes"]
    assert {"stage": "spnac", "before": "not_eligible", "after": "eligible"}.items() <= next(
        c for c in changes if c["stage"] == "spnac"
    ).items()


def test_whatif_rejects_a_malformed_item() -> None:
    code, out = run("whatif", SPNAC, "--add", "course:fsl_stage_3")
    assert code == 2 and "has no date" in out
    code, out = run("whatif", SPNAC, "--add", "cours:x@2011-01-01")
    assert code == 2 and "unknown kind 'cours'" in out
