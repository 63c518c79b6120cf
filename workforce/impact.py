"""The impact of a rule change: who gains and who loses eligibility, and whether a change
falls harder on some groups (ethnicity, gender, disability) than on others.

Two population runs of the same people on the same date, one per library version, are
compared stage by stage. A person *has* a stage when it is held or eligible now; a
*gain* is a stage they have under the new rules and not under the old, a *loss* the
reverse. A stage in both versions is compared like for like; a stage only in the new
version (a new pathway or stage) can only be gained, one only in the old version only
lost; a renamed pathway or stage is one removed and one added.

Each changed stage has an equality table per characteristic over the stage's pool (the
people its pool holds under either version, and everyone who gains or loses it; see
:mod:`workforce.reports.pools`): people, who has it before and after, who loses and who
gains, the rates before and after, the ratio of each group's rate after the change to
the reference group's, the four-fifths flag and Fisher's exact p-value. Counts are
hidden so that none can be worked out from the others, before and after included
(:mod:`workforce.reports.tables`).

>>> import datetime as dt
>>> from pathways import SHIPPED_LIBRARY, load_library
>>> from workforce.population import STATUSES
>>> from rules.decision import Status
>>> keys = ("promotion.constable",)
>>> def person(pid, old, new):
...     return tuple(PersonResult(pid, "officer", "met", "constable", "white", "female",
...                               keys, bytes([STATUSES.index(s)])) for s in (old, new))
>>> pairs = [person("W1", Status.ELIGIBLE, Status.NOT_ELIGIBLE),
...          person("W2", Status.NOT_ELIGIBLE, Status.ELIGIBLE),
...          person("W3", Status.HELD, Status.HELD)]
>>> old = PopulationRun("a" * 64, dt.date(2010, 4, 1), [p[0] for p in pairs], keys=keys)
>>> new = PopulationRun("b" * 64, dt.date(2010, 4, 1), [p[1] for p in pairs], keys=keys)
>>> library = load_library([SHIPPED_LIBRARY])
>>> [(s.stage, s.change, s.gained, s.lost) for s in impact(old, new, library, library).stages]
[('promotion.constable', 'changed', ['W2'], ['W1'])]
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from pathways.model.library import Library
from pathways.model.requirements import (
    ReachedRequirement,
    Requirement,
)
from pathways.model.tree import leaves, stage_reference

from .fairness import RateRow, choose_reference, compare
from .population import NOT_DECIDED, STATUSES, PersonResult, PopulationRun
from .reports.equality import WITHHELD
from .reports.groups import Atom, Group, atom_of
from .reports.pools import Members, stage_pool
from .reports.tables import IMPACT, Row, publish

__all__ = [
    "CHARACTERISTICS",
    "EqualityTable",
    "ImpactGroup",
    "ImpactReport",
    "StageImpact",
    "changed_pathways",
    "impact",
]

HAS = ("held", "eligible")
_HAS_CODES = frozenset(STATUSES.index(s) for s in STATUSES if s.value in HAS)
#: The equality tables of an impact (protected together).
CHARACTERISTICS = ("ethnicity", "gender", "disability")


@dataclass(frozen=True)
class ImpactGroup:
    """One group's row: counts (None: hidden), rates, and the comparison after."""

    group: Group
    people: int | None
    before: int | None
    after: int | None
    lost: int | None
    gained: int | None
    rate_before: float | None
    rate_after: float | None
    ratio_before: float | None  # to the reference's rate before
    ratio_after: float | None  # to the reference's rate after
    flag: bool  # after the change, a stated group under four fifths of the reference
    p_value: float | None  # Fisher's exact test after, the group against the reference
    reference: bool
    closed: bool  # admitted by design to neither version (positive action)


@dataclass(frozen=True)
class EqualityTable:
    characteristic: str
    rows: list[ImpactGroup]
    reference: str | None
    reference_note: str
    withheld: bool = False  # no table: it would give someone away whatever is hidden


@dataclass
class StageImpact:
    stage: str  # "pathway.stage"
    name: str  # in words
    change: str  # "changed" (in both versions), "added" (new only), "removed" (old only)
    before: int | None  # people who have it under the old rules (None: not in them)
    after: int | None
    gained: list[str] = field(default_factory=list)  # person ids
    lost: list[str] = field(default_factory=list)
    by_business_group: dict[str, tuple[int, int]] = field(default_factory=dict)  # (gain, lose)
    pool: str = ""  # the equality tables' pool, in words
    positive_action: bool = False
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

    @property
    def added(self) -> list[str]:
        return [s.stage for s in self.stages if s.change == "added"]

    @property
    def removed(self) -> list[str]:
        return [s.stage for s in self.stages if s.change == "removed"]


def _keys(run: PopulationRun) -> tuple[str, ...]:
    return run.keys or (run.people[0].keys if run.people else ())


def _has(result: PersonResult, at: int | None) -> bool:
    if at is None:
        return False
    code = result.codes[at]
    return code != NOT_DECIDED and code in _HAS_CODES


def _stage_keys(library: Library) -> set[str]:
    return {f"{p.id}.{s.id}" for p, s in library.stages()}


def impact(
    old: PopulationRun,
    new: PopulationRun,
    old_library: Library,
    new_library: Library,
    reference: str | None = None,
) -> ImpactReport:
    """Compare two runs of the same workforce on the same date, one with each library;
    every stage either run decided is listed (``changed`` keeps those someone gains or
    loses). ``reference`` is a group id (``white``) for the table that has it.

    Raises:
        ValueError: if the runs are of different dates or people, or a stage of both
            versions was decided in one run only (decide the same pathways in both).
    """
    if old.as_of != new.as_of:
        raise ValueError(f"the runs are of different dates ({old.as_of} and {new.as_of})")
    before = {p.person: p for p in old.people}
    after = {p.person: p for p in new.people}
    if before.keys() != after.keys():
        raise ValueError("the runs are not of the same people: run both on the same store")
    old_keys, new_keys = _keys(old), _keys(new)
    in_old, in_new = _stage_keys(old_library), _stage_keys(new_library)
    for key in set(old_keys) ^ set(new_keys):
        if key in in_old and key in in_new:
            raise ValueError(
                f"'{key}' is in both versions but was decided in one run only: "
                "decide the same pathways in both runs"
            )
    keys = [*old_keys, *(k for k in new_keys if k not in old_keys)]
    atoms = sorted({atom_of(p.ethnicity, p.gender, p.disability) for p in old.people})
    stages = []
    for key in keys:
        at_old = old_keys.index(key) if key in old_keys else None
        at_new = new_keys.index(key) if key in new_keys else None
        change = (
            "changed"
            if at_old is not None and at_new is not None
            else ("added" if at_new is not None else "removed")
        )
        gained = [p for p in before if not _has(before[p], at_old) and _has(after[p], at_new)]
        lost = [p for p in before if _has(before[p], at_old) and not _has(after[p], at_new)]
        groups: Counter[tuple[str, str]] = Counter()
        for pid in gained:
            groups[(before[pid].business_group or "(no posting)", "gained")] += 1
        for pid in lost:
            groups[(before[pid].business_group or "(no posting)", "lost")] += 1
        library = new_library if at_new is not None else old_library
        stage = StageImpact(
            stage=key,
            name=_name(library, key),
            change=change,
            before=None if at_old is None else sum(_has(p, at_old) for p in before.values()),
            after=None if at_new is None else sum(_has(p, at_new) for p in after.values()),
            gained=gained,
            lost=lost,
            by_business_group={
                g: (groups[(g, "gained")], groups[(g, "lost")])
                for g in sorted({g for g, _ in groups})
            },
        )
        if stage.changed:
            _equality(
                stage, (old, new), (old_library, new_library), (at_old, at_new), atoms, reference
            )
        stages.append(stage)
    return ImpactReport(old.library_version, new.library_version, old.as_of, len(before), stages)


def _name(library: Library, key: str) -> str:
    pathway_id, _, stage_id = key.partition(".")
    stage = library.stage(pathway_id, stage_id)
    return key if stage is None else f"{stage.name} ({library.pathways[pathway_id].name})"


def _equality(
    stage: StageImpact,
    runs: tuple[PopulationRun, PopulationRun],
    libraries: tuple[Library, Library],
    at: tuple[int | None, int | None],
    atoms: list[Atom],
    reference: str | None,
) -> None:
    """Fill in the stage's pool and its equality tables, protected together."""
    day = runs[0].as_of
    tests = []
    pools = []
    for run, library, index in zip(runs, libraries, at, strict=True):
        if index is None:
            continue
        pool = stage_pool(library, stage.stage, day, _keys(run))
        pools.append(pool)
        tests.append((Members(pool, _keys(run), day), {p.person: p for p in run.people}))
    stage.pool = " or ".join(dict.fromkeys(p.words for p in pools))
    stage.positive_action = any(p.positive_action for p in pools)
    changed = set(stage.gained) | set(stage.lost)
    new_by_id = {p.person: p for p in runs[1].people}
    people = []
    for person in runs[0].people:
        pid = person.person
        if pid not in changed and not any(test(found[pid]) for test, found in tests):
            continue
        had, has = _has(person, at[0]), _has(new_by_id[pid], at[1])
        category = {(True, True): "kept", (True, False): "lost", (False, True): "gained"}.get(
            (had, has), "neither"
        )
        people.append((atom_of(person.ethnicity, person.gender, person.disability), category))
    # the stage's total gains and losses are printed above its tables
    tables = publish(people, atoms, CHARACTERISTICS, IMPACT, public=("lost", "gained"))
    open_by_design = pools[-1]  # the version the stage is in after the change, else before
    for characteristic in CHARACTERISTICS:
        rows = tables[characteristic].rows
        closed = {
            r.group.id: bool(members) and not any(open_by_design.open_to(a) for a in members)
            for r in rows
            for members in [[a for a in atoms if r.group.contains(a)]]
        }

        wanted = reference if any(r.group.id == reference for r in rows) else None
        after_rates, before_rates = _rates(rows, "after", closed), _rates(rows, "before", closed)
        ref, note = choose_reference(after_rates, wanted) if rows else (None, WITHHELD)
        after_cmp, before_cmp = compare(after_rates, ref), compare(before_rates, ref)
        stage.equality.append(
            EqualityTable(
                characteristic,
                [
                    ImpactGroup(
                        r.group,
                        r.count("people"),
                        r.count("before"),
                        r.count("after"),
                        r.count("lost"),
                        r.count("gained"),
                        b.rate,
                        a.rate,
                        b.ratio,
                        a.ratio,
                        a.flag,
                        a.p_value,
                        a.reference,
                        closed[r.group.id],
                    )
                    for r, a, b in zip(rows, after_cmp, before_cmp, strict=True)
                ],
                ref,
                note,
                tables[characteristic].withheld,
            )
        )


def _rates(rows: list[Row], column: str, closed: dict[str, bool]) -> list[RateRow]:
    """A column's counts over the people counts, for comparing; a group the stage shuts
    out by design is shown, not compared."""
    return [
        RateRow(
            r.group.id,
            r.group.words,
            r.count(column),
            r.count("people"),
            comparable=r.group.stated and r.group.id != "all" and not closed[r.group.id],
            candidate=not r.group.aggregate,
        )
        for r in rows
    ]


def changed_pathways(old: Library, new: Library) -> list[str]:
    """Pathways whose rules differ, and those that refer to them (``reached``), in order.

    A change to the catalogue's entries may change any pathway; entries only added (a new
    pathway's own courses and credentials) change none that was there before, as no rule
    of those can name them.
    """
    if not _only_added(old.catalogue.model_dump(), new.catalogue.model_dump()):
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


def _only_added(old: dict[str, Any], new: dict[str, Any]) -> bool:
    """True if ``new`` is ``old`` with entries appended to its sections, nothing else."""
    if old.keys() != new.keys():
        return False
    for key, value in old.items():
        after = new[key]
        if isinstance(value, list) and isinstance(after, list):
            if after[: len(value)] != value:
                return False
        elif after != value:
            return False
    return True


def _reached(req: Requirement) -> list[ReachedRequirement]:
    return [r for leaf in leaves(req) if (r := stage_reference(leaf)) is not None]
