"""Open Badges 3.0: a held stage as an unsigned credential, and what a badge never says.

Every badge is checked against 1EdTech's official Open Badges 3.0 JSON Schema in
tests/fixtures/standards/ (tests/standards.py); the rest checks the meaning: dates,
evidence, the achievement, and no personal data beyond the id.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from export_kit import (
    INSPECTOR,
    ISSUER,
    ROOT,
    checked_badge,
    evaluator,
    inspector_badge,
    run,
    uri,
)
from standards import ob3_errors

from accreditation import Person
from accreditation.io import load_record
from exports import (
    OB3_CREDENTIAL_SCHEMA,
    NotHeldError,
    UnknownStageError,
    achievement_credential,
)
from workforce.synthetic import generate_people

# --- Open Badges 3.0 -----------------------------------------------------------------


def test_badge_passes_the_official_open_badges_schema() -> None:
    _, _, badge = inspector_badge()
    assert not ob3_errors(badge)
    assert badge["credentialSchema"] == [OB3_CREDENTIAL_SCHEMA]
    assert OB3_CREDENTIAL_SCHEMA["type"] == "1EdTechJsonSchemaValidator2019"


@pytest.mark.parametrize(
    ("fault", "message"),
    [
        pytest.param(lambda b: b.update(validFrom="2014-05-01"), "is not a 'date-time'", id="date"),
        pytest.param(
            lambda b: b.update(type=["VerifiableCredential"]), "does not contain", id="type"
        ),
        pytest.param(
            lambda b: b["credentialSubject"].pop("achievement"),
            "'achievement' is a required",
            id="achievement",
        ),
        pytest.param(
            lambda b: b["credentialSchema"][0].pop("type"),
            "'type' is a required property",
            id="credentialSchema",
        ),
        pytest.param(lambda b: b["issuer"].pop("id"), "issuer: {'type'", id="issuer-without-id"),
    ],
)
def test_the_official_schema_rejects_faulty_badges(fault: Any, message: str) -> None:
    _, _, badge = inspector_badge()
    fault(badge)
    errors = ob3_errors(badge)
    assert any(message in error for error in errors), errors


@pytest.mark.slow  # a synthetic workforce decided and badged
def test_every_badge_a_synthetic_workforce_earns_passes_the_official_schema() -> None:
    """Every held stage of 150 synthetic people, as a badge, with and without a hashed id."""
    count = 0
    kinds: set[str] = set()
    for person in generate_people(150, seed=5):
        decision = evaluator().decide(person, dt.date(2024, 1, 1))
        for stage in decision.stages:
            if stage.status.value != "held":
                continue
            salt = "pepper" if count % 2 else None
            credential = checked_badge(
                person, decision, stage.pathway, stage.stage, identity_salt=salt
            )
            kinds.add(credential["credentialSubject"]["achievement"]["achievementType"])
            count += 1
    assert count > 200, count
    assert len(kinds) >= 4, kinds


def test_badge_for_held_pip_level_1() -> None:
    _, decision, badge = inspector_badge()
    assert decision.stage("pip", "level_1").status.value == "held"
    assert badge["validFrom"] == "2014-05-01T00:00:00Z"  # awarded
    # Revalidated 2019-04-20, valid 60 months: it lapses on 2024-04-20.
    assert badge["validUntil"] == "2024-04-20T00:00:00Z"
    (evidence,) = badge["evidence"]
    assert evidence["description"] == "Record item A1 (credentials)"
    assert "level 1 (awarded 2014-05-01)" in evidence["name"]
    achievement = badge["credentialSubject"]["achievement"]
    assert achievement["id"] == uri("pip", "level_1")
    assert achievement["achievementType"] == "Certification"
    assert "Completed initial investigation training" in achievement["criteria"]["narrative"]
    assert badge["issuer"] == {"id": ISSUER["id"], "type": ["Profile"], "name": ISSUER["name"]}
    assert badge["credentialSubject"]["identifier"][0]["identityHash"] == "W100234"


def test_lapse_date_matches_the_decision() -> None:
    person = load_record(INSPECTOR)
    later = evaluator().decide(person, dt.date(2024, 6, 1)).stage("pip", "level_1")
    assert later.status.value == "lapsed"
    assert later.lapsed_on == dt.date(2024, 4, 20)


def test_badge_is_deterministic() -> None:
    assert inspector_badge()[2] == inspector_badge()[2]


def test_not_held_stage_raises_naming_its_status() -> None:
    with pytest.raises(NotHeldError, match="status is 'not_eligible'") as caught:
        inspector_badge("level_3")
    assert caught.value.status == "not_eligible"
    with pytest.raises(ValueError, match=r"'lapsed' \(lapsed on 2024-04-20\)"):
        inspector_badge("level_1", dt.date(2024, 6, 1))


def test_stage_not_in_force_raises() -> None:
    person = load_record(ROOT / "examples" / "superintendent_spnac.json")
    decision = evaluator().decide(person, dt.date(2009, 1, 1))  # before FSL existed
    with pytest.raises(NotHeldError, match=r"not_decided.*not in force on 2009-01-01"):
        achievement_credential(person, decision, "fsl", "stage_1", ISSUER, evaluator().library)


def test_bad_arguments_are_value_errors() -> None:
    person, decision, _ = inspector_badge()
    library = evaluator().library
    with pytest.raises(UnknownStageError):
        achievement_credential(person, decision, "pip", "level_9", ISSUER, library)
    with pytest.raises(ValueError, match="needs 'name'"):
        achievement_credential(person, decision, "pip", "level_1", {"id": "urn:x"}, library)
    other = person.model_copy(update={"id": "W999999"})
    with pytest.raises(ValueError, match="decision is for 'W100234'"):
        achievement_credential(other, decision, "pip", "level_1", ISSUER, library)


PROTECTED_PERSON = {
    "id": "W900001",
    "kind": "officer",
    "name": "Pat Private",
    "joined": "2001-01-01",
    "ranks": [{"id": "R1", "rank": "constable", "start": "2001-01-01"}],
    "memberships": [
        {
            "id": "M1",
            "programme": "promoting_difference",
            "start": "2008-01-01",
            "end": "2009-12-31",
        }
    ],
    "protected": {"ethnicity": "black", "gender": "female", "disability": "yes"},
    "attributes": {"religion": "private-value"},
}


def test_no_personal_data_beyond_the_id_in_any_badge() -> None:
    person, _, badge = inspector_badge()
    text = json.dumps(badge).lower()
    assert person.name is not None and person.name.lower() not in text
    for value in ("asian", "female", "ethnicity", "gender"):
        assert value not in text

    person = Person.model_validate(PROTECTED_PERSON)
    decision = evaluator().decide(person, dt.date(2009, 6, 1))
    badge = checked_badge(person, decision, "positive_action", "promoting_difference")
    text = json.dumps(badge).lower()
    for value in ("pat private", "black", "female", "woman", "disab", "ethnic", "private-value"):
        assert value not in text, value
    narrative = badge["credentialSubject"]["achievement"]["criteria"]["narrative"]
    assert "A condition on protected characteristics (not shown)" in narrative
    assert badge["validUntil"] == "2010-01-01T00:00:00Z"  # the day after membership ended
    assert badge["credentialSubject"]["achievement"]["achievementType"] == "Membership"


def test_hashed_identity_hides_the_id() -> None:
    person, decision, _ = inspector_badge()
    badge = checked_badge(person, decision, "pip", "level_1", identity_salt="pepper")
    (identity,) = badge["credentialSubject"]["identifier"]
    assert identity["hashed"] is True and identity["identityHash"].startswith("sha256$")
    assert "W100234" not in json.dumps(badge)


# --- the command line ----------------------------------------------------------------


def test_cli_badge_for_a_held_stage() -> None:
    result = run(
        "export-standard", "badge", str(INSPECTOR), "pip.level_1", "--as-of", "2024-01-01",
        "--issuer-id", ISSUER["id"], "--issuer-name", ISSUER["name"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == inspector_badge()[2]
    assert "warning" not in result.stderr


def test_cli_badge_without_issuer_warns_and_names_the_flags() -> None:
    result = run("export-standard", "badge", str(INSPECTOR), "pip.level_1", "--as-of", "2024-01-01")
    assert result.exit_code == 0
    assert "--issuer-id" in result.stderr
    assert not ob3_errors(json.loads(result.stdout))


def test_cli_badge_not_held_exits_1_naming_the_status() -> None:
    result = run("export-standard", "badge", str(INSPECTOR), "pip.level_3", "--as-of", "2024-01-01")
    assert result.exit_code == 1
    assert "not_eligible" in result.stderr and "--as-of" in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("stage", "message"),
    [("pip", "not PATHWAY.STAGE"), ("pip.level_9", "stages of pip"), ("nope.x", "pathways:")],
)
def test_cli_badge_bad_stage_is_a_usage_error(stage: str, message: str) -> None:
    result = run("export-standard", "badge", str(INSPECTOR), stage)
    assert result.exit_code == 2
    assert "PATHWAY.STAGE" in result.output and message in result.output


def test_cli_badge_invalid_record_exits_2(tmp_path: Path) -> None:
    record = tmp_path / "bad.json"
    record.write_text('{"id": "W1", "kind": "officer"}')
    result = run("export-standard", "badge", str(record), "pip.level_1")
    assert result.exit_code == 2
    assert "joined" in result.stderr
