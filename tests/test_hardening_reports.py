"""Issue 14, item 6: whole-workforce runs on demand. Officers see reports only for dates
hr or equality have computed (they can never start a run); hr and equality may compute any
date; at most one run per (library version, date) happens at a time, and a second request
for it waits for the first and shares its result."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hardening import sign_in

import web.runs
import workforce.jobs.worker
from web.app import create_app
from web.testing import Seeded, seed


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Seeded:
    return seed(f"sqlite:///{tmp_path_factory.mktemp('hardening-runs') / 'web.db'}", people=12)


@pytest.fixture(scope="module")
def app_client(seeded: Seeded) -> Iterator[TestClient]:
    with TestClient(create_app(seeded.url, workers=1), follow_redirects=False) as c:
        yield c


def _as(app_client: TestClient, who: str) -> TestClient:
    c = TestClient(app_client.app, follow_redirects=False)
    sign_in(c, who)
    return c


@pytest.fixture
def runs_started(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Each run of the whole workforce started, with its date (the real run still happens):
    by the JSON report routes (web.runs) or by a report page's background job (its worker).
    An officer's job that only reads a computed date from the cache (``decide_at_most``)
    starts no run."""
    started: list[Any] = []
    real = web.runs.evaluate_population

    def counted(store: Any, paths: Any, as_of: Any, **kwargs: Any) -> Any:
        if kwargs.get("decide_at_most") is None:
            started.append(as_of)
        return real(store, paths, as_of, **kwargs)

    monkeypatch.setattr(web.runs, "evaluate_population", counted)
    monkeypatch.setattr(workforce.jobs.worker, "evaluate_population", counted)
    return started


def test_an_officer_cannot_start_a_run(
    app_client: TestClient, seeded: Seeded, runs_started: list[Any]
) -> None:
    officer = _as(app_client, seeded.officer)
    for url in (
        "/reports/pipeline?as_of=2019-03-01",
        "/reports/pipeline.csv?as_of=2019-03-02",
        "/reports/pipeline",  # nothing computed yet: no latest date either
    ):
        r = officer.get(url)
        assert r.status_code == 403, (url, r.status_code)
    assert runs_started == []


def test_an_officer_sees_the_dates_hr_or_equality_computed(
    app_client: TestClient, seeded: Seeded, runs_started: list[Any]
) -> None:
    equality = _as(app_client, "equality")
    assert equality.get("/reports/pipeline?as_of=2021-06-01").status_code == 200
    officer = _as(app_client, seeded.officer)
    r = officer.get("/reports/pipeline?as_of=2021-06-01")
    assert r.status_code == 200 and "2021-06-01" in r.text
    latest = officer.get("/reports/pipeline")
    assert latest.status_code == 200 and "2021-06-01" in latest.text
    refused = officer.get("/reports/pipeline?as_of=2021-06-02")
    assert refused.status_code == 403 and "2021-06-01" in refused.text  # says what there is
    assert runs_started == [__import__("datetime").date(2021, 6, 1)]


def test_one_run_per_date_at_a_time(
    app_client: TestClient, seeded: Seeded, runs_started: list[Any]
) -> None:
    hr, equality = _as(app_client, "hr"), _as(app_client, "equality")
    barrier = threading.Barrier(4)
    codes: list[int] = []

    def ask(c: TestClient) -> None:
        barrier.wait()
        codes.append(c.get("/reports/pipeline?as_of=2022-02-01").status_code)

    threads = [threading.Thread(target=ask, args=(c,)) for c in (hr, equality, hr, equality)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(300)
    assert codes == [200] * 4
    assert len(runs_started) == 1  # three waited for the first and shared its run
