"""What ``pathways draft`` and ``pathways review`` print: a draft's findings and example
cases, its rules and file diff, who gains and who loses, and its JSON."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Any

import click

from authoring.diff import file_diffs, load_files, rules_diff
from authoring.drafts import write_files
from store import Store
from store.drafts import Draft
from workforce.impact import changed_pathways, impact
from workforce.population import evaluate_population

__all__ = ["draft_json", "print_checked", "print_diff", "print_impact"]


def print_checked(draft: Draft) -> None:
    for f in draft.checked.get("findings", []):
        place = ":".join(str(x) for x in (f["file"], f["line"], f["column"]) if x is not None)
        click.echo(f"{place}: {f['severity']}[{f['code']}]: {f['message']}")
        if f.get("fix"):
            click.echo(f"    {f['fix']}")
    errors, warnings = draft.errors, int(draft.checked.get("warnings") or 0)
    click.echo(f"checker: {errors} error(s), {warnings} warning(s)")
    cases = draft.checked.get("cases")
    if not cases:
        click.echo("example cases: none")
        return
    for r in cases["results"]:
        click.echo(f"{r['outcome'].upper():<5} {r['name']}")
        for failure in r["failures"]:
            click.echo("      " + failure.replace("\n", "\n      "))
    for p in cases["problem_list"]:
        click.echo(f"{p['file']}:{p['line']}: {p['message']}")
    click.echo(
        f"example cases: {cases['passed']} passed, {cases['failed']} failed"
        + (f", {cases['problems']} problem(s) in the case files" if cases["problems"] else "")
    )


def print_diff(old: dict[str, str], new: dict[str, str]) -> None:
    changes = rules_diff(load_files(old), load_files(new))
    click.echo("rules:" if changes else "rules: no change")
    for change in changes:
        click.echo(f"  {change}")
    for d in file_diffs(old, new):
        click.echo(d.text, nl=not d.text.endswith("\n"))


def print_impact(store: Store, old: dict[str, str], new: dict[str, str], day: dt.date) -> None:
    before, after = load_files(old), load_files(new)
    if before is None or after is None:
        click.echo("impact: the library does not load")
        return
    changed = changed_pathways(before, after)
    if not changed:
        click.echo("impact: the rules of no pathway change")
        return
    with tempfile.TemporaryDirectory(prefix="pathways-review-") as tmp:
        runs = []
        for name, files, lib in (("old", old, before), ("new", new, after)):
            write_files(files, Path(tmp) / name)
            wanted = [p for p in changed if p in lib.pathways]
            runs.append(evaluate_population(store, [Path(tmp) / name], day, pathways=wanted))
    report = impact(runs[0], runs[1], before, after)
    click.echo(f"impact as of {day}, over {report.people:,} people in the store:")
    shown = [s for s in report.stages if s.changed or s.change != "changed"]
    for s in shown:
        was = "not in the rules" if s.before is None else f"{s.before}"
        now = "not in the rules" if s.after is None else f"{s.after}"
        click.echo(
            f"  {s.name} ({s.stage}, {s.change}): have it {was} -> {now}; "
            f"gain {len(s.gained)}, lose {len(s.lost)}"
        )
    if len(shown) < len(report.stages):
        click.echo(f"  {len(report.stages) - len(shown)} other stages decided again: no change")
    if not report.changed:
        click.echo("  nobody gains or loses a stage")


def draft_json(d: Draft, full: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": d.id,
        "version": d.version,
        "title": d.title,
        "author": d.author,
        "status": d.status,
        "base": d.base,
        "digest": d.digest,
        "files": sorted(d.files),
        "cases": sorted(d.cases),
        "errors": d.errors,
        "reviewer": d.reviewer,
        "review_note": d.review_note,
        "effective_from": d.effective_from.isoformat() if d.effective_from else None,
        "published": d.published,
        "updated_at": d.updated_at.isoformat(),
    }
    if full:
        out["checked"] = d.checked
    return out
