"""``pathways audit``: the audit log, filtered by user, action, record and date."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import click

from store.auditlog import MAX_PAGE, AuditRow, search

from .options import db_option, open_store

__all__ = ["audit_command", "describe"]

DATE = click.DateTime(formats=["%Y-%m-%d"])


@click.command("audit")
@click.option("--user", metavar="NAME", help="Only what this user did.")
@click.option("--action", metavar="ACTION", help="An action (draft.approve) or family (draft).")
@click.option(
    "--target", metavar="ID", help="A record id, a version's digest (or its start), draft:N."
)
@click.option("--since", type=DATE, help="From this date (UTC), YYYY-MM-DD.")
@click.option("--until", type=DATE, help="Up to and including this date (UTC).")
@click.option(
    "--limit", type=click.IntRange(1, MAX_PAGE), default=50, show_default=True, help="At most."
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Text for people, JSON for other programs.",
)
@db_option
def audit_command(
    user: str | None,
    action: str | None,
    target: str | None,
    since: dt.datetime | None,
    until: dt.datetime | None,
    limit: int,
    fmt: str,
    db_url: str | None,
) -> None:
    """Show the audit log, newest first: who changed which record, published, approved
    or rolled back which library version, and when.

    \b
    Examples:
      pathways audit --action draft --since 2027-03-01
      pathways audit --user "B Jones" --format json
      pathways audit --target W0001234
    """
    store = open_store(db_url)
    try:
        total, rows = search(
            store,
            user=user,
            action=action,
            target=target,
            since=since.date() if since else None,
            until=until.date() if until else None,
            limit=limit,
        )
    finally:
        store.close()
    if fmt == "json":
        click.echo(json.dumps({"total": total, "entries": [_json(r) for r in rows]}, indent=2))
        return
    for r in rows:
        when = f"{r.at:%Y-%m-%d %H:%M:%S}"
        click.echo(f"{when}  {r.actor:<16} {r.action:<22} {r.target[:24]:<24}  {describe(r)}")
    click.echo(f"{len(rows)} of {total} entr{'y' if total == 1 else 'ies'}")


def describe(row: AuditRow) -> str:
    """The entry's details in words: a reason, both names of an approval, what changed."""
    after, before = row.after, row.before
    if isinstance(after, dict):
        parts = []
        for key in ("author", "approver", "reason", "effective_from", "title", "note", "status"):
            if after.get(key):
                parts.append(f"{key.replace('_', ' ')}: {after[key]}")
        if parts:
            return "; ".join(parts)
        return ", ".join(sorted(after))
    if isinstance(after, str) or isinstance(before, str):
        return f"{(before or '-')[:12]} -> {(after or '-')[:12]}"
    return ""


def _json(row: AuditRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "at": row.at.isoformat(),
        "actor": row.actor,
        "action": row.action,
        "target": row.target,
        "before": row.before,
        "after": row.after,
    }
