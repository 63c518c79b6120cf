"""A person's goal through the API (issue 17: "the goal is saved with the person"): set,
read, change and remove it, and the second of two writers is told (412), as for records."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from api_kit import auth, problem
from fastapi.testclient import TestClient

from store import Store
from store.users import Users
from web.app import create_app
from web.testing import PASSWORD, Seeded, seed
from workforce.demo import store_demo_officers

TODAY = dt.date(2026, 6, 1)
CONSTABLE, OTHER = "W900001", "W900002"


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Seeded:
    made = seed(f"sqlite:///{tmp_path_factory.mktemp('goalapi') / 'web.db'}", people=4)
    store = Store(made.url)
    try:
        store_demo_officers(store, TODAY)
        users = Users(store)
        for pid in (CONSTABLE, OTHER):
            users.add(pid, PASSWORD, "officer", pid, must_change=False)
            made.tokens[pid] = users.new_token(pid, "test")
    finally:
        store.close()
    return made


@pytest.fixture(scope="module")
def client(seeded: Seeded) -> Iterator[TestClient]:
    with TestClient(create_app(seeded.url, workers=1), follow_redirects=False) as c:
        yield c


def test_an_officer_sets_changes_and_removes_their_goal_and_a_stale_writer_is_told(
    client: TestClient, seeded: Seeded
) -> None:
    me = auth(seeded, CONSTABLE)
    demo = client.get(
        f"/api/people/{CONSTABLE}/goal", headers=me
    )  # the demo constable comes with a goal: remove it
    assert demo.status_code == 200 and demo.json()["version"] >= 1, demo.text
    assert (
        client.delete(
            f"/api/people/{CONSTABLE}/goal", headers={**me, "If-Match": demo.headers["ETag"]}
        ).status_code
        == 204
    )
    problem(client.get(f"/api/people/{CONSTABLE}/goal", headers=me), 404)
    # A program must say what it changes: nothing (If-None-Match: *) or a version.
    problem(
        client.put(f"/api/people/{CONSTABLE}/goal", json={"goal": "Superintendent"}, headers=me),
        428,
    )
    first = client.put(
        f"/api/people/{CONSTABLE}/goal",
        json={"goal": "Superintendent"},
        headers={**me, "If-None-Match": "*"},
    )
    assert first.status_code == 200, first.text
    assert first.headers["ETag"] == '"g1"'
    body = first.json()
    assert body["goal"] == "promotion.superintendent" and body["version"] == 1
    assert body["name"].startswith("Superintendent") and body["set_by"] == f"api:{CONSTABLE}"
    assert (
        client.get(f"/api/people/{CONSTABLE}/goal", headers=me).json()["goal"]
        == "promotion.superintendent"
    )

    # HR changes it on the version both read; the officer's later write on g1 is refused.
    hr = client.put(
        f"/api/people/{CONSTABLE}/goal",
        json={"goal": "PIP level 3"},
        headers={**auth(seeded, "hr"), "If-Match": '"g1"'},
    )
    assert hr.status_code == 200 and hr.headers["ETag"] == '"g2"', hr.text
    stale = problem(
        client.put(
            f"/api/people/{CONSTABLE}/goal",
            json={"goal": "Senior PNAC"},
            headers={**me, "If-Match": '"g1"'},
        ),
        412,
    )
    assert "changed by api:hr" in stale["detail"] and stale["current_version"] == 2
    problem(
        client.put(
            f"/api/people/{CONSTABLE}/goal",
            json={"goal": "Senior PNAC"},
            headers={**me, "If-None-Match": "*"},
        ),
        412,
    )
    assert client.get(f"/api/people/{CONSTABLE}/goal", headers=me).json()["goal"] == "pip.level_3"

    # The goal the API set is the one the pages show and route to.
    route = client.get(f"/api/people/{CONSTABLE}/route", params={"to": "pip.level_3"}, headers=me)
    assert route.status_code == 200

    problem(client.delete(f"/api/people/{CONSTABLE}/goal", headers={**me, "If-Match": '"g1"'}), 412)
    assert (
        client.delete(
            f"/api/people/{CONSTABLE}/goal", headers={**me, "If-Match": '"g2"'}
        ).status_code
        == 204
    )
    problem(client.get(f"/api/people/{CONSTABLE}/goal", headers=me), 404)


def test_bad_goals_and_other_peoples_goals_are_refused(client: TestClient, seeded: Seeded) -> None:
    me = {**auth(seeded, CONSTABLE), "If-None-Match": "*"}
    typo = problem(
        client.put(f"/api/people/{CONSTABLE}/goal", json={"goal": "Superintendant"}, headers=me),
        422,
    )
    assert typo["errors"][0]["field"] == "body.goal" and "did you mean" in typo["detail"]
    problem(
        client.put(f"/api/people/{CONSTABLE}/goal", json={"goal": "x", "extra": 1}, headers=me), 422
    )
    problem(client.put(f"/api/people/{CONSTABLE}/goal", json={"goal": ""}, headers=me), 422)
    problem(client.put(f"/api/people/{CONSTABLE}/goal", json={"goal": "x" * 201}, headers=me), 422)
    bad_tag = {**auth(seeded, CONSTABLE), "If-Match": '"v1"'}
    problem(
        client.put(f"/api/people/{CONSTABLE}/goal", json={"goal": "PIP level 3"}, headers=bad_tag),
        412,
    )
    # Another officer's goal: neither read nor written, whatever is asked.
    problem(client.get(f"/api/people/{OTHER}/goal", headers=auth(seeded, CONSTABLE)), 403)
    problem(client.put(f"/api/people/{OTHER}/goal", json={"goal": "PIP level 3"}, headers=me), 403)
    problem(client.delete(f"/api/people/{OTHER}/goal", headers={**me, "If-Match": '"g1"'}), 403)
    problem(client.get("/api/people/W404/goal", headers=auth(seeded, "hr")), 404)
    problem(client.get(f"/api/people/{CONSTABLE}/goal"), 401)
