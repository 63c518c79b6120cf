"""``pathways serve``, ``pathways users`` and ``pathways demo-users``: the web front end."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from .users import Users

__all__ = ["demo_users_command", "serve_command", "users_group"]

DEMO_USERS = ("hr", "equality", "admin")


# The same --db option as every other command (pathways.cli.options.db_option); spelled
# out here because pathways.cli imports this module.
_db = click.option(
    "--db",
    "db_url",
    metavar="URL",
    default=None,
    help="The records store, as a SQLAlchemy URL: sqlite:///path/to/file.db or "
    "postgresql+psycopg://user@host/db. Default: $PATHWAYS_DATABASE_URL, or "
    "sqlite:///var/pathways.db under the current directory.",
)


def _open(db_url: str | None):  # type: ignore[no-untyped-def]
    from pathways.cli.options import open_store

    return open_store(db_url)


@click.command("serve")
@_db
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
@click.option(
    "--workers",
    default=2,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Rules-engine worker processes (the web server itself is one process).",
)
@click.option(
    "--processes",
    default=1,
    show_default=True,
    type=click.IntRange(1, 32),
    help="Web server processes (each with its own --workers rules-engine processes).",
)
@click.option(
    "--library",
    "library_dir",
    type=click.Path(exists=True, file_okay=False),
    default=None,
    help="Decide with this library directory instead of the database's active version.",
)
def serve_command(
    db_url: str | None,
    host: str,
    port: int,
    workers: int,
    processes: int,
    library_dir: str | None,
) -> None:
    """Start the web front end and the JSON API (uvicorn, in the foreground).

    Pages for officers and staff (My pathways, what if, print for a PDR), HR (records,
    the pathway library: upload, check, publish, roll back), equality and admin; the
    JSON API under /api, documented at /docs. Decisions use the database's active
    library version (the shipped library if none is published). Stop with Ctrl-C.

    \b
    Examples:
      pathways serve
      pathways serve --db sqlite:///var/pathways.db --port 8080
      pathways demo-users && pathways serve
      pathways serve --processes 4 --workers 1     # 4 server processes, 1 engine each
    """
    import uvicorn

    from accreditation.store import default_url

    from .app import create_app

    click.echo(f"serving on http://{host}:{port}/ (API docs: http://{host}:{port}/docs)")
    if processes == 1:
        app = create_app(db_url or default_url(), library_dir, workers)
        uvicorn.run(app, host=host, port=port, log_level="info")
        return
    import os
    import secrets

    from .app import SECRET_ENV
    from .asgi import DB_ENV, ENGINE_WORKERS_ENV, LIBRARY_ENV

    os.environ[DB_ENV] = db_url or default_url()
    os.environ[ENGINE_WORKERS_ENV] = str(workers)
    os.environ[LIBRARY_ENV] = library_dir or ""
    os.environ.setdefault(SECRET_ENV, secrets.token_hex(32))  # shared by every process
    uvicorn.run(
        "web.asgi:app", factory=True, host=host, port=port, workers=processes, log_level="info"
    )


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
@_db
def users_add(
    username: str, role: str, person_id: str | None, password: str | None, db_url: str | None
) -> None:
    """Add a web user, printing their password once if it was generated.

    \b
    Examples:
      pathways users add W000001 --role officer --person W000001
      pathways users add jsmith --role hr --db sqlite:///var/pathways.db
    """
    from .users import UserError, Users, new_password

    store = _open(db_url)
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
@_db
def users_token(username: str, name: str, db_url: str | None) -> None:
    """Make an API token for a user and print it once (send it as a bearer token).

    \b
    Examples:
      pathways users token hr-system --name "HR system nightly sync"
      curl -H "Authorization: Bearer TOKEN" http://127.0.0.1:8000/api/pathways
    """
    from .users import UserError, Users

    store = _open(db_url)
    try:
        token = Users(store).new_token(username, name)
    except UserError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    finally:
        store.close()
    click.echo(token)


@click.command("demo-users")
@_db
def demo_users_command(db_url: str | None) -> None:
    """Create demo web users, if missing, and print their passwords once.

    An officer signed in as the first officer record in the database, and one user
    each for hr, equality and admin. Users that exist already are left alone (their
    passwords are not shown again: delete var/ or add users by hand).

    \b
    Examples:
      pathways demo-users
      pathways demo-users --db sqlite:///var/pathways.db
    """
    from .users import Users, new_password

    store = _open(db_url)
    try:
        made = create_demo_users(Users(store), new_password)
    finally:
        store.close()
    if not made:
        click.echo("demo users exist already (passwords were shown when they were made)")
    for username, role, password in made:
        click.echo(f"  {role:9} username {username:10} password {password}")


def create_demo_users(users: Users, password_for: Callable[[], str]) -> list[tuple[str, str, str]]:
    """Create the demo users that are missing; returns [(username, role, password)]."""
    from sqlalchemy import select

    from accreditation.store.schema import people

    made: list[tuple[str, str, str]] = []
    with users.store.engine.connect() as conn:
        officer = conn.execute(
            select(people.c.id).where(people.c.kind == "officer").order_by(people.c.id).limit(1)
        ).scalar_one_or_none()
    if officer is not None and users.get(officer, include_disabled=True) is None:
        secret = password_for()
        users.add(officer, secret, "officer", officer)
        made.append((officer, "officer", secret))
    for role in DEMO_USERS:
        if users.get(role, include_disabled=True) is None:
            secret = password_for()
            users.add(role, secret, role)
            made.append((role, role, secret))
    return made
