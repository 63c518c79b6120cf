"""A case's ``obligations:``: what each obligation should be for the person, read with every
problem located, and compared with the engine's decision."""

from __future__ import annotations

from typing import Any

from pathways.problems import describe_value
from pathways.suggest import did_you_mean
from rules.decision import Decision, RequirementOutcome

from .model import (
    NOT_APPLICABLE,
    NOT_IN_FORCE,
    OBLIGATION_KEYS,
    OBLIGATION_STATES,
    ObligationExpectation,
)
from .reader import CaseReader

__all__ = ["obligation_failures", "read_obligations"]


def read_obligations(r: CaseReader, value: Any) -> tuple[ObligationExpectation, ...]:
    """The expectations under a case's ``obligations:``."""
    if not isinstance(value, dict) or not value:
        r.problem(
            r.at("obligations"),
            "wrong-type",
            "'obligations' should map 'pathway.obligation' to a status, not "
            + describe_value(value),
            hint="for example: obligations: {fsl.fsl_for_chief_inspectors: overdue}",
        )
        return ()
    out = []
    for key, spec in value.items():
        found = _obligation(r, str(key), spec)
        if found is not None:
            out.append(found)
    return tuple(out)


def _obligation(r: CaseReader, key: str, spec: Any) -> ObligationExpectation | None:
    pid, _, oid = key.partition(".")
    pathway = r.library.pathways.get(pid)
    known = [f"{p.id}.{o.id}" for p in r.library.pathways.values() for o in p.obligations]
    if pathway is None or pathway.obligation(oid) is None:
        r.problem(
            r.at("obligations", key, key=True),
            "unknown-reference",
            f"unknown obligation '{key}'",
            suggestion=did_you_mean(key, known),
            hint="obligations in this library: " + (", ".join(known) or "none"),
        )
        return None
    where: tuple[str, ...]
    if isinstance(spec, str):
        spec, where = {"status": spec}, ("obligations", key)
    elif isinstance(spec, dict):
        r.unknown_keys(spec, OBLIGATION_KEYS, "obligations", key)
        where = ("obligations", key, "status")
    else:
        r.problem(
            r.at("obligations", key),
            "wrong-type",
            f"the expectation for '{key}' should be a status or a mapping, "
            f"not {describe_value(spec)}",
            hint="write a status (" + ", ".join(OBLIGATION_STATES) + ") or "
            "{status: ..., due_by: ..., met_until: ..., act_by: ...}",
        )
        return None
    status = str(spec.get("status", ""))
    if status not in OBLIGATION_STATES:
        r.problem(
            r.at(*where),
            "invalid-value" if status else "missing-field",
            f"'{status}' is not an obligation's status"
            if status
            else f"missing 'status' for '{key}'",
            suggestion=did_you_mean(status, OBLIGATION_STATES) if status else None,
            hint="use one of: " + ", ".join(OBLIGATION_STATES),
        )
        return None
    dates = []
    for name in OBLIGATION_KEYS[1:]:
        if name in spec:
            day = r.date(spec[name], "obligations", key, name)
            if day is not None:
                dates.append((name, day))
    return ObligationExpectation(pid, oid, status, tuple(dates))


def obligation_failures(want: ObligationExpectation, decision: Decision) -> list[str]:
    """How the decision's obligation differs from what the case expects (nothing if not)."""
    actual = next((o for o in decision.obligations if o.key == want.key), None)
    got = actual.status.value if actual is not None else NOT_APPLICABLE
    dates = {k: getattr(actual, k) for k in OBLIGATION_KEYS[1:]} if actual is not None else {}
    if got == want.status and all(dates.get(k) == day for k, day in want.dates):
        return []
    shown = " ".join([got, *(f"{k} {v}" for k, v in dates.items() if v is not None)])
    why = ""
    if actual is not None:
        reasons = [*actual.applies, *([actual.must] if actual.must else [])]
        why = "".join(f"\n    {_state(o)} {o.path}: {o.text}" for o in reasons)
    return [f"{want.key}: expected {want.describe()}, got {shown}{why}"]


def _state(outcome: RequirementOutcome) -> str:
    if not outcome.in_force:
        return NOT_IN_FORCE
    return "met" if outcome.met else "unmet"
