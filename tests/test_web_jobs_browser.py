"""In a real browser (Playwright on Debian's chromium, against ``python -m cli serve``): a
report whose job runs a while shows the job's progress, which moves as the job runs
(static/jobs.js, under the strict CSP), then the report itself. Screenshots at desktop and
phone widths in tests/artifacts/."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from live_server import serving
from test_web_browser import ARGS, ARTIFACTS, CHROMIUM, _sign_in

from web.testing import Seeded, seed
from workforce.jobs.worker import PACE_ENV

pytestmark = [
    pytest.mark.slow,  # a browser and a server with population runs
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(), reason="needs Debian's chromium: run scripts/system-deps.sh"
    ),
]
PEOPLE = 6000


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Seeded]]:
    tmp = tmp_path_factory.mktemp("webjobsbrowser")
    seeded = seed(f"sqlite:///{tmp / 'web.db'}", people=PEOPLE)
    # Pages go to the job's progress at once (no waiting on the server's side). Each step
    # of a run's progress waits 0.4 s (12 steps of 500 people): the run is over in a moment
    # otherwise, before the page has seen it move.
    env = {"PATHWAYS_JOB_WAIT": "0", PACE_ENV: "0.4"}
    with serving(seeded.url, tmp, env, start_within=60) as base:
        yield base, seeded


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(profile), executable_path=CHROMIUM, args=ARGS, headless=True
        )
        try:
            yield context
        finally:
            context.close()


def test_a_report_page_shows_its_job_progress_then_the_report(
    server: tuple[str, Seeded], browser: object
) -> None:
    base, _ = server
    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_page()  # type: ignore[attr-defined]
    page.set_viewport_size({"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    try:
        _sign_in(page, base, "equality")
        page.goto(f"{base}/reports/equality?pathway=promotion&by=gender&as_of=2024-06-01")
        page.wait_for_url(re.compile(r".*/jobs/[0-9a-f]{32}\?next=.*"))
        assert (
            page.get_by_role("heading", level=1)
            .inner_text()
            .startswith("Equality monitoring as of 2024-06-01")
        )
        bar = page.locator("progress[data-job-bar]")
        state = page.locator("[data-job-state]")
        # The script follows the job: the bar and the words move while it runs.
        seen: set[str] = set()
        deadline = time.monotonic() + 120
        shot = False
        while "/jobs/" in page.url and time.monotonic() < deadline:
            try:
                text = state.inner_text(timeout=1000)
                value = float(bar.get_attribute("value", timeout=1000) or 0)
            except Exception:  # the page moved on to the report in between
                break
            seen.add(text)
            if text.startswith("Running") and "people" in text and 0 < value < 100 and not shot:
                assert re.search(r"Running: \d+% \([\d,]+ of [\d,]+ people\)", text)
                page.screenshot(path=str(ARTIFACTS / "jobs-01-progress-desktop.png"))
                page.set_viewport_size({"width": 390, "height": 844})
                page.screenshot(path=str(ARTIFACTS / "jobs-02-progress-phone.png"), full_page=True)
                width = page.evaluate("document.documentElement.scrollWidth")
                assert width <= 390, "the progress page scrolls sideways on a phone"
                page.set_viewport_size({"width": 1280, "height": 900})
                shot = True
            time.sleep(0.2)
        assert shot, f"never saw the job running with its people counted: {seen}"
        assert len({s for s in seen if s.startswith("Running")}) >= 2, seen  # it moved
        # Done: the script goes on to the report.
        page.wait_for_url(re.compile(r".*/reports/equality\?.*as_of=2024-06-01.*"), timeout=120_000)
        assert page.get_by_role("heading", level=1).inner_text() == "Equality monitoring"
        assert page.get_by_text("Sergeant (Promotion ladder) by gender").first.is_visible()
        page.screenshot(path=str(ARTIFACTS / "jobs-03-report-desktop.png"))
        assert not [e for e in errors if "Content Security Policy" in e], errors
    finally:
        page.close()
