"""A loaded pathway library: one catalogue, many pathways, and their graph.

The graph (networkx) has one node per stage, named ``"pathway.stage"``; an edge
is either a *progression* (drawn in the pathway file) or a *prerequisite* (a
``reached`` requirement pointing at another stage, possibly in another pathway).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from ..problems import CareerPathwaysError, Problem
from ..suggest import did_you_mean
from .catalogue import Catalogue
from .pathway import Pathway, Stage
from .requirements import AllOf, AnyOf, AtLeast, Not, Requirement
from .tree import stage_reference

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["Library", "UnknownPathwayError", "stage_key"]


def stage_key(pathway_id: str, stage_id: str) -> str:
    """The graph node name of a stage.

    >>> stage_key("fsl", "stage_1")
    'fsl.stage_1'
    """
    return f"{pathway_id}.{stage_id}"


class UnknownPathwayError(CareerPathwaysError, KeyError):
    """A pathway id the library does not have, with the closest one it does.

    Also a :class:`KeyError` (a lookup that failed), so ``except KeyError`` still works.

    >>> err = UnknownPathwayError("fls", ["pip", "fsl"])
    >>> print(err)
    unknown pathway 'fls'; did you mean 'fsl'? (pathways: pip, fsl)
    >>> err.problems[0].suggestion, err.pathway
    ('fsl', 'fls')
    """

    def __init__(self, pathway: str, known: Iterable[str]):
        self.pathway = pathway
        self.known = list(known)
        problem = Problem(
            code="unknown-reference",
            message=f"unknown pathway '{pathway}'",
            suggestion=did_you_mean(pathway, self.known),
            hint="pathways in this library: " + ", ".join(self.known),
        )
        self.problems = [problem]
        super().__init__(problem.message)

    def __str__(self) -> str:  # not KeyError's, which would quote the message
        guess = self.problems[0].suggestion
        text = self.problems[0].message + (f"; did you mean '{guess}'?" if guess else "")
        return f"{text} (pathways: {', '.join(self.known)})"


@dataclass
class Library:
    """A validated pathway library, ready to check, compile or draw."""

    catalogue: Catalogue
    pathways: dict[str, Pathway]
    files: dict[str, str] = field(default_factory=dict)
    catalogue_file: str | None = None
    #: Source index files (``source_index:``) of the library, read only when citations are
    #: checked or listed (``pathways.sourceindex.source_index_of``); decisions never need them.
    source_index_files: list[str] = field(default_factory=list)
    #: A hash of those files' text: an index-only change still makes a new version to publish.
    source_index_sha256: str | None = None
    #: Catalogue entries added by pathway files: (section, id) -> the file that added it.
    added: dict[tuple[str, str], str] = field(default_factory=dict)

    def stage(self, pathway_id: str, stage_id: str) -> Stage | None:
        pathway = self.pathways.get(pathway_id)
        return pathway.stage(stage_id) if pathway else None

    def pathway_ids(self, wanted: Iterable[str] | None = None) -> list[str]:
        """``wanted`` as a list (every pathway, in file order, if None).

        Raises:
            UnknownPathwayError: for the first id the library does not have.
        """
        if wanted is None:
            return list(self.pathways)
        ids = list(wanted)
        for pid in ids:
            if pid not in self.pathways:
                raise UnknownPathwayError(pid, self.pathways)
        return ids

    def stages(self) -> list[tuple[Pathway, Stage]]:
        """Every (pathway, stage) pair, in file order."""
        return [(p, s) for p in self.pathways.values() for s in p.stages]

    @cached_property
    def digest(self) -> str:
        """A content hash of the rules (not of comments or layout): the library version.

        Two libraries with the same catalogue and pathways have the same digest,
        whatever their files' whitespace, comments or order. A source index (which
        decisions never read) counts by the hash of its text, so a changed index can
        be published.
        """
        canonical: dict[str, Any] = {
            "catalogue": self.catalogue.model_dump(mode="json", by_alias=True),
            "pathways": {pid: _canonical(p) for pid, p in sorted(self.pathways.items())},
        }
        if self.source_index_sha256 is not None:
            canonical["source_index"] = self.source_index_sha256
        blob = json.dumps(canonical, sort_keys=True, separators=(",", ":")).encode()
        return hashlib.sha256(blob).hexdigest()

    def graph(self) -> nx.MultiDiGraph:
        """The whole library as one directed multigraph (see the module docstring).

        Node attributes: ``pathway``, ``stage``, ``name``. Edge attribute ``kind``
        is ``"progression"`` or ``"prerequisite"``.
        """
        import networkx as nx

        g = nx.MultiDiGraph()
        for pathway, stage in self.stages():
            g.add_node(
                stage_key(pathway.id, stage.id), pathway=pathway.id, stage=stage.id, name=stage.name
            )
        for pathway in self.pathways.values():
            for prog in pathway.progressions:
                g.add_edge(
                    stage_key(pathway.id, prog.from_),
                    stage_key(pathway.id, prog.to),
                    kind="progression",
                )
            for stage in pathway.stages:
                for target in prerequisites(pathway, stage):
                    g.add_edge(
                        stage_key(*target), stage_key(pathway.id, stage.id), kind="prerequisite"
                    )
        return g

    def to_json(self) -> dict[str, Any]:
        return {
            "digest": self.digest,
            "catalogue": self.catalogue.model_dump(mode="json", by_alias=True, exclude_none=True),
            "pathways": [
                p.model_dump(mode="json", by_alias=True, exclude_none=True)
                for p in self.pathways.values()
            ],
        }


def _canonical(pathway: Pathway) -> dict[str, Any]:
    data = pathway.model_dump(mode="json", by_alias=True)
    if not data["obligations"]:
        # Libraries written before obligations existed keep the version they had.
        del data["obligations"]
    return data


def prerequisites(
    pathway: Pathway, stage: Stage, unconditional: bool = False
) -> list[tuple[str, str]]:
    """The (pathway, stage) pairs a stage's ``reached`` requirements point at.

    A ``reached`` under ``not`` is an exclusion, never a prerequisite. With
    ``unconditional``, only those that must hold: in the stage's list or nested
    ``all_of``, not alternatives (``any_of``, ``at_least``).
    """
    out: list[tuple[str, str]] = []

    def visit(req: Requirement) -> None:
        match req:
            case Not():
                pass  # an exclusion
            case AllOf():
                for child in req.all_of:
                    visit(child)
            case AnyOf() | AtLeast():
                if not unconditional:
                    for child in req.children():
                        visit(child)
            case _:
                if (reached := stage_reference(req)) is not None:
                    out.append(reached.target(pathway.id))

    for top in stage.requires:
        visit(top)
    return list(dict.fromkeys(out))
