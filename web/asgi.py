"""The app for ``uvicorn --factory`` with several server processes (``pathways serve
--processes N``): each process builds its own app from the environment the parent set.

Sessions are signed with ``PATHWAYS_WEB_SECRET``, which the parent sets (to a random key if
the operator did not), so a cookie from one process is good in every other.
"""

from __future__ import annotations

import os

from fastapi import FastAPI

from .app import create_app

__all__ = ["DB_ENV", "ENGINE_WORKERS_ENV", "JOB_WORKER_ENV", "LIBRARY_ENV", "app"]

DB_ENV = "PATHWAYS_WEB_DB"
LIBRARY_ENV = "PATHWAYS_WEB_LIBRARY"
ENGINE_WORKERS_ENV = "PATHWAYS_WEB_ENGINE_WORKERS"
#: "0": this process works no background jobs (``pathways worker`` processes do).
JOB_WORKER_ENV = "PATHWAYS_WEB_JOB_WORKER"


def app() -> FastAPI:
    """Build the app from ``PATHWAYS_WEB_DB``, ``PATHWAYS_WEB_LIBRARY`` (optional) and
    ``PATHWAYS_WEB_ENGINE_WORKERS`` (and ``PATHWAYS_WEB_JOB_WORKER``).

    Raises:
        KeyError: if ``PATHWAYS_WEB_DB`` is not set.
    """
    return create_app(
        os.environ[DB_ENV],
        os.environ.get(LIBRARY_ENV) or None,
        int(os.environ.get(ENGINE_WORKERS_ENV, "1")),
        job_worker=os.environ.get(JOB_WORKER_ENV, "1") != "0",
    )
