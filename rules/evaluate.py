"""From what fired in the engine to a :class:`~rules.decision.Decision`.

The engine says which leaf conditions hold on the as-of date, with the record
items that matched. Here the requirement tree is combined (``all_of``,
``any_of``, ``at_least k``, ``not``; requirements not in force that day are
left out), and the *eligible from* date is found exactly: the tree is
evaluated at each day on which some leaf or rule changes (a period completes, a
rule comes into force, a credential lapses), and the first day it holds wins.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from accreditation.periods import from_day_number

from .compile import CompiledLibrary
from .decision import Evidence, RequirementOutcome, StageDecision, Status, built
from .facts import FactSheet
from .plan import Node, StagePlan
from .session import Firings
from .wording import Words

__all__ = ["StageEvaluator"]

ONE_DAY = dt.timedelta(days=1)


@dataclass
class _Leaf:
    met: bool
    met_from: dt.date | None
    met_until: dt.date | None

    def at(self, day: dt.date) -> bool:
        if self.met and (self.met_until is None or day <= self.met_until):
            return True
        return self.met_from is not None and day >= self.met_from


class StageEvaluator:
    """Decides every stage for one record, given its facts and what fired in the engine."""

    def __init__(self, compiled: CompiledLibrary, sheet: FactSheet, firings: Firings, words: Words):
        self.compiled = compiled
        self.sheet = sheet
        self.firings = firings
        self.words = words
        self.as_of = sheet.as_of
        self._leaves: dict[int, _Leaf] = {}
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
        met = bool(matched)
        met_from = met_until = None
        if node.scope is not None:
            tenure = self.sheet.tenures.get(node.scope)
            lo, hi = node.at_least_months, node.at_most_months
            if tenure is not None:
                if not met and lo is not None and (hi is None or tenure.months(self.as_of) < lo):
                    met_from = tenure.reaches(lo)
                if hi is not None:
                    met_until = tenure.exceeds_after(hi)
        elif matched:
            untils = [f.get("until", 0) for f in matched]
            if all(untils):
                met_until = from_day_number(max(untils))
        leaf = _Leaf(met, met_from, met_until)
        self._leaves[node.leaf] = leaf
        return leaf

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
        out: dict[str, Evidence] = {}
        for fact in facts or ():
            item = fact.get("item")
            if isinstance(item, str) and item not in out:
                section, label = self.sheet.labels.get(item, ("", item))
                out[item] = built(Evidence, item=item, section=section, label=label)
        return list(out.values())

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
            evidence = self._cite(self.firings.leaves.get(node.leaf))
            return _construct(node, met=True, evidence=evidence, met_until=leaf.met_until)
        if leaf.met_from is not None:
            return _construct(node, met=False, met_from=leaf.met_from)
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
        if status is Status.HELD:
            held_evidence = self._cite(self.firings.held[key])
        elif status is Status.LAPSED:
            held_evidence = self._cite(self.firings.lapsed[key])
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
            held_evidence=held_evidence,
            requirements=outcomes,
            rule_effective_from=stage.effective_from,
            rule_effective_to=stage.effective_to,
            source=stage.source,
        )


def _combine(node: Node, values: list[bool]) -> bool:
    """Combine the in-force children's truth values (out-of-force ones are left out)."""
    if node.kind == "all_of":
        return all(values)
    if node.kind == "not":
        return not values[0] if values else True
    if not values:
        return True  # every alternative retired: nothing is asked
    need = 1 if node.kind == "any_of" else min(node.need, len(values))
    return sum(values) >= need


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
    )
