"""Background jobs in the API and on the pages, from each role's side: POST /api/jobs is 202
with the job's URL, GET gives progress and then the result, equality data only for equality
and hr, officers never start a run of the workforce and see no names, cancelling is for the
owner or hr, and a report page whose job takes a while goes to the job's progress page and
back."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from api_kit import auth, problem
from fastapi.testclient import TestClient
from test_web_pages import accessible, csrf_of, sign_in

from web.app import create_app
from web.testing import Seeded, seed

pytestmark = pytest.mark.slow  # population runs behind the web app

DAY = "2024-06-01"


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Seeded:
    path: Path = tmp_path_factory.mktemp("webjobs") / "web.db"
    return seed(f"sqlite:///{path}", people=60)


@pytest.fixture(scope="module")
def client(seeded: Seeded) -> Iterator[TestClient]:
    with TestClient(create_app(seeded.url, workers=1), follow_redirects=False) as c:
        yield c


def _finished(client: TestClient, seeded: Seeded, role: str, url: str) -> dict[str, Any]:
    for _ in range(600):
        body: dict[str, Any] = client.get(url, headers=auth(seeded, role)).json()
        if body["state"] not in ("queued", "running"):
            return body
        time.sleep(0.1)
    raise AssertionError(f"{url} did not finish")


def _start(client: TestClient, seeded: Seeded, role: str, kind: str, **params: Any) -> Any:
    return client.post(
        "/api/jobs",
        json={"kind": kind, "params": {"as_of": DAY, **params}},
        headers=auth(seeded, role),
    )


def test_a_job_is_202_with_its_url_then_its_progress_and_result(
    client: TestClient, seeded: Seeded
) -> None:
    r = client.post(
        "/api/jobs",
        json={"kind": "equality", "params": {"as_of": DAY, "by": "gender"}},
        headers=auth(seeded, "equality"),
    )
    assert r.status_code == 202, r.text
    url = r.headers["location"]
    job_id = r.json()["id"]
    assert url == r.json()["url"] == f"/api/jobs/{job_id}"
    assert r.json()["state"] in ("queued", "running", "done")
    assert set(r.json()["progress"]) == {"percent", "done", "total", "seconds_left", "phase"}
    seen = client.get(f"/api/jobs/{job_id}", headers=auth(seeded, "equality"))
    assert seen.status_code == 200 and seen.json()["kind_words"] == "equality monitoring"
    body = _finished(client, seeded, "equality", url)
    assert body["state"] == "done" and body["fresh"] is True
    assert body["progress"]["percent"] == 100 and body["progress"]["done"] == 60
    result = body["result"]
    assert result["by"] == "gender" and result["people"] == 60 and result["stages"]
    assert "library" not in body["params"]
    # The same work again: the finished job, at once.
    again = _start(client, seeded, "equality", "equality", by="gender")
    assert again.status_code == 202 and again.headers["location"] == url
    assert again.json()["state"] == "done"
    listed = client.get("/api/jobs", headers=auth(seeded, "equality")).json()
    assert any(j["url"] == url for j in listed) and all(j["result"] is None for j in listed)
    page = sign_in(TestClient(client.app, follow_redirects=False), "equality")
    r = page.get("/jobs")
    assert r.status_code == 200 and url.removeprefix("/api") in r.text
    accessible(r.text)


def test_equality_jobs_are_for_equality_and_hr_only(client: TestClient, seeded: Seeded) -> None:
    r = _start(client, seeded, "hr", "equality", by="ethnicity")
    assert r.status_code == 202
    url = r.headers["location"]
    _finished(client, seeded, "hr", url)
    for role in ("officer", "admin"):
        problem(_start(client, seeded, role, "equality"), 403)
        problem(_start(client, seeded, role, "trend", stage="promotion.sergeant"), 403)
        problem(_start(client, seeded, role, "population"), 403)
        # Not even whether it exists.
        problem(client.get(url, headers=auth(seeded, role)), 404)
        page = sign_in(
            TestClient(client.app, follow_redirects=False),
            role if role != "officer" else seeded.officer,
        )
        assert page.get(url.removeprefix("/api")).status_code == 404
    problem(client.get(url), 401)
    problem(client.post("/api/jobs", json={"kind": "equality", "params": {}}), 401)


def test_compliance_jobs_give_names_to_hr_only(client: TestClient, seeded: Seeded) -> None:
    problem(_start(client, seeded, "officer", "compliance"), 403)
    problem(_start(client, seeded, "hr", "compliance", window=-1), 422)
    r = _start(client, seeded, "equality", "compliance", window=120, by="gender")
    assert r.status_code == 202, r.text
    url = r.headers["location"]
    body = _finished(client, seeded, "equality", url)
    assert body["state"] == "done" and body["progress"]["done"] == 60, body
    assert body["result"]["entries"] is None and body["result"]["counts"]
    assert body["result"]["window_days"] == 120 and body["result"]["by"] == "gender"
    hr = client.get(url, headers=auth(seeded, "hr")).json()["result"]
    assert isinstance(hr["entries"], list) and hr["counts"] == body["result"]["counts"]


def test_officers_see_pipelines_of_computed_dates_without_names(
    client: TestClient, seeded: Seeded
) -> None:
    other = "2023-01-02"
    body = problem(_start(client, seeded, "officer", "pipeline", as_of=other), 403)
    assert "has not been computed" in body["detail"]
    hr = _start(client, seeded, "hr", "pipeline", as_of=other, target="promotion.sergeant")
    hr_job = _finished(client, seeded, "hr", hr.headers["location"])
    assert hr_job["result"]["total"]["people"] is not None  # hr sees who
    r = _start(client, seeded, "officer", "pipeline", as_of=other, target="promotion.inspector")
    assert r.status_code == 202
    officer_job = _finished(client, seeded, "officer", r.headers["location"])
    assert officer_job["state"] == "done" and officer_job["result"]["total"]["people"] is None
    assert all(row["people"] is None for row in officer_job["result"]["rows"])
    # An officer's view of hr's job shows counts only, too.
    seen = client.get(hr.headers["location"], headers=auth(seeded, "officer")).json()
    assert seen["result"]["total"]["people"] is None


def test_bad_jobs_are_problems_naming_the_field(client: TestClient, seeded: Seeded) -> None:
    body = problem(_start(client, seeded, "hr", "nonsense"), 422)
    assert "population" in body["detail"]
    body = problem(_start(client, seeded, "hr", "equality", by="shoe size"), 422)
    assert body["errors"][0]["field"] == "params.by"
    body = problem(_start(client, seeded, "hr", "population", as_of="2400-01-01"), 422)
    assert "params.as_of" in body["detail"]
    problem(_start(client, seeded, "hr", "population", surprise=1), 422)
    problem(client.post("/api/jobs", json=["not", "an", "object"], headers=auth(seeded, "hr")), 422)
    problem(_start(client, seeded, "hr", "impact", files="x"), 422)
    problem(client.get("/api/jobs/not-a-job", headers=auth(seeded, "hr")), 422)
    problem(client.get("/api/jobs?limit=0", headers=auth(seeded, "hr")), 422)
    problem(client.get("/api/jobs/" + "0" * 32, headers=auth(seeded, "hr")), 404)


def test_a_failed_job_says_why(client: TestClient, seeded: Seeded) -> None:
    r = _start(client, seeded, "equality", "equality", reference="martians")
    body = _finished(client, seeded, "equality", r.headers["location"])
    assert body["state"] == "failed" and "no stated group 'martians'" in body["error"]


def test_impact_previews_through_the_api_are_for_hr(client: TestClient, seeded: Seeded) -> None:
    root = Path(__file__).parent.parent
    text = (root / "examples/impact/before_fsl/senior_leadership.yaml").read_text()
    files = {"senior_leadership.yaml": text}
    problem(_start(client, seeded, "equality", "impact", files=files), 403)
    r = _start(client, seeded, "hr", "impact", files=files)
    assert r.status_code == 202, r.text
    body = _finished(client, seeded, "hr", r.headers["location"])
    assert body["state"] == "done", body
    assert body["result"]["changed_pathways"] == ["senior_leadership"]
    assert "proposed" not in body["params"]  # the files are not sent back
    body = problem(_start(client, seeded, "hr", "impact", files={"x.yaml": "pathway: ["}), 422)
    assert "errors" in body["detail"]


def test_cancel_is_for_the_owner_or_hr(client: TestClient, seeded: Seeded) -> None:
    # A date nobody asked for yet: queued behind nothing, but cancelled at once if quick.
    r = _start(client, seeded, "equality", "population", as_of="2019-03-04")
    job_id = r.json()["id"]
    problem(client.delete(f"/api/jobs/{job_id}", headers=auth(seeded, "officer")), 404)
    other = client.delete(f"/api/jobs/{job_id}", headers=auth(seeded, "hr"))
    assert other.status_code == 200 and other.json()["state"] in (
        "cancelled",
        "running",
        "done",
    )
    mine = _start(client, seeded, "hr", "population", as_of="2019-03-05")
    problem(client.delete(mine.headers["location"], headers=auth(seeded, "equality")), 403)
    page = sign_in(TestClient(client.app, follow_redirects=False), "hr")
    mine_id = mine.json()["id"]
    token = csrf_of(page.get("/jobs").text)
    r = page.post(f"/jobs/{mine_id}/cancel", data={"csrf_token": token})
    assert r.status_code == 303 and r.headers["location"] == f"/jobs/{mine_id}"
    assert page.post(f"/jobs/{mine_id}/cancel", data={"csrf_token": "wrong"}).status_code == 403


def test_a_slow_report_page_shows_its_job_and_comes_back(
    client: TestClient, seeded: Seeded
) -> None:
    page = sign_in(TestClient(client.app, follow_redirects=False), "hr")
    client.app.state.job_wait = 0.0  # type: ignore[attr-defined]
    try:
        r = page.get("/reports/pipeline?target=promotion.sergeant&as_of=2018-05-06")
        assert r.status_code == 303
        job_page = r.headers["location"]
        assert job_page.startswith("/jobs/") and "next=/reports/pipeline" in job_page
        shown = page.get(job_page)
        if shown.status_code == 200:  # still running: its progress, with the script to follow
            accessible(shown.text)
            assert "data-job-api" in shown.text and "/static/jobs.js" in shown.text
            assert '<meta http-equiv="refresh"' in shown.text  # without script
        for _ in range(600):
            shown = page.get(job_page)
            if shown.status_code == 303:
                break
            time.sleep(0.1)
        assert shown.status_code == 303
        back = shown.headers["location"]
        assert back.startswith("/reports/pipeline?") and "as_of=2018-05-06" in back
        report = page.get(back)
        assert report.status_code == 200 and "Sergeant" in report.text
        # Never to another site.
        job_id = job_page.split("?")[0].removeprefix("/jobs/")
        assert page.get(f"/jobs/{job_id}?next=//evil.example/").status_code == 200
    finally:
        client.app.state.job_wait = 120.0  # type: ignore[attr-defined]
