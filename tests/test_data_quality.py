"""A stage held on its award alone, while the record does not show the stage's own
requirements: it stays held, the decision says what the record does not show, and HR
sees it in a report of such records (``pathways data-quality``)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from accreditation.record import Person
from cli import cli
from pathways import SHIPPED_LIBRARY, load_library
from rules.batch import BatchEvaluator
from rules.decision import Status
from rules.engine import Evaluator
from store import Store
from workforce.dataquality import held_not_shown, scan

LIBRARY = load_library([SHIPPED_LIBRARY])
DAY = dt.date(2024, 6, 1)
TRAINING = "Completed intelligence analysis training"


def analyst(person_id: str = "S100001", trained: bool = False, **extra: Any) -> Person:
    data: dict[str, Any] = {
        "id": person_id,
        "kind": "staff",
        "name": "An Analyst",
        "joined": "2018-01-01",
        "bands": [{"band": "band_d", "start": "2018-01-01"}],
        "postings": [
            {
                "role": "researcher",
                "business_group": "specialist_crime",
                "start": "2018-01-01",
                "end": "2019-12-31",
            },
            {
                "role": "intelligence_analyst",
                "business_group": "specialist_crime",
                "start": "2020-01-01",
            },
        ],
    }
    if trained:
        data["courses"] = [{"course": "intelligence_analysis_training", "completed": "2019-11-01"}]
    data.update(extra)
    return Person.model_validate(data)


def test_an_analyst_post_without_training_stays_held_and_says_what_is_missing() -> None:
    stage = Evaluator(LIBRARY).decide(analyst(), DAY).stage("analyst", "intelligence_analyst")
    assert stage.status is Status.HELD
    assert stage.not_shown == [TRAINING]
    trained = Evaluator(LIBRARY).decide(analyst(trained=True), DAY)
    assert trained.stage("analyst", "intelligence_analyst").not_shown == []


def test_what_could_have_held_when_awarded_gets_the_benefit_of_the_doubt() -> None:
    """An inspector today has not 24 months as a sergeant in the current rank, and a PIP
    credential may have lapsed: neither is listed. A missing exam is."""
    person = Person.model_validate(
        {
            "id": "W100002",
            "kind": "officer",
            "joined": "2010-01-01",
            "ranks": [
                {"rank": "constable", "start": "2010-01-01", "end": "2014-12-31"},
                {"rank": "sergeant", "start": "2015-01-01", "end": "2017-12-31"},
                {"rank": "inspector", "start": "2018-01-01"},
            ],
            "courses": [{"course": "initial_police_training", "completed": "2010-03-01"}],
            "assessments": [
                {"assessment": "sergeants_exam", "date": "2014-01-01"},
                {"assessment": "sergeant_promotion_board", "date": "2014-06-01"},
                {"assessment": "inspectors_exam", "date": "2017-01-01"},
            ],
        }
    )
    decision = Evaluator(LIBRARY).decide(person, DAY, ["promotion"])
    assert decision.stage("promotion", "sergeant").not_shown == []
    inspector = decision.stage("promotion", "inspector")
    assert inspector.status is Status.HELD
    assert inspector.not_shown == ["Passed the sergeant to inspector promotion process"]


def test_the_batch_check_finds_the_same(tmp_path: Path) -> None:
    batch = BatchEvaluator(LIBRARY)
    (found,) = held_not_shown(batch, analyst(), DAY)
    assert (found.pathway, found.stage, found.not_shown) == (
        "analyst",
        "intelligence_analyst",
        (TRAINING,),
    )
    assert held_not_shown(batch, analyst(trained=True), DAY) == []


@pytest.fixture
def stored(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'dq.db'}"
    store = Store(url)
    store.save_people(
        [analyst("S100001"), analyst("S100002", trained=True), analyst("S100003")], actor="test"
    )
    store.close()
    return url


def test_a_scan_reports_each_record_and_counts_by_stage(stored: str) -> None:
    store = Store(stored)
    try:
        report = scan(store, BatchEvaluator(LIBRARY), DAY)
        assert report.checked == 3 and report.complete
        assert [f.person for f in report.findings] == ["S100001", "S100003"]
        assert report.by_stage() == [("analyst", "intelligence_analyst", "Intelligence analyst", 2)]
        first = scan(store, BatchEvaluator(LIBRARY), DAY, limit=2)
        assert (first.checked, first.last, first.complete) == (2, "S100002", False)
        rest = scan(store, BatchEvaluator(LIBRARY), DAY, after=first.last)
        assert [f.person for f in rest.findings] == ["S100003"]
    finally:
        store.close()


def test_pathways_data_quality_lists_the_records(stored: str) -> None:
    runner = CliRunner()
    text = runner.invoke(cli, ["data-quality", "--db", stored, "--as-of", "2024-06-01"])
    assert text.exit_code == 0, text.output
    assert "2 of 3 people hold a stage on its award alone" in text.output
    assert f"S100001 An Analyst: Intelligence analyst: {TRAINING}" in text.output
    assert "S100002" not in text.output
    out = runner.invoke(
        cli,
        [
            "data-quality",
            "--db",
            stored,
            "--as-of",
            "2024-06-01",
            "--format",
            "json",
            "--stage",
            "intelligence analyst",
        ],
    )
    body = json.loads(out.output)
    assert body["checked"] == 3 and body["people"] == 2
    assert body["by_stage"][0]["stage"] == "intelligence_analyst"
    csv_out = runner.invoke(cli, ["data-quality", "--db", stored, "--format", "csv"])
    assert csv_out.output.splitlines()[0] == "person,name,pathway,stage,stage_name,not_shown"
    bad = runner.invoke(cli, ["data-quality", "--db", stored, "--stage", "intelligence_analist"])
    assert bad.exit_code == 2 and "did you mean" in bad.output


def test_the_eligibility_command_shows_what_the_record_does_not_show(tmp_path: Path) -> None:
    path = tmp_path / "analyst.json"
    path.write_text(analyst().model_dump_json(), encoding="utf-8")
    out = CliRunner().invoke(
        cli, ["eligibility", str(path), "--as-of", "2024-06-01", "--pathway", "analyst"]
    )
    assert f"⚠ held on the award alone: the record does not show {TRAINING}" in out.output
