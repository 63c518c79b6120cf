"""Options several commands share, so they read and behave the same everywhere."""

from __future__ import annotations

import click

__all__ = ["format_option"]

format_option = click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Text for people, JSON for other programs.",
)
