"""Example cases as data: what a case expects, and how a run of cases went."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from accreditation.record import Person
from pathways.loader import SHIPPED_LIBRARY
from pathways.problems import Problem
from rules.decision import NextStep, Status

__all__ = [
    "CASE_KEYS",
    "NOT_APPLICABLE",
    "NOT_IN_FORCE",
    "OBLIGATION_KEYS",
    "OBLIGATION_STATES",
    "REQUIREMENT_STATES",
    "SHIPPED_CASES",
    "STAGE_KEYS",
    "STATUSES",
    "STEP_KEYS",
    "Case",
    "CaseReport",
    "CaseResult",
    "ObligationExpectation",
    "Outcome",
    "StageExpectation",
    "StepExpectation",
]

#: The example cases of the shipped library. They live beside the library, not in it:
#: the loader reads every ``*.yaml`` under ``pathways/library`` as a pathway file.
SHIPPED_CASES = SHIPPED_LIBRARY.parent / "library_tests"

#: Status of a stage that is not in force on the as-of date (no decision is made for it).
NOT_IN_FORCE = "not_in_force"
STATUSES: tuple[str, ...] = (*(s.value for s in Status), NOT_IN_FORCE)
REQUIREMENT_STATES: tuple[str, ...] = ("met", "unmet", NOT_IN_FORCE)

CASE_KEYS: tuple[str, ...] = (
    "name",
    "description",
    "as_of",
    "record",
    "record_file",
    "pathways",
    "assessors",
    "expect",
    "obligations",
    "next_steps",
    "not_next_steps",
    "xfail",
)
STAGE_KEYS: tuple[str, ...] = ("status", "eligible_from", "lapsed_on", "requirements")
STEP_KEYS: tuple[str, ...] = ("text", "stage", "due")
#: What an obligation can be in a case: a status of the engine's, or not applying at all.
NOT_APPLICABLE = "not_applicable"
OBLIGATION_STATES: tuple[str, ...] = ("met", "due", "overdue", NOT_APPLICABLE)
OBLIGATION_KEYS: tuple[str, ...] = ("status", "due_by", "met_until", "act_by")


# --- the cases ---------------------------------------------------------------------------


@dataclass(frozen=True)
class StageExpectation:
    """What one stage should be: a status, maybe a date, maybe requirement states."""

    pathway: str
    stage: str
    status: str
    eligible_from: dt.date | None = None
    lapsed_on: dt.date | None = None
    #: (the key as written, the requirement's path in the stage, met / unmet / not_in_force)
    requirements: tuple[tuple[str, str, str], ...] = ()

    @property
    def key(self) -> str:
        return f"{self.pathway}.{self.stage}"

    def describe(self) -> str:
        """The expectation in words, e.g. ``eligible_from 2025-03-01``."""
        day = self.eligible_from or self.lapsed_on
        return f"{self.status} {day}" if day else self.status


@dataclass(frozen=True)
class StepExpectation:
    """A next step to look for: a phrase of its text (empty: any), its stage, its due date."""

    text: str
    stage: str | None = None
    due: dt.date | None = None

    def matches(self, step: NextStep) -> bool:
        """True if ``step`` contains the phrase (and is for the stage, due that day)."""
        if self.text not in step.text:
            return False
        if self.stage is not None and f"{step.pathway}.{step.stage}" != self.stage:
            return False
        return self.due is None or step.due == self.due

    def describe(self) -> str:
        extra = [f"for {self.stage}"] if self.stage else []
        if self.due:
            extra.append(f"due {self.due}")
        what = f'containing "{self.text}"' if self.text else "(any text)"
        return what + (f" ({', '.join(extra)})" if extra else "")


@dataclass(frozen=True)
class ObligationExpectation:
    """What one obligation should be for the person: a status, and maybe its dates."""

    pathway: str
    obligation: str
    status: str
    dates: tuple[tuple[str, dt.date], ...] = ()  # (due_by | met_until | act_by, the day)

    @property
    def key(self) -> str:
        return f"{self.pathway}.{self.obligation}"

    def describe(self) -> str:
        return " ".join([self.status, *(f"{k} {d}" for k, d in self.dates)])


@dataclass(frozen=True)
class Case:
    """One example: a record, a date, and the expected decision."""

    name: str
    file: str
    line: int | None
    as_of: dt.date
    person: Person
    expect: tuple[StageExpectation, ...]
    next_steps: tuple[StepExpectation, ...] = ()
    not_next_steps: tuple[StepExpectation, ...] = ()
    pathways: tuple[str, ...] | None = None
    xfail: str | None = None
    description: str | None = None
    assessors: tuple[Person, ...] = ()
    obligations: tuple[ObligationExpectation, ...] = ()

    @property
    def where(self) -> str:
        """``file:line`` of the case."""
        return f"{self.file}:{self.line}" if self.line else self.file


class Outcome(StrEnum):
    """How a case went. ``xfail`` (failed as expected) is fine; ``xpass`` is not."""

    PASS = "pass"
    FAIL = "fail"
    XFAIL = "xfail"
    XPASS = "xpass"

    @property
    def ok(self) -> bool:
        return self in (Outcome.PASS, Outcome.XFAIL)


@dataclass(frozen=True)
class CaseResult:
    """A case, how it went, and what differed (one readable block per mismatch)."""

    case: Case
    outcome: Outcome
    failures: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.outcome.ok

    def line(self) -> str:
        """One line: ``PASS file:line  name`` (with the reason for an xfail)."""
        label = self.outcome.value.upper()
        text = f"{label:<5} {self.case.where}  {self.case.name}"
        if self.case.xfail and self.outcome is Outcome.XFAIL:
            text += f"  [xfail: {self.case.xfail}]"
        return text

    def diff(self) -> str:
        """The failure report: the case, then each difference, indented."""
        case = self.case
        head = f"{self.outcome.value.upper()} {case.where}: {case.name} (as of {case.as_of})"
        body = ["  " + block.replace("\n", "\n  ") for block in self.failures]
        return "\n".join([head, *body])

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.case.name,
            "file": self.case.file,
            "line": self.case.line,
            "as_of": self.case.as_of.isoformat(),
            "outcome": self.outcome.value,
            "xfail": self.case.xfail,
            "failures": list(self.failures),
        }


@dataclass
class CaseReport:
    """The results of a run, and the problems that kept cases from running."""

    results: list[CaseResult] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    library_version: str | None = None

    @property
    def passed(self) -> int:
        """Cases that passed, counting expected failures (xfail)."""
        return sum(r.ok for r in self.results)

    @property
    def failed(self) -> int:
        """Cases that failed, counting xfail cases that passed."""
        return sum(not r.ok for r in self.results)

    @property
    def xfailed(self) -> int:
        return sum(r.outcome is Outcome.XFAIL for r in self.results)

    @property
    def ok(self) -> bool:
        return not self.problems and self.failed == 0

    def summary(self) -> str:
        return f"{self.passed} passed, {self.failed} failed"

    def to_json(self) -> dict[str, Any]:
        return {
            "library_version": self.library_version,
            "cases": [r.to_json() for r in self.results],
            "problems": [p.model_dump(mode="json") for p in self.problems],
            "summary": {
                "passed": self.passed,
                "failed": self.failed,
                "xfailed": self.xfailed,
                "problems": len(self.problems),
            },
        }
