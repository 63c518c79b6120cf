"""Each role's navigation leads only to what that role can use: every link in the site
header opens (no 403, no error page), and the API link opens the documentation."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from test_web_pages import browser, sign_in

from web.app import create_app
from web.testing import Seeded, seed

ROLES = ("officer", "hr", "equality", "admin")


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Seeded:
    return seed(f"sqlite:///{tmp_path_factory.mktemp('webnav') / 'web.db'}", people=12)


@pytest.fixture(scope="module")
def client(seeded: Seeded) -> Iterator[TestClient]:
    with TestClient(create_app(seeded.url, workers=1), follow_redirects=False) as c:
        yield c


def _nav_links(html: str) -> list[str]:
    nav = re.search(r'<nav aria-label="Main">(.*?)</nav>', html, re.S)
    assert nav, "no main navigation"
    return re.findall(r'href="([^"]+)"', nav.group(1))


@pytest.mark.parametrize("role", ROLES)
def test_every_navigation_link_opens_for_its_role(
    client: TestClient, seeded: Seeded, role: str
) -> None:
    c = sign_in(browser(client), seeded.officer if role == "officer" else role)
    home = c.get("/", follow_redirects=True)
    assert home.status_code == 200
    links = _nav_links(home.text)
    assert "/docs" in links and "/account" in links
    for link in links:
        r = c.get(link, follow_redirects=True)
        assert r.status_code == 200, (role, link, r.status_code)
        assert _nav_links(r.text) == links, (role, link)  # the same menu everywhere
    if role == "officer":
        own = f"/people/{seeded.officer}"
        assert {own, f"{own}/goal", f"{own}/what-if", f"{own}/print"} <= set(links)
        assert not any(
            link.startswith(("/library", "/reports", "/admin", "/equality")) for link in links
        )
