"""``pathways draft`` and ``pathways review``: changes saved as drafts, approved by a
second HR user (four eyes), published now or from an effective date."""

from __future__ import annotations

import datetime as dt
import getpass
import json
import sys
from pathlib import Path

import click

from authoring.review import approve_draft, base_files, save_draft, shipped_digest
from store import Store, StoreError
from store.drafts import OPEN, Draft, DraftError, Drafts

from .options import db_option, format_option, open_store, quiet_option, secho
from .review_output import draft_json, print_checked, print_diff, print_impact

__all__ = ["draft_group", "review_group"]

SHORT = 12
DATE = click.DateTime(formats=["%Y-%m-%d"])


def _who(name: str | None) -> str:
    if name:
        return name
    try:
        return getpass.getuser()
    except Exception:  # no login name (some containers)
        return "unknown"


def _read(paths: tuple[Path, ...]) -> dict[str, str]:
    out: dict[str, str] = {}
    for path in paths:
        if path.name in out:
            raise click.BadParameter(f"two files are called {path.name}", param_hint="FILES")
        out[path.name] = path.read_text(encoding="utf-8")
    return out


def _get(store: Store, draft_id: int) -> Draft:
    draft = Drafts(store).get(draft_id)
    if draft is None:
        raise click.BadParameter(f"no draft {draft_id} ('pathways draft list')", param_hint="ID")
    return draft


def _fail(exc: Exception) -> None:
    secho(f"error: {exc}", fg="red", err=True)
    sys.exit(1)


@click.group("draft")
def draft_group() -> None:
    """Save pathway changes as drafts for review; list, show and compare them.

    A draft is checked, and its example cases run, when it is saved; nothing is
    published until another HR user approves it ('pathways review').

    \b
    Examples:
      pathways draft save armed_officer.yaml --cases armed_officer_cases.yaml --title "AFO"
      pathways draft list --all
      pathways draft diff 3 --against active
    """


@draft_group.command("save")
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option("--title", required=True, help="What the change does, in a few words.")
@click.option(
    "--cases",
    "case_files",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A file of example cases to run with it (repeatable).",
)
@click.option("--author", metavar="NAME", help="Who writes it (default: your login name).")
@click.option("--draft", "draft_id", type=int, help="Save a new version of this draft.")
@click.option(
    "--version", "expected", type=int, help="With --draft: the draft version you changed."
)
@db_option
@format_option
def draft_save(
    files: tuple[Path, ...],
    title: str,
    case_files: tuple[Path, ...],
    author: str | None,
    draft_id: int | None,
    expected: int | None,
    db_url: str | None,
    fmt: str,
) -> None:
    """Save FILES (pathway files, with their catalogue additions) as a draft.

    The files replace or join those of the library version in force today; the
    whole library is checked, and the example cases run, as it is saved. Nothing is
    published: another HR user reviews and approves it ('pathways review approve').

    Exit status: 0 saved (with or without findings), 1 not saved, 2 usage error.

    \b
    Examples:
      pathways draft save firearms.yaml --cases firearms_cases.yaml --title "Firearms pathway"
      pathways draft save firearms.yaml --title "Firearms, refresher" --draft 3 --version 1
    """
    store = open_store(db_url)
    try:
        draft, check = save_draft(
            store,
            _who(author),
            title,
            _read(files),
            _read(case_files),
            draft_id=draft_id,
            expected=expected if expected is not None else _current(store, draft_id),
        )
    except (StoreError, ValueError) as exc:
        _fail(exc)
        return
    finally:
        store.close()
    if fmt == "json":
        click.echo(json.dumps(draft_json(draft), indent=2))
        return
    print_checked(draft)
    base = (
        "the shipped library"
        if draft.base == shipped_digest()
        else f"version {(draft.base or '')[:SHORT]}"
    )
    click.echo(
        f"draft {draft.id} saved (version {draft.version}), made on {base}: {draft.status_words}"
    )
    if check.errors:
        secho("it has errors: fix them and save it again before it can be approved", fg="red")


def _current(store: Store, draft_id: int | None) -> int | None:
    return _get(store, draft_id).version if draft_id is not None else None


@draft_group.command("list")
@click.option("--all", "show_all", is_flag=True, help="Published and withdrawn drafts too.")
@db_option
@format_option
def draft_list(show_all: bool, db_url: str | None, fmt: str) -> None:
    """List drafts, newest change first: those waiting for review (or all).

    \b
    Examples:
      pathways draft list
      pathways draft list --all --format json
    """
    store = open_store(db_url)
    try:
        drafts = Drafts(store).list()
    finally:
        store.close()
    if not show_all:
        drafts = [d for d in drafts if d.status in (OPEN, "changes_requested")]
    if fmt == "json":
        click.echo(json.dumps([draft_json(d, full=False) for d in drafts], indent=2))
        return
    if not drafts:
        click.echo("no drafts" + ("" if show_all else " waiting (--all lists every draft)"))
        return
    for d in drafts:
        cases = d.checked.get("cases") or {}
        state = f"{d.errors} error(s)" + (
            f", cases {cases.get('passed', 0)} passed {cases.get('failed', 0)} failed"
            if cases
            else ""
        )
        click.echo(
            f"{d.id:>4}  v{d.version}  {d.status_words:<19} {d.author:<12} "
            f"{d.updated_at:%Y-%m-%d %H:%M}  {d.title}  [{state}; {', '.join(d.files)}]"
        )


@draft_group.command("show")
@click.argument("draft_id", metavar="ID", type=int)
@db_option
@format_option
def draft_show(draft_id: int, db_url: str | None, fmt: str) -> None:
    """A draft: who wrote it, what it changes, the checker's findings, the cases.

    \b
    Examples:
      pathways draft show 3
      pathways draft show 3 --format json
    """
    store = open_store(db_url)
    try:
        draft = _get(store, draft_id)
    finally:
        store.close()
    if fmt == "json":
        click.echo(json.dumps(draft_json(draft), indent=2))
        return
    click.echo(f"draft {draft.id} (version {draft.version}): {draft.title}")
    click.echo(f"by {draft.author}, {draft.status_words}; files: {', '.join(draft.files)}")
    if draft.review_note:
        click.echo(f"review by {draft.reviewer}: {draft.review_note}")
    print_checked(draft)


@draft_group.command("diff")
@click.argument("draft_id", metavar="ID", type=int)
@click.option(
    "--against",
    type=click.Choice(["base", "active"]),
    default="base",
    show_default=True,
    help="The version the draft was made on, or the one in force today.",
)
@db_option
def draft_diff(draft_id: int, against: str, db_url: str | None) -> None:
    """What draft ID changes: its rules, then its files, against the version it was made on
    (or, --against active, the version in force today).

    \b
    Examples:
      pathways draft diff 3
      pathways draft diff 3 --against active
    """
    store = open_store(db_url)
    try:
        draft = _get(store, draft_id)
        old = base_files(store, draft.base)
        if against == "active":
            in_force = store.active_library()
            shown = base_files(store, in_force.digest if in_force else None)
        else:
            shown = old
    except StoreError as exc:
        _fail(exc)
        return
    finally:
        store.close()
    print_diff(shown, {**old, **draft.files})


@draft_group.command("withdraw")
@click.argument("draft_id", metavar="ID", type=int)
@click.option("--actor", metavar="NAME", help="Who withdraws it (default: your login name).")
@click.option("--note", help="Why (kept with the draft).")
@db_option
def draft_withdraw(draft_id: int, actor: str | None, note: str | None, db_url: str | None) -> None:
    """Close a draft without publishing it (audited).

    \b
    Examples:
      pathways draft withdraw 3 --note "replaced by draft 4"
    """
    store = open_store(db_url)
    try:
        draft = _get(store, draft_id)
        Drafts(store).withdraw(draft_id, _who(actor), draft.version, note)
    except StoreError as exc:
        _fail(exc)
    finally:
        store.close()
    click.echo(f"draft {draft_id} withdrawn")


@click.group("review")
def review_group() -> None:
    """Review drafts: see what they change and who gains or loses, approve or send back.

    Approving publishes the draft, now or from a date; the author cannot approve their
    own draft while four eyes are on (PATHWAYS_FOUR_EYES=off turns that off).

    \b
    Examples:
      pathways review show 3 --as-of 2027-04-01
      pathways review approve 3 --reviewer "B Jones" --effective-from 2027-04-01
      pathways review request-changes 3 --note "case 2 expects the old rule"
    """


@review_group.command("show")
@click.argument("draft_id", metavar="ID", type=int)
@click.option(
    "--as-of",
    "as_of",
    type=DATE,
    help="Impact on the stored workforce as of this date (default: today).",
)
@click.option("--no-impact", is_flag=True, help="Leave out who gains and who loses.")
@db_option
@quiet_option
def review_show(
    draft_id: int, as_of: dt.datetime | None, no_impact: bool, db_url: str | None, quiet: bool
) -> None:
    """Everything a reviewer needs: the rules and file diff, the checker's findings, the
    example cases' results and who gains and who loses eligibility (stored workforce).

    \b
    Examples:
      pathways review show 3 --as-of 2027-04-01
      pathways review show 3 --no-impact
    """
    store = open_store(db_url)
    try:
        draft = _get(store, draft_id)
        old = base_files(store, draft.base)
        new = {**old, **draft.files}
        click.echo(f"draft {draft.id} (version {draft.version}) by {draft.author}: {draft.title}")
        click.echo(f"status: {draft.status_words}")
        print_diff(old, new)
        print_checked(draft)
        if not no_impact:
            print_impact(store, old, new, as_of.date() if as_of else dt.date.today())
    except StoreError as exc:
        _fail(exc)
    finally:
        store.close()


@review_group.command("approve")
@click.argument("draft_id", metavar="ID", type=int)
@click.option("--reviewer", metavar="NAME", help="Who approves (default: your login name).")
@click.option(
    "--effective-from",
    type=DATE,
    help="The first as-of date the new version decides (default: now, every date).",
)
@click.option("--note", help="Why it is published (kept with the version).")
@click.option(
    "--override-cases",
    metavar="REASON",
    help="Publish although example cases fail, for this reason (logged).",
)
@click.option("--version", "expected", type=int, help="The draft version you reviewed.")
@db_option
def review_approve(
    draft_id: int,
    reviewer: str | None,
    effective_from: dt.datetime | None,
    note: str | None,
    override_cases: str | None,
    expected: int | None,
    db_url: str | None,
) -> None:
    """Approve draft ID and publish it, now or from --effective-from.

    The reviewer must not be its author (four eyes; PATHWAYS_FOUR_EYES=off turns that
    off for a small deployment). The library version it was made on must still be the one in
    force on that date. Audited with both names.

    Exit status: 0 published, 1 refused (nothing published), 2 usage error.

    \b
    Examples:
      pathways review approve 3 --reviewer "B Jones" --effective-from 2027-04-01
      pathways review approve 3 --override-cases "case 2 tests the rule this replaces"
    """
    store = open_store(db_url)
    try:
        version = approve_draft(
            store,
            draft_id,
            _who(reviewer),
            expected if expected is not None else _get(store, draft_id).version,
            effective_from=effective_from.date() if effective_from else None,
            note=note,
            override=override_cases,
        )
    except (StoreError, ValueError) as exc:
        _fail(exc)
        return
    finally:
        store.close()
    when = (
        f"decides as-of dates from {effective_from:%Y-%m-%d}" if effective_from else "in force now"
    )
    click.echo(f"draft {draft_id} approved: version {version.digest[:SHORT]} {when}")
    click.echo(version.digest)


@review_group.command("request-changes")
@click.argument("draft_id", metavar="ID", type=int)
@click.option("--note", required=True, help="What should change (the author reads it).")
@click.option("--reviewer", metavar="NAME", help="Who reviews (default: your login name).")
@db_option
def review_request_changes(
    draft_id: int, note: str, reviewer: str | None, db_url: str | None
) -> None:
    """Send draft ID back to its author with what to change.

    \b
    Examples:
      pathways review request-changes 3 --note "add a case for the lapse" --reviewer "B Jones"
    """
    store = open_store(db_url)
    try:
        draft = _get(store, draft_id)
        Drafts(store).request_changes(draft_id, _who(reviewer), draft.version, note)
    except DraftError as exc:
        _fail(exc)
    finally:
        store.close()
    click.echo(f"draft {draft_id} sent back to {draft.author}")
