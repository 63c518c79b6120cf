"""A pathway as CTDL-shaped JSON-LD: Pathway, PathwayComponents, ComponentConditions.

The output follows the Credential Transparency Description Language as the
Credential Registry publishes pathways (one ``@graph`` holding a
``ceterms:Pathway`` and its components), so other systems can read our
pathways without knowing the pathway language. It is *shaped* like CTDL, not
published: nothing here registers it or checks it against the Registry. See
``docs/exports.md`` for every mapping.

Output is deterministic: the same library gives byte-identical JSON, so two
exports can be diffed.

>>> from pathways import SHIPPED_LIBRARY, load_library
>>> graph = pathway_to_ctdl(load_library([SHIPPED_LIBRARY]), "pip")["@graph"]
>>> [node["@type"] for node in graph][:2]
['ceterms:Pathway', 'ceterms:CredentialComponent']
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from typing import Any

from pathways.model.library import Library
from pathways.model.pathway import Pathway, Stage
from pathways.model.requirements import (
    AllOf,
    AnyOf,
    AtLeast,
    BaseRequirement,
    Not,
    ReachedRequirement,
    walk,
)
from rules.wording import Words

__all__ = [
    "AWARD_COMPONENT_TYPES",
    "CTDL_CONTEXT",
    "DEFAULT_BASE_URI",
    "LOGICAL_OPERATORS",
    "UnknownStageError",
    "component_uri",
    "ctid",
    "pathway_to_ctdl",
]

JsonDict = dict[str, Any]

CTDL_CONTEXT = "https://credreg.net/ctdl/schema/context/json"
DEFAULT_BASE_URI = "https://example.org/pathways/"
LANGUAGE = "en"

#: The CTDL component class for each kind of award (what holding a stage means).
AWARD_COMPONENT_TYPES: dict[str, str] = {
    "credential": "ceterms:CredentialComponent",
    "completed_programme": "ceterms:CredentialComponent",
    "course": "ceterms:CourseComponent",
    "passed": "ceterms:AssessmentComponent",
    "rank": "ceterms:JobComponent",
    "band": "ceterms:JobComponent",
    "role": "ceterms:WorkExperienceComponent",
    "member_of": "ceterms:BasicComponent",
}
#: For stages that award nothing.
DEFAULT_COMPONENT_TYPE = "ceterms:BasicComponent"

#: ``ceterms:logicalOperator`` values: concepts of CTDL's logical-operator scheme.
LOGICAL_OPERATORS: dict[str, str] = {
    "and": "logical:And",
    "or": "logical:Or",
    "not": "logical:Not",
}

#: Words for ``ceterms:componentCategory`` on BasicComponents.
BASIC_CATEGORIES: dict[str, str] = {
    "member_of": "Membership of a programme",
    "": "Pathway stage",
}


class UnknownStageError(ValueError):
    """A pathway or stage id that the library does not have."""


# A fixed namespace, so the same name always gives the same UUID on every machine.
_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:career-pathways:exports:ctdl")


def ctid(
    library: Library, pathway_id: str, stage_id: str | None = None, *, stable: bool = False
) -> str:
    """The CTID-like id of a pathway (``stage_id`` None) or of one of its stages.

    ``ce-`` and a UUID made (version 5) from the library's content hash and the
    stage's key, so an id names one stage *in one version of the rules*, as a
    CTID names one version of a resource. With ``stable``, the catalogue id is
    used instead of the hash: ids then survive rule changes (for diffing
    versions), but no longer tell versions apart.

    >>> from pathways import SHIPPED_LIBRARY, load_library
    >>> lib = load_library([SHIPPED_LIBRARY])
    >>> ctid(lib, "pip", "level_1") == ctid(lib, "pip", "level_1")
    True
    >>> ctid(lib, "pip", "level_1").startswith("ce-"), len(ctid(lib, "pip"))
    (True, 39)
    """
    scope = f"catalogue:{library.catalogue.id}" if stable else f"library:{library.digest}"
    name = f"{scope}|{pathway_id}" + (f".{stage_id}" if stage_id is not None else "")
    return f"ce-{uuid.uuid5(_NAMESPACE, name)}"


def component_uri(
    library: Library,
    pathway_id: str,
    stage_id: str,
    base_uri: str = DEFAULT_BASE_URI,
    *,
    stable: bool = False,
) -> str:
    """The ``@id`` of a stage's component: ``base_uri`` followed by its CTID."""
    return base_uri + ctid(library, pathway_id, stage_id, stable=stable)


def pathway_to_ctdl(
    library: Library,
    pathway_id: str,
    base_uri: str = DEFAULT_BASE_URI,
    *,
    stable_ids: bool = False,
) -> JsonDict:
    """One pathway as a CTDL JSON-LD document (``@context`` and ``@graph``).

    The graph holds the ``ceterms:Pathway`` first, then one component per stage,
    ordered by stage id. ``reached`` requirements that point into other
    pathways target those pathways' component ids (the same ids their own
    export gives them).

    Raises:
        UnknownStageError: if the library has no pathway ``pathway_id``.
    """
    pathway = library.pathways.get(pathway_id)
    if pathway is None:
        raise UnknownStageError(
            f"no pathway '{pathway_id}' in the library; pathways: {', '.join(library.pathways)}"
        )
    return _Exporter(library, pathway, base_uri, stable_ids).document()


class _Exporter:
    def __init__(self, library: Library, pathway: Pathway, base_uri: str, stable: bool):
        self.library = library
        self.pathway = pathway
        self.base_uri = base_uri
        self.stable = stable
        self.words = Words(library)

    # --- ids ---------------------------------------------------------------

    def uri(self, pathway_id: str, stage_id: str | None = None) -> str:
        return self.base_uri + ctid(self.library, pathway_id, stage_id, stable=self.stable)

    def stage_uri(self, stage_id: str) -> str:
        return self.uri(self.pathway.id, stage_id)

    def target_uri(self, req: ReachedRequirement) -> str:
        return self.uri(*req.target(self.pathway.id))

    # --- the document ------------------------------------------------------

    def document(self) -> JsonDict:
        p = self.pathway
        stage_ids = [s.id for s in p.stages]
        outgoing = {s: sorted({g.to for g in p.progressions if g.from_ == s}) for s in stage_ids}
        incoming = {s: sorted({g.from_ for g in p.progressions if g.to == s}) for s in stage_ids}
        # The goals: stages no progression leaves. In CTDL's downward hierarchy they
        # are the top, and each progression's source is a child of its destination.
        destinations = [s for s in stage_ids if not outgoing[s]]
        pathway_node: JsonDict = {
            "@id": self.uri(p.id),
            "@type": "ceterms:Pathway",
            "ceterms:ctid": ctid(self.library, p.id, stable=self.stable),
            "ceterms:name": _lang(p.name),
            "ceterms:description": _lang(_with_source(p.description or p.name, p.source)),
            "ceterms:hasChild": _uris(self.stage_uri(s) for s in destinations),
            "ceterms:hasDestinationComponent": _uris(self.stage_uri(s) for s in destinations),
            "ceterms:identifier": [_identifier("Pathway id", p.id)],
            "ceterms:versionIdentifier": [
                _identifier("Library version (SHA-256 of the rules)", self.library.digest)
            ],
        }
        components = [
            self.component(stage, outgoing[stage.id], incoming[stage.id], stage.id in destinations)
            for stage in sorted(p.stages, key=lambda s: s.id)
        ]
        return {"@context": CTDL_CONTEXT, "@graph": [pathway_node, *components]}

    def component(
        self, stage: Stage, outgoing: list[str], incoming: list[str], destination: bool
    ) -> JsonDict:
        p = self.pathway
        kind = stage.awards.kind if stage.awards is not None else ""
        node_type = AWARD_COMPONENT_TYPES.get(kind, DEFAULT_COMPONENT_TYPE)
        node: JsonDict = {
            "@id": self.stage_uri(stage.id),
            "@type": node_type,
            "ceterms:ctid": ctid(self.library, p.id, stage.id, stable=self.stable),
            "ceterms:name": _lang(stage.name),
            "ceterms:description": _lang(self.stage_description(stage)),
            "ceterms:identifier": [_identifier("Pathway stage", f"{p.id}.{stage.id}")],
            "ceterms:isPartOf": [self.uri(p.id)],
        }
        if node_type == DEFAULT_COMPONENT_TYPE:
            node["ceterms:componentCategory"] = _lang(BASIC_CATEGORIES.get(kind, "Pathway stage"))
        if kind == "credential" and stage.awards is not None:
            node["ceterms:credentialType"] = self.credential_type(stage.awards.value)
        if destination:
            node["ceterms:isDestinationComponentOf"] = [self.uri(p.id)]
        if outgoing:
            node["ceterms:precedes"] = _uris(self.stage_uri(s) for s in outgoing)
            node["ceterms:isChildOf"] = _uris(self.stage_uri(s) for s in outgoing)
        if incoming:
            node["ceterms:hasChild"] = _uris(self.stage_uri(s) for s in incoming)
        if stage.requires:
            node["ceterms:hasCondition"] = [self.root_condition(stage)]
        profiles = self.condition_profiles(stage)
        if profiles:
            node["ceterms:requires"] = profiles
        return node

    def stage_description(self, stage: Stage) -> str:
        text = _sentence(stage.text or stage.name)
        if stage.awards is not None:
            text += f" Held when the record shows: {self.award_words(stage)}."
        return _with_source(text, stage.source)

    def award_words(self, stage: Stage) -> str:
        award = stage.awards
        assert award is not None
        section = {
            "credential": "credentials",
            "course": "courses",
            "completed_programme": "programmes",
            "passed": "assessments",
            "member_of": "programmes",
            "rank": "ranks",
            "band": "bands",
            "role": "roles",
        }[award.kind]
        name = self.words.name(section, award.value)
        verb = {
            "credential": "holds",
            "course": "completed",
            "completed_programme": "completed every stage of",
            "passed": "passed",
            "member_of": "member of",
            "rank": "holds the rank of",
            "band": "holds the band of",
            "role": "posted as",
        }[award.kind]
        level = f" at level {award.level}" if award.level is not None else ""
        basis = f" ({award.basis.value})" if award.basis is not None else ""
        return f"{verb} {name}{level}{basis}"

    def credential_type(self, credential_id: str) -> str:
        entry = next((c for c in self.library.catalogue.credentials if c.id == credential_id), None)
        lapses = entry is not None and entry.validity_months is not None
        return "ceterms:Certification" if lapses else "ceterms:Certificate"

    # --- conditions --------------------------------------------------------

    def text(self, req: BaseRequirement) -> str:
        return self.words.text(req, self.pathway.id)

    def root_condition(self, stage: Stage) -> JsonDict:
        """The stage's requirement list as one condition: all of them must hold."""
        count = len(stage.requires)
        return self.condition(
            name=f"Requirements for {stage.name}",
            description={
                1: "The requirement must be met.",
                2: "Both requirements must be met.",
            }.get(count, f"All {count} requirements must be met."),
            operator="and",
            required=count,
            nested=[self.requirement_condition(r) for r in stage.requires],
        )

    def requirement_condition(self, req: BaseRequirement) -> JsonDict:
        """One requirement as a ComponentCondition (combinators nest their children)."""
        window = _window_words(req.effective_from, req.effective_to)
        if isinstance(req, Not):
            words = f"Must not: {self.text(req.not_)}"
            # The one sub-condition must not be met: 0 of 1 are required.
            return self.condition(
                name=req.text or words,
                description=_with_source(words + window, req.source),
                operator="not",
                required=0,
                nested=[self.requirement_condition(req.not_)],
            )
        text = self.text(req)
        description = _with_source(text + window, req.source)
        if isinstance(req, AllOf | AnyOf | AtLeast):
            kids = req.children()
            required = req.at_least if isinstance(req, AtLeast) else len(kids)
            if isinstance(req, AnyOf):
                required = 1
            return self.condition(
                name=text,
                description=description,
                operator="and" if required >= len(kids) else "or",
                required=required,
                nested=[self.requirement_condition(kid) for kid in kids],
            )
        if isinstance(req, ReachedRequirement):
            return self.condition(
                name=text,
                description=description,
                operator="and",
                required=1,
                targets=[self.target_uri(req)],
            )
        # A leaf no component stands for (a course, a rank, time served ...): the words
        # are the condition; it has no targets or sub-conditions, so 0 are counted.
        return self.condition(name=text, description=description, operator="and", required=0)

    def condition(
        self,
        *,
        name: str,
        description: str,
        operator: str,
        required: int,
        targets: Iterable[str] = (),
        nested: Iterable[JsonDict] = (),
    ) -> JsonDict:
        """A ComponentCondition: ``required`` of its targets and sub-conditions must be met."""
        node: JsonDict = {
            "@type": "ceterms:ComponentCondition",
            "ceterms:name": _lang(name),
            "ceterms:description": _lang(description),
            "ceterms:requiredNumber": required,
            "ceterms:logicalOperator": LOGICAL_OPERATORS[operator],
        }
        target_list, nested_list = list(targets), list(nested)
        if target_list:
            node["ceterms:targetComponent"] = target_list
        if nested_list:
            node["ceterms:hasCondition"] = nested_list
        return node

    # --- effective windows -------------------------------------------------

    def condition_profiles(self, stage: Stage) -> list[JsonDict]:
        """A ConditionProfile for each dated thing about the stage.

        The stage's own window, the windows of progressions into it, and every
        requirement (at any depth) that has an effective window.
        """
        profiles: list[JsonDict] = []
        if _dated(stage):
            profiles.append(
                self.profile(
                    name=f"{stage.name} is in force",
                    description=stage.text or stage.name,
                    start=stage.effective_from,
                    end=stage.effective_to,
                    targets=[],
                )
            )
        for prog in self.pathway.progressions:
            if prog.to == stage.id and _dated(prog):
                source_stage = self.pathway.stage(prog.from_)
                from_name = source_stage.name if source_stage else prog.from_
                profiles.append(
                    self.profile(
                        name=f"Progression from {from_name}",
                        description=prog.text or f"Progression from {from_name} to {stage.name}",
                        start=prog.effective_from,
                        end=prog.effective_to,
                        targets=[self.stage_uri(prog.from_)],
                    )
                )
        for top in stage.requires:
            for req, negated in walk(top):
                if not _dated(req):
                    continue
                targets = [
                    self.target_uri(r)
                    for r, neg in walk(req, negated)
                    if isinstance(r, ReachedRequirement) and not neg
                ]
                profiles.append(
                    self.profile(
                        name=_window_name(req.effective_from, req.effective_to),
                        description=self.text(req),
                        start=req.effective_from,
                        end=req.effective_to,
                        targets=targets,
                    )
                )
        return profiles

    def profile(
        self,
        *,
        name: str,
        description: str,
        start: dt.date | None,
        end: dt.date | None,
        targets: list[str],
    ) -> JsonDict:
        node: JsonDict = {
            "@type": "ceterms:ConditionProfile",
            "ceterms:name": _lang(name),
            "ceterms:description": _lang(description),
        }
        if start is not None:
            node["ceterms:dateEffective"] = start.isoformat()
        if end is not None:
            node["ceterms:expirationDate"] = end.isoformat()
        if targets:
            node["ceterms:targetComponent"] = _uris(targets)
        return node


def _lang(text: str) -> dict[str, str]:
    """A CTDL language map."""
    return {LANGUAGE: " ".join(text.split())}


def _uris(values: Iterable[str]) -> list[str]:
    return sorted(set(values))


def _identifier(type_name: str, value: str) -> JsonDict:
    return {
        "@type": "ceterms:IdentifierValue",
        "ceterms:identifierTypeName": _lang(type_name),
        "ceterms:identifierValueCode": value,
    }


def _sentence(text: str) -> str:
    """``text`` with its whitespace tidied and a full stop at the end."""
    text = " ".join(text.split())
    return text if text.endswith((".", "!", "?")) else f"{text}."


def _with_source(text: str, source: str | None) -> str:
    return f"{_sentence(text)} Source: {source}." if source else " ".join(text.split())


def _dated(item: Any) -> bool:
    return item.effective_from is not None or item.effective_to is not None


def _window_words(start: dt.date | None, end: dt.date | None) -> str:
    if start is None and end is None:
        return ""
    return f" ({_window_name(start, end).lower()})"


def _window_name(start: dt.date | None, end: dt.date | None) -> str:
    if start is not None and end is not None:
        return f"In force from {start} to {end}"
    if start is not None:
        return f"In force from {start}"
    return f"In force until {end}"
