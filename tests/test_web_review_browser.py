"""Issue 18's acceptance, in a real browser (Playwright on Debian's chromium, against
``python -m cli serve`` with four eyes on): HR A uploads a new pathway with its own catalogue
entries and example cases and saves a draft; HR B reviews the diff, the findings, the cases
and who gains and who loses, and approves it from a future date; an officer's decisions as
of the day before and the day of that date differ and each names its version; a rollback
with a reason appears in the audit log viewer. Screenshots (desktop and phone widths) go to
tests/artifacts/.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from live_server import serving
from test_web_browser import ARGS, CHROMIUM, _shot, _sign_in

from store import Store
from store.users import Users
from web.testing import PASSWORD, Seeded, seed

ROOT = Path(__file__).resolve().parents[1]
TUTORIAL = ROOT / "examples" / "tutorial"
#: The date the new version decides from: in the future, whenever the test runs.
FROM = dt.date.today() + dt.timedelta(days=120)
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

pytestmark = [
    pytest.mark.slow,  # a real browser (make test-fast leaves these out)
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(), reason="needs Debian's chromium: run scripts/system-deps.sh"
    ),
]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Seeded]]:
    tmp = tmp_path_factory.mktemp("reviewbrowser")
    seeded = seed(f"sqlite:///{tmp / 'web.db'}", people=40)
    store = Store(seeded.url)
    try:
        Users(store).add("hr2", PASSWORD, "hr", must_change=False)
    finally:
        store.close()
    four_eyes_on = {"PATHWAYS_FOUR_EYES": None}  # the default: publishing needs a review
    with serving(seeded.url, tmp, four_eyes_on, start_within=60) as base:
        yield base, seeded


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    profile = tmp_path_factory.mktemp("chromium-review")
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(profile), executable_path=CHROMIUM, args=ARGS, headless=True
        )
        context.set_default_timeout(120_000)  # saving a draft runs its cases in an engine worker
        try:
            yield context
        finally:
            context.close()
    shutil.rmtree(profile, ignore_errors=True)


def _both_widths(page: object, name: str) -> None:
    page.set_viewport_size(DESKTOP)  # type: ignore[attr-defined]
    _shot(page, f"{name}-desktop")
    page.set_viewport_size(PHONE)  # type: ignore[attr-defined]
    wide = page.evaluate("document.documentElement.scrollWidth")  # type: ignore[attr-defined]
    assert wide <= PHONE["width"] + 1, f"{name}: the page scrolls sideways at 390 px"
    _shot(page, f"{name}-phone")
    page.set_viewport_size(DESKTOP)  # type: ignore[attr-defined]


def _sign_out(page: object) -> None:
    page.get_by_role("button", name="Sign out").click()  # type: ignore[attr-defined]


# Long: the acceptance story of issue 18 in one browser session, step by step (each step
# builds on the state the one before left: split, the steps would repeat it).
def test_review_journey(server: tuple[str, Seeded], browser: object) -> None:
    base, seeded = server
    page = browser.new_page()  # type: ignore[attr-defined]
    page.set_viewport_size(DESKTOP)
    try:
        # HR A: a new pathway with its own catalogue entries and example cases, as a draft.
        _sign_in(page, base, "hr")
        page.wait_for_url(f"{base}/people")
        page.get_by_role("link", name="Drafts and reviews").first.click()
        page.get_by_role("link", name="Start a new draft").click()
        page.get_by_label("What the change does").fill("Armed officer pathway")
        page.get_by_label("Pathway files to upload").set_input_files(
            str(TUTORIAL / "armed_officer.yaml")
        )
        page.get_by_label("Example case files").set_input_files(
            str(TUTORIAL / "armed_officer_cases.yaml")
        )
        _both_widths(page, "20-new-draft")
        page.get_by_role("button", name="Save the draft").click()
        page.wait_for_url(re.compile(r".*/library/drafts/\d+$"))
        draft_url = page.url
        text = page.locator("main").inner_text()
        assert "waiting for review" in text and "5 passed, 0 failed" in text
        assert "You wrote this draft" in text
        assert page.get_by_role("button", name="Approve and publish").count() == 0
        _both_widths(page, "21-draft-by-its-author")
        _sign_out(page)

        # HR B: the diff, the findings, the cases and the impact, then approve from a date.
        _sign_in(page, base, "hr2")
        page.wait_for_url(f"{base}/people")
        page.goto(base + "/library/drafts")
        page.get_by_role("link", name=re.compile("Armed officer pathway")).click()
        assert page.url == draft_url
        main = page.locator("main")
        assert "added pathway 'armed_officer'" in " ".join(main.inner_text().split())
        assert "credential 'afo_accreditation'" in main.inner_text()
        assert page.get_by_role("heading", name=re.compile("Checker: 0 error")).is_visible()
        assert page.get_by_role("heading", name=re.compile("5 passed, 0 failed")).is_visible()
        page.get_by_label("As of").fill(FROM.isoformat())
        page.get_by_role("button", name="Work out who gains and who loses").click()
        page.wait_for_url(re.compile(r".*impact_as_of=.*"))
        assert f"as of {FROM}" in page.locator("main").inner_text()
        assert "Authorised firearms officer (AFO)" in page.locator("main").inner_text()
        _both_widths(page, "22-review-with-impact")
        page.get_by_label("Decides as-of dates from").fill(FROM.isoformat())
        page.get_by_label("Why is it published?").fill("Armed officer pathway")
        page.get_by_role("button", name="Approve and publish").click()
        page.wait_for_url(f"{base}/library/versions*")
        versions = page.locator("main").inner_text()
        assert f"{FROM} on (scheduled)" in versions and "hr2" in versions
        _both_widths(page, "23-versions-scheduled")
        _sign_out(page)

        # The officer: the day before and the day of the date name different versions.
        _sign_in(page, base, seeded.officer)
        page.wait_for_url(f"{base}/people/{seeded.officer}*")
        seen = {}
        for day in (FROM - dt.timedelta(days=1), FROM):
            page.goto(f"{base}/people/{seeded.officer}?as_of={day}")
            who = page.locator("p.who").inner_text()
            assert f"as of {day}" in who
            seen[day] = re.search(r"rules version (\w+)", who)[1]  # type: ignore[index]
            seen[f"{day} armed"] = "Armed officer" in page.locator("main").inner_text()
            _shot(page, f"24-officer-as-of-{'day-of' if day == FROM else 'day-before'}")
        before, after = FROM - dt.timedelta(days=1), FROM
        assert seen[before] != seen[after]
        assert seen[f"{after} armed"] and not seen[f"{before} armed"]
        _sign_out(page)

        # HR A rolls back with a reason; the audit log viewer shows it.
        _sign_in(page, base, "hr")
        page.wait_for_url(f"{base}/people")
        page.goto(base + "/library/versions")
        page.get_by_role(
            "link", name=re.compile(f"Roll back to this version {seen[before]}")
        ).click()
        assert "cancels what is scheduled" in page.locator("main").inner_text()
        page.get_by_label("Why?").fill("The AFO initial course is not ready")
        page.get_by_label("I understand what this rollback changes").check()
        _both_widths(page, "25-rollback-confirm")
        page.get_by_role("button", name="Roll back").click()
        page.wait_for_url(f"{base}/library/versions*")
        page.get_by_role("link", name="Audit log").first.click()
        page.get_by_label("Action").select_option("library.rollback")
        page.get_by_role("button", name="Filter").click()
        log = page.locator("main").inner_text()
        assert "The AFO initial course is not ready" in log and "web:hr" in log
        _both_widths(page, "26-audit-log-rollback")
        page.goto(base + "/audit?action=draft")
        approvals = page.locator("main").inner_text()
        assert "author: hr; approver: hr2" in approvals
    finally:
        page.close()
