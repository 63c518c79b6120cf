"""``pathways sources``: every rule beside the words it cites, for review."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from authoring.citations import list_citations, to_json, to_markdown, to_text
from pathways.loader import SHIPPED_LIBRARY, collect_files, is_catalogue_file, load_with_problems


@click.command("sources")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "markdown", "json"]),
    default="text",
    show_default=True,
    help="Text for a terminal, Markdown for a page (docs/sources.md), JSON for programs.",
)
@click.option(
    "--no-shipped",
    is_flag=True,
    help="List PATHS alone. By default, files without a catalogue are listed together with "
    "the shipped catalogue and pathways, as 'pathways check' does.",
)
def sources_command(paths: tuple[Path, ...], fmt: str, no_shipped: bool) -> None:
    """List every rule with its citation and the start of the cited text.

    For each pathway, stage, requirement, progression and catalogue entry: the
    words of the rule, what its 'source' (and, for a dated rule, its
    'effective_source') cites, and the start of the cited unit's text from the
    library's source index, or the words the citation quotes. Citations the
    index does not have are marked NOT FOUND ('pathways check' reports them).
    With no PATHS, lists the shipped library.

    Exit status: 0 listed, 1 the library does not load, 2 usage error.

    \b
    Examples:
      pathways sources                           # the shipped library
      pathways sources --format markdown > docs/sources.md
      pathways sources my_pathway.yaml           # with the shipped catalogue and index
      pathways sources --no-shipped ./my-library --format json
    """
    targets = list(paths) or [SHIPPED_LIBRARY]
    has_catalogue = any(is_catalogue_file(f) for f in collect_files(targets))
    base = None if (no_shipped or has_catalogue or not paths) else SHIPPED_LIBRARY
    library, problems = load_with_problems(targets, base)
    if library is None:
        for p in problems:
            click.echo(p.format(), err=True)
        click.echo("the library does not load: run 'pathways check' for details", err=True)
        sys.exit(1)
    rows = list_citations(library)
    if fmt == "json":
        click.echo(json.dumps(to_json(rows), indent=2, default=str))
    elif fmt == "markdown":
        click.echo(to_markdown(rows, library), nl=False)
    else:
        click.echo(to_text(rows), nl=False)
