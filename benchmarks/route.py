"""Route search: how long finding the routes to a goal takes, and how many engine decisions
it asks for.

Run from the repository root::

    .venv/bin/python benchmarks/route.py [--people 200] [--goals 6]

It prints the machine's load, then for ``--people`` synthetic officers (seed 1) as of today
and ``--goals`` goal stages each (promotion, PIP, senior leadership, detective ...):

(a) in process (one :class:`~rules.engine.Evaluator`): median, p95 and worst seconds per
    search, and decisions per search;
(b) through :class:`rules.pool.EnginePool` ``route`` (the search runs in the worker, as the
    web asks it): median, p95 and worst seconds for the demo officers' goals, first time
    (the web keeps a plan per record, date and goal after that).

Target: the web's goal page answers in under 1 s at the median, 2 s at p95, on 2 cores.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import time

from pathways import SHIPPED_LIBRARY, load_library
from rules.engine import Evaluator
from rules.pool import EnginePool
from rules.route import find_routes
from workforce.demo import demo_officers
from workforce.synthetic import generate_people

GOALS = [
    "promotion.chief_inspector",
    "promotion.superintendent",
    "pip.level_3",
    "senior_leadership.spnac",
    "detective.detective_inspector",
    "fsl.stage_3",
    "promotion.inspector",
    "senior_leadership.commander",
]


def _figures(times: list[float]) -> str:
    times = sorted(times)
    p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
    return f"median {statistics.median(times):.3f} s, p95 {p95:.3f} s, worst {times[-1]:.3f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=200)
    parser.add_argument("--goals", type=int, default=6)
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    today = dt.date.today()
    library = load_library([SHIPPED_LIBRARY])
    evaluator = Evaluator(library)
    officers = [p for p in generate_people(args.people * 2, seed=1) if p.kind.value == "officer"]
    times: list[float] = []
    decisions: list[int] = []
    routes = 0
    for person in officers[: args.people]:
        for goal in GOALS[: args.goals]:
            start = time.perf_counter()
            plan = find_routes(evaluator.library, evaluator.decide, person, goal, today)
            times.append(time.perf_counter() - start)
            decisions.append(plan.searched)
            routes += len(plan.routes)
    print(
        f"(a) in process, {len(times)} searches: {_figures(times)}; decisions per search: "
        f"median {statistics.median(decisions):.0f}, worst {max(decisions)}; "
        f"{routes / len(times):.2f} routes per search"
    )
    with EnginePool(workers=1) as pool:
        pool.decide(officers[0], today)  # warm
        pooled = []
        for officer in demo_officers(today):
            for goal in GOALS:
                start = time.perf_counter()
                pool.route(officer.person, goal, today)
                pooled.append(time.perf_counter() - start)
    print(f"(b) through the engine pool, {len(pooled)} demo searches: {_figures(pooled)}")


if __name__ == "__main__":
    main()
