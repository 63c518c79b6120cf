"""The management API: records CRUD, library check/publish/activate, tokens, diagrams.

Bad input gets problem details (4xx), never 500; officers get 403 on every hr route.
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from pathways import SHIPPED_LIBRARY
from web.app import create_app
from web.testing import Seeded, seed

PROBLEM = "application/problem+json"
PIP = (SHIPPED_LIBRARY / "pip.yaml").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Seeded:
    path: Path = tmp_path_factory.mktemp("webmanage") / "web.db"
    return seed(f"sqlite:///{path}")


@pytest.fixture(scope="module")
def client(seeded: Seeded) -> Iterator[TestClient]:
    with TestClient(create_app(seeded.url, workers=1)) as c:
        yield c


def auth(seeded: Seeded, role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {seeded.tokens[role]}"}


def problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body: dict[str, Any] = response.json()
    assert body["status"] == status and body["detail"]
    return body


def record(person_id: str) -> dict[str, Any]:
    return {
        "id": person_id,
        "kind": "officer",
        "joined": "2015-09-01",
        "ranks": [{"rank": "constable", "start": "2015-09-01"}],
        "protected": {"ethnicity": "white", "gender": "female"},
    }


# --- records ----------------------------------------------------------------------------


def test_list_people_pages_and_filters(client: TestClient, seeded: Seeded) -> None:
    first = client.get("/api/people?limit=5", headers=auth(seeded, "hr")).json()
    assert first["total"] == 12 and len(first["people"]) == 5
    second = client.get("/api/people?limit=5&offset=5", headers=auth(seeded, "hr")).json()
    ids = [p["id"] for p in first["people"] + second["people"]]
    assert ids == sorted(ids) and len(set(ids)) == 10
    only = client.get(f"/api/people?q={seeded.officer}", headers=auth(seeded, "hr")).json()
    assert [p["id"] for p in only["people"]] == [seeded.officer]
    assert "protected" not in only["people"][0]


@pytest.mark.parametrize("query", ["limit=0", "limit=501", "offset=-1", "limit=x", "q=" + "A" * 40])
def test_list_people_bad_query_is_422(client: TestClient, seeded: Seeded, query: str) -> None:
    problem(client.get(f"/api/people?{query}", headers=auth(seeded, "hr")), 422)


def test_create_read_delete_a_record(client: TestClient, seeded: Seeded) -> None:
    hr = auth(seeded, "hr")
    made = client.post("/api/people", json=record("W990001"), headers=hr)
    assert made.status_code == 201 and made.json() == {
        "id": "W990001",
        "created": True,
        "version": 1,
    }
    got = client.get("/api/people/W990001", headers=hr).json()
    assert got["protected"]["gender"] == "female"
    body = problem(client.post("/api/people", json=record("W990001"), headers=hr), 409)
    assert "PUT /api/people/W990001" in body["detail"]
    assert client.delete("/api/people/W990001", headers=hr).status_code == 204
    problem(client.get("/api/people/W990001", headers=hr), 404)
    problem(client.delete("/api/people/W990001", headers=hr), 404)


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"kind": "officer", "joined": "2015-09-01"}, "'id'"),
        ({"id": 7, "kind": "officer", "joined": "2015-09-01"}, "'id'"),
        ({"id": "W990002", "kind": "officer", "joined": "yesterday"}, "joined"),
        ({"id": "W990002", "kind": "wizard", "joined": "2015-09-01"}, "kind"),
        ({"id": "W990002", "kind": "officer", "joined": "2015-09-01", "extra": 1}, "extra"),
    ],
)
def test_create_bad_records_are_422_naming_the_field(
    client: TestClient, seeded: Seeded, body: dict[str, Any], words: str
) -> None:
    found = problem(client.post("/api/people", json=body, headers=auth(seeded, "hr")), 422)
    assert words in found["detail"]


def test_create_with_a_body_that_is_not_an_object(client: TestClient, seeded: Seeded) -> None:
    for body in ("[1, 2]", "not json", ""):
        r = client.post(
            "/api/people",
            content=body,
            headers={**auth(seeded, "hr"), "content-type": "application/json"},
        )
        problem(r, 422)


@pytest.mark.parametrize("role", ["officer", "equality", "admin"])
def test_records_routes_are_hr_only(client: TestClient, seeded: Seeded, role: str) -> None:
    who = auth(seeded, role)
    problem(client.get("/api/people", headers=who), 403)
    problem(client.post("/api/people", json=record("W990003"), headers=who), 403)
    problem(client.delete(f"/api/people/{seeded.other}", headers=who), 403)
    problem(client.delete("/api/people/W000000", headers=who), 403)  # not there: still 403
    assert client.get(f"/api/people/{seeded.other}", headers=auth(seeded, "hr")).status_code == 200


# --- the library --------------------------------------------------------------------------


def test_check_a_broken_file_gives_located_findings_and_stores_nothing(
    client: TestClient, seeded: Seeded
) -> None:
    before = client.get("/api/versions", headers=auth(seeded, "hr")).json()
    broken = PIP.replace("- rank: {at_most", "- rnak: {at_most", 1)
    body = client.post(
        "/api/library/check", json={"name": "pip.yaml", "text": broken}, headers=auth(seeded, "hr")
    ).json()
    assert body["ok"] is False and body["errors"] >= 1
    finding = next(f for f in body["findings"] if f["severity"] == "error")
    assert finding["file"] == "pip.yaml" and finding["line"] > 0
    assert "rnak" in finding["message"] and "rank" in (finding["suggestion"] or "")
    assert client.get("/api/versions", headers=auth(seeded, "hr")).json() == before


def test_publish_refuses_errors_then_publishes_and_rolls_back(
    client: TestClient, seeded: Seeded
) -> None:
    hr = auth(seeded, "hr")
    broken = PIP.replace("- rank: {at_most", "- rnak: {at_most", 1)
    body = problem(
        client.post("/api/library/publish", json={"name": "pip.yaml", "text": broken}, headers=hr),
        422,
    )
    assert "pip.yaml:" in body["detail"] and body["errors"]
    shipped = client.post(
        "/api/library/publish", json={"name": "pip.yaml", "text": PIP}, headers=hr
    )
    assert shipped.status_code == 201, shipped.text
    edited = PIP.replace("name: Professionalising Investigation", "name: PIP (edited)", 1)
    assert edited != PIP
    made = client.post(
        "/api/library/publish",
        json={"name": "pip.yaml", "text": edited, "note": "rename"},
        headers=hr,
    )
    assert made.status_code == 201, made.text
    new = made.json()
    assert new["active"] is True and new["note"] == "rename"
    assert client.get("/api/pathways", headers=hr).json()["library_version"] == new["digest"]
    texts = client.get(f"/api/versions/{new['digest']}?files=true", headers=hr).json()["texts"]
    assert "PIP (edited)" in texts["pip.yaml"]
    older = shipped.json()["digest"]
    assert older != new["digest"]
    back = client.post("/api/library/activate", json={"digest": older}, headers=hr)
    assert back.status_code == 200 and back.json()["active"] is True
    assert client.get("/api/pathways", headers=hr).json()["library_version"] == older
    actives = [v["digest"] for v in client.get("/api/versions", headers=hr).json() if v["active"]]
    assert actives == [older]


@pytest.mark.parametrize(
    ("route", "body"),
    [
        ("/api/library/check", {"name": "../etc/passwd.yaml", "text": "x: 1"}),
        ("/api/library/check", {"name": "pip.yaml"}),
        ("/api/library/check", {"name": "pip.yaml", "text": "x", "other": 1}),
        ("/api/library/publish", {"name": "pip.txt", "text": PIP}),
        ("/api/library/activate", {"digest": "abc"}),
        ("/api/library/activate", {}),
    ],
)
def test_library_bad_payloads_are_422(
    client: TestClient, seeded: Seeded, route: str, body: dict[str, Any]
) -> None:
    problem(client.post(route, json=body, headers=auth(seeded, "hr")), 422)


def test_activate_an_unknown_version_is_404(client: TestClient, seeded: Seeded) -> None:
    body = {"digest": "0" * 64}
    problem(client.post("/api/library/activate", json=body, headers=auth(seeded, "hr")), 404)
    problem(client.get(f"/api/versions/{'0' * 64}", headers=auth(seeded, "hr")), 404)


@pytest.mark.parametrize("role", ["officer", "equality", "admin"])
def test_library_routes_are_hr_only(client: TestClient, seeded: Seeded, role: str) -> None:
    who = auth(seeded, role)
    file = {"name": "pip.yaml", "text": PIP}
    problem(client.post("/api/library/check", json=file, headers=who), 403)
    problem(client.post("/api/library/publish", json=file, headers=who), 403)
    problem(client.post("/api/library/activate", json={"digest": "0" * 64}, headers=who), 403)
    problem(client.get(f"/api/versions/{'0' * 64}", headers=who), 403)


# --- diagrams ------------------------------------------------------------------------------


def test_diagram_svg_plain_and_with_own_overlay(client: TestClient, seeded: Seeded) -> None:
    plain = client.get("/api/pathways/pip/diagram.svg", headers=auth(seeded, "officer"))
    assert plain.status_code == 200 and plain.headers["content-type"] == "image/svg+xml"
    assert plain.text.lstrip().startswith("<svg") and 'id="pip__level_1"' in plain.text
    mine = client.get(
        f"/api/pathways/pip/diagram.svg?person={seeded.officer}&as_of=2024-06-01",
        headers=auth(seeded, "officer"),
    )
    assert mine.status_code == 200
    assert f"{seeded.officer} - as of 2024-06-01" in html.unescape(mine.text)


def test_diagram_svg_of_someone_else_is_403_for_an_officer(
    client: TestClient, seeded: Seeded
) -> None:
    url = f"/api/pathways/pip/diagram.svg?person={seeded.other}"
    problem(client.get(url, headers=auth(seeded, "officer")), 403)
    assert client.get(url, headers=auth(seeded, "hr")).status_code == 200


def test_diagram_svg_bad_requests(client: TestClient, seeded: Seeded) -> None:
    hr = auth(seeded, "hr")
    assert "pip" in problem(client.get("/api/pathways/pipp/diagram.svg", headers=hr), 404)["detail"]
    problem(client.get("/api/pathways/pip/diagram.svg?as_of=2024-13-01", headers=hr), 422)
    problem(client.get("/api/pathways/pip/diagram.svg?person=W000000", headers=hr), 404)
    problem(client.get("/api/pathways/pip/diagram.svg"), 401)


# --- tokens -----------------------------------------------------------------------------


def test_make_list_use_and_revoke_a_token(client: TestClient, seeded: Seeded) -> None:
    made = client.post("/api/tokens", json={"name": "sync"}, headers=auth(seeded, "officer"))
    assert made.status_code == 201
    token = made.json()["token"]
    mine = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/me", headers=mine).json()["username"] == seeded.officer
    listed = client.get("/api/tokens", headers=mine).json()
    assert {t["username"] for t in listed} == {seeded.officer}
    assert all("token" not in t and "token_hash" not in t for t in listed)
    everyone = client.get("/api/tokens", headers=auth(seeded, "admin")).json()
    assert {t["username"] for t in everyone} >= {"hr", "admin", seeded.officer}
    # hr cannot revoke the officer's token; the officer can
    problem(client.delete(f"/api/tokens/{made.json()['id']}", headers=auth(seeded, "hr")), 404)
    assert client.delete(f"/api/tokens/{made.json()['id']}", headers=mine).status_code == 204
    problem(client.get("/api/me", headers=mine), 401)


def test_admin_revokes_anyones_token(client: TestClient, seeded: Seeded) -> None:
    made = client.post("/api/tokens", json={"name": "x"}, headers=auth(seeded, "hr")).json()
    r = client.delete(f"/api/tokens/{made['id']}", headers=auth(seeded, "admin"))
    assert r.status_code == 204
    problem(client.get("/api/me", headers={"Authorization": f"Bearer {made['token']}"}), 401)


@pytest.mark.parametrize("body", [{}, {"name": ""}, {"name": "x" * 101}, {"name": "a", "b": 1}])
def test_token_bad_payloads(client: TestClient, seeded: Seeded, body: dict[str, Any]) -> None:
    problem(client.post("/api/tokens", json=body, headers=auth(seeded, "hr")), 422)


def test_revoke_bad_ids(client: TestClient, seeded: Seeded) -> None:
    problem(client.delete("/api/tokens/999999", headers=auth(seeded, "hr")), 404)
    problem(client.delete("/api/tokens/abc", headers=auth(seeded, "hr")), 422)
