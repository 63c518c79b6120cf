"""A pathway as CTDL JSON-LD: Pathway, PathwayComponents, ComponentConditions.

The output follows the Credential Transparency Description Language as the
Credential Registry publishes pathways (one ``@graph`` holding a
``ceterms:Pathway`` and its components), using only terms of the official
CTDL vocabulary, on the classes the Registry's publishing models put them
on (``ceasn:hasChild``, ``ceasn:isChildOf``, ``ceasn:isPartOf``; one
destination component; a life-cycle status; the owning organisation). What
CTDL has no term for (effective dates, negation) is left out, or with
``extensions=True`` written under the project's own ``pathways:`` namespace,
declared in the document's ``@context``. Nothing here registers the
document. See ``docs/exports.md`` for every mapping.

Output is deterministic: the same library gives byte-identical JSON, so two
exports can be diffed.

>>> from pathways import SHIPPED_LIBRARY, load_library
>>> graph = pathway_to_ctdl(load_library([SHIPPED_LIBRARY]), "pip")["@graph"]
>>> [node["@type"] for node in graph][:2]
['ceterms:Pathway', 'ceterms:CredentialComponent']
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, assert_never

from pathways.model.library import Library
from pathways.model.pathway import Pathway, Stage
from pathways.model.requirements import (
    AllOf,
    AnyOf,
    AtLeast,
    AttributeRequirement,
    BandRequirement,
    CompletedProgrammeRequirement,
    CourseRequirement,
    CredentialRequirement,
    DistinctBusinessGroupsRequirement,
    EndorsementRequirement,
    HasMentorRequirement,
    MembershipRequirement,
    Not,
    PassedRequirement,
    PostedRequirement,
    RankRequirement,
    ReachedRequirement,
    Requirement,
    ServedRequirement,
)
from rules.wording import Words

from .ctdl_ids import DEFAULT_BASE_URI, UnknownStageError, component_uri, ctid, owner_uri
from .ctdl_words import (
    EXTENSION_PREFIX,
    LIFE_CYCLE_STATUS,
    JsonDict,
    identifier,
    iso,
    lang,
    life_cycle_status,
    sentence,
    uris,
    window,
    window_terms,
    window_words,
    with_source,
)

__all__ = [
    "AWARD_COMPONENT_TYPES",
    "CTDL_CONTEXT",
    "DEFAULT_BASE_URI",
    "EXTENSION_NAMESPACE",
    "EXTENSION_PREFIX",
    "LIFE_CYCLE_STATUS",
    "LOGICAL_OPERATORS",
    "UnknownStageError",
    "component_uri",
    "ctid",
    "owner_uri",
    "pathway_to_ctdl",
]

CTDL_CONTEXT = "https://credreg.net/ctdl/schema/context/json"

#: The project's namespace for what CTDL has no term for (``extensions=True``).
EXTENSION_NAMESPACE = "urn:career-pathways:ctdl-extension:"

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
#: For stages that award nothing, and for the destination of a pathway with several goals.
DEFAULT_COMPONENT_TYPE = "ceterms:BasicComponent"

#: ``ceterms:logicalOperator`` values: concepts of CTDL's LogicalOperatorCategory scheme
#: (which has no Not: a negation is the condition's words, and ``pathways:negated``).
LOGICAL_OPERATORS: dict[str, str] = {"and": "logic:And", "or": "logic:Or"}

#: Words for ``ceterms:componentCategory`` on BasicComponents.
BASIC_CATEGORIES: dict[str, str] = {
    "member_of": "Membership of a programme",
    "": "Pathway stage",
}
DESTINATION_CATEGORY = "Pathway goal"

# The key of the destination component of a pathway with several goals: a stage id
# cannot contain '#', so no stage's id can collide with it.
_DESTINATION_KEY = "#destination"


def pathway_to_ctdl(
    library: Library,
    pathway_id: str,
    base_uri: str = DEFAULT_BASE_URI,
    *,
    stable_ids: bool = False,
    owner: str | None = None,
    extensions: bool = False,
) -> JsonDict:
    """One pathway as a CTDL JSON-LD document (``@context`` and ``@graph``).

    The graph holds the ``ceterms:Pathway`` first, then one component per stage,
    ordered by stage id, then (for a pathway with several goals) its destination
    component. ``reached`` requirements that point into other pathways target
    those pathways' component ids (the same ids their own export gives them).
    ``owner`` is the owning organisation's URI (``ceterms:ownedBy``, which the
    Registry requires); see :func:`owner_uri`. ``extensions`` adds the
    ``pathways:`` terms (effective dates, negation, the pathway id).

    Raises:
        UnknownStageError: if the library has no pathway ``pathway_id``.
    """
    pathway = library.pathways.get(pathway_id)
    if pathway is None:
        raise UnknownStageError(pathway_id, library.pathways)
    return _Exporter(library, pathway, base_uri, stable_ids, extensions).document(owner)


class _Exporter:
    def __init__(
        self, library: Library, pathway: Pathway, base_uri: str, stable: bool, extensions: bool
    ):
        self.library = library
        self.pathway = pathway
        self.base_uri = base_uri
        self.stable = stable
        self.extensions = extensions
        self.words = Words(library)

    # --- ids ---------------------------------------------------------------

    def uri(self, pathway_id: str, stage_id: str | None = None) -> str:
        return self.base_uri + ctid(self.library, pathway_id, stage_id, stable=self.stable)

    def stage_uri(self, stage_id: str) -> str:
        return self.uri(self.pathway.id, stage_id)

    def target_uri(self, req: ReachedRequirement) -> str:
        return self.uri(*req.target(self.pathway.id))

    def extend(self, node: JsonDict, **terms: Any) -> None:
        """Add ``pathways:`` terms (those not None) to ``node``, if extensions are on."""
        if self.extensions:
            node.update((f"{EXTENSION_PREFIX}:{k}", v) for k, v in terms.items() if v is not None)

    # --- the document ------------------------------------------------------

    def document(self, owner: str | None) -> JsonDict:
        p = self.pathway
        stage_ids = [s.id for s in p.stages]
        outgoing = {s: sorted({g.to for g in p.progressions if g.from_ == s}) for s in stage_ids}
        incoming = {s: sorted({g.from_ for g in p.progressions if g.to == s}) for s in stage_ids}
        # The goals: stages no progression leaves. In CTDL's downward hierarchy they
        # are the top, and each progression's source is a child of its destination.
        # The Registry takes one destination component per pathway: with several
        # goals, a component that any one of them completes stands above them.
        goals = [s for s in stage_ids if not outgoing[s]]
        several = len(goals) > 1
        destination = self.stage_uri(_DESTINATION_KEY) if several else self.stage_uri(goals[0])
        parents = {s: [destination] if several and s in goals else [] for s in stage_ids}
        components = [
            self.component(
                stage,
                outgoing[stage.id],
                incoming[stage.id],
                parents[stage.id],
                is_destination=not several and stage.id in goals,
            )
            for stage in sorted(p.stages, key=lambda s: s.id)
        ]
        if several:
            components.append(self.destination(goals))
        pathway_node: JsonDict = {
            "@id": self.uri(p.id),
            "@type": "ceterms:Pathway",
            "ceterms:ctid": ctid(self.library, p.id, stable=self.stable),
            "ceterms:name": lang(p.name),
            "ceterms:description": lang(with_source(p.description or p.name, p.source)),
            **({"ceterms:ownedBy": [owner]} if owner is not None else {}),
            "ceterms:lifeCycleStatusType": life_cycle_status(),
            "ceterms:hasDestinationComponent": [destination],
            "ceterms:hasPart": uris(node["@id"] for node in components),
            "ceterms:versionIdentifier": [
                identifier("Library version (SHA-256 of the rules)", self.library.digest)
            ],
        }
        self.extend(pathway_node, pathwayId=p.id)
        context: Any = (
            [CTDL_CONTEXT, {EXTENSION_PREFIX: EXTENSION_NAMESPACE}]
            if self.extensions
            else CTDL_CONTEXT
        )
        return {"@context": context, "@graph": [pathway_node, *components]}

    def component(
        self,
        stage: Stage,
        outgoing: list[str],
        incoming: list[str],
        parents: list[str],
        *,
        is_destination: bool,
    ) -> JsonDict:
        p = self.pathway
        kind = stage.awards.kind if stage.awards is not None else ""
        node_type = AWARD_COMPONENT_TYPES.get(kind, DEFAULT_COMPONENT_TYPE)
        node: JsonDict = {
            "@id": self.stage_uri(stage.id),
            "@type": node_type,
            "ceterms:ctid": ctid(self.library, p.id, stage.id, stable=self.stable),
            "ceterms:name": lang(stage.name),
            "ceterms:description": lang(self.stage_description(stage)),
            "ceterms:identifier": [identifier("Pathway stage", f"{p.id}.{stage.id}")],
            "ceasn:isPartOf": [self.uri(p.id)],
        }
        if node_type == DEFAULT_COMPONENT_TYPE:
            node["ceterms:componentCategory"] = lang(BASIC_CATEGORIES.get(kind, "Pathway stage"))
        if kind == "credential" and stage.awards is not None:
            node["ceterms:credentialType"] = self.credential_type(stage.awards.value)
        if is_destination:
            node["ceterms:isDestinationComponentOf"] = [self.uri(p.id)]
        if outgoing:
            node["ceterms:precedes"] = uris(self.stage_uri(s) for s in outgoing)
        if outgoing or parents:
            node["ceasn:isChildOf"] = uris([*(self.stage_uri(s) for s in outgoing), *parents])
        if incoming:
            node["ceasn:hasChild"] = uris(self.stage_uri(s) for s in incoming)
        if stage.requires:
            node["ceterms:hasCondition"] = [self.root_condition(stage)]
        self.extend(
            node,
            effectiveFrom=iso(stage.effective_from),
            effectiveTo=iso(stage.effective_to),
            datedProgression=self.dated_progressions(stage) or None,
        )
        return node

    def destination(self, goals: list[str]) -> JsonDict:
        """The one destination component of a pathway with several goals: any one completes it."""
        p = self.pathway
        names = [stage.name for g in goals if (stage := p.stage(g)) is not None]
        targets = uris(self.stage_uri(g) for g in goals)
        return {
            "@id": self.stage_uri(_DESTINATION_KEY),
            "@type": DEFAULT_COMPONENT_TYPE,
            "ceterms:ctid": ctid(self.library, p.id, _DESTINATION_KEY, stable=self.stable),
            "ceterms:name": lang(f"{p.name}: any one of its {len(goals)} final stages"),
            "ceterms:description": lang(
                f"The pathway has {len(goals)} final stages, none leading to another; "
                f"reaching any one of them completes it: {'; '.join(names)}."
            ),
            "ceterms:identifier": [identifier("Pathway goal", p.id)],
            "ceasn:isPartOf": [self.uri(p.id)],
            "ceterms:componentCategory": lang(DESTINATION_CATEGORY),
            "ceterms:isDestinationComponentOf": [self.uri(p.id)],
            "ceasn:hasChild": targets,
            "ceterms:hasCondition": [
                self.condition(
                    name="Any one of the final stages",
                    description=f"One of the {len(goals)} final stages must be reached.",
                    operator="or",
                    required=1,
                    targets=targets,
                )
            ],
        }

    def stage_description(self, stage: Stage) -> str:
        text = sentence(stage.text or stage.name)
        if stage.awards is not None:
            text += f" Held when the record shows: {self.award_words(stage)}."
        return with_source(text, stage.source)

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

    def dated_progressions(self, stage: Stage) -> list[JsonDict]:
        """``pathways:Progression`` nodes for the dated progressions into ``stage``."""
        return [
            {
                "@type": f"{EXTENSION_PREFIX}:Progression",
                f"{EXTENSION_PREFIX}:from": self.stage_uri(prog.from_),
                **window(prog.effective_from, prog.effective_to),
            }
            for prog in sorted(self.pathway.progressions, key=lambda g: g.from_)
            if prog.to == stage.id and (prog.effective_from or prog.effective_to)
        ]

    # --- conditions --------------------------------------------------------

    def text(self, req: Requirement) -> str:
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

    def requirement_condition(self, req: Requirement) -> JsonDict:
        """One requirement as a ComponentCondition (combinators nest their children)."""
        window = window_words(req.effective_from, req.effective_to)
        node: JsonDict
        match req:
            case Not():
                words = f"Must not: {self.text(req.not_)}"
                # The one sub-condition must not be met: 0 of 1 are required.
                node = self.condition(
                    name=req.text or words,
                    description=with_source(words + window, req.source),
                    operator="and",
                    required=0,
                    nested=[self.requirement_condition(req.not_)],
                )
                self.extend(node, negated=True)
            case AllOf():
                node = self.combined(req, window, req.all_of, len(req.all_of))
            case AnyOf():
                node = self.combined(req, window, req.any_of, 1)
            case AtLeast():
                node = self.combined(req, window, req.of, req.at_least)
            case ReachedRequirement():
                node = self.condition(
                    name=self.text(req),
                    description=with_source(self.text(req) + window, req.source),
                    operator="and",
                    required=1,
                    targets=[self.target_uri(req)],
                )
            case (
                CredentialRequirement()
                | CourseRequirement()
                | CompletedProgrammeRequirement()
                | PassedRequirement()
                | RankRequirement()
                | BandRequirement()
                | ServedRequirement()
                | DistinctBusinessGroupsRequirement()
                | PostedRequirement()
                | EndorsementRequirement()
                | MembershipRequirement()
                | HasMentorRequirement()
                | AttributeRequirement()
            ):
                # No component stands for these (a course, a rank, time served ...): the
                # words are the condition; no targets or sub-conditions, so 0 count.
                node = self.condition(
                    name=self.text(req),
                    description=with_source(self.text(req) + window, req.source),
                    operator="and",
                    required=0,
                )
            case _:
                assert_never(req)
        self.extend(node, **window_terms(req.effective_from, req.effective_to))
        return node

    def combined(
        self, req: Requirement, window: str, kids: list[Requirement], required: int
    ) -> JsonDict:
        """A condition met when ``required`` of the nested requirements are."""
        return self.condition(
            name=self.text(req),
            description=with_source(self.text(req) + window, req.source),
            operator="and" if required >= len(kids) else "or",
            required=required,
            nested=[self.requirement_condition(kid) for kid in kids],
        )

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
        """A ComponentCondition: ``required`` of its targets and sub-conditions must be met.

        ``ceterms:logicalOperator`` combines two or more targets and sub-conditions
        (CTDL's definition), so a condition with fewer has none.
        """
        node: JsonDict = {
            "@type": "ceterms:ComponentCondition",
            "ceterms:name": lang(name),
            "ceterms:description": lang(description),
            "ceterms:requiredNumber": required,
        }
        target_list, nested_list = list(targets), list(nested)
        if len(target_list) + len(nested_list) >= 2:
            node["ceterms:logicalOperator"] = LOGICAL_OPERATORS[operator]
        if target_list:
            node["ceterms:targetComponent"] = target_list
        if nested_list:
            node["ceterms:hasCondition"] = nested_list
        return node
