"""Issue 14, items 3 and 12: ids that could never be read again, control characters, and
dates far outside a working life are refused where they come in (API bodies and paths,
CSV and JSON imports, query parameters, forms, what-if items, the CLI), each as a 4xx that
names the field, never a 500 and never half-stored."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from hardening import bearer, csrf_of, sign_in

from cli import cli
from store import Store
from web.app import create_app
from web.testing import Seeded, seed
from workforce.importer import import_files

#: Ids that main accepted and then could not read, change or delete (or that break a
#: response header, or run as a spreadsheet formula).
BAD_IDS = ["W1/2", "W1?x", "W1#x", "W1\r\nX-Evil: 1", "W1\x00", "=2+3", " W1", "W1 x", "é1", ""]
OUT_OF_RANGE = ["0001-01-01", "1899-12-31", "2201-01-01", "9999-12-31"]


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Seeded:
    return seed(f"sqlite:///{tmp_path_factory.mktemp('hardening-input') / 'web.db'}")


@pytest.fixture(scope="module")
def client(seeded: Seeded) -> Iterator[TestClient]:
    with TestClient(
        create_app(seeded.url, workers=1, four_eyes=False),
        follow_redirects=False,
        raise_server_exceptions=False,
    ) as c:
        yield c


def _fields(response: object) -> set[str]:
    body = response.json()  # type: ignore[attr-defined]
    return {e["field"] for e in body.get("errors", [])}


# --- item 3: unreachable records ---------------------------------------------------------


@pytest.mark.parametrize("bad", BAD_IDS)
def test_an_id_that_could_not_be_used_again_is_refused_by_the_api(
    client: TestClient, seeded: Seeded, bad: str
) -> None:
    hr = bearer(seeded, "hr")
    before = Store(seeded.url).count_people()
    r = client.post(
        "/api/people", json={"id": bad, "kind": "officer", "joined": "2020-01-06"}, headers=hr
    )
    assert r.status_code == 422, r.text
    assert "body.id" in _fields(r)
    assert "\r" not in r.headers.get("location", "")
    assert Store(seeded.url).count_people() == before  # validated before storing


def test_a_path_id_follows_the_same_rule(client: TestClient, seeded: Seeded) -> None:
    hr = bearer(seeded, "hr")
    for bad in ("W1\r\nX", "=2+3", "W1 x"):
        r = client.get(f"/api/people/{quote(bad, safe='')}", headers=hr)
        assert r.status_code == 422, (bad, r.status_code)
        assert "path.person_id" in _fields(r)


def test_control_characters_are_refused_in_every_text_field(
    client: TestClient, seeded: Seeded
) -> None:
    hr = bearer(seeded, "hr")
    record = {
        "id": "W777001",
        "kind": "officer",
        "name": "Sam\x00",
        "joined": "2020-01-06",
        "ranks": [{"id": "r\n1", "rank": "constable", "start": "2020-01-06"}],
        "protected": {"ethnicity": "x\x1b[31m"},
        "attributes": {"note": "a\rb"},
    }
    r = client.post("/api/people", json=record, headers=hr)
    assert r.status_code == 422
    assert {
        "body.name",
        "body.ranks[0].id",
        "body.protected.ethnicity",
        "body.attributes.note",
    } <= _fields(r)


def _write(folder: Path, people: str, ranks: str = "") -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "people.csv").write_text(people, encoding="utf-8")
    files = [folder / "people.csv"]
    if ranks:
        (folder / "ranks.csv").write_text(ranks, encoding="utf-8")
        files.append(folder / "ranks.csv")
    return files


def test_the_csv_import_names_the_row_and_column_of_a_bad_id_or_control_character(
    db_url: str, tmp_path: Path
) -> None:
    """On PostgreSQL (which refuses NUL in text) as on SQLite: every row is checked before
    anything is stored, so the import never fails half-way."""
    people = "person_id,kind,name,joined\nW1,officer,Ann,2020-01-06\n"
    people += "".join(
        f'"{bad}",officer,x,2020-01-06\n' for bad in BAD_IDS if bad and '"' not in bad
    )
    people += 'W2,officer,"Bo\x00b",2020-01-06\nW3,officer,Cy,0001-01-01\n'
    ranks = "person_id,item_id,rank,start\nW1,R\x001,constable,2020-01-06\n"
    store = Store(db_url)
    try:
        report = import_files(store, _write(tmp_path / "in", people, ranks))
        found = {(Path(p.file).name, p.row, p.column) for p in report.problems}
        # A row's number is the line it starts on (a quoted cell may hold a line break).
        rows, line = [], 3
        for bad in (b for b in BAD_IDS if b and '"' not in b):
            rows.append(line)
            line += 1 + bad.count("\n")
        for row in rows:
            assert ("people.csv", row, "person_id") in found, (row, found)
        assert ("people.csv", line, "name") in found
        assert ("people.csv", line + 1, "joined") in found
        assert ("ranks.csv", 2, "item_id") in found
        assert not report.imported and store.count_people() == 0
        # With --skip-bad-rows the good rows go in and nothing fails in the database.
        skipped = import_files(store, _write(tmp_path / "in2", people, ranks), skip_bad_rows=True)
        assert skipped.imported and store.count_people() == 1
    finally:
        store.close()


def test_the_json_import_refuses_the_same_ids(db_url: str, tmp_path: Path) -> None:
    path = tmp_path / "people.jsonl"
    lines = [json.dumps({"id": bad, "kind": "officer", "joined": "2020-01-06"}) for bad in BAD_IDS]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    store = Store(db_url)
    try:
        report = import_files(store, [path])
        assert {(p.row, p.column) for p in report.problems} == {
            (i + 1, "id") for i in range(len(BAD_IDS))
        }
        assert store.count_people() == 0
    finally:
        store.close()


# --- item 12: dates out of range, and the 500s ----------------------------------------------


@pytest.mark.parametrize("day", OUT_OF_RANGE)
def test_what_if_with_a_date_out_of_range_is_a_422_not_a_500(
    client: TestClient, seeded: Seeded, day: str
) -> None:
    officer = bearer(seeded, "officer")
    url = f"/api/people/{seeded.officer}/what-if"
    r = client.post(url, json={"add": [f"rank:commissioner@{day}"]}, headers=officer)
    assert r.status_code == 422, r.text
    assert "body.add[0]" in _fields(r)
    r = client.post(url, json={"add": ["course:x@2020-01-01"], "as_of": day}, headers=officer)
    assert r.status_code == 422 and "body.as_of" in _fields(r)


@pytest.mark.parametrize("day", OUT_OF_RANGE)
def test_every_date_parameter_refuses_a_date_out_of_range(
    client: TestClient, seeded: Seeded, day: str
) -> None:
    hr = bearer(seeded, "hr")
    r = client.get(f"/api/people/{seeded.officer}/decisions?as_of={day}", headers=hr)
    assert r.status_code == 422 and "query.as_of" in _fields(r)
    r = client.post(
        "/api/people", json={"id": "W888001", "kind": "officer", "joined": day}, headers=hr
    )
    assert r.status_code == 422 and "body.joined" in _fields(r)
    r = client.post(
        "/api/library/publish",
        json={"name": "x.yaml", "text": "x", "effective_date": day},
        headers=hr,
    )
    assert r.status_code == 422 and "body.effective_date" in _fields(r)
    page = TestClient(client.app, follow_redirects=False)
    sign_in(page, "hr")
    assert page.get(f"/people/{seeded.officer}?as_of={day}").status_code == 422
    assert page.get(f"/reports/pipeline?as_of={day}").status_code == 422
    token = csrf_of(page.get(f"/people/{seeded.officer}/what-if").text)
    for form in (
        {"more": f"rank:commissioner@{day}"},
        {"more": "course:x@2020-01-01", "as_of": day},
    ):
        r = page.post(f"/people/{seeded.officer}/what-if", data={"csrf_token": token, **form})
        assert r.status_code == 422, form
        assert "outside the dates" in r.text or "is not a date" in r.text, form


def test_the_cli_refuses_a_date_out_of_range(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["eligibility", "examples/inspector_pip.json", "--as-of", "0001-01-01"]
    )
    assert result.exit_code == 2 and "outside the dates" in result.output
