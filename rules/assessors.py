"""Checking the assessors a record names: did each hold the qualification on the day?

A rule such as the work-based assessment gateway's "competency-based assessment with
two trained assessors" (002 rec 15-17) is written ``passed: X`` with ``assessors:
{at_least: 2, qualified: assessors.assessor_trained}``. The record names who assessed
(``assessors: [W1234, "Supt Hale"]``). For each named assessor:

- a person in the records counts if they held the qualified stage on the day of the
  assessment: the stage's *held* rule, as compiled for the engine, matched against
  the facts of *their* record as of that day;
- a name not in the records counts too, and the decision says it was not checked.

The engine never reads the store: the caller passes the records of the people a record
names (``Evaluator.decide(..., assessors={id: Person})``, which ``web`` and ``workforce``
fetch from the store), and names missing from that mapping are "not in the records".

>>> import datetime as dt
>>> from accreditation import Person
>>> from accreditation.record import AssessmentResult
>>> from pathways import SHIPPED_LIBRARY, load_library
>>> from rules.engine import compiled_for
>>> compiled = compiled_for(load_library([SHIPPED_LIBRARY]))
>>> trained = Person.model_validate({"id": "W1", "kind": "officer", "joined": "1999-01-04",
...     "ranks": [{"rank": "superintendent", "start": "2005-01-03"}],
...     "courses": [{"course": "promotion_assessor_training", "completed": "2007-06-01"}]})
>>> check = AssessorCheck(compiled, {"W1": trained})
>>> result = AssessmentResult(assessment="wba_competency_assessment",
...     date=dt.date(2008, 7, 1), assessors=["W1", "Supt Hale", "W1"])
>>> count, notes = check(result, "assessors.assessor_trained")
>>> count
2
>>> for note in notes: print(note)
W1 (held Trained promotion and selection assessor on 2008-07-01)
Supt Hale (not in the records: counted, not checked)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from accreditation.record import AssessmentResult, Person
from pathways.model.specs import ANY_ASSESSOR

from .compile import CompiledLibrary
from .facts import Vocabulary, build_facts
from .match import Rule, index_facts

__all__ = ["AssessorCheck", "Assessors"]

#: Records of people named as assessors, by id (warrant or staff number).
Assessors = Mapping[str, Person]


class AssessorCheck:
    """Counts a passed assessment's qualified assessors (see the module docstring)."""

    def __init__(
        self,
        compiled: CompiledLibrary,
        records: Assessors,
        vocabulary: Vocabulary | None = None,
    ):
        self.compiled = compiled
        self.records = records
        self._vocabulary = vocabulary or Vocabulary.of(compiled.library.catalogue)
        self._rules: dict[str, Rule | None] = {}
        self._held: dict[tuple[str, str, dt.date], bool] = {}

    def _rule(self, stage: str) -> Rule | None:
        if stage not in self._rules:
            found = self.compiled.stages.get(stage)
            name = found.held_rule if found is not None else None
            self._rules[stage] = Rule(name, self.compiled.definition[name]) if name else None
        return self._rules[stage]

    def held(self, person: Person, stage: str, day: dt.date) -> bool:
        """Whether ``person`` held ``stage`` (its award) on ``day``."""
        key = (person.id, stage, day)
        if key not in self._held:
            rule = self._rule(stage)
            if rule is None:
                self._held[key] = False
            else:
                sheet = build_facts(
                    person, day, self.compiled.library.catalogue, person.id, self._vocabulary
                )
                self._held[key] = rule.match(index_facts(sheet.facts)) is not None
        return self._held[key]

    def __call__(self, result: AssessmentResult, qualified: str) -> tuple[int, list[str]]:
        count = 0
        notes: list[str] = []
        stage_name = self._stage_name(qualified)
        for name in dict.fromkeys(result.assessors):
            person = self.records.get(name)
            if qualified == ANY_ASSESSOR:
                count += 1
                notes.append(name)
            elif person is None:
                count += 1
                notes.append(f"{name} (not in the records: counted, not checked)")
            elif self.held(person, qualified, result.date):
                count += 1
                notes.append(f"{name} (held {stage_name} on {result.date})")
            else:
                notes.append(f"{name} (did not hold {stage_name} on {result.date}: not counted)")
        return count, notes

    def _stage_name(self, key: str) -> str:
        pathway, _, stage = key.partition(".")
        found = self.compiled.library.stage(pathway, stage)
        return found.name if found is not None else key
