"""Next steps: what a person can do (or wait for) to reach the stages next to them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from pathways.model.pathway import Pathway

from .decision import NextStep, RequirementOutcome, StageDecision, Status

__all__ = ["frontier", "next_steps"]


def frontier(pathway: Pathway, statuses: Mapping[str, Status]) -> list[str]:
    """The stages of ``pathway`` next to where the person stands, by their statuses: every
    stage one progression on from a held stage (or the entry stages, if none is held),
    then lapsed stages to revalidate. Only these have next steps, so only these need their
    reasons built (:meth:`rules.engine.Evaluator.overview`)."""
    # In the order the stages are given (a set's order would change between processes).
    held = [s for s, status in statuses.items() if status is Status.HELD]
    if held:
        # From each held stage, the next stages, unless the person already took another
        # branch from it (an analyst who became an intelligence analyst is not asked
        # to become a performance analyst too).
        found = []
        for stage in held:
            nexts = [p.to for p in pathway.progressions if p.from_ == stage]
            if not any(n in held for n in nexts):
                found += nexts
    else:
        found = [s.id for s in pathway.stages if s.entry]
    found += [s for s, status in statuses.items() if status is Status.LAPSED]
    return list(dict.fromkeys(found))


def next_steps(pathway: Pathway, decided: dict[str, StageDecision]) -> list[NextStep]:
    """Unmet requirements of the stages next to where the person stands in ``pathway``
    (its :func:`frontier`), and lapsed stages to revalidate.

    Steps a person can take come first, in stage order; waiting steps follow by date.
    """
    statuses = {s: d.status for s, d in decided.items()}
    steps: list[NextStep] = []
    for stage_id in frontier(pathway, statuses):
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
        found = [s for outcome in d.requirements for s in _steps(outcome, d)]
        waits = [s.due for s in found if s.due is not None]
        if waits and d.status is Status.NOT_ELIGIBLE:
            # Time alone does not get there: the stage's rule closes first, or something
            # it rests on ends before the wait does.
            if d.rule_effective_to is not None and d.rule_effective_to < max(waits):
                continue  # closed before the wait ends: no step of theirs opens it
            ending = [o for top in d.requirements for o in _ending(top, max(waits))]
            if any(o.kind == "served" for o in ending):
                continue  # time in a rank or post that ends first, or an 'at most' run out
            found = [_renew(o, d) for o in ending] + found
        steps.extend(found)
    return sorted(steps, key=lambda s: (s.due is not None, s.due or dt.date.min))


#: What to do about a record item that stops counting, by its section: (verb, when).
_RENEW = {
    "credentials": ("Revalidate", "it lapses"),
    "endorsements": ("Renew", "it expires"),
    "memberships": ("Renew", "it ends"),
    "postings": ("Extend", "it ends"),
    "ranks": ("Extend", "it ends"),
    "bands": ("Extend", "it ends"),
}


def _renew(outcome: RequirementOutcome, d: StageDecision) -> NextStep:
    """'Revalidate before 2023-03-15, when it lapses: Holds PIP level 2'."""
    assert outcome.met_until is not None
    sections = [e.section for e in outcome.evidence if e.section in _RENEW]
    verb, when = _RENEW[sections[-1]] if sections else ("Renew", "it ends")
    day = outcome.met_until + dt.timedelta(days=1)
    return NextStep(
        pathway=d.pathway,
        stage=d.stage,
        stage_name=d.name,
        text=f"{verb} before {day}, when {when}: {outcome.text}",
        requirement=outcome.path,
    )


def _holds(outcome: RequirementOutcome, day: dt.date, renewed: bool) -> bool:
    """Whether ``outcome`` holds on ``day`` by time alone (``renewed``: if whatever
    ends before then is renewed). Rules not in force today are taken as asking nothing."""
    if not outcome.in_force:
        return True
    if not outcome.children:
        started = outcome.met or (outcome.met_from is not None and outcome.met_from <= day)
        lasts = renewed or outcome.met_until is None or day <= outcome.met_until
        return started and lasts
    if outcome.kind == "not":
        return outcome.met  # nothing to renew under a 'not': taken as it is today
    values = [_holds(c, day, renewed) for c in outcome.children if c.in_force]
    if outcome.kind == "all_of":
        return all(values)
    need = 1 if outcome.kind == "any_of" else min(outcome.need or 1, len(values))
    return sum(values) >= need


def _ending(outcome: RequirementOutcome, day: dt.date) -> list[RequirementOutcome]:
    """The leaves a stage rests on that stop holding before ``day``: renewing them
    (with every wait done) makes ``outcome`` hold on ``day``."""
    if not outcome.in_force or outcome.kind == "not" or _holds(outcome, day, renewed=False):
        return []
    if not outcome.children:
        return [outcome] if _holds(outcome, day, renewed=True) else []
    if outcome.kind == "all_of":
        return [o for c in outcome.children for o in _ending(c, day)]
    # any_of, at_least k: renew enough of the alternatives that hold on the day once
    # renewed, those that hold anyway first.
    live = [c for c in outcome.children if c.in_force]
    need = 1 if outcome.kind == "any_of" else min(outcome.need or 1, len(live))
    options = [c for c in live if _holds(c, day, renewed=True)]
    options.sort(key=lambda c: not _holds(c, day, renewed=False))
    return [o for c in options[:need] for o in _ending(c, day)]


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

    def step(text: str, due: dt.date | None = None) -> NextStep:
        return NextStep(
            pathway=d.pathway,
            stage=d.stage,
            stage_name=d.name,
            text=text,
            requirement=outcome.path,
            due=due,
        )

    if outcome.kind == "all_of":
        return [s for child in outcome.children for s in _steps(child, d)]
    if outcome.kind == "not":
        inner = outcome.children[0]
        return [step(outcome.next_step or f"No longer: {inner.text}")]
    if outcome.children:  # any_of, at_least: alternatives
        options = [
            (c, _steps(c, d))
            for c in outcome.children
            if c.in_force and not c.met and not _blocked(c)
        ]
        waiting = [subs for _, subs in options if subs and all(s.due for s in subs)]
        if outcome.kind == "any_of" and waiting:
            # One alternative needs only time: waiting is enough, so that is the step.
            return min(waiting, key=lambda subs: max(s.due or dt.date.max for s in subs))
        if outcome.next_step:
            return [step(outcome.next_step)]
        if len(options) == 1:
            return options[0][1]
        if outcome.kind == "at_least":
            return [step(_some_of(outcome, dict((id(c), subs) for c, subs in options)))]
        described = [_describe(c, subs) for c, subs in options]
        return [step("One of: " + "; ".join(described))]
    if outcome.next_step is None:
        return []
    return [step(outcome.next_step, outcome.met_from)]


def _some_of(outcome: RequirementOutcome, options: dict[int, list[NextStep]]) -> str:
    """'2 of these 3, 1 more: A (already met); B (book it); C (on 2027-12-18)': every
    alternative in force, in the rule's order, each with where the person stands.

    ``options`` holds the steps of the alternatives still open, by ``id()``.
    """
    live = [c for c in outcome.children if c.in_force]
    met = sum(c.met for c in live)
    need = min(outcome.need or 1, len(live))
    parts = []
    for c in live:
        if c.met:
            parts.append(f"{c.text} (already met)")
        elif id(c) in options:
            parts.append(_describe(c, options[id(c)]))
        else:
            parts.append(f"{c.text} (not open to you)")
    more = f", {need - met} more" if met else ""
    return f"{need} of these {len(live)}{more}: " + "; ".join(parts)


def _describe(option: RequirementOutcome, steps: list[NextStep]) -> str:
    """An alternative in words, with what it still needs: 'Standard route (pass the board)'."""
    if not option.children:
        if not steps:
            return option.text
        return steps[0].text + (f" (on {steps[0].due})" if steps[0].due else "")
    needs = " and ".join(
        s.text[0].lower() + s.text[1:] + (f" (on {s.due})" if s.due else "") for s in steps
    )
    return f"{option.text} ({needs})" if needs else option.text
