"""Graph checks: duplicate ids, cycles, entry and unreachable stages, skipped stages."""

from __future__ import annotations

from collections import Counter
from typing import assert_never

import networkx as nx

from pathways.model.catalogue import SECTIONS
from pathways.model.library import prerequisites, stage_key
from pathways.model.pathway import Award, Pathway, Stage
from pathways.model.requirements import (
    AllOf,
    AnyOf,
    AtLeast,
    AttributeRequirement,
    BandBounds,
    BandRequirement,
    CompletedProgrammeRequirement,
    CourseRequirement,
    CredentialRequirement,
    DistinctBusinessGroupsRequirement,
    EndorsementRequirement,
    HasMentorRequirement,
    LeafRequirement,
    MembershipRequirement,
    Not,
    PassedRequirement,
    PostedRequirement,
    RankBasis,
    RankBounds,
    RankRequirement,
    ReachedRequirement,
    Requirement,
    ServedRequirement,
)

from .context import Reporter, stage_requirements


def check_duplicates(rep: Reporter) -> None:
    cat = rep.library.catalogue
    for section in SECTIONS:
        entries = getattr(cat, section)
        counts = Counter(e.id for e in entries)
        seen: set[str] = set()
        for e in entries:
            if counts[e.id] > 1 and e.id in seen:
                rep.add(
                    e,
                    "duplicate-id",
                    f"{section} entry '{e.id}' is defined {counts[e.id]} times",
                    hint="ids must be unique within a catalogue section: "
                    "rename or delete the repeat",
                )
            seen.add(e.id)
    for pathway in rep.library.pathways.values():
        stages = Counter(s.id for s in pathway.stages)
        seen = set()
        for stage in pathway.stages:
            if stages[stage.id] > 1 and stage.id in seen:
                rep.add(
                    stage,
                    "duplicate-id",
                    f"stage id '{stage.id}' is used {stages[stage.id]} times in "
                    f"pathway '{pathway.id}'",
                    pathway=pathway,
                    stage=stage,
                    hint="give every stage of a pathway its own id",
                )
            seen.add(stage.id)
            req_ids = Counter(r.id for r, _ in _all(stage) if r.id)
            for rid, n in req_ids.items():
                if n > 1:
                    rep.add(
                        stage,
                        "duplicate-id",
                        f"requirement id '{rid}' is used {n} times in stage '{stage.id}'",
                        pathway=pathway,
                        stage=stage,
                        hint="requirement ids must be unique within their stage",
                    )
        edges: set[tuple[str, str]] = set()
        for prog in pathway.progressions:
            if (prog.from_, prog.to) in edges:
                rep.add(
                    prog,
                    "duplicate-id",
                    f"progression {prog.from_} -> {prog.to} is listed twice",
                    pathway=pathway,
                    hint="delete the repeated progression",
                )
            edges.add((prog.from_, prog.to))


def _all(stage: Stage) -> list[tuple[Requirement, bool]]:

    return list(stage_requirements(stage))


def progression_graph(pathway: Pathway) -> nx.DiGraph:
    g = nx.DiGraph()
    g.add_nodes_from(s.id for s in pathway.stages)
    known = set(g.nodes)
    g.add_edges_from(
        (p.from_, p.to) for p in pathway.progressions if p.from_ in known and p.to in known
    )
    return g


def check_cycles(rep: Reporter) -> None:
    """Cycles of progressions, and of prerequisites (``reached``) across pathways."""
    g = nx.DiGraph()

    def link(a: str, b: str, kind: str) -> None:
        # One edge can be both a progression and a prerequisite: keep both kinds.
        if g.has_edge(a, b):
            g.edges[a, b]["kinds"].add(kind)
        else:
            g.add_edge(a, b, kinds={kind})

    for pathway in rep.library.pathways.values():
        for s in pathway.stages:
            g.add_node(stage_key(pathway.id, s.id))
        for a, b in progression_graph(pathway).edges:
            link(stage_key(pathway.id, a), stage_key(pathway.id, b), "progression")
        for stage in pathway.stages:
            # Only prerequisites that must hold: 'any_of: [reached: later, ...]' is no loop.
            for tp, ts in prerequisites(pathway, stage, unconditional=True):
                if rep.library.stage(tp, ts) is not None:
                    link(stage_key(tp, ts), stage_key(pathway.id, stage.id), "prerequisite")
    # A self-loop is its own cycle; reported alone so it cannot hide a longer one.
    cycles = [[(n, n)] for n in nx.nodes_with_selfloops(g)]
    rest = g.copy()
    rest.remove_edges_from([(n, n) for n in nx.nodes_with_selfloops(g)])
    for component in nx.strongly_connected_components(rest):
        if len(component) > 1:
            cycles.append(nx.find_cycle(rest.subgraph(component)))
    for cycle in cycles:
        nodes = [edge[0] for edge in cycle]
        per_edge = [g.edges[e[0], e[1]]["kinds"] for e in cycle]
        kinds = {"progression"} if all("progression" in k for k in per_edge) else {"mixed"}
        first_pathway, first_stage = nodes[0].split(".", 1)
        pathway = rep.library.pathways[first_pathway]
        first = pathway.stage(first_stage)
        loop = " -> ".join([*nodes, nodes[0]])
        if kinds == {"progression"}:
            msg = f"progressions form a cycle: {loop}"
            hint = "a pathway only moves forward: remove or reverse one of these progressions"
        else:
            msg = f"stages depend on each other in a cycle: {loop}"
            hint = (
                "a stage cannot require (via 'reached') a stage that comes after it; "
                "remove one requirement or progression in the loop"
            )
        rep.add(first, "cycle", msg, pathway=pathway, stage=first, nodes=tuple(nodes), hint=hint)


def check_reachability(rep: Reporter) -> None:
    for pathway in rep.library.pathways.values():
        entries = [s.id for s in pathway.stages if s.entry]
        if not entries:
            rep.add(
                pathway,
                "no-entry-stage",
                f"pathway '{pathway.id}' has no entry stage",
                pathway=pathway,
                hint="mark the stage(s) people start from with 'entry: true'",
            )
            continue
        g = progression_graph(pathway)
        reachable: set[str] = set(entries)
        for e in entries:
            reachable |= nx.descendants(g, e)
        for stage in pathway.stages:
            if stage.id not in reachable:
                rep.add(
                    stage,
                    "unreachable-stage",
                    f"stage '{stage.id}' cannot be reached from an entry stage "
                    f"({', '.join(entries)})",
                    pathway=pathway,
                    stage=stage,
                    hint=f"add a progression into '{stage.id}', or mark it 'entry: true'",
                )


def check_skipped_stages(rep: Reporter) -> None:
    """A progression X -> B skips A if B requires A but A is not X nor before X."""
    for pathway in rep.library.pathways.values():
        g = progression_graph(pathway)
        for prog in pathway.progressions:
            target = pathway.stage(prog.to)
            if target is None or prog.from_ not in g:
                continue
            before = nx.ancestors(g, prog.from_) | {prog.from_}
            for required in required_stages(pathway, target):
                if required not in before and required != prog.to:
                    rep.add(
                        prog,
                        "skipped-required-stage",
                        f"progression {prog.from_} -> {prog.to} skips '{required}', "
                        f"which '{prog.to}' requires",
                        pathway=pathway,
                        stage=target,
                        hint=f"start the progression from '{required}' (or a stage "
                        f"after it), or drop the requirement",
                    )


def required_stages(pathway: Pathway, stage: Stage) -> list[str]:
    """Stages of the same pathway that ``stage`` unconditionally needs.

    Only requirements that must all hold count (the stage's list and nested
    ``all_of``), not alternatives (``any_of``, ``at_least``) or ``not``.
    """
    out: list[str] = []

    def visit(req: Requirement) -> None:
        match req:
            case AllOf():
                for child in req.all_of:
                    visit(child)
            case ReachedRequirement():
                tp, ts = req.target(pathway.id)
                if tp == pathway.id:
                    out.append(ts)
            case AnyOf() | AtLeast() | Not():
                pass  # alternatives and exclusions need no one stage
            case _:
                for other in pathway.stages:
                    if other.id != stage.id and other.awards and _awarded_by(req, other.awards):
                        out.append(other.id)

    for req in stage.requires:
        visit(req)
    return list(dict.fromkeys(out))


def _awarded_by(req: LeafRequirement, award: Award) -> bool:
    """True if holding ``award`` is exactly what ``req`` asks for."""
    match req:
        case CredentialRequirement():
            return award.credential == req.credential and award.level == req.level
        case RankRequirement():
            return award.rank is not None and _same_bounds(award.rank, award, req.rank)
        case BandRequirement():
            return award.band is not None and _same_bounds(award.band, award, req.band)
        case CourseRequirement():
            return award.course == req.course
        case PassedRequirement():
            return award.passed == req.passed
        case MembershipRequirement():
            return award.member_of == req.member_of
        case CompletedProgrammeRequirement():
            return award.completed_programme == req.completed_programme
        case (
            ServedRequirement()
            | DistinctBusinessGroupsRequirement()
            | PostedRequirement()  # an award of a role is held after the posting ends
            | EndorsementRequirement()
            | HasMentorRequirement()
            | AttributeRequirement()
            | ReachedRequirement()
        ):
            return False
        case _:
            assert_never(req)


def _same_bounds(held: str, award: Award, bounds: RankBounds | BandBounds) -> bool:
    """True if holding rank or band ``held`` (on the award's basis) is what ``bounds`` asks."""
    wanted = bounds.exactly or bounds.at_least
    same_basis = (award.basis or RankBasis.SUBSTANTIVE) == bounds.basis
    return held == wanted and same_basis and bounds.at_most is None
