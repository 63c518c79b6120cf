"""``pathways impact`` and the impact computation, on a small store with a known case:
the FSL -> Senior PNAC rule introduction (examples/impact/before_fsl vs the shipped library)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from accreditation.io import load_record
from cli import cli
from pathways import SHIPPED_LIBRARY, load_library
from rules.engine import Evaluator
from store import Store
from workforce.impact import changed_pathways, impact
from workforce.population import evaluate_population
from workforce.synthetic import generate_people

ROOT = Path(__file__).parent.parent
BEFORE = ROOT / "examples" / "impact" / "before_fsl"
SPNAC_CASE = ROOT / "examples" / "superintendent_spnac.json"  # eligible until the FSL rule


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('impact') / 'impact.db'}"
    store = Store(url)
    store.save_people([*generate_people(150, seed=5), load_record(SPNAC_CASE)], actor="test")
    store.close()
    return url


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["impact", *args])
    return result.exit_code, result.output


def test_only_the_changed_pathway_and_those_that_refer_to_it_are_decided() -> None:
    old = load_library([BEFORE], SHIPPED_LIBRARY)
    new = load_library([SHIPPED_LIBRARY])
    assert changed_pathways(old, new) == ["senior_leadership"]
    assert changed_pathways(new, new) == []


def test_the_fsl_rule_introduction_loses_spnac_for_the_superintendent_without_fsl(
    db: str,
) -> None:
    code, out = run(
        str(BEFORE), str(SHIPPED_LIBRARY), "--as-of", "2010-04-01", "--db", db, "--workers", "1"
    )
    assert code == 0, out
    assert "senior_leadership.spnac:" in out and "0 gain, 1 lose" in out
    assert "lose, e.g.: W204817" in out
    assert "by ethnicity:" in out and "by gender:" in out
    # one person lost it: every such cell is suppressed
    assert "<5" in out


def test_the_losers_are_exactly_those_the_engine_decides_differently(db: str) -> None:
    store = Store(db)
    day = dt.date(2010, 4, 1)
    try:
        runs = [
            evaluate_population(store, [path], day, workers=1, pathways=["senior_leadership"])
            for path in (_materialised(BEFORE), SHIPPED_LIBRARY)
        ]
        people = list(store.iter_people())
    finally:
        store.close()
    report = impact(*runs)
    old_engine = Evaluator(load_library([BEFORE], SHIPPED_LIBRARY))
    new_engine = Evaluator(load_library([SHIPPED_LIBRARY]))
    expected = [
        p.id
        for p in people
        if old_engine.statuses(p, day).stage("senior_leadership", "spnac").status.value
        in ("held", "eligible")
        and new_engine.statuses(p, day).stage("senior_leadership", "spnac").status.value
        not in ("held", "eligible")
    ]
    [stage] = report.changed
    assert stage.stage == "senior_leadership.spnac" and stage.lost == expected == ["W204817"]
    assert stage.before - stage.after == 1 and not stage.gained


def _materialised(directory: Path) -> Path:
    """The before-FSL library as one directory (the shipped one with the file replaced)."""
    import shutil
    import tempfile

    target = Path(tempfile.mkdtemp(prefix="impact-test-"))
    for f in SHIPPED_LIBRARY.glob("*.yaml"):
        shutil.copy(f, target / f.name)
    shutil.copy(directory / "senior_leadership.yaml", target / "senior_leadership.yaml")
    return target


def test_csv_and_json_outputs(db: str) -> None:
    args = (
        str(BEFORE),
        str(SHIPPED_LIBRARY),
        "--as-of",
        "2010-04-01",
        "--db",
        db,
        "--workers",
        "1",
    )
    code, out = run(*args, "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out[out.index("stage,") :])))
    assert {r["characteristic"] for r in rows} == {"ethnicity", "gender"}
    assert all(r["stage"] == "senior_leadership.spnac" for r in rows)
    assert sum(r["lost"] == "<5" for r in rows) == 2  # the one loser, by ethnicity and gender
    code, out = run(*args, "--format", "json")
    body = json.loads(out[out.index("{") :])
    assert body["stages"][0]["lost_examples"] == ["W204817"] and body["people"] == 151


def test_same_rules_and_bad_versions(db: str) -> None:
    code, out = run(str(SHIPPED_LIBRARY), str(SHIPPED_LIBRARY), "--db", db)
    assert code == 0 and "nobody is affected" in out
    code, out = run("deadbeef", str(SHIPPED_LIBRARY), "--db", db)
    assert code == 2 and "pathways versions" in out and "OLD" in out
