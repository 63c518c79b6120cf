"""Warnings are never dropped: a what-if with an id the catalogue does not know, and a
record written through the API with a misspelt rank or an impossible date, are warned
about (with "did you mean") wherever they are made: command line, web page and API.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from api_kit import auth
from click.testing import CliRunner
from fastapi.testclient import TestClient

from cli import cli
from web.testing import PASSWORD, Seeded

SPNAC = str(Path(__file__).resolve().parents[1] / "examples" / "superintendent_spnac.json")
MISSPELT = "passed:sergents_exam@2011-03-01"
GUESS = "did you mean 'sergeants_exam'?"


# --- what if ---------------------------------------------------------------------------------


def test_whatif_on_the_command_line_warns_and_never_just_says_no_changes() -> None:
    result = CliRunner().invoke(cli, ["whatif", SPNAC, "--add", MISSPELT])
    assert result.exit_code == 0, result.output
    assert "warning:" in result.output and GUESS in result.output
    assert "No stage changes.\n" not in result.output
    assert "No stage changes, but an added item could not change anything" in result.output


def test_whatif_json_carries_the_warnings() -> None:
    result = CliRunner().invoke(cli, ["whatif", SPNAC, "--add", MISSPELT, "--format", "json"])
    body = json.loads(result.output)
    assert body["changes"] == []
    assert len(body["warnings"]) == 1 and GUESS in body["warnings"][0]


def test_whatif_with_known_ids_has_no_warnings() -> None:
    result = CliRunner().invoke(
        cli, ["whatif", SPNAC, "--add", "course:fsl_stage_3@2011-03-01", "--format", "json"]
    )
    assert json.loads(result.output)["warnings"] == []


def _signed_in(client: TestClient, username: str) -> tuple[TestClient, str]:
    c = TestClient(client.app)

    def token(page: str) -> str:
        found = re.search(r'name="csrf_token" value="([^"]+)"', page)
        assert found
        return found[1]

    c.post(
        "/login",
        data={
            "username": username,
            "password": PASSWORD,
            "csrf_token": token(c.get("/login").text),
        },
    )
    return c, token(c.get("/account").text)


def test_whatif_page_warns_with_did_you_mean(client: TestClient, seeded: Seeded) -> None:
    browser, csrf = _signed_in(client, seeded.officer)
    r = browser.post(
        f"/people/{seeded.officer}/what-if",
        data={"csrf_token": csrf, "more": "passed:sergents_exam@2027-03-01"},
    )
    assert r.status_code == 200, r.text
    assert 'id="whatif-warnings"' in r.text and 'role="alert"' in r.text
    assert "did you mean &#39;sergeants_exam&#39;?" in r.text or GUESS in r.text
    assert "by these items.</p>" not in r.text  # never "nothing changes" on its own
    assert "an item as entered was not tried" in r.text


def test_whatif_api_warns_with_did_you_mean(client: TestClient, seeded: Seeded) -> None:
    r = client.post(
        f"/api/people/{seeded.officer}/what-if",
        json={"add": ["passed:sergents_exam@2027-03-01"]},
        headers=auth(seeded, "officer"),
    )
    assert r.status_code == 200, r.text
    assert any(GUESS in w for w in r.json()["warnings"])


# --- records written through the API ---------------------------------------------------------


def _record(person_id: str, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": person_id,
        "kind": "officer",
        "joined": "2015-09-01",
        "ranks": [{"rank": "constable", "start": "2015-09-01"}],
    }
    data.update(changes)
    return data


def test_a_record_posted_with_a_misspelt_rank_is_stored_with_a_warning(
    client: TestClient, seeded: Seeded
) -> None:
    hr = auth(seeded, "hr")
    ranks = [{"rank": "sergantt", "start": "2015-09-01"}]
    made = client.post("/api/people", json=_record("W990101", ranks=ranks), headers=hr)
    assert made.status_code == 201, made.text
    (warning,) = made.json()["warnings"]
    assert warning.startswith("ranks[0].rank: 'sergantt' is not in the catalogue's ranks")
    assert "did you mean 'sergeant'?" in warning


def test_a_record_put_with_a_rank_starting_in_9999_is_refused_naming_the_field(
    client: TestClient, seeded: Seeded
) -> None:
    """9999-12-31 is outside the dates the system accepts (issue 14): a 422 naming the
    field, nothing stored; a date inside the range but after today is stored with a
    warning (issue 13)."""
    hr = auth(seeded, "hr")
    ranks = [
        {"rank": "constable", "start": "2015-09-01"},
        {"rank": "sergeant", "start": "9999-12-31"},
    ]
    put = client.put(
        "/api/people/W990102",
        json=_record("W990102", ranks=ranks),
        headers={**hr, "If-None-Match": "*"},
    )
    assert put.status_code == 422, put.text
    assert put.json()["errors"][0]["field"] == "body.ranks[1].start"
    assert client.get("/api/people/W990102", headers=hr).status_code == 404
    ranks[1]["start"] = "2199-12-31"
    put = client.put(
        "/api/people/W990102",
        json=_record("W990102", ranks=ranks),
        headers={**hr, "If-None-Match": "*"},
    )
    assert put.status_code == 201, put.text
    (warning,) = put.json()["warnings"]
    assert warning.startswith("ranks[1].start: 2199-12-31 is after ")
    assert "leaves this item out; check the date" in warning
    again = client.put(
        "/api/people/W990102", json=_record("W990102"), headers={**hr, "If-Match": '"v1"'}
    )
    assert again.status_code == 200 and again.json()["warnings"] == []


def test_the_api_and_the_import_give_the_same_warnings(
    client: TestClient, seeded: Seeded, tmp_path: Path
) -> None:
    """One check, two readers: the importer names row and column, the API the field."""
    record = _record(
        "W990103",
        ranks=[{"rank": "sergantt", "start": "2199-12-31"}],
        protected={"ethnicity": "whte"},
    )
    api = client.post("/api/people", json=record, headers=auth(seeded, "hr")).json()["warnings"]
    path = tmp_path / "people.jsonl"
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["import", str(path), "--db", f"sqlite:///{tmp_path / 'i.db'}", "--format", "json"]
    )
    imported = [w["message"] for w in json.loads(result.output)["warnings"]]
    assert len(api) == 3
    for warning in api:
        assert any(warning.endswith(message) for message in imported), (warning, imported)


def test_whatif_warns_about_an_added_item_dated_after_the_as_of_date() -> None:
    result = CliRunner().invoke(
        cli,
        ["whatif", SPNAC, "--add", "course:fsl_stage_3@2011-03-01", "--as-of", "2011-01-01"],
    )
    assert "2011-03-01 is after 2011-01-01, so a decision as of 2011-01-01 leaves this item" in (
        result.output
    )
