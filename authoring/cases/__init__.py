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
``expect`` (required, unless ``obligations`` is given)
    ``pathway.stage: STATUS``, or a mapping with ``status``, ``eligible_from``,
    ``lapsed_on`` (dates; either implies its status) and ``requirements``:
    ``{PATH-or-ID: met | unmet | not_in_force}``, where PATH is a requirement's
    place in the stage (``requires[1]``, ``requires[0].any_of[1]``; quote it inside
    ``{...}``) and ID a requirement ``id``. STATUS is one of ``held``, ``eligible``,
    ``eligible_from``, ``lapsed``, ``not_eligible``, or ``not_in_force`` (the stage
    is not in force on that day, so no decision is made for it).
``obligations`` (optional)
    ``pathway.obligation: STATUS``, or a mapping with ``status`` and the dates
    ``due_by``, ``met_until``, ``act_by``. STATUS is ``met``, ``due``, ``overdue``
    or ``not_applicable`` (the obligation does not apply to the person that day).
``next_steps`` / ``not_next_steps`` (optional)
    Phrases that must (must not) appear in some next step's text; an item may
    also be a mapping ``{text: ..., stage: pathway.stage, due: DATE}``.
``pathways`` (optional)
    Decide only these pathways (their next steps only).
``assessors`` (optional)
    Records of other people (a list, each like ``record``): the people the record names
    as assessors who are "in the records". An assessor named in the record but not here
    counts unchecked (see ``rules.assessors``).
``xfail`` (optional)
    Why the case is expected to fail (a known engine or library problem). A case
    marked ``xfail`` that passes is a failure, like pytest's strict xfail.
``description`` (optional)
    Longer notes.

Run them with ``pathways test`` (one PASS/FAIL line per case, then the differences), or
with pytest: ``pytest pathways/library_tests`` collects every case as a test item (the
plugin :mod:`authoring.cases.plugin`, loaded by ``-p`` in pyproject.toml's pytest options).

The package: :mod:`.model` (cases and results), :mod:`.parsing` with :mod:`.reader`,
:mod:`.records`, :mod:`.expectations` and :mod:`.obligations` (reading case files, every
problem located), :mod:`.running` (deciding and comparing), :mod:`.plugin` (pytest).

>>> from pathways import SHIPPED_LIBRARY, load_library
>>> from rules.engine import Evaluator
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

from .model import (
    CASE_KEYS,
    NOT_IN_FORCE,
    SHIPPED_CASES,
    STATUSES,
    Case,
    CaseReport,
    CaseResult,
    Outcome,
    StageExpectation,
    StepExpectation,
)
from .parsing import collect_case_files, load_cases, parse_cases
from .running import check_decision, load_case_library, run_case, run_cases, select_cases

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
    "load_case_library",
    "load_cases",
    "parse_cases",
    "run_case",
    "run_cases",
    "select_cases",
]
