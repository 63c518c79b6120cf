"""Obligations, key posts and the Talent Cascade in a real browser (Playwright on Debian's
chromium, against ``python -m cli serve``): the demo chief inspector's FSL obligation first
on their page, due in two months, in words and symbol; HR's compliance, key-post and Talent
Cascade pages, by keyboard; no sideways scrolling at 390 and 320 px. Screenshots at desktop
and phone widths go to tests/artifacts/."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_web_officer_browser import ARGS, CHROMIUM, DESKTOP, _free_port, _shot

from accreditation.periods import add_months
from store import Store
from store.keyposts import KeyPosts
from store.users import Users
from web.testing import PASSWORD, seed
from workforce.demo import store_demo_officers

CHIEF = "W900004"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(), reason="needs Debian's chromium: run scripts/system-deps.sh"
    ),
]


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("obligationsbrowser")
    seeded = seed(f"sqlite:///{tmp / 'web.db'}", people=40)
    store = Store(seeded.url)
    try:
        store_demo_officers(store, dt.date.today())
        Users(store).add(CHIEF, PASSWORD, "officer", CHIEF, must_change=False)
        KeyPosts(store).add(
            "Borough Commander, Westminster",
            "territorial_policing",
            "promotion.superintendent",
            CHIEF,
            actor="test",
        )
    finally:
        store.close()
    port = _free_port()
    log = (tmp / "server.log").open("wb")
    command = [sys.executable, "-m", "cli", "serve", "--db", seeded.url, "--port", str(port)]
    proc = subprocess.Popen(
        [*command, "--workers", "1"],
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=tmp,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(url + "/login", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    log.close()
                    pytest.fail((tmp / "server.log").read_text())
                time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


def _signed_in(browser: Any, base: str, username: str, viewport: dict[str, int]) -> Any:
    page = browser.new_context(viewport=viewport).new_page()
    page.goto(base + "/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    return page


def _sideways(page: Any) -> int:
    wide: int = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    return wide


def test_the_chief_inspectors_fsl_obligation_comes_first(base: str, browser: Any) -> None:
    due = (add_months(dt.date.today(), 2) - dt.timedelta(days=1)).isoformat()
    page = _signed_in(browser, base, CHIEF, DESKTOP)
    try:
        page.wait_for_url(f"{base}/people/{CHIEF}")
        headings = page.locator("main h2").all_inner_texts()
        assert headings[0] == "Obligations", headings
        card = page.locator(".obligations .obligation").first
        text = " ".join(card.inner_text().split())
        assert f"due by {due} Attend the Foundation for Senior Leadership" in text
        assert "To do: Attend every stage of the Foundation for Senior Leadership" in text
        assert card.locator(".symbol").inner_text() == "⏲"  # a symbol, not colour alone
        first_step = " ".join(page.locator("li.step .step-text").first.inner_text().split())
        assert first_step.startswith("Obligation Attend every stage of the Foundation")
        card.locator("summary").click()  # why it applies, folded
        assert "A chief inspector" in card.inner_text()
        _shot(page, "obligations-01-my-pathways")
        for width in (390, 320):
            phone = _signed_in(browser, base, CHIEF, {"width": width, "height": 844})
            assert _sideways(phone) <= 0, f"My pathways at {width} px scrolls sideways"
            if width == 390:
                _shot(phone, "obligations-01-my-pathways-phone")
            phone.close()
    finally:
        page.close()


HR_PAGES = [
    ("/reports/compliance", "obligations-02-compliance", "Obligations: who must act"),
    ("/key-posts", "obligations-03-key-posts", "Key posts"),
    ("/reports/key-posts", "obligations-04-key-post-report", "Key posts: who is ready to succeed"),
    ("/reports/talent-cascade", "obligations-05-talent-cascade", "Talent Cascade"),
]


def test_hr_pages_by_keyboard_and_on_a_phone(base: str, browser: Any) -> None:
    page = _signed_in(browser, base, "hr", DESKTOP)
    try:
        for path, shot, heading in HR_PAGES:
            page.goto(base + path)
            assert page.locator("h1").inner_text() == heading
            _shot(page, shot)
        # The key-post report's snapshot form, by keyboard only.
        page.goto(base + "/reports/key-posts")
        button = page.get_by_role("button", name="Keep this report as the snapshot for")
        button.focus()
        page.keyboard.press("Enter")
        page.wait_for_url("**/reports/key-posts?as_of=*")
        assert "was kept by web:hr" in page.locator("main").inner_text()
        # The compliance form, by keyboard: the window, then Show.
        page.goto(base + "/reports/compliance")
        page.get_by_label("Due within (days)").fill("3650")
        page.get_by_label("Due within (days)").press("Enter")
        page.wait_for_url("**window=3650**")
        assert "Attend the Foundation for Senior Leadership" in page.locator("main").inner_text()
    finally:
        page.close()
    for width in (390, 320):
        phone = _signed_in(browser, base, "hr", {"width": width, "height": 844})
        try:
            for path, shot, _ in HR_PAGES:
                phone.goto(base + path)
                assert _sideways(phone) <= 0, f"{path} at {width} px scrolls sideways"
                if width == 390:
                    _shot(phone, f"{shot}-phone")
        finally:
            phone.close()
