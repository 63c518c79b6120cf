"""Running cases: decide each record as of its date and say exactly what differed."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from pathways.loader import SHIPPED_LIBRARY, collect_files, is_catalogue_file, load_with_problems
from pathways.model.library import Library
from pathways.problems import Problem
from rules.decision import Decision, NextStep, RequirementOutcome, StageDecision, Status
from rules.engine import Evaluator
from rules.session import EngineError

from .model import NOT_IN_FORCE, Case, CaseReport, CaseResult, Outcome, StageExpectation
from .obligations import obligation_failures

__all__ = ["check_decision", "load_case_library", "run_case", "run_cases", "select_cases"]


def load_case_library(library_dir: Path | None = None) -> tuple[Library | None, list[Problem]]:
    """The library to decide cases with: the shipped one, or the one in ``library_dir``.

    A directory without a catalogue is a draft of some pathways: its files replace the
    shipped pathways of the same id, on the shipped catalogue.
    """
    if library_dir is None:
        return load_with_problems([SHIPPED_LIBRARY])
    has_catalogue = any(is_catalogue_file(f) for f in collect_files([library_dir]))
    return load_with_problems([library_dir], None if has_catalogue else SHIPPED_LIBRARY)


def select_cases(cases: Iterable[Case], keyword: str | None) -> list[Case]:
    """The cases whose name contains ``keyword`` (ignoring case); all if it is empty."""
    if not keyword:
        return list(cases)
    folded = keyword.casefold()
    return [c for c in cases if folded in c.name.casefold()]


def run_case(case: Case, evaluator: Evaluator) -> CaseResult:
    """Decide the case's record as of its date and compare with what it expects."""
    try:
        assessors = {p.id: p for p in case.assessors}
        decision = evaluator.decide(case.person, case.as_of, case.pathways, assessors)
    except (EngineError, KeyError) as exc:
        failures = [f"error: the engine could not decide this record: {exc}"]
    else:
        failures = check_decision(case, decision)
    if case.xfail:
        if failures:
            return CaseResult(case, Outcome.XFAIL, tuple(failures))
        message = (
            f"the case is marked xfail ({case.xfail}) but passed: if the engine was fixed, "
            "remove 'xfail' from the case"
        )
        return CaseResult(case, Outcome.XPASS, (message,))
    return CaseResult(case, Outcome.FAIL if failures else Outcome.PASS, tuple(failures))


def run_cases(cases: Iterable[Case], library: Library, keyword: str | None = None) -> CaseReport:
    """Run every case (whose name contains ``keyword``, if given) against ``library``."""
    evaluator = Evaluator(library)
    results = [run_case(c, evaluator) for c in select_cases(cases, keyword)]
    return CaseReport(results=results, library_version=library.digest)


def check_decision(case: Case, decision: Decision) -> list[str]:
    """Every difference between ``decision`` and what ``case`` expects, as readable text."""
    failures: list[str] = []
    for exp in case.expect:
        failures.extend(_stage_failures(exp, decision))
    for owed in case.obligations:
        failures.extend(obligation_failures(owed, decision))
    for want in case.next_steps:
        if not any(want.matches(s) for s in decision.next_steps):
            failures.append(
                f"next steps: expected one {want.describe()}, got:\n"
                + _list_steps(decision.next_steps)
            )
    for unwanted in case.not_next_steps:
        hits = [s for s in decision.next_steps if unwanted.matches(s)]
        if hits:
            failures.append(
                f"next steps: expected none {unwanted.describe()}, got:\n" + _list_steps(hits)
            )
    return failures


def _find(decision: Decision, pathway: str, stage: str) -> StageDecision | None:
    try:
        return decision.stage(pathway, stage)
    except KeyError:
        return None


def _stage_failures(exp: StageExpectation, decision: Decision) -> list[str]:
    actual = _find(decision, exp.pathway, exp.stage)
    got = actual.status.value if actual is not None else NOT_IN_FORCE
    wrong = got != exp.status
    if actual is not None and not wrong:
        wrong = bool(
            (exp.eligible_from and actual.eligible_from != exp.eligible_from)
            or (exp.lapsed_on and actual.lapsed_on != exp.lapsed_on)
        )
    out: list[str] = []
    if wrong:
        lines = [f"{exp.key}: expected {exp.describe()}, got {_describe_actual(actual, decision)}"]
        if actual is not None:
            lines.extend(f"    {line}" for line in _why(actual))
        out.append("\n".join(lines))
    if actual is None:
        return out
    outcomes = {o.path: o for o in _walk(actual.requirements)}
    for ref, path, state in exp.requirements:
        outcome = outcomes.get(path)
        if outcome is None:  # the library changed under the case
            out.append(f"{exp.key} {ref}: no such requirement in the decision")
            continue
        now = _state(outcome)
        if now != state:
            shown = ref if ref == path else f"{ref} ({path})"
            out.append(f"{exp.key} {shown}: expected {state}, got {now}: {outcome.text}")
    return out


def _describe_actual(actual: StageDecision | None, decision: Decision) -> str:
    if actual is None:
        return f"{NOT_IN_FORCE} (no decision: the stage is not in force on {decision.as_of})"
    day = actual.eligible_from or actual.lapsed_on
    return f"{actual.status.value} {day}" if day else actual.status.value


def _why(actual: StageDecision) -> list[str]:
    """Why the stage got its status: what holds it, or the state of its requirements."""
    if actual.status in (Status.HELD, Status.LAPSED):
        labels = "; ".join(e.label for e in actual.held_evidence) or "(no evidence recorded)"
        word = "held" if actual.status is Status.HELD else "lapsed"
        return [f"{word} on the evidence of: {labels}"]
    lines: list[str] = []
    for outcome in actual.requirements:
        lines.extend(_explain(outcome, 0, show_met=actual.status is Status.ELIGIBLE))
    return lines or ["(the stage has no requirements)"]


def _explain(outcome: RequirementOutcome, depth: int, show_met: bool) -> list[str]:
    pad = "    " * depth
    if not outcome.in_force:
        return [f"{pad}not in force {outcome.path}: {outcome.text}"]
    if outcome.met and not show_met:
        return []
    state = "met" if outcome.met else "unmet"
    line = f"{pad}{state} {outcome.path}: {outcome.text}"
    if outcome.met_from:
        line += f" (met from {outcome.met_from})"
    if outcome.met and outcome.evidence:
        line += f" [{'; '.join(e.label for e in outcome.evidence)}]"
    lines = [line]
    if not outcome.met:
        for child in outcome.children:
            lines.extend(_explain(child, depth + 1, show_met=False))
    return lines


def _walk(outcomes: Iterable[RequirementOutcome]) -> list[RequirementOutcome]:
    out: list[RequirementOutcome] = []
    for o in outcomes:
        out.append(o)
        out.extend(_walk(o.children))
    return out


def _state(outcome: RequirementOutcome) -> str:
    if not outcome.in_force:
        return NOT_IN_FORCE
    return "met" if outcome.met else "unmet"


def _list_steps(steps: Sequence[NextStep]) -> str:
    if not steps:
        return "    (no next steps)"
    return "\n".join(
        f"    - {s.pathway}.{s.stage}: {s.text}" + (f" (due {s.due})" if s.due else "")
        for s in steps
    )
