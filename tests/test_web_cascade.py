"""The Talent Cascade on the web, for HR: each mentor's mentees, odd pairs, who must have a
mentor and has none, a CSV; and on a mentor's own page (HR's view), how many they mentor."""

from __future__ import annotations

import csv
import html
import io
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from test_cascade import people

from store import Store
from store.users import Users
from web.app import create_app
from web.testing import PASSWORD


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    url = f"sqlite:///{tmp_path_factory.mktemp('webcascade') / 'c.db'}"
    store = Store(url)
    store.save_people(people(), actor="test")
    users = Users(store)
    for role in ("hr", "equality"):
        users.add(role, PASSWORD, role, must_change=False)
    users.add("W000100", PASSWORD, "officer", "W000100", must_change=False)
    store.close()
    with TestClient(create_app(url, workers=1), follow_redirects=False) as c:
        yield c


def signed_in(client: TestClient, username: str) -> TestClient:
    c = TestClient(client.app, follow_redirects=False)
    token = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/login").text)
    assert token
    c.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token[1]})
    return c


def words(text: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", text)).split())


def test_hr_sees_the_cascade_and_its_csv(client: TestClient) -> None:
    hr = signed_in(client, "hr")
    page = hr.get("/reports/talent-cascade?as_of=2009-06-01")
    assert page.status_code == 200
    text = words(page.text)
    assert "3 mentors and 3 mentees" in text
    due = "W000003 (W000003): A mentor for each Equip to Achieve participant. ⏲ due by 2009-06-10"
    assert due in text
    assert "the mentor W999999 has no record" in text
    sheet = hr.get("/reports/talent-cascade.csv?as_of=2009-06-01")
    rows = {r["mentor"]: r for r in csv.DictReader(io.StringIO(sheet.text))}
    assert rows["W000100"]["mentees"] == "1" and rows["W000100"]["mentor_stage"] == "held"
    for who in ("equality", "W000100"):
        c = signed_in(client, who)
        assert c.get("/reports/talent-cascade").status_code == 403
        assert c.get("/reports/talent-cascade.csv").status_code == 403


def test_a_mentors_mentee_count_is_on_their_page_for_hr_only(client: TestClient) -> None:
    hr = signed_in(client, "hr")
    text = words(hr.get("/people/W000100?as_of=2009-05-31").text)
    assert "Talent Cascade: mentors 2 people" in text and "W000002 since 2009-02-01" in text
    own = words(signed_in(client, "W000100").get("/people/W000100?as_of=2009-05-31").text)
    assert "Talent Cascade: mentors" not in own
