"""``pathways impact`` and the impact computation, on a small store with a known case:
the FSL -> Senior PNAC rule introduction (examples/impact/before_fsl vs the shipped library)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

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


@pytest.mark.slow  # a stored workforce decided under two libraries
def test_the_fsl_rule_introduction_loses_spnac_for_the_superintendent_without_fsl(
    db: str,
) -> None:
    code, out = run(
        str(BEFORE), str(SHIPPED_LIBRARY), "--as-of", "2010-04-01", "--db", db, "--workers", "1"
    )
    assert code == 0, out
    assert "[senior_leadership.spnac]:" in out and "0 gain, 1 lose" in out
    assert "lose, e.g.: W204817" in out
    assert "by ethnicity" in out and "by gender" in out and "by disability" in out
    # one person lost it: every cell that shows that one is hidden
    assert "[c]" in out


@pytest.mark.slow  # a stored workforce decided under two libraries
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
    report = impact(*runs, load_library([BEFORE], SHIPPED_LIBRARY), load_library([SHIPPED_LIBRARY]))
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


@pytest.mark.slow  # impact of a change over a stored workforce, twice
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
    assert {r["characteristic"] for r in rows} == {"ethnicity", "gender", "disability"}
    assert all(r["stage"] == "senior_leadership.spnac" for r in rows)
    for characteristic in ("ethnicity", "gender", "disability"):
        table = [r for r in rows if r["characteristic"] == characteristic]
        if table[0]["note"].startswith("not shown"):  # everyone in the pool in one group
            assert len(table) == 1 and not table[0].get("group")
            continue
        assert [r["lost"] for r in table if r["group"] == "all"] == ["1"]  # the total: public
        losers = [r for r in table if r["group"] != "all" and r["lost"] not in ("0", "")]
        assert losers and all(r["lost"] == "[c]" for r in losers)  # the one loser's groups
    code, out = run(*args, "--format", "json")
    body = json.loads(out[out.index("{") :])
    assert body["stages"][0]["lost_examples"] == ["W204817"] and body["people"] == 151


def test_same_rules_and_bad_versions(db: str) -> None:
    code, out = run(str(SHIPPED_LIBRARY), str(SHIPPED_LIBRARY), "--db", db)
    assert code == 0 and "nobody is affected" in out
    code, out = run("deadbeef", str(SHIPPED_LIBRARY), "--db", db)
    assert code == 2 and "pathways versions" in out and "OLD" in out


# --- a change that adds or removes a pathway or a stage (issue 13, section 2) ------------------

DAY = dt.date(2024, 6, 1)
MENTORING = """
pathway:
  id: mentoring
  name: Sergeant mentoring scheme
  source: "illustrative: a test pathway"
  stages:
    - id: mentor
      name: Sergeant mentor
      entry: true
      requires:
        - reached: promotion.sergeant
        - served: {in: current_rank, at_least_months: 24}
"""


def _library(tmp: Path, name: str, edit: Callable[[Path], None]) -> Path:
    """The shipped library copied to ``tmp/name`` and changed by ``edit``."""
    import shutil

    target = tmp / name
    shutil.copytree(SHIPPED_LIBRARY, target, ignore=shutil.ignore_patterns("*.pyc"))
    edit(target)
    return target


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _add_pathway(d: Path) -> None:
    (d / "mentoring.yaml").write_text(MENTORING, encoding="utf-8")


def _remove_pathway(d: Path) -> None:
    (d / "analyst.yaml").unlink()


def _add_stage(d: Path) -> None:
    _replace(
        d / "fsl.yaml",
        "  progressions:",
        "    - id: stage_4\n      name: FSL stage 4\n      requires:\n"
        "        - reached: stage_3\n\n  progressions:\n    - {from: stage_3, to: stage_4}",
    )


def _remove_stage(d: Path) -> None:
    path = d / "promotion.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("    - id: hpds")
    end = text.index("  progressions:")
    text = text[:start] + text[end:]
    text = text.replace("    - {from: constable, to: hpds}\n", "")
    text = text.replace("    - {from: sergeant, to: hpds}\n", "")
    path.write_text(text, encoding="utf-8")


def _change_rule(d: Path) -> None:  # the sergeant board is no longer needed
    _replace(d / "promotion.yaml", "passed: sergeant_promotion_board", "passed: sergeants_exam")


CHANGES: dict[str, tuple[Callable[[Path], None], dict[str, str]]] = {
    "add a pathway": (_add_pathway, {"mentoring.mentor": "added"}),
    "remove a pathway": (
        _remove_pathway,
        {f"analyst.{s}": "removed" for s in ("researcher", "intelligence_analyst")},
    ),
    "add a stage": (_add_stage, {"fsl.stage_4": "added"}),
    "remove a stage": (_remove_stage, {"promotion.hpds": "removed"}),
    "change one rule": (_change_rule, {"promotion.sergeant": "changed"}),
}


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, list[Any]]:
    url = f"sqlite:///{tmp_path_factory.mktemp('change') / 'change.db'}"
    people = list(generate_people(160, seed=11))
    store = Store(url)
    store.save_people(people, actor="test")
    store.close()
    return url, people


def _expected(people: list[Any], old: Any, new: Any) -> dict[str, tuple[set[str], set[str]]]:
    """(gained, lost) per stage, by deciding each person with the engine directly."""
    keys = {f"{p.id}.{s.id}" for lib in (old, new) for p, s in lib.stages()}
    engines = Evaluator(old), Evaluator(new)
    has: dict[str, list[set[str]]] = {k: [set(), set()] for k in keys}
    for person in people:
        for side, engine in enumerate(engines):
            for s in engine.statuses(person, DAY).stages:
                if s.status.value in ("held", "eligible"):
                    has[f"{s.pathway}.{s.stage}"][side].add(person.id)
    return {k: (new_has - old_has, old_has - new_has) for k, (old_has, new_has) in has.items()}


@pytest.mark.slow  # a workforce decided under two libraries, per change
@pytest.mark.parametrize("change", list(CHANGES))
def test_a_change_is_compared_like_for_like(
    change: str, small: tuple[str, list[Any]], tmp_path: Path
) -> None:
    url, people = small
    edit, kinds = CHANGES[change]
    new_dir = _library(tmp_path, "new", edit)
    old_lib, new_lib = load_library([SHIPPED_LIBRARY]), load_library([new_dir])
    changed = changed_pathways(old_lib, new_lib)
    store = Store(url)
    try:
        runs = [
            evaluate_population(
                store, [d], DAY, workers=1, pathways=[p for p in changed if p in lib.pathways]
            )
            for d, lib in ((SHIPPED_LIBRARY, old_lib), (new_dir, new_lib))
        ]
    finally:
        store.close()
    report = impact(*runs, old_lib, new_lib)
    expected = _expected(people, old_lib, new_lib)
    by_key = {s.stage: s for s in report.stages}
    for key, kind in kinds.items():
        assert by_key[key].change == kind, key
    for key, (gained, lost) in expected.items():
        if key.split(".")[0] not in changed:
            assert key not in by_key  # an unchanged pathway is not even decided
            continue
        stage = by_key[key]
        assert set(stage.gained) == gained and set(stage.lost) == lost, key
        if stage.change == "added":
            assert stage.before is None and not stage.lost
        if stage.change == "removed":
            assert stage.after is None and not stage.gained
    # something really changed, and the equality tables add up to the stage's gains/losses
    assert report.changed
    for stage in report.changed:
        for table in stage.equality:
            everyone = table.rows[-1]
            assert everyone.group.id == "all"
            assert (everyone.gained, everyone.lost) == (len(stage.gained), len(stage.lost))


@pytest.mark.slow  # two population runs through the command
def test_adding_a_pathway_on_the_command_line(small: tuple[str, list[Any]], tmp_path: Path) -> None:
    """Was: RuntimeError 'a worker decided other stages than this run's' (old side decided
    every pathway); on the web page, every existing stage 'lost by everyone'."""
    url, _ = small
    new_file = tmp_path / "mentoring.yaml"
    new_file.write_text(MENTORING, encoding="utf-8")
    code, out = run(
        str(SHIPPED_LIBRARY), str(new_file), "--as-of", str(DAY), "--db", url, "--workers", "1"
    )
    assert code == 0, out
    assert "stages new in this version: mentoring.mentor" in out
    assert (
        "Sergeant mentor (Sergeant mentoring scheme) [mentoring.mentor]: new in this version" in out
    )
    assert "analyst" not in out and "-> 0 have it" not in out
    code, out = run(
        str(SHIPPED_LIBRARY),
        str(new_file),
        "--as-of",
        str(DAY),
        "--db",
        url,
        "--workers",
        "1",
        "--format",
        "json",
    )
    body = json.loads(out[out.index("{") :])
    assert body["added"] == ["mentoring.mentor"] and body["removed"] == []
    [stage] = body["stages"]
    assert stage["change"] == "added" and stage["before"] is None and stage["lost"] == 0
