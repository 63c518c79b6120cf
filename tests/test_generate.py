"""``pathways generate`` and the import CSV writer: counts, determinism, formats, round trip."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import select

from accreditation import Person
from accreditation.record import ITEM_SECTIONS
from cli import cli
from cli import generate as generate_module
from store import Store
from store.schema import people as people_table
from workforce.csvexport import FILES, PEOPLE_COLUMNS, SECTION_COLUMNS, write_csv
from workforce.importer import import_files
from workforce.synthetic import generate_people, generate_records

N = 60
SEED = 5


def _run(*args: str) -> Result:
    return CliRunner().invoke(cli, ["generate", *args])


def _digests(url: str) -> dict[str, str]:
    store = Store(url)
    try:
        with store.engine.connect() as conn:
            rows = conn.execute(select(people_table.c.id, people_table.c.digest)).all()
    finally:
        store.close()
    return {row.id: row.digest for row in rows}


def _read(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


# --- into a store ------------------------------------------------------------------------


def test_generate_saves_people_into_sqlite_deterministically(tmp_path: Path) -> None:
    first, second, other = (f"sqlite:///{tmp_path / name}" for name in ("a.db", "b.db", "c.db"))
    result = _run("--people", str(N), "--seed", str(SEED), "--db", first)
    assert result.exit_code == 0, result.output
    assert f"saved {N} people" in result.stdout and f"{N} created" in result.stdout
    _run("--people", str(N), "--seed", str(SEED), "--db", second)
    _run("--people", str(N), "--seed", str(SEED + 1), "--db", other)

    digests = _digests(first)
    assert len(digests) == N
    assert digests == _digests(second)  # same seed, same records
    assert digests != _digests(other)
    store = Store(first)
    try:
        assert store.count_people() == N
        assert store.get_person("W000001") == list(generate_people(2, SEED))[1]
        assert store.audit(limit=1)[0].actor == "generate"
    finally:
        store.close()

    again = _run("--people", str(N), "--seed", str(SEED), "--db", first)
    assert again.exit_code == 0 and f"{N} unchanged" in again.stdout


def test_generate_into_each_backend(db_url: str) -> None:
    result = _run("--people", "20", "--seed", str(SEED), "--db", db_url)
    assert result.exit_code == 0, result.output
    assert "20 created" in result.stdout
    store = Store(db_url)
    try:
        assert [store.get_person(p.id) for p in generate_people(20, SEED)] == list(
            generate_people(20, SEED)
        )
    finally:
        store.close()


def test_generate_uses_the_default_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'default.db'}"
    monkeypatch.setenv("PATHWAYS_DATABASE_URL", url)
    result = _run("--people", "3")
    assert result.exit_code == 0, result.output
    assert _digests(url).keys() == {p.id for p in generate_people(3, 1)}


def test_progress_goes_to_stderr(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(generate_module, "PROGRESS_EVERY", 10)
    result = _run("--people", "25", "--db", f"sqlite:///{tmp_path / 'p.db'}")
    assert result.exit_code == 0, result.output
    assert "10 of 25 people" in result.stderr and "20 of 25 people" in result.stderr
    assert "of 25 people" not in result.stdout


# --- into files --------------------------------------------------------------------------


def test_out_writes_the_import_csvs(tmp_path: Path) -> None:
    out = tmp_path / "export"
    result = _run("--people", str(N), "--seed", str(SEED), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == sorted(FILES)

    people = list(generate_people(N, SEED))
    people_rows = _read(out / "people.csv")
    assert tuple(people_rows[0]) == PEOPLE_COLUMNS
    assert [row[0] for row in people_rows[1:]] == [p.id for p in people]
    for section, columns in SECTION_COLUMNS.items():
        rows = _read(out / f"{section}.csv")
        assert tuple(rows[0]) == ("person_id", "item_id", *columns), section
        expected = [(p.id, item.id) for p in people for item in getattr(p, section)]
        assert [(row[0], row[1]) for row in rows[1:]] == expected, section
        assert f"{section}.csv" in result.stdout

    again = tmp_path / "again"
    _run("--people", str(N), "--seed", str(SEED), "--out", str(again))
    for name in FILES:
        assert (out / name).read_bytes() == (again / name).read_bytes(), name


def test_format_json_writes_json_lines_of_valid_records(tmp_path: Path) -> None:
    result = _run("--people", "25", "--seed", str(SEED), "--out", str(tmp_path), "--format", "json")
    assert result.exit_code == 0, result.output
    lines = (tmp_path / generate_module.JSON_FILE).read_text(encoding="utf-8").splitlines()
    assert [Person.model_validate_json(line) for line in lines] == list(generate_people(25, SEED))


def test_as_of_bounds_every_date(tmp_path: Path) -> None:
    result = _run("--people", "40", "--as-of", "2009-01-31", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    dates = []
    for name in FILES:
        header, *rows = _read(tmp_path / name)
        for row in rows:  # (an endorsement may expire later: that is not a date it happened)
            dates += [
                v
                for c, v in zip(header, row, strict=True)
                if c != "expires" and v[:2] in ("19", "20")
            ]
    assert dates and max(dates) <= "2009-01-31"


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--format", "json"], ["--format", "--out"]),
        (["--out", "x", "--db", "sqlite://"], ["--db", "--out"]),
        (["--people", "-1"], ["--people"]),
        (["--as-of", "2024-13-01"], ["--as-of"]),
    ],
)
def test_usage_errors_name_the_flag(args: list[str], words: list[str]) -> None:
    result = _run(*args)
    assert result.exit_code == 2
    for word in words:
        assert word in result.output


def test_unusable_database_is_a_usage_error_naming_db() -> None:
    result = _run("--people", "1", "--db", "nosuchdialect://x")
    assert result.exit_code == 2
    assert "--db" in result.stderr and "nosuchdialect" in result.stderr


def test_unwritable_out_exits_1_naming_out(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    result = _run("--people", "1", "--out", str(blocker / "sub"))
    assert result.exit_code == 1
    assert "--out" in result.stderr


def test_help_has_examples() -> None:
    result = _run("--help")
    assert result.exit_code == 0
    assert "Examples:" in result.output and "pathways generate --people" in result.output


# --- the CSV writer ----------------------------------------------------------------------


def _odd_person() -> Person:
    """Every kind of cell: None, lists, a level of 0, commas and quotes in text (a newline is
    a control character, which records refuse)."""
    return Person.model_validate(
        {
            "id": "W9",
            "kind": "officer",
            "name": 'O\'Brien, "Pat" Jr',
            "joined": "2001-02-03",
            "ranks": [
                {"id": "r1", "rank": "constable", "start": "2001-02-03", "end": "2005-01-01"},
                {"id": "r2", "rank": "sergeant", "start": "2005-01-02"},
                {"id": "r3", "rank": "inspector", "basis": "temporary", "start": "2006-01-01"},
            ],
            "postings": [
                {
                    "id": "p1",
                    "business_group": "resources",
                    "role": "response",
                    "start": "2001-02-03",
                }
            ],
            "courses": [{"id": "c1", "course": "icidp"}],
            "assessments": [
                {
                    "id": "a1",
                    "assessment": "sergeants_exam",
                    "date": "2004-01-01",
                    "outcome": "failed",
                    "assessors": ["A. One", "B. Two"],
                }
            ],
            "credentials": [
                {
                    "id": "q1",
                    "credential": "pip",
                    "level": 0,
                    "awarded": "2003-01-01",
                    "assessor": "X",
                    "revalidated": ["2008-01-01", "2013-01-01"],
                }
            ],
            "endorsements": [{"id": "e1", "endorsement": "e", "date": "2004-05-06", "by": "DI"}],
            "memberships": [{"id": "m1", "programme": "hpds", "start": "2004-01-01"}],
            "protected": {"gender": "female"},
        }
    )


def test_write_csv_cells(tmp_path: Path) -> None:
    counts = write_csv([_odd_person()], tmp_path)
    assert list(counts) == list(FILES)
    assert counts["ranks.csv"] == 3 and counts["bands.csv"] == 0
    assert _read(tmp_path / "bands.csv") == [
        ["person_id", "item_id", "band", "basis", "start", "end"]
    ]
    assert _read(tmp_path / "people.csv")[1] == [
        "W9",
        "officer",
        'O\'Brien, "Pat" Jr',
        "2001-02-03",
        "",
        "female",
        "",
    ]
    assert _read(tmp_path / "ranks.csv")[3] == [
        "W9",
        "r3",
        "inspector",
        "temporary",
        "2006-01-01",
        "",
    ]
    assert _read(tmp_path / "assessments.csv")[1][-2:] == ["failed", "A. One;B. Two"]
    assert _read(tmp_path / "credentials.csv")[1] == [
        "W9",
        "q1",
        "pip",
        "0",
        "2003-01-01",
        "X",
        "2008-01-01;2013-01-01",
    ]


def test_write_csv_writes_dicts_as_it_writes_people(tmp_path: Path) -> None:
    write_csv(generate_records(N, SEED), tmp_path / "dicts")
    write_csv(generate_people(N, SEED), tmp_path / "people")
    for name in FILES:
        assert (tmp_path / "dicts" / name).read_bytes() == (tmp_path / "people" / name).read_bytes()


def test_write_csv_names_items_without_ids_as_the_store_does(tmp_path: Path) -> None:
    person = Person.model_validate(
        {"id": "S1", "kind": "staff", "joined": "2020-01-01", "courses": [{"course": "x"}] * 2}
    )
    write_csv([person], tmp_path)
    assert [row[1] for row in _read(tmp_path / "courses.csv")[1:]] == ["courses[0]", "courses[1]"]


def test_write_csv_refuses_attributes_it_cannot_carry(tmp_path: Path) -> None:
    person = Person.model_validate(
        {"id": "S1", "kind": "staff", "joined": "2020-01-01", "attributes": {"a": "b"}}
    )
    with pytest.raises(ValueError, match="'S1' has attributes"):
        write_csv([person], tmp_path)


def test_csv_round_trip_through_the_importer(tmp_path: Path) -> None:
    people = [*generate_people(200, SEED, dt.date(2023, 3, 1)), _odd_person()]
    write_csv(people, tmp_path / "csv")
    paths = sorted((tmp_path / "csv").glob("*.csv"))
    store = Store(f"sqlite:///{tmp_path / 'r.db'}")
    try:
        report = import_files(store, paths, actor="test")
        assert report.imported and report.problems == [], report.summary()
        assert report.created == len(people) and report.rows_rejected == 0
        back = {p.id: p for p in store.iter_people()}
        assert back == {p.id: p for p in people}
        for person in people:
            assert back[person.id].model_dump() == person.model_dump(), person.id

        again = import_files(store, paths, actor="test")
        assert (again.created, again.updated, again.unchanged) == (0, 0, len(people))
        assert all(store.record_version(p.id) == 1 for p in people)
    finally:
        store.close()


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_generated_files_import_with_the_cli(tmp_path: Path, fmt: str) -> None:
    out, url = tmp_path / "out", f"sqlite:///{tmp_path / 'i.db'}"
    written = _run("--people", "30", "--seed", str(SEED), "--out", str(out), "--format", fmt)
    assert written.exit_code == 0, written.output
    imported = CliRunner().invoke(cli, ["import", str(out), "--db", url])
    assert imported.exit_code == 0, imported.output
    direct = f"sqlite:///{tmp_path / 'd.db'}"
    _run("--people", "30", "--seed", str(SEED), "--db", direct)
    assert _digests(url) == _digests(direct)


def test_item_sections_all_have_a_file() -> None:
    assert set(SECTION_COLUMNS) == set(ITEM_SECTIONS)
