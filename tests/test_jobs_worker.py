"""Background jobs worked by a real worker: each kind gives what the reports give when made
directly; a fresh result is given again and a record change makes a new job; who may start
and see which job; and a worker killed with SIGKILL mid-run: its job is retried by another
worker and gives the same result (SQLite and PostgreSQL), and its engine processes end."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from accreditation.periods import add_months
from pathways import SHIPPED_LIBRARY, load_library
from pathways.model.library import Library
from store import Store
from store.jobs import Job, Jobs
from store.population import PopulationCache
from workforce.jobs import JobQueue, JobRefused, Worker
from workforce.jobs.library import shipped_digest
from workforce.population import PopulationRun, evaluate_population
from workforce.reports import monitor, pipeline, project, published
from workforce.reports.compliance import compliance, compliance_rows
from workforce.reports.export import equality_data, pipeline_data
from workforce.synthetic import generate_people

pytestmark = pytest.mark.slow  # population runs and killed workers

PATHWAYS = str(Path(sys.executable).parent / "pathways")
DAY = dt.date(2024, 6, 1)


def _params(**more: object) -> dict[str, object]:
    return {"library": {"digest": shipped_digest()}, "as_of": DAY.isoformat(), **more}


def _work(store: Store) -> None:
    worker = Worker(store, processes=1, poll=0.05)
    try:
        worker.serve(until_empty=True)
    finally:
        worker.close()


def _expected_equality(run: PopulationRun, library: Library, by: str) -> dict[str, object]:
    """The equality job's result, made directly (and through JSON, as stored)."""
    report = monitor(run, library, by, "promotion")
    projection = published(project(run, "promotion.superintendent", add_months(DAY, 24)))
    data: dict[str, object] = json.loads(json.dumps(equality_data(report, [], projection)))
    return data


def _done(store: Store, job: Job) -> Job:
    found = Jobs(store).get(job.id)
    assert found is not None
    assert found.state == "done", (found.state, found.error)
    return found


def test_jobs_give_what_the_reports_give_made_directly(store: Store) -> None:
    store.save_people(generate_people(120, seed=41), actor="test")
    queue = JobQueue(store)
    asked = {
        "pipeline": queue.ask(
            "pipeline", _params(target="promotion.sergeant"), owner="hr", role="hr"
        ),
        "equality": queue.ask("equality", _params(by="gender"), owner="eq", role="equality"),
        "population": queue.ask("population", _params(), owner="hr", role="hr"),
    }
    _work(store)
    run = evaluate_population(store, [SHIPPED_LIBRARY], DAY, workers=1, cache=False)
    library = load_library([SHIPPED_LIBRARY])
    got = {kind: queue.result(_done(store, job), "hr") for kind, job in asked.items()}
    assert got["pipeline"] == pipeline_data(
        pipeline(run, "promotion.sergeant"), "Sergeant (Promotion ladder)", 120
    )
    assert got["equality"] == _expected_equality(run, library, "gender")
    population = got["population"]
    assert population is not None and population["people"] == 120
    held = sum(1 for p in run.people if p.status("promotion", "constable") == "held")
    assert population["stages"]["promotion.constable"].get("held", 0) == held


def test_a_compliance_job_gives_the_report_and_names_only_to_hr(store: Store) -> None:
    store.save_people(generate_people(120, seed=45), actor="test")
    queue = JobQueue(store)
    with pytest.raises(JobRefused):
        queue.ask("compliance", _params(), owner="pc", role="officer")
    job = queue.ask("compliance", _params(by="gender", window=60), owner="eq", role="equality")
    _work(store)
    done = _done(store, job)
    library = load_library([SHIPPED_LIBRARY])
    direct = compliance_rows(compliance(store, library, DAY, 60), "gender")
    assert direct["entries"], "the seed gives people who must act: the names rule is tested"
    assert queue.result(done, "hr") == json.loads(json.dumps(direct))
    seen = queue.result(done, "equality")
    assert seen is not None and seen["entries"] is None
    assert seen["counts"] == direct["counts"] and seen["equality"] == direct["equality"]


def test_a_fresh_result_is_given_again_and_a_record_change_makes_a_new_job(store: Store) -> None:
    people = list(generate_people(40, seed=42))
    store.save_people(people, actor="test")
    queue = JobQueue(store)
    first = queue.ask("population", _params(), owner="hr", role="hr")
    _work(store)
    again = queue.ask("population", _params(), owner="eq", role="equality")
    assert again.id == first.id and again.state == "done" and queue.fresh(again)
    store.save_people([people[0].model_copy(update={"courses": []})], actor="test")
    assert not queue.fresh(_done(store, first))
    after = queue.ask("population", _params(), owner="hr", role="hr")
    assert after.id != first.id and after.state == "queued"
    _work(store)
    result = queue.result(_done(store, after), "hr")
    assert result is not None and (result["decided"], result["from_cache"]) == (1, 39)


def test_officers_never_start_a_run_and_see_no_names(store: Store) -> None:
    store.save_people(generate_people(60, seed=43), actor="test")
    queue = JobQueue(store)
    for kind in ("population", "equality", "trend", "impact"):
        with pytest.raises(JobRefused):
            queue.ask(kind, _params(stage="promotion.sergeant"), owner="pc", role="officer")
    with pytest.raises(JobRefused, match="none yet"):  # nobody computed the date
        queue.ask("pipeline", _params(), owner="pc", role="officer")
    equality = queue.ask("equality", _params(), owner="eq", role="equality")
    _work(store)
    _done(store, equality)
    # The date is computed now: an officer's pipeline decides nobody, from the cache.
    officers = queue.ask(
        "pipeline", _params(target="promotion.inspector"), owner="pc", role="officer"
    )
    assert officers.params["cached_only"] is True
    _work(store)
    seen = queue.result(_done(store, officers), "officer")
    assert seen is not None and seen["total"]["people"] is None
    assert queue.result(_done(store, officers), "hr")["total"]["people"] is not None  # type: ignore[index]
    with pytest.raises(LookupError):
        queue.get(equality.id, "officer")  # equality data: equality and hr only
    other = (DAY - dt.timedelta(days=1)).isoformat()
    with pytest.raises(JobRefused, match=DAY.isoformat()):
        queue.ask("pipeline", _params(as_of=other), owner="pc", role="officer")


# --- a worker killed mid-run -----------------------------------------------------------------

PEOPLE = 6000


def _children(pid: int) -> list[int]:
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    return [int(p) for p in found.split()]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().split()[2] != "Z"


def _worker(url: str, log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [PATHWAYS, "worker", "--db", url, "--lease", "3", "--processes", "1", "--once"],
            stdout=subprocess.DEVNULL,
            stderr=out,
        )


def test_a_job_whose_worker_is_killed_is_retried_and_gives_the_same_result(
    db_url: str, tmp_path: Path
) -> None:
    store = Store(db_url)
    workers: list[subprocess.Popen[bytes]] = []
    try:
        store.save_people(generate_people(PEOPLE, seed=44), actor="test")
        queue = JobQueue(store)
        job = queue.ask("equality", _params(by="ethnicity"), owner="eq", role="equality")
        log = tmp_path / "worker.log"
        first = _worker(db_url, log)
        workers.append(first)
        deadline = time.monotonic() + 120
        while True:  # kill it once it has decided some people, well before the end
            seen = Jobs(store).get(job.id)
            assert seen is not None and seen.state in ("queued", "running"), log.read_text()
            if seen.state == "running" and 0 < seen.done < PEOPLE * 0.8:
                break
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.05)
        engines = _children(first.pid)
        first.send_signal(signal.SIGKILL)
        first.wait()
        killed = Jobs(store).get(job.id)
        assert killed is not None and killed.state == "running" and killed.attempts == 1
        # Its engine processes see their parent gone and end too.
        deadline = time.monotonic() + 15
        while any(_alive(p) for p in engines) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not any(_alive(p) for p in engines), "engine processes left behind"

        second = _worker(db_url, log)  # on the same machine: it sees the first is gone
        workers.append(second)
        assert second.wait(180) == 0, log.read_text()
        retried = _done(store, job)
        assert retried.attempts == 2
        assert "gone; queued again" in log.read_text()

        PopulationCache(store).clear()
        run = evaluate_population(store, [SHIPPED_LIBRARY], DAY, workers=1, cache=False)
        expected = _expected_equality(run, load_library([SHIPPED_LIBRARY]), "ethnicity")
        assert queue.result(retried, "equality") == expected
    finally:
        for proc in workers:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        store.close()
