"""Shared helpers for the checker's passes: placing problems on stages and requirements."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from pathways.model.library import Library
from pathways.model.pathway import Pathway, Stage
from pathways.model.requirements import BaseRequirement, LocatedModel, Requirement, walk
from pathways.problems import Problem, Severity


@dataclass
class Reporter:
    """Collects problems, placing each at the model it is about."""

    library: Library
    problems: list[Problem]
    #: Problems about ids new to the catalogue: (index in ``problems``, section, id).
    snippets: list[tuple[int, str, str]] = field(default_factory=list)

    def add(
        self,
        at: LocatedModel | None,
        code: str,
        message: str,
        *,
        pathway: Pathway | None = None,
        stage: Stage | None = None,
        severity: Severity = Severity.ERROR,
        **fields: object,
    ) -> None:
        where = at.location if at is not None else None
        if where is None and pathway is not None:
            where = pathway.location
        if where is None and pathway is None:
            fields.setdefault("file", self.library.catalogue_file)
        self.problems.append(
            Problem.at(
                where,
                code,
                message,
                severity=severity,
                pathway=pathway.id if pathway else None,
                stage=stage.id if stage else None,
                **fields,
            )
        )


def stage_requirements(stage: Stage) -> Iterator[tuple[Requirement, bool]]:
    """Every requirement of a stage (nested ones too), with whether it is negated."""
    for top in stage.requires:
        yield from walk(top)


def describe(req: BaseRequirement) -> str:
    """A short label for a requirement in messages, e.g. ``rank at_least inspector``."""
    if req.text:
        return req.text
    data = req.model_dump(
        by_alias=True,
        exclude_none=True,
        exclude={
            "id",
            "text",
            "next_step",
            "source",
            "effective_from",
            "effective_to",
            "effective_source",
        },
    )
    return f"{req.kind} {data.get(req.kind, '')}".strip()
