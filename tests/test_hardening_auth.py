"""Issue 14, items 7-10: the sign-in limit holds under parallel attempts and across server
processes; tokens expire, show their last use and die with an admin's password reset;
sessions are server-side, so sign-out, a reset, a role change or disabling the user ends
them, copied cookies included; passwords follow NIST SP 800-63B and an admin-set one must
be changed at first sign-in."""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hardening import bearer, csrf_of, serve, sign_in

import store.tokens
from store import Store, signin
from store.tokens import create_token, list_tokens
from store.users import UserError, Users
from web.app import create_app
from web.testing import PASSWORD, Seeded, seed


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Seeded:
    return seed(f"sqlite:///{tmp_path_factory.mktemp('hardening-auth') / 'web.db'}", people=4)


@pytest.fixture(scope="module")
def app_client(seeded: Seeded) -> Iterator[TestClient]:
    with TestClient(create_app(seeded.url, workers=1), follow_redirects=False) as c:
        yield c


def browser(app_client: TestClient) -> TestClient:
    return TestClient(app_client.app, follow_redirects=False)


def _admin_post(app_client: TestClient, username: str, **form: str) -> str:
    admin = browser(app_client)
    assert sign_in(admin, "admin").status_code == 303
    token = csrf_of(admin.get(f"/admin/users/{username}").text)
    r = admin.post(f"/admin/users/{username}", data={"csrf_token": token, **form})
    assert r.status_code == 200, r.text
    return r.text


def _new_user(app_client: TestClient, name: str, role: str = "hr") -> None:
    users: Users = app_client.app.state.users  # type: ignore[attr-defined]
    if users.get(name, include_disabled=True) is None:
        users.add(name, PASSWORD, role, must_change=False)


# --- item 7: the sign-in limit ---------------------------------------------------------------


def test_parallel_reservations_let_exactly_the_limit_through(db_url: str) -> None:
    """40 attempts at once on one key: 5 reserved, 35 refused (SQLite and PostgreSQL)."""
    opened = Store(db_url)
    results: list[int] = []
    barrier = threading.Barrier(40)

    def attempt() -> None:
        barrier.wait()
        results.append(signin.reserve(opened, "hr|127.0.0.1"))

    threads = [threading.Thread(target=attempt) for _ in range(40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    opened.close()
    assert len(results) == 40
    assert results.count(0) == signin.LIMIT


def test_the_failures_table_stays_bounded(db_url: str) -> None:
    opened = Store(db_url)
    try:
        for i in range(50):
            signin.reserve(opened, f"user{i}|10.0.0.1", window=60)
        assert signin.stored_keys(opened) == 50
        a_window_later = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=61)
        signin.reserve(opened, "late|10.0.0.1", window=60, now=a_window_later)
        assert signin.stored_keys(opened) == 1
    finally:
        opened.close()


def test_forty_parallel_wrong_passwords_on_two_server_processes(
    seeded: Seeded, tmp_path: Path
) -> None:
    """The limit is in the store, so two processes share it: at most 5 tries get checked."""
    statuses: list[int] = []
    with serve(seeded.url, tmp_path, processes=2) as server:
        clients = [server.client(timeout=60) for _ in range(40)]
        tokens = [csrf_of(c.get("/login").text) for c in clients]
        barrier = threading.Barrier(40)

        def attempt(i: int) -> None:
            barrier.wait()
            r = clients[i].post(
                "/login",
                data={"username": "equality", "password": "wrong guess", "csrf_token": tokens[i]},
            )
            statuses.append(r.status_code)

        threads = [threading.Thread(target=attempt, args=(i,)) for i in range(40)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        for c in clients:
            c.close()
    counts = Counter(statuses)
    assert counts[401] == signin.LIMIT and counts[429] == 40 - signin.LIMIT, counts


# --- item 8: tokens ---------------------------------------------------------------------------


def test_an_admin_reset_revokes_the_users_tokens(app_client: TestClient) -> None:
    _new_user(app_client, "sync-bot")
    users: Users = app_client.app.state.users  # type: ignore[attr-defined]
    token = users.new_token("sync-bot", "nightly")
    api = {"Authorization": f"Bearer {token}"}
    assert browser(app_client).get("/api/me", headers=api).status_code == 200
    page = _admin_post(app_client, "sync-bot", action="reset")
    assert "1 API token(s) revoked" in page
    assert browser(app_client).get("/api/me", headers=api).status_code == 401


def test_an_admin_may_keep_the_tokens_when_asked(app_client: TestClient) -> None:
    _new_user(app_client, "sync-bot-2")
    users: Users = app_client.app.state.users  # type: ignore[attr-defined]
    token = users.new_token("sync-bot-2", "nightly")
    _admin_post(app_client, "sync-bot-2", action="reset", keep_tokens="1")
    assert users.for_token(token) is not None


def test_tokens_expire(app_client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    _new_user(app_client, "short-lived")
    opened: Store = app_client.app.state.store  # type: ignore[attr-defined]
    info, token = create_token(opened, "short-lived", "one day", actor="test", days=1)
    assert info.expires_at is not None
    assert info.expires_at - info.created_at == dt.timedelta(days=1)
    api = {"Authorization": f"Bearer {token}"}
    assert browser(app_client).get("/api/me", headers=api).status_code == 200
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=1, minutes=1)
    monkeypatch.setattr(store.tokens, "_now", lambda: later)
    assert browser(app_client).get("/api/me", headers=api).status_code == 401
    assert [t.state for t in list_tokens(opened, "short-lived")] == ["expired"]


def test_the_default_expiry_is_90_days_and_configurable(
    app_client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: Store = app_client.app.state.store  # type: ignore[attr-defined]
    _new_user(app_client, "configured")
    info, _ = create_token(opened, "configured", "default", actor="test")
    assert info.expires_at is not None
    assert (info.expires_at - info.created_at).days == 90
    monkeypatch.setenv(store.tokens.DAYS_ENV, "30")
    info, _ = create_token(opened, "configured", "thirty", actor="test")
    assert info.expires_at is not None
    assert (info.expires_at - info.created_at).days == 30


def test_last_use_is_shown_to_the_owner_and_to_admin(
    app_client: TestClient, seeded: Seeded
) -> None:
    assert browser(app_client).get("/api/me", headers=bearer(seeded, "equality")).status_code == 200
    owner = browser(app_client)
    sign_in(owner, "equality")
    mine = owner.get("/api/tokens").json()
    used = [t for t in mine if t["last_used_at"]]
    assert used and used[0]["expires_at"] and used[0]["state"] == "live"
    day = used[0]["last_used_at"][:10]
    assert "last used" in owner.get("/account").text and day in owner.get("/account").text
    admin = browser(app_client)
    sign_in(admin, "admin")
    assert day in admin.get("/admin/users/equality").text


# --- item 9: server-side sessions ---------------------------------------------------------------


def _copied_cookie_after(app_client: TestClient, username: str, end: str) -> int:
    c = browser(app_client)
    assert sign_in(c, username).status_code == 303
    copy = TestClient(app_client.app, follow_redirects=False, cookies=dict(c.cookies))
    assert copy.get("/account").status_code == 200
    if end == "sign-out":
        c.post("/logout", data={"csrf_token": csrf_of(c.get("/account").text)})
    elif end == "reset":
        _admin_post(app_client, username, action="reset")
    elif end == "role":
        _admin_post(app_client, username, action="role", role="equality")
    elif end == "disable":
        _admin_post(app_client, username, action="disable")
        _admin_post(app_client, username, action="enable")
    return copy.get("/account").status_code


@pytest.mark.parametrize("end", ["sign-out", "reset", "role", "disable"])
def test_a_copied_session_cookie_dies_with_the_session(app_client: TestClient, end: str) -> None:
    name = f"session-{end}"
    _new_user(app_client, name)
    assert _copied_cookie_after(app_client, name, end) == 303  # back to the sign-in page


def test_changing_your_own_password_keeps_this_session_and_ends_the_others(
    app_client: TestClient,
) -> None:
    _new_user(app_client, "changer")
    here, elsewhere = browser(app_client), browser(app_client)
    sign_in(here, "changer")
    sign_in(elsewhere, "changer")
    new = "a different battery staple"
    r = here.post(
        "/account/password",
        data={
            "csrf_token": csrf_of(here.get("/account").text),
            "current": PASSWORD,
            "new": new,
            "again": new,
        },
    )
    assert r.status_code == 200 and "Your password is changed" in r.text
    assert here.get("/account").status_code == 200
    assert elsewhere.get("/account").status_code == 303


# --- item 10: passwords ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "password",
    [
        "password",
        "short-11-ch",
        "passwordpassword",
        "Password2024!",
        "123456789012",
        "qwertyuiopas",
    ],
)
def test_weak_passwords_are_refused(password: str) -> None:
    users = Users(Store("sqlite://"))
    with pytest.raises(UserError):
        users.add("someone", password, "hr")


def test_a_password_with_the_user_name_is_refused() -> None:
    users = Users(Store("sqlite://"))
    with pytest.raises(UserError, match="user name"):
        users.add("jsmith", "jsmith-is-great-2024", "hr")


def test_the_admin_form_refuses_password_for_a_new_user(app_client: TestClient) -> None:
    admin = browser(app_client)
    sign_in(admin, "admin")
    r = admin.post(
        "/admin/users",
        data={
            "csrf_token": csrf_of(admin.get("/admin/users").text),
            "username": "weak",
            "password": "password",
            "role": "hr",
        },
    )
    assert r.status_code == 422 and "12 characters" in r.text


def test_a_password_set_by_an_admin_must_be_changed_at_first_sign_in(
    app_client: TestClient,
) -> None:
    users: Users = app_client.app.state.users  # type: ignore[attr-defined]
    users.add("newcomer", "set by the admin 1", "hr")  # must_change by default
    c = browser(app_client)
    r = sign_in(c, "newcomer", "set by the admin 1")
    assert r.status_code == 303 and r.headers["location"].startswith("/account")
    assert c.get("/people").headers["location"].startswith("/account")
    assert c.get("/api/me").status_code == 403
    assert "choose your own" in c.get("/account").text
    mine = "my own long pass phrase"
    c.post(
        "/account/password",
        data={
            "csrf_token": csrf_of(c.get("/account").text),
            "current": "set by the admin 1",
            "new": mine,
            "again": mine,
        },
    )
    assert c.get("/people").status_code == 200
