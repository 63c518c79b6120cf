"""Options several commands share, so they read and behave the same everywhere.

- ``RECORD_PATH`` and :func:`read_record`: a record file, or ``-`` for standard input;
- :func:`no_color` and :func:`secho`: colour only where wanted (``NO_COLOR``, no-color.org);
- :func:`progress_bar`: a progress bar on stderr, only on a terminal and without ``--quiet``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

from accreditation.io import RecordError, load_record_text
from accreditation.record import Person
from pathways.dates import out_of_range
from pathways.problems import Problem
from store import Store, StoreError, default_url

F = TypeVar("F", bound=Callable[..., Any])

__all__ = [
    "DATE",
    "MAX_RECORD_BYTES",
    "RECORD_PATH",
    "db_option",
    "format_option",
    "no_color",
    "open_store",
    "progress_bar",
    "quiet_option",
    "read_record",
    "record_name",
    "secho",
    "stderr_console",
]

#: A record file's size limit: a person's record is a few kilobytes.
MAX_RECORD_BYTES = 5 * 1024 * 1024

#: A RECORD argument: a JSON file, or ``-`` to read the record from standard input.
RECORD_PATH = click.Path(exists=True, dir_okay=False, allow_dash=True, path_type=Path)
STDIN = Path("-")


class InRangeDate(click.DateTime):
    """A ``YYYY-MM-DD`` date in the range every input accepts (:mod:`pathways.dates`)."""

    name = "date"

    def __init__(self) -> None:
        super().__init__(formats=["%Y-%m-%d"])

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        day = super().convert(value, param, ctx)
        wrong = out_of_range(day.date())
        if wrong is not None:
            self.fail(wrong, param, ctx)
        return day


#: A date option's type: ``type=DATE`` (a datetime, as click.DateTime gives).
DATE = InRangeDate()

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


quiet_option = click.option(
    "--quiet",
    is_flag=True,
    help="Nothing on stderr but errors: no progress bar (there is none off a terminal).",
)


def record_name(path: Path) -> str:
    """How messages name a record: its path, or <stdin>."""
    return "<stdin>" if path == STDIN else str(path)


def read_record(path: Path) -> Person:
    """The record in the file at ``path``, or on standard input for ``-``.

    Raises:
        RecordError: if it cannot be read, is larger than MAX_RECORD_BYTES, is not JSON or
            is not a valid record.
    """
    name = record_name(path)
    try:
        if path == STDIN:
            if sys.stdin.isatty():
                click.echo("reading a record from standard input (end it with Ctrl-D)", err=True)
            data = sys.stdin.buffer.read(MAX_RECORD_BYTES + 1)
        else:
            with path.open("rb") as file:
                data = file.read(MAX_RECORD_BYTES + 1)
    except OSError as exc:
        raise RecordError([_problem(name, "unreadable-file", f"cannot read it: {exc}")]) from exc
    if len(data) > MAX_RECORD_BYTES:
        size = MAX_RECORD_BYTES // (1024 * 1024)
        raise RecordError([_problem(name, "too-large", f"larger than {size} MiB: not one record")])
    if not data.strip():
        hint = " (nothing was piped in?)" if path == STDIN else ""
        raise RecordError([_problem(name, "json-syntax", f"empty: expected one record{hint}")])
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RecordError([_problem(name, "json-syntax", f"not UTF-8 text: {exc}")]) from exc
    return load_record_text(text, name)


def _problem(name: str, code: str, message: str) -> Problem:
    return Problem(code=code, file=name, message=message)


def no_color() -> bool:
    """True when ``NO_COLOR`` is set to anything but the empty string (no-color.org)."""
    return bool(os.environ.get("NO_COLOR"))


def secho(message: str, *, err: bool = False, **styles: Any) -> None:
    """``click.secho`` without its colours under NO_COLOR (bold and the like stay)."""
    if no_color():
        styles = {k: v for k, v in styles.items() if k not in ("fg", "bg")}
    click.secho(message, err=err, **styles)


def stderr_console() -> Console:
    """A rich console on stderr (rich itself leaves out colours under NO_COLOR)."""
    return Console(stderr=True, highlight=False, no_color=no_color() or None)


@contextmanager
def progress_bar(label: str, *, quiet: bool = False) -> Iterator[Callable[[int, int], None]]:
    """A ``progress(done, total)`` callback drawing a bar on stderr.

    Drawn only when stderr is a terminal and not ``quiet``: in a pipe, a log or a test
    the callback does nothing, so output stays clean. The bar goes when done.
    """
    if quiet or not sys.stderr.isatty():
        yield lambda done, total: None
        return
    with Progress(
        TextColumn(label),
        BarColumn(),
        TextColumn("{task.completed:,}/{task.total:,}"),
        TimeRemainingColumn(),
        console=stderr_console(),
        transient=True,
    ) as bar:
        task = bar.add_task(label, total=None)
        yield lambda done, total: bar.update(task, completed=done, total=total)
