"""Population runs: the stored workforce against every shipped pathway.

    .venv/bin/python benchmarks/population.py [--people 250000] [--workers 2] [--repeat 3]

Generates the seeded synthetic workforce into ``var/bench/people-N.db`` once (reused
afterwards), then times ``workforce.population.evaluate_population`` (batch
evaluator, worker processes that parse the stored records) end to end: reading the
SQLite store, parsing, deciding every stage of every pathway, collecting the results.
Prints people/second, the per-person cost on one core, and the ratio to the
hand-written floor (benchmarks/floor.py). Targets (issue 8): 50,000 people <= 15 s,
250,000 <= 60 s on 2 cores.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

AS_OF = dt.date(2024, 6, 1)


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = os.getloadavg()[0]
    return (
        f"{os.cpu_count()} cores, {cpu}, Python {platform.python_version()}, "
        f"load average {load:.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=250_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="5,000 people, one run")
    args = parser.parse_args()
    if args.quick:
        args.people, args.repeat = 5_000, 1

    from floor import floor

    from pathways import SHIPPED_LIBRARY, load_library
    from rules.batch import BatchEvaluator
    from store import Store
    from workforce.population import evaluate_population
    from workforce.synthetic import generate_people

    print(f"machine: {machine()}")
    db = ROOT / "var" / "bench" / f"people-{args.people}.db"
    if not db.exists():
        db.parent.mkdir(parents=True, exist_ok=True)
        print(f"generating {args.people:,} people into {db} (once) ...", flush=True)
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pathways",
                "generate",
                "--people",
                str(args.people),
                "--seed",
                "1",
                "--db",
                f"sqlite:///{db}",
            ],
            check=True,
        )
    store = Store(f"sqlite:///{db}")
    assert store.count_people() == args.people, "the benchmark database is incomplete: delete it"

    times = []
    for i in range(args.repeat):
        run = evaluate_population(
            store, [SHIPPED_LIBRARY], AS_OF, workers=args.workers, cache=False
        )
        times.append(run.seconds)
        stages = len(run.people[0].keys)
        print(
            f"run {i + 1}: {len(run.people):,} people x {stages} stages in {run.seconds:.1f} s "
            f"({len(run.people) / run.seconds:,.0f} people/s)",
            flush=True,
        )
    median = statistics.median(times)
    from sqlalchemy import delete

    from store.schema import population_cache

    with store.transaction() as conn:
        conn.execute(delete(population_cache))
    filling = evaluate_population(store, [SHIPPED_LIBRARY], AS_OF, workers=args.workers)
    warm = evaluate_population(store, [SHIPPED_LIBRARY], AS_OF, workers=args.workers)
    print(
        f"with the cache: first run (decides and stores) {filling.seconds:.1f} s, "
        f"repeat {warm.seconds:.1f} s ({warm.cached:,} from the cache, "
        f"{warm.evaluated} decided)",
        flush=True,
    )

    # One core, in process, on a sample: the evaluator alone, and the floor.
    library = load_library([SHIPPED_LIBRARY])
    batch = BatchEvaluator(library)
    keys = batch.stage_keys()
    sample = list(generate_people(2_000, seed=1, as_of=AS_OF))
    for p in sample[:100]:
        batch.compact(p, AS_OF, keys)
    per_batch = []
    per_floor = []
    for p in sample:
        t = time.perf_counter()
        batch.compact(p, AS_OF, keys)
        per_batch.append(time.perf_counter() - t)
        t = time.perf_counter()
        floor(p, AS_OF)
        per_floor.append(time.perf_counter() - t)
    b, f = statistics.median(per_batch), statistics.median(per_floor)
    targets = {50_000: 15.0, 250_000: 60.0}
    target = targets.get(args.people)
    verdict = (
        f"target <= {target:.0f} s: {'met' if median <= target else 'NOT met'}"
        if target is not None
        else "the targets are for 50,000 and 250,000 people"
    )
    print()
    print(
        f"population run, {args.people:,} people, all {len(library.pathways)} pathways "
        f"({stages} stages), {args.workers} workers: median {median:.1f} s of {args.repeat} "
        f"= {args.people / median:,.0f} people/s ({verdict})"
    )
    print(f"batch evaluator alone, one core: median {b * 1e3:.3f} ms/person (all stages)")
    print(
        f"floor (8 stages, hand-written): median {f * 1e6:.1f} us/person; "
        f"batch/floor = {b / f:.0f}x"
    )
    store.close()


if __name__ == "__main__":
    main()
