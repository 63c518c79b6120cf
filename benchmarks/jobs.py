"""Background jobs on 50,000 people, as the web asks for them (issue 19's targets): a worker
that has been running (its engine processes started), then, each on a date nothing cached:

- the first equality report on a new date (job ``equality``: a run of every stage, the
  tables, the result stored);
- the impact preview of a one-file change (job ``impact``: promotion.yaml, 12 months'
  service to be a sergeant instead of 24; the changed pathways under both versions, the
  proposed version not cached);
- the same impact preview asked again (a fresh result: given at once).

    .venv/bin/python benchmarks/jobs.py [--people 50000] [--workers 2] [--repeat 3]

Each figure is the time from asking to the result being stored, and the CPU seconds the
worker and its engine processes spent meanwhile (the machine's load inflates wall time far
more than CPU time); the load average is printed with each.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from population import machine  # noqa: E402


def cpu_seconds() -> float:
    import psutil

    me = psutil.Process()
    total = 0.0
    for p in [me, *me.children(recursive=True)]:
        try:
            t = p.cpu_times()
            total += t.user + t.system
        except psutil.NoSuchProcess:
            pass
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=50_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    from pathways import SHIPPED_LIBRARY
    from pathways.loader import library_files
    from store import Store
    from store.population import PopulationCache
    from workforce.jobs import JobQueue, Worker
    from workforce.jobs.library import shipped_digest

    db = ROOT / "var" / "bench" / f"people-{args.people}.db"
    if not db.exists():
        sys.exit(f"{db} is missing: make it with benchmarks/population.py --people {args.people}")
    print(f"machine: {machine()}")
    store = Store(f"sqlite:///{db}")
    PopulationCache(store).clear()
    queue = JobQueue(store)
    # Results of earlier runs of this script would be given at once: start from none.
    queue.jobs.prune(dt.timedelta(0))
    worker = Worker(store, processes=args.workers, poll=0.02)
    threading.Thread(target=worker.serve, daemon=True).start()
    library = {"digest": shipped_digest()}
    files = library_files(Path(SHIPPED_LIBRARY))
    files["promotion.yaml"] = files["promotion.yaml"].replace(
        "at_least_months: 24", "at_least_months: 12", 1
    )
    from pathways.loader import load_with_problems
    from workforce.jobs.library import Libraries

    proposed_dir = Libraries(store).root / "proposed"
    for name, text in files.items():
        (proposed_dir / name).parent.mkdir(parents=True, exist_ok=True)
        (proposed_dir / name).write_text(text)
    proposed_library, _ = load_with_problems([proposed_dir])
    assert proposed_library is not None
    proposed = {"digest": proposed_library.digest, "files": files}

    def run(label: str, kind: str, params: dict[str, Any]) -> tuple[float, float]:
        cpu, started = cpu_seconds(), time.perf_counter()
        job = queue.ask(kind, {"library": library, **params}, owner="bench", role="hr")
        while not job.finished:
            time.sleep(0.01)
            job = queue.jobs.get(job.id)  # type: ignore[assignment]
        wall, spent = time.perf_counter() - started, cpu_seconds() - cpu
        assert job.state == "done", job.error
        print(
            f"{label}: {wall:.2f} s, CPU {spent:.2f} s (load {os.getloadavg()[0]:.1f})",
            flush=True,
        )
        return wall, spent

    # A worker that has been running: its engine processes are up.
    run("warm-up: population run on 2001-01-01", "population", {"as_of": "2001-01-01"})
    equality, preview, again = [], [], []
    for i in range(args.repeat):
        day = (dt.date(2023, 11, 17) + dt.timedelta(days=i)).isoformat()
        equality.append(run(f"first equality report on {day}", "equality", {"as_of": day}))
        params = {"as_of": day, "proposed": proposed}
        preview.append(run(f"impact preview on {day}", "impact", params))
        again.append(run(f"the same impact preview again on {day}", "impact", params))
    for label, found, target in (
        ("first equality report on a new date", equality, 3.0),
        ("impact preview of a one-file change", preview, 5.0),
        ("the same preview again", again, None),
    ):
        wall = statistics.median(w for w, _ in found)
        cpu = statistics.median(c for _, c in found)
        goal = f" (target <= {target:g} s on a quiet machine)" if target else ""
        print(f"=> {label}: median {wall:.2f} s wall, {cpu:.2f} s CPU{goal}")
    worker.stop()
    time.sleep(1)
    store.close()


if __name__ == "__main__":
    main()
