"""HR's record page: two people editing one record, the second is told (issue 14, item 2).

Each test drives the real app (SQLite store, real sign-in and CSRF) through two browsers
signed in as two HR users: the second save, made on the version both opened, must not
overwrite the first; the page says who changed it and when, shows the differences and
keeps the typed text on top of the new version.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from store.store import Store
from store.users import Users
from web.app import create_app
from web.testing import PASSWORD, Seeded, seed

pytestmark = pytest.mark.slow  # an app of its own and three argon2 sign-ins


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Seeded:
    path: Path = tmp_path_factory.mktemp("recordedit") / "web.db"
    found = seed(f"sqlite:///{path}")
    store = Store(found.url)
    try:
        Users(store).add("hr2", PASSWORD, "hr", must_change=False)
    finally:
        store.close()
    return found


@pytest.fixture(scope="module")
def app(seeded: Seeded) -> Iterator[TestClient]:
    with TestClient(create_app(seeded.url, workers=1), follow_redirects=False) as c:
        yield c


def _signed_in(app: TestClient, username: str) -> TestClient:
    c = TestClient(app.app, follow_redirects=False)
    token = _field(c.get("/login").text, "csrf_token")
    r = c.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token})
    assert r.status_code == 303, r.text
    return c


def _field(page: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert found, f"no {name} in the page"
    return html.unescape(found.group(1))


def _text(page: str) -> str:
    found = re.search(r'<textarea id="record-text"[^>]*>(.*?)</textarea>', page, re.S)
    assert found, "no record text in the page"
    return html.unescape(found.group(1))


def _save(c: TestClient, person_id: str, page: str, text: str) -> object:
    return c.post(
        f"/people/{person_id}/record",
        data={
            "csrf_token": _field(page, "csrf_token"),
            "version": _field(page, "version"),
            "text": text,
        },
    )


def _renamed(text: str, name: str) -> str:
    data = json.loads(text)
    data["name"] = name
    return json.dumps(data, indent=2)


def test_the_second_of_two_editors_is_told_and_nothing_is_lost(
    app: TestClient, seeded: Seeded
) -> None:
    a, b = _signed_in(app, "hr"), _signed_in(app, "hr2")
    pid = seeded.other
    page_a, page_b = a.get(f"/people/{pid}/record").text, b.get(f"/people/{pid}/record").text
    opened = int(_field(page_a, "version"))
    assert _field(page_b, "version") == str(opened)

    first = _save(a, pid, page_a, _renamed(_text(page_a), "Changed By A"))
    assert first.status_code == 303, first.text  # type: ignore[attr-defined]
    second = _save(b, pid, page_b, _renamed(_text(page_b), "Changed By B"))
    body = second.text  # type: ignore[attr-defined]
    assert second.status_code == 409, body  # type: ignore[attr-defined]
    assert "Someone else changed this record since you opened it" in body
    assert f"Version {opened + 1} was saved by hr (web)" in body
    assert "Nothing was saved" in body
    # The differences: A's name is what is there now (-), B's typed one is theirs (+).
    shown = html.unescape(body)
    assert re.search(r'class="del">-\s*"name": "Changed By A"', shown), shown
    assert re.search(r'class="add">\+\s*"name": "Changed By B"', shown), shown
    # B's text is kept, now on top of A's version, so B re-applies knowingly.
    assert "Changed By B" in _text(body) and _field(body, "version") == str(opened + 1)

    store = Store(seeded.url)
    try:
        stored = store.person_and_version(pid)
    finally:
        store.close()
    assert stored is not None and stored[0].name == "Changed By A" and stored[1] == opened + 1

    again = _save(b, pid, body, _text(body))
    assert again.status_code == 303, again.text  # type: ignore[attr-defined]
    final = b.get(f"/people/{pid}/record?saved={opened + 2}").text
    assert "Saved: the record is now at version " + str(opened + 2) in final
    assert "Last changed by hr2 (web)" in final and '"name": "Changed By B"' in html.unescape(final)


def test_bad_text_is_refused_with_where_and_nothing_changes(
    app: TestClient, seeded: Seeded
) -> None:
    a = _signed_in(app, "hr")
    pid = seeded.other
    page = a.get(f"/people/{pid}/record").text
    before = _text(page)
    cases = {
        '{"id": "' + pid + '",\n  "kind" "officer"}': "line 2, column 10: not valid JSON",
        "[1, 2]": "a record is one JSON object",
        _renamed(before, "x").replace(f'"id": "{pid}"', '"id": "W000001"'): "is not this record",
        before.replace('"ranks"', '"rank"', 1): "unknown field",
        "[" * 100_000: "nested too deeply",
    }
    for text, message in cases.items():
        r = _save(a, pid, page, text)
        assert r.status_code == 422, (text[:40], r.status_code)  # type: ignore[attr-defined]
        assert "Nothing was saved" in r.text and message in html.unescape(r.text), r.text  # type: ignore[attr-defined]
        assert _text(r.text) == text  # type: ignore[attr-defined]  # the typed text is kept
    assert _text(a.get(f"/people/{pid}/record").text) == before


def test_only_hr_opens_or_saves_records(app: TestClient, seeded: Seeded) -> None:
    hr = _signed_in(app, "hr")
    page = hr.get(f"/people/{seeded.other}/record").text
    for who in (seeded.officer, "equality", "admin"):
        c = _signed_in(app, who)
        assert c.get(f"/people/{seeded.officer}/record").status_code == 403
        mine = c.get("/account").text  # any page of theirs, for their own CSRF token
        r = c.post(
            f"/people/{seeded.other}/record",
            data={"csrf_token": _field(mine, "csrf_token"), "version": _field(page, "version"),
                  "text": _renamed(_text(page), "Taken over")},
        )  # fmt: skip
        assert r.status_code == 403, (who, r.text)
    # HR's own form, replayed without the session's CSRF token, is refused too.
    r = hr.post(f"/people/{seeded.other}/record", data={"version": "1", "text": "{}"})
    assert r.status_code == 403
    assert "Taken over" not in _text(hr.get(f"/people/{seeded.other}/record").text)
    assert hr.get("/people/W999999/record").status_code == 404
