"""Equality monitoring: every stage's rate (held or eligible) by ethnicity or gender, with
adverse-impact ratios, Fisher's exact test and small-number suppression; trends across
dates; and projections in the style of the MPA papers ("about ten BME superintendents
by 2012 without the programme, about 21 with it", 001 para 13).

>>> import datetime as dt
>>> from workforce.population import STATUSES, PersonResult, PopulationRun
>>> from rules.decision import Status
>>> keys = ("pip.level_1",)
>>> def p(i, status, ethnicity):
...     return PersonResult(f"W{i}", "officer", "tp", "constable", ethnicity, None, keys,
...                         bytes([STATUSES.index(status)]))
>>> people = ([p(i, Status.ELIGIBLE, "white") for i in range(40)]
...           + [p(i, Status.NOT_ELIGIBLE, "white") for i in range(40, 100)]
...           + [p(i, Status.HELD, "black") for i in range(100, 106)]
...           + [p(i, Status.NOT_ELIGIBLE, "black") for i in range(106, 120)])
>>> run = PopulationRun("v" * 64, dt.date(2024, 6, 1), people)
>>> [(r.group, r.rate, r.air, r.flag) for r in monitor(run, "ethnicity")[0].groups]
[('white', 0.4, 1.0, False), ('black', 0.3, 0.75, True)]
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from workforce.fairness import GroupRate, group_rates
from workforce.population import NOT_DECIDED, STATUSES, PopulationRun

__all__ = [
    "BME",
    "Projection",
    "StageEquality",
    "monitor",
    "project",
    "trend",
]

HAS = ("held", "eligible")
#: Black and minority ethnic groups, in the catalogue's ethnicity values.
BME = frozenset({"mixed", "asian", "black", "chinese", "other"})
NOT_RECORDED = "not recorded"


@dataclass
class StageEquality:
    stage: str
    characteristic: str
    groups: list[GroupRate]

    @property
    def flagged(self) -> list[str]:
        return [g.group for g in self.groups if g.flag]


def monitor(
    run: PopulationRun, by: str = "ethnicity", pathway: str | None = None
) -> list[StageEquality]:
    """For each stage (of ``pathway``, or all), the rate of people who hold it or are
    eligible, by ``by`` (``ethnicity`` or ``gender``).

    Raises:
        ValueError: if ``by`` is not ``ethnicity`` or ``gender``.
    """
    if by not in ("ethnicity", "gender"):
        raise ValueError(f"equality monitoring is by 'ethnicity' or 'gender', not '{by}'")
    if not run.people:
        return []
    keys = [k for k in run.people[0].keys if pathway is None or k.split(".")[0] == pathway]
    totals: Counter[str] = Counter()
    selected: dict[str, Counter[str]] = {k: Counter() for k in keys}
    index = {k: run.people[0].keys.index(k) for k in keys}
    has_codes = {STATUSES.index(s) for s in STATUSES if s.value in HAS}
    for person in run.people:
        group = getattr(person, by) or NOT_RECORDED
        totals[group] += 1
        for key, i in index.items():
            code = person.codes[i]
            if code != NOT_DECIDED and code in has_codes:
                selected[key][group] += 1
    order = sorted(totals, key=lambda g: (-totals[g], g))
    return [
        StageEquality(key, by, group_rates({g: (selected[key][g], totals[g]) for g in order}))
        for key in keys
    ]


def trend(
    runs: list[PopulationRun], stage: str, by: str = "ethnicity"
) -> dict[str, list[GroupRate]]:
    """One stage's group rates on each run's date, keyed by ISO date (oldest first)."""
    out: dict[str, list[GroupRate]] = {}
    for run in sorted(runs, key=lambda r: r.as_of):
        found = [s for s in monitor(run, by, stage.split(".")[0]) if s.stage == stage]
        out[run.as_of.isoformat()] = found[0].groups if found else []
    return out


@dataclass
class Projection:
    """How many BME people will hold a stage by a date, with and without a programme."""

    stage: str
    as_of: dt.date
    by: dt.date
    held_now: int  # BME people who hold the stage now
    pipeline: int  # BME people eligible now or by the date
    in_programme: int  # of those, members of the programme
    conversion: float  # share of a pipeline that goes on to hold the stage
    uplift: float  # how much more likely a programme member is to convert
    without: int
    with_programme: int
    assumptions: list[str]


def project(
    run: PopulationRun,
    stage: str,
    by: dt.date,
    programme: str = "positive_action.equip_to_achieve",
    uplift: float = 2.0,
) -> Projection:
    """Project BME holders of ``stage`` by ``by``: those who hold it now, plus the BME
    pipeline (eligible now, or eligible from a date up to ``by``) times a conversion rate
    taken from the whole workforce now (holders / (holders + eligible)); with the
    programme, its members convert ``uplift`` times as often (capped at 1).

    Raises:
        KeyError: if the run did not decide ``stage``.
    """
    if run.people and stage not in run.people[0].keys:
        raise KeyError(stage)
    held_all = eligible_all = 0
    held = pipe = members = 0
    for person in run.people:
        status = person.status_of(stage)
        in_pipe = status == "eligible" or (
            status == "eligible_from" and (person.eligible_from(stage) or dt.date.max) <= by
        )
        held_all += status == "held"
        eligible_all += status == "eligible"
        if person.ethnicity in BME:
            held += status == "held"
            if in_pipe:
                pipe += 1
                members += person.status_of(programme) == "held"
    conversion = held_all / (held_all + eligible_all) if held_all + eligible_all else 0.0
    boosted = min(1.0, conversion * uplift)
    without = held + round(pipe * conversion)
    with_programme = held + round((pipe - members) * conversion + members * boosted)
    return Projection(
        stage,
        run.as_of,
        by,
        held,
        pipe,
        members,
        round(conversion, 4),
        uplift,
        without,
        with_programme,
        [
            f"BME means the ethnicity groups {', '.join(sorted(BME))}.",
            f"The pipeline is BME people eligible for {stage} now, or eligible from a date "
            f"up to {by} if nothing else changes.",
            f"Conversion: of everyone who holds or is eligible for {stage} now, "
            f"{conversion:.0%} hold it; the pipeline is assumed to convert at that rate.",
            f"With the programme: members of {programme} convert {uplift:g} times as often "
            "(capped at 100%); without it, at the same rate as everyone.",
            "No one leaves and no one new joins the pipeline: a projection, not a forecast.",
        ],
    )
