"""HR's records to check: the page, the person page's section, the pathway page's note;
officers cannot open the page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from test_data_quality import TRAINING, analyst

from store import Store
from web.app import create_app
from web.testing import PASSWORD, Seeded, seed


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Seeded:
    path: Path = tmp_path_factory.mktemp("webdq") / "web.db"
    made = seed(f"sqlite:///{path}")
    store = Store(made.url)
    store.save_people([analyst("S900001"), analyst("S900002", trained=True)], actor="test")
    store.close()
    return made


@pytest.fixture(scope="module")
def app(seeded: Seeded) -> Iterator[TestClient]:
    with TestClient(create_app(seeded.url, workers=1), follow_redirects=False) as c:
        yield c


def signed_in(app: TestClient, username: str) -> TestClient:
    c = TestClient(app.app, follow_redirects=False)
    token = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/login").text)
    assert token
    r = c.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token[1]})
    assert r.status_code == 303
    return c


def test_hr_sees_records_to_check(app: TestClient, seeded: Seeded) -> None:
    hr = signed_in(app, seeded.hr)
    r = hr.get("/data-quality?as_of=2024-06-01&stage=analyst.intelligence_analyst")
    assert r.status_code == 200, r.text
    assert '<a href="/people/S900001?as_of=2024-06-01#data-quality">S900001</a>' in r.text
    assert "S900002" not in r.text
    assert TRAINING in r.text
    assert "Checked 14 records" in r.text and "of 14" in r.text
    assert 'href="/data-quality"' in hr.get("/people").text  # in HR's navigation
    missing = hr.get("/data-quality?stage=analyst.nope", headers={"Accept": "text/html"})
    assert missing.status_code == 404


def test_the_page_goes_on_after_the_last_record_checked(
    app: TestClient, seeded: Seeded, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("web.dataquality.PAGE", 5)
    hr = signed_in(app, seeded.hr)
    first = hr.get("/data-quality?as_of=2024-06-01")
    assert "Checked 5 records" in first.text
    found = re.search(r'href="(/data-quality\?[^"]*after=([^"&]+))"', first.text)
    assert found, "no link to the next records"
    following = hr.get(found[1].replace("&amp;", "&"))
    assert following.status_code == 200 and f"({found[2]}" not in following.text


def test_the_person_page_shows_hr_what_to_check(app: TestClient, seeded: Seeded) -> None:
    hr = signed_in(app, seeded.hr)
    page = hr.get("/people/S900001?as_of=2024-06-01")
    assert 'id="data-quality"' in page.text and TRAINING in page.text
    clean = hr.get("/people/S900002?as_of=2024-06-01")
    assert 'id="data-quality"' not in clean.text
    pathway = hr.get("/people/S900001/pathways/analyst?as_of=2024-06-01")
    assert "Held on the award alone: the record does not show" in pathway.text


def test_officers_cannot_open_records_to_check(app: TestClient, seeded: Seeded) -> None:
    officer = signed_in(app, seeded.officer)
    r = officer.get("/data-quality", headers={"Accept": "text/html"})
    assert r.status_code == 403
