"""``pathways serve``: the web front end and JSON API (uvicorn, in the foreground)."""

from __future__ import annotations

import os
import secrets

import click

from store import default_url

from .options import db_option

__all__ = ["serve_command"]


@click.command("serve")
@db_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
@click.option(
    "--workers",
    default=2,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Rules-engine worker processes (the web server itself is one process).",
)
@click.option(
    "--processes",
    default=1,
    show_default=True,
    type=click.IntRange(1, 32),
    help="Web server processes (each with its own --workers rules-engine processes).",
)
@click.option(
    "--job-worker/--no-job-worker",
    default=True,
    show_default=True,
    help="Work background jobs (reports, population runs, impact previews) in each server "
    "process too; --no-job-worker when 'pathways worker' processes do it.",
)
@click.option(
    "--library",
    "library_dir",
    type=click.Path(exists=True, file_okay=False),
    default=None,
    help="Decide with this library directory instead of the database's active version.",
)
def serve_command(
    db_url: str | None,
    host: str,
    port: int,
    workers: int,
    processes: int,
    job_worker: bool,
    library_dir: str | None,
) -> None:
    """Start the web front end and the JSON API (uvicorn, in the foreground).

    Pages for officers and staff (My pathways, what if, print for a PDR), HR (records,
    the pathway library: upload, check, publish, roll back), equality and admin; the
    JSON API under /api, documented at /docs. Decisions use the database's active
    library version (the shipped library if none is published). Stop with Ctrl-C.

    \b
    Examples:
      pathways serve
      pathways serve --db sqlite:///var/pathways.db --port 8080
      pathways demo-users && pathways serve
      pathways serve --processes 4 --workers 1     # 4 server processes, 1 engine each
      pathways serve --no-job-worker & pathways worker   # jobs in a process of their own
    """
    # Loaded here, not at the top: every other command starts faster without the web stack.
    import uvicorn

    from web import SECRET_ENV, create_app
    from web.asgi import DB_ENV, ENGINE_WORKERS_ENV, JOB_WORKER_ENV, LIBRARY_ENV

    click.echo(f"serving on http://{host}:{port}/ (API docs: http://{host}:{port}/docs)")
    if processes == 1:
        app = create_app(db_url or default_url(), library_dir, workers, job_worker=job_worker)
        uvicorn.run(app, host=host, port=port, log_level="info")
        return
    os.environ[DB_ENV] = db_url or default_url()
    os.environ[ENGINE_WORKERS_ENV] = str(workers)
    os.environ[LIBRARY_ENV] = library_dir or ""
    os.environ[JOB_WORKER_ENV] = "1" if job_worker else "0"
    os.environ.setdefault(SECRET_ENV, secrets.token_hex(32))  # shared by every process
    uvicorn.run(
        "web.asgi:app",
        factory=True,
        host=host,
        port=port,
        workers=processes,
        log_level="info",
        # A process starting its engine workers on a busy machine takes longer than
        # uvicorn's 5 s: it would be killed and restarted, again and again.
        timeout_worker_healthcheck=60,
    )
