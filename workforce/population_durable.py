"""A population run on the durable-rules engine pool (``engine="durable"``): the reference
the population and batch evaluators are compared with, slower, and never cached."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from accreditation.record import Person
from pathways.loader import load_library
from pathways.model.catalogue import UnitEntry
from rules.decision import DecisionSummary
from rules.pool import EnginePool
from store import Store

from .population_work import grouping
from .results import STATUSES, PersonResult, PopulationRun

__all__ = ["durable_run", "person_facts"]

#: ``progress(done, total)``, called now and then during a run.
Progress = Callable[[int, int], None]


def person_facts(
    person: Person,
    as_of: dt.date,
    summary: DecisionSummary,
    units: Mapping[str, UnitEntry] | None = None,
) -> PersonResult:
    """A :class:`PersonResult` from a record and its statuses on ``as_of``."""
    group, grade = grouping(person, as_of, units)
    keys = tuple(f"{s.pathway}.{s.stage}" for s in summary.stages)
    dates = {
        i: (s.eligible_from, s.lapsed_on)
        for i, s in enumerate(summary.stages)
        if s.eligible_from is not None or s.lapsed_on is not None
    }
    return PersonResult(
        person.id,
        person.kind.value,
        group,
        grade,
        person.protected.ethnicity,
        person.protected.gender,
        keys,
        bytes(STATUSES.index(s.status) for s in summary.stages),
        dates,
        person.joined,
        person.protected.disability,
    )


def durable_run(
    store: Store,
    library_paths: Sequence[str | Path],
    as_of: dt.date,
    workers: int,
    progress: Progress | None,
    wanted: list[str] | None,
) -> PopulationRun:
    """Every stored person decided by the durable-rules engine pool."""
    started = time.perf_counter()
    everyone = list(store.iter_people())
    total = len(everyone)
    results: list[PersonResult] = []
    version = ""
    engine = ""
    units = {u.id: u for u in load_library(library_paths).catalogue.units}
    by_id = {p.id: p for p in everyone}
    named = {n for p in everyone for a in p.assessments for n in a.assessors}
    assessors = {n: by_id[n] for n in named if n in by_id}
    with EnginePool(library_paths, workers=workers) as pool:
        summaries = pool.summaries(everyone, as_of, wanted, assessors)
        for person, summary in zip(everyone, summaries, strict=True):
            results.append(person_facts(person, as_of, summary, units))
            version, engine = summary.library_version, summary.engine
            if progress is not None and len(results) % 1000 == 0:
                progress(len(results), total)
    if progress is not None:
        progress(total, total)
    return PopulationRun(
        library_version=version,
        as_of=as_of,
        people=results,
        seconds=time.perf_counter() - started,
        evaluated=total,
        engine=engine,
        keys=results[0].keys if results else (),
    )
