"""``pathways export-standard``: pathways as CTDL JSON-LD, held stages as Open Badges 3.0."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

import click

from accreditation.io import RecordError, record_warnings
from exports import (
    DEFAULT_BASE_URI,
    EXTENSION_PREFIX,
    NotHeldError,
    UnknownStageError,
    achievement_credential,
    owner_uri,
    pathway_to_ctdl,
)
from pathways.loader import SHIPPED_LIBRARY, load_with_problems
from pathways.model.library import Library
from rules.engine import Evaluator

from .options import DATE, RECORD_PATH, read_record, record_name

__all__ = ["export_standard_group"]

EXAMPLE_ISSUER_ID = "https://example.org/issuer"
EXAMPLE_ISSUER_NAME = "Example issuer (replace with --issuer-name)"

LIBRARY = click.option(
    "--library",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="A pathway library directory (default: the shipped library).",
)
OUTPUT = click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    default=None,
    help="Write the JSON to this file instead of standard output.",
)
BASE_URI = click.option(
    "--base-uri",
    default=DEFAULT_BASE_URI,
    show_default=True,
    help="The URI that component and pathway ids start with (your registry or site).",
)
STABLE_IDS = click.option(
    "--stable-ids",
    is_flag=True,
    help="Make ids from the catalogue id rather than the library version, so they stay "
    "the same when rules change (for diffing two versions).",
)


@click.group("export-standard")
def export_standard_group() -> None:
    """Export in other systems' standards: CTDL pathways and Open Badges 3.0 credentials.

    'ctdl' writes one pathway as CTDL JSON-LD (Pathway, PathwayComponent,
    ComponentCondition) in the official CTDL terms, for the Credential
    Registry. 'badge' writes a stage a person holds as an unsigned Open Badges
    3.0 achievement credential, for the issuer to sign. docs/exports.md gives
    every mapping.

    Exit status: 0 written, 1 nothing to export (the stage is not held),
    2 usage error.

    \b
    Examples:
      pathways export-standard ctdl pip -o pip.ctdl.json --owner https://police.example/org
      pathways export-standard badge examples/inspector_pip.json pip.level_1 --as-of 2024-01-01
    """


@export_standard_group.command("ctdl")
@click.argument("pathway")
@LIBRARY
@OUTPUT
@BASE_URI
@STABLE_IDS
@click.option(
    "--owner",
    metavar="URI",
    default=None,
    help="The owning organisation (ceterms:ownedBy), as its URI or its CTID in the registry "
    "(a CTID is put after --base-uri). The Credential Registry publishes no pathway without one.",
)
@click.option(
    "--extensions",
    is_flag=True,
    help=f"Add what CTDL has no term for (effective dates, negation) as '{EXTENSION_PREFIX}:' "
    "terms, declared in @context. For your own systems: the Registry may not take them.",
)
def ctdl_command(
    pathway: str,
    library: Path | None,
    output: Path | None,
    base_uri: str,
    stable_ids: bool,
    owner: str | None,
    extensions: bool,
) -> None:
    """Write one pathway as CTDL JSON-LD: a Pathway, its components and their conditions.

    Each stage becomes a PathwayComponent, progressions become precedes /
    ceasn:hasChild / ceasn:isChildOf links, requirements become
    ComponentConditions (requiredNumber, logicalOperator, targetComponent),
    and the goal becomes the one destination component. Only official CTDL
    terms are written (dates of rules in force are in the conditions' words)
    unless --extensions. The output is the same for the same library, so two
    exports can be diffed.

    Exit status: 0 written, 2 usage error (unknown pathway, bad --owner,
    library does not load).

    \b
    Examples:
      pathways export-standard ctdl pip --owner https://police.example/organisation
      pathways export-standard ctdl pip --owner ce-3c5dd3f8-4c36-4b43-8b1f-0f0e3ba1b2a7 \\
          --base-uri https://registry.example/resources/
      pathways export-standard ctdl senior_leadership -o senior_leadership.json --extensions
      pathways export-standard ctdl fsl --base-uri https://registry.example/resources/
      pathways export-standard ctdl my_pathway --library ./lib --stable-ids
    """
    owner_id: str | None = None
    if owner is not None:
        try:
            owner_id = owner_uri(owner, base_uri)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--owner") from None
    lib = _library(library)
    try:
        document = pathway_to_ctdl(
            lib, pathway, base_uri, stable_ids=stable_ids, owner=owner_id, extensions=extensions
        )
    except UnknownStageError as exc:
        raise click.BadParameter(str(exc), param_hint="PATHWAY") from None
    if owner_id is None:
        click.echo(
            "warning: no --owner given: the Credential Registry publishes no pathway without "
            "its owning organisation (ceterms:ownedBy); give its URI or CTID",
            err=True,
        )
    _write(document, output)


@export_standard_group.command("badge")
@click.argument("record", type=RECORD_PATH)
@click.argument("stage", metavar="PATHWAY.STAGE")
@click.option(
    "--as-of",
    type=DATE,
    default=None,
    help="Decide as of this date, YYYY-MM-DD (default: today); the stage must be held then.",
)
@click.option(
    "--issuer-id",
    default=None,
    metavar="URI",
    help=f"The issuing organisation's URI (default: {EXAMPLE_ISSUER_ID}, a placeholder).",
)
@click.option(
    "--issuer-name",
    default=None,
    metavar="NAME",
    help="The issuing organisation's name (default: a placeholder).",
)
@click.option(
    "--hash-id",
    "salt",
    default=None,
    metavar="SALT",
    help="Send the person's id as a SHA-256 hash salted with SALT, not in plain text.",
)
@LIBRARY
@OUTPUT
@BASE_URI
@STABLE_IDS
def badge_command(
    record: Path,
    stage: str,
    as_of: dt.datetime | None,
    issuer_id: str | None,
    issuer_name: str | None,
    salt: str | None,
    library: Path | None,
    output: Path | None,
    base_uri: str,
    stable_ids: bool,
) -> None:
    """Write a stage a person holds as an unsigned Open Badges 3.0 credential.

    RECORD is one person's record as JSON (see examples/), or - for standard
    input; PATHWAY.STAGE names
    the stage, e.g. pip.level_1. The person's eligibility is decided as of the
    date; only a stage they hold then gives a badge. The credential names the
    person by their id alone (no name, no protected characteristics), cites
    the record items that show the stage held as evidence, and is valid from
    the award date until the credential lapses, if it does. It has no proof:
    sign it with your issuer keys before sending it.

    Exit status: 0 written, 1 the stage is not held on that date, 2 usage error.

    \b
    Examples:
      pathways export-standard badge examples/inspector_pip.json pip.level_1 --as-of 2024-01-01
      pathways export-standard badge examples/superintendent_spnac.json fsl.stage_1 \\
          --as-of 2011-01-01 --issuer-id https://police.example/ --issuer-name "Example Police"
      cat r.json | pathways export-standard badge - pip.level_1
    """
    lib = _library(library)
    pathway_id, stage_id = _stage_argument(lib, stage)
    if issuer_id is None or issuer_name is None:
        click.echo(
            "warning: no --issuer-id or --issuer-name given: the badge names a placeholder "
            "issuer; give your organisation's URI and name",
            err=True,
        )
    try:
        person = read_record(record)
    except RecordError as exc:
        click.echo(str(exc), err=True)
        click.echo("the record is not valid: fix the fields above (see examples/*.json)", err=True)
        sys.exit(2)
    for warning in record_warnings(person, lib.catalogue):
        click.echo(f"warning: {record_name(record)}: {warning}", err=True)
    evaluator = Evaluator(lib)
    decision = evaluator.decide(person, as_of.date() if as_of else None, [pathway_id])
    issuer: dict[str, Any] = {
        "id": issuer_id or EXAMPLE_ISSUER_ID,
        "name": issuer_name or EXAMPLE_ISSUER_NAME,
    }
    try:
        credential = achievement_credential(
            person,
            decision,
            pathway_id,
            stage_id,
            issuer,
            evaluator.library,
            base_uri=base_uri,
            stable_ids=stable_ids,
            identity_salt=salt,
        )
    except NotHeldError as exc:
        click.echo(f"error: {exc} (as of {decision.as_of}; try another --as-of)", err=True)
        sys.exit(1)
    _write(credential, output)


def _stage_argument(lib: Library, stage: str) -> tuple[str, str]:
    """PATHWAY.STAGE as (pathway id, stage id), or a usage error naming the choices."""
    pathway_id, dot, stage_id = stage.partition(".")
    if not dot or not pathway_id or not stage_id:
        raise click.BadParameter(
            f"'{stage}' is not PATHWAY.STAGE; write it like pip.level_1",
            param_hint="PATHWAY.STAGE",
        )
    if lib.stage(pathway_id, stage_id) is None:
        known = lib.pathways.get(pathway_id)
        choices = (
            f"stages of {pathway_id}: {', '.join(s.id for s in known.stages)}"
            if known is not None
            else f"pathways: {', '.join(lib.pathways)}"
        )
        raise click.BadParameter(f"no stage '{stage}'; {choices}", param_hint="PATHWAY.STAGE")
    return pathway_id, stage_id


def _library(directory: Path | None) -> Library:
    library, problems = load_with_problems([directory or SHIPPED_LIBRARY])
    if library is None:
        for problem in problems:
            click.echo(problem.format(), err=True)
        raise click.UsageError(
            "the pathway library does not load: run 'pathways check' on it, "
            "or give another with --library"
        )
    return library


def _write(data: Any, output: Path | None) -> None:
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise click.BadParameter(f"cannot write {output}: {exc}", param_hint="-o") from None
    click.echo(f"wrote {output}", err=True)
