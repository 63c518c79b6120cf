"""Side by side, per person: every way this project decides stages, and GoRules ZEN.

    .venv/bin/pip install -e '.[bench]'   # zen-engine, for the ZEN rows (optional)
    .venv/bin/python benchmarks/compare.py [--people 2000] [--rounds 7] [--sample 300]

One process, the same records (the seeded synthetic workforce, seed 1, as of 2024-06-01)
and the same stages: the 8 stages of the hand-written floor (benchmarks/floor.py: PIP
levels 1-4, Senior PNAC with the FSL rule, promotion to sergeant, initial grounding,
qualified detective). Each round times every variant over every person, in a shuffled
order (interleaved, so that a change in the machine's load falls on all of them); the
figure is the median over rounds of the time per person. Variants:

- **floor**: ``floor(person, as_of)``, eligibility only (a bool per stage);
- **compiled**: the population evaluator (:mod:`rules.popcode`) on the stored form of the
  record (JSON data), status, eligible-from and lapse dates; on the floor's 8 stages, and
  on all 50;
- **ZEN**: GoRules ZEN (``zen-engine``), an expression node over a flattened record, in
  batch mode (``evaluate_batch``, every person in one call) and one call per person; the
  flattening (Python, the floor's own pass over the record) is timed with it;
- **batch**: :class:`rules.batch.BatchEvaluator` (the durable-rules ruleset matched in
  Python), every stage;
- **durable statuses**: the durable-rules engine, statuses and dates, no explanations;
- **overview**: what ``?detail=summary`` sends: statuses, dates, next steps and
  obligations, with the reasons built only for the stages next steps come from;
- **full decision**: the durable-rules engine, every pathway, with explanations and next
  steps.

The slower variants run on the first ``--sample`` people only. Parsing is shown apart:
the stored JSON into data (what the compiled evaluator reads) and into a validated
record (what every other variant reads). The script checks that the compiled evaluator,
ZEN and the floor agree on every person (eligible or held, against the rest) and exits
with status 1 if not. Figures are printed, not asserted: see benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from floor import STAGES, _add_months, floor, whole_months  # noqa: E402

from accreditation.record import Outcome, Person  # noqa: E402

AS_OF = dt.date(2024, 6, 1)
FSL_FROM = dt.date(2010, 4, 1)
_RANKS = [
    "constable",
    "sergeant",
    "inspector",
    "chief_inspector",
    "superintendent",
    "chief_superintendent",
    "commander",
    "deputy_assistant_commissioner",
    "assistant_commissioner",
    "deputy_commissioner",
    "commissioner",
]
_ORDER = {r: i for i, r in enumerate(_RANKS)}
_COUNTED = (
    "investigation",
    "trainee_detective_constable",
    "detective_constable",
    "roads_policing_investigator",
    "civilian_investigator",
    "investigative_support_staff",
    "senior_investigating_officer",
)
_ONE_DAY = dt.timedelta(days=1)


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores, {cpu}, Python {platform.python_version()}"


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f}, {five:.2f}, {fifteen:.2f}"


# --- ZEN: a flattened record and one expression node ---------------------------------------


def flatten(person: Person, as_of: dt.date) -> dict[str, Any]:
    """What ZEN's expressions read: the floor's own pass over the record, as plain data."""
    top, low = -1, 99
    for h in person.ranks:
        if (
            h.start <= as_of
            and (h.end is None or as_of <= h.end)
            and h.basis.value == "substantive"
        ):
            order = _ORDER.get(h.rank)
            if order is not None:
                top, low = max(top, order), min(low, order)
    pip_current = pip_lapsed = 0
    detective = grounded = False
    for award in person.credentials:
        if award.awarded > as_of:
            continue
        if award.credential == "pip":
            last = max([award.awarded, *(d for d in award.revalidated if d <= as_of)])
            if as_of < _add_months(last, 60):
                pip_current = max(pip_current, award.level or 0)
            else:
                pip_lapsed = max(pip_lapsed, award.level or 0)
        elif award.credential == "detective_qualification":
            detective = True
        elif award.credential == "initial_policing_qualification":
            grounded = True
    months = dict.fromkeys(_COUNTED, 0)
    running: dict[str, tuple[dt.date, dt.date | None]] = {}
    trainee = False
    for p in sorted(person.postings, key=lambda p: p.start):
        if p.start > as_of:
            continue
        trainee = trainee or p.role == "trainee_detective_constable"
        if p.role not in months:
            continue
        if p.end is not None and p.end < as_of:
            months[p.role] += whole_months(p.start, p.end + _ONE_DAY)
        elif p.role in running:
            running[p.role] = (min(running[p.role][0], p.start), running[p.role][1])
        else:
            running[p.role] = (p.start, p.end)
    for role, (start, end) in running.items():
        months[role] += whole_months(start, as_of if end is None else min(as_of, end + _ONE_DAY))
    return {
        "staff": person.kind.value == "staff",
        "top": top,
        "low": low,
        "courses": [c.course for c in person.courses if c.completed and c.completed <= as_of],
        "passed": [
            a.assessment
            for a in person.assessments
            if a.outcome is Outcome.PASSED and a.date <= as_of
        ],
        "endorsed": [
            e.endorsement
            for e in person.endorsements
            if e.date <= as_of and (e.expires is None or as_of <= e.expires)
        ],
        "pip": pip_current,
        "pipLapsed": pip_lapsed,
        "detective": detective,
        "grounded": grounded,
        "m": months,
        "service": whole_months(person.joined, as_of),
        "trainee": trainee,
        "fslRule": as_of >= FSL_FROM,
    }


ZEN_STAGES = {
    "pip_level_1": "pip >= 1 or (pipLapsed < 1 and (low <= 2 or (staff and "
    "(m.civilian_investigator >= 6 or m.investigative_support_staff >= 6))) and "
    "'pip_level_1_training' in courses)",
    "pip_level_2": "pip >= 2 or (pipLapsed < 2 and pip >= 1 and 'icidp' in courses and "
    "'national_investigators_exam' in passed and (m.investigation >= 12 or "
    "m.trainee_detective_constable >= 12 or m.detective_constable >= 12 or "
    "m.roads_policing_investigator >= 12 or m.civilian_investigator >= 12))",
    "pip_level_3": "pip >= 3 or (pipLapsed < 3 and pip >= 2 and top >= 2 and "
    "'sio_development_programme' in courses and m.senior_investigating_officer >= 12)",
    "pip_level_4": "pip >= 4 or (pipLapsed < 4 and pip >= 3 and top >= 4 and "
    "'major_crime_command_course' in courses and m.senior_investigating_officer >= 36)",
    "senior_leadership_spnac": "'spnac' in passed or (top >= 4 and "
    "'line_management_observations' in endorsed and 'mps_acpo_endorsement' in endorsed and "
    "'management_board_consideration' in endorsed and (not fslRule or ('fsl_stage_1' in "
    "courses and 'fsl_stage_2' in courses and 'fsl_stage_3' in courses)))",
    "promotion_sergeant": "top >= 1 or (top >= 0 and service >= 24 and "
    "'sergeants_exam' in passed and 'sergeant_promotion_board' in passed)",
    "recruit_initial_grounding": "grounded or ('initial_police_training' in courses and "
    "service >= 24)",
    "detective_qualified_detective": "detective or (trainee and "
    "m.trainee_detective_constable >= 12 and pip >= 2)",
}


def zen_engine() -> Any:
    """A ZEN engine holding one decision: input, an expression node per stage, output."""
    import zen  # the benchmark's optional dependency (the 'bench' extra)

    graph = {
        "nodes": [
            {"id": "in", "type": "inputNode", "name": "record", "position": {"x": 0, "y": 0}},
            {
                "id": "stages",
                "type": "expressionNode",
                "name": "stages",
                "position": {"x": 200, "y": 0},
                "content": {
                    "expressions": [
                        {"id": f"e{i}", "key": key, "value": value}
                        for i, (key, value) in enumerate(ZEN_STAGES.items())
                    ]
                },
            },
            {"id": "out", "type": "outputNode", "name": "result", "position": {"x": 400, "y": 0}},
        ],
        "edges": [
            {"id": "a", "sourceId": "in", "targetId": "stages", "type": "edge"},
            {"id": "b", "sourceId": "stages", "targetId": "out", "type": "edge"},
        ],
    }
    content = json.dumps(graph)
    return zen.ZenEngine({"loader": lambda key: content})


# --- timing ---------------------------------------------------------------------------------


def per_person(fn: Callable[[], Any], n: int) -> float:
    """Seconds per person for one call of ``fn`` that handles ``n`` people."""
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) / n


# Long: the comparison's measurements and its report, in the order they print; each part
# reads what the ones before it measured.
def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--sample", type=int, default=300, help="people for the slow variants")
    args = parser.parse_args()

    import orjson

    from pathways import SHIPPED_LIBRARY, load_library
    from rules.batch import BatchEvaluator
    from rules.engine import Evaluator
    from rules.popcode import PopulationEvaluator
    from workforce.synthetic import generate_people

    print(f"machine: {machine()}; at the start: {load()}", flush=True)
    library = load_library([SHIPPED_LIBRARY])
    people = list(generate_people(args.people, seed=1, as_of=AS_OF))
    texts = [p.model_dump_json() for p in people]
    records = [orjson.loads(t) for t in texts]
    sample = people[: args.sample]
    fast = PopulationEvaluator(library)
    eight = fast.function(tuple(STAGES))
    every = fast.function(fast.stage_keys())
    batch = BatchEvaluator(library)
    all_keys = batch.stage_keys()
    engine = Evaluator(library)
    day, iso = AS_OF.toordinal(), AS_OF.isoformat()
    try:
        zen = zen_engine()
    except ImportError:
        zen = None
        print("zen-engine is not installed (pip install -e '.[bench]'): no ZEN rows")

    n, s = len(people), len(sample)
    variants: dict[str, tuple[Callable[[], Any], int]] = {
        "floor, 8 stages (eligible or not)": (lambda: [floor(p, AS_OF) for p in people], n),
        "compiled, 8 stages (status and dates)": (
            lambda: [eight(r, day, iso) for r in records],
            n,
        ),
        "compiled, all 50 stages": (lambda: [every(r, day, iso) for r in records], n),
        "batch evaluator, all 50 stages": (
            lambda: [batch.compact(p, AS_OF, all_keys) for p in sample],
            s,
        ),
        "durable-rules statuses, all 50 stages": (
            lambda: [engine.statuses(p, AS_OF) for p in sample],
            s,
        ),
        "overview (?detail=summary), all pathways": (
            lambda: [engine.overview(p, AS_OF) for p in sample],
            s,
        ),
        "full explained decision, all pathways": (
            lambda: [engine.decide(p, AS_OF) for p in sample],
            s,
        ),
        "parse: stored JSON to data (orjson)": (lambda: [orjson.loads(t) for t in texts], n),
        "parse: stored JSON to a validated record": (
            lambda: [Person.model_validate_json(t) for t in texts],
            n,
        ),
    }
    if zen is not None:
        variants["ZEN batch, 8 stages, with flattening"] = (
            lambda: zen.evaluate_batch(
                [{"key": "stages", "context": flatten(p, AS_OF)} for p in people]
            ),
            n,
        )
        variants["ZEN one call per person, with flattening"] = (
            lambda: [zen.evaluate("stages", flatten(p, AS_OF)) for p in sample],
            s,
        )
        variants["ZEN's flattening alone"] = (lambda: [flatten(p, AS_OF) for p in people], n)

    if not check(people, records, eight, zen):
        return 1
    for fn, _ in variants.values():  # warm up
        fn()
    seen: dict[str, list[float]] = {name: [] for name in variants}
    order = list(variants)
    for _ in range(args.rounds):
        random.shuffle(order)
        for name in order:
            fn, count = variants[name]
            seen[name].append(per_person(fn, count))
    floor_us = statistics.median(seen["floor, 8 stages (eligible or not)"]) * 1e6
    print(f"\n{n:,} people ({s:,} for the slow rows), {args.rounds} interleaved rounds; median")
    print(f"{'variant':<46} {'us/person':>11} {'x floor':>8}  (min-max over rounds)")
    for name in variants:
        times = [t * 1e6 for t in seen[name]]
        median = statistics.median(times)
        print(
            f"{name:<46} {median:>11.1f} {median / floor_us:>8.1f}  "
            f"({min(times):.1f}-{max(times):.1f})"
        )
    print(f"\nat the end: {load()}")
    return 0


def check(people: list[Person], records: list[Any], eight: Any, zen: Any) -> bool:
    """The compiled evaluator and ZEN agree with the floor on every person and stage."""
    day, iso = AS_OF.toordinal(), AS_OF.isoformat()
    wrong = 0
    zen_results = (
        zen.evaluate_batch([{"key": "stages", "context": flatten(p, AS_OF)} for p in people])
        if zen is not None
        else None
    )
    for i, (person, record) in enumerate(zip(people, records, strict=True)):
        expected = floor(person, AS_OF)
        codes, _ = eight(record, day, iso)
        compiled = {key: codes[j] in (0, 1) for j, key in enumerate(STAGES)}  # held, eligible
        if compiled != expected:
            wrong += 1
            print(f"compiled != floor for {person.id}: {compiled} {expected}")
        if zen_results is not None:
            got = zen_results[i]["data"]["result"]
            mine = {key: bool(got[key.replace(".", "_")]) for key in STAGES}
            if mine != expected:
                wrong += 1
                print(f"ZEN != floor for {person.id}: {mine} {expected}")
    print(f"agreement: {len(people):,} people x {len(STAGES)} stages, {wrong} disagreements")
    return wrong == 0


if __name__ == "__main__":
    sys.exit(main())
