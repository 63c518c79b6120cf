"""Reading case files: each case checked against the library, every problem located.

A case with a problem (an unknown key, a bad date, an unknown pathway, stage or catalogue
id) is left out and its problems returned; the other cases of the file still load.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from accreditation.record import Person
from pathways.model.library import Library
from pathways.problems import Problem, describe_value
from pathways.suggest import did_you_mean
from pathways.yamlsource import YamlDocument, read_yaml_file

from .expectations import read_expectations, read_steps
from .model import CASE_KEYS, Case
from .obligations import read_obligations
from .reader import CaseReader, display_path
from .records import read_person, validate_record

__all__ = ["collect_case_files", "load_cases", "parse_case", "parse_cases"]


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
        doc = read_yaml_file(path, display_path(path))
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
        reader = CaseReader(doc, library, base, index)
        case = parse_case(reader, raw)
        problems.extend(reader.problems)
        if case is not None and not reader.problems:
            cases.append(case)
    return cases, problems


def parse_case(r: CaseReader, raw: Any) -> Case | None:
    """The case ``r`` reads, or None (with its problems in ``r.problems``)."""
    if not isinstance(raw, dict):
        r.problem(
            r.at(),
            "wrong-type",
            f"a case should be a mapping of 'key: value' lines, not {describe_value(raw)}",
            hint="start each case with '- name: ...' and indent its other keys under 'name'",
        )
        return None
    r.unknown_keys(raw, CASE_KEYS)
    for required in ("name", "as_of", "expect"):
        if required == "expect" and "obligations" in raw:
            continue  # a case about obligations alone
        if required not in raw:
            r.problem(
                r.at(),
                "missing-field",
                f"missing required field '{required}' in a case",
                hint=f"add '{required}: ...' to the case",
            )
    name = r.text(raw["name"], "name") if "name" in raw else None
    as_of = r.date(raw["as_of"], "as_of") if "as_of" in raw else None
    description = r.text(raw["description"], "description") if "description" in raw else None
    xfail = r.text(raw["xfail"], "xfail") if "xfail" in raw else None
    pathways = _pathways(r, raw["pathways"]) if "pathways" in raw else None
    person = read_person(r, raw)
    assessors = _assessor_records(r, raw.get("assessors"))
    expect = read_expectations(r, raw["expect"], pathways) if "expect" in raw else ()
    obligations = read_obligations(r, raw["obligations"]) if "obligations" in raw else ()
    steps = read_steps(r, raw.get("next_steps"), "next_steps")
    not_steps = read_steps(r, raw.get("not_next_steps"), "not_next_steps")
    if name is None or as_of is None or person is None or r.problems:
        return None
    return Case(
        name=name,
        file=r.doc.file,
        line=r.at().line,
        as_of=as_of,
        person=person,
        expect=expect,
        next_steps=steps,
        not_next_steps=not_steps,
        pathways=pathways,
        xfail=xfail,
        description=description,
        assessors=assessors,
        obligations=obligations,
    )


def _assessor_records(r: CaseReader, value: Any) -> tuple[Person, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        r.problem(
            r.at("assessors"),
            "wrong-type",
            f"'assessors' should be a list of records, not {describe_value(value)}",
            hint="write each assessor's record as an item: '- {id: W1, kind: officer, ...}'",
        )
        return ()
    found = [
        validate_record(r, item, r.doc, (r.index, "assessors", i)) for i, item in enumerate(value)
    ]
    return tuple(p for p in found if p is not None)


def _pathways(r: CaseReader, value: Any) -> tuple[str, ...] | None:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not items:
        r.problem(
            r.at("pathways"),
            "wrong-type",
            f"'pathways' should be a list of pathway ids, not {describe_value(value)}",
            hint="write pathways: [pip, detective]",
        )
        return None
    known = list(r.library.pathways)
    out = []
    for i, pid in enumerate(items):
        if str(pid) not in r.library.pathways:
            r.problem(
                r.at("pathways", i),
                "unknown-reference",
                f"unknown pathway '{pid}'",
                suggestion=did_you_mean(str(pid), known),
                hint="pathways in this library: " + ", ".join(known),
            )
        out.append(str(pid))
    return tuple(out)
