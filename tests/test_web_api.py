"""The JSON API: every route, with tokens and roles; bad input gets problem details, never 500."""

from __future__ import annotations

from typing import Any

import pytest
from api_kit import auth, problem
from fastapi.testclient import TestClient

from web.testing import Seeded

# --- authentication -------------------------------------------------------------------------


def test_me_with_each_token(client: TestClient, seeded: Seeded) -> None:
    for role in ("officer", "hr", "equality", "admin"):
        body = client.get("/api/me", headers=auth(seeded, role)).json()
        assert body["role"] == role
    assert client.get("/api/me", headers=auth(seeded, "officer")).json()["person_id"] == (
        seeded.officer
    )


@pytest.mark.parametrize(
    "header", [None, "Bearer nonsense", "Basic dXNlcjpwYXNz", "Bearer ", "Token x"]
)
def test_without_a_valid_token_is_401(client: TestClient, header: str | None) -> None:
    headers = {"Authorization": header} if header else {}
    body = problem(client.get("/api/people/W000001/decisions", headers=headers), 401)
    assert "Bearer" in body["detail"] or "token" in body["detail"]


def test_unknown_route_and_method_are_problems(client: TestClient, seeded: Seeded) -> None:
    problem(client.get("/api/nothing-here", headers=auth(seeded, "hr")), 404)
    problem(client.delete("/api/pathways", headers=auth(seeded, "hr")), 405)


def test_openapi_is_published(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert "/api/people/{person_id}/decisions" in spec["paths"]
    assert "/api/people/{person_id}/what-if" in spec["paths"]
    assert client.get("/docs").status_code == 200


# --- decisions ------------------------------------------------------------------------------


def test_decisions_for_own_record(client: TestClient, seeded: Seeded) -> None:
    r = client.get(
        f"/api/people/{seeded.officer}/decisions",
        params={"as_of": "2024-06-01"},
        headers=auth(seeded, "officer"),
    )
    assert r.status_code == 200
    body = r.json()
    assert body["person"] == seeded.officer and body["as_of"] == "2024-06-01"
    assert {s["pathway"] for s in body["stages"]} >= {"pip", "promotion"}
    assert all("status" in s and "requirements" in s for s in body["stages"])


def test_decision_summary_is_small_and_agrees_with_the_full_decision(
    client: TestClient, seeded: Seeded
) -> None:
    url = f"/api/people/{seeded.officer}/decisions"
    headers = auth(seeded, "officer")
    # The summary first: made by an engine worker that builds only the next steps' reasons
    # (asked after the full decision, it would come from the decision kept).
    summary = client.get(url, params={"as_of": "2024-06-01", "detail": "summary"}, headers=headers)
    full = client.get(url, params={"as_of": "2024-06-01", "detail": "full"}, headers=headers)
    assert summary.status_code == full.status_code == 200
    whole, brief = full.json(), summary.json()
    assert len(summary.content) <= 9_000 < len(full.content)
    assert all("requirements" not in s for s in brief["stages"])
    for short, long in zip(brief["stages"], whole["stages"], strict=True):
        assert (short["pathway"], short["stage"], short["status"]) == (
            long["pathway"],
            long["stage"],
            long["status"],
        )
        assert short.get("eligible_from") == long["eligible_from"]
        assert short.get("lapsed_on") == long["lapsed_on"]
    assert brief["next_steps"] == [
        {k: v for k, v in step.items() if v is not None} for step in whole["next_steps"]
    ]
    assert brief["library_version"] == whole["library_version"]
    default = client.get(url, params={"as_of": "2024-06-01"}, headers=headers)
    assert default.json() == whole
    body = problem(client.get(url, params={"detail": "everything"}, headers=headers), 422)
    assert body["errors"][0]["field"] == "query.detail"


def test_responses_are_gzip_compressed_when_the_client_accepts_it(
    client: TestClient, seeded: Seeded
) -> None:
    url = f"/api/people/{seeded.officer}/decisions"
    headers = auth(seeded, "officer")
    zipped = client.get(url, headers={**headers, "Accept-Encoding": "gzip"})
    assert zipped.headers["content-encoding"] == "gzip"
    assert zipped.num_bytes_downloaded < len(zipped.content) / 5  # the client decodes it
    plain = client.get(url, headers={**headers, "Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers and plain.json() == zipped.json()
    page = client.get("/login", headers={"Accept-Encoding": "gzip"})
    assert page.headers.get("content-encoding") == "gzip" or len(page.content) < 1000


def test_hr_sees_anyone_officer_only_themselves(client: TestClient, seeded: Seeded) -> None:
    url = f"/api/people/{seeded.other}/decisions"
    assert client.get(url, headers=auth(seeded, "hr")).status_code == 200
    body = problem(client.get(url, headers=auth(seeded, "officer")), 403)
    assert "own record" in body["detail"]
    problem(client.get(url, headers=auth(seeded, "equality")), 403)
    problem(client.get(url, headers=auth(seeded, "admin")), 403)


def test_officer_gets_403_not_404_for_records_that_do_not_exist(
    client: TestClient, seeded: Seeded
) -> None:
    # An officer learns nothing about which ids exist.
    problem(client.get("/api/people/W999999/decisions", headers=auth(seeded, "officer")), 403)
    problem(client.get("/api/people/W999999/decisions", headers=auth(seeded, "hr")), 404)


@pytest.mark.parametrize("as_of", ["yesterday", "2024-13-01", "2024-02-30", "1"])
def test_bad_as_of_is_a_validation_problem(client: TestClient, seeded: Seeded, as_of: str) -> None:
    r = client.get(
        f"/api/people/{seeded.officer}/decisions",
        params={"as_of": as_of},
        headers=auth(seeded, "officer"),
    )
    body = problem(r, 422)
    assert body["errors"][0]["field"] == "query.as_of"


# --- what if --------------------------------------------------------------------------------


def test_what_if_with_specs_and_items(client: TestClient, seeded: Seeded) -> None:
    r = client.post(
        f"/api/people/{seeded.officer}/what-if",
        json={
            "add": ["course:fsl_stage_3@2027-03-01"],
            "additions": {"courses": [{"course": "fsl_stage_2", "completed": "2027-01-01"}]},
        },
        headers=auth(seeded, "officer"),
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["as_of"] >= "2027-03-01"
    assert any(c["pathway"] == "fsl" for c in body["changes"])
    assert body["before"]["person"] == body["after"]["person"] == seeded.officer
    assert body["warnings"] == []


def test_what_if_warns_about_unknown_ids(client: TestClient, seeded: Seeded) -> None:
    r = client.post(
        f"/api/people/{seeded.officer}/what-if",
        json={"add": ["course:no_such_course@2027-03-01"], "as_of": "2027-04-01"},
        headers=auth(seeded, "officer"),
    )
    assert r.status_code == 200, r.text
    assert r.json()["changes"] == [] and r.json()["as_of"] == "2027-04-01"
    assert any("no_such_course" in w for w in r.json()["warnings"])


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "body"),
        ({"add": []}, "body"),
        ({"add": ["course:x"]}, "body.add[0]"),
        ({"add": ["nonsense:x@2027-01-01"]}, "body.add[0]"),
        ({"add": ["course:x@2027-02-30"]}, "body.add[0]"),
        ({"add": "course:x@2027-01-01"}, "body.add"),
        ({"add": [1]}, "body.add[0]"),
        ({"additions": {"spells": [{"x": 1}]}}, "body.additions.spells"),
        ({"additions": {"courses": [{"course": "x", "completed": "soon"}]}}, "body.additions"),
        ({"additions": {"ranks": [{"rank": "sergeant", "start": "soon"}]}}, "body.additions"),
        ({"additions": {"ranks": [{"rank": "sergeant", "start": 5}]}}, "body.additions"),
        ({"additions": {"courses": ["x"]}}, "body.additions.courses[0]"),
        ({"add": ["course:x@2027-01-01"], "as_of": "later"}, "body.as_of"),
        ({"add": ["course:x@2027-01-01"], "extra": 1}, "body.extra"),
    ],
)
def test_what_if_bad_payloads(
    client: TestClient, seeded: Seeded, payload: dict[str, Any], field: str
) -> None:
    r = client.post(
        f"/api/people/{seeded.officer}/what-if", json=payload, headers=auth(seeded, "officer")
    )
    body = problem(r, 422)
    assert any(e["field"].startswith(field) for e in body["errors"]), body["errors"]


@pytest.mark.parametrize("content", [b"not json", b"[1, 2]", b"", b'"text"'])
def test_what_if_bodies_that_are_not_objects(
    client: TestClient, seeded: Seeded, content: bytes
) -> None:
    r = client.post(
        f"/api/people/{seeded.officer}/what-if",
        content=content,
        headers={**auth(seeded, "officer"), "Content-Type": "application/json"},
    )
    problem(r, 422)


def test_what_if_for_someone_else_is_403(client: TestClient, seeded: Seeded) -> None:
    r = client.post(
        f"/api/people/{seeded.other}/what-if",
        json={"add": ["course:fsl_stage_3@2027-03-01"]},
        headers=auth(seeded, "officer"),
    )
    problem(r, 403)


def test_session_api_post_needs_the_csrf_header(client: TestClient, seeded: Seeded) -> None:
    import re

    from web.testing import PASSWORD

    with TestClient(client.app) as browser:  # its own cookies
        page = browser.get("/login").text
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)
        assert csrf
        browser.post(
            "/login",
            data={"username": seeded.officer, "password": PASSWORD, "csrf_token": csrf.group(1)},
        )
        url = f"/api/people/{seeded.officer}/what-if"
        body = {"add": ["course:fsl_stage_3@2027-03-01"]}
        problem(browser.post(url, json=body), 403)
        assert browser.get(f"/api/people/{seeded.officer}/decisions").status_code == 200


# --- records --------------------------------------------------------------------------------


def test_get_record_protected_characteristics_only_for_hr(
    client: TestClient, seeded: Seeded
) -> None:
    own = client.get(f"/api/people/{seeded.officer}", headers=auth(seeded, "officer")).json()
    assert own["id"] == seeded.officer and "protected" not in own
    full = client.get(f"/api/people/{seeded.officer}", headers=auth(seeded, "hr")).json()
    assert "protected" in full
    problem(client.get(f"/api/people/{seeded.other}", headers=auth(seeded, "officer")), 403)
    problem(client.get("/api/people/W999999", headers=auth(seeded, "hr")), 404)


def test_put_record_creates_then_updates(client: TestClient, seeded: Seeded) -> None:
    record = {
        "id": "W900001",
        "kind": "officer",
        "joined": "2019-09-02",
        "ranks": [{"rank": "constable", "start": "2019-09-02"}],
    }
    hr = auth(seeded, "hr")
    create = {**hr, "If-None-Match": "*"}  # a token says which version it writes (issue 14)
    r = client.put("/api/people/W900001", json=record, headers=create)
    assert r.status_code == 201, r.text
    assert r.json() == {
        "id": "W900001",
        "created": True,
        "changed": True,
        "version": 1,
        "warnings": [],
    }
    same = client.put("/api/people/W900001", json=record, headers={**hr, "If-Match": '"v1"'})
    assert same.status_code == 200 and same.json()["changed"] is False
    record["name"] = "A New Name"
    changed = client.put("/api/people/W900001", json=record, headers={**hr, "If-Match": '"v1"'})
    assert changed.json() == {
        "id": "W900001",
        "created": False,
        "changed": True,
        "version": 2,
        "warnings": [],
    }
    got = client.get("/api/people/W900001", headers=auth(seeded, "hr")).json()
    assert got["name"] == "A New Name"
    decided = client.get("/api/people/W900001/decisions", headers=auth(seeded, "hr"))
    assert decided.status_code == 200


@pytest.mark.parametrize(
    "record",
    [
        {"kind": "officer"},
        {"kind": "wizard", "joined": "2019-09-02"},
        {"kind": "officer", "joined": "not a date"},
        {"id": "W900003", "kind": "officer", "joined": "2019-09-02"},
        {"kind": "officer", "joined": "2019-09-02", "ranks": "constable"},
        {"kind": "officer", "joined": "2019-09-02", "name": "x" * 500},
    ],
)
def test_put_bad_records(client: TestClient, seeded: Seeded, record: dict[str, Any]) -> None:
    problem(client.put("/api/people/W900002", json=record, headers=auth(seeded, "hr")), 422)


def test_put_non_object_and_roles(client: TestClient, seeded: Seeded) -> None:
    problem(client.put("/api/people/W900002", json=[1], headers=auth(seeded, "hr")), 422)
    problem(
        client.put(
            "/api/people/W900002",
            content=b"{",
            headers={**auth(seeded, "hr"), "Content-Type": "application/json"},
        ),
        422,
    )
    record = {"kind": "officer", "joined": "2019-09-02"}
    for role in ("officer", "equality", "admin"):
        problem(
            client.put(f"/api/people/{seeded.officer}", json=record, headers=auth(seeded, role)),
            403,
        )


# --- pathways and versions ------------------------------------------------------------------


def test_pathways(client: TestClient, seeded: Seeded) -> None:
    body = client.get("/api/pathways", headers=auth(seeded, "officer")).json()
    ids = [p["id"] for p in body["pathways"]]
    assert "pip" in ids and len(body["library_version"]) == 64
    pip = client.get("/api/pathways/pip", headers=auth(seeded, "officer")).json()
    assert pip["id"] == "pip" and pip["stages"]
    body = problem(client.get("/api/pathways/pipp", headers=auth(seeded, "officer")), 404)
    assert "pip" in body["detail"]


def test_versions_for_hr_only(client: TestClient, seeded: Seeded) -> None:
    r = client.get("/api/versions", headers=auth(seeded, "hr"))
    assert r.status_code == 200 and isinstance(r.json(), list)
    problem(client.get("/api/versions", headers=auth(seeded, "officer")), 403)
