"""Standards exports: pathways as CTDL JSON-LD, held stages as Open Badges 3.0 credentials.

Structure is checked against JSON Schemas in tests/fixtures/exports/ that
capture what each standard requires; the rest checks the meaning: which
components, links, conditions and dates; what a badge says and never says.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner

from accreditation import Person
from accreditation.io import load_record
from cli import cli
from exports import (
    ACHIEVEMENT_TYPES,
    AWARD_COMPONENT_TYPES,
    DEFAULT_BASE_URI,
    LOGICAL_OPERATORS,
    NotHeldError,
    UnknownStageError,
    achievement_credential,
    component_uri,
    pathway_to_ctdl,
)
from pathways import SHIPPED_LIBRARY, Library, load_library
from pathways.model.requirements import walk
from rules.decision import Decision
from rules.engine import Evaluator

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "exports"
INSPECTOR = ROOT / "examples" / "inspector_pip.json"
ISSUER = {"id": "https://police.example/", "name": "Example Police"}

DEMO_PATHWAY = """\
pathway:
  id: demo_export
  name: Demo export pathway
  source: "illustrative: test"
  stages:
    - id: start
      name: Start
      entry: true
      source: "illustrative: test"
      awards: {course: icidp}
    - id: finish
      name: Finish
      source: "illustrative: test"
      effective_from: 2012-01-01
      awards: {passed: national_investigators_exam}
      requires:
        - reached: start
        - not: {reached: pip.level_4}
          text: Not already a PIP level 4 investigator
        - at_least: 2
          of:
            - course: pip_level_1_training
            - reached: pip.level_1
            - course: icidp
        - course: pip_level_1_training
          effective_to: 2015-12-31
          text: Completed initial investigation training (the old rule)
          source: "illustrative: an expired rule"
  progressions:
    - {from: start, to: finish, effective_from: 2012-01-01}
"""


# --- helpers ---------------------------------------------------------------------


@cache
def shipped() -> Library:
    return load_library([SHIPPED_LIBRARY])


@cache
def evaluator() -> Evaluator:
    return Evaluator(shipped())


@cache
def schema(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / f"{name}.schema.json").read_text())
    return data


def validate(document: dict[str, Any], name: str) -> None:
    validator = jsonschema.Draft202012Validator(
        schema(name), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:5])


def components(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Components by 'pathway.stage' (their identifier)."""
    return {
        node["ceterms:identifier"][0]["ceterms:identifierValueCode"]: node
        for node in document["@graph"][1:]
    }


def conditions(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every ComponentCondition of a component, depth first."""
    stack = list(node.get("ceterms:hasCondition", []))
    while stack:
        condition = stack.pop(0)
        yield condition
        stack[:0] = condition.get("ceterms:hasCondition", [])


def uri(pathway: str, stage: str, library: Library | None = None) -> str:
    return component_uri(library or shipped(), pathway, stage)


def inspector_badge(
    stage: str = "level_1", on: dt.date = dt.date(2024, 1, 1)
) -> tuple[Person, Decision, dict[str, Any]]:
    person = load_record(INSPECTOR)
    decision = evaluator().decide(person, on)
    badge = achievement_credential(person, decision, "pip", stage, ISSUER, evaluator().library)
    return person, decision, badge


@pytest.fixture
def demo_library(tmp_path: Path) -> Library:
    path = tmp_path / "demo_export.yaml"
    path.write_text(DEMO_PATHWAY)
    return load_library([path], base=SHIPPED_LIBRARY)


# --- CTDL: structure ---------------------------------------------------------------


@pytest.mark.parametrize("pathway_id", sorted(shipped().pathways))
def test_every_shipped_pathway_matches_the_ctdl_structure(pathway_id: str) -> None:
    document = pathway_to_ctdl(shipped(), pathway_id)
    validate(document, "ctdl_pathway")
    pathway, *nodes = document["@graph"]
    assert len(nodes) == len(shipped().pathways[pathway_id].stages)
    ids = {node["@id"] for node in nodes}
    assert set(pathway["ceterms:hasDestinationComponent"]) <= ids
    assert set(pathway["ceterms:hasChild"]) <= ids
    for node in nodes:
        assert node["@id"] == DEFAULT_BASE_URI + node["ceterms:ctid"]
        assert node["ceterms:isPartOf"] == [pathway["@id"]]


@pytest.mark.parametrize("pathway_id", sorted(shipped().pathways))
def test_links_are_consistent_and_counts_are_possible(pathway_id: str) -> None:
    nodes = pathway_to_ctdl(shipped(), pathway_id)["@graph"][1:]
    by_id = {node["@id"]: node for node in nodes}
    for node in nodes:
        for child in node.get("ceterms:hasChild", []):
            assert node["@id"] in by_id[child]["ceterms:isChildOf"]
            assert node["@id"] in by_id[child]["ceterms:precedes"]
        for condition in conditions(node):
            items = len(condition.get("ceterms:targetComponent", [])) + len(
                condition.get("ceterms:hasCondition", [])
            )
            assert 0 <= condition["ceterms:requiredNumber"] <= items


def test_ctdl_export_is_deterministic() -> None:
    first = pathway_to_ctdl(load_library([SHIPPED_LIBRARY]), "senior_leadership")
    second = pathway_to_ctdl(load_library([SHIPPED_LIBRARY]), "senior_leadership")
    assert first == second
    assert json.dumps(first) == json.dumps(second)


def test_ids_name_a_library_version_unless_stable_ids() -> None:
    changed = Library(
        catalogue=shipped().catalogue,
        pathways={
            **shipped().pathways,
            "pip": shipped().pathways["pip"].model_copy(update={"name": "PIP (renamed)"}),
        },
    )
    assert changed.digest != shipped().digest
    assert uri("pip", "level_1", changed) != uri("pip", "level_1")
    stable = pathway_to_ctdl(shipped(), "pip", stable_ids=True)
    stable_changed = pathway_to_ctdl(changed, "pip", stable_ids=True)
    assert [n["@id"] for n in stable["@graph"]] == [n["@id"] for n in stable_changed["@graph"]]


def test_base_uri_prefixes_every_id() -> None:
    document = pathway_to_ctdl(shipped(), "fsl", "https://registry.example/resources/")
    assert all(
        n["@id"].startswith("https://registry.example/resources/ce-") for n in document["@graph"]
    )


def test_unknown_pathway_is_a_value_error() -> None:
    with pytest.raises(UnknownStageError, match=r"no pathway 'nope'.*pip"):
        pathway_to_ctdl(shipped(), "nope")
    assert issubclass(UnknownStageError, ValueError)


# --- CTDL: meaning -----------------------------------------------------------------


def test_pip_has_four_components_and_three_precedes_links() -> None:
    document = pathway_to_ctdl(shipped(), "pip")
    pathway, *nodes = document["@graph"]
    assert len(nodes) == 4
    assert sum(len(node.get("ceterms:precedes", [])) for node in nodes) == 3
    by_stage = components(document)
    assert {n["@type"] for n in nodes} == {"ceterms:CredentialComponent"}
    assert by_stage["pip.level_1"]["ceterms:precedes"] == [uri("pip", "level_2")]
    assert by_stage["pip.level_2"]["ceterms:hasChild"] == [uri("pip", "level_1")]
    assert pathway["ceterms:hasDestinationComponent"] == [uri("pip", "level_4")]
    assert pathway["ceterms:hasChild"] == [uri("pip", "level_4")]
    assert by_stage["pip.level_4"]["ceterms:isDestinationComponentOf"] == [pathway["@id"]]


def test_spnac_has_the_dated_fsl_rule_as_a_condition_profile() -> None:
    spnac = components(pathway_to_ctdl(shipped(), "senior_leadership"))["senior_leadership.spnac"]
    fsl = {node["@id"] for node in pathway_to_ctdl(shipped(), "fsl")["@graph"][1:]}
    profiles = [
        p for p in spnac["ceterms:requires"] if p.get("ceterms:dateEffective") == "2010-04-01"
    ]
    assert len(profiles) == 1
    profile = profiles[0]
    assert profile["@type"] == "ceterms:ConditionProfile"
    assert set(profile["ceterms:targetComponent"]) == fsl
    assert profile["ceterms:description"] == {
        "en": "Attended every stage of the Foundation for Senior Leadership"
    }
    assert "ceterms:expirationDate" not in profile
    # The same rule is a condition too: all three FSL stages, the date and the source.
    (rule,) = [
        c
        for c in conditions(spnac)
        if c["ceterms:name"]["en"].startswith("Attended every stage of the Foundation")
    ]
    targets = {t for c in rule["ceterms:hasCondition"] for t in c["ceterms:targetComponent"]}
    assert targets == fsl
    assert (rule["ceterms:requiredNumber"], rule["ceterms:logicalOperator"]) == (3, "logical:And")
    assert "in force from 2010-04-01" in rule["ceterms:description"]["en"]
    assert "Source: 002 rec 9." in rule["ceterms:description"]["en"]


def test_cross_pathway_reached_targets_the_other_pathways_component() -> None:
    chief = components(pathway_to_ctdl(shipped(), "senior_leadership"))[
        "senior_leadership.chief_inspector"
    ]
    (root,) = chief["ceterms:hasCondition"]
    (reached,) = root["ceterms:hasCondition"]
    promotion = components(pathway_to_ctdl(shipped(), "promotion"))
    assert reached["ceterms:targetComponent"] == [promotion["promotion.chief_inspector"]["@id"]]
    assert reached["ceterms:description"] == {
        "en": "Promoted to chief inspector. Source: 002 rec 9."
    }


def test_any_of_is_or_with_one_required() -> None:
    level_2 = components(pathway_to_ctdl(shipped(), "pip"))["pip.level_2"]
    (root,) = level_2["ceterms:hasCondition"]
    assert root["ceterms:requiredNumber"] == 4  # reached level 1, course, exam, experience
    assert "ceterms:targetComponent" not in root
    reached, *_, experience = root["ceterms:hasCondition"]
    assert reached["ceterms:targetComponent"] == [uri("pip", "level_1")]
    assert reached["ceterms:requiredNumber"] == 1
    assert experience["ceterms:logicalOperator"] == "logical:Or"
    assert experience["ceterms:requiredNumber"] == 1
    assert len(experience["ceterms:hasCondition"]) == 5


def test_not_at_least_and_dated_windows(demo_library: Library) -> None:
    document = pathway_to_ctdl(demo_library, "demo_export")
    validate(document, "ctdl_pathway")
    finish = components(document)["demo_export.finish"]
    (root,) = finish["ceterms:hasCondition"]
    assert root["ceterms:requiredNumber"] == 4
    start, negation, at_least, old_rule = root["ceterms:hasCondition"]
    assert start["ceterms:targetComponent"] == [uri("demo_export", "start", demo_library)]

    assert negation["ceterms:logicalOperator"] == "logical:Not"
    assert negation["ceterms:requiredNumber"] == 0
    assert negation["ceterms:name"] == {"en": "Not already a PIP level 4 investigator"}
    assert negation["ceterms:description"]["en"].startswith("Must not: Has reached PIP level 4")
    (excluded,) = negation["ceterms:hasCondition"]
    assert excluded["ceterms:targetComponent"] == [uri("pip", "level_4", demo_library)]

    assert at_least["ceterms:logicalOperator"] == "logical:Or"
    assert at_least["ceterms:requiredNumber"] == 2
    assert len(at_least["ceterms:hasCondition"]) == 3
    assert at_least["ceterms:hasCondition"][1]["ceterms:targetComponent"] == [
        uri("pip", "level_1", demo_library)
    ]

    assert "Source: illustrative: an expired rule." in old_rule["ceterms:description"]["en"]
    profiles = {p["ceterms:name"]["en"]: p for p in finish["ceterms:requires"]}
    assert profiles["Finish is in force"]["ceterms:dateEffective"] == "2012-01-01"
    assert profiles["Progression from Start"]["ceterms:targetComponent"] == [
        uri("demo_export", "start", demo_library)
    ]
    expired = profiles["In force until 2015-12-31"]
    assert expired["ceterms:expirationDate"] == "2015-12-31"
    assert expired["ceterms:description"] == {
        "en": "Completed initial investigation training (the old rule)"
    }
    # The excluded stage is never a target of a condition profile.
    assert all(
        uri("pip", "level_4", demo_library) not in p.get("ceterms:targetComponent", [])
        for p in profiles.values()
    )


@pytest.mark.parametrize("pathway_id", sorted(shipped().pathways))
def test_every_requirement_is_a_condition_citing_its_source(pathway_id: str) -> None:
    pathway = shipped().pathways[pathway_id]
    nodes = components(pathway_to_ctdl(shipped(), pathway_id))
    for stage in pathway.stages:
        expected = [r.source for top in stage.requires for r, _ in walk(top)]
        found = list(conditions(nodes[f"{pathway_id}.{stage.id}"]))[1:]  # after the root
        assert len(found) == len(expected)
        for source, condition in zip(expected, found, strict=True):
            description = condition["ceterms:description"]["en"]
            assert (f"Source: {source}." in description) == (source is not None), description


def test_component_classes_follow_the_award_kind() -> None:
    types = {
        key: node["@type"]
        for pid in shipped().pathways
        for key, node in components(pathway_to_ctdl(shipped(), pid)).items()
    }
    assert types["pip.level_1"] == "ceterms:CredentialComponent"
    assert types["fsl.stage_1"] == "ceterms:CourseComponent"
    assert types["senior_leadership.spnac"] == "ceterms:AssessmentComponent"
    assert types["senior_leadership.commander"] == "ceterms:JobComponent"
    assert types["positive_action.hpds"] == "ceterms:BasicComponent"
    assert "ceterms:WorkExperienceComponent" in types.values()


# --- Open Badges 3.0 -----------------------------------------------------------------


def test_badge_matches_the_open_badges_structure() -> None:
    _, _, badge = inspector_badge()
    validate(badge, "ob3_achievement_credential")


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
    badge = achievement_credential(
        person, decision, "positive_action", "promoting_difference", ISSUER, evaluator().library
    )
    validate(badge, "ob3_achievement_credential")
    text = json.dumps(badge).lower()
    for value in ("pat private", "black", "female", "woman", "disab", "ethnic", "private-value"):
        assert value not in text, value
    narrative = badge["credentialSubject"]["achievement"]["criteria"]["narrative"]
    assert "A condition on protected characteristics (not shown)" in narrative
    assert badge["validUntil"] == "2010-01-01T00:00:00Z"  # the day after membership ended
    assert badge["credentialSubject"]["achievement"]["achievementType"] == "Membership"


def test_hashed_identity_hides_the_id() -> None:
    person, decision, _ = inspector_badge()
    badge = achievement_credential(
        person, decision, "pip", "level_1", ISSUER, evaluator().library, identity_salt="pepper"
    )
    validate(badge, "ob3_achievement_credential")
    (identity,) = badge["credentialSubject"]["identifier"]
    assert identity["hashed"] is True and identity["identityHash"].startswith("sha256$")
    assert "W100234" not in json.dumps(badge)


# --- the command line ----------------------------------------------------------------


def run(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args))


@pytest.mark.parametrize("command", [[], ["ctdl"], ["badge"]])
def test_help_has_examples(command: list[str]) -> None:
    result = run("export-standard", *command, "--help")
    assert result.exit_code == 0
    assert "Examples:" in result.output and "pathways export-standard" in result.output


def test_cli_ctdl_writes_the_same_document(tmp_path: Path) -> None:
    out = tmp_path / "pip.json"
    result = run("export-standard", "ctdl", "pip", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text()) == pathway_to_ctdl(shipped(), "pip")
    printed = run("export-standard", "ctdl", "pip")
    assert printed.exit_code == 0
    assert json.loads(printed.stdout) == pathway_to_ctdl(shipped(), "pip")


def test_cli_ctdl_unknown_pathway_is_a_usage_error() -> None:
    result = run("export-standard", "ctdl", "nope")
    assert result.exit_code == 2
    assert "PATHWAY" in result.output and "no pathway 'nope'" in result.output


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
    validate(json.loads(result.stdout), "ob3_achievement_credential")


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


def test_docs_give_every_mapping() -> None:
    docs = (ROOT / "docs" / "exports.md").read_text()
    for value in [*AWARD_COMPONENT_TYPES.values(), *ACHIEVEMENT_TYPES.values()]:
        assert f"`{value}`" in docs, value
    for operator in LOGICAL_OPERATORS.values():
        assert f"`{operator}`" in docs, operator
