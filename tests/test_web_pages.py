"""The pages: sign-in, CSRF, the sign-in rate limit, access control, and accessible markup."""

from __future__ import annotations

import html
import itertools
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from pathways.loader import SHIPPED_LIBRARY
from store import Store
from store.keyposts import KeyPosts
from web.app import create_app
from web.testing import PASSWORD, Seeded, routes, seed

LONG = "long enough to use"  # a password the rule accepts (12 characters or more)
# Slow: a store and app of its own, and a sign-in (argon2) in almost every test; the API
# modules, tests/test_security.py and the route registry keep the web in make test-fast.
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Seeded:
    path: Path = tmp_path_factory.mktemp("webpages") / "web.db"
    return seed(f"sqlite:///{path}")


@pytest.fixture(scope="module")
def app_client(seeded: Seeded) -> Iterator[TestClient]:
    with TestClient(create_app(seeded.url, workers=1), follow_redirects=False) as c:
        yield c


def browser(app_client: TestClient) -> TestClient:
    """A client with its own cookie jar on the same (running) app."""
    return TestClient(app_client.app, follow_redirects=False)


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF token in the page"
    return found.group(1)


def sign_in(c: TestClient, username: str, password: str = PASSWORD) -> TestClient:
    token = csrf_of(c.get("/login").text)
    r = c.post("/login", data={"username": username, "password": password, "csrf_token": token})
    assert r.status_code == 303, r.text
    return c


class Markup(HTMLParser):
    """Headings, labels, form controls, tables, buttons and status words of a page."""

    VOID = {"input", "br", "img", "meta", "link", "hr", "source", "col", "wbr", "area"}

    def __init__(self) -> None:
        super().__init__()
        self.headings: list[str] = []
        self.label_for: set[str] = set()
        self.controls: list[dict[str, str | None]] = []
        self.has_main = self.has_skip = False
        self.tables = self.captions = 0
        self.ids: list[str] = []
        # Open elements whose text we collect: (tag, kind, text so far).
        self._open: list[tuple[str, str, list[str]]] = []
        self.buttons: list[str] = []
        self.statuses: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if a.get("id"):
            self.ids.append(str(a["id"]))
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(tag)
        if tag == "label" and a.get("for"):
            self.label_for.add(str(a["for"]))
        if (
            tag in ("input", "select", "textarea")
            and "hidden" not in a
            and a.get("type") not in ("hidden", "submit", "button")
        ):
            self.controls.append(a)
        self.has_main |= tag == "main"
        self.has_skip |= tag == "a" and a.get("href") == "#main"
        self.tables += tag == "table"
        self.captions += tag == "caption"
        if tag in self.VOID:
            return
        classes = str(a.get("class") or "").split()
        kind = (
            "button"
            if tag == "button"
            else "status"
            if any(c.startswith(("status-", "mark-")) for c in classes)
            else ""
        )
        self._open.append((tag, kind, []))

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self._open) - 1, -1, -1):
            if self._open[i][0] == tag:
                _, kind, text = self._open.pop(i)
                words = " ".join("".join(text).split())
                if kind == "button":
                    self.buttons.append(words)
                elif kind == "status":
                    self.statuses.append(words)
                if i > 0:
                    self._open[i - 1][2].extend(text)
                del self._open[i:]
                return

    def handle_data(self, data: str) -> None:
        if self._open:
            self._open[-1][2].append(data)


def accessible(html: str) -> Markup:
    """Assert the page is usable without sight or a mouse as far as markup shows: a skip
    link to ``main``, one ``h1`` first and no skipped heading level, every form control
    labelled, every button named, every table captioned, every status in words (never
    colour alone), no duplicate ids."""
    m = Markup()
    m.feed(html)
    assert m.has_main and m.has_skip
    assert m.headings and m.headings[0] == "h1" and m.headings.count("h1") == 1
    levels = [int(h[1]) for h in m.headings]
    assert all(b <= a + 1 for a, b in itertools.pairwise(levels)), m.headings
    for control in m.controls:
        assert control.get("id") in m.label_for, f"unlabelled form control {control}"
    assert all(re.search(r"\w", b) for b in m.buttons), f"a button without a name: {m.buttons}"
    assert m.captions == m.tables, "a table without a caption"
    assert all(re.search(r"[a-z]{2}", s) for s in m.statuses), f"status not in words: {m.statuses}"
    dupes = {i for i in m.ids if m.ids.count(i) > 1}
    assert not dupes, f"duplicate ids {dupes}"
    return m


# --- sign-in --------------------------------------------------------------------------------


def test_signed_out_pages_redirect_to_sign_in(app_client: TestClient, seeded: Seeded) -> None:
    c = browser(app_client)
    assert c.get("/").headers["location"] == "/login"
    r = c.get(f"/people/{seeded.officer}?as_of=2024-01-01")
    assert r.status_code == 303
    assert r.headers["location"].startswith("/login?next=/people/")
    accessible(c.get("/login").text)


def test_session_cookie_is_httponly_and_samesite(app_client: TestClient) -> None:
    r = browser(app_client).get("/login")
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie


def test_sign_in_and_out(app_client: TestClient, seeded: Seeded) -> None:
    c = browser(app_client)
    token = csrf_of(c.get("/login").text)
    r = c.post(
        "/login",
        data={"username": seeded.officer, "password": PASSWORD, "csrf_token": token},
    )
    assert r.status_code == 303 and r.headers["location"] == f"/people/{seeded.officer}"
    page = c.get(r.headers["location"]).text
    new_token = csrf_of(page)
    assert new_token != token  # a new session on sign-in
    assert c.post("/logout", data={"csrf_token": new_token}).status_code == 303
    assert c.get(f"/people/{seeded.officer}").status_code == 303


def test_sign_in_goes_back_to_next_but_only_on_this_site(
    app_client: TestClient, seeded: Seeded
) -> None:
    for target, expected in (
        (f"/people/{seeded.officer}/what-if", f"/people/{seeded.officer}/what-if"),
        ("//evil.example/", f"/people/{seeded.officer}"),
        ("https://evil.example/", f"/people/{seeded.officer}"),
    ):
        c = browser(app_client)
        token = csrf_of(c.get("/login").text)
        r = c.post(
            "/login",
            data={
                "username": seeded.officer,
                "password": PASSWORD,
                "csrf_token": token,
                "next": target,
            },
        )
        assert r.headers["location"] == expected


def test_wrong_password(app_client: TestClient, seeded: Seeded) -> None:
    c = browser(app_client)
    token = csrf_of(c.get("/login").text)
    r = c.post("/login", data={"username": "hr", "password": "nope", "csrf_token": token})
    assert r.status_code == 401 and "not right" in r.text
    accessible(r.text)


def test_forms_without_the_csrf_token_are_refused(app_client: TestClient, seeded: Seeded) -> None:
    c = browser(app_client)
    c.get("/login")
    r = c.post("/login", data={"username": seeded.officer, "password": PASSWORD})
    assert r.status_code == 403
    r = c.post(
        "/login",
        data={"username": seeded.officer, "password": PASSWORD, "csrf_token": "forged"},
    )
    assert r.status_code == 403
    sign_in(c, seeded.officer)
    r = c.post(f"/people/{seeded.officer}/what-if", data={"kind": "course", "item": "x"})
    assert r.status_code == 403
    assert c.post("/logout").status_code == 403


def test_sign_in_rate_limit(app_client: TestClient) -> None:
    c = browser(app_client)
    token = csrf_of(c.get("/login").text)
    for _ in range(5):
        r = c.post("/login", data={"username": "nobody", "password": "x", "csrf_token": token})
        assert r.status_code == 401
    r = c.post("/login", data={"username": "nobody", "password": "y", "csrf_token": token})
    assert r.status_code == 429
    assert 0 < int(r.headers["retry-after"]) <= 300
    # Another username from the same address is not locked out.
    assert (
        c.post(
            "/login", data={"username": "equality", "password": PASSWORD, "csrf_token": token}
        ).status_code
        == 303
    )


# --- the officer's pages --------------------------------------------------------------------


@pytest.fixture(scope="module")
def officer(app_client: TestClient, seeded: Seeded) -> TestClient:
    return sign_in(browser(app_client), seeded.officer)


def test_my_pathways(officer: TestClient, seeded: Seeded) -> None:
    r = officer.get(f"/people/{seeded.officer}?as_of=2024-06-01")
    assert r.status_code == 200
    accessible(r.text)
    assert "<h1>My pathways</h1>" in r.text
    assert 'value="2024-06-01"' in r.text  # the as-of date picker
    for pathway in ("pip", "promotion", "fsl"):
        assert f"/people/{seeded.officer}/pathways/{pathway}?as_of=2024-06-01" in r.text
    # Status in words, not only colour or symbol.
    assert re.search(r"(held|eligible|not eligible|lapsed)</span>", r.text)


def test_pathway_page(officer: TestClient, seeded: Seeded) -> None:
    r = officer.get(f"/people/{seeded.officer}/pathways/pip?as_of=2024-06-01")
    assert r.status_code == 200
    m = accessible(r.text)
    assert "h2" in m.headings and "h3" in m.headings
    for text in ("Next steps", "Diagram", 'id="diagram"', "Source:", "not met"):
        assert text in r.text
    assert m.statuses and all(re.search(r"held|eligible|lapsed|met|force", s) for s in m.statuses)
    # The drawn overlay: every stage node links to that stage's requirements on the page.
    assert "<svg" in r.text and 'id="pip__level_1"' in r.text
    assert f"{seeded.officer} - as of 2024-06-01" in html.unescape(r.text)
    links = re.findall(r'xlink:href="([^"]+)"', r.text)
    inside = {link[1:] for link in links if link.startswith("#")}
    assert inside == {f"stage-pip-level_{n}" for n in (1, 2, 3, 4)}
    assert inside <= set(m.ids)
    assert officer.get(f"/people/{seeded.officer}/pathways/nope").status_code == 404


def test_pathway_page_links_other_pathways_for_the_same_person_and_date(
    officer: TestClient, seeded: Seeded
) -> None:
    r = officer.get(f"/people/{seeded.officer}/pathways/senior_leadership?as_of=2024-06-01")
    outside = {html.unescape(link) for link in re.findall(r'xlink:href="([^"#][^"]*)"', r.text)}
    assert f"/people/{seeded.officer}/pathways/fsl?as_of=2024-06-01#stage-fsl-stage_3" in outside
    assert all(link.startswith(f"/people/{seeded.officer}/pathways/") for link in outside)


def test_pathway_page_says_why_when_the_diagram_cannot_be_drawn(
    officer: TestClient, seeded: Seeded, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")  # graphviz's dot cannot be found
    r = officer.get(f"/people/{seeded.officer}/pathways/pip?as_of=2024-06-01")
    assert r.status_code == 200 and "<svg" not in r.text
    accessible(r.text)
    assert "The drawn diagram is not shown: graphviz&#39;s &#39;dot&#39; program" in r.text
    assert "The list below is the same map in words" in r.text
    assert r.text.count('<li><a class="stage-name" href="#stage-pip-level_') == 4


def test_print_view(officer: TestClient, seeded: Seeded) -> None:
    r = officer.get(f"/people/{seeded.officer}/print?as_of=2024-06-01")
    assert r.status_code == 200 and "PDR" in r.text
    accessible(r.text)


def test_what_if_page(officer: TestClient, seeded: Seeded) -> None:
    url = f"/people/{seeded.officer}/what-if"
    page = officer.get(url)
    accessible(page.text)
    data = {
        "csrf_token": csrf_of(page.text),
        "pick": "Foundation for Senior Leadership, stage 3 (course)",
        "date": "2027-03-01",
        "more": "course:fsl_stage_2@2027-01-01",
    }
    r = officer.post(url, data=data)
    assert r.status_code == 200, r.text
    assert 'id="whatif-result"' in r.text and "stage(s) change" in r.text
    bad = officer.post(url, data={**data, "pick": "", "more": "course:x"})
    assert bad.status_code == 422 and "has no date" in bad.text
    accessible(bad.text)
    bad = officer.post(url, data={**data, "as_of": "soon"})
    assert bad.status_code == 422


def test_officer_cannot_open_another_record(officer: TestClient, seeded: Seeded) -> None:
    for path in (
        f"/people/{seeded.other}",
        f"/people/{seeded.other}/pathways/pip",
        f"/people/{seeded.other}/print",
        f"/people/{seeded.other}/what-if",
        f"/people/{seeded.other}/goal",
        f"/people/{seeded.other}/pathways/pip/diagram",
        "/people/W999999",
        "/people",
        "/library",
        "/library/upload",
        "/equality",
        "/admin/users",
    ):
        r = officer.get(path, headers={"Accept": "text/html"})
        assert r.status_code == 403, path
        assert "<h1>Forbidden</h1>" in r.text
        assert csrf_of(r.text) == csrf_of(officer.get("/account").text)  # sign-out works
    r = officer.post(
        f"/people/{seeded.other}/what-if",
        data={"csrf_token": csrf_of(officer.get("/login").text), "item": "x"},
    )
    assert r.status_code == 403


def test_bad_as_of_on_a_page_is_422(officer: TestClient, seeded: Seeded) -> None:
    r = officer.get(f"/people/{seeded.officer}?as_of=never", headers={"Accept": "text/html"})
    assert r.status_code == 422 and "as_of" in r.text


# --- the other roles ------------------------------------------------------------------------


def test_role_start_pages(app_client: TestClient) -> None:
    for role, home in (("hr", "/people"), ("equality", "/equality"), ("admin", "/admin/users")):
        c = sign_in(browser(app_client), role)
        assert c.get("/").headers["location"] == home
        r = c.get(home)
        assert r.status_code == 200, (role, r.text)
        accessible(r.text)


def test_hr_sees_anyone(app_client: TestClient, seeded: Seeded) -> None:
    hr = sign_in(browser(app_client), "hr")
    assert seeded.other in hr.get(f"/people?q={seeded.other[:3]}").text
    assert hr.get(f"/people/{seeded.other}").status_code == 200
    assert hr.get("/people/W999999").status_code == 404
    accessible(hr.get("/library").text)


def test_admin_adds_a_user(app_client: TestClient, seeded: Seeded) -> None:
    admin = sign_in(browser(app_client), "admin")
    token = csrf_of(admin.get("/admin/users").text)
    r = admin.post(
        "/admin/users",
        data={
            "csrf_token": token,
            "username": "hr2",
            "password": "long enough to use",
            "role": "hr",
        },
    )
    assert r.status_code == 303
    sign_in(browser(app_client), "hr2", "long enough to use")
    r = admin.post(
        "/admin/users",
        data={
            "csrf_token": token,
            "username": "x",
            "password": "long enough to use",
            "role": "officer",
        },
    )
    assert r.status_code == 422 and "needs --person" in r.text


def test_hr_uploads_a_broken_file_then_publishes_a_fixed_one(
    app_client: TestClient, seeded: Seeded
) -> None:
    hr = sign_in(browser(app_client), "hr")
    page = hr.get("/library/upload")
    accessible(page.text)
    token = csrf_of(page.text)
    good = (SHIPPED_LIBRARY / "pip.yaml").read_text()
    broken = good.replace("name:", "nmae:", 1)
    line = next(i for i, text in enumerate(broken.split("\n"), 1) if "nmae:" in text)
    r = hr.post(
        "/library/check",
        data={"csrf_token": token, "name": "pip.yaml"},
        files={"file": ("pip.yaml", broken.encode(), "application/yaml")},
    )
    assert r.status_code == 422
    assert f"pip.yaml line {line}" in r.text and f'href="#L{line}"' in r.text
    assert "unknown field" in r.text and "Publish as a new version" not in r.text
    # Publishing the broken file straight away is refused too.
    r = hr.post("/library/publish", data={"csrf_token": token, "name": "pip.yaml", "text": broken})
    assert r.status_code == 422
    fixed = good.replace(
        "  name: Professionalising Investigation (PIP)", "  name: PIP (revised)", 1
    )
    r = hr.post("/library/check", data={"csrf_token": token, "name": "pip.yaml", "text": fixed})
    assert r.status_code == 200 and "Publish as a new version" in r.text
    r = hr.post(
        "/library/publish",
        data={"csrf_token": token, "name": "pip.yaml", "text": fixed, "note": "test"},
    )
    assert r.status_code == 303, r.text
    library = hr.get(r.headers["location"]).text
    assert "Published version" in library and "PIP (revised)" in library
    # Decisions now use the new version; rolling back restores the name.
    assert "PIP (revised)" in hr.get(f"/people/{seeded.officer}/pathways/pip").text
    store = app_client.app.state.store  # type: ignore[attr-defined]
    versions = store.library_versions()
    assert len(versions) == 1 and versions[0].author == "web:hr"
    assert [a.action for a in store.audit(versions[0].digest)][-1] == "library.publish"


def test_check_refuses_bad_file_names(app_client: TestClient) -> None:
    hr = sign_in(browser(app_client), "hr")
    token = csrf_of(hr.get("/library/upload").text)
    for name in ("../x.yaml", "/etc/x.yaml", "x.txt", ""):
        r = hr.post("/library/check", data={"csrf_token": token, "name": name, "text": "a: 1"})
        assert r.status_code == 422, name


def test_hr_library_pathway_page_has_the_diagram_and_sourced_rules(
    app_client: TestClient, seeded: Seeded
) -> None:
    hr = sign_in(browser(app_client), "hr")
    assert 'href="/library/pathways/pip"' in hr.get("/library").text
    r = hr.get("/library/pathways/pip")
    assert r.status_code == 200
    accessible(r.text)
    assert "<svg" in r.text and 'id="pip__level_1"' in r.text
    assert "Source: 003 Appendix 1" in r.text
    # Every stage node links to that stage's rules on this page; other pathways' stages
    # to their own page.
    links = re.findall(r'xlink:href="([^"]+)"', r.text)
    inside = {link[1:] for link in links if link.startswith("#")}
    assert inside >= {f"stage-pip-level_{n}" for n in (1, 2, 3, 4)}
    assert all(f'id="{anchor}"' in r.text for anchor in inside)
    assert all(
        re.fullmatch(r"/library/pathways/\w+#stage-[\w-]+", link)
        for link in links
        if not link.startswith("#")
    )
    assert 'href="/library/upload?edit=pip.yaml"' in r.text
    assert hr.get("/library/pathways/nope").status_code == 404
    officer = sign_in(browser(app_client), seeded.officer)
    assert officer.get("/library/pathways/pip").status_code == 403


def test_hr_edits_a_file_in_place_and_sees_the_diff_before_publishing(
    app_client: TestClient,
) -> None:
    hr = sign_in(browser(app_client), "hr")
    page = hr.get("/library/upload?edit=pip.yaml")
    assert page.status_code == 200
    accessible(page.text)
    assert 'value="pip.yaml"' in page.text and "pathway:\n  id: pip" in page.text
    assert hr.get("/library/upload?edit=nope.yaml").status_code == 404
    current = app_client.app.state.service.library().library  # type: ignore[attr-defined]
    text = Path(current.files["pip"]).read_text(encoding="utf-8")
    edited = text.replace("Front-line officers", "Front line officers", 1)
    r = hr.post(
        "/library/check",
        data={"csrf_token": csrf_of(page.text), "name": "pip.yaml", "text": edited},
    )
    assert r.status_code == 200
    assert "Changes against the library in use" in r.text
    assert '<span class="del">-        Front-line officers' in r.text
    assert '<span class="add">+        Front line officers' in r.text
    same = hr.post(
        "/library/check", data={"csrf_token": csrf_of(page.text), "name": "pip.yaml", "text": text}
    )
    assert "No changes: this is the text in use." in same.text


def test_hr_rolls_back_to_an_earlier_version_from_the_library_page(
    app_client: TestClient,
) -> None:
    store = app_client.app.state.store  # type: ignore[attr-defined]
    hr = sign_in(browser(app_client), "hr")
    page = hr.get("/library/upload?edit=pip.yaml")
    token = csrf_of(page.text)
    text = Path(
        app_client.app.state.service.library().library.files["pip"]  # type: ignore[attr-defined]
    ).read_text(encoding="utf-8")
    for name in ("PIP first", "PIP second"):
        edited = re.sub(r"(?m)^  name: .*$", f"  name: {name}", text, count=1)
        r = hr.post(
            "/library/publish", data={"csrf_token": token, "name": "pip.yaml", "text": edited}
        )
        assert r.status_code == 303, r.text
    first = next(v for v in store.library_versions() if "PIP first" in v.files["pip.yaml"])
    assert not first.active
    library = hr.get("/library").text
    assert f'name="digest" value="{first.digest}"' in library
    r = hr.post("/library/activate", data={"csrf_token": token, "digest": first.digest})
    assert r.status_code == 303 and "Activated" in hr.get(r.headers["location"]).text
    assert store.active_library().digest == first.digest
    assert "PIP first" in hr.get("/library/pathways/pip").text
    assert (
        hr.post("/library/activate", data={"csrf_token": token, "digest": "0" * 64}).status_code
        == 404
    )
    assert hr.post("/library/activate", data={"digest": first.digest}).status_code == 403


def test_admin_disables_enables_and_resets_a_user(app_client: TestClient, seeded: Seeded) -> None:
    users = app_client.app.state.users  # type: ignore[attr-defined]
    users.add("hr3", "long enough to use", "hr", must_change=False)
    hr3 = sign_in(browser(app_client), "hr3", "long enough to use")
    assert hr3.get("/people").status_code == 200
    admin = sign_in(browser(app_client), "admin")
    page = admin.get("/admin/users").text
    accessible(page)
    token = csrf_of(page)
    r = admin.post("/admin/users/hr3", data={"csrf_token": token, "action": "disable"})
    assert r.status_code == 200 and "hr3 disabled" in r.text
    assert hr3.get("/people").status_code == 303  # the session ends at the next request
    r = admin.post("/admin/users/hr3", data={"csrf_token": token, "action": "enable"})
    assert "hr3 enabled" in r.text
    r = admin.post("/admin/users/hr3", data={"csrf_token": token, "action": "reset"})
    password = re.search(r"\(shown once\): (\S+)</p>", r.text)
    assert password, r.text
    assert users.authenticate("hr3", "long enough to use") is None
    assert users.authenticate("hr3", password.group(1)).username == "hr3"
    assert (
        admin.post(
            "/admin/users/admin", data={"csrf_token": token, "action": "disable"}
        ).status_code
        == 422
    )
    assert (
        admin.post("/admin/users/hr3", data={"csrf_token": token, "action": "explode"}).status_code
        == 422
    )
    assert (
        admin.post("/admin/users/nobody", data={"csrf_token": token, "action": "reset"}).status_code
        == 404
    )
    assert admin.post("/admin/users/hr3", data={"action": "disable"}).status_code == 403
    hr = sign_in(browser(app_client), "hr")
    assert (
        hr.post(
            "/admin/users/hr3",
            data={"csrf_token": csrf_of(hr.get("/people").text), "action": "disable"},
        ).status_code
        == 403
    )


def test_admin_changes_a_role_on_the_users_page(app_client: TestClient, seeded: Seeded) -> None:
    users = app_client.app.state.users  # type: ignore[attr-defined]
    users.add("eq2", "long enough to use", "equality", must_change=False)
    eq2 = sign_in(browser(app_client), "eq2", "long enough to use")
    assert eq2.get("/equality").status_code == 200
    admin = sign_in(browser(app_client), "admin")
    assert 'href="/admin/users/eq2"' in admin.get("/admin/users").text
    page = admin.get("/admin/users/eq2")
    accessible(page.text)
    token = csrf_of(page.text)
    url = "/admin/users/eq2"
    r = admin.post(url, data={"csrf_token": token, "action": "role", "role": "officer"})
    assert r.status_code == 422 and "needs --person" in r.text
    r = admin.post(
        url,
        data={"csrf_token": token, "action": "role", "role": "officer", "person_id": "W999999"},
    )
    assert r.status_code == 422 and "no record with id 'W999999'" in html.unescape(r.text)
    r = admin.post(url, data={"csrf_token": token, "action": "role", "role": "wizard"})
    assert r.status_code == 422 and "unknown role 'wizard'" in html.unescape(r.text)
    r = admin.post(
        url,
        data={
            "csrf_token": token,
            "action": "role",
            "role": "officer",
            "person_id": seeded.other,
        },
    )
    assert r.status_code == 200 and f"eq2 is now officer, linked to record {seeded.other}" in r.text
    # A role change ends the user's sessions (issue 14): signed in again, the new role applies.
    assert eq2.get("/equality").status_code == 303
    eq2 = sign_in(browser(app_client), "eq2", "long enough to use")
    assert eq2.get("/equality").status_code == 403
    assert eq2.get(f"/people/{seeded.other}").status_code == 200
    r = admin.post(url, data={"csrf_token": token, "action": "role", "role": "hr"})
    assert "eq2 is now hr" in r.text
    assert users.get("eq2").person_id is None
    # An admin cannot change their own role (so an admin is always left).
    r = admin.post("/admin/users/admin", data={"csrf_token": token, "action": "role", "role": "hr"})
    assert r.status_code == 422 and "your own role" in r.text
    assert "cannot change your own role" in admin.get("/admin/users/admin").text
    assert admin.get("/admin/users/nobody").status_code == 404
    store = app_client.app.state.store  # type: ignore[attr-defined]
    roles = [(a.action, a.actor, a.after) for a in store.audit("eq2")]
    assert roles[0] == ("user.role", "web:admin", {"role": "hr", "person": None})


def test_admin_revokes_a_users_tokens(app_client: TestClient, seeded: Seeded) -> None:
    users = app_client.app.state.users  # type: ignore[attr-defined]
    users.add("sync", "long enough to use", "hr", must_change=False)
    first, second = users.new_token("sync", "one"), users.new_token("sync", "two")
    admin = sign_in(browser(app_client), "admin")
    page = admin.get("/admin/users/sync")
    assert "one" in page.text and page.text.count(">Revoke <span") == 2
    token = csrf_of(page.text)
    ids = re.findall(r'name="token_id" value="(\d+)"', page.text)
    r = admin.post(
        "/admin/users/sync",
        data={"csrf_token": token, "action": "revoke-token", "token_id": ids[-1]},
    )
    assert r.status_code == 200 and f"revoked API token {ids[-1]} of sync" in r.text
    assert users.for_token(first) is None and users.for_token(second) is not None
    again = admin.post(
        "/admin/users/sync",
        data={"csrf_token": token, "action": "revoke-token", "token_id": ids[-1]},
    )
    assert again.status_code == 422 and "no live API token" in again.text
    bad = admin.post(
        "/admin/users/sync", data={"csrf_token": token, "action": "revoke-token", "token_id": "x"}
    )
    assert bad.status_code == 422
    r = admin.post("/admin/users/sync", data={"csrf_token": token, "action": "revoke-tokens"})
    assert "revoked 1 API token(s) of sync" in r.text and users.for_token(second) is None


def test_a_password_reset_ends_the_users_sessions(app_client: TestClient) -> None:
    users = app_client.app.state.users  # type: ignore[attr-defined]
    users.add("hr4", "long enough to use", "hr", must_change=False)
    hr4 = sign_in(browser(app_client), "hr4", "long enough to use")
    assert hr4.get("/people").status_code == 200
    admin = sign_in(browser(app_client), "admin")
    token = csrf_of(admin.get("/admin/users").text)
    r = admin.post("/admin/users/hr4", data={"csrf_token": token, "action": "reset"})
    assert "(shown once)" in r.text and r.headers["cache-control"] == "no-store"
    r = hr4.get("/people")
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    assert "Signed in as" not in hr4.get("/login").text


def test_own_account_tokens_and_password(app_client: TestClient, seeded: Seeded) -> None:
    users = app_client.app.state.users  # type: ignore[attr-defined]
    users.add("hr5", "long enough to use", "hr", must_change=False)
    elsewhere = sign_in(browser(app_client), "hr5", "long enough to use")
    me = sign_in(browser(app_client), "hr5", "long enough to use")
    page = me.get("/account")
    accessible(page.text)
    token = csrf_of(page.text)
    r = me.post("/account/tokens", data={"csrf_token": token, "name": "HR sync"})
    assert r.status_code == 200 and "shown this once" in r.text
    accessible(r.text)
    secret = re.search(r'<code class="secret">(pw_[^<]+)</code>', r.text)
    assert secret and users.for_token(secret[1]).username == "hr5"
    assert secret[1] not in me.get("/account").text  # shown once only
    assert me.post("/account/tokens", data={"csrf_token": token, "name": ""}).status_code == 422
    number = re.search(r'action="/account/tokens/(\d+)/revoke"', r.text)
    assert number
    other = sign_in(browser(app_client), "hr")
    other_token = csrf_of(other.get("/account").text)
    assert (
        other.post(f"/account/tokens/{number[1]}/revoke", data={"csrf_token": other_token})
    ).status_code == 404  # not theirs
    r = me.post(f"/account/tokens/{number[1]}/revoke", data={"csrf_token": token})
    assert r.status_code == 200 and users.for_token(secret[1]) is None
    assert (
        me.post(f"/account/tokens/{number[1]}/revoke", data={"csrf_token": token}).status_code
        == 404
    )
    # Passwords: the current one is checked, the new one typed twice; other sessions end.
    data = {
        "csrf_token": token,
        "current": "wrong!!!",
        "new": "a new secret",
        "again": "a new secret",
    }
    r = me.post("/account/password", data=data)
    assert r.status_code == 422 and "current password is not right" in r.text
    r = me.post(
        "/account/password", data={**data, "current": "long enough to use", "again": "different"}
    )
    assert r.status_code == 422 and "differ" in r.text
    r = me.post(
        "/account/password",
        data={**data, "current": "long enough to use", "new": "short", "again": "short"},
    )
    assert r.status_code == 422 and "at least 12" in r.text
    r = me.post("/account/password", data={**data, "current": "long enough to use"})
    assert r.status_code == 200 and "Your password is changed." in r.text
    assert me.get("/people").status_code == 200  # this session goes on
    assert elsewhere.get("/people").status_code == 303  # the other one is signed out
    assert users.authenticate("hr5", "a new secret") is not None


def test_hr_edit_page_and_a_publish_that_changes_nothing(app_client: TestClient) -> None:
    hr = sign_in(browser(app_client), "hr")
    page = hr.get("/library/upload?edit=fsl.yaml")
    assert "<h1>Edit fsl.yaml</h1>" in page.text and 'name="editing" value="1"' in page.text
    token = csrf_of(page.text)
    text = re.search(r'<textarea id="text"[^>]*>(.*?)</textarea>', page.text, re.S)
    assert text
    same = html.unescape(text[1]) + "\n# a comment only\n"
    r = hr.post(
        "/library/check",
        data={"csrf_token": token, "name": "fsl.yaml", "text": same, "editing": "1"},
    )
    assert r.status_code == 200 and "<h1>Edit fsl.yaml</h1>" in r.text
    assert "publishing would change nothing" in r.text and "Publish as a new version" not in r.text
    assert "+# a comment only" in r.text
    r = hr.post("/library/publish", data={"csrf_token": token, "name": "fsl.yaml", "text": same})
    assert r.status_code == 303 and "Nothing+published" in r.headers["location"]


def _page_urls(seeded: Seeded) -> dict[tuple[str, str], tuple[str, str]]:
    """Every GET page of the app -> (who opens it, a URL for it)."""
    return {
        ("GET", "/"): ("hr", "/"),
        ("GET", "/login"): ("", "/login"),
        ("GET", "/people/{person_id}"): ("officer", f"/people/{seeded.officer}?as_of=2024-06-01"),
        ("GET", "/people/{person_id}/pathways/{pathway_id}"): (
            "hr",
            f"/people/{seeded.other}/pathways/pip?as_of=2024-06-01",
        ),
        ("GET", "/people/{person_id}/print"): ("officer", f"/people/{seeded.officer}/print"),
        ("GET", "/people/{person_id}/goal"): (
            "officer",
            f"/people/{seeded.officer}/goal?to=Superintendent&as_of=2024-06-01",
        ),
        ("GET", "/people/{person_id}/pathways/{pathway_id}/diagram"): (
            "officer",
            f"/people/{seeded.officer}/pathways/promotion/diagram?as_of=2024-06-01",
        ),
        ("GET", "/people/{person_id}/what-if"): ("officer", f"/people/{seeded.officer}/what-if"),
        ("GET", "/people/{person_id}/record"): ("hr", f"/people/{seeded.other}/record"),
        ("GET", "/people"): ("hr", "/people?q=W"),
        ("GET", "/data-quality"): ("hr", "/data-quality?as_of=2024-06-01"),
        ("GET", "/equality"): ("equality", "/equality"),
        ("GET", "/library"): ("hr", "/library"),
        ("GET", "/library/pathways/{pathway_id}"): ("hr", "/library/pathways/senior_leadership"),
        ("GET", "/library/upload"): ("hr", "/library/upload?edit=pip.yaml"),
        ("GET", "/admin/users"): ("admin", "/admin/users"),
        ("GET", "/admin/users/{username}"): ("admin", "/admin/users/hr"),
        ("GET", "/account"): ("officer", "/account"),
        ("GET", "/docs"): ("officer", "/docs"),
        ("GET", "/reports/pipeline"): ("hr", "/reports/pipeline?as_of=2024-06-01"),
        ("GET", "/reports/equality"): ("equality", "/reports/equality?as_of=2024-06-01"),
        ("GET", "/reports/pipeline.csv"): ("hr", "/reports/pipeline.csv?as_of=2024-06-01"),
        ("GET", "/reports/equality.csv"): ("hr", "/reports/equality.csv?as_of=2024-06-01"),
        ("GET", "/reports/compliance"): ("hr", "/reports/compliance?as_of=2024-06-01"),
        ("GET", "/reports/compliance.csv"): ("hr", "/reports/compliance.csv?as_of=2024-06-01"),
        ("GET", "/key-posts"): ("hr", "/key-posts"),
        ("GET", "/key-posts/{post_id}"): ("hr", "/key-posts/1"),
        ("GET", "/reports/key-posts"): ("hr", "/reports/key-posts?as_of=2024-06-01"),
        ("GET", "/reports/key-posts.csv"): ("hr", "/reports/key-posts.csv?as_of=2024-06-01"),
        ("GET", "/reports/talent-cascade"): ("hr", "/reports/talent-cascade?as_of=2024-06-01"),
        ("GET", "/reports/talent-cascade.csv"): ("hr", "/reports/talent-cascade.csv"),
    }


def test_every_page_is_accessible(app_client: TestClient, seeded: Seeded) -> None:
    """Each page (and each error page) has one h1, labelled controls, named buttons,
    captioned tables and statuses in words; a new page must be added here."""
    pages = {(m, p) for m, p in routes(app_client.app) if m == "GET" and not p.startswith("/api/")}
    urls = _page_urls(seeded)
    assert set(urls) == pages, "add the new page to _page_urls"
    store = Store(seeded.url)
    try:  # a key post to show (the page of key post 1)
        posts = KeyPosts(store)
        if posts.get(1) is None:
            posts.add("Borough Commander", "territorial_policing", "promotion.superintendent",
                      seeded.other, actor="test")  # fmt: skip
    finally:
        store.close()
    clients: dict[str, TestClient] = {}
    for role, url in urls.values():
        if role not in clients:
            name = {"officer": seeded.officer, "": ""}.get(role, role)
            clients[role] = sign_in(browser(app_client), name) if name else browser(app_client)
        r = clients[role].get(url, follow_redirects=True)
        assert r.status_code == 200, (url, r.text)
        if url.split("?")[0].endswith(".csv"):  # a download, not a page
            assert r.headers["content-type"].startswith("text/csv")
            continue
        accessible(r.text)
    for url in ("/people/W999999", "/nowhere"):
        r = clients["hr"].get(url, headers={"Accept": "text/html"})
        assert r.status_code == 404
        accessible(r.text)
