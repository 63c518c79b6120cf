"""Report pages: succession pipeline (counts for all, names for hr) and equality monitoring
(equality and hr only), their charts, tables and CSV downloads."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from test_web_pages import accessible, csrf_of, sign_in

from web.app import create_app
from web.testing import Seeded, seed

# Slow: 80 people and a population run behind each report (make test-fast leaves these out).
pytestmark = pytest.mark.slow

DAY = "2024-06-01"


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Seeded:
    path: Path = tmp_path_factory.mktemp("webreports") / "web.db"
    return seed(f"sqlite:///{path}", people=80)


@pytest.fixture(scope="module")
def app_client(seeded: Seeded) -> Iterator[TestClient]:
    with TestClient(create_app(seeded.url, workers=1), follow_redirects=False) as c:
        yield c


def as_role(app_client: TestClient, seeded: Seeded, role: str) -> TestClient:
    name = seeded.officer if role == "officer" else role
    return sign_in(TestClient(app_client.app, follow_redirects=False), name)


def test_equality_report_for_equality_and_hr_only(app_client: TestClient, seeded: Seeded) -> None:
    for role in ("equality", "hr"):
        r = as_role(app_client, seeded, role).get(
            f"/reports/equality?pathway=promotion&as_of={DAY}"
        )
        assert r.status_code == 200, r.text
        accessible(r.text)
        assert (
            "Sergeant (Promotion ladder) by ethnicity (promotion.sergeant)" in r.text
            and "<svg" in r.text
        )
        assert "Projection: BME superintendents" in r.text
        assert "Rated over: police officers in post on 2024-06-01 who hold Constable" in r.text
        assert "BME (black and minority ethnic groups together)" in r.text
    for role in ("officer", "admin"):
        c = as_role(app_client, seeded, role)
        assert c.get(f"/reports/equality?as_of={DAY}").status_code == 403
        assert c.get(f"/reports/equality.csv?as_of={DAY}").status_code == 403
    assert (
        TestClient(app_client.app, follow_redirects=False).get("/reports/equality").status_code
        == 303
    )


def test_equality_csv_is_suppressed_and_consistent(app_client: TestClient, seeded: Seeded) -> None:
    r = as_role(app_client, seeded, "equality").get(
        f"/reports/equality.csv?pathway=promotion&by=gender&as_of={DAY}"
    )
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert rows and {row["stage"].split(".")[0] for row in rows} == {"promotion"}
    constable = [row for row in rows if row["stage"] == "promotion.constable"]
    assert {row["pool"] for row in constable} == {f"police officers in post on {DAY}"}
    everyone = next(row for row in constable if row["group"] == "all")
    assert int(everyone["people_in_pool"]) <= 80  # officers only
    for row in rows:
        if "[c]" in (row["people_in_pool"], row["held_or_eligible"]):
            assert row["rate"] == "" and row["ratio_to_reference"] == ""
        assert row["reference_group"] not in ("not_stated", "not_recorded")


def test_equality_reference_picker(app_client: TestClient, seeded: Seeded) -> None:
    c = as_role(app_client, seeded, "equality")
    r = c.get(f"/reports/equality?pathway=promotion&by=gender&reference=male&as_of={DAY}")
    assert r.status_code == 200
    accessible(r.text)
    assert '<option value="male" selected>Men</option>' in r.text
    assert "Reference: Men (chosen)" in r.text or "No comparison" in r.text
    assert c.get(f"/reports/equality?by=gender&reference=not_stated&as_of={DAY}").status_code == 422
    crossed = c.get(f"/reports/equality?pathway=promotion&by=ethnicity%2Bgender&as_of={DAY}")
    assert crossed.status_code == 200 and "by ethnicity and gender" in crossed.text


def test_equality_bad_requests(app_client: TestClient, seeded: Seeded) -> None:
    c = as_role(app_client, seeded, "hr")
    assert c.get(f"/reports/equality?by=religion&as_of={DAY}").status_code == 422
    assert c.get(f"/reports/equality?pathway=nope&as_of={DAY}").status_code == 404
    assert c.get("/reports/equality?as_of=2024-13-01").status_code == 422


@pytest.mark.slow  # five population runs
def test_equality_trend_over_five_years(app_client: TestClient, seeded: Seeded) -> None:
    r = as_role(app_client, seeded, "hr").get(
        f"/reports/equality?pathway=promotion&as_of={DAY}&trend_stage=promotion.sergeant"
    )
    assert r.status_code == 200
    assert "Trend:" in r.text
    for year in (2020, 2021, 2022, 2023, 2024):
        assert f'<th scope="row">{year}-06-01</th>' in r.text


def test_pipeline_names_people_for_hr_only(app_client: TestClient, seeded: Seeded) -> None:
    hr = as_role(app_client, seeded, "hr").get(
        f"/reports/pipeline?target=promotion.sergeant&as_of={DAY}"
    )
    assert hr.status_code == 200
    accessible(hr.text)
    assert "Pipeline by business group" in hr.text and "<svg" in hr.text
    officer = as_role(app_client, seeded, "officer").get(
        f"/reports/pipeline?target=promotion.sergeant&as_of={DAY}"
    )
    assert officer.status_code == 200 and "counts only" in officer.text
    assert (
        "<h2>People</h2>" not in officer.text
        and 'href="/people/' not in officer.text.split("</nav>")[1]
    )
    rows = list(
        csv.DictReader(
            io.StringIO(
                as_role(app_client, seeded, "hr")
                .get(f"/reports/pipeline.csv?target=promotion.sergeant&as_of={DAY}")
                .text
            )
        )
    )
    assert rows[-1]["business_group"] == "all" and "held_people" in rows[-1]
    officer_csv = (
        as_role(app_client, seeded, "officer")
        .get(f"/reports/pipeline.csv?target=promotion.sergeant&as_of={DAY}")
        .text
    )
    assert "held_people" not in officer_csv


def test_pipeline_unknown_target_is_404(app_client: TestClient, seeded: Seeded) -> None:
    r = as_role(app_client, seeded, "hr").get(
        f"/reports/pipeline?target=promotion.sergent&as_of={DAY}"
    )
    assert r.status_code == 404 and "promotion.sergeant" in r.text


@pytest.mark.slow  # two population runs
def test_hr_sees_the_impact_of_a_rule_change_before_publishing(
    app_client: TestClient, seeded: Seeded
) -> None:
    from accreditation.io import load_record
    from pathways import SHIPPED_LIBRARY

    root = Path(__file__).parent.parent
    store = app_client.app.state.store  # type: ignore[attr-defined]
    store.save_people([load_record(root / "examples" / "superintendent_spnac.json")], actor="test")
    hr = as_role(app_client, seeded, "hr")
    token = csrf_of(hr.get("/library/upload").text)
    before_fsl = (root / "examples/impact/before_fsl/senior_leadership.yaml").read_text()
    checked = hr.post(
        "/library/check",
        data={"csrf_token": token, "name": "senior_leadership.yaml", "text": before_fsl},
    )
    assert checked.status_code == 200 and "Show who gains and who loses" in checked.text
    r = hr.post(
        "/library/impact",
        data={
            "csrf_token": token,
            "name": "senior_leadership.yaml",
            "text": before_fsl,
            "as_of": "2010-04-01",
        },
    )
    # A background job (two population runs): its page shows the report when it is done.
    assert r.status_code == 303 and r.headers["location"].startswith("/jobs/"), r.text
    r = hr.get(r.headers["location"])
    assert r.status_code == 200, r.text
    if "data-job-api" in r.text:  # still running: its page follows it
        r = hr.get(r.url.path)
        assert "Running" in r.text or "Waiting" in r.text or "data-job-api" not in r.text
    text = _finished(hr, r.url.path)
    accessible(text)
    assert "Senior Police National Assessment Centre" in text and "(1 gain, 0 lose)" in text
    assert "senior_leadership.spnac" in text and "Equality tables over the pool" in text
    assert 'href="/people/W204817"' in text and "by ethnicity" in text.lower()
    assert "Publish as a new version" in text
    unchanged = (SHIPPED_LIBRARY / "senior_leadership.yaml").read_text()
    r = hr.post(
        "/library/impact",
        data={"csrf_token": token, "name": "senior_leadership.yaml", "text": unchanged},
    )
    assert "nobody is affected" in _finished(hr, r.headers["location"])
    assert (
        hr.post(
            "/library/impact",
            data={"csrf_token": token, "name": "x.yaml", "text": "x", "as_of": "soon"},
        ).status_code
        == 422
    )
    assert (
        hr.post(
            "/library/impact", data={"name": "senior_leadership.yaml", "text": unchanged}
        ).status_code
        == 403
    )
    officer = as_role(app_client, seeded, "officer")
    assert (
        officer.post(
            "/library/impact",
            data={
                "csrf_token": csrf_of(officer.get(f"/people/{seeded.officer}").text),
                "name": "a.yaml",
                "text": "x",
            },
        ).status_code
        == 403
    )


def _finished(client: TestClient, page: str) -> str:
    """A job page's text once the job is done (the test app's worker runs it)."""
    import time

    for _ in range(600):
        text = client.get(page).text
        if "data-job-api" not in text:
            return text
        time.sleep(0.1)
    raise AssertionError(f"{page} did not finish")
