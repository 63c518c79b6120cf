"""``pathways import``: CSV and JSON records into the store, all or nothing, idempotent.

Every test uses a SQLite file under ``tmp_path``. The bad-row fixtures are in
``tests/fixtures/import/`` (see its README); the sample set is ``examples/import/``.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from shipped import shipped
from sqlalchemy import select, text

from accreditation import Person
from accreditation.io import load_record
from cli import cli
from store import Store
from store.schema import people
from workforce.csvexport import write_csv
from workforce.importer import ImportReport, RowProblem, get_people, import_files
from workforce.synthetic import generate_people, generate_records

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "examples" / "import"
BAD = ROOT / "tests" / "fixtures" / "import" / "bad_rows"
CATALOGUE = shipped().catalogue


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Store]:
    """A migrated SQLite store in a file of its own."""
    store = Store(f"sqlite:///{tmp_path / 'import.db'}")
    try:
        yield store
    finally:
        store.close()


def copy(folder: Path, tmp_path: Path, name: str = "files") -> Path:
    target = tmp_path / name
    shutil.copytree(folder, target, ignore=shutil.ignore_patterns("*.md"))
    return target


def found(report: ImportReport) -> set[tuple[str, int | None, str]]:
    return {(Path(p.file).name, p.row, p.column) for p in report.problems}


def snapshot(store: Store) -> tuple[dict[str, tuple[str, int]], int]:
    """Every stored record's digest and version, and the size of the audit log."""
    with store.engine.connect() as conn:
        rows = conn.execute(select(people.c.id, people.c.digest, people.c.version)).all()
        audit = conn.execute(text("SELECT count(*) FROM audit_log")).scalar_one()
    return {r.id: (r.digest, r.version) for r in rows}, int(audit)


def rewrite(path: Path, old: str, new: str) -> None:
    content = path.read_text()
    assert old in content, f"{old!r} not in {path}"
    path.write_text(content.replace(old, new, 1))


# --- the sample -------------------------------------------------------------------------


def test_the_sample_imports_cleanly(db: Store) -> None:
    report = import_files(db, [SAMPLE], catalogue=CATALOGUE)
    assert report.problems == [] and report.warnings == [] and report.notes == []
    assert (report.created, report.updated, report.unchanged) == (5, 0, 0)
    assert report.imported and not report.aborted and len(report.files) == 9
    assert report.rows_read == sum(len(f.read_text().splitlines()) - 1 for f in report_files())
    # three people of the sample are the JSON examples, field for field
    for name in ("inspector_pip", "superintendent_spnac", "staff_analyst"):
        expected = load_record(ROOT / "examples" / f"{name}.json")
        assert db.get_person(expected.id) == expected
    priya = db.get_person("W318820")
    assert priya is not None
    assert [(r.id, r.rank, r.basis.value) for r in priya.ranks][-1] == (
        "R3",
        "inspector",
        "temporary",
    )
    assert priya.assessments[1].outcome.value == "failed"
    assert priya.assessments[3].assessors == ["Insp Hale", "Ch Insp Moore"]
    assert [str(d) for d in priya.credentials[3].revalidated] == ["2024-03-19"]
    assert priya.protected.disability == "no" and priya.memberships[1].end is None
    robin = db.get_person("S402291")
    assert robin is not None and len(robin.credentials[0].revalidated) == 2
    with db.transaction() as conn:
        assert set(get_people(["W318820", "S402291", "NOBODY"], conn)) == {"W318820", "S402291"}


def report_files() -> list[Path]:
    return sorted(SAMPLE.glob("*.csv"))


# --- bad rows ---------------------------------------------------------------------------


def test_every_bad_row_is_reported_with_file_row_column_and_reason(db: Store) -> None:
    report = import_files(db, [BAD])
    messages = {(Path(p.file).name, p.row, p.column): p.message for p in report.problems}
    assert messages == {
        ("people.csv", 3, "kind"): "'constable' is not one of officer, staff",
        ("ranks.csv", 3, "start"): "expected a date like 2020-04-01 (YYYY-MM-DD), got "
        "'2019-02-30' (day is out of range for month)",
        ("ranks.csv", 4, "end"): "'end' (2022-01-01) is before 'start' (2023-03-01): "
        "correct one of the dates",
        ("ranks.csv", 5, "item_id"): "duplicate item_id 'R1' for W1: also on row 2; "
        "give each item its own id",
        ("postings.csv", 3, "person_id"): "unknown person 'W9': not in people.csv (nor in a "
        "JSON record) of this import, nor in the database; add their row to people.csv, or "
        "correct the person_id",
        ("postings.csv", 4, "role"): "missing (required): give a role id",
        ("bands.csv", 3, "person_id"): f"W1 is a police officer ({BAD / 'people.csv'} row 2), "
        "who hold ranks, not bands: put this row in ranks.csv, or correct their kind",
    }
    assert all(p.file.startswith(str(BAD)) for p in report.problems)
    assert report.problems[0].format().startswith(f"{BAD / 'bands.csv'}:3: person_id: W1 is")
    assert report.aborted and not report.imported and report.bad_rows == 7
    assert report.summary() == (
        "nothing imported: 7 bad rows; fix them, or use --skip-bad-rows to import the rest"
    )


def test_a_file_with_one_bad_row_imports_nothing(db: Store, tmp_path: Path) -> None:
    before = Person.model_validate(
        {
            "id": "W100234",
            "kind": "officer",
            "joined": "2012-09-03",
            "ranks": [{"id": "R1", "rank": "constable", "start": "2012-09-03"}],
        }
    )
    db.save_people([before], actor="setup")
    state = snapshot(db)
    files = copy(SAMPLE, tmp_path)
    rewrite(
        files / "memberships.csv",
        "S402291,M1,promoting_difference,2019-04-01",
        "S402291,M1,promoting_difference,2019-04-31",
    )
    report = import_files(db, [files])
    assert found(report) == {("memberships.csv", 4, "start")}
    assert report.aborted and not report.imported
    assert (report.created, report.updated, report.unchanged) == (0, 0, 0)
    assert snapshot(db) == state and db.count_people() == 1
    assert db.get_person("W100234") == before  # the stored record is as it was
    assert not list(files.glob("*.rejects.*"))


def test_skip_bad_rows_imports_the_rest_and_writes_reject_files(db: Store, tmp_path: Path) -> None:
    files = copy(BAD, tmp_path)
    report = import_files(db, [files], skip_bad_rows=True)
    assert report.imported and not report.aborted
    assert (report.created, report.updated, report.unchanged) == (2, 0, 0)
    assert report.rows_read == 13 and report.rows_rejected == 8 and report.bad_rows == 7
    assert report.notes == [
        f"W2: none of their rows were imported, because {files / 'people.csv'} row 3 is bad "
        "(1 good row set aside with it)"
    ]
    assert report.summary() == (
        "imported 2 people (2 new, 0 updated, 0 unchanged) from 4 files; 8 rows rejected"
    )
    officer, staff = db.get_person("W1"), db.get_person("S3")
    assert officer is not None and staff is not None and db.get_person("W2") is None
    assert [r.id for r in officer.ranks] == ["R1"] and [p.id for p in officer.postings] == ["P1"]
    assert officer.bands == [] and officer.protected.disability == "no"
    assert [b.id for b in staff.bands] == ["B1"] and staff.postings == []
    assert sorted(Path(f).name for f in report.reject_files) == [
        "bands.rejects.csv",
        "people.rejects.csv",
        "postings.rejects.csv",
        "ranks.rejects.csv",
    ]

    def rejects(name: str) -> list[dict[str, str]]:
        with (files / f"{name}.rejects.csv").open(newline="") as fh:
            return list(csv.DictReader(fh))

    ranks = rejects("ranks")
    with (files / "ranks.csv").open(newline="") as fh:
        original = list(csv.DictReader(fh))
    assert [{k: v for k, v in r.items() if k != "error"} for r in ranks] == original[1:]
    assert [r["error"] for r in ranks] == [
        "start: expected a date like 2020-04-01 (YYYY-MM-DD), got '2019-02-30' "
        "(day is out of range for month)",
        "end: 'end' (2022-01-01) is before 'start' (2023-03-01): correct one of the dates",
        "item_id: duplicate item_id 'R1' for W1: also on row 2; give each item its own id",
        f"not imported: W2's own row ({files / 'people.csv'} row 3) has a problem",
    ]
    assert [(r["person_id"], r["error"]) for r in rejects("people")] == [
        ("W2", "kind: 'constable' is not one of officer, staff")
    ]
    assert [r["person_id"] for r in rejects("postings")] == ["W9", "S3"]
    assert [r["person_id"] for r in rejects("bands")] == ["W1"]
    assert list(rejects("bands")[0]) == [
        "person_id",
        "item_id",
        "band",
        "basis",
        "start",
        "end",
        "error",
    ]

    # fix the reject files (the rows still bad stay there) and import them
    rewrite(files / "people.rejects.csv", "W2,constable", "W2,officer")
    rewrite(files / "ranks.rejects.csv", "2019-02-30", "2019-03-01")
    lines = (files / "ranks.rejects.csv").read_text().splitlines(keepends=True)
    (files / "ranks.rejects.csv").write_text("".join(x for x in lines if "'R1' for W1" not in x))
    again = import_files(
        db, [files / "people.rejects.csv", files / "ranks.rejects.csv"], skip_bad_rows=True
    )
    assert (again.created, again.updated, again.rows_rejected) == (1, 1, 1)
    assert found(again) == {("ranks.rejects.csv", 3, "end")}  # the error column is ignored
    w1, w2 = db.get_person("W1"), db.get_person("W2")
    assert w1 is not None and [r.id for r in w1.ranks] == ["R1", "R2"]
    assert w2 is not None and [r.id for r in w2.ranks] == ["R1"]
    assert [r["item_id"] for r in rejects("ranks")] == ["R3"]  # only the row still bad
    assert not (files / "people.rejects.csv").exists()  # every row of it was imported
    assert again.notes == [f"{files / 'people.rejects.csv'}: every row imported, so it was removed"]


def test_problems_with_a_whole_file_are_never_skipped(db: Store, tmp_path: Path) -> None:
    files = copy(SAMPLE, tmp_path)
    rewrite(
        files / "ranks.csv",
        "person_id,item_id,rank,basis,start,end",
        "person_id,item_id,rnak,basis,start,end,grade",
    )
    (files / "extra.csv").write_text("who,what\nW1,x\n")
    report = import_files(db, [files], skip_bad_rows=True)
    assert {(Path(p.file).name, p.row, p.column): p.message for p in report.problems} == {
        ("extra.csv", 1, ""): "cannot tell what this file holds: name it people.csv, ranks.csv, "
        "bands.csv, postings.csv, courses.csv, assessments.csv, credentials.csv, "
        "endorsements.csv, memberships.csv, mentors.csv, or give it the header of one of them "
        "(see docs/import-format.md)",
        ("ranks.csv", 1, "rnak"): "unknown column 'rnak' (did you mean 'rank'?): rename or "
        "remove it; ranks.csv has the columns person_id, item_id, rank, basis, start, end",
        ("ranks.csv", 1, "grade"): "unknown column 'grade': rename or remove it; ranks.csv has "
        "the columns person_id, item_id, rank, basis, start, end",
        ("ranks.csv", 1, "rank"): "missing required column 'rank' (a rank id): add it to the "
        "header; ranks.csv needs person_id, item_id, rank, start",
    }
    assert report.aborted and db.count_people() == 0 and report.reject_files == []
    assert "skips rows, never whole files" in report.summary()


def test_record_level_problems_are_put_on_the_row_that_caused_them(
    db: Store, tmp_path: Path
) -> None:
    import_files(db, [SAMPLE])
    state = snapshot(db)
    (tmp_path / "people.csv").write_text(
        "person_id,kind,name,joined\nW100234,staff,Sam Example (synthetic),2012-09-03\n"
    )
    (tmp_path / "courses.csv").write_text(
        "person_id,item_id,course,start,completed\nS310552,B2,icidp,2023-03-01,\n"
    )
    report = import_files(db, [tmp_path / "people.csv", tmp_path / "courses.csv"])
    assert {(Path(p.file).name, p.row, p.column): p.message for p in report.problems} == {
        ("people.csv", 2, "kind"): "W100234 has ranks in the database (e.g. 'R1'), which staff "
        "cannot hold: correct the kind, or their ranks",
        ("courses.csv", 2, "item_id"): "item id 'B2' of S310552 is also used in bands (the "
        "database): item ids must be unique within a person's record; give this item its own id",
    }
    assert snapshot(db) == state


# --- dry run, idempotence, updates ---------------------------------------------------------


def test_a_dry_run_stores_nothing_and_says_what_would_change(db: Store, tmp_path: Path) -> None:
    dry = import_files(db, [SAMPLE], dry_run=True)
    assert (dry.created, dry.updated, dry.unchanged) == (5, 0, 0) and not dry.imported
    assert dry.summary().startswith("dry run: would import 5 people (5 new")
    assert db.count_people() == 0 and snapshot(db) == ({}, 0)
    import_files(db, [SAMPLE])
    files = copy(SAMPLE, tmp_path)
    rewrite(
        files / "people.csv",
        "S402291,staff,Robin Example (synthetic)",
        "S402291,staff,Robin Changed",
    )
    state = snapshot(db)
    dry = import_files(db, [files], dry_run=True)
    assert (dry.created, dry.updated, dry.unchanged) == (0, 1, 4)
    assert snapshot(db) == state
    bad = import_files(db, [copy(BAD, tmp_path, "bad")], dry_run=True, skip_bad_rows=True)
    assert bad.rows_rejected == 8 and bad.reject_files == [] and not bad.imported
    assert not list((tmp_path / "bad").glob("*.rejects.*"))


def test_importing_the_same_files_again_changes_nothing(db: Store) -> None:
    first = import_files(db, [SAMPLE])
    state = snapshot(db)
    assert state[1] == 5  # one audit entry per new record
    second = import_files(db, [SAMPLE])
    assert (second.created, second.updated, second.unchanged) == (0, 0, 5)
    assert second.imported and snapshot(db) == state  # no new version, no audit entry
    assert first.rows_read == second.rows_read


def test_changing_one_row_changes_only_that_item(db: Store, tmp_path: Path) -> None:
    files = copy(SAMPLE, tmp_path)
    import_files(db, [files])
    before = db.get_person("W318820")
    assert before is not None
    (files / "ranks.csv").write_text(
        "person_id,item_id,rank,basis,start,end\n"
        "W318820,R3,inspector,temporary,2023-09-04,2024-02-01\n"
    )
    report = import_files(db, [files / "ranks.csv"], actor="hr-sync")
    assert (report.created, report.updated, report.unchanged) == (0, 1, 0)
    after = db.get_person("W318820")
    assert after is not None and str(after.ranks[2].end) == "2024-02-01"
    after.ranks[2].end = before.ranks[2].end
    assert after == before  # nothing else changed
    assert db.record_version("W318820") == 2 and db.record_version("W100234") == 1
    entry = db.audit("W318820", limit=1)[0]
    assert (entry.actor, entry.action, entry.after["version"]) == ("hr-sync", "record.update", 2)
    # a new item id is added at the end, the others are left alone
    (files / "courses.csv").write_text(
        "person_id,item_id,course,start,completed\nW318820,C9,springboard,2024-01-08,\n"
    )
    import_files(db, [files / "courses.csv"])
    latest = db.get_person("W318820")
    assert latest is not None and [c.id for c in latest.courses] == ["C1", "C2", "C3", "C4", "C9"]


def test_a_people_file_without_the_protected_columns_keeps_them(db: Store, tmp_path: Path) -> None:
    import_files(db, [SAMPLE])
    (tmp_path / "hr_people.csv").write_text(
        "Person_ID ,KIND,joined,name\nW318820,Officer,2016-01-11, Priya Renamed \n\n"
    )
    report = import_files(db, [tmp_path / "hr_people.csv"])
    assert report.problems == [] and report.updated == 1
    priya = db.get_person("W318820")
    assert priya is not None and priya.name == "Priya Renamed"
    assert priya.protected.ethnicity == "black" and len(priya.ranks) == 3


def test_catalogue_warnings_do_not_stop_the_import(db: Store, tmp_path: Path) -> None:
    (tmp_path / "people.csv").write_text(
        "person_id,kind,joined,ethnicity\nW7,officer,2020-01-06,White British\n"
    )
    (tmp_path / "r.csv").write_text("person_id,item_id,rank,start\nW7,R1,constible,2020-01-06\n")
    report = import_files(db, [tmp_path], catalogue=CATALOGUE)
    assert report.problems == [] and report.created == 1
    assert [(Path(w.file).name, w.row, w.column) for w in report.warnings] == [
        ("people.csv", 2, "ethnicity"),
        ("r.csv", 2, "rank"),
    ]
    assert "(did you mean 'constable'?)" in report.warnings[1].message


# --- JSON -------------------------------------------------------------------------------


def test_json_lists_and_json_lines(db: Store, tmp_path: Path) -> None:
    records = [
        json.loads((ROOT / "examples" / f"{n}.json").read_text())
        for n in ("inspector_pip", "staff_analyst")
    ]
    broken = json.loads((ROOT / "examples" / "superintendent_spnac.json").read_text())
    broken["ranks"][1]["end"] = "1990-01-01"
    listed = tmp_path / "people.json"
    listed.write_text(json.dumps([records[0], broken, records[1]], indent=2))
    report = import_files(db, [listed])
    assert report.problems == [
        RowProblem(
            str(listed),
            None,
            "[1].ranks[1].end",
            "'end' (1990-01-01) is before 'start' (1999-06-01)",
        )
    ]
    assert report.aborted and db.count_people() == 0

    lines = tmp_path / "people.jsonl"
    missing = {k: v for k, v in broken.items() if k != "joined"}
    missing["ranks"][1]["end"] = "2003-01-31"
    lines.write_text("\n".join(json.dumps(r) for r in [records[0], missing, records[1]]) + "\n")
    report = import_files(db, [lines], skip_bad_rows=True)
    assert [(p.row, p.column, p.message) for p in report.problems] == [
        (2, "joined", "missing (required)")
    ]
    assert (report.created, report.rows_rejected) == (2, 1)
    rejected = (tmp_path / "people.rejects.jsonl").read_text().splitlines()
    assert len(rejected) == 1 and json.loads(rejected[0])["error"] == "joined: missing (required)"
    # a JSON record replaces the stored one whole
    one = tmp_path / "one.json"
    one.write_text(json.dumps({**records[0], "ranks": records[0]["ranks"][:1]}))
    assert import_files(db, [one]).updated == 1
    stored = db.get_person("W100234")
    assert stored is not None and len(stored.ranks) == 1 and stored.protected.gender == "female"


# --- the command ------------------------------------------------------------------------


def test_the_command_exit_status_and_output(tmp_path: Path) -> None:
    runner = CliRunner()
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    ok = runner.invoke(cli, ["import", str(SAMPLE), "--db", url])
    assert ok.exit_code == 0, ok.output
    assert ok.output.strip().endswith(
        "imported 5 people (5 new, 0 updated, 0 unchanged) from 9 files; 0 rows rejected"
    )
    bad = copy(BAD, tmp_path)
    failed = runner.invoke(cli, ["import", str(bad), "--db", url])
    assert failed.exit_code == 1
    assert f"{bad / 'ranks.csv'}:4: end: 'end' (2022-01-01) is before" in failed.output
    assert "nothing imported: 7 bad rows; fix them, or use --skip-bad-rows" in failed.output
    skipped = runner.invoke(cli, ["import", str(bad), "--db", url, "--skip-bad-rows"])
    assert skipped.exit_code == 0, skipped.output
    assert f"rejected rows written to {bad / 'ranks.rejects.csv'}" in skipped.output
    assert "note: W2: none of their rows were imported" in skipped.output
    dry = runner.invoke(cli, ["import", str(SAMPLE), "--db", url, "--dry-run", "--format", "json"])
    assert dry.exit_code == 0
    data = json.loads(dry.output)
    assert data["people"] == {"created": 0, "updated": 0, "unchanged": 5} and not data["imported"]
    assert runner.invoke(cli, ["import", "--db", url]).exit_code == 2  # no files
    assert runner.invoke(cli, ["import", str(tmp_path / "nope.csv"), "--db", url]).exit_code == 2
    unusable = runner.invoke(cli, ["import", str(SAMPLE), "--db", "nosuchdb://x"])
    assert unusable.exit_code == 2 and "--db" in unusable.output
    env_db = tmp_path / "env.db"
    by_env = runner.invoke(
        cli,
        ["import", str(SAMPLE / "people.csv")],
        env={"PATHWAYS_DATABASE_URL": f"sqlite:///{env_db}"},
    )
    assert by_env.exit_code == 0 and env_db.exists()


# --- a kill during the import ----------------------------------------------------------------

KILLED_IMPORT = """
import sys
from workforce.importer import import_files
from store import Store
import_files(Store(sys.argv[1]), [sys.argv[2]])
print("finished")
"""


@pytest.mark.slow  # a process killed mid-import
def test_a_killed_import_leaves_the_database_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "kill.db"
    url = f"sqlite:///{path}"
    store = Store(url)
    store.save_people(generate_people(40, seed=5), actor="setup")
    state = snapshot(store)
    store.close()  # the last connection checkpoints and removes the WAL file
    wal = Path(f"{path}-wal")
    assert not wal.exists()
    files = tmp_path / "export"
    write_csv(generate_records(6000, seed=9), files)

    proc = subprocess.Popen(
        [sys.executable, "-c", KILLED_IMPORT, url, str(files)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    try:
        # the import writes into the transaction in batches; once SQLite's page cache
        # overflows, the uncommitted pages land in the WAL file: kill it then
        while proc.poll() is None and time.monotonic() < deadline:
            if wal.exists() and wal.stat().st_size > 512 * 1024:
                os.kill(proc.pid, signal.SIGKILL)
                break
            time.sleep(0.01)
    finally:
        if proc.poll() is None and time.monotonic() >= deadline:
            proc.kill()
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL, (out, err)
    assert b"finished" not in out

    again = Store(url)  # still opens (and migrates: nothing to do)
    try:
        assert snapshot(again) == state
        assert again.count_people() == 40
        with again.engine.connect() as conn:
            assert conn.execute(text("PRAGMA integrity_check")).scalar_one() == "ok"
        # and the same import, run to the end, works
        done = import_files(again, [files])
        assert done.imported and done.people == 6000 and done.problems == []
    finally:
        again.close()


def test_import_and_reimport_on_both_backends(store: Store, tmp_path: Path) -> None:
    """The importer on SQLite and PostgreSQL alike: all-or-nothing, then idempotent."""
    bad = import_files(store, [copy(BAD, tmp_path, "bad")], catalogue=CATALOGUE)
    assert bad.aborted and store.count_people() == 0
    first = import_files(store, [SAMPLE], catalogue=CATALOGUE)
    assert (first.created, first.updated, first.unchanged) == (5, 0, 0)
    state = snapshot(store)
    again = import_files(store, [SAMPLE], catalogue=CATALOGUE)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 5)
    assert snapshot(store) == state
