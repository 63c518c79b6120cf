"""``pathways users`` and ``pathways demo-users``: web sign-in accounts and API tokens."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable

import click

from store.users import UserError, Users, new_password
from workforce.demo import DemoOfficer, store_demo_officers

from .options import db_option, open_store

__all__ = ["create_demo_officers", "create_demo_users", "demo_users_command", "users_group"]

DEMO_USERS = ("hr", "equality", "admin")


@click.group("users")
def users_group() -> None:
    """Manage web users (sign-in accounts with a role) and their API tokens.

    Roles: officer (their own record only; --person links it), hr (every record, the
    library), equality (aggregate reports), admin (users).

    \b
    Examples:
      pathways users add W000001 --role officer --person W000001
      pathways users add jsmith --role hr
      pathways users token hr-system --name "HR system nightly sync"
    """


@users_group.command("add")
@click.argument("username")
@click.option(
    "--role",
    required=True,
    type=click.Choice(["officer", "hr", "equality", "admin"]),
    help="What the user may do.",
)
@click.option("--person", "person_id", default=None, help="For officers: their record's id.")
@click.option(
    "--password",
    default=None,
    help="The password (default: a random one, printed once). Prefer the default.",
)
@db_option
def users_add(
    username: str, role: str, person_id: str | None, password: str | None, db_url: str | None
) -> None:
    """Add a web user, printing their password once if it was generated. The user must
    choose their own password at their first sign-in.

    \b
    Examples:
      pathways users add W000001 --role officer --person W000001
      pathways users add jsmith --role hr --db sqlite:///var/pathways.db
    """
    store = open_store(db_url)
    try:
        secret = password or new_password()
        Users(store).add(username, secret, role, person_id)
    except UserError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    finally:
        store.close()
    click.echo(f"added {role} user '{username}'")
    if password is None:
        click.echo(f"password (shown once): {secret}")


@users_group.command("token")
@click.argument("username")
@click.option("--name", required=True, help="What the token is for (kept with it).")
@click.option(
    "--days",
    type=click.IntRange(1, 366),
    default=None,
    help="How long the token works (default: $PATHWAYS_TOKEN_DAYS, else 90).",
)
@db_option
def users_token(username: str, name: str, days: int | None, db_url: str | None) -> None:
    """Make an API token for a user and print it once (send it as a bearer token).

    \b
    Examples:
      pathways users token hr-system --name "HR system nightly sync"
      curl -H "Authorization: Bearer TOKEN" http://127.0.0.1:8000/api/pathways
    """
    store = open_store(db_url)
    try:
        token = Users(store).new_token(username, name, days=days)
    except UserError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    finally:
        store.close()
    click.echo(token)


@click.command("demo-users")
@db_option
def demo_users_command(db_url: str | None) -> None:
    """Create demo web users, if missing, and print their passwords once.

    An officer signed in as the first officer record in the database, one user each
    for hr, equality and admin, and the demo officers (workforce/demo.py): records
    refreshed to today's date, each showing something of the officer pages (a date
    a stage is open from, a lapsed credential, a goal with two routes ...). Users
    that exist already are left alone (their passwords are not shown again: delete
    var/ or add users by hand).

    \b
    Examples:
      pathways demo-users
      pathways demo-users --db sqlite:///var/pathways.db
    """
    store = open_store(db_url)
    try:
        made = create_demo_users(Users(store), new_password)
        officers = store_demo_officers(store, dt.date.today())
        made += create_demo_officers(Users(store), officers, new_password)
    finally:
        store.close()
    if not made:
        click.echo("demo users exist already (passwords were shown when they were made)")
    for username, role, password in made:
        click.echo(f"  {role:9} username {username:10} password {password}")
    click.echo("demo officers (sign in with the username and password shown when made):")
    for officer in officers:
        click.echo(f"  {officer.person.id}: {officer.shows}")


def create_demo_users(users: Users, password_for: Callable[[], str]) -> list[tuple[str, str, str]]:
    """Create the demo users that are missing; returns [(username, role, password)]."""
    made: list[tuple[str, str, str]] = []
    officer = users.store.first_person_id("officer")
    if officer is not None and users.get(officer, include_disabled=True) is None:
        secret = password_for()
        users.add(officer, secret, "officer", officer, must_change=False)  # a demo
        made.append((officer, "officer", secret))
    for role in DEMO_USERS:
        if users.get(role, include_disabled=True) is None:
            secret = password_for()
            users.add(role, secret, role, must_change=False)
            made.append((role, role, secret))
    return made


def create_demo_officers(
    users: Users, officers: list[DemoOfficer], password_for: Callable[[], str]
) -> list[tuple[str, str, str]]:
    """An officer sign-in for each demo officer that has none; [(username, role, password)]."""
    made: list[tuple[str, str, str]] = []
    for officer in officers:
        pid = officer.person.id
        if users.get(pid, include_disabled=True) is None:
            secret = password_for()
            users.add(pid, secret, "officer", pid, must_change=False)  # a demo
            made.append((pid, "officer", secret))
    return made
