"""From what fired in the engine to a :class:`~rules.decision.Decision`.

The engine says which leaf conditions hold on the as-of date, with the record
items that matched. Here the requirement tree is combined (``all_of``,
``any_of``, ``at_least k``, ``not``; requirements not in force that day are
left out), and the *eligible from* date is found exactly.

Time alone changes a leaf in one way only: it holds over one span of days from
the as-of date on, ``[met_from, met_until]`` (met now: from today; a period to
serve: from the day it completes; until the last day anything it rests on holds:
a credential's lapse, a stage reached through a credential that lapses, an
endorsement's expiry, the end of a posting, rank or membership, the end of the
current rank, role or group for time in it, an ``at_most`` period running out).
Record items dated after the as-of date are not known yet, so nothing starts
later. The tree is then evaluated on each day on which some leaf or rule
changes, and the first day it holds wins: evaluated as of that day, the stage is
eligible, and the day before it is not.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, assert_never

from accreditation.periods import from_day_number
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
    ServedRequirement,
)

from .compile import CompiledLibrary
from .decision import Evidence, RequirementOutcome, StageDecision, Status, built
from .facts import FactSheet
from .plan import Node, StagePlan
from .session import Firings
from .wording import Words

__all__ = ["StageEvaluator", "stage_decision"]

ONE_DAY = dt.timedelta(days=1)


@dataclass
class _Leaf:
    """When a leaf holds, from the as-of date on: ``met`` today, or from ``met_from``;
    in either case up to and including ``met_until`` (None: it does not end)."""

    met: bool
    met_from: dt.date | None
    met_until: dt.date | None

    def at(self, day: dt.date) -> bool:
        if not self.met and (self.met_from is None or day < self.met_from):
            return False
        return self.met_until is None or day <= self.met_until


_NEVER = _Leaf(False, None, None)


class StageEvaluator:
    """Decides every stage for one record, given its facts and what fired in the engine."""

    def __init__(self, compiled: CompiledLibrary, sheet: FactSheet, firings: Firings, words: Words):
        self.compiled = compiled
        self.sheet = sheet
        self.firings = firings
        self.words = words
        self.as_of = sheet.as_of
        self._leaves: dict[int, _Leaf] = {}
        self._held_ends: dict[str, dt.date | None] = {}
        person = sheet.facts[0]
        self._officer = person.get("kind") == "officer"
        self._lowest = {
            kind: min((int(f["order"]) for f in sheet.facts if f["t"] == kind), default=None)
            for kind in ("rank", "band")
        }

    # --- leaves -------------------------------------------------------------------

    def _leaf(self, node: Node) -> _Leaf:
        cached = self._leaves.get(node.leaf)
        if cached is not None:
            return cached
        matched = self.firings.leaves.get(node.leaf)
        if node.scope is not None:
            leaf = self._served(node, bool(matched))
        elif matched:
            lasting = isinstance(node.req, CredentialRequirement) and not node.req.current
            # A lapsed credential counts for 'current: false', so its lapse ends nothing.
            leaf = _Leaf(True, None, None if lasting else self._until(matched))
        else:
            leaf = _NEVER  # nothing dated later is known: an unmet item stays unmet
        self._leaves[node.leaf] = leaf
        return leaf

    def _served(self, node: Node, met: bool) -> _Leaf:
        """Time served: months only grow, so it holds from the day ``at_least`` is reached
        to the last day ``at_most`` is not exceeded and the scope (a current rank, role
        or group) still exists."""
        tenure = self.sheet.tenures.get(node.scope or "")
        if tenure is None:
            return _Leaf(met, None, None)
        lo, hi = node.at_least_months, node.at_most_months
        ends = [d for d in (tenure.ends, tenure.exceeds_after(hi) if hi is not None else None) if d]
        until = min(ends) if ends else None
        if met:
            return _Leaf(True, None, until)
        if lo is None or tenure.months(self.as_of) >= lo:
            return _NEVER  # unmet with enough months: served too long already
        start = tenure.reaches(lo)
        if start is None or (until is not None and start > until):
            return _NEVER
        return _Leaf(False, start, until)

    def _until(self, matched: list[dict[str, Any]]) -> dt.date | None:
        """The last day some matched fact still holds (None: one of them never ends).

        Only 'completed_programme' matches several patterns, and courses never end, so
        the latest end over every matched fact is the leaf's end."""
        ends = []
        for fact in matched:
            if fact["t"] == "held":  # a stage reached: as long as its award holds
                end = self._held_until(str(fact["stage"]))
            else:
                until = int(fact.get("until", 0) or 0)
                end = from_day_number(until) if until else None
            if end is None:
                return None
            ends.append(end)
        return max(ends) if ends else None

    def _held_until(self, stage: str) -> dt.date | None:
        """The last day a held stage stays held: its award's facts (a credential that
        lapses, a rank, membership or posting that ends), in any pathway."""
        if stage not in self._held_ends:
            self._held_ends[stage] = self._until(self.firings.held.get(stage, []))
        return self._held_ends[stage]

    def _blocked(self, node: Node, leaf: _Leaf) -> bool:
        """True if an unmet leaf cannot be met by anything the person can do."""
        if leaf.met_from is not None:
            return False
        if node.attribute or node.at_most_months is not None:
            return True  # not theirs to change, or served too long already
        if node.ceiling is not None:
            kind, ceiling = node.ceiling
            if self._officer != (kind == "rank"):
                return True  # officers hold ranks, police staff bands
            lowest = self._lowest[kind]
            order = self.words.order(kind)
            return bool(ceiling) and lowest is not None and lowest > order.get(ceiling, 10**6)
        return False

    def _cite(self, facts: list[dict[str, object]] | None) -> list[Evidence]:
        return self._items([fact.get("item") for fact in facts or ()])

    def _items(self, items: list[object]) -> list[Evidence]:
        out: dict[str, Evidence] = {}
        for item in items:
            if isinstance(item, str) and item not in out:
                section, label = self.sheet.labels.get(item, ("", item))
                out[item] = built(Evidence, item=item, section=section, label=label)
        return list(out.values())

    def _evidence(self, node: Node) -> list[Evidence]:
        """The record items behind a met leaf: for time served, the periods that make up
        the months; for a stage reached, the items that show it is held."""
        if node.scope is not None:
            tenure = self.sheet.tenures.get(node.scope)
            return self._items(list(tenure.items) if tenure else [])
        facts: list[dict[str, Any]] = []
        for fact in self.firings.leaves.get(node.leaf, ()):
            if fact["t"] == "held":
                facts += self.firings.held.get(str(fact["stage"]), [])
            else:
                facts.append(fact)
        return self._cite(facts)

    # --- the tree -----------------------------------------------------------------

    def _truth(self, node: Node, day: dt.date) -> bool | None:
        """Whether ``node`` holds on ``day`` (None: not in force, so it asks nothing)."""
        if not node.in_force(day):
            return None
        if not node.children:
            return self._leaf(node).at(day)
        values = [v for c in node.children if (v := self._truth(c, day)) is not None]
        return _combine(node, values)

    def _outcome(self, node: Node) -> RequirementOutcome:
        """The outcome as of the as-of date, built bottom-up in one pass."""
        if not node.in_force(self.as_of):
            return _static(node, "out_of_force", met=True, in_force=False)
        if node.children:
            children = [self._outcome(c) for c in node.children]
            met = _combine(node, [c.met for c in children if c.in_force])
            return _construct(node, met=met, children=children)
        leaf = self._leaf(node)
        if leaf.met:
            evidence = self._evidence(node)
            return _construct(node, met=True, evidence=evidence, met_until=leaf.met_until)
        if leaf.met_from is not None:
            return _construct(node, met=False, met_from=leaf.met_from, met_until=leaf.met_until)
        if self._blocked(node, leaf):
            return _static(node, "blocked", met=False, blocked=True)
        return _static(node, "unmet", met=False)

    # --- dates --------------------------------------------------------------------

    def _breakpoints(self, nodes: list[Node]) -> list[dt.date]:
        days: set[dt.date] = set()

        def visit(node: Node) -> None:
            if node.effective_from:
                days.add(node.effective_from)
            if node.effective_to:
                days.add(node.effective_to + ONE_DAY)
            if node.children:
                for child in node.children:
                    visit(child)
                return
            leaf = self._leaf(node)
            if leaf.met_from:
                days.add(leaf.met_from)
            if leaf.met_until:
                days.add(leaf.met_until + ONE_DAY)

        for node in nodes:
            visit(node)
        return sorted(d for d in days if d > self.as_of)

    def eligible_from(self, plan: StagePlan) -> dt.date | None:
        """The first day after the as-of date on which every requirement holds, if time
        alone gets there (the record otherwise unchanged); None if it never does.

        Truth can only change on a breakpoint (a period completes, a rule starts or
        ends, a credential lapses), so checking those days in order is exact.
        """
        if not plan.time_sensitive:
            return None
        for day in self._breakpoints(plan.nodes):
            if plan.stage.in_force(day) and all(
                self._truth(n, day) is not False for n in plan.nodes
            ):
                return day
        return None

    # --- held on the award alone ---------------------------------------------------

    def not_shown(self, plan: StagePlan) -> list[str]:
        """For a stage held: its requirements the record shows were never met (a course,
        pass or programme it lacks, a stage with such an award never reached). The stage
        stays held (the award is what holding it means); this is a question for HR about
        the record. Requirements that could have held when the award was made and not
        today (time, rank, postings, anything that lapses or expires, rules with an
        effective window) are given the benefit of the doubt."""
        return [n.text for n in plan.nodes if self._shown(n, plan.pathway.id) is False]

    def _shown(self, node: Node, pathway: str) -> bool | None:
        """Whether the record shows ``node`` met at some time (None: cannot tell today)."""
        if node.effective_from or node.effective_to:
            return None
        combinator = node.combinator
        match combinator:
            case None:  # a leaf
                if not self._lasting(node, pathway):
                    return None
                return bool(self.firings.leaves.get(node.leaf))
            case Not():
                return None
            case AllOf():
                values = [self._shown(c, pathway) for c in node.children]
                return False if False in values else (None if None in values else True)
            case AnyOf() | AtLeast():
                values = [self._shown(c, pathway) for c in node.children]
                need = 1 if isinstance(combinator, AnyOf) else min(node.need, len(values))
                yes, maybe = values.count(True), values.count(None)
                return True if yes >= need else (False if yes + maybe < need else None)
            case _:
                assert_never(combinator)

    def _lasting(self, node: Node, pathway: str) -> bool:
        """A leaf that, once met, stays met: the record would still show it today."""
        req = node.req
        match req:
            case (
                CourseRequirement()
                | PassedRequirement()
                | CompletedProgrammeRequirement()
                | DistinctBusinessGroupsRequirement()
            ):
                return True
            case CredentialRequirement():
                return not req.current
            case ReachedRequirement():
                target = self.compiled.library.stage(*req.target(pathway))
                award = target.awards if target is not None else None
                if award is None:
                    return False
                kept = (award.course, award.passed, award.completed_programme, award.role)
                return any(value is not None for value in kept)  # never lapse or end
            case (
                RankRequirement()
                | BandRequirement()
                | ServedRequirement()
                | PostedRequirement()
                | EndorsementRequirement()
                | MembershipRequirement()
                | HasMentorRequirement()
                | AttributeRequirement()
                | AllOf()
                | AnyOf()
                | AtLeast()
                | Not()
            ):
                return False  # can lapse, end or expire (or is not a leaf)
            case _:
                assert_never(req)

    # --- for obligations (rules.obligations) ------------------------------------------

    def holds(self, node: Node, day: dt.date) -> bool | None:
        """Whether a requirement holds on ``day`` (on or after the as-of date, the record
        otherwise unchanged); None if it is not in force that day."""
        return self._truth(node, day)

    def outcome(self, node: Node) -> RequirementOutcome:
        """A requirement's outcome as of the as-of date, with its evidence."""
        return self._outcome(node)

    def changes(self, nodes: list[Node]) -> list[dt.date]:
        """The days after the as-of date on which the truth of ``nodes`` can change."""
        return self._breakpoints(nodes)

    # --- the stage ----------------------------------------------------------------

    def status(
        self, plan: StagePlan, met: bool | None = None
    ) -> tuple[Status, dt.date | None, dt.date | None]:
        """(status, eligible_from, lapsed_on) for a stage, without building the reasons.

        ``met`` is whether every requirement holds today, if the caller knows it.
        """
        key = plan.key
        if key in self.firings.held:
            return Status.HELD, None, None
        if key in self.firings.lapsed:
            lapses = [int(str(f.get("lapses", 0) or 0)) for f in self.firings.lapsed[key]]
            return Status.LAPSED, None, from_day_number(max(lapses)) if any(lapses) else None
        if met is None:
            met = all(self._truth(n, self.as_of) is not False for n in plan.nodes)
        if met:
            return Status.ELIGIBLE, None, None
        eligible_from = self.eligible_from(plan)
        if eligible_from:
            return Status.ELIGIBLE_FROM, eligible_from, None
        return Status.NOT_ELIGIBLE, None, None

    def decide(self, plan: StagePlan) -> StageDecision:
        outcomes = [self._outcome(n) for n in plan.nodes]
        status, eligible_from, lapsed_on = self.status(plan, all(o.met for o in outcomes))
        key = plan.key
        held_evidence: list[Evidence] = []
        not_shown: list[str] = []
        if status is Status.HELD:
            held_evidence = self._cite(self.firings.held[key])
            not_shown = self.not_shown(plan)
        elif status is Status.LAPSED:
            held_evidence = self._cite(self.firings.lapsed[key])
        return stage_decision(
            plan,
            status,
            eligible_from,
            lapsed_on,
            held_evidence=held_evidence,
            held_until=self._held_until(key) if status is Status.HELD else None,
            not_shown=not_shown,
            requirements=outcomes,
        )


def stage_decision(
    plan: StagePlan,
    status: Status,
    eligible_from: dt.date | None,
    lapsed_on: dt.date | None,
    *,
    held_evidence: list[Evidence] | None = None,
    held_until: dt.date | None = None,
    not_shown: list[str] | None = None,
    requirements: list[RequirementOutcome] | None = None,
) -> StageDecision:
    """A stage's decision; without the reasons (the defaults) for a stage no next step
    comes from (:meth:`rules.engine.Evaluator.overview`)."""
    stage, pathway = plan.stage, plan.pathway
    return built(
        StageDecision,
        pathway=pathway.id,
        pathway_name=pathway.name,
        stage=stage.id,
        name=stage.name,
        status=status,
        eligible_from=eligible_from,
        lapsed_on=lapsed_on,
        held_evidence=held_evidence or [],
        held_until=held_until,
        not_shown=not_shown or [],
        requirements=requirements or [],
        rule_effective_from=stage.effective_from,
        rule_effective_to=stage.effective_to,
        source=stage.source,
    )


def _combine(node: Node, values: list[bool]) -> bool:
    """Combine the in-force children's truth values (out-of-force ones are left out)."""
    combinator = node.combinator
    match combinator:
        case AllOf():
            return all(values)
        case Not():
            return not values[0] if values else True
        case AnyOf() | AtLeast() if not values:
            return True  # every alternative retired: nothing is asked
        case AnyOf():
            return any(values)
        case AtLeast():
            return sum(values) >= min(node.need, len(values))
        case None:
            raise ValueError(f"{node.path} is a leaf: it has no children to combine")
        case _:
            assert_never(combinator)


def _static(
    node: Node, state: str, *, met: bool, in_force: bool = True, blocked: bool = False
) -> RequirementOutcome:
    """An outcome with nothing of the record in it, built once and shared (it is frozen)."""
    outcome = node.shared.get(state)
    if outcome is None:
        outcome = _construct(node, met=met, in_force=in_force, blocked=blocked)
        node.shared[state] = outcome
    return outcome


def _construct(
    node: Node,
    *,
    met: bool,
    in_force: bool = True,
    evidence: list[Evidence] | None = None,
    met_from: dt.date | None = None,
    met_until: dt.date | None = None,
    blocked: bool = False,
    children: list[RequirementOutcome] | None = None,
) -> RequirementOutcome:
    # model_construct, with every field given: these values come from validated models,
    # and validating each outcome again (or letting pydantic call default factories,
    # which it inspects on every call) cost more than the rules engine itself.
    return built(
        RequirementOutcome,
        path=node.path,
        rule=node.req.id,
        kind=node.kind,
        text=node.text,
        met=met,
        in_force=in_force,
        evidence=evidence or [],
        met_from=met_from,
        met_until=met_until,
        next_step=None if met else node.next_step,
        blocked=blocked,
        source=node.req.source,
        effective_from=node.effective_from,
        effective_to=node.effective_to,
        children=children or [],
        need=node.need if node.kind == "at_least" else None,
    )
