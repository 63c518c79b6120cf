"""The officer pages in a real browser (Playwright on Debian's chromium, against
``python -m cli serve``): set a goal and read its routes, the ranked steps with no action
twice, what if by picking a course by name, the PDR page printed to PDF on one A4 sheet,
and no sideways scrolling on any officer page at 390 px (and reflow at 320 px).
Screenshots at desktop and phone widths go to tests/artifacts/."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from store import Store
from store.users import Users
from web.testing import PASSWORD, seed
from workforce.demo import store_demo_officers

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).parent / "artifacts"
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"]
CONSTABLE, LAPSED = "W900001", "W900002"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

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
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("officerbrowser")
    seeded = seed(f"sqlite:///{tmp / 'web.db'}", people=6)
    store = Store(seeded.url)
    try:
        store_demo_officers(store, dt.date.today())
        users = Users(store)
        for pid in (CONSTABLE, LAPSED):
            users.add(pid, PASSWORD, "officer", pid, must_change=False)
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
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


def _page(browser: Any, base: str, username: str, viewport: dict[str, int] = DESKTOP) -> Any:
    page = browser.new_context(viewport=viewport).new_page()
    page.goto(base + "/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/people/{username}")
    return page


def _shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_set_a_goal_and_read_its_routes(base: str, browser: Any) -> None:
    page = _page(browser, base, CONSTABLE)
    try:
        page.get_by_role("link", name="Every route, step by step, and change the goal").click()
        page.wait_for_url(f"**/people/{CONSTABLE}/goal*")
        page.get_by_label("Choose a stage").select_option(label="Superintendent")
        page.get_by_role("button", name="Show the routes").click()
        page.get_by_role("heading", name="Routes to Superintendent").wait_for()
        routes = page.locator(".route-card")
        assert routes.count() >= 2
        first = routes.first.inner_text()
        assert "Route 1: Superintendent from" in first and "once you have done" in first
        page.get_by_role("button", name="Make Superintendent my goal").click()
        page.wait_for_url(f"**/people/{CONSTABLE}/goal")
        assert "The goal you chose: Superintendent" in page.locator("main").inner_text()
        _shot(page, "officer-01-goal-routes")
        page.goto(f"{base}/people/{CONSTABLE}")
        goal = page.locator(".summary-goal").inner_text()
        assert "Superintendent (Promotion ladder)" in goal and "Earliest:" in goal
        _shot(page, "officer-02-my-pathways")
        phone = _page(browser, base, CONSTABLE, PHONE)
        phone.goto(f"{base}/people/{CONSTABLE}/goal")
        _shot(phone, "officer-01-goal-routes-phone")
        phone.close()
    finally:
        page.close()


def test_the_ranked_steps_name_each_action_once(base: str, browser: Any) -> None:
    page = _page(browser, base, LAPSED)
    try:
        steps = [" ".join(t.split()) for t in page.locator(".step-text").all_text_contents()]
        assert steps, "no steps shown"
        assert len(steps) == len(set(steps)), steps
        assert steps[0].startswith("Lapsed Revalidate PIP level 2")  # the lapsed credential first
        tiers = page.locator("h3.tier").all_inner_texts()
        assert tiers[:2] == ["Do first", "Towards your goal"]
        page.locator(".later > summary").click()  # stages further away, folded
        _shot(page, "officer-03-ranked-steps")
    finally:
        page.close()


def test_what_if_by_picking_a_course_by_name(base: str, browser: Any) -> None:
    page = _page(browser, base, LAPSED)
    try:
        page.get_by_role("link", name="What if").first.click()
        options = page.locator("#catalogue-items option")
        names = [options.nth(i).get_attribute("value") for i in range(options.count())]
        course = "Senior Investigating Officers' Development Programme (course)"
        assert course in names
        page.get_by_label("Item").fill("Senior Investigating Officers")  # part of the name
        page.get_by_label("Date", exact=True).fill(dt.date.today().isoformat())
        page.get_by_role("button", name="Show what changes").click()
        result = page.locator("#whatif-result")
        result.wait_for()
        text = result.inner_text()
        assert "Requirements now met" in text
        assert "Completed the SIO development programme" in text
        _shot(page, "officer-04-what-if")
    finally:
        page.close()


def _pages(pdf: bytes) -> int:
    """Pages of a PDF: its page objects (and the page tree's count, which must agree)."""
    objects = len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))
    counts = [int(n) for n in re.findall(rb"/Type\s*/Pages\b[^>]*?/Count\s+(\d+)", pdf)]
    assert not counts or max(counts) == objects, (objects, counts)
    return objects


def test_the_pdr_page_prints_on_one_a4_sheet(base: str, browser: Any) -> None:
    page = _page(browser, base, LAPSED)
    try:
        page.goto(f"{base}/people/{LAPSED}/print")
        assert "Promoting Difference" not in page.locator("main").inner_text()
        _shot(page, "officer-05-pdr")
        pdf = page.pdf(format="A4", print_background=True)
        (ARTIFACTS / "officer-05-pdr.pdf").write_bytes(pdf)
        assert _pages(pdf) == 1
        # With positive-action programmes included, it still fits.
        page.goto(f"{base}/people/{LAPSED}/print?positive_action=true")
        assert _pages(page.pdf(format="A4")) == 1
        page.goto(f"{base}/people/{CONSTABLE}/print")
        assert _pages(page.pdf(format="A4")) == 1
    finally:
        page.close()


def test_the_pdf_page_count_sees_two_pages() -> None:
    two = b"<< /Type /Pages /Kids [3 0 R 4 0 R] /Count 2 >> << /Type /Page >> << /Type /Page >>"
    assert _pages(two) == 2


OFFICER_PAGES = [
    "/people/{id}",
    "/people/{id}/goal",
    "/people/{id}/goal?to=Senior PNAC",
    "/people/{id}/pathways/promotion",
    "/people/{id}/pathways/pip",
    "/people/{id}/pathways/senior_leadership",
    "/people/{id}/pathways/pip/diagram",
    "/people/{id}/what-if",
    "/people/{id}/print",
    "/account",
]


@pytest.mark.parametrize("width", [390, 320])
def test_no_officer_page_scrolls_sideways_on_a_phone(base: str, browser: Any, width: int) -> None:
    for who in (CONSTABLE, LAPSED):
        page = _page(browser, base, who, {"width": width, "height": 844})
        try:
            for path in OFFICER_PAGES:
                page.goto(base + path.format(id=who))
                wide = page.evaluate(
                    "document.documentElement.scrollWidth - document.documentElement.clientWidth"
                )
                assert wide <= 0, f"{path} at {width} px scrolls sideways by {wide} px"
                if who == LAPSED and width == 390:
                    name = re.sub(r"[^a-z]+", "-", path.format(id="").lower()).strip("-")
                    _shot(page, f"officer-phone-{name or 'home'}")
            # A what-if result (a table on a desktop) is cards on a phone.
            page.goto(f"{base}/people/{who}/what-if")
            page.get_by_label("Item").fill("PIP accreditation, level 2")
            page.get_by_role("button", name="Show what changes").click()
            page.wait_for_load_state()
            wide = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert wide <= 0, f"the what-if result at {width} px scrolls sideways by {wide} px"
        finally:
            page.close()


def test_the_diagram_zooms_and_pans_on_its_own_page(base: str, browser: Any) -> None:
    page = _page(browser, base, LAPSED, PHONE)
    try:
        page.goto(f"{base}/people/{LAPSED}/pathways/pip")
        page.get_by_role("link", name="Open the diagram full size").click()
        page.wait_for_url("**/pathways/pip/diagram*")
        box = page.locator(".zoomable svg")
        before = box.get_attribute("viewBox")
        page.get_by_role("button", name="Zoom in").click()
        zoomed = box.get_attribute("viewBox")
        assert zoomed != before
        assert float(zoomed.split()[2]) < float(before.split()[2])  # a narrower view: larger
        page.locator(".zoomable").focus()
        page.keyboard.press("ArrowRight")
        assert box.get_attribute("viewBox") != zoomed
        page.get_by_role("button", name="Fit").click()
        assert box.get_attribute("viewBox") == before
        width = page.locator(".zoomable svg").bounding_box()["width"]
        assert width > 300, "the diagram fills the phone's width"
        _shot(page, "officer-06-diagram-phone")
    finally:
        page.close()


@pytest.fixture(scope="module", autouse=True)
def _clean_profiles() -> Iterator[None]:
    yield
    shutil.rmtree(ARTIFACTS / "profile", ignore_errors=True)
