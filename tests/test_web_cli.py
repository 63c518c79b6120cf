"""``pathways users`` and ``pathways demo-users``: accounts for the web front end."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import cli
from store import Store
from store.users import Users
from workforce.synthetic import generate_people


def _db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    store = Store(url)
    store.save_people(generate_people(3, seed=1), actor="test")
    store.close()
    return url


@pytest.mark.slow  # several password hashes (argon2)
def test_demo_users_once(tmp_path: Path) -> None:
    url = _db(tmp_path)
    first = CliRunner().invoke(cli, ["demo-users", "--db", url])
    assert first.exit_code == 0, first.output
    lines = first.output.splitlines()
    assert [line.split()[0] for line in lines[:7]] == [
        "officer",
        "hr",
        "equality",
        "admin",
        "officer",
        "officer",
        "officer",
    ]
    officer, password = lines[0].split()[2], lines[0].split()[4]
    # The demo officers are named, with what each shows.
    assert [line.split()[2] for line in lines[4:7]] == ["W900001", "W900002", "W900003"]
    assert "  W900001: sergeant eligible from a date; a goal (chief inspector) with two routes" in (
        lines
    )
    again = CliRunner().invoke(cli, ["demo-users", "--db", url])
    assert again.exit_code == 0 and "exist already" in again.output
    assert "W900002: a credential lapsed four years ago" in again.output
    store = Store(url)
    try:
        user = Users(store).authenticate(officer, password)
        assert user is not None and user.person_id == officer
    finally:
        store.close()


def test_users_add_and_token(tmp_path: Path) -> None:
    url = _db(tmp_path)
    ok = CliRunner().invoke(cli, ["users", "add", "jsmith", "--role", "hr", "--db", url])
    assert ok.exit_code == 0 and "password (shown once):" in ok.output
    for args in (
        ["users", "add", "jsmith", "--role", "hr"],  # exists
        ["users", "add", "x", "--role", "officer"],  # no --person
        ["users", "add", "x", "--role", "officer", "--person", "W999999"],
        ["users", "add", "y", "--role", "hr", "--password", "short"],
    ):
        bad = CliRunner().invoke(cli, [*args, "--db", url])
        assert bad.exit_code == 1 and "error:" in bad.output, args
    token = CliRunner().invoke(cli, ["users", "token", "jsmith", "--name", "sync", "--db", url])
    assert token.exit_code == 0 and token.output.startswith("pw_")
    store = Store(url)
    try:
        found = Users(store).for_token(token.output.strip())
        assert found is not None and found.username == "jsmith"
        assert Users(store).revoke_tokens("jsmith") == 1
        assert Users(store).for_token(token.output.strip()) is None
    finally:
        store.close()
    missing = CliRunner().invoke(cli, ["users", "token", "nobody", "--name", "x", "--db", url])
    assert missing.exit_code == 1
