"""``pathways route``: the routes from a record to a goal stage, and the ranked next steps."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape

from rules.decision import Decision
from rules.ranking import TIER_WORDS, RankedStep, rank_steps
from rules.route import Route, RoutePlan, find_routes
from rules.status import STATUS_SYMBOLS
from rules.targets import GoalError, find_stage

from .eligibility import AS_OF, LIBRARY, _evaluator, _record
from .options import RECORD_PATH, format_option
from .render import console

__all__ = ["render_plan", "route_command"]


@click.command("route")
@click.argument("record", type=RECORD_PATH)
@click.option(
    "--to",
    "goal",
    required=True,
    metavar="STAGE",
    help="The goal: a stage's name ('Superintendent', 'PIP level 3', 'Senior PNAC') or "
    "key (pip.level_3).",
)
@AS_OF
@format_option
@LIBRARY
def route_command(
    record: Path, goal: str, as_of: dt.datetime | None, fmt: str, library: Path | None
) -> None:
    """The routes from where a person stands to a goal stage, each stage with its date.

    RECORD is one person's record as JSON (see examples/), or - to read it from
    standard input. Each route lists the stages to pass through (across pathways), what each still
    needs, and the earliest date each could be reached if every action were done on
    the as-of date: periods give exact dates, actions read "once you have done X".
    Where there are several ways (a promotion board, or the HPDS work-based
    assessment route) each is a route with its own date, earliest first. Then the
    ranked next steps, each action once.

    \b
    Examples:
      pathways route examples/inspector_pip.json --to Superintendent --as-of 2024-06-01
      pathways route examples/inspector_pip.json --to "PIP level 3" --format json
      pathways route examples/superintendent_spnac.json --to "Senior PNAC"
    """
    evaluator = _evaluator(library)
    person = _record(record, evaluator)
    try:
        key = find_stage(evaluator.library, goal)
    except GoalError as exc:
        raise click.BadParameter(str(exc), param_hint="--to") from None
    day = as_of.date() if as_of else dt.date.today()
    plan = find_routes(evaluator.library, evaluator.decide, person, key, day)
    decision = evaluator.decide(person, day)
    steps = rank_steps(evaluator.library, decision, person, plan)
    if fmt == "json":
        out = plan.model_dump(mode="json")
        out["steps"] = [s.model_dump(mode="json") for s in steps]
        click.echo(json.dumps(out, indent=2))
        return
    render_plan(console(), plan, decision, person.name, steps)


def render_plan(
    out: Console,
    plan: RoutePlan,
    decision: Decision,
    name: str | None,
    steps: list[RankedStep],
) -> None:
    """Print the routes, then the ranked steps."""
    who = plan.person + (f"  {escape(name)}" if name else "")
    out.print(f"[bold]{who}[/bold] - goal: [bold]{escape(plan.goal_name)}[/bold]")
    out.print(f"{escape(plan.pathway_name)}; as of {plan.as_of}")
    symbol = STATUS_SYMBOLS[plan.status_now]
    out.print(f"Now: {symbol} {escape(plan.now)}")
    out.print(
        f"[dim]Rules: library version {decision.library_version[:12]}; "
        f"{plan.searched} decisions searched[/dim]"
    )
    if plan.truncated:
        out.print("[yellow]The search stopped at its limit: there may be more routes.[/yellow]")
    if not plan.routes:
        out.print()
        if plan.closed:
            out.print("No route: these cannot be met by anything you do:")
            for c in plan.closed:
                out.print(f"  {escape(c.name)}: {escape(c.text)}")
        elif plan.status_now.value != "held":
            out.print("No route found.")
    for i, route in enumerate(plan.routes, 1):
        _route(out, i, route, plan.as_of)
    if steps:
        out.print()
        out.print("[bold underline]Next steps, ranked[/bold underline]")
        tier = None
        for step in steps:
            if step.tier is not tier:
                tier = step.tier
                out.print(f"[bold]{TIER_WORDS[tier]}[/bold]")
            out.print(f"  - {escape(_step(step))}")


def _route(out: Console, number: int, route: Route, today: dt.date) -> None:
    out.print()
    label = f": {escape(route.label)}" if route.label else ""
    out.print(f"[bold]Route {number}[/bold] - goal reached {route.reached_on}{label}")
    for n, stage in enumerate(route.stages, 1):
        when = "today" if stage.reached_on == today else f"from {stage.reached_on}"
        done = "; ".join(a.text[0].lower() + a.text[1:] for a in stage.actions)
        once = f", once you have done: {escape(done)}" if done else ""
        verb = "revalidate " if stage.revalidate else ""
        out.print(f"  {n}. {verb}{escape(stage.name)} ({escape(stage.pathway_name)}): {when}{once}")
        for wait in stage.waits:
            out.print(f"       ◷ {escape(wait.text)}: met on {wait.on}")


def _step(step: RankedStep) -> str:
    text = step.text
    if step.due is not None and step.kind == "wait":
        text += f" (met on {step.due})"
    opens = ", ".join(u.name for u in step.opens)
    needed = ", ".join(u.name for u in step.needed_for)
    parts = [f"opens {opens}" if opens else "", f"needed for {needed}" if needed else ""]
    if step.obligation and step.kind != "obligation":
        parts.insert(0, f"an obligation ({step.obligation})")
    said = "; ".join(p for p in parts if p)
    return f"{text}: {said}" if said else text
