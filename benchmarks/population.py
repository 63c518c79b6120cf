"""Population runs: the stored workforce against every shipped pathway (issue 19's targets).

    .venv/bin/python benchmarks/population.py [--people 250000] [--workers 2] [--repeat 3]

Generates the seeded synthetic workforce into ``var/bench/people-N.db`` once (reused
afterwards), then times ``workforce.population.evaluate_population`` end to end (reading
the SQLite store, parsing, deciding every stage of every pathway with the population
evaluator of :mod:`rules.popcode` on 2 worker processes, collecting the results):

- cold, without the cache (median of ``--repeat``), and the first run filling the cache;
- repeated with the cache (nothing changed: nothing is read or decided again);
- the impact preview of a one-file change (promotion.yaml: 12 months' service to be a
  sergeant instead of 24): the changed pathway decided under both versions, then
  ``workforce.impact.impact``; cold (nothing cached) and with the old version cached;
- the first equality report on a new date: a run on that date, then
  ``workforce.reports.equality.monitor`` by ethnicity.

Targets (issue 19, 2 cores): 250,000 cold <= 10 s, repeated with the cache <= 1 s; on
50,000 people, the impact preview <= 5 s and the first equality report on a new date
<= 3 s. The machine's load average is printed with every figure.
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
from typing import Any

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


def timed(label: str, fn: Any) -> Any:
    started = time.perf_counter()
    out = fn()
    seconds = time.perf_counter() - started
    print(f"{label}: {seconds:.2f} s ({os.getloadavg()[0]:.2f} load)", flush=True)
    return out, seconds


def verdict(seconds: float, target: float | None) -> str:
    if target is None:
        return ""
    return f" (target <= {target:g} s: {'met' if seconds <= target else 'NOT met'})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=250_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="5,000 people, one run")
    args = parser.parse_args()
    if args.quick:
        args.people, args.repeat = 5_000, 1

    from pathways import SHIPPED_LIBRARY
    from store import Store
    from store.population import PopulationCache
    from workforce.population import evaluate_population

    print(f"machine: {machine()}")
    db = ROOT / "var" / "bench" / f"people-{args.people}.db"
    if not db.exists():
        db.parent.mkdir(parents=True, exist_ok=True)
        print(f"generating {args.people:,} people into {db} (once) ...", flush=True)
        subprocess.run(
            [
                str(Path(sys.executable).parent / "pathways"),
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

    def clear() -> None:
        PopulationCache(store).clear()

    def run(**options: Any) -> Any:
        return evaluate_population(store, [SHIPPED_LIBRARY], AS_OF, workers=args.workers, **options)

    big = {250_000: (10.0, 1.0)}.get(args.people, (None, None))
    times = []
    for i in range(args.repeat):
        result, seconds = timed(f"cold run {i + 1}, no cache", lambda: run(cache=False))
        times.append(seconds)
    median = statistics.median(times)
    stages = len(result.people[0].keys)
    print(
        f"=> {args.people:,} people x {stages} stages, cold: median {median:.2f} s of "
        f"{args.repeat} ({args.people / median:,.0f} people/s){verdict(median, big[0])}"
    )
    clear()
    timed("first run with the cache (decides and stores)", run)
    warm, seconds = timed("repeated with the cache", run)
    assert warm.cached == args.people and warm.evaluated == 0
    print(f"=> repeated with the cache: {seconds:.2f} s{verdict(seconds, big[1])}")

    small = args.people <= 50_000
    impact_preview(store, args.workers, clear, 5.0 if small else None)
    equality_report(store, args.workers, 3.0 if small else None)
    store.close()


def impact_preview(store: Any, workers: int, clear: Any, target: float | None) -> None:
    """One file changed (promotion.yaml): the changed pathway under both versions, compared."""
    import shutil
    import tempfile

    from pathways import SHIPPED_LIBRARY, load_library
    from workforce.impact import changed_pathways, impact
    from workforce.population import evaluate_population

    with tempfile.TemporaryDirectory() as tmp:
        new_dir = Path(tmp) / "library"
        shutil.copytree(SHIPPED_LIBRARY, new_dir)
        promotion = new_dir / "promotion.yaml"
        text = promotion.read_text()
        changed_text = text.replace("at_least_months: 24", "at_least_months: 12", 1)
        assert changed_text != text
        promotion.write_text(changed_text)
        old_lib, new_lib = load_library([SHIPPED_LIBRARY]), load_library([new_dir])

        def preview() -> Any:
            changed = changed_pathways(old_lib, new_lib)
            old = evaluate_population(
                store, [SHIPPED_LIBRARY], AS_OF, workers=workers, pathways=changed
            )
            new = evaluate_population(store, [new_dir], AS_OF, workers=workers, pathways=changed)
            return impact(old, new, old_lib, new_lib), changed

        clear()
        (report, changed), cold = timed("impact preview, nothing cached", preview)
        clear()
        evaluate_population(store, [SHIPPED_LIBRARY], AS_OF, workers=workers, pathways=changed)
        _, warm = timed("impact preview, the old version cached", preview)
    moved = sum(len(s.gained) + len(s.lost) for s in report.stages)
    print(
        f"=> impact preview of a one-file change ({', '.join(changed)}): {cold:.2f} s cold, "
        f"{warm:.2f} s with the old version cached; {moved:,} people gain or lose a stage"
        f"{verdict(cold, target)}"
    )


def equality_report(store: Any, workers: int, target: float | None) -> None:
    from pathways import SHIPPED_LIBRARY, load_library
    from workforce.population import evaluate_population
    from workforce.reports.equality import monitor

    day = dt.date(2023, 11, 17)  # a date no earlier run used
    library = load_library([SHIPPED_LIBRARY])

    def report() -> Any:
        return monitor(
            evaluate_population(store, [SHIPPED_LIBRARY], day, workers=workers), library
        ).stages

    rows, seconds = timed(f"first equality report on {day}", report)
    print(
        f"=> first equality report on a new date: {seconds:.2f} s, {len(rows)} stages"
        f"{verdict(seconds, target)}"
    )


if __name__ == "__main__":
    main()
