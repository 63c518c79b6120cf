"""``pathways list``: what a library contains, and its version hash."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from pathways.loader import SHIPPED_LIBRARY, load_with_problems
from pathways.model.library import prerequisites

from .options import format_option, secho


@click.command("list")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@format_option
def list_command(paths: tuple[Path, ...], fmt: str) -> None:
    """List the pathways and stages of a library (default: the shipped one).

    Shows each pathway's stages in file order, entry stages, what each stage
    awards, its cross-pathway prerequisites and effective dates, and the
    library's content hash (its version).

    \b
    Examples:
      pathways list
      pathways list ./my-library --format json
    """
    library, problems = load_with_problems(list(paths) or [SHIPPED_LIBRARY])
    if library is None:
        for p in problems:
            click.echo(p.format(), err=True)
        click.echo("the library does not load: run 'pathways check' for details", err=True)
        sys.exit(1)
    if fmt == "json":
        click.echo(json.dumps(library.to_json(), indent=2))
        return
    secho(f"{library.catalogue.name} (version {library.digest[:12]})", bold=True)
    for pathway in library.pathways.values():
        click.echo()
        secho(f"{pathway.name} [{pathway.id}]  {library.files.get(pathway.id, '')}", bold=True)
        for stage in pathway.stages:
            marks = ["entry"] if stage.entry else []
            if stage.awards:
                marks.append(f"awards {stage.awards.describe()}")
            if stage.effective_from or stage.effective_to:
                marks.append(
                    f"in force {stage.effective_from or '...'} to {stage.effective_to or '...'}"
                )
            for target in prerequisites(pathway, stage):
                if target[0] != pathway.id:
                    marks.append(f"needs {'.'.join(target)}")
            extra = f"  ({'; '.join(marks)})" if marks else ""
            click.echo(
                f"  - {stage.name} [{stage.id}]: {len(stage.requires)} requirement(s){extra}"
            )
    total = len(library.stages())
    click.echo()
    click.echo(
        f"{len(library.pathways)} pathways, {total} stages, "
        f"{len(library.catalogue.credentials)} credentials, "
        f"{len(library.catalogue.courses)} courses"
    )
