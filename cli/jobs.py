"""``pathways worker`` and ``pathways jobs``: background jobs on the store's queue.

``pathways worker`` works the queue (``pathways serve`` starts one of its own); ``pathways
jobs submit`` asks for a population run, a report or a trend as a job and, with ``--wait``,
follows its progress (percent, people done, time left) and prints its result as JSON.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
import logging
import signal
import sys
import time
from pathlib import Path
from typing import Any

import click
from rich.progress import BarColumn, Progress, TextColumn

from pathways.loader import SHIPPED_LIBRARY
from store import Store
from store.jobs import Job, JobLimit
from workforce.jobs import KINDS, JobInvalid, JobNotFound, JobQueue, JobRefused, Worker
from workforce.jobs.library import LibraryError, LibrarySpec, spec_of

from .options import db_option, open_store, quiet_option, stderr_console

__all__ = ["jobs_group", "worker_command"]

#: The command line works with the store directly: it is trusted like hr.
CLI_ROLE = "hr"


def _owner() -> str:
    try:
        return f"cli:{getpass.getuser()}"[:100]
    except (KeyError, OSError):  # no user name in a bare container
        return "cli"


@click.command("worker")
@db_option
@click.option(
    "--limit",
    type=click.IntRange(1, 64),
    default=2,
    show_default=True,
    help="Jobs running at once over every worker of the store (give each worker the same).",
)
@click.option(
    "--processes",
    type=click.IntRange(1, 64),
    default=2,
    show_default=True,
    help="Engine processes a population run uses.",
)
@click.option(
    "--lease",
    type=click.FloatRange(1, 3600),
    default=30.0,
    show_default=True,
    help="Seconds a job stays this worker's without a progress report; a killed worker's "
    "job is queued again after it.",
)
@click.option(
    "--scheduler",
    metavar="tcp://HOST:PORT",
    default=None,
    help="Run population runs on this Dask cluster (the 'cluster' extra).",
)
@click.option("--once", is_flag=True, help="Stop when the queue is empty.")
@click.option("--max-jobs", type=click.IntRange(1), default=None, help="Stop after this many.")
@quiet_option
def worker_command(
    db_url: str | None,
    limit: int,
    processes: int,
    lease: float,
    scheduler: str | None,
    once: bool,
    max_jobs: int | None,
    quiet: bool,
) -> None:
    """Work the background jobs of the store: population runs, reports, trends and impact
    previews asked for on the web, in the API or with 'pathways jobs submit'.

    Run as many as you like, on this machine or others (on PostgreSQL they share the queue
    safely); at most --limit jobs run at once over all of them. A job whose worker is
    killed is queued again after --lease seconds and retried (3 attempts). Ctrl-C or
    SIGTERM stops the worker; a job in hand is queued again for another.

    \b
    Examples:
      pathways worker
      pathways worker --db postgresql+psycopg://pathways@db/pathways --limit 4
      pathways worker --scheduler tcp://10.0.0.5:8786
      pathways worker --once          # work what is queued, then stop
    """
    logging.basicConfig(
        level=logging.WARNING if quiet else logging.INFO,
        format="%(asctime)s %(name)s %(message)s",
        stream=sys.stderr,
    )
    store = open_store(db_url)
    worker = Worker(store, limit=limit, lease=lease, processes=processes, scheduler=scheduler)

    def stop(signum: int, frame: Any) -> None:
        worker.stop()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if not quiet:
        click.echo(f"worker {worker.name}: working the jobs of {_shown(store)}", err=True)
    try:
        worked = worker.serve(max_jobs=max_jobs, until_empty=once)
    finally:
        worker.close()
        store.close()
    if not quiet:
        click.echo(f"worker {worker.name}: stopped after {worked} job(s)", err=True)


def _shown(store: Store) -> str:
    return store.engine.url.render_as_string(hide_password=True)


@click.group("jobs")
def jobs_group() -> None:
    """Background jobs: submit one, follow it, list them, cancel one.

    \b
    Examples:
      pathways jobs submit equality --as-of 2024-06-01 --by gender --wait
      pathways jobs submit pipeline --target promotion.inspector --wait > pipeline.json
      pathways jobs list
      pathways jobs watch 3f2a9c1b...
      pathways jobs cancel 3f2a9c1b...
    """


def _spec(store: Store, library: Path | None) -> LibrarySpec:
    if library is not None:
        return spec_of(library, None)
    version = store.active_library()
    return spec_of(Path(SHIPPED_LIBRARY), version)


@jobs_group.command("submit")
@click.argument("kind", type=click.Choice(list(KINDS)))
@db_option
@click.option("--as-of", "as_of", type=click.DateTime(["%Y-%m-%d"]), help="Default: today.")
@click.option("--library", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--target", help="pipeline: the stage, pathway.stage.")
@click.option("--pathway", help="equality: one pathway (default promotion; 'all' for every one).")
@click.option(
    "--by",
    help="equality, trend, compliance: ethnicity, bme, gender, disability, or two joined by +.",
)
@click.option("--reference", help="equality, trend: the group compared with.")
@click.option("--stage", help="trend: the stage, pathway.stage.")
@click.option(
    "--window", type=click.IntRange(0, 3660), help="compliance: days ahead counted as due."
)
@click.option("--wait", is_flag=True, help="Follow its progress; print its result as JSON.")
@quiet_option
def submit_command(
    kind: str,
    db_url: str | None,
    as_of: dt.datetime | None,
    library: Path | None,
    target: str | None,
    pathway: str | None,
    by: str | None,
    reference: str | None,
    stage: str | None,
    window: int | None,
    wait: bool,
    quiet: bool,
) -> None:
    """Ask for a KIND of job (population, pipeline, equality, trend, compliance) on the store's
    workforce. A result already made from the records as they are is given at once. A
    worker must be running ('pathways worker', or 'pathways serve'). Prints the job's id,
    or with --wait its result as JSON. Impact previews: 'pathways impact' (in process) or
    the web."""
    if kind == "impact":
        raise click.UsageError(
            "impact previews: 'pathways impact OLD NEW', or the web's library page"
        )
    store = open_store(db_url)
    try:
        params: dict[str, Any] = {
            "library": _spec(store, library).model_dump(exclude_none=True),
            "as_of": (as_of.date() if as_of else dt.date.today()).isoformat(),
        }
        given = {
            "target": target,
            "by": by,
            "reference": reference,
            "stage": stage,
            "window": window,
        }
        params.update({k: v for k, v in given.items() if v is not None})
        if pathway is not None:
            params["pathway"] = None if pathway == "all" else pathway
        queue = JobQueue(store)
        try:
            job = queue.ask(kind, params, owner=_owner(), role=CLI_ROLE)
        except (JobInvalid, JobRefused, JobLimit, LibraryError) as exc:
            raise click.UsageError(str(exc)) from None
        if not wait:
            click.echo(job.id)
            if not quiet:
                click.echo(f"{KINDS[kind].words}: {_state(job)}", err=True)
            return
        _follow(queue, job, quiet)
    finally:
        store.close()


@jobs_group.command("watch")
@click.argument("job_id")
@db_option
@quiet_option
def watch_command(job_id: str, db_url: str | None, quiet: bool) -> None:
    """Follow a job's progress until it ends; print its result as JSON."""
    store = open_store(db_url)
    try:
        queue = JobQueue(store)
        try:
            job = queue.get(job_id, CLI_ROLE)
        except JobNotFound as exc:
            raise click.UsageError(str(exc)) from None
        _follow(queue, job, quiet)
    finally:
        store.close()


def _follow(queue: JobQueue, job: Job, quiet: bool) -> None:
    """Show progress on stderr until ``job`` ends; its result on stdout, or exit 1."""
    show = not quiet and sys.stderr.isatty()
    last = ""
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.fields[line]}"),
        console=stderr_console(),
        transient=True,
        disable=not show,
    ) as bar:
        task = bar.add_task(KINDS[job.kind].words, total=100, line="")
        while not job.finished:
            line = _state(job)
            bar.update(task, completed=job.percent, description=job.phase or "", line=line)
            if not show and not quiet and line != last and job.state == "running":
                click.echo(line, err=True)  # off a terminal: a line per change
                last = line
            time.sleep(0.5)
            found = queue.jobs.get(job.id)
            assert found is not None
            job = found
    if job.state != "done":
        click.echo(f"job {job.id} {job.state}: {job.error or job.phase or ''}", err=True)
        sys.exit(1)
    if not quiet:
        click.echo(f"job {job.id}: {_state(job)}", err=True)
    click.echo(json.dumps(queue.result(job, CLI_ROLE), indent=2))


def _state(job: Job) -> str:
    """A job's state in words: ``running: 42% (21,000 of 50,000 people), about 12 s left``."""
    if job.state == "running":
        left = job.seconds_left()
        words = f"running: {job.percent:.0f}%"
        if job.total:
            words += f" ({job.done:,} of {job.total:,} people)"
        if left is not None:
            words += f", about {left:,.0f} s left"
        return words
    if job.state == "queued":
        return "queued, waiting for a worker"
    if job.state == "done" and job.finished_at and job.started_at:
        return f"done in {(job.finished_at - job.started_at).total_seconds():.1f} s"
    return job.state


@jobs_group.command("list")
@db_option
@click.option("--limit", type=click.IntRange(1, 1000), default=20, show_default=True)
def list_command(db_url: str | None, limit: int) -> None:
    """The newest jobs, newest first: id, kind, date, state, progress, who asked."""
    store = open_store(db_url)
    try:
        jobs = JobQueue(store).recent(CLI_ROLE, limit=limit)
    finally:
        store.close()
    if not jobs:
        click.echo("no jobs")
        return
    for job in jobs:
        when = job.as_of or job.params.get("as_of", "")
        click.echo(f"{job.id}  {job.kind:<10}  {when!s:<10}  {_state(job):<45}  {job.owner}")


@jobs_group.command("cancel")
@click.argument("job_id")
@db_option
def cancel_command(job_id: str, db_url: str | None) -> None:
    """Cancel a job: a queued one at once, a running one at its next progress report."""
    store = open_store(db_url)
    try:
        try:
            job = JobQueue(store).cancel(job_id, CLI_ROLE, _owner())
        except (JobNotFound, JobRefused) as exc:
            raise click.UsageError(str(exc)) from None
    finally:
        store.close()
    click.echo(
        f"job {job.id}: {job.state}{' (stopping)' if job.cancel and not job.finished else ''}"
    )
