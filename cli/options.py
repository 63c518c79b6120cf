"""Options several commands share, so they read and behave the same everywhere."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from store import Store, StoreError, default_url

F = TypeVar("F", bound=Callable[..., Any])

__all__ = ["db_option", "format_option", "open_store"]

format_option = click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Text for people, JSON for other programs.",
)


def db_option(func: F) -> F:
    """``--db URL``: the records store (default ``$PATHWAYS_DATABASE_URL`` or a SQLite file)."""
    return click.option(
        "--db",
        "db_url",
        metavar="URL",
        default=None,
        help="The records store, as a SQLAlchemy URL: sqlite:///path/to/file.db or "
        "postgresql+psycopg://user@host/db. Default: $PATHWAYS_DATABASE_URL, or "
        "sqlite:///var/pathways.db under the current directory.",
    )(func)


def open_store(db_url: str | None) -> Store:
    """The store at ``db_url`` (or the default), migrated; a usage error naming --db if not."""
    try:
        return Store(db_url or default_url())
    except StoreError as exc:
        raise click.UsageError(
            f"{exc}\ngive a database URL that works with --db (or $PATHWAYS_DATABASE_URL)"
        ) from None
