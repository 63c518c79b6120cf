"""Memory: RSS over many single-person evaluations in one process (durable-rules engine).

    .venv/bin/python benchmarks/memory.py [--evaluations 200000] [--every 10000]

Decides synthetic people one at a time with ``rules.engine.Evaluator.decide`` (the full
decision with reasons, all pathways), cycling through 5,000 people and as-of dates, and
samples the resident set size every ``--every`` evaluations after a warm-up of the same
length. Target (issue 9): RSS flat within 10% from the first sample to the last.
Exit status 1 if it grew more.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--evaluations", type=int, default=200_000)
    parser.add_argument("--every", type=int, default=10_000)
    args = parser.parse_args()

    from pathways import SHIPPED_LIBRARY, load_library
    from rules.engine import Evaluator
    from workforce.synthetic import generate_people

    evaluator = Evaluator(load_library([SHIPPED_LIBRARY]))
    people = list(generate_people(5000, seed=3))
    days = [dt.date(2010, 4, 1), dt.date(2018, 1, 31), dt.date(2024, 6, 1)]
    print(
        f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}; "
        f"{args.evaluations:,} evaluations, RSS every {args.every:,}",
        flush=True,
    )
    samples: list[float] = []
    started = time.perf_counter()
    for i in range(args.evaluations + args.every):
        evaluator.decide(people[i % len(people)], days[i % len(days)])
        # The first block is the warm-up.
        if (i + 1) % args.every == 0 and i + 1 > args.every:
            samples.append(rss_mb())
            print(f"{i + 1 - args.every:>9,} evaluations: RSS {samples[-1]:.1f} MB", flush=True)
    elapsed = time.perf_counter() - started
    growth = (samples[-1] - samples[0]) / samples[0]
    print(
        f"RSS first {samples[0]:.1f} MB, last {samples[-1]:.1f} MB, max {max(samples):.1f} MB: "
        f"{growth:+.1%} ({'flat' if abs(growth) <= 0.10 else 'NOT flat'} within 10%); "
        f"{elapsed / (args.evaluations + args.every) * 1e3:.2f} ms per evaluation"
    )
    sys.exit(0 if abs(growth) <= 0.10 else 1)


if __name__ == "__main__":
    main()
