"""The compliance page and its CSV downloads: names for HR only, counts for HR and equality,
nothing for other roles; bad parameters are plain problems."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from test_compliance import db  # noqa: F401  # the store the CLI tests use too

from web.app import create_app
from web.testing import PASSWORD


@pytest.fixture(scope="module")
def client(db: str) -> Iterator[TestClient]:  # noqa: F811
    with TestClient(create_app(db, workers=1), follow_redirects=False) as c:
        yield c


def signed_in(client: TestClient, username: str) -> TestClient:
    c = TestClient(client.app, follow_redirects=False)
    token = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/login").text)
    assert token
    c.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token[1]})
    return c


def words(text: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", text).split())


def test_hr_sees_who_must_act_and_equality_only_counts(client: TestClient) -> None:
    hr = signed_in(client, "hr")
    page = hr.get("/reports/compliance?as_of=2013-05-01")
    assert page.status_code == 200
    text = words(page.text)
    assert "Who must act" in text and "Officer W000001 (W000001)" in text
    assert "overdue: it was due by 2013-02-28" in text and "act by 2013-05-31" in text
    equality = signed_in(client, "equality")
    page = equality.get("/reports/compliance?as_of=2013-05-01")
    assert page.status_code == 200
    assert "Who must act" not in page.text and "W000001" not in page.text
    assert "by ethnicity" in words(page.text)
    for who in ("admin", "W000001"):
        assert signed_in(client, who).get("/reports/compliance").status_code == 403


def test_compliance_csv_for_each_role(client: TestClient) -> None:
    hr = signed_in(client, "hr")
    people = hr.get("/reports/compliance.csv?as_of=2013-12-31&table=people")
    assert people.status_code == 200
    rows = list(csv.DictReader(io.StringIO(people.text)))
    assert {r["person"] for r in rows} == {"W000001", "W000002", "W000003"}
    assert next(r for r in rows if r["person"] == "W000003")["name"] == "'=HYPERLINK(1)"
    equality = signed_in(client, "equality")
    assert equality.get("/reports/compliance.csv?table=people").status_code == 403
    groups = equality.get("/reports/compliance.csv?as_of=2013-05-01&table=groups")
    assert "W0000" not in groups.text and "specialist_crime" in groups.text
    counts = equality.get("/reports/compliance.csv?as_of=2013-05-01&table=equality&by=gender")
    assert counts.status_code == 200 and "[c]" in counts.text
    bad = equality.get("/reports/compliance.csv?table=everything")
    assert bad.status_code == 422
    assert equality.get("/reports/compliance?by=height").status_code == 422


def test_the_library_page_lists_a_pathways_obligations(client: TestClient) -> None:
    text = words(signed_in(client, "hr").get("/library/pathways/fsl").text)
    assert "Attend the Foundation for Senior Leadership fsl_for_chief_inspectors" in text
    assert "Applies to: A chief inspector." in text
    assert (
        "Must: Attended every stage of the Foundation for Senior Leadership, within 24 months "
        "of promotion to the current rank." in text
    )
