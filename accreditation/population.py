"""The stored workforce evaluated against a library as of a date: input to every report.

A :class:`PopulationRun` is one row per person (:class:`PersonResult`): the facts
reports group by (business group, rank or band, ethnicity, gender) and every stage's
status and date. Reports (pipeline, equality, impact) read runs and never evaluate.

>>> import datetime as dt
>>> from accreditation.store import Store
>>> from accreditation.synthetic import generate_people
>>> from pathways import SHIPPED_LIBRARY
>>> store = Store("sqlite://")
>>> _ = store.save_people(generate_people(20, seed=3), actor="doctest")
>>> run = evaluate_population(store, [SHIPPED_LIBRARY], dt.date(2024, 6, 1), workers=1)
>>> len(run.people)
20
>>> run.people[0].status("promotion", "constable") in {"held", "not_eligible", "eligible"}
True
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rules.decision import DecisionSummary, StageStatus

from .record import Person
from .store import Store

__all__ = ["PersonResult", "PopulationRun", "evaluate_population", "person_facts"]

#: ``progress(done, total)``, called now and then during a run.
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class PersonResult:
    """One person's facts for grouping, and every stage's status on the run's date."""

    person: str
    kind: str
    business_group: str | None
    grade: str | None  # current rank (officers) or band (staff)
    ethnicity: str | None
    gender: str | None
    stages: dict[str, StageStatus]  # keyed "pathway.stage"

    def status(self, pathway: str, stage: str) -> str | None:
        """The status value (``"held"``, ``"eligible"`` ...), None if not decided."""
        found = self.stages.get(f"{pathway}.{stage}")
        return found.status.value if found is not None else None


@dataclass
class PopulationRun:
    """Every stored person's result against one library version as of one date."""

    library_version: str
    as_of: dt.date
    people: list[PersonResult]
    seconds: float = 0.0
    evaluated: int = 0  # decided in this run
    cached: int = 0  # taken from the cache
    notes: list[str] = field(default_factory=list)


def person_facts(person: Person, as_of: dt.date, summary: DecisionSummary) -> PersonResult:
    """A :class:`PersonResult` from a record and its statuses on ``as_of``."""
    grade = None
    for held in (*person.ranks, *person.bands):
        if held.start <= as_of and (held.end is None or held.end >= as_of):
            grade = getattr(held, "rank", None) or getattr(held, "band", None)
    group = None
    for posting in person.postings:
        if posting.start <= as_of and (posting.end is None or posting.end >= as_of):
            group = posting.business_group
    return PersonResult(
        person=person.id,
        kind=person.kind.value,
        business_group=group,
        grade=grade,
        ethnicity=person.protected.ethnicity,
        gender=person.protected.gender,
        stages={f"{s.pathway}.{s.stage}": s for s in summary.stages},
    )


def evaluate_population(
    store: Store,
    library_paths: Sequence[str | Path],
    as_of: dt.date,
    *,
    workers: int = 2,
    progress: Progress | None = None,
    pathways: Iterable[str] | None = None,
) -> PopulationRun:
    """Every stored person against the library in ``library_paths`` as of ``as_of``.

    Reference implementation through the durable-rules engine pool. ``pathways``
    limits the run to those pathways' stages.

    Raises:
        rules.pool.WorkerError: if the engine fails for a record.
    """
    import time

    from rules.pool import EnginePool

    started = time.perf_counter()
    people = list(store.iter_people())
    total = len(people)
    results: list[PersonResult] = []
    version = None
    wanted = list(pathways) if pathways is not None else None
    with EnginePool(library_paths, workers=max(1, workers)) as pool:
        for person, summary in zip(people, pool.summaries(people, as_of, wanted), strict=True):
            results.append(person_facts(person, as_of, summary))
            version = summary.library_version
            if progress is not None and len(results) % 1000 == 0:
                progress(len(results), total)
    if progress is not None:
        progress(total, total)
    return PopulationRun(
        library_version=version or "",
        as_of=as_of,
        people=results,
        seconds=time.perf_counter() - started,
        evaluated=total,
    )
