"""What a case expects: stage statuses and dates, requirement states, next steps."""

from __future__ import annotations

from typing import Any

from pathways.model.pathway import Stage
from pathways.model.requirements import Requirement
from pathways.model.tree import placed_children
from pathways.problems import describe_value, format_path
from pathways.suggest import did_you_mean

from .model import (
    NOT_IN_FORCE,
    REQUIREMENT_STATES,
    STAGE_KEYS,
    STATUSES,
    STEP_KEYS,
    StageExpectation,
    StepExpectation,
)
from .reader import CaseReader

__all__ = ["read_expectations", "read_steps", "requirement_paths"]


def read_expectations(
    r: CaseReader, value: Any, pathways: tuple[str, ...] | None
) -> tuple[StageExpectation, ...]:
    if not isinstance(value, dict) or not value:
        r.problem(
            r.at("expect"),
            "wrong-type",
            f"'expect' should map 'pathway.stage' to a status, not {describe_value(value)}",
            hint="for example: expect: {pip.level_1: eligible}",
        )
        return ()
    out = []
    for key, spec in value.items():
        exp = _expectation(r, str(key), spec, pathways)
        if exp is not None:
            out.append(exp)
    return tuple(out)


def _expectation(
    r: CaseReader, key: str, spec: Any, pathways: tuple[str, ...] | None
) -> StageExpectation | None:
    stage = r.stage_ref(key, "expect", key, is_key=True)
    if stage is None:
        return None
    pid, _, sid = key.partition(".")
    if pathways is not None and pid not in pathways:
        r.problem(
            r.at("expect", key, key=True),
            "invalid-value",
            f"'{key}' is in pathway '{pid}', which this case's 'pathways' leaves out",
            hint=f"add {pid} to 'pathways', or remove this expectation",
        )
    if isinstance(spec, str):
        spec = {"status": spec}
        fields: tuple[str | int, ...] = ("expect", key)
    elif isinstance(spec, dict):
        r.unknown_keys(spec, STAGE_KEYS, "expect", key)
        fields = ("expect", key, "status")
    else:
        r.problem(
            r.at("expect", key),
            "wrong-type",
            f"the expectation for '{key}' should be a status or a mapping, "
            f"not {describe_value(spec)}",
            hint="write a status (" + ", ".join(STATUSES) + ") or "
            "{status: ..., eligible_from: ..., lapsed_on: ..., requirements: {...}}",
        )
        return None
    eligible_from = lapsed_on = None
    if "eligible_from" in spec:
        eligible_from = r.date(spec["eligible_from"], "expect", key, "eligible_from")
    if "lapsed_on" in spec:
        lapsed_on = r.date(spec["lapsed_on"], "expect", key, "lapsed_on")
    implied = "eligible_from" if "eligible_from" in spec else None
    implied = "lapsed" if "lapsed_on" in spec else implied
    status = spec.get("status", implied)
    if status is None:
        r.problem(
            r.at("expect", key),
            "missing-field",
            f"missing 'status' for '{key}'",
            hint="add 'status: ...' (one of " + ", ".join(STATUSES) + ")",
        )
        return None
    status = str(status)
    if status not in STATUSES:
        r.problem(
            r.at(*fields),
            "invalid-value",
            f"'{status}' is not a status",
            suggestion=did_you_mean(status, STATUSES),
            hint="use one of: " + ", ".join(STATUSES),
        )
        return None
    for date_key, needs in (("eligible_from", "eligible_from"), ("lapsed_on", "lapsed")):
        if date_key in spec and status != needs:
            r.problem(
                r.at("expect", key, date_key, key=True),
                "invalid-value",
                f"'{date_key}' goes with status '{needs}', not '{status}'",
                hint=f"set status: {needs}, or remove '{date_key}'",
            )
    requirements = _requirement_checks(r, key, stage, spec.get("requirements"), status)
    return StageExpectation(pid, sid, status, eligible_from, lapsed_on, requirements)


def _requirement_checks(
    r: CaseReader, key: str, stage: Stage, value: Any, status: str
) -> tuple[tuple[str, str, str], ...]:
    if value is None:
        return ()
    here = ("expect", key, "requirements")
    if not isinstance(value, dict) or not value:
        r.problem(
            r.at(*here),
            "wrong-type",
            f"'requirements' should map requirement paths or ids to met, unmet or "
            f"not_in_force, not {describe_value(value)}",
            hint='for example requirements: {"requires[1]": met}',
        )
        return ()
    if status == NOT_IN_FORCE:
        r.problem(
            r.at(*here, key=True),
            "invalid-value",
            "a stage that is not in force has no requirements to check",
            hint="remove 'requirements', or expect another status",
        )
        return ()
    paths = requirement_paths(stage)
    out = []
    for raw_key, state in value.items():
        ref = str(raw_key)
        path = paths.get(ref)
        if path is None:
            r.problem(
                r.at(*here, ref, key=True),
                "unknown-reference",
                f"stage '{key}' has no requirement '{ref}'",
                suggestion=did_you_mean(ref, list(paths)),
                hint="name a requirement by its path (requires[0], requires[1].any_of[0]) "
                "or its id: " + ", ".join(paths),
            )
            continue
        if state not in REQUIREMENT_STATES:
            r.problem(
                r.at(*here, ref),
                "invalid-value",
                f"'{state}' is not a requirement state",
                suggestion=did_you_mean(str(state), REQUIREMENT_STATES),
                hint="use one of: " + ", ".join(REQUIREMENT_STATES),
            )
            continue
        out.append((ref, path, str(state)))
    return tuple(out)


def read_steps(r: CaseReader, value: Any, name: str) -> tuple[StepExpectation, ...]:
    if value is None:
        return ()
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list):
        r.problem(
            r.at(name),
            "wrong-type",
            f"'{name}' should be a list of phrases, not {describe_value(value)}",
            hint=f'write {name}: ["Attend FSL stage 1"]',
        )
        return ()
    out = []
    for i, item in enumerate(items):
        if isinstance(item, str):
            text = r.text(item, name, i)
            if text is not None:
                out.append(StepExpectation(text))
            continue
        if not isinstance(item, dict):
            r.problem(
                r.at(name, i),
                "wrong-type",
                f"a next step should be a phrase or a mapping, not {describe_value(item)}",
                hint="write a phrase, or {text: ..., stage: pathway.stage, due: DATE}",
            )
            continue
        allowed = STEP_KEYS if name == "next_steps" else STEP_KEYS[:2]
        r.unknown_keys(item, allowed, name, i)
        if "text" not in item and "stage" not in item:
            r.problem(
                r.at(name, i),
                "missing-field",
                "a next step needs 'text' (a phrase of the step's text), 'stage', or both",
                hint="add 'text: ...'; with 'stage' alone, any step for that stage matches",
            )
            continue
        text = r.text(item["text"], name, i, "text") if "text" in item else ""
        stage = item.get("stage")
        if stage is not None:
            stage = str(stage)
            r.stage_ref(stage, name, i, "stage")
        due = r.date(item["due"], name, i, "due") if "due" in item else None
        if text is not None:
            out.append(StepExpectation(text, stage, due))
    return tuple(out)


def requirement_paths(stage: Stage) -> dict[str, str]:
    """Every requirement of ``stage`` by its path (``requires[0].any_of[1]``), and by id."""
    out: dict[str, str] = {}
    ids: dict[str, str] = {}

    def visit(req: Requirement, path: str) -> None:
        out[path] = path
        if req.id:
            ids[req.id] = path
        for place, child in placed_children(req):
            visit(child, f"{path}.{format_path(place)}")

    for i, req in enumerate(stage.requires):
        visit(req, f"requires[{i}]")
    return {**out, **ids}
