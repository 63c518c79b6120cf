"""``pathways report pipeline|equality`` on a small store."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import cli
from store import Store
from workforce.synthetic import generate_people


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('report') / 'r.db'}"
    store = Store(url)
    store.save_people(generate_people(300, seed=4), actor="test")
    store.close()
    return url


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["report", *args])
    return result.exit_code, result.output


@pytest.mark.slow  # population runs through the command
def test_pipeline_counts_and_lists(db: str) -> None:
    args = (
        "pipeline",
        "--target",
        "promotion.sergeant",
        "--db",
        db,
        "--as-of",
        "2024-06-01",
        "--quiet",
        "--workers",
        "1",
    )
    code, out = run(*args, "--format", "json")
    assert code == 0, out
    body = json.loads(out)
    total = body["rows"][-1]
    assert total["business_group"] == "all" and total["held"] > 0
    groups = body["rows"][:-1]
    for column in ("held", "eligible", "within_6", "within_12"):
        assert sum(r[column] for r in groups) == total[column]
    assert "held_people" not in total
    code, out = run(*args, "--format", "csv", "--list")
    rows = list(csv.DictReader(io.StringIO(out)))
    named = sum(len(r["held_people"].split()) for r in rows if r["business_group"] != "all")
    assert named == total["held"]


@pytest.mark.slow  # population runs through the command
def test_pipeline_target_by_name_and_did_you_mean(db: str) -> None:
    code, out = run("pipeline", "--target", "Sergeant", "--db", db, "--quiet", "--workers", "1")
    assert code == 0 and "promotion.sergeant" in out
    code, out = run("pipeline", "--target", "promotion.sergaent", "--db", db)
    assert code == 2 and "did you mean 'promotion.sergeant'" in out and "--target" in out


@pytest.mark.slow  # population runs through the command
def test_equality_report_suppresses_small_counts(db: str, tmp_path: Path) -> None:
    target = tmp_path / "eq.csv"
    code, out = run(
        "equality",
        "--pathway",
        "promotion",
        "--by",
        "gender",
        "--db",
        db,
        "--as-of",
        "2024-06-01",
        "--format",
        "csv",
        "-o",
        str(target),
        "--quiet",
        "--workers",
        "1",
    )
    assert code == 0, out
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert {r["stage"].split(".")[0] for r in rows} == {"promotion"}
    for r in rows:
        if "[c]" in (r["people_in_pool"], r["held_or_eligible"]):
            assert r["rate"] == "" and r["ratio_to_reference"] == "" and r["fisher_p"] == ""
        else:  # published counts: none from 1 to 4
            assert not 0 < int(r["held_or_eligible"]) < 5 and not 0 < int(r["people_in_pool"]) < 5
        assert r["group"] != r["reference_group"] or r["group"] not in (
            "not_stated",
            "not_recorded",
        )
    constable = [r for r in rows if r["stage"] == "promotion.constable"]
    assert {r["pool"] for r in constable} == {"police officers in post on 2024-06-01"}
    assert {r["pool"] for r in rows if r["stage"] == "promotion.inspector"} == {
        "police officers in post on 2024-06-01 who hold Sergeant"
    }
    assert all(r["fisher_p"] != "0" for r in rows)
    code, out = run("equality", "--pathway", "promotoin", "--db", db)
    assert code == 2 and "did you mean 'promotion'" in out


@pytest.mark.slow  # population runs through the command
def test_equality_reference_by_choice_and_in_words(db: str) -> None:
    args = ("equality", "--pathway", "promotion", "--db", db, "--as-of", "2024-06-01")
    args += ("--quiet", "--workers", "1")
    code, out = run(*args, "--reference", "white")
    assert code == 0, out
    assert "reference: White (chosen)" in out and "rated over: police officers in post" in out
    assert "Sergeant (Promotion ladder) [promotion.sergeant]" in out
    code, out = run(*args, "--reference", "whit")
    assert code == 2 and "did you mean 'white'" in out
    code, out = run(*args, "--reference", "not_stated")
    assert code == 2 and "not a stated group" in out
    code, out = run(*args, "--by", "ethnicity+gender", "--format", "json")
    body = json.loads(out)
    assert {r["group"] for r in body["rows"]} >= {"white+female", "bme+male"}
    assert all(
        r["people_in_pool"] is None or isinstance(r["people_in_pool"], int) for r in body["rows"]
    )
