"""Standards exports: pathways as CTDL JSON-LD (badges: tests/test_exports_badges.py).

Structure is checked against the official artefacts in tests/fixtures/standards/
(tests/standards.py): every CTDL document against Credential Engine's CTDL term list and
publishing models. The rest checks the meaning: which components, links, conditions and
dates.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from export_kit import ROOT, check_ctdl, components, conditions, run, shipped, uri
from standards import ctdl_vocabulary, load, publishing_problems

from exports import (
    ACHIEVEMENT_TYPES,
    AWARD_COMPONENT_TYPES,
    DEFAULT_BASE_URI,
    EXTENSION_NAMESPACE,
    EXTENSION_PREFIX,
    LOGICAL_OPERATORS,
    UnknownStageError,
    pathway_to_ctdl,
)
from pathways import SHIPPED_LIBRARY, Library, load_library
from pathways.model.requirements import walk

OWNER = "https://registry.example/resources/ce-3c5dd3f8-4c36-4b43-8b1f-0f0e3ba1b2a7"
X = EXTENSION_PREFIX

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


@pytest.fixture
def demo_library(tmp_path: Path) -> Library:
    path = tmp_path / "demo_export.yaml"
    path.write_text(DEMO_PATHWAY)
    return load_library([path], base=SHIPPED_LIBRARY)


# --- CTDL: the official terms ----------------------------------------------------------


@pytest.mark.parametrize("pathway_id", sorted(shipped().pathways))
def test_every_shipped_pathway_uses_only_official_ctdl_terms(pathway_id: str) -> None:
    document = pathway_to_ctdl(shipped(), pathway_id, owner=OWNER)
    check_ctdl(document)
    extended = pathway_to_ctdl(shipped(), pathway_id, owner=OWNER, extensions=True)
    check_ctdl(extended, extensions=True)
    pathway, *nodes = document["@graph"]
    goals = [
        s
        for s in shipped().pathways[pathway_id].stages
        if not any(g.from_ == s.id for g in shipped().pathways[pathway_id].progressions)
    ]
    assert len(nodes) == len(shipped().pathways[pathway_id].stages) + (len(goals) > 1)
    ids = {node["@id"] for node in nodes}
    assert set(pathway["ceterms:hasPart"]) == ids
    (destination,) = pathway["ceterms:hasDestinationComponent"]
    assert destination in ids
    for node in nodes:
        assert node["@id"] == DEFAULT_BASE_URI + node["ceterms:ctid"]
        assert node["ceasn:isPartOf"] == [pathway["@id"]]
    assert pathway["ceterms:ownedBy"] == [OWNER]
    assert pathway["ceterms:lifeCycleStatusType"]["ceterms:targetNode"] == "lifeCycle:Active"


def test_the_extensions_are_declared_and_only_where_asked() -> None:
    plain = json.dumps(pathway_to_ctdl(shipped(), "senior_leadership"))
    assert f'"{X}:' not in plain
    extended = pathway_to_ctdl(shipped(), "senior_leadership", extensions=True)
    assert extended["@context"] == [
        "https://credreg.net/ctdl/schema/context/json",
        {X: EXTENSION_NAMESPACE},
    ]
    assert X not in ctdl_vocabulary().prefixes  # it shadows no official prefix
    assert extended["@graph"][0][f"{X}:pathwayId"] == "senior_leadership"


# Deliberately faulty documents: what the export wrote before it was checked against the
# official terms, each of which the checks must reject.
FAULTS = {
    "ceterms:isPartOf (not in the publishing model)": (
        lambda d: d["@graph"][1].update({"ceterms:isPartOf": [d["@graph"][0]["@id"]]}),
        "not in its publishing model",
    ),
    "ceterms:hasChild (no such term)": (
        lambda d: d["@graph"][0].update({"ceterms:hasChild": [d["@graph"][1]["@id"]]}),
        "ceterms:hasChild is not a CTDL property",
    ),
    "ceterms:requires on a component": (
        lambda d: d["@graph"][1].update({"ceterms:requires": []}),
        "ceterms:requires is not a property of ceterms:CredentialComponent",
    ),
    "ceterms:expirationDate on a ConditionProfile": (
        lambda d: d["@graph"][1].update(
            {
                "ceterms:hasCondition": [
                    {"@type": "ceterms:ConditionProfile", "ceterms:expirationDate": "2015-12-31"}
                ]
            }
        ),
        "ceterms:expirationDate is not a property of ceterms:ConditionProfile",
    ),
    "logical:And (no such concept)": (
        lambda d: d["@graph"][2]["ceterms:hasCondition"][0].update(
            {"ceterms:logicalOperator": "logical:And"}
        ),
        "'logical:And' is not a concept",
    ),
    "a number that is not an integer": (
        lambda d: d["@graph"][2]["ceterms:hasCondition"][0].update({"ceterms:requiredNumber": "4"}),
        "is not an integer",
    ),
    "a life-cycle status outside its scheme": (
        lambda d: d["@graph"][0]["ceterms:lifeCycleStatusType"].update(
            {"ceterms:targetNode": "logic:And"}
        ),
        "is not a concept of ['ceterms:LifeCycleStatus']",
    ),
    "no owner": (lambda d: d["@graph"][0].pop("ceterms:ownedBy"), "neither ceterms:ownedBy"),
    "two destinations": (
        lambda d: d["@graph"][0]["ceterms:hasDestinationComponent"].append(d["@graph"][1]["@id"]),
        "2 destination components",
    ),
    "an undeclared project term": (
        lambda d: d["@graph"][1].update({f"{X}:effectiveFrom": "2012-01-01"}),
        "is not a CTDL property",
    ),
}


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_the_ctdl_checks_reject_each_faulty_variant(fault: str) -> None:
    document = pathway_to_ctdl(shipped(), "pip", owner=OWNER)
    check_ctdl(document)
    mutate, message = FAULTS[fault]
    mutate(document)
    problems = ctdl_vocabulary().problems(document) + publishing_problems(document)
    assert any(message in problem for problem in problems), problems


def test_the_vendored_artefacts_are_the_recorded_official_copies() -> None:
    schema = load("ctdl/schema.json")
    assert {t["@id"] for t in schema["@graph"]} >= {
        "ceterms:Pathway",
        "ceterms:ComponentCondition",
        "logic:And",
        "lifeCycle:Active",
    }
    assert load("ob_v3p0_achievementcredential_schema.json")["$schema"].startswith(
        "https://json-schema.org/draft/2019-09/"
    )
    assert load("ctdl/publishing_models.json")["commit"].startswith("d85a120")


# --- CTDL: structure ---------------------------------------------------------------


@pytest.mark.parametrize("pathway_id", sorted(shipped().pathways))
def test_links_are_consistent_and_counts_are_possible(pathway_id: str) -> None:
    nodes = pathway_to_ctdl(shipped(), pathway_id)["@graph"][1:]
    by_id = {node["@id"]: node for node in nodes}
    for node in nodes:
        for child in node.get("ceasn:hasChild", []):
            assert node["@id"] in by_id[child]["ceasn:isChildOf"]
        for parent in node.get("ceterms:precedes", []):
            assert node["@id"] in by_id[parent]["ceasn:hasChild"]
        for condition in conditions(node):
            items = len(condition.get("ceterms:targetComponent", [])) + len(
                condition.get("ceterms:hasCondition", [])
            )
            assert 0 <= condition["ceterms:requiredNumber"] <= items
            assert ("ceterms:logicalOperator" in condition) == (items >= 2)


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
    assert by_stage["pip.level_1"]["ceasn:isChildOf"] == [uri("pip", "level_2")]
    assert by_stage["pip.level_2"]["ceasn:hasChild"] == [uri("pip", "level_1")]
    assert pathway["ceterms:hasDestinationComponent"] == [uri("pip", "level_4")]
    assert by_stage["pip.level_4"]["ceterms:isDestinationComponentOf"] == [pathway["@id"]]
    assert "ceterms:ownedBy" not in pathway  # no owner given: none invented


def test_several_goals_get_one_destination_that_any_of_them_completes() -> None:
    document = pathway_to_ctdl(shipped(), "positive_action")
    pathway, *nodes = document["@graph"]
    goals = {"positive_action_leadership", "springboard", "external_mentoring", "hpds"}
    goals.add("talent_pool")
    by_stage = components(document)
    destination = by_stage["positive_action"]  # the destination's identifier is the pathway's
    assert pathway["ceterms:hasDestinationComponent"] == [destination["@id"]]
    assert destination["ceterms:isDestinationComponentOf"] == [pathway["@id"]]
    assert destination["@type"] == "ceterms:BasicComponent"
    goal_ids = sorted(uri("positive_action", g) for g in goals)
    assert destination["ceasn:hasChild"] == goal_ids
    (condition,) = destination["ceterms:hasCondition"]
    assert condition["ceterms:targetComponent"] == goal_ids
    assert (condition["ceterms:requiredNumber"], condition["ceterms:logicalOperator"]) == (
        1,
        "logic:Or",
    )
    for goal in goals:
        assert destination["@id"] in by_stage[f"positive_action.{goal}"]["ceasn:isChildOf"]
        assert "ceterms:isDestinationComponentOf" not in by_stage[f"positive_action.{goal}"]
    assert sum("ceterms:isDestinationComponentOf" in n for n in nodes) == 1


def test_spnac_has_the_dated_fsl_rule_as_a_condition() -> None:
    spnac = components(pathway_to_ctdl(shipped(), "senior_leadership", extensions=True))[
        "senior_leadership.spnac"
    ]
    fsl = {node["@id"] for node in pathway_to_ctdl(shipped(), "fsl")["@graph"][1:]}
    (rule,) = [
        c
        for c in conditions(spnac)
        if c["ceterms:name"]["en"].startswith("Attended every stage of the Foundation")
    ]
    targets = {t for c in rule["ceterms:hasCondition"] for t in c["ceterms:targetComponent"]}
    assert targets == fsl
    assert (rule["ceterms:requiredNumber"], rule["ceterms:logicalOperator"]) == (3, "logic:And")
    assert "in force from 2010-04-01" in rule["ceterms:description"]["en"]
    assert (
        'Source: 002 rec 9 November 2009 update "Attendance at each stage of the programme is '
        'likely to be a pre-requisite for attendance at Senior PNAC in the future"'
    ) in rule["ceterms:description"]["en"]
    assert rule[f"{X}:effectiveFrom"] == "2010-04-01"
    assert f"{X}:effectiveTo" not in rule
    # Without extensions the date is in the words alone.
    plain = components(pathway_to_ctdl(shipped(), "senior_leadership"))["senior_leadership.spnac"]
    assert not any(f"{X}:" in key for c in conditions(plain) for key in c)


def test_cross_pathway_reached_targets_the_other_pathways_component() -> None:
    chief = components(pathway_to_ctdl(shipped(), "senior_leadership"))[
        "senior_leadership.chief_inspector"
    ]
    (root,) = chief["ceterms:hasCondition"]
    (reached,) = root["ceterms:hasCondition"]
    promotion = components(pathway_to_ctdl(shipped(), "promotion"))
    assert reached["ceterms:targetComponent"] == [promotion["promotion.chief_inspector"]["@id"]]
    assert reached["ceterms:description"] == {
        "en": 'Promoted to chief inspector. Source: 002 rec 9 November 2009 update "mandatory '
        'for chief inspectors".'
    }


def test_any_of_is_or_with_one_required() -> None:
    level_2 = components(pathway_to_ctdl(shipped(), "pip"))["pip.level_2"]
    (root,) = level_2["ceterms:hasCondition"]
    assert root["ceterms:requiredNumber"] == 4  # reached level 1, course, exam, experience
    assert "ceterms:targetComponent" not in root
    reached, *_, experience = root["ceterms:hasCondition"]
    assert reached["ceterms:targetComponent"] == [uri("pip", "level_1")]
    assert reached["ceterms:requiredNumber"] == 1
    assert "ceterms:logicalOperator" not in reached  # one target: nothing to combine
    assert experience["ceterms:logicalOperator"] == "logic:Or"
    assert experience["ceterms:requiredNumber"] == 1
    assert len(experience["ceterms:hasCondition"]) == 5


def test_not_at_least_and_dated_windows(demo_library: Library) -> None:
    document = pathway_to_ctdl(demo_library, "demo_export", owner=OWNER, extensions=True)
    check_ctdl(document, extensions=True)
    finish = components(document)["demo_export.finish"]
    (root,) = finish["ceterms:hasCondition"]
    assert root["ceterms:requiredNumber"] == 4
    start, negation, at_least, old_rule = root["ceterms:hasCondition"]
    assert start["ceterms:targetComponent"] == [uri("demo_export", "start", demo_library)]

    assert negation[f"{X}:negated"] is True
    assert "ceterms:logicalOperator" not in negation
    assert negation["ceterms:requiredNumber"] == 0
    assert negation["ceterms:name"] == {"en": "Not already a PIP level 4 investigator"}
    assert negation["ceterms:description"]["en"].startswith("Must not: Has reached PIP level 4")
    (excluded,) = negation["ceterms:hasCondition"]
    assert excluded["ceterms:targetComponent"] == [uri("pip", "level_4", demo_library)]

    assert at_least["ceterms:logicalOperator"] == "logic:Or"
    assert at_least["ceterms:requiredNumber"] == 2
    assert len(at_least["ceterms:hasCondition"]) == 3
    assert at_least["ceterms:hasCondition"][1]["ceterms:targetComponent"] == [
        uri("pip", "level_1", demo_library)
    ]

    assert "Source: illustrative: an expired rule." in old_rule["ceterms:description"]["en"]
    assert "(in force until 2015-12-31)" in old_rule["ceterms:description"]["en"]
    assert old_rule[f"{X}:effectiveTo"] == "2015-12-31"
    assert f"{X}:effectiveFrom" not in old_rule
    # The stage's own window and the dated progression into it.
    assert finish[f"{X}:effectiveFrom"] == "2012-01-01"
    assert finish[f"{X}:datedProgression"] == [
        {
            "@type": f"{X}:Progression",
            f"{X}:from": uri("demo_export", "start", demo_library),
            f"{X}:effectiveFrom": "2012-01-01",
        }
    ]


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


# --- the command line ----------------------------------------------------------------


@pytest.mark.parametrize("command", [[], ["ctdl"], ["badge"]])
def test_help_has_examples(command: list[str]) -> None:
    result = run("export-standard", *command, "--help")
    assert result.exit_code == 0
    assert "Examples:" in result.output and "pathways export-standard" in result.output


def test_cli_ctdl_writes_the_same_document(tmp_path: Path) -> None:
    out = tmp_path / "pip.json"
    result = run("export-standard", "ctdl", "pip", "-o", str(out), "--owner", OWNER)
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text()) == pathway_to_ctdl(shipped(), "pip", owner=OWNER)
    assert "warning" not in result.stderr
    printed = run("export-standard", "ctdl", "pip", "--owner", OWNER, "--extensions")
    assert printed.exit_code == 0
    document = json.loads(printed.stdout)
    assert document == pathway_to_ctdl(shipped(), "pip", owner=OWNER, extensions=True)
    check_ctdl(document, extensions=True)


def test_cli_ctdl_owner_as_a_ctid_goes_under_the_base_uri() -> None:
    base = "https://registry.example/resources/"
    owner_ctid = OWNER.rsplit("/", 1)[1]
    result = run("export-standard", "ctdl", "fsl", "--owner", owner_ctid, "--base-uri", base)
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["@graph"][0]["ceterms:ownedBy"] == [base + owner_ctid]
    check_ctdl(document)


def test_cli_ctdl_without_owner_warns_and_names_the_flag() -> None:
    result = run("export-standard", "ctdl", "pip")
    assert result.exit_code == 0
    assert "--owner" in result.stderr and "ceterms:ownedBy" in result.stderr
    assert "ceterms:ownedBy" not in json.loads(result.stdout)["@graph"][0]


def test_cli_ctdl_bad_owner_is_a_usage_error() -> None:
    result = run("export-standard", "ctdl", "pip", "--owner", "Example Police")
    assert result.exit_code == 2
    assert "--owner" in result.output and "neither an http(s) URI nor a CTID" in result.output


def test_cli_ctdl_unknown_pathway_is_a_usage_error() -> None:
    result = run("export-standard", "ctdl", "nope")
    assert result.exit_code == 2
    assert "PATHWAY" in result.output and "no pathway 'nope'" in result.output


def test_docs_give_every_mapping(demo_library: Library) -> None:
    docs = (ROOT / "docs" / "exports.md").read_text()
    for value in [*AWARD_COMPONENT_TYPES.values(), *ACHIEVEMENT_TYPES.values()]:
        assert f"`{value}`" in docs, value
    for operator in LOGICAL_OPERATORS.values():
        assert f"`{operator}`" in docs, operator
    # Every project term any export can write is documented.
    documents = [
        pathway_to_ctdl(library, pid, extensions=True)
        for library in (shipped(), demo_library)
        for pid in library.pathways
    ]
    used = set(re.findall(rf'"({X}:[A-Za-z]+)"', json.dumps(documents)))
    assert len(used) >= 6, used
    for term in used:
        assert f"`{term}`" in docs, term
    assert EXTENSION_NAMESPACE in docs
