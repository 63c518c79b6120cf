"""Decisions rendered for a person at a terminal (rich), readable without colour too.

Every status has a symbol and a word, so nothing depends on colour alone.
"""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape

from rules.decision import (
    Decision,
    ObligationDecision,
    ObligationStatus,
    RequirementOutcome,
    StageDecision,
    Status,
)
from rules.status import (
    OBLIGATION_SYMBOLS,
    STATUS_SYMBOLS,
    STATUS_WORDS,
    obligation_words,
    status_words,
)
from rules.whatif import WhatIf

__all__ = ["console", "render_decision", "render_whatif"]


def console() -> Console:
    """A console for stdout: wrapped to the terminal, but whole lines into a pipe or file."""
    import sys

    return Console(highlight=False, soft_wrap=not sys.stdout.isatty())


#: Terminal colours on top of the symbol and the word (rules.status), never instead.
COLOUR = {
    Status.HELD: "green",
    Status.ELIGIBLE: "green",
    Status.ELIGIBLE_FROM: "cyan",
    Status.LAPSED: "yellow",
    Status.NOT_ELIGIBLE: "red",
}


OBLIGATION_COLOUR = {
    ObligationStatus.OVERDUE: "red",
    ObligationStatus.DUE: "yellow",
    ObligationStatus.MET: "green",
}


def _obligation(console: Console, o: ObligationDecision, explain: bool) -> None:
    colour = OBLIGATION_COLOUR[o.status]
    mark = f"[{colour}]{OBLIGATION_SYMBOLS[o.status]} {obligation_words(o)}[/{colour}]"
    who = " [dim](HR arranges this)[/dim]" if o.owner == "hr" else ""
    console.print(f"  {mark}  [bold]{escape(o.name)}[/bold]{who}")
    console.print(f"      {escape(o.text)}")
    if o.status is not ObligationStatus.MET and o.next_step:
        console.print(f"      to do: {escape(o.next_step)}")
    if o.status is ObligationStatus.MET and o.act_by:
        console.print(f"      act by {o.act_by} to stay met (it holds until {o.met_until})")
    if explain:
        for outcome in [*o.applies, *([o.must] if o.must else [])]:
            _requirement(console, outcome, depth=3)
        if o.clock_from:
            console.print(f"      [dim]the time counts from {o.clock_from}[/dim]")


def _status(stage: StageDecision) -> str:
    colour = COLOUR[stage.status]
    return f"[{colour}]{STATUS_SYMBOLS[stage.status]} {status_words(stage)}[/{colour}]"


def render_decision(
    console: Console, decision: Decision, name: str | None = None, explain: bool = False
) -> None:
    """Print a decision: each pathway's stages, the reasons, and the next steps.

    Without ``explain``, requirements are shown for the stages that matter now
    (eligible, eligible from a date, lapsed, and those with next steps); with it,
    for every stage.
    """
    who = f"{decision.person}" + (f"  {escape(name)}" if name else "")
    console.print(f"[bold]{who}[/bold] - as of {decision.as_of}")
    console.print(
        f"[dim]Rules: library version {decision.library_version[:12]} ({decision.engine})[/dim]"
    )
    if decision.obligations:
        # What the person must do comes before what they may reach.
        console.print()
        console.print("[bold underline]Obligations[/bold underline]")
        for o in decision.obligations:
            _obligation(console, o, explain)
    with_steps = {(s.pathway, s.stage) for s in decision.next_steps}
    pathway = None
    for stage in decision.stages:
        if stage.pathway != pathway:
            pathway = stage.pathway
            console.print()
            console.print(f"[bold underline]{escape(stage.pathway_name)}[/bold underline]")
        console.print(f"  {_status(stage)}  [bold]{escape(stage.name)}[/bold]")
        if stage.held_evidence:
            shown = "; ".join(escape(e.label) for e in stage.held_evidence)
            console.print(f"      [dim]shown by: {shown}[/dim]")
        if stage.not_shown:
            missing = "; ".join(escape(t) for t in stage.not_shown)
            console.print(
                f"      [yellow]⚠ held on the award alone: the record does not show {missing}"
                "[/yellow]"
            )
        interesting = stage.status in (Status.ELIGIBLE, Status.ELIGIBLE_FROM, Status.LAPSED)
        if explain or interesting or (stage.pathway, stage.stage) in with_steps:
            for outcome in stage.requirements:
                _requirement(console, outcome, depth=3)
    console.print()
    console.print("[bold underline]Next steps[/bold underline]")
    if not decision.next_steps:
        console.print("  none: nothing more is needed for the stages next to you")
    for i, step in enumerate(decision.next_steps, 1):
        due = f" [cyan](met on {step.due})[/cyan]" if step.due else ""
        console.print(
            f"  {i}. {escape(step.text)}{due}  [dim]- for {escape(step.stage_name)}[/dim]"
        )


def _requirement(console: Console, outcome: RequirementOutcome, depth: int) -> None:
    pad = "  " * depth
    if not outcome.in_force:
        window = f"{outcome.effective_from or '...'} to {outcome.effective_to or '...'}"
        rule = f"rule {outcome.rule} " if outcome.rule else ""
        console.print(
            f"{pad}[dim]- {escape(outcome.text)} ({rule}not in force; in force {window})[/dim]"
        )
        return
    if outcome.met:
        mark = "[green]✔ met[/green]"
    elif outcome.met_from:
        mark = f"[cyan]◷ met on {outcome.met_from}[/cyan]"
    else:
        mark = "[red]✘ not met[/red]"
    rule = f"rule {outcome.rule}, " if outcome.rule else "rule "
    dated = (
        f" [dim]({rule}in force from {outcome.effective_from})[/dim]"
        if outcome.effective_from
        else ""
    )
    console.print(f"{pad}{mark}  {escape(outcome.text)}{dated}")
    if outcome.evidence:
        shown = "; ".join(escape(e.label) for e in outcome.evidence)
        console.print(f"{pad}    [dim]by: {shown}[/dim]")
    for child in outcome.children:
        _requirement(console, child, depth + 1)


def render_whatif(console: Console, result: WhatIf) -> None:
    """Print what the hypothetical items change."""
    console.print(f"[bold]What if[/bold] - {result.before.person}, as of {result.as_of}")
    for section, items in result.additions.items():
        for item in items:
            shown = ", ".join(f"{k}={v}" for k, v in item.items() if k != "id")
            console.print(f"  + {section}: {escape(shown)}")
    console.print()
    for warning in result.warnings:
        console.print(f"[yellow]⚠ warning:[/yellow] {escape(warning)}")
    if not result.changes:
        if result.warnings:
            n = len(result.warnings)
            console.print(
                f"No stage changes, but {'an added item' if n == 1 else f'{n} added items'} "
                "could not change anything as entered (see the warning above)."
            )
        else:
            console.print("No stage changes.")
        return
    console.print(f"[bold]{len(result.changes)} stage(s) change:[/bold]")
    for change in result.changes:
        before = STATUS_WORDS[change.before] + (
            f" {change.before_date}" if change.before_date else ""
        )
        after = STATUS_WORDS[change.after] + (f" {change.after_date}" if change.after_date else "")
        console.print(
            f"  {escape(change.name)} [dim]({change.pathway})[/dim]: "
            f"{before} -> [bold]{after}[/bold]"
        )
