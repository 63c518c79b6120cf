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
from pathways.model.pathway import Pathway, Stage
from pathways.model.requirements import (
    AllOf,
    AnyOf,
    AtLeast,
    AttributeRequirement,
    BandRequirement,
    BaseRequirement,
    Not,
    RankRequirement,
    ServedRequirement,
)

from .compile import CompiledLibrary
from .decision import Evidence, NextStep, RequirementOutcome, StageDecision, Status
from .facts import FactSheet
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
    """Decides every stage for one record, given the facts and what fired."""

    def __init__(self, compiled: CompiledLibrary, sheet: FactSheet, firings: Firings, words: Words):
        self.compiled = compiled
        self.sheet = sheet
        self.firings = firings
        self.words = words
        self.as_of = sheet.as_of
        self._leaf_cache: dict[int, _Leaf] = {}

    # --- leaves -------------------------------------------------------------------

    def _leaf(self, req: BaseRequirement) -> _Leaf:
        key = id(req)
        if key in self._leaf_cache:
            return self._leaf_cache[key]
        leaf = self.compiled.leaf(req)
        matched = self.firings.leaves.get(leaf.index, [])
        met = bool(matched)
        met_from = met_until = None
        if isinstance(req, ServedRequirement) and leaf.scope is not None:
            tenure = self.sheet.tenures.get(leaf.scope)
            lo, hi = req.served.at_least_months, req.served.at_most_months
            if tenure is not None:
                if not met and lo is not None and (hi is None or tenure.months(self.as_of) < lo):
                    met_from = tenure.reaches(lo)
                if hi is not None:
                    met_until = tenure.exceeds_after(hi)
        elif met:
            untils = [f.get("until", 0) for f in matched]
            if untils and all(untils):
                met_until = from_day_number(max(untils))
        result = _Leaf(met, met_from, met_until)
        self._leaf_cache[key] = result
        return result

    def _evidence(self, req: BaseRequirement) -> list[Evidence]:
        if req.children():
            return []
        facts = self.firings.leaves.get(self.compiled.leaf(req).index, [])
        return self._cite(facts)

    def _cite(self, facts: list[dict[str, object]]) -> list[Evidence]:
        out: dict[str, Evidence] = {}
        for fact in facts:
            item = fact.get("item")
            if isinstance(item, str) and item not in out:
                section, label = self.sheet.labels.get(item, ("", item))
                out[item] = Evidence(item=item, section=section, label=label)
        return list(out.values())

    # --- the tree -----------------------------------------------------------------

    def _truth(self, req: BaseRequirement, day: dt.date) -> bool | None:
        """Whether ``req`` holds on ``day`` (None: not in force, so it asks nothing)."""
        if not req.in_force(day):
            return None
        if isinstance(req, AllOf | AnyOf | AtLeast):
            values = [v for c in req.children() if (v := self._truth(c, day)) is not None]
            if isinstance(req, AllOf):
                return all(values)
            if not values:
                return True
            need = 1 if isinstance(req, AnyOf) else min(req.at_least, len(values))
            return sum(values) >= need
        if isinstance(req, Not):
            inner = self._truth(req.not_, day)
            return True if inner is None else not inner
        return self._leaf(req).at(day)

    def _stage_truth(self, stage: Stage, day: dt.date) -> bool:
        return all(self._truth(r, day) is not False for r in stage.requires)

    def _outcome(self, req: BaseRequirement, path: str, pathway: Pathway) -> RequirementOutcome:
        in_force = req.in_force(self.as_of)
        children = []
        key = {"all_of": "all_of", "any_of": "any_of", "at_least": "of", "not": "not"}
        for i, child in enumerate(req.children()):
            child_path = f"{path}.not" if isinstance(req, Not) else f"{path}.{key[req.kind]}[{i}]"
            children.append(self._outcome(child, child_path, pathway))
        met = bool(self._truth(req, self.as_of)) if in_force else True
        leaf = None if req.children() or not in_force else self._leaf(req)
        return RequirementOutcome(
            path=path,
            kind=req.kind,
            text=self.words.text(req, pathway.id),
            met=met,
            in_force=in_force,
            evidence=self._evidence(req) if in_force and met else [],
            met_from=leaf.met_from if leaf and not met else None,
            met_until=leaf.met_until if leaf and met else None,
            next_step=None if met else self.words.next_step(req, pathway.id),
            blocked=not met and in_force and leaf is not None and self._blocked(req, leaf),
            source=req.source,
            effective_from=req.effective_from,
            effective_to=req.effective_to,
            children=children,
        )

    def _blocked(self, req: BaseRequirement, leaf: _Leaf) -> bool:
        """True if an unmet leaf cannot be met by anything the person can do."""
        if leaf.met_from is not None:
            return False
        if isinstance(req, AttributeRequirement):
            return True
        if isinstance(req, ServedRequirement):
            return req.served.at_most_months is not None  # served too long already
        if isinstance(req, RankRequirement | BandRequirement):
            kind = next(f["kind"] for f in self.sheet.facts if f["t"] == "person")
            if (kind == "officer") != isinstance(req, RankRequirement):
                return True  # officers hold ranks, police staff bands
            bounds = req.rank if isinstance(req, RankRequirement) else req.band
            ceiling = bounds.exactly or bounds.at_most
            if ceiling is None:
                return False
            order = self.words.order(req.kind)
            held = [f["order"] for f in self.sheet.facts if f["t"] == req.kind]
            return bool(held) and min(int(str(o)) for o in held) > order.get(ceiling, 10**6)
        return False

    # --- dates --------------------------------------------------------------------

    def _breakpoints(self, stage: Stage) -> list[dt.date]:
        days: set[dt.date] = set()

        def visit(req: BaseRequirement) -> None:
            if req.effective_from:
                days.add(req.effective_from)
            if req.effective_to:
                days.add(req.effective_to + ONE_DAY)
            if req.children():
                for child in req.children():
                    visit(child)
                return
            leaf = self._leaf(req)
            if leaf.met_from:
                days.add(leaf.met_from)
            if leaf.met_until:
                days.add(leaf.met_until + ONE_DAY)

        for req in stage.requires:
            visit(req)
        return sorted(d for d in days if d > self.as_of)

    def eligible_from(self, stage: Stage) -> dt.date | None:
        """The first day after the as-of date on which every requirement holds, if time
        alone gets there (the record otherwise unchanged); None if it never does."""
        for day in self._breakpoints(stage):
            if stage.in_force(day) and self._stage_truth(stage, day):
                return day
        return None

    # --- the stage ----------------------------------------------------------------

    def decide(self, pathway: Pathway, stage: Stage) -> StageDecision:
        key = f"{pathway.id}.{stage.id}"
        outcomes = [
            self._outcome(r, f"requires[{i}]", pathway) for i, r in enumerate(stage.requires)
        ]
        eligible_from = lapsed_on = None
        held_evidence: list[Evidence] = []
        if key in self.firings.held:
            status = Status.HELD
            held_evidence = self._cite(self.firings.held[key])
        elif key in self.firings.lapsed:
            status = Status.LAPSED
            held_evidence = self._cite(self.firings.lapsed[key])
            lapses = [int(f.get("lapses", 0) or 0) for f in self.firings.lapsed[key]]
            lapsed_on = from_day_number(max(lapses)) if any(lapses) else None
        elif self._stage_truth(stage, self.as_of):
            status = Status.ELIGIBLE
        else:
            eligible_from = self.eligible_from(stage)
            status = Status.ELIGIBLE_FROM if eligible_from else Status.NOT_ELIGIBLE
        return StageDecision(
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


def next_steps(pathway: Pathway, decided: dict[str, StageDecision]) -> list[NextStep]:
    """Unmet requirements of the stages next to where the person stands in ``pathway``.

    The frontier is every stage reachable by one progression from a held stage
    (or the entry stages, if none is held), plus lapsed stages to revalidate.
    Steps a person can take come first, in stage order; waiting steps follow by date.
    """
    held = {s for s, d in decided.items() if d.status is Status.HELD}
    if held:
        # From each held stage, the next stages, unless the person already took another
        # branch from it (an analyst who became an intelligence analyst is not asked
        # to become a performance analyst too).
        frontier = []
        for stage in held:
            nexts = [p.to for p in pathway.progressions if p.from_ == stage]
            if not any(n in held for n in nexts):
                frontier += nexts
    else:
        frontier = [s.id for s in pathway.stages if s.entry]
    frontier += [s for s, d in decided.items() if d.status is Status.LAPSED]
    steps: list[NextStep] = []
    for stage_id in dict.fromkeys(frontier):
        d = decided.get(stage_id)
        if d is None or d.status in (Status.HELD, Status.ELIGIBLE):
            continue
        if d.status is Status.LAPSED:
            steps.append(
                NextStep(
                    pathway=pathway.id,
                    stage=d.stage,
                    stage_name=d.name,
                    text=f"Revalidate: {d.name} lapsed on {d.lapsed_on}",
                    requirement="awards",
                )
            )
            continue
        if any(_blocked(o) for o in d.requirements):
            continue  # closed to this person: no step of theirs opens it
        for outcome in d.requirements:
            steps.extend(_steps(outcome, d))
    return sorted(steps, key=lambda s: (s.due is not None, s.due or dt.date.min))


def _blocked(outcome: RequirementOutcome) -> bool:
    """True if ``outcome`` cannot be met: a blocked leaf on a path that must hold."""
    if outcome.met or not outcome.in_force:
        return False
    if outcome.kind == "all_of":
        return any(_blocked(c) for c in outcome.children)
    if outcome.kind in ("any_of", "at_least"):
        # Unmet: it stays so if every alternative still unmet is blocked.
        unmet = [c for c in outcome.children if c.in_force and not c.met]
        return bool(unmet) and all(_blocked(c) for c in unmet)
    if outcome.kind == "not":
        return False
    return outcome.blocked


def _steps(outcome: RequirementOutcome, d: StageDecision) -> list[NextStep]:
    if outcome.met or not outcome.in_force:
        return []
    if outcome.kind == "all_of":
        return [s for child in outcome.children for s in _steps(child, d)]
    if outcome.children:
        options = [
            c.next_step or c.text
            for c in outcome.children
            if c.in_force and not c.met and not _blocked(c)
        ]
        lead = {"any_of": "One of", "not": "No longer"}.get(
            outcome.kind, f"{outcome.text.split(' of')[0]} of"
        )
        if outcome.next_step:
            text = outcome.next_step
        elif len(options) == 1 and outcome.kind != "not":
            text = options[0]
        else:
            text = f"{lead}: " + "; ".join(options)
        return [
            NextStep(
                pathway=d.pathway,
                stage=d.stage,
                stage_name=d.name,
                text=text,
                requirement=outcome.path,
            )
        ]
    if outcome.next_step is None:
        return []
    return [
        NextStep(
            pathway=d.pathway,
            stage=d.stage,
            stage_name=d.name,
            text=outcome.next_step,
            requirement=outcome.path,
            due=outcome.met_from,
        )
    ]
