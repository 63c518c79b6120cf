"""Key posts on the web, for HR only: add (a wrong business group or stage gets "did you
mean"), change with the version the page saw (a second writer is told: 409), retire, the
trail; the report with its CSV and the quarterly snapshot (kept once: then 409)."""

from __future__ import annotations

import csv
import html
import io
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from test_keyposts import constable, sergeant

from store import Store
from store.users import Users
from web.app import create_app
from web.testing import PASSWORD

TP = "territorial_policing"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    url = f"sqlite:///{tmp_path_factory.mktemp('webkp') / 'k.db'}"
    store = Store(url)
    store.save_people(
        [
            constable("W000001", "2022-06-01"),
            constable("W000002", "2022-12-01"),
            sergeant("W000007", TP),
            sergeant("W000008", "specialist_crime"),
        ],
        actor="test",
    )
    users = Users(store)
    for role in ("hr", "equality", "admin"):
        users.add(role, PASSWORD, role, must_change=False)
    users.add("W000001", PASSWORD, "officer", "W000001", must_change=False)
    store.close()
    with TestClient(create_app(url, workers=1), follow_redirects=False) as c:
        yield c


def signed_in(client: TestClient, username: str) -> TestClient:
    c = TestClient(client.app, follow_redirects=False)
    c.post(
        "/login", data={"username": username, "password": PASSWORD, "csrf_token": csrf(c, "/login")}
    )
    return c


def csrf(c: TestClient, path: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', c.get(path).text)
    assert found
    return found[1]


def words(text: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", text)).split())


def test_hr_adds_changes_and_retires_a_key_post_with_its_trail(client: TestClient) -> None:
    hr = signed_in(client, "hr")
    page = hr.get("/key-posts")
    assert page.status_code == 200 and "No key posts yet" in page.text
    token = csrf(hr, "/key-posts")
    form = {"csrf_token": token, "post": "Custody sergeant", "holder": "W000007"}
    bad = hr.post("/key-posts", data=form | {"business_group": "territorial_polcing",
                                             "stage": "Sergeant"})  # fmt: skip
    assert bad.status_code == 422
    assert "did you mean 'territorial_policing'?" in words(bad.text)
    assert 'value="Custody sergeant"' in bad.text  # what was typed is kept
    made = hr.post("/key-posts", data=form | {"business_group": TP, "stage": "Sergeant"})
    assert made.status_code == 303
    post_id = made.headers["location"].rsplit("/", 1)[1]
    where = f"/key-posts/{post_id}"
    post_page = hr.get(where)
    assert "a successor holds Sergeant" in words(post_page.text)
    change = {
        "csrf_token": token,
        "post": "Custody sergeant",
        "business_group": TP,
        "stage": "promotion.sergeant",
        "holder": "",
        "version": "1",
    }
    assert hr.post(where, data=change).status_code == 303
    stale = hr.post(where, data=change | {"holder": "W000002"})
    assert stale.status_code == 409
    assert "changed by web:hr" in words(stale.text) and "the holder is now none" in stale.text
    trail = words(hr.get(where).text)
    assert "changed holder: W000007 holder: none" in trail and "added" in trail
    retire = hr.post(where, data={"csrf_token": token, "version": "2", "action": "retire"})
    assert retire.status_code == 303
    assert "retired" in words(hr.get(where).text)


def test_the_report_its_csv_and_the_quarterly_snapshot(client: TestClient) -> None:
    hr = signed_in(client, "hr")
    token = csrf(hr, "/key-posts")
    hr.post(
        "/key-posts",
        data={
            "csrf_token": token,
            "post": "=SUM(1) Response sergeant",
            "business_group": TP,
            "stage": "promotion.sergeant",
            "holder": "W000007",
        },
    )
    page = hr.get("/reports/key-posts?as_of=2024-06-01")
    assert page.status_code == 200
    text = words(page.text)
    assert "=SUM(1) Response sergeant" in text and "Ready now 2" in text  # W000001, W000008
    assert "Within 6 months 1 Officer" not in text and "W000002" in text
    sheet = hr.get("/reports/key-posts.csv?as_of=2024-06-01")
    rows = list(csv.DictReader(io.StringIO(sheet.text)))
    # A name typed as a formula stays text in a spreadsheet.
    row = next(r for r in rows if r["post"] == "'=SUM(1) Response sergeant")
    assert (row["ready_now"], row["within_6_months"], row["no_ready_successor"]) == (
        "2",
        "1",
        "False",
    )
    keep = {"csrf_token": token, "as_of": "2024-06-01"}
    assert hr.post("/reports/key-posts/snapshot", data=keep).status_code == 303
    again = hr.post("/reports/key-posts/snapshot", data=keep | {"as_of": "2024-05-01"})
    assert again.status_code == 409 and "was kept by web:hr" in words(again.text)
    replaced = hr.post("/reports/key-posts/snapshot", data=keep | {"replace": "yes"})
    assert replaced.status_code == 303
    later = words(hr.get("/reports/key-posts?as_of=2024-12-01").text)
    assert "compared with the snapshot for 2024-Q2" in later
    assert "Since 2024-Q2: ready now 2 → 3" in later
    bad = hr.post("/reports/key-posts/snapshot", data=keep | {"as_of": "1 June"})
    assert bad.status_code == 422


def test_only_hr_may_see_or_change_key_posts(client: TestClient) -> None:
    for who in ("equality", "admin", "W000001"):
        c = signed_in(client, who)
        token = csrf(c, "/account")
        for path in ("/key-posts", "/key-posts/1", "/reports/key-posts", "/reports/key-posts.csv"):
            assert c.get(path).status_code == 403, (who, path)
        for path in ("/key-posts", "/key-posts/1", "/reports/key-posts/snapshot"):
            r = c.post(path, data={"csrf_token": token, "as_of": "2024-06-01", "version": "1"})
            assert r.status_code == 403, (who, path)
    hr = signed_in(client, "hr")
    assert hr.post("/key-posts", data={"post": "x"}).status_code == 403  # no CSRF token
    assert hr.get("/key-posts/999").status_code == 404
