"""Engine benchmarks on a synthetic workforce.

Run from the repository root::

    .venv/bin/python benchmarks/engine.py [--people 50000] [--workers 2] [--quick]

It prints the machine, then:

(a) one person, all pathways, a full decision with explanations from the in-process
    :class:`~rules.engine.Evaluator`: median and p95 over a sample of varied people,
    after a warm-up (target: median <= 5 ms);
(b) N people, all pathways, full decisions, on ``--workers`` processes: through
    :class:`rules.pool.EnginePool` when it is importable, else through a plain
    ``multiprocessing`` spawn pool with one Evaluator per process (the output says
    which); total seconds and people per second (target: 50,000 in <= 30 s);
(c) the floor (:mod:`benchmarks.floor`, hand-written Python for a sample of stages) on
    the same N people on one core, in µs per person, and the engine/floor ratios, for
    the sample stages only and for all pathways; then the floor's answers against the
    engine's for every person and sample stage (held or eligible, versus anything else),
    and again on a workforce as of 2010-03-15 decided on both sides of the FSL rule's
    effective date (2010-04-01). Disagreements must be 0; examples are printed if not.

Medians, not means. ``--quick`` is 2,000 people, for a CI smoke run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import multiprocessing
import os
import platform
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from accreditation.record import Person
from benchmarks.floor import STAGES, Disagreement, compare, engine_statuses, floor
from pathways import SHIPPED_LIBRARY, load_library
from pathways.model.library import Library
from pathways.model.requirements import ServedRequirement, walk
from rules import Decision, Evaluator
from rules.decision import DecisionSummary
from workforce.synthetic import generate_people, generate_records

__all__ = [
    "AS_OF",
    "SAMPLE_PATHWAYS",
    "Disagreement",
    "compare",
    "engine_statuses",
    "machine",
    "main",
    "run_in_process",
    "run_pool",
    "time_per_person",
]

AS_OF = dt.date(2024, 6, 1)
EARLY_AS_OF = dt.date(2010, 3, 15)  # a workforce before the FSL prerequisite ...
EARLY_DATES = (EARLY_AS_OF, dt.date(2010, 4, 15))  # ... decided before and after it
SEED = 20240601
SAMPLE_PATHWAYS = tuple(dict.fromkeys(s.split(".")[0] for s in STAGES))
STATUSES = ("held", "eligible", "eligible_from", "lapsed", "not_eligible")


def machine() -> dict[str, str]:
    """Where the figures come from: cores, CPU model, Python, OS."""
    model = platform.processor() or "unknown"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        usable = os.cpu_count() or 1
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    return {
        "cores": f"{os.cpu_count()} ({usable} usable)",
        "cpu": model,
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "os": f"{platform.system()} {platform.release()}",
        "load average": load,
    }


def _pct(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def time_per_person(
    work: Callable[[Person], Any],
    people: Sequence[Person],
    warmup: int = 50,
    then: Callable[[Person, Any], object] | None = None,
) -> list[float]:
    """Seconds per call of ``work`` for each person, after ``warmup`` untimed calls;
    ``then`` gets each person and result, outside the timed part."""
    for person in people[:warmup]:
        work(person)
    clock = time.perf_counter
    out = []
    for person in people:
        start = clock()
        result = work(person)
        out.append(clock() - start)
        if then is not None:
            then(person, result)
    return out


# --- (b): many people on several processes -----------------------------------------------


@dataclass
class PoolRun:
    """What a multi-process run did."""

    how: str
    workers: int
    startup: float
    seconds: float
    people: int
    statuses: dict[str, dict[str, str]] = field(repr=False)
    coverage: dict[str, Counter[str]] = field(repr=False)
    caller_cpu: float = 0.0  # CPU seconds of this process (parsing decisions ...)
    workers_cpu: float = 0.0  # CPU seconds of the worker processes, start-up included


_WORKER: Evaluator | None = None


def _fallback_init() -> None:
    global _WORKER
    _WORKER = Evaluator(load_library([SHIPPED_LIBRARY]))


def _fallback_decide(job: tuple[str, list[str]]) -> list[str]:
    assert _WORKER is not None
    day = dt.date.fromisoformat(job[0])
    return [
        _WORKER.decide(Person.model_validate_json(raw), day).model_dump_json() for raw in job[1]
    ]


def _fallback_decisions(
    people: Sequence[Person], as_of: dt.date, workers: int
) -> Iterator[tuple[str, float]]:
    """Decisions from a plain spawn pool (records and decisions travel as JSON, as in
    EnginePool). Yields ("started", seconds) once, then ("decision json", 0.0)s."""
    start = time.perf_counter()
    context = multiprocessing.get_context("spawn")
    with context.Pool(workers, initializer=_fallback_init) as pool:
        pool.map(_fallback_decide, [(as_of.isoformat(), [])] * workers)  # wait until loaded
        yield "started", time.perf_counter() - start
        chunks = (
            (as_of.isoformat(), [p.model_dump_json() for p in people[i : i + 64]])
            for i in range(0, len(people), 64)
        )
        for answers in pool.imap(_fallback_decide, chunks):
            for raw in answers:
                yield raw, 0.0


def run_pool(
    people: Sequence[Person],
    as_of: dt.date,
    workers: int,
    plain: bool = False,
    summaries: bool = True,
) -> PoolRun:
    """Decisions for ``people`` on ``workers`` processes; keeps only the statuses.
    Through EnginePool if it can be imported (and not ``plain``), else a plain spawn pool.
    With ``summaries``, the workers send back statuses and dates only (the population
    path); without, every full decision with its explanations crosses back and is parsed."""
    statuses: dict[str, dict[str, str]] = {}
    coverage: dict[str, Counter[str]] = {}

    def keep(decision: Decision | DecisionSummary) -> None:
        statuses[decision.person] = engine_statuses(decision)
        for s in decision.stages:
            coverage.setdefault(f"{s.pathway}.{s.stage}", Counter())[s.status.value] += 1

    try:
        from rules.pool import EnginePool
    except ImportError:  # not written yet: fall back on a plain process pool
        pool_class = None
    else:
        pool_class = None if plain else EnginePool
    cpu, children = time.process_time(), _children_cpu()
    if pool_class is not None:
        how = "rules.pool.EnginePool"
        start = time.perf_counter()
        with pool_class(workers=workers) as pool:
            startup = time.perf_counter() - start
            start = time.perf_counter()
            results: Iterable[Decision | DecisionSummary] = (
                pool.summaries(people, as_of) if summaries else pool.decide_many(people, as_of)
            )
            for decision in results:
                keep(decision)
            seconds = time.perf_counter() - start
    else:
        how = "plain multiprocessing spawn pool, one Evaluator per process (not EnginePool)"
        answers = _fallback_decisions(people, as_of, workers)
        startup = next(answers)[1]
        start = time.perf_counter()
        for raw, _ in answers:
            keep(Decision.model_validate_json(raw))
        seconds = time.perf_counter() - start
    cpu, children = time.process_time() - cpu, _children_cpu() - children
    return PoolRun(how, workers, startup, seconds, len(people), statuses, coverage, cpu, children)


def _children_cpu() -> float:
    """CPU seconds of finished child processes (the pool's workers, once it is closed)."""
    try:
        import resource
    except ImportError:  # not on Unix
        return 0.0
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


# --- in-process runs (also the smoke test's entry point) ---------------------------------


def run_in_process(
    people: Sequence[Person], as_of: dt.date = AS_OF, evaluator: Evaluator | None = None
) -> dict[str, Any]:
    """(a) and (c) on one core for ``people``: per-person seconds for the full decision,
    the sample-pathway decision and the floor, and the floor's disagreements."""
    evaluator = evaluator or Evaluator(load_library([SHIPPED_LIBRARY]))
    warmup = min(50, len(people))
    decided: dict[str, dict[str, str]] = {}

    def full(person: Person) -> Decision:
        return evaluator.decide(person, as_of)

    def keep(person: Person, decision: Decision) -> None:
        decided[person.id] = engine_statuses(decision)

    def sample(person: Person) -> Decision:
        return evaluator.decide(person, as_of, SAMPLE_PATHWAYS)

    return {
        "engine_all": time_per_person(full, people, warmup, keep),
        "engine_sample": time_per_person(sample, people, warmup),
        "floor": time_per_person(lambda p: floor(p, as_of), people, warmup),
        "disagreements": compare(people, as_of, decided),
    }


def _early_check(evaluator: Evaluator, count: int) -> tuple[int, int, list[Disagreement]]:
    """Floor against engine on a 2010 workforce, before and after the FSL rule. Returns the
    decisions checked, how many people's SPNAC answer the rule changed, and disagreements."""
    people = list(generate_people(count, SEED + 1, EARLY_AS_OF))
    found: list[Disagreement] = []
    spnac: list[dict[str, str]] = []
    for day in EARLY_DATES:
        decided = {p.id: engine_statuses(evaluator.decide(p, day)) for p in people}
        found += compare(people, day, decided)
        spnac.append({pid: s["senior_leadership.spnac"] for pid, s in decided.items()})
    changed = sum(spnac[0][pid] != spnac[1][pid] for pid in spnac[0])
    return len(people) * len(EARLY_DATES), changed, found


def _generation_rates(count: int, seed: int) -> tuple[float, float]:
    """People per second from generate_people and generate_records, consumed one by one."""
    best_people = best_records = 0.0
    for _ in range(3):
        start = time.perf_counter()
        for _person in generate_people(count, seed):
            pass
        best_people = max(best_people, count / (time.perf_counter() - start))
        start = time.perf_counter()
        for _record in generate_records(count, seed):
            pass
        best_records = max(best_records, count / (time.perf_counter() - start))
    return best_people, best_records


def _json_round_trip(
    evaluator: Evaluator, people: Sequence[Person]
) -> tuple[list[int], list[float], list[float]]:
    """Size, dump time and parse time of full decisions as JSON (how pools return them)."""
    sizes, dumps, parses = [], [], []
    clock = time.perf_counter
    for person in people:
        decision = evaluator.decide(person, AS_OF)
        start = clock()
        raw = decision.model_dump_json()
        dumped = clock()
        Decision.model_validate_json(raw)
        parses.append(clock() - dumped)
        dumps.append(dumped - start)
        sizes.append(len(raw))
    return sizes, dumps, parses


def _possible(library: Library) -> dict[str, set[str]]:
    """Which statuses each stage can have at all, from its rules (for the coverage table)."""
    validity = {c.id: c.validity_months for c in library.catalogue.credentials}
    out = {}
    for pathway, stage in library.stages():
        can = {"eligible", "not_eligible"} if stage.requires else {"eligible"}
        if stage.awards is not None:
            can.add("held")
            if stage.awards.credential is not None and validity.get(stage.awards.credential):
                can.add("lapsed")
        if any(isinstance(r, ServedRequirement) for top in stage.requires for r, _ in walk(top)):
            can.add("eligible_from")
        out[f"{pathway.id}.{stage.id}"] = can
    return out


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def _us(seconds: float) -> str:
    return f"{seconds * 1e6:.1f} µs"


# Long: the report's sections (a), (b), (c) and the coverage table in the order they print;
# each section reads the measurements of those before it.
def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--people", type=int, default=50_000, help="N for (b) and (c)")
    parser.add_argument("--workers", type=int, default=2, help="processes for (b)")
    parser.add_argument("--sample", type=int, default=1_000, help="people for (a) and ratios")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--quick", action="store_true", help="2,000 people: a CI smoke run")
    parser.add_argument(
        "--plain-pool",
        action="store_true",
        help="for (b), use a plain multiprocessing pool even if rules.pool.EnginePool exists",
    )
    args = parser.parse_args(argv)
    n = 2_000 if args.quick else args.people
    sample_n = min(args.sample, n)
    early_n = 300 if args.quick else 2_000

    print(f"# Engine benchmarks, {dt.datetime.now():%Y-%m-%d %H:%M}")
    for key, value in machine().items():
        print(f"{key:>13}: {value}")

    start = time.perf_counter()
    people = list(generate_people(n, args.seed, AS_OF))
    made = time.perf_counter() - start
    gc.collect()
    gc.freeze()  # the population is long-lived: keep the collector from rescanning it
    print(
        f"\n{n:,} synthetic people (seed {args.seed}, as of {AS_OF}) made and kept in a list "
        f"in {made:.2f} s ({n / made:,.0f} people/s)"
    )
    streamed, records = _generation_rates(min(n, 20_000), args.seed)
    print(
        f"    generation streamed (each person dropped after use): {streamed:,.0f} people/s as "
        f"validated Person objects, {records:,.0f} records/s as plain dicts (best of 3)"
    )

    library = load_library([SHIPPED_LIBRARY])
    evaluator = Evaluator(library)
    stages_total = sum(len(p.stages) for p in library.pathways.values())
    sample = people[:sample_n]
    single = run_in_process(sample, AS_OF, evaluator)
    eng, eng_sample = single["engine_all"], single["engine_sample"]
    print(
        f"\n(a) one person, all {len(library.pathways)} pathways ({stages_total} stages), "
        f"full decision, in-process Evaluator, {sample_n:,} people after 50 warm-up"
    )
    print(
        f"    median {_ms(statistics.median(eng))}, p95 {_ms(_pct(eng, 0.95))}, "
        f"max {_ms(max(eng))}   (target: median <= 5 ms)"
    )

    run = run_pool(people, AS_OF, args.workers, plain=args.plain_pool)
    rate = n / run.seconds
    print(
        f"\n(b) {n:,} people, all pathways, {run.workers} workers: {run.how}; every stage "
        f"decided in the workers, statuses and dates sent back (EnginePool.summaries)"
    )
    print(
        f"    {run.seconds:.1f} s ({rate:,.0f} people/s; workers started in {run.startup:.1f} s)"
        f"   (target: 50,000 in <= 30 s, i.e. >= 1,667 people/s)"
    )
    full_n = min(n, 10_000)
    full_run = run_pool(
        people[:full_n], AS_OF, args.workers, plain=args.plain_pool, summaries=False
    )
    print(
        f"    with every full decision (explanations, ~75 KB JSON each) sent back and parsed: "
        f"{full_n:,} people in {full_run.seconds:.1f} s ({full_n / full_run.seconds:,.0f} "
        f"people/s)"
    )

    if run.workers_cpu:
        busy = (run.workers_cpu + run.caller_cpu) / (run.seconds + run.startup)
        print(
            f"    CPU: workers {run.workers_cpu:.1f} s "
            f"({run.workers_cpu / n * 1000:.2f} ms/person), "
            f"this process {run.caller_cpu:.1f} s ({run.caller_cpu / n * 1000:.2f} ms/person): "
            f"{busy:.2f} of {os.cpu_count()} cores busy on average (the rest went to other "
            f"processes on the machine, or to waiting)"
        )
    sizes, dumps, parses = _json_round_trip(evaluator, sample[:200])
    print(
        f"    a full decision is {statistics.median(sizes) / 1000:.0f} KB of JSON (median): "
        f"dump {_us(statistics.median(dumps))} in a worker, parse "
        f"{_ms(statistics.median(parses))} in the caller's process, which does it for "
        f"every decision (one core: at most ~{1 / statistics.median(parses):,.0f} people/s)"
    )

    floor_all = time_per_person(lambda p: floor(p, AS_OF), people)
    floor_med = statistics.median(floor_all)
    floor_sample_med = statistics.median(single["floor"])
    print(f"\n(c) the floor ({len(STAGES)} stages: {', '.join(STAGES)}), one core")
    print(
        f"    {n:,} people: median {_us(floor_med)}/person, p95 {_us(_pct(floor_all, 0.95))}, "
        f"total {sum(floor_all):.2f} s"
    )
    print(
        f"    on the (a) sample: floor median {_us(floor_sample_med)}; engine median "
        f"{_ms(statistics.median(eng_sample))} for the sample stages' pathways "
        f"({', '.join(SAMPLE_PATHWAYS)}), {_ms(statistics.median(eng))} for all"
    )
    print(
        f"    ratio engine/floor: {statistics.median(eng_sample) / floor_sample_med:,.0f}x "
        f"(sample stages), {statistics.median(eng) / floor_sample_med:,.0f}x (all pathways); "
        f"per person on {run.workers} workers vs the floor on one core: "
        f"{(run.seconds / n) / floor_med:,.0f}x"
    )

    disagreements = compare(people, AS_OF, run.statuses) + single["disagreements"]
    checked = n + sample_n
    early_checked, changed, early = _early_check(evaluator, early_n)
    disagreements += early
    print(
        f"    floor vs engine: {len(disagreements)} disagreements over "
        f"{checked + early_checked:,} decisions x {len(STAGES)} stages ({n:,} from (b), "
        f"{sample_n:,} from (a), {early_checked:,} as of {EARLY_DATES[0]} or {EARLY_DATES[1]}; "
        f"the FSL rule changes the SPNAC answer of {changed} of those {early_n:,} people)"
    )
    for d in disagreements[:10]:
        print(f"      {d}")

    possible = _possible(library)
    print(f"\nStatus coverage over the {n:,} people (-: impossible for that stage's rules)")
    print(f"    {'stage':52}" + "".join(f"{s:>14}" for s in STATUSES))
    missing = 0
    for stage, counts in run.coverage.items():
        cells = []
        for status in STATUSES:
            if status not in possible.get(stage, set(STATUSES)):
                cells.append(f"{'-':>14}")
            else:
                cells.append(f"{counts[status]:>14,}")
                missing += counts[status] == 0
        print(f"    {stage:52}" + "".join(cells))
    print(f"    possible (stage, status) pairs never seen: {missing}")
    return 1 if disagreements else 0


if __name__ == "__main__":
    sys.exit(main())
