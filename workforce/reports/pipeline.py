"""Succession pipeline: for a target stage, who holds it, who is eligible now, and who
becomes eligible within 6 and 12 months, per business group.

>>> import datetime as dt
>>> from workforce.population import STATUSES, PersonResult, PopulationRun
>>> from rules.decision import Status
>>> keys = ("promotion.superintendent",)
>>> def p(pid, status, group, when=None):
...     dates = {0: (when, None)} if when else {}
...     return PersonResult(pid, "officer", group, "chief_inspector", None, None, keys,
...                         bytes([STATUSES.index(status)]), dates)
>>> run = PopulationRun("v" * 64, dt.date(2024, 6, 1), [
...     p("W1", Status.HELD, "tp"), p("W2", Status.ELIGIBLE, "tp"),
...     p("W3", Status.ELIGIBLE_FROM, "so", dt.date(2024, 10, 1)),
...     p("W4", Status.ELIGIBLE_FROM, "so", dt.date(2025, 3, 1))])
>>> report = pipeline(run, "promotion.superintendent")
>>> [(r.group, r.held, r.eligible, r.within_6, r.within_12) for r in report.rows]
[('so', 0, 0, 1, 2), ('tp', 1, 1, 0, 0)]
>>> report.total.within_12, report.total.people["within_12"]
(2, ['W3', 'W4'])
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from accreditation.periods import add_months
from workforce.population import PopulationRun

__all__ = ["CATEGORIES", "Pipeline", "PipelineRow", "pipeline"]

#: The pipeline's columns, in order: a person is counted in the first that applies.
CATEGORIES = ("held", "eligible", "within_6", "within_12")


@dataclass
class PipelineRow:
    group: str
    held: int = 0
    eligible: int = 0
    within_6: int = 0  # eligible from a date within 6 months (not eligible now)
    within_12: int = 0  # within 12 months (includes within_6)
    people: dict[str, list[str]] = field(default_factory=lambda: {c: [] for c in CATEGORIES})


@dataclass
class Pipeline:
    target: str  # "pathway.stage"
    as_of: dt.date
    library_version: str
    rows: list[PipelineRow]
    total: PipelineRow


def pipeline(run: PopulationRun, target: str) -> Pipeline:
    """The pipeline for ``target`` (``pathway.stage``) in ``run``.

    Raises:
        KeyError: if the run did not decide ``target``.
    """
    if run.people and target not in run.people[0].keys:
        raise KeyError(target)
    six, twelve = add_months(run.as_of, 6), add_months(run.as_of, 12)
    rows: dict[str, PipelineRow] = {}
    total = PipelineRow("all")
    for person in run.people:
        status = person.status_of(target)
        group = person.business_group or "(no posting)"
        row = rows.setdefault(group, PipelineRow(group))
        found: list[str] = []
        if status in ("held", "eligible"):
            found = [status]
        elif status == "eligible_from":
            when = person.eligible_from(target)
            if when is not None and when <= twelve:
                found = ["within_12"] + (["within_6"] if when <= six else [])
        for category in found:
            for r in (row, total):
                setattr(r, category, getattr(r, category) + 1)
                r.people[category].append(person.person)
    return Pipeline(target, run.as_of, run.library_version, [rows[g] for g in sorted(rows)], total)
