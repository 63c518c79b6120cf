"""The impact of a rule change: who gains and who loses eligibility, and whether a change
falls harder on some ethnic groups or genders than on others.

Two population runs of the same people on the same date, one per library version, are
compared stage by stage. A person *has* a stage when it is held or eligible now; a
*gain* is a stage they have under the new rules and not under the old, a *loss* the
reverse. The equality table of a changed stage gives, for each ethnicity and gender,
the rate of people who have it before and after, the adverse-impact ratio after the
change against the highest-rate group (four-fifths rule) and Fisher's exact p-value,
suppressing any count under 5.

>>> import datetime as dt
>>> from workforce.population import STATUSES
>>> from rules.decision import Status
>>> def person(pid, old, new, group="met"):
...     return tuple(PersonResult(pid, "officer", group, "constable", "white", "female",
...                               ("p.s",), bytes([STATUSES.index(s)])) for s in (old, new))
>>> pairs = [person("W1", Status.ELIGIBLE, Status.NOT_ELIGIBLE),
...          person("W2", Status.NOT_ELIGIBLE, Status.ELIGIBLE),
...          person("W3", Status.HELD, Status.HELD)]
>>> old = PopulationRun("a" * 64, dt.date(2010, 4, 1), [p[0] for p in pairs])
>>> new = PopulationRun("b" * 64, dt.date(2010, 4, 1), [p[1] for p in pairs])
>>> [(s.stage, s.gained, s.lost) for s in impact(old, new).stages]
[('p.s', ['W2'], ['W1'])]
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from pathways.model.library import Library
from pathways.model.requirements import BaseRequirement, ReachedRequirement

from .fairness import GroupRate, group_rates
from .population import PersonResult, PopulationRun

__all__ = ["EqualityTable", "ImpactReport", "StageImpact", "changed_pathways", "impact"]

HAS = ("held", "eligible")
EXAMPLES = 5


@dataclass
class EqualityTable:
    """One characteristic's groups for one stage, before and after the change."""

    characteristic: str  # "ethnicity" or "gender"
    before: list[GroupRate]
    after: list[GroupRate]
    lost: dict[str, int]
    gained: dict[str, int]


@dataclass
class StageImpact:
    stage: str  # "pathway.stage"
    before: int  # people who have it under the old rules
    after: int
    gained: list[str] = field(default_factory=list)  # person ids
    lost: list[str] = field(default_factory=list)
    by_business_group: dict[str, tuple[int, int]] = field(default_factory=dict)  # (gained, lost)
    equality: list[EqualityTable] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.gained or self.lost)


@dataclass
class ImpactReport:
    old_version: str
    new_version: str
    as_of: dt.date
    people: int
    stages: list[StageImpact]

    @property
    def changed(self) -> list[StageImpact]:
        return [s for s in self.stages if s.changed]


def _has(result: PersonResult, key: str) -> bool:
    return result.status_of(key) in HAS


def impact(old: PopulationRun, new: PopulationRun) -> ImpactReport:
    """Compare two runs of the same workforce on the same date; only stages that change
    for someone are listed.

    Raises:
        ValueError: if the runs are of different dates or different people.
    """
    if old.as_of != new.as_of:
        raise ValueError(f"the runs are of different dates ({old.as_of} and {new.as_of})")
    before = {p.person: p for p in old.people}
    after = {p.person: p for p in new.people}
    if before.keys() != after.keys():
        raise ValueError("the runs are not of the same people: run both on the same store")
    keys = sorted({k for p in (*old.people[:1], *new.people[:1]) for k in p.keys})
    stages = []
    for key in keys:
        gained = [pid for pid in before if not _has(before[pid], key) and _has(after[pid], key)]
        lost = [pid for pid in before if _has(before[pid], key) and not _has(after[pid], key)]
        if not gained and not lost:
            continue
        groups: Counter[tuple[str, str]] = Counter()
        for pid in gained:
            groups[(before[pid].business_group or "(no posting)", "gained")] += 1
        for pid in lost:
            groups[(before[pid].business_group or "(no posting)", "lost")] += 1
        stage = StageImpact(
            stage=key,
            before=sum(_has(p, key) for p in before.values()),
            after=sum(_has(p, key) for p in after.values()),
            gained=gained,
            lost=lost,
            by_business_group={
                g: (groups[(g, "gained")], groups[(g, "lost")])
                for g in sorted({g for g, _ in groups})
            },
        )
        stage.equality = [
            _equality(characteristic, key, before, after, set(gained), set(lost))
            for characteristic in ("ethnicity", "gender")
        ]
        stages.append(stage)
    return ImpactReport(old.library_version, new.library_version, old.as_of, len(before), stages)


def _equality(
    characteristic: str,
    key: str,
    before: dict[str, PersonResult],
    after: dict[str, PersonResult],
    gained: set[str],
    lost: set[str],
) -> EqualityTable:
    totals: Counter[str] = Counter()
    had: Counter[str] = Counter()
    has: Counter[str] = Counter()
    lost_by: Counter[str] = Counter()
    gained_by: Counter[str] = Counter()
    for pid, old in before.items():
        group = getattr(old, characteristic) or "not recorded"
        totals[group] += 1
        had[group] += _has(old, key)
        has[group] += _has(after[pid], key)
        lost_by[group] += pid in lost
        gained_by[group] += pid in gained
    order = sorted(totals, key=lambda g: (-totals[g], g))
    return EqualityTable(
        characteristic,
        group_rates({g: (had[g], totals[g]) for g in order}),
        group_rates({g: (has[g], totals[g]) for g in order}),
        {g: lost_by[g] for g in order},
        {g: gained_by[g] for g in order},
    )


def changed_pathways(old: Library, new: Library) -> list[str]:
    """Pathways whose rules differ, and those that refer to them (``reached``), in order."""
    if old.catalogue.model_dump() != new.catalogue.model_dump():
        return sorted(set(old.pathways) | set(new.pathways))
    ids = sorted(set(old.pathways) | set(new.pathways))
    changed = {
        pid
        for pid in ids
        if pid not in old.pathways
        or pid not in new.pathways
        or old.pathways[pid].model_dump() != new.pathways[pid].model_dump()
    }
    grew = True
    while grew:  # pathways whose stages are 'reached' from a changed one change too
        grew = False
        for lib in (old, new):
            for pathway, stage in lib.stages():
                if pathway.id in changed:
                    continue
                if any(
                    t.target(pathway.id)[0] in changed for r in stage.requires for t in _reached(r)
                ):
                    changed.add(pathway.id)
                    grew = True
    return sorted(changed)


def _reached(req: BaseRequirement) -> list[ReachedRequirement]:
    if isinstance(req, ReachedRequirement):
        return [req]
    return [r for c in req.children() for r in _reached(c)]
