"""``pathways schema``: JSON Schema of the pathway and catalogue files, for editors."""

from __future__ import annotations

import json
from typing import TextIO

import click

from pathways.model.catalogue import CatalogueFile
from pathways.model.pathway import PathwayFile

SCHEMAS: dict[str, type[PathwayFile] | type[CatalogueFile]] = {
    "pathway": PathwayFile,
    "catalogue": CatalogueFile,
}


@click.command("schema")
@click.argument("kind", type=click.Choice(sorted(SCHEMAS)), default="pathway")
@click.option(
    "-o",
    "--output",
    type=click.File("w"),
    default="-",
    help="Write the schema to this file instead of standard output.",
)
def schema_command(kind: str, output: TextIO) -> None:
    """Print the JSON Schema of a pathway file or the catalogue file.

    Point your editor at it for completion and inline errors while writing YAML,
    e.g. with the YAML language server, a first line of
    '# yaml-language-server: $schema=pathway.schema.json'.

    \b
    Examples:
      pathways schema pathway -o pathway.schema.json
      pathways schema catalogue
    """
    schema = SCHEMAS[kind].model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = f"career-pathways {kind} file"
    output.write(json.dumps(schema, indent=2) + "\n")
