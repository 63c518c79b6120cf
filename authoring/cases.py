"""Example tests as data: a record, a date, and the decision it should get.

A *case file* is a YAML list of cases, in the style of OpenFisca's YAML tests:
an input record and the expected output. Each case names a person's record
(inline under ``record``, or ``record_file`` relative to the case file), the
date to decide ``as_of``, and what some stages should be::

    - name: a new constable with the initial investigation course is eligible for PIP level 1
      as_of: 2024-06-01
      record:
        id: T-PIP-1
        kind: officer
        joined: 2022-09-01
        ranks: [{rank: constable, start: 2022-09-01}]
        courses: [{course: pip_level_1_training, completed: 2023-01-10}]
      expect:
        pip.level_1: eligible                                   # a status alone
        pip.level_2: {status: not_eligible}
        fsl.stage_1: {status: eligible_from, eligible_from: 2025-03-01}
      next_steps: ["Complete the initial investigation training"]

Keys of a case (anything else is an error, reported with file and line):

``name`` (required)
    What the case shows; unique across the files run together.
``as_of`` (required)
    The date the decision is made for.
``record`` / ``record_file`` (exactly one)
    A person record (see ``accreditation.record.Person``), inline or in a JSON or
    YAML file. Ids in it (ranks, courses, roles ...) must be in the catalogue.
``expect`` (required)
    ``pathway.stage: STATUS``, or a mapping with ``status``, ``eligible_from``,
    ``lapsed_on`` (dates; either implies its status) and ``requirements``:
    ``{PATH-or-ID: met | unmet | not_in_force}``, where PATH is a requirement's
    place in the stage (``requires[1]``, ``requires[0].any_of[1]``; quote it inside
    ``{...}``) and ID a requirement ``id``. STATUS is one of ``held``, ``eligible``,
    ``eligible_from``, ``lapsed``, ``not_eligible``, or ``not_in_force`` (the stage
    is not in force on that day, so no decision is made for it).
``next_steps`` / ``not_next_steps`` (optional)
    Phrases that must (must not) appear in some next step's text; an item may
    also be a mapping ``{text: ..., stage: pathway.stage, due: DATE}``.
``pathways`` (optional)
    Decide only these pathways (their next steps only).
``xfail`` (optional)
    Why the case is expected to fail (a known engine or library problem). A case
    marked ``xfail`` that passes is a failure, like pytest's strict xfail.
``description`` (optional)
    Longer notes.

>>> from pathways import SHIPPED_LIBRARY, load_library
>>> from pathways.yamlsource import read_yaml_text
>>> library = load_library([SHIPPED_LIBRARY])
>>> doc = read_yaml_text('''
... - name: a staff member cannot be a constable
...   as_of: 2020-01-01
...   record: {id: S1, kind: staff, joined: 2019-01-01}
...   expect: {promotion.constable: eligible}
... ''', "demo.yaml")
>>> cases, problems = parse_cases(doc, library)
>>> result = run_case(cases[0], Evaluator(library))
>>> result.outcome.value
'fail'
>>> print(result.failures[0])
promotion.constable: expected eligible, got not_eligible
    unmet requires[0]: A police officer
    unmet requires[1]: Completed core initial police training
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from accreditation.io import record_problem
from accreditation.record import REFERENCES, Person
from pathways.loader import SHIPPED_LIBRARY
from pathways.model.library import Library
from pathways.model.pathway import Stage
from pathways.model.requirements import BaseRequirement, Not
from pathways.problems import Location, Problem, describe_value, format_path
from pathways.suggest import did_you_mean
from pathways.yamlsource import YamlDocument, read_yaml_file
from rules.decision import Decision, NextStep, RequirementOutcome, StageDecision, Status
from rules.engine import Evaluator
from rules.session import EngineError

__all__ = [
    "CASE_KEYS",
    "NOT_IN_FORCE",
    "SHIPPED_CASES",
    "STATUSES",
    "Case",
    "CaseReport",
    "CaseResult",
    "Outcome",
    "StageExpectation",
    "StepExpectation",
    "check_decision",
    "collect_case_files",
    "load_cases",
    "parse_cases",
    "run_case",
    "run_cases",
    "select_cases",
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
    "expect",
    "next_steps",
    "not_next_steps",
    "xfail",
)
STAGE_KEYS: tuple[str, ...] = ("status", "eligible_from", "lapsed_on", "requirements")
STEP_KEYS: tuple[str, ...] = ("text", "stage", "due")

_DATE_HINT = "write dates as YYYY-MM-DD, unquoted"


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


# --- loading -----------------------------------------------------------------------------


def collect_case_files(paths: Iterable[str | Path]) -> list[Path]:
    """Expand directories to the ``*.yaml`` / ``*.yml`` files under them, sorted."""
    out: dict[Path, Path] = {}
    for raw in paths:
        p = Path(raw)
        found = (
            sorted(f for f in p.rglob("*") if f.suffix in (".yaml", ".yml")) if p.is_dir() else [p]
        )
        for f in found:
            out.setdefault(f.resolve(), f)
    return list(out.values())


def load_cases(paths: Iterable[str | Path], library: Library) -> tuple[list[Case], list[Problem]]:
    """Read case files (or directories of them) and check them against ``library``.

    A case with a problem (an unknown key, a bad date, an unknown pathway, stage
    or catalogue id) is left out and its problems returned; the others load.
    """
    cases: list[Case] = []
    problems: list[Problem] = []
    for path in collect_case_files(paths):
        doc = read_yaml_file(path, _display(path))
        found, trouble = parse_cases(doc, library, path.parent)
        cases.extend(found)
        problems.extend(trouble)
    seen: dict[str, Case] = {}
    kept = []
    for case in cases:
        first = seen.get(case.name)
        if first is not None:
            problems.append(
                Problem(
                    code="duplicate-id",
                    file=case.file,
                    line=case.line,
                    message=f"case name '{case.name}' is also used at {first.where}",
                    hint="give every case a unique name (-k and test reports select by name)",
                )
            )
            continue
        seen[case.name] = case
        kept.append(case)
    return kept, sorted(problems, key=Problem.sort_key)


def parse_cases(
    doc: YamlDocument, library: Library, base_dir: str | Path | None = None
) -> tuple[list[Case], list[Problem]]:
    """The cases of one parsed case file; ``record_file`` is relative to ``base_dir``."""
    problems = list(doc.problems)
    if doc.data is None:
        return [], problems
    if not isinstance(doc.data, list):
        problems.append(
            Problem.at(
                doc.location(()),
                "wrong-type",
                "a case file is a list of cases, each starting with '- name: ...'",
                hint="see 'pathways test --help' and the case files in pathways/library_tests/",
            )
        )
        return [], problems
    base = Path(base_dir) if base_dir is not None else Path.cwd()
    cases = []
    for index, raw in enumerate(doc.data):
        parser = _CaseParser(doc, library, base, index)
        case = parser.parse(raw)
        problems.extend(parser.problems)
        if case is not None and not parser.problems:
            cases.append(case)
    return cases, problems


class _CaseParser:
    """Parses and checks one case; collects every problem rather than stopping."""

    def __init__(self, doc: YamlDocument, library: Library, base: Path, index: int):
        self.doc = doc
        self.library = library
        self.base = base
        self.index = index
        self.problems: list[Problem] = []

    # --- helpers ---------------------------------------------------------------------

    def at(self, *path: str | int, key: bool = False) -> Location:
        return self.doc.location((self.index, *path), at_key=key)

    def problem(self, where: Location, code: str, message: str, **fields: Any) -> None:
        self.problems.append(Problem.at(where, code, message, **fields))

    def date(self, value: Any, *path: str | int) -> dt.date | None:
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                pass
        self.problem(
            self.at(*path),
            "wrong-type",
            f"'{path[-1]}' should be a date like 2010-04-01, not {describe_value(value)}",
            hint=_DATE_HINT,
        )
        return None

    def text(self, value: Any, *path: str | int) -> str | None:
        if isinstance(value, str) and value.strip():
            return value
        self.problem(
            self.at(*path),
            "wrong-type",
            f"'{path[-1]}' should be text, not {describe_value(value)}",
            hint="put the value in quotes",
        )
        return None

    def unknown_keys(self, data: dict[str, Any], allowed: Sequence[str], *path: str | int) -> None:
        where = "a case" if not path else f"'{path[-1]}'"
        for key in data:
            if key not in allowed:
                self.problem(
                    self.at(*path, key, key=True),
                    "unknown-field",
                    f"unknown field '{key}' in {where}",
                    suggestion=did_you_mean(str(key), allowed),
                    hint="fields allowed here: " + ", ".join(allowed),
                )

    # --- the case --------------------------------------------------------------------

    def parse(self, raw: Any) -> Case | None:
        if not isinstance(raw, dict):
            self.problem(
                self.at(),
                "wrong-type",
                f"a case should be a mapping of 'key: value' lines, not {describe_value(raw)}",
                hint="start each case with '- name: ...' and indent its other keys under 'name'",
            )
            return None
        self.unknown_keys(raw, CASE_KEYS)
        for required in ("name", "as_of", "expect"):
            if required not in raw:
                self.problem(
                    self.at(),
                    "missing-field",
                    f"missing required field '{required}' in a case",
                    hint=f"add '{required}: ...' to the case",
                )
        name = self.text(raw["name"], "name") if "name" in raw else None
        as_of = self.date(raw["as_of"], "as_of") if "as_of" in raw else None
        description = self.text(raw["description"], "description") if "description" in raw else None
        xfail = self.text(raw["xfail"], "xfail") if "xfail" in raw else None
        pathways = self.pathways(raw["pathways"]) if "pathways" in raw else None
        person = self.person(raw)
        expect = self.expectations(raw["expect"], pathways) if "expect" in raw else ()
        steps = self.steps(raw.get("next_steps"), "next_steps")
        not_steps = self.steps(raw.get("not_next_steps"), "not_next_steps")
        if name is None or as_of is None or person is None or self.problems:
            return None
        return Case(
            name=name,
            file=self.doc.file,
            line=self.at().line,
            as_of=as_of,
            person=person,
            expect=expect,
            next_steps=steps,
            not_next_steps=not_steps,
            pathways=pathways,
            xfail=xfail,
            description=description,
        )

    def pathways(self, value: Any) -> tuple[str, ...] | None:
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not items:
            self.problem(
                self.at("pathways"),
                "wrong-type",
                f"'pathways' should be a list of pathway ids, not {describe_value(value)}",
                hint="write pathways: [pip, detective]",
            )
            return None
        known = list(self.library.pathways)
        out = []
        for i, pid in enumerate(items):
            if str(pid) not in self.library.pathways:
                self.problem(
                    self.at("pathways", i),
                    "unknown-reference",
                    f"unknown pathway '{pid}'",
                    suggestion=did_you_mean(str(pid), known),
                    hint="pathways in this library: " + ", ".join(known),
                )
            out.append(str(pid))
        return tuple(out)

    # --- the record ------------------------------------------------------------------

    def person(self, raw: dict[str, Any]) -> Person | None:
        has_inline, has_file = "record" in raw, "record_file" in raw
        if has_inline == has_file:
            self.problem(
                self.at(),
                "missing-field" if not has_inline else "invalid-value",
                "a case needs exactly one of 'record' (inline) or 'record_file'"
                + (", not both" if has_inline else ""),
                hint="write the record under 'record:', or give its file in 'record_file:' "
                "(relative to this case file)",
            )
            return None
        if has_inline:
            return self.validate_record(raw["record"], self.doc, (self.index, "record"))
        name = self.text(raw["record_file"], "record_file")
        if name is None:
            return None
        path = self.base / name
        if not path.is_file():
            self.problem(
                self.at("record_file"),
                "unreadable-file",
                f"record file '{name}' not found (looked for {_display(path)})",
                hint="give the path relative to the case file",
            )
            return None
        # JSON is YAML, so one reader gives positions for both.
        record_doc = read_yaml_file(path, _display(path))
        if record_doc.problems:
            self.problems.extend(record_doc.problems)
            return None
        return self.validate_record(record_doc.data, record_doc, ())

    def validate_record(
        self, data: Any, doc: YamlDocument, prefix: tuple[str | int, ...]
    ) -> Person | None:
        if not isinstance(data, dict):
            self.problems.append(
                Problem.at(
                    doc.location(prefix),
                    "wrong-type",
                    "a record should be a mapping of 'key: value' lines, not "
                    f"{describe_value(data)}",
                    hint="see examples/inspector_pip.json for a record",
                )
            )
            return None
        try:
            person = Person.model_validate(data)
        except ValidationError as exc:
            for err in exc.errors():
                self.problems.append(_record_problem(doc, prefix, err))
            return None
        for path, section, value in _record_references(person):
            entries = {e.id: e for e in getattr(self.library.catalogue, section)}
            if section == "attributes":
                attr, _, wanted = value.partition("=")
                entry = entries.get(attr)
                allowed = list(getattr(entry, "values", []) or []) if entry else []
                if entry is not None and wanted not in allowed:
                    self.problems.append(
                        Problem.at(
                            doc.location((*prefix, *path)),
                            "invalid-value",
                            f"'{wanted}' is not a value of the attribute '{attr}'",
                            suggestion=did_you_mean(wanted, allowed),
                            hint="allowed values: " + ", ".join(allowed),
                        )
                    )
                continue
            if value not in entries:
                self.problems.append(
                    Problem.at(
                        doc.location((*prefix, *path)),
                        "unknown-reference",
                        f"unknown {_SINGULAR[section]} '{value}' in the record "
                        "(it is not in the catalogue, so no rule would ever match it)",
                        suggestion=did_you_mean(value, list(entries)),
                        hint=f"use an id from the catalogue's {section}",
                    )
                )
        for i, award in enumerate(person.credentials):
            entry = self.library.catalogue.entry("credentials", award.credential)
            levels = getattr(entry, "levels", None)
            if entry is not None and award.level is not None and award.level not in (levels or []):
                self.problems.append(
                    Problem.at(
                        doc.location((*prefix, "credentials", i, "level")),
                        "invalid-value",
                        f"level {award.level} is not a level of '{award.credential}'",
                        hint=f"levels: {', '.join(map(str, levels))}" if levels else None,
                    )
                )
        return person

    # --- expectations ----------------------------------------------------------------

    def expectations(
        self, value: Any, pathways: tuple[str, ...] | None
    ) -> tuple[StageExpectation, ...]:
        if not isinstance(value, dict) or not value:
            self.problem(
                self.at("expect"),
                "wrong-type",
                f"'expect' should map 'pathway.stage' to a status, not {describe_value(value)}",
                hint="for example: expect: {pip.level_1: eligible}",
            )
            return ()
        out = []
        for key, spec in value.items():
            exp = self.expectation(str(key), spec, pathways)
            if exp is not None:
                out.append(exp)
        return tuple(out)

    def stage_ref(self, key: str, *path: str | int, is_key: bool = False) -> Stage | None:
        """The stage named ``pathway.stage`` at ``path``, or a problem."""
        where = self.at(*path, key=is_key)
        pid, dot, sid = key.partition(".")
        if not dot or not pid or not sid:
            self.problem(
                where,
                "invalid-value",
                f"'{key}' should name a stage as 'pathway.stage'",
                hint="for example pip.level_1",
            )
            return None
        pathway = self.library.pathways.get(pid)
        if pathway is None:
            known = list(self.library.pathways)
            self.problem(
                where,
                "unknown-reference",
                f"unknown pathway '{pid}' in '{key}'",
                suggestion=did_you_mean(pid, known),
                hint="pathways in this library: " + ", ".join(known),
            )
            return None
        stage = pathway.stage(sid)
        if stage is None:
            known = [s.id for s in pathway.stages]
            self.problem(
                where,
                "unknown-reference",
                f"unknown stage '{sid}' in pathway '{pid}'",
                suggestion=did_you_mean(sid, known),
                hint=f"stages of {pid}: " + ", ".join(known),
            )
        return stage

    def expectation(
        self, key: str, spec: Any, pathways: tuple[str, ...] | None
    ) -> StageExpectation | None:
        stage = self.stage_ref(key, "expect", key, is_key=True)
        if stage is None:
            return None
        pid, _, sid = key.partition(".")
        if pathways is not None and pid not in pathways:
            self.problem(
                self.at("expect", key, key=True),
                "invalid-value",
                f"'{key}' is in pathway '{pid}', which this case's 'pathways' leaves out",
                hint=f"add {pid} to 'pathways', or remove this expectation",
            )
        if isinstance(spec, str):
            spec = {"status": spec}
            fields: tuple[str | int, ...] = ("expect", key)
        elif isinstance(spec, dict):
            self.unknown_keys(spec, STAGE_KEYS, "expect", key)
            fields = ("expect", key, "status")
        else:
            self.problem(
                self.at("expect", key),
                "wrong-type",
                f"the expectation for '{key}' should be a status or a mapping, "
                f"not {describe_value(spec)}",
                hint="write a status (" + ", ".join(STATUSES) + ") or "
                "{status: ..., eligible_from: ..., lapsed_on: ..., requirements: {...}}",
            )
            return None
        eligible_from = lapsed_on = None
        if "eligible_from" in spec:
            eligible_from = self.date(spec["eligible_from"], "expect", key, "eligible_from")
        if "lapsed_on" in spec:
            lapsed_on = self.date(spec["lapsed_on"], "expect", key, "lapsed_on")
        implied = "eligible_from" if "eligible_from" in spec else None
        implied = "lapsed" if "lapsed_on" in spec else implied
        status = spec.get("status", implied)
        if status is None:
            self.problem(
                self.at("expect", key),
                "missing-field",
                f"missing 'status' for '{key}'",
                hint="add 'status: ...' (one of " + ", ".join(STATUSES) + ")",
            )
            return None
        status = str(status)
        if status not in STATUSES:
            self.problem(
                self.at(*fields),
                "invalid-value",
                f"'{status}' is not a status",
                suggestion=did_you_mean(status, STATUSES),
                hint="use one of: " + ", ".join(STATUSES),
            )
            return None
        for date_key, needs in (("eligible_from", "eligible_from"), ("lapsed_on", "lapsed")):
            if date_key in spec and status != needs:
                self.problem(
                    self.at("expect", key, date_key, key=True),
                    "invalid-value",
                    f"'{date_key}' goes with status '{needs}', not '{status}'",
                    hint=f"set status: {needs}, or remove '{date_key}'",
                )
        requirements = self.requirement_checks(key, stage, spec.get("requirements"), status)
        return StageExpectation(pid, sid, status, eligible_from, lapsed_on, requirements)

    def requirement_checks(
        self, key: str, stage: Stage, value: Any, status: str
    ) -> tuple[tuple[str, str, str], ...]:
        if value is None:
            return ()
        here = ("expect", key, "requirements")
        if not isinstance(value, dict) or not value:
            self.problem(
                self.at(*here),
                "wrong-type",
                f"'requirements' should map requirement paths or ids to met, unmet or "
                f"not_in_force, not {describe_value(value)}",
                hint='for example requirements: {"requires[1]": met}',
            )
            return ()
        if status == NOT_IN_FORCE:
            self.problem(
                self.at(*here, key=True),
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
                self.problem(
                    self.at(*here, ref, key=True),
                    "unknown-reference",
                    f"stage '{key}' has no requirement '{ref}'",
                    suggestion=did_you_mean(ref, list(paths)),
                    hint="name a requirement by its path (requires[0], requires[1].any_of[0]) "
                    "or its id: " + ", ".join(paths),
                )
                continue
            if state not in REQUIREMENT_STATES:
                self.problem(
                    self.at(*here, ref),
                    "invalid-value",
                    f"'{state}' is not a requirement state",
                    suggestion=did_you_mean(str(state), REQUIREMENT_STATES),
                    hint="use one of: " + ", ".join(REQUIREMENT_STATES),
                )
                continue
            out.append((ref, path, str(state)))
        return tuple(out)

    def steps(self, value: Any, name: str) -> tuple[StepExpectation, ...]:
        if value is None:
            return ()
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list):
            self.problem(
                self.at(name),
                "wrong-type",
                f"'{name}' should be a list of phrases, not {describe_value(value)}",
                hint=f'write {name}: ["Attend FSL stage 1"]',
            )
            return ()
        out = []
        for i, item in enumerate(items):
            if isinstance(item, str):
                text = self.text(item, name, i)
                if text is not None:
                    out.append(StepExpectation(text))
                continue
            if not isinstance(item, dict):
                self.problem(
                    self.at(name, i),
                    "wrong-type",
                    f"a next step should be a phrase or a mapping, not {describe_value(item)}",
                    hint="write a phrase, or {text: ..., stage: pathway.stage, due: DATE}",
                )
                continue
            allowed = STEP_KEYS if name == "next_steps" else STEP_KEYS[:2]
            self.unknown_keys(item, allowed, name, i)
            if "text" not in item and "stage" not in item:
                self.problem(
                    self.at(name, i),
                    "missing-field",
                    "a next step needs 'text' (a phrase of the step's text), 'stage', or both",
                    hint="add 'text: ...'; with 'stage' alone, any step for that stage matches",
                )
                continue
            text = self.text(item["text"], name, i, "text") if "text" in item else ""
            stage = item.get("stage")
            if stage is not None:
                stage = str(stage)
                self.stage_ref(stage, name, i, "stage")
            due = self.date(item["due"], name, i, "due") if "due" in item else None
            if text is not None:
                out.append(StepExpectation(text, stage, due))
        return tuple(out)


def requirement_paths(stage: Stage) -> dict[str, str]:
    """Every requirement of ``stage`` by its path (``requires[0].any_of[1]``), and by id."""
    out: dict[str, str] = {}
    ids: dict[str, str] = {}
    child_key = {"all_of": "all_of", "any_of": "any_of", "at_least": "of"}

    def visit(req: BaseRequirement, path: str) -> None:
        out[path] = path
        if req.id:
            ids[req.id] = path
        for i, child in enumerate(req.children()):
            visit(
                child,
                f"{path}.not" if isinstance(req, Not) else f"{path}.{child_key[req.kind]}[{i}]",
            )

    for i, req in enumerate(stage.requires):
        visit(req, f"requires[{i}]")
    return {**out, **ids}


def _record_problem(doc: YamlDocument, prefix: tuple[str | int, ...], err: Any) -> Problem:
    """A record's pydantic error, translated once (:func:`accreditation.io.record_problem`),
    placed at its line in the case file."""
    found = record_problem(err)
    loc = found.loc
    shown = f"record.{format_path(loc)}" if loc else "record"
    inside = shown.rsplit(".", 1)[0]
    if found.code == "unknown-field":
        return Problem.at(
            doc.location((*prefix, *loc), at_key=True),
            found.code,
            f"{found.message} in {inside}",
            suggestion=found.suggestion,
            hint=found.hint,
        )
    if found.code == "missing-field":
        return Problem.at(
            doc.location((*prefix, *loc[:-1])),
            found.code,
            f"missing required field '{loc[-1]}' in {inside}",
            hint=f"add '{loc[-1]}: ...' here",
        )
    return Problem.at(
        doc.location((*prefix, *loc)),
        found.code,
        f"{shown}: {found.message}",
        suggestion=found.suggestion,
        hint=found.hint or (_DATE_HINT if "date" in err["type"] else None),
    )


_SINGULAR = {
    "ranks": "rank",
    "bands": "band",
    "roles": "role",
    "business_groups": "business group",
    "courses": "course",
    "assessments": "assessment",
    "credentials": "credential",
    "endorsements": "endorsement",
    "programmes": "programme",
}


def _record_references(person: Person) -> list[tuple[tuple[str | int, ...], str, str]]:
    """(path in the record, catalogue section, id) for every id a record uses."""
    refs: list[tuple[tuple[str | int, ...], str, str]] = []
    for section, fld, target in REFERENCES:
        for i, item in enumerate(getattr(person, section)):
            refs.append(((section, i, fld), target, str(getattr(item, fld))))
    for name in ("ethnicity", "gender", "disability"):
        value = getattr(person.protected, name)
        if value is not None:
            refs.append((("protected", name), "attributes", f"{name}={value}"))
    for name, value in person.attributes.items():
        refs.append((("attributes", name), "attributes", f"{name}={value}"))
    return refs


# --- running -----------------------------------------------------------------------------


def select_cases(cases: Iterable[Case], keyword: str | None) -> list[Case]:
    """The cases whose name contains ``keyword`` (ignoring case); all if it is empty."""
    if not keyword:
        return list(cases)
    folded = keyword.casefold()
    return [c for c in cases if folded in c.name.casefold()]


def run_case(case: Case, evaluator: Evaluator) -> CaseResult:
    """Decide the case's record as of its date and compare with what it expects."""
    try:
        decision = evaluator.decide(case.person, case.as_of, case.pathways)
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


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)
