"""Load test: many signed-in officers using the web front end and API at once.

    .venv/bin/python benchmarks/loadtest.py [--duration 300] [--users 50] [--processes 2]
        [--engine-workers 1] [--backend sqlite|postgresql] [--db sqlite:///var/pathways.db]
        [--detail summary|full]
    make loadtest            # 300 s on SQLite, then 300 s on PostgreSQL

Starts ``pathways serve`` itself on a free loopback port (``--processes`` uvicorn
processes, each with ``--engine-workers`` rules-engine processes) over the demo database
(50,000 synthetic people; with ``--backend postgresql`` the same people are copied into a
throwaway PostgreSQL server started like the tests do). Each virtual user is an officer
with their own record: they sign in, then until the time is up open "My pathways", fetch
their decision from the API, run a what-if, or fetch the PIP diagram with their position,
pausing 0.5-1.5 s between requests as a person reading would. Prints throughput, p50, p95
and p99 latency per kind of request, and the errors (any non-2xx answer or failed
request). Exit status 1 if there was any error.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PASSWORD = "load-test-password"
KINDS = {"my_pathways": 0.3, "decision_api": 0.3, "what_if_api": 0.2, "diagram_svg": 0.2}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _users(db_url: str, count: int) -> list[str]:
    """``count`` officer users (username = their record's id), made if missing."""
    from sqlalchemy import select

    from store import Store
    from store.schema import people
    from store.users import Users

    store = Store(db_url)
    try:
        with store.engine.connect() as conn:
            ids = [
                r[0]
                for r in conn.execute(
                    select(people.c.id)
                    .where(people.c.kind == "officer")
                    .order_by(people.c.id)
                    .limit(count)
                )
            ]
        users = Users(store)
        for pid in ids:
            if users.get(pid, include_disabled=True) is None:
                users.add(pid, PASSWORD, "officer", pid, must_change=False)
            else:
                users.set_password(pid, PASSWORD)
        return ids
    finally:
        store.close()


def _postgres_copy(source: str) -> tuple[str, Any]:
    """A throwaway PostgreSQL server with the people of ``source`` copied in."""
    sys.path.insert(0, str(ROOT / "tests"))
    from pg import start_server

    from store import Store

    server = start_server()
    url = server.create_database("loadtest")
    target, origin = Store(url), Store(source)
    started = time.perf_counter()
    batch: list[Any] = []
    for person in origin.iter_people():
        batch.append(person)
        if len(batch) == 5000:
            target.save_people(batch, actor="loadtest")
            batch = []
    if batch:
        target.save_people(batch, actor="loadtest")
    active = origin.active_library()
    if active is not None:
        target.publish_library(active.files, active.digest, active.name, "loadtest")
    print(
        f"copied {target.count_people():,} people into PostgreSQL in "
        f"{time.perf_counter() - started:.0f} s",
        flush=True,
    )
    origin.close()
    target.close()
    return url, server


async def _user(
    base: str,
    pid: str,
    deadline: float,
    seen: dict[str, list[float]],
    errors: list[str],
    rng: random.Random,
) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=30.0) as client:
        page = await client.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert token, "no CSRF token on the sign-in page"
        r = await client.post(
            "/login", data={"username": pid, "password": PASSWORD, "csrf_token": token.group(1)}
        )
        if r.status_code not in (200, 303):
            errors.append(f"sign-in {pid}: {r.status_code}")
            return
        home = await client.get(f"/people/{pid}")
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', home.text)
        header = {"X-CSRF-Token": csrf.group(1)} if csrf else {}
        kinds, weights = list(KINDS), list(KINDS.values())
        while time.monotonic() < deadline:
            kind = rng.choices(kinds, weights)[0]
            started = time.perf_counter()
            try:
                if kind == "my_pathways":
                    r = await client.get(f"/people/{pid}")
                elif kind == "decision_api":
                    r = await client.get(
                        f"/api/people/{pid}/decisions", params={"detail": DETAIL[0]}
                    )
                elif kind == "what_if_api":
                    r = await client.post(
                        f"/api/people/{pid}/what-if",
                        json={"add": ["course:fsl_stage_3@2027-03-01"]},
                        headers=header,
                    )
                else:
                    r = await client.get(f"/api/pathways/pip/diagram.svg?person={pid}")
                if r.status_code >= 300:
                    errors.append(f"{kind} {pid}: {r.status_code} {r.text[:100]}")
            except httpx.HTTPError as exc:
                errors.append(f"{kind} {pid}: {type(exc).__name__}: {exc}")
            seen[kind].append(time.perf_counter() - started)
            await asyncio.sleep(rng.uniform(0.5, 1.5))


DETAIL = ["summary"]  # the decision API's ?detail= (--detail)


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


async def _run(
    base: str, ids: list[str], duration: float
) -> tuple[dict[str, list[float]], list[str]]:
    seen: dict[str, list[float]] = defaultdict(list)
    errors: list[str] = []
    deadline = time.monotonic() + duration
    rng = random.Random(7)
    await asyncio.gather(
        *(_user(base, pid, deadline, seen, errors, random.Random(rng.random())) for pid in ids)
    )
    return seen, errors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=300)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--engine-workers", type=int, default=1)
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument(
        "--detail", choices=["summary", "full"], default="summary", help="decision API detail"
    )
    parser.add_argument("--db", default=f"sqlite:///{ROOT / 'var' / 'pathways.db'}")
    args = parser.parse_args()
    DETAIL[0] = args.detail

    server = None
    db = args.db
    if args.backend == "postgresql":
        db, server = _postgres_copy(args.db)
    ids = _users(db, args.users)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "PATHWAYS_WEB_SECRET": "loadtest-" + str(port)}
    log = open(ROOT / "var" / f"loadtest-{args.backend}.log", "wb")  # noqa: SIM115 - the server's
    command = [str(Path(sys.executable).parent / "pathways"), "serve", "--db", db]
    command += ["--port", str(port), "--processes", str(args.processes)]
    command += ["--workers", str(args.engine_workers)]
    proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
    try:
        _wait_for(base + "/login")
        import platform

        load = os.getloadavg()[0]
        print(
            f"machine: {os.cpu_count()} cores, Python {platform.python_version()}, "
            f"load average {load:.2f}; backend {args.backend}; {args.processes} server "
            f"processes x {args.engine_workers} engine workers; {len(ids)} users for "
            f"{args.duration:.0f} s; decision API detail={args.detail} (gzip accepted)",
            flush=True,
        )
        started = time.perf_counter()
        seen, errors = asyncio.run(_run(base, ids, args.duration))
        elapsed = time.perf_counter() - started
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
        if server is not None:
            server.stop()
    _print_results(seen, errors, elapsed)
    sys.exit(1 if errors else 0)


def _wait_for(url: str) -> None:
    """Until ``url`` answers 200 (the server is up), for at most a minute."""
    for _ in range(300):
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit("the server did not start: see var/loadtest-*.log")


def _print_results(seen: dict[str, list[float]], errors: list[str], elapsed: float) -> None:
    total = sum(len(v) for v in seen.values())
    print(
        f"{total:,} requests in {elapsed:.0f} s = {total / elapsed:.1f} requests/s; "
        f"errors: {len(errors)}"
    )
    print(f"{'kind':<14} {'count':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    for kind in KINDS:
        values = seen.get(kind, [])
        if values:
            print(
                f"{kind:<14} {len(values):>7} {statistics.median(values) * 1000:>8.1f} "
                f"{_pct(values, 0.95):>8.1f} {_pct(values, 0.99):>8.1f} "
                f"{max(values) * 1000:>8.1f}"
            )
    for line in errors[:10]:
        print("error:", line)


if __name__ == "__main__":
    main()
