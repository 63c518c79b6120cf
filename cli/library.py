"""``pathways publish``, ``versions`` and ``rollback``: library versions in the records store."""

from __future__ import annotations

import datetime as dt
import getpass
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from authoring.checker import check_paths
from pathways.loader import SHIPPED_LIBRARY, library_files
from store import LibraryVersion, StoreError

from .options import DATE, db_option, format_option, open_store, secho

__all__ = [
    "publish_command",
    "rollback_command",
    "versions_command",
]

F = TypeVar("F", bound=Callable[..., Any])
SHORT = 12  # digits of a digest shown in listings; any unique prefix is accepted


def _author(author: str | None) -> str:
    if author:
        return author
    try:
        return getpass.getuser()
    except Exception:  # no login name (some containers)
        return "unknown"


@click.command("publish")
@click.argument(
    "directory",
    required=False,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
)
@db_option
@click.option("--author", metavar="NAME", help="Who publishes (default: your login name).")
@click.option(
    "--effective-date",
    type=DATE,
    default=None,
    help="The date the rules take effect, YYYY-MM-DD (recorded with the version).",
)
@click.option("--note", metavar="TEXT", help="Why this version is published (kept with it).")
def publish_command(
    directory: Path | None,
    db_url: str | None,
    author: str | None,
    effective_date: dt.datetime | None,
    note: str | None,
) -> None:
    """Publish a pathway library: check it, store its files in the database, make it active.

    DIRECTORY is a whole library (a catalogue and its pathways); default: the
    shipped library. It is checked first, as 'pathways check --no-shipped'
    would: with errors, nothing is published. Warnings are shown but do not
    stop it. The version is the library's content hash (its digest), which is
    printed; publishing rules that are already stored only makes that version
    active again. Previous versions are kept: 'pathways rollback' goes back.
    Who published what, and when, is in the audit log.

    Exit status: 0 published, 1 the library has errors, 2 usage error.

    \b
    Examples:
      pathways publish                                    # the shipped library
      pathways publish ./library --author "J Smith" --effective-date 2026-04-01
      pathways publish ./library --note "FSL prerequisite from 2011" \\
          --db postgresql+psycopg://pathways@db.internal/pathways
    """
    source = directory or SHIPPED_LIBRARY
    report = check_paths([source])
    for problem in report.problems:
        click.echo(problem.format(), err=True)
    library = report.library
    if report.errors or library is None:
        secho(
            f"not published: {report.errors} error(s) in {source}; "
            "fix them ('pathways check --no-shipped DIRECTORY' shows them again)",
            fg="red",
            err=True,
        )
        sys.exit(1)
    if report.warnings:
        click.echo(f"{report.warnings} warning(s); publishing anyway", err=True)
    store = open_store(db_url)
    try:
        known = store.library_version(library.digest) is not None
        version = store.publish_library(
            library_files(source),
            library.digest,
            library.catalogue.name,
            _author(author),
            effective_date.date() if effective_date else None,
            note,
        )
    except StoreError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    finally:
        store.close()
    if known:
        click.echo(
            f"already stored (published by {version.author} on {_when(version)}); now active",
            err=True,
        )
    else:
        click.echo(
            f"published {len(version.files)} file(s) of '{version.name}'; now active", err=True
        )
    click.echo(version.digest)


@click.command("versions")
@db_option
@format_option
def versions_command(db_url: str | None, fmt: str) -> None:
    """List the pathway library versions stored in the database, newest first.

    Shows each version's short digest, name, author, when it was published,
    the date its rules take effect and, marked '*', the active version: the
    one decisions use. Any unique prefix of a digest names a version for
    'pathways rollback'.

    \b
    Examples:
      pathways versions
      pathways versions --db sqlite:///var/pathways.db
      pathways versions --format json
    """
    store = open_store(db_url)
    try:
        versions = store.library_versions()
    finally:
        store.close()
    if fmt == "json":
        click.echo(json.dumps([_as_json(v) for v in versions], indent=2))
        return
    if not versions:
        click.echo("no library versions stored; publish one with 'pathways publish'")
        return
    rows = [
        (
            "*" if v.active else " ",
            v.digest[:SHORT],
            v.name if len(v.name) <= 40 else v.name[:39] + "…",
            v.author,
            _when(v),
            v.effective_date.isoformat() if v.effective_date else "-",
            (v.note or "").partition("\n")[0],
        )
        for v in versions
    ]
    header = ("", "digest", "name", "author", "published (UTC)", "effective", "note")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        click.echo("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    click.echo("* active")


@click.command("rollback")
@click.argument("digest_prefix")
@db_option
@click.option("--actor", metavar="NAME", help="Who rolls back, for the audit log (default: login).")
def rollback_command(digest_prefix: str, db_url: str | None, actor: str | None) -> None:
    """Make an earlier (or later) stored library version the active one again.

    DIGEST_PREFIX is the start of a version's digest, as 'pathways versions'
    shows it; it must match exactly one stored version. Nothing is deleted:
    rolling forward again is another rollback. The change is audited.

    Exit status: 0 done, 1 no version (or more than one) matches, 2 usage error.

    \b
    Examples:
      pathways versions                  # find the digest
      pathways rollback 3f2a9c1b7d04 --actor "J Smith"
      pathways rollback 3f2a --db postgresql+psycopg://pathways@db.internal/pathways
    """
    if not digest_prefix.strip():
        raise click.BadParameter("give at least one digit of a digest", param_hint="DIGEST_PREFIX")
    store = open_store(db_url)
    try:
        before = store.active_library()
        store.activate_library(digest_prefix.strip(), _author(actor))
        after = store.active_library()
    except StoreError as exc:
        click.echo(f"error: {exc}; 'pathways versions' lists the stored versions", err=True)
        sys.exit(1)
    finally:
        store.close()
    assert after is not None
    if before is not None and before.digest == after.digest:
        click.echo(f"{after.digest[:SHORT]} '{after.name}' is already the active version")
        return
    was = f" (was {before.digest[:SHORT]})" if before is not None else ""
    click.echo(
        f"active: {after.digest[:SHORT]} '{after.name}', published by {after.author} "
        f"on {_when(after)}{was}"
    )


def _when(version: LibraryVersion) -> str:
    return version.published_at.strftime("%Y-%m-%d %H:%M:%S")


def _as_json(version: LibraryVersion) -> dict[str, Any]:
    return {
        "digest": version.digest,
        "name": version.name,
        "author": version.author,
        "published_at": version.published_at.isoformat(),
        "effective_date": version.effective_date.isoformat() if version.effective_date else None,
        "note": version.note,
        "active": version.active,
        "files": sorted(version.files),
    }
