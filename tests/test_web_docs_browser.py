"""/docs in a real browser with no internet: Playwright drives Debian's chromium against a
real server, every request to anywhere else is refused, and the page's strict
Content-Security-Policy is in force. Swagger UI loads, takes an API token ("Authorize") and
makes a call with it. Screenshots at desktop and phone widths go to tests/artifacts/."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from live_server import serving

from web.testing import PASSWORD, Seeded, seed

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).parent / "artifacts"
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]

pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason="needs Debian's chromium: run scripts/system-deps.sh"
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Seeded]]:
    tmp = tmp_path_factory.mktemp("docsbrowser")
    seeded = seed(f"sqlite:///{tmp / 'web.db'}", people=6)
    with serving(seeded.url, tmp) as base:
        yield base, seeded


@pytest.fixture
def page(server: tuple[str, Seeded], tmp_path: Path) -> Iterator[Any]:
    """A page that can reach the server and nothing else; console errors and refused
    requests are collected on it (``page.problems``)."""
    from playwright.sync_api import sync_playwright  # a browser driver: only browser tests

    base, _ = server
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=CHROMIUM, args=ARGS, headless=True
        )
        try:
            problems: list[str] = []

            def offline(route: Any) -> None:
                if route.request.url.startswith(base):
                    route.continue_()
                else:
                    problems.append(f"went outside: {route.request.url}")
                    route.abort()

            context.route("**/*", offline)
            tab = context.new_page()
            tab.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            tab.on("pageerror", lambda e: problems.append(str(e)))
            tab.problems = problems
            yield tab
        finally:
            context.close()
    shutil.rmtree(tmp_path / "profile", ignore_errors=True)


def _shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=False)


def _try_me(page: Any) -> Any:
    """Open GET /api/me, try it out, execute: the response body shown."""
    operation = page.locator("#operations-decisions-get_me")
    operation.locator(".opblock-summary").first.click()
    operation.get_by_role("button", name="Try it out").click()
    operation.get_by_role("button", name="Execute").click()
    body = operation.locator(".live-responses-table .response-col_description pre").first
    body.wait_for()
    return body


def test_docs_work_offline_and_authorise_with_a_token(
    server: tuple[str, Seeded], page: Any
) -> None:
    base, seeded = server
    response = page.goto(base + "/docs")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_selector("#operations-decisions-get_me")
    assert page.get_by_role("heading", level=1).first.inner_text() == "API documentation"
    assert page.locator(".opblock").count() >= 25  # every operation is listed
    _shot(page, "docs-desktop")

    page.get_by_role("button", name="Authorize").first.click()
    bearer = page.locator(".dialog-ux .auth-container").filter(has_text="(http, Bearer)")
    bearer.get_by_label("auth-bearer-value").fill(seeded.tokens["hr"])
    bearer.get_by_role("button", name="Apply credentials").click()
    bearer.get_by_text("Authorized", exact=True).wait_for()
    page.locator(".dialog-ux .close-modal").click()

    body = _try_me(page)
    assert '"username": "hr"' in body.inner_text() and '"role": "hr"' in body.inner_text()
    curl = page.locator("#operations-decisions-get_me .curl-command").inner_text()
    assert "Authorization: Bearer" in curl
    _shot(page, "docs-called")
    assert page.problems == []


def test_docs_call_with_the_session_and_fit_a_phone(server: tuple[str, Seeded], page: Any) -> None:
    base, seeded = server
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(base + "/login")
    page.get_by_label("Username").fill(seeded.officer)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/people/{seeded.officer}")
    page.get_by_role("link", name="API").click()
    page.wait_for_selector("#operations-decisions-get_me")
    body = _try_me(page)  # no token: the browser's session
    assert f'"person_id": "{seeded.officer}"' in body.inner_text()
    _shot(page, "docs-phone")
    assert page.problems == []
