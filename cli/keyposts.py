"""``pathways key-posts``: HR's key posts (add, change, retire, list, history), and
``pathways report key-posts``: each post's holder and successors, with the quarterly
snapshot the Management Board compares against."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Any

import click

from pathways.model.library import Library
from pathways.suggest import did_you_mean
from store import Store
from store.keyposts import KeyPost, KeyPostError, KeyPosts, quarter_of
from workforce.reports.keyposts import KeyPostReport, key_post_report, report_rows, snapshot_of

from .options import db_option, open_store
from .report import _emit, _library_dir, _load, _run, resolve_target

__all__ = ["key_posts_group", "key_posts_report_command"]

ACTOR = "cli"


def _library(store: Store, library: Path | None) -> Library:
    with tempfile.TemporaryDirectory(prefix="pathways-keyposts-") as tmp:
        return _load(_library_dir(store, library, Path(tmp)))


def _group(library: Library, text: str) -> str:
    known = library.catalogue.ids("business_groups")
    if text in known:
        return text
    near = did_you_mean(text, known)
    raise click.BadParameter(
        f"no business group '{text}'" + (f"; did you mean '{near}'?" if near else ""),
        param_hint="--group",
    )


def _holder(store: Store, holder: str | None) -> str | None:
    if holder and store.get_person(holder) is None:
        raise click.BadParameter(
            f"no record '{holder}' in the store: give the holder's warrant or staff number, "
            "or leave --holder out while the post is vacant",
            param_hint="--holder",
        )
    return holder or None


def _line(p: KeyPost) -> str:
    holder = p.holder or "vacant"
    retired = " (retired)" if not p.active else ""
    return (
        f"{p.id:>4}  {p.post}{retired}  [{p.business_group}]  successor holds {p.stage}; "
        f"holder {holder}; version {p.version}"
    )


@click.group("key-posts")
def key_posts_group() -> None:
    """Key posts for succession planning: the post, its business group, the stage a
    successor must hold, and the holder. Every change is audit-logged; a change names the
    version it was made from (see 'list'), so a second writer is told.

    \b
    Examples:
      pathways key-posts add --post "Borough Commander, Westminster" \\
          --group territorial_policing --stage promotion.chief_superintendent --holder W000123
      pathways key-posts list
      pathways key-posts change 1 --version 1 --holder W000456
      pathways key-posts history 1
    """


@key_posts_group.command("list")
@click.option("--retired", is_flag=True, help="Also the posts no longer key.")
@db_option
def list_command(retired: bool, db_url: str | None) -> None:
    """List the key posts (id, post, business group, stage, holder, version)."""
    store = open_store(db_url)
    try:
        posts = KeyPosts(store).all(include_retired=retired)
    finally:
        store.close()
    if not posts:
        click.echo("no key posts yet: add one with 'pathways key-posts add'")
    for p in posts:
        click.echo(_line(p))


@key_posts_group.command("add")
@click.option("--post", required=True, help="The post, in words.")
@click.option("--group", "business_group", required=True, help="Its business group (id).")
@click.option("--stage", required=True, help="The stage a successor must hold.")
@click.option("--holder", help="The holder's warrant or staff number (none: vacant).")
@db_option
@click.option("--library", type=click.Path(exists=True, file_okay=False, path_type=Path))
def add_command(
    post: str,
    business_group: str,
    stage: str,
    holder: str | None,
    db_url: str | None,
    library: Path | None,
) -> None:
    """Name a new key post."""
    store = open_store(db_url)
    try:
        lib = _library(store, library)
        made = KeyPosts(store).add(
            post,
            _group(lib, business_group),
            resolve_target(lib, stage),
            _holder(store, holder),
            actor=ACTOR,
        )
    except KeyPostError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        store.close()
    click.echo(f"added: {_line(made)}")


@key_posts_group.command("change")
@click.argument("post_id", type=int)
@click.option("--version", "seen", type=int, required=True, help="The version you last saw.")
@click.option("--post", help="A new name for the post.")
@click.option("--group", "business_group", help="A new business group.")
@click.option("--stage", help="A new stage a successor must hold.")
@click.option("--holder", help="A new holder ('' for vacant).")
@db_option
@click.option("--library", type=click.Path(exists=True, file_okay=False, path_type=Path))
def change_command(
    post_id: int,
    seen: int,
    post: str | None,
    business_group: str | None,
    stage: str | None,
    holder: str | None,
    db_url: str | None,
    library: Path | None,
) -> None:
    """Change a key post (name, business group, stage or holder)."""
    store = open_store(db_url)
    try:
        lib = _library(store, library)
        changes: dict[str, Any] = {}
        if post is not None:
            changes["post"] = post
        if business_group is not None:
            changes["business_group"] = _group(lib, business_group)
        if stage is not None:
            changes["stage"] = resolve_target(lib, stage)
        if holder is not None:
            changes["holder"] = _holder(store, holder)
        made = KeyPosts(store).change(post_id, seen, ACTOR, **changes)
    except KeyPostError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        store.close()
    click.echo(f"changed: {_line(made)}")


@key_posts_group.command("retire")
@click.argument("post_id", type=int)
@click.option("--version", "seen", type=int, required=True, help="The version you last saw.")
@db_option
def retire_command(post_id: int, seen: int, db_url: str | None) -> None:
    """Stop treating a post as key (it is kept for the audit log and old snapshots)."""
    store = open_store(db_url)
    try:
        KeyPosts(store).retire(post_id, seen, ACTOR)
    except KeyPostError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        store.close()
    click.echo(f"retired key post {post_id}")


@key_posts_group.command("history")
@click.argument("post_id", type=int)
@db_option
def history_command(post_id: int, db_url: str | None) -> None:
    """A key post's audit trail, newest first: who changed what, when."""
    store = open_store(db_url)
    try:
        entries = KeyPosts(store).history(post_id)
    finally:
        store.close()
    if not entries:
        raise click.ClickException(f"no key post {post_id} (nothing in the audit log)")
    for e in entries:
        click.echo(f"{e.at:%Y-%m-%d %H:%M}  {e.actor:<16} {e.action:<16} {e.before} -> {e.after}")


# --- the report ------------------------------------------------------------------------------


def report_text(report: KeyPostReport) -> str:
    since = f", change since {report.compared_with}" if report.compared_with else ""
    lines = [
        f"Key posts as of {report.as_of} ({report.quarter}{since}; library "
        f"{report.library_version[:12]})"
    ]
    if not report.rows:
        lines.append("no key posts: HR names them with 'pathways key-posts add'")
    for r in report.rows:
        flag = "  ! NO READY SUCCESSOR" if r.flagged else ""
        lines += ["", f"{r.post.post} [{r.post.business_group}]{flag}"]
        lines.append(f"  successor holds {r.post.stage}; holder {r.post.holder or 'vacant'}")
        if not r.decided:
            lines.append(f"  {r.post.stage} is not in force on {report.as_of}")
        for words, people in (
            ("ready now", r.ready_now),
            ("within 6 months", r.within_6),
            ("within 12 months", r.within_12),
        ):
            shown = ", ".join(people[:12]) + (
                f" and {len(people) - 12} more" if len(people) > 12 else ""
            )
            lines.append(f"  {words:<17} {len(people):>4}  {shown}")
        c = r.change
        if c is not None and c.new_post:
            lines.append(f"  new since {c.quarter}")
        elif c is not None:
            lines.append(
                f"  since {c.quarter}: ready now {c.ready_then} -> {len(r.ready_now)}"
                + (f"; now ready: {', '.join(c.joined)}" if c.joined else "")
                + (f"; no longer ready: {', '.join(c.left)}" if c.left else "")
                + (
                    f"; holder was {c.holder_then or 'vacant'}"
                    if c.holder_then != r.post.holder
                    else ""
                )
            )
    lines += [
        "",
        "Ready now: holds the stage or is eligible for it. Within 6 / 12 months: eligible from "
        "a date within 6 / 12 months if nothing else changes (12 includes 6). The holder is "
        "not counted.",
    ]
    return "\n".join(lines) + "\n"


@click.command("key-posts")
@click.option("--as-of", "as_of", type=click.DateTime(["%Y-%m-%d"]), help="Default: today.")
@click.option(
    "--snapshot",
    is_flag=True,
    help="Keep this report as the snapshot of its quarter, for the next quarter to compare.",
)
@click.option("--replace", is_flag=True, help="With --snapshot: replace the quarter's snapshot.")
@db_option
@click.option("--library", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "csv", "json"]), default="text")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--workers", type=click.IntRange(1, 64), default=2, show_default=True)
@click.option("--quiet", is_flag=True, help="No progress bar or summary on stderr.")
def key_posts_report_command(
    as_of: dt.datetime | None,
    snapshot: bool,
    replace: bool,
    db_url: str | None,
    library: Path | None,
    fmt: str,
    output: Path | None,
    workers: int,
    quiet: bool,
) -> None:
    """For each key post: the holder, who is ready to succeed now, and who will be within 6
    and 12 months (from the engine's eligible-from dates); posts with nobody ready are
    flagged; and the change since the last quarter's snapshot.

    \b
    Examples:
      pathways report key-posts
      pathways report key-posts --as-of 2024-06-30 --snapshot
      pathways report key-posts --format csv -o key-posts.csv
    """
    day = as_of.date() if as_of else dt.date.today()
    store = open_store(db_url)
    try:
        posts = KeyPosts(store)
        with tempfile.TemporaryDirectory(prefix="pathways-report-") as tmp:
            directory = _library_dir(store, library, Path(tmp))
            run = _run(store, directory, day, workers, quiet)
        report = key_post_report(posts.all(), run, posts.before(quarter_of(day)))
        if snapshot:
            try:
                kept = posts.keep_snapshot(
                    day, run.library_version, snapshot_of(report), ACTOR, replace=replace
                )
            except KeyPostError as exc:
                raise click.ClickException(str(exc)) from None
            click.echo(f"kept the snapshot for {kept.quarter} (as of {kept.as_of})", err=True)
    finally:
        store.close()
    rows = report_rows(report)
    data = {
        "as_of": day.isoformat(),
        "quarter": report.quarter,
        "library_version": report.library_version,
        "compared_with": report.compared_with,
        "rows": rows,
    }
    _emit(rows, data, fmt, output, report_text(report))
