"""Which people a stage's rate is over, and which groups a stage excludes by design.

A stage's *pool* on a date (the denominator of its rates) is the people who could have
reached it then:

- in post: joined on or before the date;
- of the workforce the stage is open to: police officers for a stage that needs a rank,
  police staff for one that needs a band, both when either will do. This is read from
  the stage's requirements (and those of the stages it needs to have ``reached``), never
  from a list of stages: a requirement that no officer (or no member of staff) can meet
  closes the stage to that workforce;
- for a stage that follows others in its pathway (a progression into it, in force on
  the date), those who hold one of the stages before it: the sergeant rate is "of the
  constables, how many ...", the inspector rate "of those who reached sergeant, ...".

A *positive-action* stage (open only to some groups by law, e.g. Equip to Achieve for
BME officers) is one whose requirements test a protected characteristic; a group with
people the test shuts out by design is never flagged as adversely affected.

The requirements are read with three-valued logic: given only a workforce (or only a
person's protected characteristics), each requirement surely holds, surely fails, or
depends on the rest of the record.

>>> from pathways import SHIPPED_LIBRARY, load_library
>>> library = load_library([SHIPPED_LIBRARY])
>>> import datetime as dt
>>> day = dt.date(2024, 6, 1)
>>> pool = stage_pool(library, "promotion.inspector", day)
>>> sorted(pool.workforces), pool.previous, pool.words
(['officer'], ('promotion.sergeant',), 'police officers in post on 2024-06-01 who hold Sergeant')
>>> sorted(stage_pool(library, "fsl.stage_1", day).workforces)
['officer', 'staff']
>>> sorted(stage_pool(library, "analyst.researcher", day).workforces)  # mainly staff: not only
['officer', 'staff']
>>> e2a = stage_pool(library, "positive_action.equip_to_achieve", day)
>>> e2a.positive_action, e2a.open_to(("white", "male", "no")), e2a.open_to(("black", "male", "no"))
(True, False, True)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from enum import Enum

from pathways.model.library import Library
from pathways.model.requirements import (
    AllOf,
    AnyOf,
    AtLeast,
    AttributeRequirement,
    BandRequirement,
    BaseRequirement,
    Not,
    RankRequirement,
    ReachedRequirement,
)
from workforce.population import STATUSES, PersonResult

from .groups import CHARACTERISTICS, Atom, atom_of

__all__ = ["WORKFORCES", "Members", "StagePool", "stage_pool"]

WORKFORCES = ("officer", "staff")
_WORKFORCE_WORDS = {
    frozenset({"officer"}): "police officers",
    frozenset({"staff"}): "police staff",
    frozenset({"officer", "staff"}): "police officers and staff",
    frozenset(): "nobody (no workforce can meet this stage's requirements)",
}


class Truth(Enum):
    YES = "yes"
    NO = "no"
    MAYBE = "maybe"


Profile = Mapping[str, str]  # attribute -> value; an attribute not given may be anything


@dataclass(frozen=True)
class StagePool:
    """The people a stage is rated over, and what its requirements do to groups."""

    key: str
    workforces: frozenset[str]
    previous: tuple[str, ...]  # stage keys: the pool holds one of them
    words: str
    protected: tuple[str, ...]  # characteristics its requirements test (positive action)
    _closed: frozenset[Atom] = field(default=frozenset(), repr=False)
    _library: Library | None = field(default=None, repr=False, compare=False)
    _day: dt.date | None = field(default=None, repr=False, compare=False)

    @property
    def positive_action(self) -> bool:
        return bool(self.protected)

    def open_to(self, atom: Atom) -> bool:
        """False if the stage's requirements shut out people with these characteristics."""
        if not self.protected or self._library is None or self._day is None:
            return True
        profile = dict(zip(CHARACTERISTICS, atom, strict=True))
        return _stage_truth(self._library, self.key, profile, self._day, set()) is not Truth.NO


def stage_pool(
    library: Library, key: str, day: dt.date, decided: Collection[str] | None = None
) -> StagePool:
    """The pool of ``pathway.stage`` on ``day``. The stages before it are those with a
    progression into it; a stage with none, but with stages it must have ``reached``
    (plain requirements, not alternatives), is rated over those who hold them. Only stages
    in ``decided`` (default: all) can be used: a run knows no others' statuses.

    Raises:
        KeyError: if the library has no such stage.
    """
    pathway_id, _, stage_id = key.partition(".")
    pathway = library.pathways[pathway_id]
    stage = pathway.stage(stage_id)
    if stage is None:
        raise KeyError(key)
    workforces = frozenset(
        w
        for w in WORKFORCES
        if _stage_truth(library, key, {"workforce": w}, day, set()) is not Truth.NO
    )
    previous = (
        tuple(
            f"{pathway_id}.{p.from_}"
            for p in pathway.progressions
            if p.to == stage_id and p.in_force(day)
        )
        or tuple(
            ".".join(r.target(pathway_id))
            for r in stage.requires
            if isinstance(r, ReachedRequirement) and r.in_force(day)
        )[:1]
    )
    if decided is not None:
        previous = tuple(k for k in previous if k in decided)
    protected_names = {a.id for a in library.catalogue.attributes if a.protected}
    tested = _tested(library, key, day, set()) & protected_names
    words = f"{_WORKFORCE_WORDS[workforces]} in post on {day.isoformat()}"
    if previous:
        names = [library.stage(*k.split(".", 1)).name for k in previous]  # type: ignore[union-attr]
        words += " who hold " + " or ".join(names)
    return StagePool(
        key,
        workforces,
        previous,
        words,
        tuple(c for c in CHARACTERISTICS if c in tested),
        _library=library,
        _day=day,
    )


_HELD = next(STATUSES.index(s) for s in STATUSES if s.value == "held")


class Members:
    """Whether a person of a run (with stage ``keys``) is in ``pool`` on ``day``: in post,
    of its workforce, holding a stage before it (if any), and admitted by design."""

    def __init__(self, pool: StagePool, keys: tuple[str, ...], day: dt.date) -> None:
        self.pool = pool
        self.day = day
        self.before = [keys.index(k) for k in pool.previous if k in keys]
        self.open: dict[Atom, bool] = {}

    def __call__(self, person: PersonResult) -> bool:
        if person.joined is not None and person.joined > self.day:
            return False
        if person.kind not in self.pool.workforces:
            return False
        if self.before and not any(person.codes[i] == _HELD for i in self.before):
            return False
        atom = atom_of(person.ethnicity, person.gender, person.disability)
        if atom not in self.open:
            self.open[atom] = self.pool.open_to(atom)
        return self.open[atom]


def _stage_truth(
    library: Library, key: str, profile: Profile, day: dt.date, seen: set[str]
) -> Truth:
    pathway_id, _, stage_id = key.partition(".")
    stage = library.stage(pathway_id, stage_id)
    if stage is None or key in seen:
        return Truth.MAYBE
    seen = seen | {key}
    return _all(
        [
            _truth(r, pathway_id, library, profile, day, seen)
            for r in stage.requires
            if r.in_force(day)
        ]
    )


def _all(values: list[Truth]) -> Truth:
    if Truth.NO in values:
        return Truth.NO
    return Truth.YES if all(v is Truth.YES for v in values) else Truth.MAYBE


def _truth(
    req: BaseRequirement,
    pathway_id: str,
    library: Library,
    profile: Profile,
    day: dt.date,
    seen: set[str],
) -> Truth:
    """Whether ``req`` holds for everyone with ``profile``: yes, no, or it depends."""
    children = [
        _truth(c, pathway_id, library, profile, day, seen)
        for c in req.children()
        if c.in_force(day)
    ]
    workforce = profile.get("workforce")
    match req:
        case AttributeRequirement():
            if req.attribute not in profile:
                return Truth.MAYBE
            return Truth.YES if profile[req.attribute] in req.allowed() else Truth.NO
        case RankRequirement():  # only officers hold ranks
            return Truth.NO if workforce == "staff" else Truth.MAYBE
        case BandRequirement():  # only police staff hold bands
            return Truth.NO if workforce == "officer" else Truth.MAYBE
        case ReachedRequirement():
            target = ".".join(req.target(pathway_id))
            return _stage_truth(library, target, profile, day, seen)
        case AllOf():
            return _all(children)
        case AnyOf():
            if Truth.YES in children:
                return Truth.YES
            return Truth.NO if all(c is Truth.NO for c in children) else Truth.MAYBE
        case AtLeast():
            sure = sum(c is Truth.YES for c in children)
            possible = sum(c is not Truth.NO for c in children)
            if sure >= req.at_least:
                return Truth.YES
            return Truth.NO if possible < req.at_least else Truth.MAYBE
        case Not():
            (child,) = children or [Truth.MAYBE]
            return {Truth.YES: Truth.NO, Truth.NO: Truth.YES}.get(child, Truth.MAYBE)
        case _:  # courses, exams, service ...: depend on the record
            return Truth.MAYBE


def _tested(library: Library, key: str, day: dt.date, seen: set[str]) -> set[str]:
    """The attributes a stage's requirements test, through the stages it needs reached."""
    pathway_id, _, stage_id = key.partition(".")
    stage = library.stage(pathway_id, stage_id)
    if stage is None or key in seen:
        return set()
    seen.add(key)
    out: set[str] = set()
    todo: list[BaseRequirement] = [r for r in stage.requires if r.in_force(day)]
    while todo:
        req = todo.pop()
        if isinstance(req, AttributeRequirement):
            out.add(req.attribute)
        elif isinstance(req, ReachedRequirement):
            out |= _tested(library, ".".join(req.target(pathway_id)), day, seen)
        todo.extend(c for c in req.children() if c.in_force(day))
    return out
