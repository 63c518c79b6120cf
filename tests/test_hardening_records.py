"""Issue 14, item 2: concurrent record edits. ``GET /api/people/{id}`` sends the record's
version as its ``ETag``; ``PUT`` and ``DELETE`` honour ``If-Match`` (412 on a stale
version, naming who changed it; 428 when an API token sends none), and the compare-and-set
happens in the store in one transaction, so of two writers that read one version the
second is told. On SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hardening import bearer, csrf_of, sign_in

from store import StaleRecord, Store
from store.users import Users
from web.app import create_app
from web.testing import PASSWORD, Seeded, seed

TRIES = 5


@pytest.fixture
def seeded(db_url: str) -> Seeded:
    seeded = seed(db_url, people=4)
    store = Store(db_url)
    try:
        users = Users(store)
        users.add("hr-b", PASSWORD, "hr", must_change=False)
        seeded.tokens["hr-b"] = users.new_token("hr-b", "second hr")
    finally:
        store.close()
    return seeded


@pytest.fixture
def client(seeded: Seeded) -> Iterator[TestClient]:
    with TestClient(create_app(seeded.url, workers=1), follow_redirects=False) as c:
        yield c


def _at_once(*calls: Any) -> list[Any]:
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(i: int) -> None:
        barrier.wait()
        results[i] = calls[i]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def _renamed(client: TestClient, seeded: Seeded, name: str) -> tuple[dict[str, Any], str]:
    got = client.get(f"/api/people/{seeded.other}", headers=bearer(seeded, "hr"))
    assert got.status_code == 200
    return {**got.json(), "name": name}, got.headers["etag"]


def test_two_puts_from_one_version_one_wins_the_other_is_told(
    client: TestClient, seeded: Seeded
) -> None:
    for i in range(TRIES):
        first, tag = _renamed(client, seeded, f"First {i}")
        second = {**first, "name": f"Second {i}"}
        url = f"/api/people/{seeded.other}"

        def put(body: dict[str, Any], who: str, url: str = url, tag: str = tag) -> Any:
            return client.put(url, json=body, headers={**bearer(seeded, who), "If-Match": tag})

        a, b = _at_once(
            lambda first=first: put(first, "hr"), lambda second=second: put(second, "hr-b")
        )
        assert sorted([a.status_code, b.status_code]) == [200, 412], (a.text, b.text)
        won, lost = (a, b) if a.status_code == 200 else (b, a)
        problem = lost.json()
        assert problem["changed_by"] in ("web:hr", "web:hr-b") and problem["changed_at"]
        assert lost.headers["etag"] == won.headers["etag"]
        kept = client.get(url, headers=bearer(seeded, "hr")).json()["name"]
        assert kept == (first if won is a else second)["name"]  # the winner's change stays


def test_a_stale_put_names_who_changed_the_record(client: TestClient, seeded: Seeded) -> None:
    mine, tag = _renamed(client, seeded, "Mine")
    theirs, _ = _renamed(client, seeded, "Theirs")
    url = f"/api/people/{seeded.other}"
    r = client.put(url, json=theirs, headers={**bearer(seeded, "hr-b"), "If-Match": tag})
    assert r.status_code == 200 and r.headers["etag"] != tag
    r = client.put(url, json=mine, headers={**bearer(seeded, "hr"), "If-Match": tag})
    assert r.status_code == 412
    assert r.json()["changed_by"] == "web:hr-b" and "web:hr-b" in r.json()["detail"]
    assert client.get(url, headers=bearer(seeded, "hr")).json()["name"] == "Theirs"


def test_an_api_token_must_say_which_version_it_changes(client: TestClient, seeded: Seeded) -> None:
    record, _ = _renamed(client, seeded, "No precondition")
    url = f"/api/people/{seeded.other}"
    assert client.put(url, json=record, headers=bearer(seeded, "hr")).status_code == 428
    assert client.delete(url, headers=bearer(seeded, "hr")).status_code == 428
    bad = {**bearer(seeded, "hr"), "If-Match": '"nonsense"'}
    assert client.put(url, json=record, headers=bad).status_code == 412
    new = {**record, "id": "W123999"}
    create = {**bearer(seeded, "hr"), "If-None-Match": "*"}
    assert client.put("/api/people/W123999", json=new, headers=create).status_code == 201
    assert client.put("/api/people/W123999", json=new, headers=create).status_code == 412


def test_a_stale_delete_deletes_nothing(client: TestClient, seeded: Seeded) -> None:
    record, tag = _renamed(client, seeded, "Changed before the delete")
    url = f"/api/people/{seeded.other}"
    hr = bearer(seeded, "hr")
    assert client.put(url, json=record, headers={**hr, "If-Match": tag}).status_code == 200
    assert client.delete(url, headers={**hr, "If-Match": tag}).status_code == 412
    assert client.get(url, headers=hr).status_code == 200


def test_a_signed_in_person_may_write_without_a_precondition(
    client: TestClient, seeded: Seeded
) -> None:
    """A session at the browser has just read the record; the CSRF header guards it."""
    page = TestClient(client.app, follow_redirects=False)
    sign_in(page, "hr")
    token = csrf_of(page.get("/people").text)
    record, _ = _renamed(client, seeded, "By a person")
    r = page.put(f"/api/people/{seeded.other}", json=record, headers={"X-CSRF-Token": token})
    assert r.status_code == 200


def test_the_store_compare_and_set(db_url: str) -> None:
    seeded = seed(db_url, people=2)
    store = Store(db_url)
    try:
        found = store.person_and_version(seeded.other)
        assert found is not None
        person, version = found
        results: list[Any] = []

        def write(name: str) -> None:
            try:
                results.append(
                    store.replace_person(person.model_copy(update={"name": name}), name, version)
                )
            except StaleRecord as exc:
                results.append(exc)

        _at_once(lambda: write("a"), lambda: write("b"))
        assert sum(isinstance(r, StaleRecord) for r in results) == 1
        stale = next(r for r in results if isinstance(r, StaleRecord))
        assert stale.current == version + 1 and stale.changed_by in ("a", "b")
    finally:
        store.close()
