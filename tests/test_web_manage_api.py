"""The management API: records CRUD, library check/publish/activate, tokens, diagrams.

Bad input gets problem details (4xx) naming the field, never 500; officers get 403 on
every hr route, whatever they send and whether or not the record exists.
"""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from api_kit import auth, problem
from fastapi.testclient import TestClient

from pathways import SHIPPED_LIBRARY
from web.testing import PASSWORD, Seeded

PIP = (SHIPPED_LIBRARY / "pip.yaml").read_text(encoding="utf-8")
BROKEN_PIP = PIP.replace("- rank: {at_most", "- rnak: {at_most", 1)


def fields(body: dict[str, Any]) -> list[str]:
    return [e["field"] for e in body.get("errors", [])]


def record(person_id: str) -> dict[str, Any]:
    return {
        "id": person_id,
        "kind": "officer",
        "joined": "2015-09-01",
        "ranks": [{"rank": "constable", "start": "2015-09-01"}],
        "protected": {"ethnicity": "white", "gender": "female"},
    }


def signed_in(client: TestClient, username: str) -> tuple[TestClient, dict[str, str]]:
    """A browser-like client signed in as ``username``, and its CSRF header."""
    c = TestClient(client.app)
    token = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/login").text)
    assert token
    c.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token[1]})
    token = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/account").text)
    assert token
    return c, {"X-CSRF-Token": token[1]}


# --- records ----------------------------------------------------------------------------


def test_list_people_pages_and_filters(client: TestClient, seeded: Seeded) -> None:
    hr = auth(seeded, "hr")
    total = client.app.state.store.count_people()  # type: ignore[attr-defined]
    assert 12 <= total < 100  # the 12 seeded, and what other modules added (shared store)
    first = client.get("/api/people?limit=5", headers=hr).json()
    assert first["total"] == total and len(first["people"]) == 5 and first["next_offset"] == 5
    second = client.get("/api/people?limit=5&offset=5", headers=hr).json()
    ids = [p["id"] for p in first["people"] + second["people"]]
    assert ids == sorted(ids) and len(set(ids)) == 10
    at = 5 * ((total - 1) // 5)  # the offset of the last page
    last = client.get(f"/api/people?limit=5&offset={at}", headers=hr).json()
    assert len(last["people"]) == total - at and last["next_offset"] is None
    only = client.get(f"/api/people?q={seeded.officer.lower()}", headers=hr).json()
    assert [p["id"] for p in only["people"]] == [seeded.officer]
    assert "protected" not in only["people"][0]  # only when asked for
    name = only["people"][0]["name"]
    by_name = client.get("/api/people", params={"q": name.split()[-1].upper()}, headers=hr)
    assert seeded.officer in [p["id"] for p in by_name.json()["people"]]
    full = client.get(f"/api/people?q={seeded.officer}&protected=true", headers=hr).json()
    assert set(full["people"][0]["protected"]) == {"ethnicity", "gender", "disability"}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("limit=0", "query.limit"),
        ("limit=501", "query.limit"),
        ("offset=-1", "query.offset"),
        ("limit=x", "query.limit"),
        ("protected=maybe", "query.protected"),
        ("q=" + "A" * 40, "query.q"),
    ],
)
def test_list_people_bad_query_is_422(
    client: TestClient, seeded: Seeded, query: str, field: str
) -> None:
    body = problem(client.get(f"/api/people?{query}", headers=auth(seeded, "hr")), 422)
    assert fields(body) == [field]


def test_create_read_delete_a_record(client: TestClient, seeded: Seeded) -> None:
    hr = auth(seeded, "hr")
    made = client.post("/api/people", json=record("W990001"), headers=hr)
    assert made.status_code == 201 and made.json() == {
        "id": "W990001",
        "created": True,
        "version": 1,
        "warnings": [],
    }
    assert made.headers["location"] == "/api/people/W990001"
    got = client.get("/api/people/W990001", headers=hr)
    assert got.json()["protected"]["gender"] == "female" and got.headers["etag"] == '"v1"'
    body = problem(client.post("/api/people", json=record("W990001"), headers=hr), 409)
    assert "PUT /api/people/W990001" in body["detail"]
    problem(client.delete("/api/people/W990001", headers=hr), 428)  # a token must say which
    version = {**hr, "If-Match": got.headers["etag"]}
    assert client.delete("/api/people/W990001", headers=version).status_code == 204
    problem(client.get("/api/people/W990001", headers=hr), 404)
    problem(client.delete("/api/people/W990001", headers=version), 404)
    store = client.app.state.store  # type: ignore[attr-defined]
    actions = [(a.action, a.actor) for a in store.audit("W990001")]
    assert ("record.delete", "web:hr") in actions and len(actions) == 2


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"kind": "officer", "joined": "2015-09-01"}, "body.id", "'id'"),
        ({"id": 7, "kind": "officer", "joined": "2015-09-01"}, "body.id", "'id'"),
        ({"id": "W990002", "kind": "officer", "joined": "yesterday"}, "body.joined", "date"),
        ({"id": "W990002", "kind": "wizard", "joined": "2015-09-01"}, "body.kind", "wizard"),
        (
            {"id": "W990002", "kind": "officer", "joined": "2015-09-01", "extra": 1},
            "body.extra",
            "unknown field",
        ),
        (
            {**record("W990002"), "ranks": [{"rank": "constable", "start": "soon"}]},
            "body.ranks[0].start",
            "soon",
        ),
        (
            {**record("W990002"), "bands": [{"band": "A", "start": "2016-01-01"}]},
            "body",
            "ranks, not bands",
        ),
    ],
)
def test_create_bad_records_are_422_naming_the_field(
    client: TestClient, seeded: Seeded, body: dict[str, Any], field: str, words: str
) -> None:
    found = problem(client.post("/api/people", json=body, headers=auth(seeded, "hr")), 422)
    assert field in fields(found) and words in found["detail"]
    problem(client.get("/api/people/W990002", headers=auth(seeded, "hr")), 404)  # not made


def test_replace_with_a_bad_record_names_the_field(client: TestClient, seeded: Seeded) -> None:
    bad = {**record(seeded.other), "courses": [{"course": "x", "completed": "2016-02-30"}]}
    body = problem(
        client.put(f"/api/people/{seeded.other}", json=bad, headers=auth(seeded, "hr")), 422
    )
    assert fields(body) == ["body.courses[0].completed"]
    long_id = "W" * 33
    body = problem(client.put(f"/api/people/{long_id}", json={}, headers=auth(seeded, "hr")), 422)
    assert fields(body) == ["path.person_id"]


def test_create_with_a_body_that_is_not_an_object(client: TestClient, seeded: Seeded) -> None:
    for body in ("[1, 2]", "not json", "", '"text"'):
        r = client.post(
            "/api/people",
            content=body,
            headers={**auth(seeded, "hr"), "content-type": "application/json"},
        )
        assert fields(problem(r, 422))[0].startswith("body")


@pytest.mark.parametrize("role", ["officer", "equality", "admin"])
def test_records_routes_are_hr_only(client: TestClient, seeded: Seeded, role: str) -> None:
    who = auth(seeded, role)
    problem(client.get("/api/people", headers=who), 403)
    problem(client.post("/api/people", json=record("W990003"), headers=who), 403)
    problem(client.post("/api/people", json={"nonsense": 1}, headers=who), 403)
    problem(client.put(f"/api/people/{seeded.other}", json=record("x"), headers=who), 403)
    problem(client.delete(f"/api/people/{seeded.other}", headers=who), 403)
    problem(client.delete("/api/people/W000000", headers=who), 403)  # not there: still 403
    assert client.get(f"/api/people/{seeded.other}", headers=auth(seeded, "hr")).status_code == 200


# --- the library --------------------------------------------------------------------------


def test_check_a_broken_file_gives_located_findings_and_stores_nothing(
    client: TestClient, seeded: Seeded
) -> None:
    before = client.get("/api/versions", headers=auth(seeded, "hr")).json()
    body = client.post(
        "/api/library/check",
        json={"name": "pip.yaml", "text": BROKEN_PIP},
        headers=auth(seeded, "hr"),
    ).json()
    assert body["ok"] is False and body["errors"] >= 1 and body["digest"] is None
    finding = next(f for f in body["findings"] if f["severity"] == "error")
    line = next(i for i, t in enumerate(BROKEN_PIP.split("\n"), 1) if "rnak" in t)
    assert finding["file"] == "pip.yaml" and finding["line"] == line and finding["column"]
    assert finding["code"] == "requirement-kind" and "rnak" in finding["message"]
    assert "did you mean 'rank'" in finding["fix"]
    assert "\n-            - rank: {at_most" in body["diff"]["pip.yaml"]
    assert "\n+            - rnak: {at_most" in body["diff"]["pip.yaml"]
    assert client.get("/api/versions", headers=auth(seeded, "hr")).json() == before


def test_check_several_files_as_json_or_uploads(client: TestClient, seeded: Seeded) -> None:
    hr = auth(seeded, "hr")
    extra = "pathway:\n  id: pip\n  name: Again\n  stages:\n    - id: s\n      name: S\n"
    files = [{"name": "pip.yaml", "text": PIP}, {"name": "more/again.yaml", "text": extra}]
    body = client.post("/api/library/check", json={"files": files}, headers=hr).json()
    duplicate = [f for f in body["findings"] if f["code"] == "duplicate-id"]
    assert duplicate and {f["file"] for f in duplicate} <= {"pip.yaml", "more/again.yaml"}
    assert set(body["diff"]) == {"pip.yaml", "more/again.yaml"}
    assert body["diff"]["pip.yaml"] == ""  # unchanged against the file in use
    uploaded = client.post(
        "/api/library/check",
        files=[
            ("file", ("pip.yaml", BROKEN_PIP.encode(), "application/yaml")),
            ("file", ("fsl.yaml", (SHIPPED_LIBRARY / "fsl.yaml").read_bytes(), "text/yaml")),
        ],
        headers=hr,
    )
    assert uploaded.status_code == 200, uploaded.text
    assert {f["file"] for f in uploaded.json()["findings"] if f["severity"] == "error"} == {
        "pip.yaml"
    }
    clean = client.post(
        "/api/library/check",
        files=[("file", ("pip.yaml", PIP.encode(), "application/yaml"))],
        headers=hr,
    ).json()
    assert clean["ok"] and clean["unchanged"] and clean["digest"] == clean["in_use"]


@pytest.mark.slow  # library versions published
def test_publish_refuses_errors_then_publishes_and_rolls_back(
    client: TestClient, seeded: Seeded
) -> None:
    hr = auth(seeded, "hr")
    body = problem(
        client.post(
            "/api/library/publish", json={"name": "pip.yaml", "text": BROKEN_PIP}, headers=hr
        ),
        422,
    )
    assert "pip.yaml:" in body["detail"] and body["errors"][0]["line"]
    assert client.get("/api/versions", headers=hr).json() == []
    shipped = client.post(
        "/api/library/publish", json={"name": "pip.yaml", "text": PIP}, headers=hr
    )
    assert shipped.status_code == 201 and shipped.json()["created"] is True, shipped.text
    edited = PIP.replace("name: Professionalising Investigation", "name: PIP (edited)", 1)
    assert edited != PIP
    made = client.post(
        "/api/library/publish",
        files=[("file", ("pip.yaml", edited.encode(), "application/yaml"))],
        data={"note": "rename", "effective_date": "2026-01-01"},
        headers=hr,
    )
    assert made.status_code == 201, made.text
    new = made.json()
    assert new["active"] is True and new["note"] == "rename"
    assert new["effective_date"] == "2026-01-01" and new["author"] == "web:hr"
    assert client.get("/api/pathways", headers=hr).json()["library_version"] == new["digest"]
    texts = client.get(f"/api/versions/{new['digest']}?files=true", headers=hr).json()["texts"]
    assert "PIP (edited)" in texts["pip.yaml"]
    assert "texts" not in client.get(f"/api/versions/{new['digest']}", headers=hr).json()
    again = client.post(
        "/api/library/publish", json={"name": "pip.yaml", "text": edited}, headers=hr
    )
    assert again.status_code == 200 and again.json()["created"] is False
    older = shipped.json()["digest"]
    back = client.post(
        "/api/library/activate", json={"digest": older[:12], "reason": "undo"}, headers=hr
    )
    assert back.status_code == 200 and back.json()["digest"] == older and back.json()["active"]
    assert client.get("/api/pathways", headers=hr).json()["library_version"] == older
    actives = [v["digest"] for v in client.get("/api/versions", headers=hr).json() if v["active"]]
    assert actives == [older]
    store = client.app.state.store  # type: ignore[attr-defined]
    assert [a.action for a in store.audit(new["digest"])] == [
        "library.activate",
        "library.schedule",  # effective from 2026-01-01: as-of dates before use the one before
        "library.publish",
    ]
    rollback = next(a for a in store.audit(older) if a.action == "library.rollback")
    assert (rollback.actor, rollback.after["reason"]) == ("web:hr", "undo")


@pytest.mark.parametrize(
    ("route", "body", "field"),
    [
        ("/api/library/check", {"name": "../etc/passwd.yaml", "text": "x: 1"}, "body.name"),
        ("/api/library/check", {"name": "pip.yaml"}, "body"),
        ("/api/library/check", {"name": "pip.yaml", "text": "x", "other": 1}, "body.other"),
        ("/api/library/check", {"files": []}, "body.files"),
        ("/api/library/check", {"files": [{"name": "a.yaml"}]}, "body.files[0].text"),
        (
            "/api/library/check",
            {"files": [{"name": "a.yaml", "text": ""}, {"name": "b.txt", "text": ""}]},
            "body.files[1].name",
        ),
        (
            "/api/library/check",
            {"name": "a.yaml", "text": "x", "files": [{"name": "b.yaml", "text": ""}]},
            "body",
        ),
        ("/api/library/check", [1, 2], "body"),
        ("/api/library/publish", {"name": "pip.txt", "text": PIP}, "body.name"),
        ("/api/library/publish", {"name": "pip.yaml", "text": PIP, "note": 5}, "body.note"),
        (
            "/api/library/publish",
            {"name": "pip.yaml", "text": PIP, "effective_date": "soon"},
            "body.effective_date",
        ),
        ("/api/library/activate", {"digest": "abc"}, "body.digest"),
        ("/api/library/activate", {"digest": "X" * 64}, "body.digest"),
        ("/api/library/activate", {}, "body.digest"),
    ],
)
def test_library_bad_payloads_are_422_naming_the_field(
    client: TestClient, seeded: Seeded, route: str, body: Any, field: str
) -> None:
    found = problem(client.post(route, json=body, headers=auth(seeded, "hr")), 422)
    assert field in fields(found), found


def test_library_bad_bodies_and_uploads(client: TestClient, seeded: Seeded) -> None:
    hr = auth(seeded, "hr")
    for route in ("/api/library/check", "/api/library/publish", "/api/library/activate"):
        not_json = client.post(
            route, content=b"{", headers={**hr, "content-type": "application/json"}
        )
        assert "line 1" in problem(not_json, 422)["detail"]
        problem(client.post(route, content=b"x", headers={**hr, "content-type": "text/plain"}), 415)
    no_file = client.post("/api/library/check", data={"note": "x"}, files={}, headers=hr)
    # httpx sends a form without files urlencoded: that is not an upload either
    problem(no_file, 415)
    only_note = client.post(
        "/api/library/check",
        files=[("note", (None, b"just a note"))],
        headers=hr,
    )
    assert fields(problem(only_note, 422)) == ["form.file"]
    latin = client.post(
        "/api/library/check",
        files=[("file", ("pip.yaml", "name: Café".encode("latin-1"), "text/yaml"))],
        headers=hr,
    )
    assert "UTF-8" in problem(latin, 422)["detail"]
    big = client.post(
        "/api/library/check",
        files=[("file", ("pip.yaml", b"#" * 1_000_001, "text/yaml"))],
        headers=hr,
    )
    problem(big, 413)
    odd = client.post(
        "/api/library/check",
        files=[("file", ("pip.yaml", PIP.encode(), "text/yaml")), ("colour", (None, b"red"))],
        headers=hr,
    )
    assert fields(problem(odd, 422)) == ["form.colour"]
    bad_name = client.post(
        "/api/library/check",
        files=[("file", ("../../etc/x.yaml", b"a: 1", "text/yaml"))],
        headers=hr,
    )
    problem(bad_name, 422)


def test_activate_an_unknown_version_is_404(client: TestClient, seeded: Seeded) -> None:
    body = {"digest": "0" * 64}
    problem(client.post("/api/library/activate", json=body, headers=auth(seeded, "hr")), 404)
    problem(client.get(f"/api/versions/{'0' * 64}", headers=auth(seeded, "hr")), 404)
    found = problem(client.get("/api/versions/latest", headers=auth(seeded, "hr")), 422)
    assert fields(found) == ["path.digest"]


@pytest.mark.parametrize("role", ["officer", "equality", "admin"])
def test_library_routes_are_hr_only(client: TestClient, seeded: Seeded, role: str) -> None:
    who = auth(seeded, role)
    file = {"name": "pip.yaml", "text": PIP}
    problem(client.post("/api/library/check", json=file, headers=who), 403)
    problem(client.post("/api/library/check", json={"junk": 1}, headers=who), 403)
    problem(client.post("/api/library/publish", json=file, headers=who), 403)
    problem(client.post("/api/library/activate", json={"digest": "0" * 64}, headers=who), 403)
    problem(client.get("/api/versions", headers=who), 403)
    problem(client.get(f"/api/versions/{'0' * 64}", headers=who), 403)


# --- diagrams ------------------------------------------------------------------------------


def test_diagram_svg_plain_and_with_own_overlay(client: TestClient, seeded: Seeded) -> None:
    plain = client.get("/api/pathways/pip/diagram.svg", headers=auth(seeded, "officer"))
    assert plain.status_code == 200 and plain.headers["content-type"] == "image/svg+xml"
    assert plain.text.lstrip().startswith("<svg") and 'id="pip__level_1"' in plain.text
    assert "default-src 'none'" in plain.headers["content-security-policy"]
    again = client.get(
        "/api/pathways/pip/diagram.svg",
        headers={**auth(seeded, "officer"), "If-None-Match": plain.headers["etag"]},
    )
    assert again.status_code == 304 and not again.content
    mine = client.get(
        f"/api/pathways/pip/diagram.svg?person={seeded.officer}&as_of=2024-06-01",
        headers=auth(seeded, "officer"),
    )
    assert mine.status_code == 200 and mine.headers["cache-control"] == "no-store"
    assert f"{seeded.officer} - as of 2024-06-01" in html.unescape(mine.text)
    assert "etag" not in mine.headers


def test_diagram_links_other_pathways_to_their_diagrams(client: TestClient, seeded: Seeded) -> None:
    body = client.get("/api/pathways/senior_leadership/diagram.svg", headers=auth(seeded, "hr"))
    links = set(re.findall(r'xlink:href="([^"]+)"', body.text))
    assert "/api/pathways/fsl/diagram.svg" in links
    assert "#stage-senior_leadership-spnac" in links


def test_diagram_svg_of_someone_else_is_403_for_an_officer(
    client: TestClient, seeded: Seeded
) -> None:
    url = f"/api/pathways/pip/diagram.svg?person={seeded.other}"
    problem(client.get(url, headers=auth(seeded, "officer")), 403)
    problem(client.get(url + "&as_of=2024-01-01", headers=auth(seeded, "equality")), 403)
    problem(
        client.get("/api/pathways/pip/diagram.svg?person=W999999", headers=auth(seeded, "officer")),
        403,
    )
    assert client.get(url, headers=auth(seeded, "hr")).status_code == 200


def test_diagram_svg_bad_requests(client: TestClient, seeded: Seeded) -> None:
    hr = auth(seeded, "hr")
    assert "pip" in problem(client.get("/api/pathways/pipp/diagram.svg", headers=hr), 404)["detail"]
    bad_date = client.get(
        f"/api/pathways/pip/diagram.svg?person={seeded.officer}&as_of=2024-13-01", headers=hr
    )
    assert fields(problem(bad_date, 422)) == ["query.as_of"]
    alone = problem(client.get("/api/pathways/pip/diagram.svg?as_of=2024-01-01", headers=hr), 422)
    assert fields(alone) == ["query.as_of"]
    problem(client.get("/api/pathways/pip/diagram.svg?person=", headers=hr), 422)
    problem(client.get("/api/pathways/pip/diagram.svg?person=W000000", headers=hr), 404)
    problem(client.get("/api/pathways/pip/diagram.svg"), 401)


def test_diagram_without_graphviz_is_503_not_500(
    client: TestClient, seeded: Seeded, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")  # graphviz's dot cannot be found
    r = client.get(
        f"/api/pathways/pip/diagram.svg?person={seeded.officer}", headers=auth(seeded, "hr")
    )
    assert "dot" in problem(r, 503)["detail"]


# --- tokens -----------------------------------------------------------------------------


def test_make_list_use_and_revoke_a_token(client: TestClient, seeded: Seeded) -> None:
    browser, csrf = signed_in(client, seeded.officer)
    problem(browser.post("/api/tokens", json={"name": "sync"}), 403)  # no CSRF header
    made = browser.post("/api/tokens", json={"name": "sync"}, headers=csrf)
    assert made.status_code == 201, made.text
    token = made.json()["token"]
    mine = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/me", headers=mine).json()["username"] == seeded.officer
    listed = client.get("/api/tokens", headers=mine).json()
    assert {t["username"] for t in listed} == {seeded.officer}
    assert made.json()["id"] in [t["id"] for t in listed]
    assert all("token" not in t and "token_hash" not in t for t in listed)
    problem(client.get("/api/tokens?username=hr", headers=mine), 403)
    everyone = client.get("/api/tokens", headers=auth(seeded, "admin")).json()
    assert {t["username"] for t in everyone} >= {"hr", "admin", seeded.officer}
    only_hr = client.get("/api/tokens?username=hr", headers=auth(seeded, "admin")).json()
    assert {t["username"] for t in only_hr} == {"hr"}
    # hr cannot revoke the officer's token; the officer can
    problem(client.delete(f"/api/tokens/{made.json()['id']}", headers=auth(seeded, "hr")), 404)
    assert client.delete(f"/api/tokens/{made.json()['id']}", headers=mine).status_code == 204
    problem(client.get("/api/me", headers=mine), 401)
    store = client.app.state.store  # type: ignore[attr-defined]
    assert [a.action for a in store.audit(f"token:{made.json()['id']}")] == [
        "token.revoke",
        "token.create",
    ]


def test_a_token_cannot_make_tokens(client: TestClient, seeded: Seeded) -> None:
    body = problem(client.post("/api/tokens", json={"name": "x"}, headers=auth(seeded, "hr")), 403)
    assert "signed in" in body["detail"]


def test_admin_revokes_anyones_token(client: TestClient, seeded: Seeded) -> None:
    browser, csrf = signed_in(client, "hr")
    made = browser.post("/api/tokens", json={"name": "x"}, headers=csrf).json()
    r = client.delete(f"/api/tokens/{made['id']}", headers=auth(seeded, "admin"))
    assert r.status_code == 204
    problem(client.get("/api/me", headers={"Authorization": f"Bearer {made['token']}"}), 401)
    problem(client.delete(f"/api/tokens/{made['id']}", headers=auth(seeded, "admin")), 404)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "body.name"),
        ({"name": ""}, "body.name"),
        ({"name": "x" * 101}, "body.name"),
        ({"name": "a", "b": 1}, "body.b"),
        ({"name": "\u0007bell"}, "body.name"),
    ],
)
def test_token_bad_payloads(
    client: TestClient, seeded: Seeded, body: dict[str, Any], field: str
) -> None:
    browser, csrf = signed_in(client, "equality")
    assert fields(problem(browser.post("/api/tokens", json=body, headers=csrf), 422)) == [field]


def test_revoke_bad_ids(client: TestClient, seeded: Seeded) -> None:
    problem(client.delete("/api/tokens/999999", headers=auth(seeded, "hr")), 404)
    for bad in ("abc", "0", "-1", "99999999999999999999"):
        body = problem(client.delete(f"/api/tokens/{bad}", headers=auth(seeded, "hr")), 422)
        assert fields(body) == ["path.token_id"]
