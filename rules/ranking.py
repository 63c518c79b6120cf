"""One ranked list of next steps: each action once, with what it is for, in a stated order.

The engine's next steps (:mod:`rules.steps`) are per stage, so an action several stages
ask for ("Seek promotion to chief inspector" for FSL stage 1, the work-based assessment
gateway and senior leadership) appears once per stage. Here they become one list:

1. **Do first** (``now``): the person's obligations (:mod:`rules.obligations`) that are
   overdue or due, and those met that need acting on within :data:`EXPIRY_WINDOW_DAYS`
   days to stay met ("Gain or revalidate your PIP accreditation by D"), overdue first;
   obligations HR must act on are not the person's steps. Then credentials that have
   lapsed ("Revalidate PIP level 2"), the
   highest level of each only, since revalidating it restores the levels below; credentials
   that lapse within :data:`EXPIRY_WINDOW_DAYS` days ("expires on D": the first day it is no
   longer current, the day a lapsed one shows as "lapsed on"). Soonest date first.
2. **Towards your goal** (``goal``): the actions and stages of the earliest route to the
   goal (:mod:`rules.route`), in the route's order.
3. **Next** (``next``): steps for stages one progression away: the stage is eligible, or
   eligible from a date, or all it still needs are actions and time, not another stage.
   Things to do now first, then waits by date.
4. **Later** (``later``): steps for stages that need another stage first ("Reach the rank
   of superintendent" for a constable), nearest first.

An action is named by its *key* (:mod:`rules.actions`), not its words, so the same action
from several stages is merged: it keeps the highest tier any of them gives it, and lists
every stage it is for, saying which it *opens* (the only thing that stage still needs
besides time) and which it is *needed for*. No scores: the tier, then the date, then the
order the library lists stages in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from accreditation.periods import add_months
from accreditation.record import Person
from pathways.model.library import Library, stage_key

from .actions import ActionBook, award_key, spec
from .decision import (
    Decision,
    NextStep,
    RequirementOutcome,
    StageDecision,
    Status,
)
from .ranked import EXPIRY_WINDOW_DAYS, TIER_ORDER, TIER_WORDS, Draft, RankedStep, Tier, Unlock
from .ranking_obligations import obligation_drafts
from .route import RoutePlan

__all__ = [
    "EXPIRY_WINDOW_DAYS",
    "TIER_WORDS",
    "RankedStep",
    "Tier",
    "Unlock",
    "lapse_dates",
    "rank_steps",
]


def lapse_dates(
    person: Person, credentials: Iterable[Any], today: dt.date, level: int = 0
) -> dict[str, dt.date]:
    """For each credential the person holds current today (at ``level`` or above) that
    lapses unless revalidated, the day it lapses: its award or latest revalidation plus the
    catalogue's validity (the rule :mod:`rules.facts` applies). The latest, if several."""
    validity = {c.id: c.validity_months for c in credentials}
    ends: dict[str, dt.date] = {}
    for award in person.credentials:
        months = validity.get(award.credential)
        if not months or award.awarded > today or (award.level or 0) < level:
            continue
        lapses = add_months(award.last_validated(today), months)
        if lapses > today and lapses > ends.get(award.credential, dt.date.min):
            ends[award.credential] = lapses
    return ends


def rank_steps(
    library: Library,
    decision: Decision,
    person: Person,
    plan: RoutePlan | None = None,
    *,
    hide: Iterable[str] = (),
) -> list[RankedStep]:
    """The ranked, merged steps for ``person`` from ``decision`` (and the goal's ``plan``).

    ``hide`` lists stage keys left out entirely (positive-action programmes on a page
    meant for others); a step for nothing but hidden stages is left out, and so is an
    obligation of a pathway whose stages are all hidden.
    """
    ranker = _Ranker(ActionBook.of(library), decision, person, frozenset(hide))
    drafts = ranker.lapsed() + ranker.expiring()
    renewals = {d.key: d for d in drafts}
    drafts = obligation_drafts(decision, library, frozenset(hide), renewals) + drafts
    if plan is not None and plan.routes:
        drafts += ranker.route(plan)
    drafts += ranker.steps()
    return _finish(_merge(drafts), ranker.book)


def _merge(drafts: list[Draft]) -> list[Draft]:
    """One draft per key: the best tier, every stage it is for, every wording."""
    merged: dict[str, Draft] = {}
    for d in drafts:
        found = merged.get(d.key)
        if found is None:
            merged[d.key] = d
            continue
        better = (TIER_ORDER[d.tier], d.order) < (TIER_ORDER[found.tier], found.order)
        if better:
            found.tier, found.order, found.kind = d.tier, d.order, d.kind
            found.due = d.due if d.due is not None else found.due
        found.texts += d.texts
        found.obligation = found.obligation or d.obligation
        found.how = found.how or d.how
        found.what_if = found.what_if or d.what_if
        for k, u in d.unlocks.items():
            if k not in found.unlocks or (u.opens and not found.unlocks[k].opens):
                found.unlocks[k] = u
    return list(merged.values())


def _finish(drafts: list[Draft], book: ActionBook) -> list[RankedStep]:
    drafts = [d for d in drafts if d.unlocks or d.kind == "obligation"]
    for d in drafts:
        # A stage that is another of the same name, reached again (senior leadership's
        # chief inspector), is not named twice.
        d.unlocks = {
            k: u
            for k, u in d.unlocks.items()
            if not any(
                o != k and d.unlocks[o].name == u.name and book.needs(k, o) for o in d.unlocks
            )
        }
    drafts.sort(key=lambda d: (TIER_ORDER[d.tier], d.order))
    return [d.step() for d in drafts]


@dataclass
class _Ranker:
    book: ActionBook
    decision: Decision
    person: Person
    hide: frozenset[str]
    stages: dict[str, StageDecision] = field(default_factory=dict)
    position: dict[str, int] = field(default_factory=dict)
    routed: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        for i, s in enumerate(self.decision.stages):
            key = stage_key(s.pathway, s.stage)
            self.stages[key] = s
            self.position[key] = i

    @property
    def today(self) -> dt.date:
        return self.decision.as_of

    def _unlock(self, key: str, opens: bool, on: dt.date | None = None) -> dict[str, Unlock]:
        if key in self.hide:
            return {}
        pathway, stage = self.book.stage(key)
        return {
            key: Unlock(
                pathway=pathway.id,
                pathway_name=pathway.name,
                stage=stage.id,
                name=stage.name,
                opens=opens,
                on=on,
            )
        }

    # --- do first ---------------------------------------------------------------------

    def lapsed(self) -> list[Draft]:
        """One revalidation per lapsed credential: its highest lapsed level."""
        top: dict[str, StageDecision] = {}
        for key, s in self.stages.items():
            if s.status is not Status.LAPSED or key in self.hide:
                continue
            _, stage = self.book.stage(key)
            award = stage.awards
            if award is None or award.credential is None:
                continue
            best = top.get(award.credential)
            if best is None or (award.level or 0) > self._level(best):
                top[award.credential] = s
        out = []
        for credential, s in top.items():
            key = stage_key(s.pathway, s.stage)
            below = [
                o
                for k, o in self.stages.items()
                if o.status is Status.LAPSED
                and k != key
                and k not in self.hide
                and self._credential(k) == credential
            ]
            unlocks = self._unlock(key, True)
            for o in below:
                unlocks |= self._unlock(stage_key(o.pathway, o.stage), True)
            lapsed = f" (lapsed on {s.lapsed_on})" if s.lapsed_on else ""
            out.append(
                Draft(
                    key=f"renew:{credential}",
                    tier=Tier.NOW,
                    kind="revalidate",
                    texts=[(Tier.NOW, f"Revalidate {s.name}{lapsed}")],
                    due=s.lapsed_on,
                    how=self._renewal(credential),
                    what_if=self._award_specs(key),
                    unlocks=unlocks,
                    order=(0, (s.lapsed_on or dt.date.min).toordinal()),
                )
            )
        return out

    def expiring(self) -> list[Draft]:
        """Current credentials whose validity ends within the window."""
        ends = lapse_dates(self.person, self.book.catalogue.credentials, self.today)
        out = []
        for credential, lapses in ends.items():
            if (lapses - self.today).days > EXPIRY_WINDOW_DAYS:
                continue
            held = [
                k
                for k, s in self.stages.items()
                if s.status is Status.HELD and self._credential(k) == credential
            ]
            held.sort(key=lambda k: self._level(self.stages[k]))
            if not held or held[-1] in self.hide:
                continue
            name = self.stages[held[-1]].name
            unlocks: dict[str, Unlock] = {}
            for k in held:
                unlocks |= self._unlock(k, True)
            out.append(
                Draft(
                    key=f"renew:{credential}",
                    tier=Tier.NOW,
                    kind="expiring",
                    texts=[(Tier.NOW, f"Revalidate {name}: it expires on {lapses}")],
                    due=lapses,
                    how=self._renewal(credential),
                    what_if=self._award_specs(held[-1]),
                    unlocks=unlocks,
                    order=(1, lapses.toordinal()),
                )
            )
        return out

    def _credential(self, key: str) -> str | None:
        _, stage = self.book.stage(key)
        return stage.awards.credential if stage.awards is not None else None

    def _level(self, s: StageDecision) -> int:
        _, stage = self.book.stage(stage_key(s.pathway, s.stage))
        return (stage.awards.level or 0) if stage.awards is not None else 0

    def _renewal(self, credential: str) -> str:
        entry = next((c for c in self.book.catalogue.credentials if c.id == credential), None)
        if entry is None:
            return "Revalidate it as the awarding body asks."
        what = f"{entry.name} lasts {entry.validity_months} months from its award or its last"
        what += " revalidation; revalidating starts that period again."
        return f"{entry.description} {what}" if entry.description else what

    def _award_specs(self, key: str) -> list[str]:
        items = self.book.award_items(key, self.person, self.today) or []
        return [spec(s, i) for s, i in items]

    # --- towards the goal ----------------------------------------------------------------

    def route(self, plan: RoutePlan) -> list[Draft]:
        route = plan.routes[0]
        if any(s.key in self.hide for s in route.stages):
            return []
        self.routed = frozenset(s.key for s in route.stages)
        out: list[Draft] = []
        n = 0
        for stage in route.stages:
            for action in stage.actions:
                n += 1
                out.append(
                    Draft(
                        key=action.key,
                        tier=Tier.GOAL,
                        kind="action",
                        texts=[(Tier.GOAL, action.text)],
                        how=self._how(action.key),
                        what_if=[a.split("@")[0] + f"@{self.today}" for a in action.add],
                        unlocks=self._unlock(stage.key, len(stage.actions) == 1, stage.reached_on),
                        order=(n,),
                    )
                )
            _, model = self.book.stage(stage.key)
            n += 1
            key = (
                award_key(model.awards, self.book.catalogue)
                if model.awards
                else f"stage:{stage.key}"
            )
            text = (
                f"Revalidate {stage.name}"
                if stage.revalidate
                else stage.step or f"Reach {stage.name}"
            )
            when = f" (from {stage.reached_on})" if stage.reached_on > self.today else ""
            out.append(
                Draft(
                    key=f"renew:{model.awards.credential}"
                    if stage.revalidate and model.awards and model.awards.credential
                    else key,
                    tier=Tier.GOAL,
                    kind="revalidate" if stage.revalidate else "stage",
                    texts=[(Tier.GOAL, text + when)],
                    due=stage.reached_on,
                    what_if=stage.award,
                    unlocks=self._unlock(stage.key, True, stage.reached_on),
                    order=(n,),
                )
            )
        return out

    # --- next and later ----------------------------------------------------------------

    def steps(self) -> list[Draft]:
        by_stage: dict[str, list[NextStep]] = {}
        for step in self.decision.next_steps:
            by_stage.setdefault(stage_key(step.pathway, step.stage), []).append(step)
        out: list[Draft] = []
        for key, steps in by_stage.items():
            if key in self.hide or key in self.routed or self.stages.get(key) is None:
                continue  # hidden; or on the goal's route, which says what it needs
            if self.stages[key].status is Status.LAPSED:
                continue  # the revalidation above says it, once per credential
            keys = [self._key(key, s) for s in steps]
            todo = {k for k, s in zip(keys, steps, strict=True) if s.due is None}
            near = self._distance(key) <= 1
            for k, s in zip(keys, steps, strict=True):
                if s.due is None and self._dead_end(key, s):
                    continue  # every stage that would give it is closed to this person
                tier = Tier.NEXT if near and self._near_step(key, s) else Tier.LATER
                wait = s.due is not None
                order = (
                    (1, s.due.toordinal(), self.position[key])
                    if wait and s.due is not None
                    else (0, self.position[key])
                )
                if tier is Tier.LATER:
                    order = (self._distance(key), self.position[key])
                out.append(
                    Draft(
                        key=k,
                        tier=tier,
                        kind="wait" if wait else self._kind(k),
                        texts=[(tier, s.text)],
                        due=s.due,
                        how=self._how(k),
                        what_if=self._what_if(key, s),
                        unlocks=self._unlock(key, todo <= {k}, s.due),
                        order=order,
                    )
                )
        return out

    def _key(self, stage: str, step: NextStep) -> str:
        found = self.book.key_of(stage, step.requirement)
        if found is None or found.startswith(("any_of:", "at_least:", "all_of:", "not:")):
            return f"text:{step.text}"
        return found

    def _dead_end(self, stage: str, step: NextStep) -> bool:
        """A step that reaches another stage, when every stage that would give it is closed
        (the HPDS, for an inspector)."""
        targets = self.book.awarding(stage, step.requirement)
        return bool(targets) and all(self._closed(t) for t in targets)

    def _closed(self, key: str) -> bool:
        s = self.stages.get(key)
        return s is not None and any(_blocked(o) for o in s.requirements)

    def _kind(self, key: str) -> str:
        return "stage" if self.book.awarding_key(key) else "action"

    def _near_step(self, stage: str, step: NextStep) -> bool:
        """A step that reaches another stage is near only if that stage is."""
        targets = self.book.awarding(stage, step.requirement)
        return not targets or min(self._distance(t) for t in targets) <= 1

    def _distance(self, key: str) -> int:
        """0: held; 1: one progression away (eligible, eligible from a date, lapsed, or
        needing only actions and time); 2: it needs another stage that is 1 away; 3: more."""
        s = self.stages.get(key)
        if s is None:
            return 3
        if s.status is Status.HELD:
            return 0
        if s.status is not Status.NOT_ELIGIBLE:
            return 1
        needs = [t for o in s.requirements for t in self._stage_needs(key, o)]
        if not needs:
            return 1
        nearest = any(
            self.stages[t].status is not Status.NOT_ELIGIBLE for t in needs if t in self.stages
        )
        return 2 if nearest else 3

    def _stage_needs(self, key: str, o: RequirementOutcome) -> list[str]:
        """Stages an unmet requirement needs reached first (the first option of each
        alternative that needs one)."""
        if o.met or not o.in_force or o.met_from is not None or o.blocked:
            return []
        if o.children:
            found = [self._stage_needs(key, c) for c in o.children]
            if o.kind == "all_of":
                return [t for f in found for t in f]
            live = [f for c, f in zip(o.children, found, strict=True) if not c.blocked]
            return [] if any(not f for f in live) else (live[0] if live else [])
        return self.book.awarding(key, o.path)[:1]

    def _how(self, key: str) -> str | None:
        entry = self.book.entry_of(key)
        return entry[2] if entry else None

    def _what_if(self, stage: str, step: NextStep) -> list[str]:
        if step.due is not None:
            return []
        items = self.book.action_items(stage, step.requirement, self.person, self.today)
        if items is None:
            targets = self.book.awarding(stage, step.requirement)
            items = self.book.award_items(targets[0], self.person, self.today) if targets else None
        return [spec(s, i) for s, i in items or []]


def _blocked(o: RequirementOutcome) -> bool:
    """An unmet requirement nothing the person does can meet (as :mod:`rules.steps` decides
    which stages are closed)."""
    if o.met or not o.in_force:
        return False
    if o.kind == "all_of":
        return any(_blocked(c) for c in o.children)
    if o.kind in ("any_of", "at_least"):
        unmet = [c for c in o.children if c.in_force and not c.met]
        return bool(unmet) and all(_blocked(c) for c in unmet)
    return o.blocked
