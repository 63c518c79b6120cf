"""Records to check: stages held on their award alone, while the record does not show
the stage's own requirements (an intelligence analyst post, and no analyst training).

The stage stays held: what a stage awards is what holding it means, and the record says
the person has it. But a requirement the record shows was never met (a course not
completed, an exam not passed, a programme not finished, a stage with such an award never
reached) means the record is incomplete, or the award was made outside the rules; HR
should look. Requirements that could have held when the award was made and do not today
(time served, a rank, a posting, anything that lapses or expires, a rule with an
effective window) are given the benefit of the doubt (see
:meth:`rules.evaluate.StageEvaluator.not_shown`).

>>> import datetime as dt
>>> from accreditation import Person
>>> from pathways import SHIPPED_LIBRARY, load_library
>>> from rules.batch import BatchEvaluator
>>> batch = BatchEvaluator(load_library([SHIPPED_LIBRARY]))
>>> analyst = Person.model_validate({"id": "S1", "kind": "staff", "joined": "2018-01-01",
...     "bands": [{"band": "band_d", "start": "2018-01-01"}],
...     "postings": [
...         {"role": "researcher", "business_group": "specialist_crime",
...          "start": "2018-01-01", "end": "2019-12-31"},
...         {"role": "intelligence_analyst", "business_group": "specialist_crime",
...          "start": "2020-01-01"}]})
>>> (found,) = held_not_shown(batch, analyst, dt.date(2024, 6, 1))
>>> found.stage, found.not_shown[0][:40]
('intelligence_analyst', 'Completed intelligence analysis training')
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from accreditation.record import Person
from rules.batch import BatchEvaluator
from rules.evaluate import StageEvaluator
from rules.facts import build_facts
from store import Store

__all__ = ["DataQualityReport", "HeldNotShown", "held_not_shown", "scan"]


@dataclass(frozen=True)
class HeldNotShown:
    """One stage one person holds on its award alone, and what the record does not show."""

    person: str
    name: str | None
    pathway: str
    stage: str
    stage_name: str
    not_shown: tuple[str, ...]


@dataclass
class DataQualityReport:
    """Records checked (in id order), and the stages held on their award alone."""

    as_of: dt.date
    library_version: str
    checked: int = 0
    first: str | None = None  # the first and last id checked
    last: str | None = None
    complete: bool = True  # False: stopped at the limit; go on after ``last``
    findings: list[HeldNotShown] = field(default_factory=list)

    def people(self) -> int:
        return len({f.person for f in self.findings})

    def by_stage(self) -> list[tuple[str, str, str, int]]:
        """(pathway, stage, stage name, people) with the most people first."""
        names = {(f.pathway, f.stage): f.stage_name for f in self.findings}
        counts = Counter((f.pathway, f.stage) for f in self.findings)
        return [(p, s, names[(p, s)], n) for (p, s), n in counts.most_common()]


def held_not_shown(batch: BatchEvaluator, person: Person, as_of: dt.date) -> list[HeldNotShown]:
    """Every stage ``person`` holds on ``as_of`` whose requirements the record shows were
    never met, in library order."""
    sheet = build_facts(person, as_of, batch.library.catalogue, person.id, batch.vocabulary)
    evaluator = StageEvaluator(batch.compiled, sheet, batch.firings(sheet), batch.words)
    out = []
    for key, plan in batch.plans.items():
        if key not in evaluator.firings.held or not plan.stage.in_force(as_of):
            continue
        missing = evaluator.not_shown(plan)
        if missing:
            out.append(
                HeldNotShown(
                    person.id,
                    person.name,
                    plan.pathway.id,
                    plan.stage.id,
                    plan.stage.name,
                    tuple(missing),
                )
            )
    return out


def scan(
    people: Store | Iterable[Person],
    batch: BatchEvaluator,
    as_of: dt.date,
    after: str = "",
    limit: int | None = None,
    stage: str | None = None,
) -> DataQualityReport:
    """Check records in id order after ``after`` (at most ``limit`` of them), keeping the
    findings for ``stage`` (``pathway.stage``) only, if given.

    Raises:
        KeyError: if ``stage`` is not a stage of the library.
    """
    if stage is not None and stage not in batch.plans:
        raise KeyError(stage)
    report = DataQualityReport(as_of, batch.library.digest)
    records = people.iter_people(after=after) if isinstance(people, Store) else people
    for person in records:
        if limit is not None and report.checked >= limit:
            report.complete = False
            break
        report.checked += 1
        report.first = report.first or person.id
        report.last = person.id
        found = held_not_shown(batch, person, as_of)
        report.findings += [f for f in found if stage is None or f"{f.pathway}.{f.stage}" == stage]
    return report
