"""Helpers the standards-export tests share (CTDL and Open Badges)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from shipped import shipped
from standards import ctdl_vocabulary, ob3_errors, publishing_problems

from accreditation import Person
from accreditation.io import load_record
from cli import cli
from exports import EXTENSION_PREFIX, achievement_credential, component_uri
from pathways import Library
from rules.decision import Decision
from rules.engine import Evaluator

ROOT = Path(__file__).resolve().parents[1]
INSPECTOR = ROOT / "examples" / "inspector_pip.json"
ISSUER = {"id": "https://police.example/", "name": "Example Police"}


@cache
def evaluator() -> Evaluator:
    return Evaluator(shipped())


def checked_badge(person: Person, decision: Decision, pathway: str, stage: str, **kw: Any) -> Any:
    """``achievement_credential``, checked against 1EdTech's official schema."""
    issuer = kw.pop("issuer", ISSUER)
    credential = achievement_credential(
        person, decision, pathway, stage, issuer, evaluator().library, **kw
    )
    errors = ob3_errors(credential)
    assert not errors, "\n".join(errors[:5])
    return credential


def uri(pathway: str, stage: str, library: Library | None = None) -> str:
    return component_uri(library or shipped(), pathway, stage)


def inspector_badge(
    stage: str = "level_1", on: dt.date = dt.date(2024, 1, 1)
) -> tuple[Person, Decision, dict[str, Any]]:
    """The inspector example's badge for a PIP stage, as of ``on`` (checked)."""
    person = load_record(INSPECTOR)
    decision = evaluator().decide(person, on)
    return person, decision, checked_badge(person, decision, "pip", stage)


def run(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args))


def check_ctdl(document: dict[str, Any], *, extensions: bool = False) -> None:
    """The document uses only official CTDL terms, as the publishing models take them."""
    problems = ctdl_vocabulary().problems(document, EXTENSION_PREFIX if extensions else None)
    assert not problems, "\n".join(problems[:8])
    if not extensions:
        problems = publishing_problems(document)
        assert not problems, "\n".join(problems[:8])


def components(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Components by 'pathway.stage' (their identifier)."""
    return {
        node["ceterms:identifier"][0]["ceterms:identifierValueCode"]: node
        for node in document["@graph"][1:]
    }


def conditions(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every ComponentCondition of a component, depth first."""
    stack = list(node.get("ceterms:hasCondition", []))
    while stack:
        condition = stack.pop(0)
        yield condition
        stack[:0] = condition.get("ceterms:hasCondition", [])
