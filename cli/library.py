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
from authoring.diff import file_diffs, load_files, rules_diff
from authoring.review import version_files
from pathways.loader import SHIPPED_LIBRARY, library_files
from store import LibraryVersion, Store, StoreError
from store.drafts import Draft, Drafts
from store.schedule import ScheduleEntry, segments

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
    help="The first as-of date the version decides, YYYY-MM-DD (default: every date, "
    "up to a version scheduled later); decisions before it keep the version in force.",
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

    This is the administrator's way to load a whole library, without a review. HR's
    changes go through a draft and a second person's approval instead ('pathways draft
    save', 'pathways review approve'; docs/tutorial.md).

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
@click.option(
    "--diff",
    "diff",
    nargs=2,
    metavar="A B",
    help="Show what changed from version A to version B (digest prefixes, or 'shipped'): "
    "their rules, then their files.",
)
def versions_command(db_url: str | None, fmt: str, diff: tuple[str, str] | None) -> None:
    """List the pathway library versions stored in the database, newest first.

    Shows each version's short digest, name, author and approver, when it was
    published, the as-of dates it decides ('from 2027-04-01', or 'every date'),
    a note, and marks the one in force today with '*'. Versions scheduled for a
    later date are listed as such. Any unique prefix of a digest names a version
    for 'pathways rollback' and --diff.

    \b
    Examples:
      pathways versions
      pathways versions --diff 3f2a9c1b 9cf271c5
      pathways versions --format json
    """
    store = open_store(db_url)
    try:
        if diff is not None:
            _print_version_diff(store, *diff)
            return
        versions = store.library_versions()
        timeline = store.library_schedule()
        drafts = {v.digest: Drafts(store).published_by(v.digest) for v in versions}
    finally:
        store.close()
    decides = _decides(timeline)
    if fmt == "json":
        click.echo(
            json.dumps(
                [_as_json(v, decides.get(v.digest, []), drafts[v.digest]) for v in versions],
                indent=2,
            )
        )
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
            (d.reviewer or "-") if (d := drafts[v.digest]) is not None else "-",
            _when(v),
            ", ".join(decides.get(v.digest, [])) or "not in force",
            (v.note or "").partition("\n")[0],
        )
        for v in versions
    ]
    header = ("", "digest", "name", "author", "approver", "published (UTC)", "decides", "note")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        click.echo("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    click.echo("* in force today")


def _decides(timeline: list[ScheduleEntry]) -> dict[str, list[str]]:
    """The as-of dates each version decides, in words ('dates before 2027-04-01',
    '2027-04-01 on'), marked 'scheduled' when they start after today."""
    out: dict[str, list[str]] = {}
    today = dt.date.today()
    for seg in segments(timeline):
        words = seg.words() + (" (scheduled)" if seg.first and seg.first > today else "")
        out.setdefault(seg.digest, []).append(words)
    return out


def _print_version_diff(store: Store, a: str, b: str) -> None:
    try:
        old_digest, old = version_files(store, a)
        new_digest, new = version_files(store, b)
    except StoreError as exc:
        raise click.BadParameter(str(exc), param_hint="--diff") from None
    click.echo(f"from {old_digest[:SHORT]} to {new_digest[:SHORT]}")
    changes = rules_diff(load_files(old), load_files(new))
    click.echo("rules:" if changes else "rules: no change")
    for change in changes:
        click.echo(f"  {change}")
    for d in file_diffs(old, new):
        click.echo(d.text, nl=not d.text.endswith("\n"))


@click.command("rollback")
@click.argument("digest_prefix")
@db_option
@click.option("--actor", metavar="NAME", help="Who rolls back, for the audit log (default: login).")
@click.option("--reason", required=True, help="Why (kept in the audit log).")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def rollback_command(
    digest_prefix: str, db_url: str | None, actor: str | None, reason: str, yes: bool
) -> None:
    """Make a stored library version the one in force on every date again.

    DIGEST_PREFIX is the start of a version's digest, as 'pathways versions'
    shows it; it must match exactly one stored version. Versions scheduled for
    a later date are cancelled (they are listed before you confirm). Nothing is
    deleted: rolling forward again is another rollback. The change and its
    reason are audited.

    Exit status: 0 done (or nothing to do), 1 no version (or more than one) matches
    or not confirmed, 2 usage error.

    \b
    Examples:
      pathways versions                  # find the digest
      pathways rollback 3f2a9c1b7d04 --reason "the AFO course is not ready" --actor "J Smith"
      pathways rollback 3f2a --reason "..." --yes --db postgresql+psycopg://pathways@db/pathways
    """
    if not digest_prefix.strip():
        raise click.BadParameter("give at least one digit of a digest", param_hint="DIGEST_PREFIX")
    if not reason.strip():
        raise click.BadParameter("say why: it is kept in the audit log", param_hint="--reason")
    store = open_store(db_url)
    try:
        before = store.active_library()
        target = [v for v in store.library_versions() if v.digest.startswith(digest_prefix)]
        if len(target) == 1 and not yes:
            _confirm_rollback(store, target[0])
        store.activate_library(digest_prefix.strip(), _author(actor), reason.strip())
        after = store.active_library()
    except StoreError as exc:
        click.echo(f"error: {exc}; 'pathways versions' lists the stored versions", err=True)
        sys.exit(1)
    finally:
        store.close()
    assert after is not None
    if before is not None and before.digest == after.digest:
        click.echo(f"{after.digest[:SHORT]} '{after.name}' is in force on every date")
        return
    was = f" (was {before.digest[:SHORT]})" if before is not None else ""
    click.echo(
        f"in force on every date: {after.digest[:SHORT]} '{after.name}', published by "
        f"{after.author} on {_when(after)}{was}"
    )


def _confirm_rollback(store: Store, target: LibraryVersion) -> None:
    """Say what the rollback changes, and ask; exit 1 if the answer is no."""
    today = dt.date.today()
    cancelled = [
        e
        for e in store.library_schedule()
        if e.live and e.effective_from is not None and e.effective_from > today
    ]
    click.echo(f"roll back to {target.digest[:SHORT]} '{target.name}' (by {target.author}):")
    click.echo("  it will decide every as-of date")
    for e in cancelled:
        click.echo(f"  cancels {e.digest[:SHORT]}, scheduled from {e.effective_from}")
    if not click.confirm("roll back?", default=False):
        click.echo("not rolled back", err=True)
        sys.exit(1)


def _when(version: LibraryVersion) -> str:
    return version.published_at.strftime("%Y-%m-%d %H:%M:%S")


def _as_json(
    version: LibraryVersion, decides: list[str], draft: Draft | None = None
) -> dict[str, Any]:
    return {
        "digest": version.digest,
        "name": version.name,
        "author": version.author,
        "approver": draft.reviewer if draft is not None else None,
        "draft": draft.id if draft is not None else None,
        "published_at": version.published_at.isoformat(),
        "effective_date": version.effective_date.isoformat() if version.effective_date else None,
        "decides": decides,
        "note": version.note,
        "active": version.active,
        "files": sorted(version.files),
    }
