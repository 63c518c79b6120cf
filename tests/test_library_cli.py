"""`pathways publish`, `versions`, `rollback` and `export`, on a SQLite store."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from accreditation.io import load_record
from cli import cli
from cli.library import library_files
from pathways import SHIPPED_LIBRARY, load_library
from store import Store

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
SPNAC = EXAMPLES / "superintendent_spnac.json"


@pytest.fixture
def db(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'store.db'}"


@pytest.fixture
def edited(tmp_path: Path) -> Path:
    """The shipped library with one rule changed: SPNAC's FSL prerequisite moves to 2011."""
    library = tmp_path / "edited"
    shutil.copytree(SHIPPED_LIBRARY, library)
    senior = library / "senior_leadership.yaml"
    senior.write_text(senior.read_text().replace("2010-04-01", "2011-01-01"))
    return library


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def test_publish_checks_stores_and_activates_the_shipped_library(db: str) -> None:
    result = run(
        "publish",
        "--db",
        db,
        "--author",
        "alice",
        "--effective-date",
        "2026-04-01",
        "--note",
        "first",
    )
    assert result.exit_code == 0, result.output
    shipped = load_library([SHIPPED_LIBRARY])
    assert result.stdout.strip() == shipped.digest  # stdout: the digest alone
    assert "now active" in result.stderr
    store = Store(db)
    try:
        version = store.active_library()
        assert version is not None
        assert version.digest == shipped.digest and version.author == "alice"
        assert version.files == library_files(SHIPPED_LIBRARY)
        assert "catalogue.yaml" in version.files and str(version.effective_date) == "2026-04-01"
        assert (version.name, version.note) == (shipped.catalogue.name, "first")
        assert store.audit(target=shipped.digest)[-1].action == "library.publish"
    finally:
        store.close()
    again = run("publish", "--db", db, "--author", "bob")
    assert again.exit_code == 0 and "already stored" in again.stderr
    assert again.stdout.strip() == shipped.digest


def test_the_database_defaults_to_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATHWAYS_DATABASE_URL", f"sqlite:///{tmp_path / 'env.db'}")
    assert run("publish", "--author", "alice").exit_code == 0
    listed = run("versions", "--format", "json")
    assert listed.exit_code == 0 and len(json.loads(listed.stdout)) == 1
    assert (tmp_path / "env.db").exists()


def test_a_library_with_errors_is_not_published(db: str, tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    shutil.copytree(SHIPPED_LIBRARY, broken)
    fsl = broken / "fsl.yaml"
    fsl.write_text(fsl.read_text().replace("name:", "nmae:", 1))
    result = run("publish", str(broken), "--db", db)
    assert result.exit_code == 1
    assert "unknown field 'nmae'" in result.stderr and "not published" in result.stderr
    assert result.stdout == ""
    listed = run("versions", "--db", db)
    assert listed.exit_code == 0 and "no library versions stored" in listed.stdout


def test_versions_and_rollback(db: str, edited: Path) -> None:
    first = run("publish", "--db", db, "--author", "alice").stdout.strip()
    second = run("publish", str(edited), "--db", db, "--author", "bob").stdout.strip()
    assert first != second
    listed = run("versions", "--db", db)
    assert listed.exit_code == 0
    lines = listed.stdout.splitlines()
    assert lines[0].split() == [
        "digest",
        "name",
        "author",
        "approver",
        "published",
        "(UTC)",
        "decides",
        "note",
    ]
    assert lines[1].startswith(f"*  {second[:12]}") and " bob " in lines[1]
    assert "every date" in lines[1]
    assert lines[2].startswith(f"   {first[:12]}") and " alice " in lines[2]
    assert "not in force" in lines[2]

    assert run("rollback", first[:8], "--db", db).exit_code == 2  # no reason
    asked = CliRunner().invoke(
        cli, ["rollback", first[:8], "--db", db, "--reason", "bob's broke PIP"], input="n\n"
    )
    assert (
        asked.exit_code == 1 and "roll back?" in asked.output and "not rolled back" in asked.output
    )
    result = CliRunner().invoke(
        cli,
        ["rollback", first[:8], "--db", db, "--actor", "carol", "--reason", "bob's broke PIP"],
        input="y\n",
    )
    assert result.exit_code == 0, result.output
    assert f"in force on every date: {first[:12]}" in result.stdout
    assert f"(was {second[:12]})" in result.stdout
    data = json.loads(run("versions", "--db", db, "--format", "json").stdout)
    assert [(v["digest"], v["active"]) for v in data] == [(second, False), (first, True)]
    again = run("rollback", first, "--db", db, "--reason", "again", "--yes")
    assert again.exit_code == 0 and "is in force on every date" in again.stdout
    store = Store(db)
    try:
        entry, reason = store.audit(limit=2)
        assert (entry.action, entry.actor, entry.before, entry.after) == (
            "library.activate",
            "carol",
            second,
            first,
        )
        assert (reason.action, reason.after["reason"]) == ("library.rollback", "bob's broke PIP")
    finally:
        store.close()

    unknown = run("rollback", "ffff0000", "--db", db, "--reason", "x", "--yes")
    assert unknown.exit_code == 1
    assert "no library version starts with 'ffff0000'" in unknown.stderr
    assert "pathways versions" in unknown.stderr
    assert run("rollback", "", "--db", db, "--reason", "x").exit_code == 2


def test_an_unusable_database_is_a_usage_error_naming_the_flag(tmp_path: Path) -> None:
    not_a_db = tmp_path / "notes.txt"
    not_a_db.write_text("not a database\n" * 100)
    for args in (
        ["versions"],
        ["export", "W1"],
        ["rollback", "ab", "--reason", "x", "--yes"],
        ["publish"],
    ):
        result = run(*args, "--db", f"sqlite:///{not_a_db}")
        assert result.exit_code == 2, (args, result.output)
        assert "--db" in result.output and "cannot prepare database" in result.output


def _save_example(db: str) -> str:
    store = Store(db)
    try:
        person = load_record(SPNAC)
        store.save_people([person], actor="test")
        return person.id
    finally:
        store.close()


def test_export_prints_the_stored_record(db: str) -> None:
    person_id = _save_example(db)
    result = run("export", person_id, "--db", db)
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout)
    assert record == load_record(SPNAC).model_dump(mode="json")
    assert record["protected"] == load_record(SPNAC).protected.model_dump()


def test_export_of_an_unknown_id_fails_clearly(db: str) -> None:
    _save_example(db)
    result = run("export", "W999999", "--db", db)
    assert result.exit_code == 1
    assert "no record with id 'W999999'" in result.stderr and "--db" in result.stderr
    assert result.stdout == ""


def test_export_with_decision_uses_the_active_stored_version(db: str, edited: Path) -> None:
    person_id = _save_example(db)
    args = ("export", person_id, "--db", db, "--decision", "--as-of", "2010-06-01")

    def spnac(result: Result) -> tuple[str, str]:
        assert result.exit_code == 0, result.output
        data = json.loads(result.stdout)
        assert set(data) == {"record", "decision"} and data["record"]["id"] == person_id
        decision = data["decision"]
        assert decision["person"] == person_id and decision["as_of"] == "2010-06-01"
        status = next(s["status"] for s in decision["stages"] if s["stage"] == "spnac")
        return decision["library_version"], status

    shipped = load_library([SHIPPED_LIBRARY]).digest
    unpublished = run(*args)  # nothing published yet: the shipped library, and it says so
    assert spnac(unpublished) == (shipped, "not_eligible")
    assert "shipped library" in unpublished.stderr

    assert run("publish", "--db", db).exit_code == 0
    new = run("publish", str(edited), "--db", db).stdout.strip()
    assert new != shipped
    with_new = run(*args)  # the active version's rules: the prerequisite is not in force yet
    assert spnac(with_new) == (new, "eligible")
    assert f"active library version {new[:12]}" in with_new.stderr

    assert run("rollback", shipped[:10], "--db", db, "--reason", "back", "--yes").exit_code == 0
    assert spnac(run(*args)) == (shipped, "not_eligible")


def test_as_of_without_decision_is_a_usage_error(db: str) -> None:
    result = run("export", "W1", "--db", db, "--as-of", "2010-01-01")
    assert result.exit_code == 2 and "--decision" in result.output


def test_publish_rollback_and_export_on_each_backend(db_url: str, edited: Path) -> None:
    """The same commands against PostgreSQL (and SQLite): see conftest's ``db_url``."""
    person_id = _save_example(db_url)
    first = run("publish", "--db", db_url, "--author", "Zoë").stdout.strip()
    second = run("publish", str(edited), "--db", db_url).stdout.strip()
    assert run("rollback", first[:6], "--db", db_url, "--reason", "back", "--yes").exit_code == 0
    listed = json.loads(run("versions", "--db", db_url, "--format", "json").stdout)
    assert [(v["digest"], v["active"]) for v in listed] == [(second, False), (first, True)]
    assert listed[1]["author"] == "Zoë" and listed[1]["published_at"].endswith("+00:00")
    result = run("export", person_id, "--db", db_url, "--decision", "--as-of", "2010-06-01")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["record"] == load_record(SPNAC).model_dump(mode="json")
    assert data["decision"]["library_version"] == first
