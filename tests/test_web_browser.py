"""In a real browser: Playwright drives Debian's chromium against ``python -m cli serve`` (uvicorn)
on a free loopback port with a throwaway database. Screenshots go to tests/artifacts/."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from pathways.loader import SHIPPED_LIBRARY
from web.testing import PASSWORD, Seeded, seed

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).parent / "artifacts"
ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]

pytestmark = [
    pytest.mark.slow,  # a real browser (make test-fast leaves these out)
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(), reason="needs Debian's chromium: run scripts/system-deps.sh"
    ),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Seeded]]:
    tmp = tmp_path_factory.mktemp("webbrowser")
    seeded = seed(f"sqlite:///{tmp / 'web.db'}", people=400)  # enough for unsuppressed reports
    port = _free_port()
    log = (tmp / "server.log").open("wb")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "cli",
            "serve",
            "--db",
            seeded.url,
            "--port",
            str(port),
            "--workers",
            "1",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=tmp,
        # Direct publishing (a small deployment): the review journey is test_web_review_browser.
        env={**os.environ, "PYTHONWARNINGS": "ignore", "PATHWAYS_FOUR_EYES": "off"},
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(base + "/login", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    log.close()
                    pytest.fail((tmp / "server.log").read_text())
                time.sleep(0.2)
        yield base, seeded
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


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
    shutil.rmtree(profile, ignore_errors=True)


def _shot(page: object, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)  # type: ignore[attr-defined]


def _sign_in(page: object, base: str, username: str) -> None:
    page.goto(base + "/login")  # type: ignore[attr-defined]
    page.get_by_label("Username").fill(username)  # type: ignore[attr-defined]
    page.get_by_label("Password").fill(PASSWORD)  # type: ignore[attr-defined]
    page.get_by_role("button", name="Sign in").click()  # type: ignore[attr-defined]


def test_officer_journey(server: tuple[str, Seeded], browser: object) -> None:
    base, seeded = server
    page = browser.new_page()  # type: ignore[attr-defined]
    try:
        _sign_in(page, base, seeded.officer)
        page.wait_for_url(f"{base}/people/{seeded.officer}")
        assert page.get_by_role("heading", level=1).inner_text() == "My pathways"
        assert page.get_by_role("heading", name="Next steps").is_visible()
        _shot(page, "01-my-pathways")

        page.get_by_role("link", name="Professionalising Investigation (PIP)").click()
        page.wait_for_url(f"**/people/{seeded.officer}/pathways/pip*")
        assert page.get_by_role("heading", name="Next steps").is_visible()
        assert page.get_by_role("heading", name="Diagram").is_visible()
        assert page.locator("#diagram li").count() >= 4  # every PIP stage (the text map)
        drawn = page.locator("#diagram svg g#pip__level_1")  # the drawn overlay diagram
        assert drawn.count() == 1 and drawn.is_visible()
        assert "as of" in (page.locator("#diagram svg").text_content() or "")
        # A stage on the drawing links to its requirements further down the page.
        page.locator("#diagram svg g#pip__level_2 a").first.click()
        page.wait_for_url("**#stage-pip-level_2")
        assert page.locator("#stage-pip-level_2 h3").is_visible()
        _shot(page, "02-pip")

        page.get_by_role("link", name="What if").first.click()
        page.get_by_label("Item").fill("Foundation for Senior Leadership, stage 3 (course)")
        page.get_by_label("Date", exact=True).fill("2027-03-01")
        page.get_by_role("button", name="Show what changes").click()
        result = page.locator("#whatif-result")
        result.wait_for()
        assert "as of 2027-03-01" in result.inner_text()
        _shot(page, "03-what-if")

        # Another person's record by URL: 403.
        response = page.goto(f"{base}/people/{seeded.other}")
        assert response is not None and response.status == 403
        assert page.get_by_role("heading", level=1).inner_text() == "Forbidden"
        _shot(page, "04-forbidden")
        # ...and by the API, with the same signed-in session.
        api = page.request.get(f"{base}/api/people/{seeded.other}/decisions")
        assert api.status == 403 and api.json()["detail"] == "you may only see your own record"
        assert page.request.get(f"{base}/api/people/{seeded.officer}/decisions").ok
        # Keyboard: the skip link is the first thing Tab reaches.
        page.goto(f"{base}/people/{seeded.officer}")
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.textContent") == "Skip to main content"
    finally:
        page.close()


def test_hr_upload_broken_then_fixed(server: tuple[str, Seeded], browser: object) -> None:
    base, _ = server
    page = browser.new_page()  # type: ignore[attr-defined]
    try:
        page.context.clear_cookies()
        _sign_in(page, base, "hr")
        page.wait_for_url(f"{base}/people")
        page.goto(base + "/library/upload")
        good = (SHIPPED_LIBRARY / "pip.yaml").read_text()
        broken = good.replace("  name: Professionalising", "  nmae: Professionalising", 1)
        line = next(i for i, t in enumerate(broken.split("\n"), 1) if "nmae:" in t)
        page.get_by_label("File name").fill("pip.yaml")
        page.get_by_label("Upload a file").set_input_files(
            files=[{"name": "pip.yaml", "mimeType": "application/yaml", "buffer": broken.encode()}]
        )
        page.get_by_role("button", name="Check").click()
        page.locator("#findings").wait_for()
        assert page.get_by_role("link", name=f"pip.yaml line {line}").count() >= 1
        assert page.locator(f"#L{line}.has-finding").is_visible()
        assert page.get_by_role("button", name="Publish as a new version").count() == 0
        _shot(page, "05-upload-broken")

        page.get_by_label("File name").fill("pip.yaml")
        page.get_by_label("or paste or edit its text").fill(
            good.replace("  name: Professionalising Investigation (PIP)", "  name: PIP revised", 1)
        )
        page.get_by_role("button", name="Check").click()
        page.get_by_role("button", name="Publish as a new version").click()
        page.wait_for_url(f"{base}/library*")
        assert "Published version" in page.get_by_role("status").inner_text()
        assert page.get_by_text("PIP revised").count() >= 1
        _shot(page, "06-published")

        page.goto(base + "/library/pathways/pip")
        assert page.locator("svg g#pip__level_4").is_visible()
        assert page.get_by_role("heading", name="Stages and rules").is_visible()
        _shot(page, "07-library-pathway")
        page.locator("svg g#pip__level_3 a").first.click()
        page.wait_for_url("**/library/pathways/pip#stage-pip-level_3")

        # Edit the file in place: the check shows the diff against the file in use.
        page.get_by_role("link", name="Edit this file").click()
        assert page.get_by_role("heading", level=1).inner_text() == "Edit pip.yaml"
        editor = page.get_by_label("or paste or edit its text")
        editor.fill(editor.input_value().replace("PIP revised", "PIP revised again", 1))
        page.get_by_role("button", name="Check").click()
        diff = page.get_by_label("Changes against the library in use")
        assert "+  name: PIP revised again" in diff.inner_text()
        _shot(page, "08-edit-diff")
    finally:
        page.close()


def test_reports_in_the_browser(server: tuple[str, Seeded], browser: object) -> None:
    base, seeded = server
    page = browser.new_page()  # type: ignore[attr-defined]
    try:
        page.context.clear_cookies()
        _sign_in(page, base, "equality")
        page.wait_for_url("**/equality")
        page.get_by_role("navigation", name="Main").get_by_role(
            "link", name="Equality monitoring"
        ).click()
        page.wait_for_url("**/reports/equality*")
        assert page.get_by_role("heading", level=1).inner_text() == "Equality monitoring"
        assert page.locator("figure svg.chart").count() >= 5  # a chart per promotion stage
        assert page.get_by_role("table").count() >= 5
        _shot(page, "09-equality-report")
        page.get_by_label("By", exact=True).select_option("gender")
        page.get_by_role("button", name="Show").click()
        page.wait_for_url("**by=gender*")
        assert page.get_by_text("by gender").count() >= 1
        with page.expect_download() as download:
            page.get_by_role("link", name="Download CSV").click()
        assert download.value.suggested_filename.startswith("equality-gender-")

        page.goto(base + "/reports/pipeline?target=promotion.sergeant")
        assert "Pipeline by business group" in page.content()
        _shot(page, "10-pipeline-counts")
        # An officer may see counts, never the equality report.
        page.context.clear_cookies()
        _sign_in(page, base, seeded.officer)
        page.wait_for_url(f"{base}/people/{seeded.officer}")
        response = page.goto(base + "/reports/equality")
        assert response is not None and response.status == 403
    finally:
        page.close()


def test_hr_records_to_check_and_a_what_if_warning(
    server: tuple[str, Seeded], browser: object
) -> None:
    """HR's Records to check page (desktop and phone widths, keyboard to a record), and
    a what-if with a misspelt id, warned about above the result."""
    base, seeded = server
    page = browser.new_page()  # type: ignore[attr-defined]
    try:
        page.context.clear_cookies()
        _sign_in(page, base, "hr")
        page.wait_for_url("**/people")
        page.get_by_role("navigation", name="Main").get_by_role(
            "link", name="Records to check"
        ).click()
        page.wait_for_url("**/data-quality")
        assert page.get_by_role("heading", level=1).inner_text() == "Records to check"
        assert "Checked 400 records" in page.locator("#dq-scope").inner_text()
        page.get_by_label("As of").fill("2024-06-01")
        page.get_by_role("button", name="Check").click()
        page.wait_for_url("**as_of=2024-06-01*")
        tables = page.get_by_role("table")
        assert tables.count() == 2, "by stage, and each record"
        _shot(page, "11-records-to-check")
        page.set_viewport_size({"width": 320, "height": 800})
        width = page.evaluate("document.documentElement.scrollWidth")
        _shot(page, "11-records-to-check-320")
        page.set_viewport_size({"width": 1280, "height": 800})
        first = tables.nth(1).locator("tbody th a").first
        first.focus()
        page.keyboard.press("Enter")
        page.wait_for_url("**#data-quality")
        assert page.locator("#data-quality").is_visible()
        _shot(page, "12-record-to-check")

        page.goto(f"{base}/people/{seeded.officer}/what-if")
        page.locator("summary", has_text="More items at once").click()
        page.locator("#more").fill("passed:sergents_exam@2027-03-01")
        page.get_by_role("button", name="Show what changes").click()
        warning = page.locator("#whatif-warnings")
        warning.wait_for()
        assert "did you mean 'sergeants_exam'?" in warning.inner_text()
        assert page.get_by_role("alert").count() >= 1
        _shot(page, "13-what-if-warning")
        assert width <= 330, f"the records-to-check page scrolls sideways at 320 px ({width})"
    finally:
        page.close()
