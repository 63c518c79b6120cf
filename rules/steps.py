"""Next steps: what a person can do (or wait for) to reach the stages next to them."""

from __future__ import annotations

import datetime as dt

from pathways.model.pathway import Pathway

from .decision import NextStep, RequirementOutcome, StageDecision, Status

__all__ = ["next_steps"]


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
        described = [_describe(c, subs) for c, subs in options]
        lead = "One of" if outcome.kind == "any_of" else "Enough of"
        return [step(f"{lead}: " + "; ".join(described))]
    if outcome.next_step is None:
        return []
    return [step(outcome.next_step, outcome.met_from)]


def _describe(option: RequirementOutcome, steps: list[NextStep]) -> str:
    """An alternative in words, with what it still needs: 'Standard route (pass the board)'."""
    if not option.children:
        return steps[0].text if steps else option.text
    needs = " and ".join(
        s.text[0].lower() + s.text[1:] + (f" (on {s.due})" if s.due else "") for s in steps
    )
    return f"{option.text} ({needs})" if needs else option.text
