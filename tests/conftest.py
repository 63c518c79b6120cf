"""Shared fixtures: the shipped library and an evaluator (once per session), and the
records store on SQLite and on a throwaway PostgreSQL server.

A test that takes ``db_url`` (or ``store``) runs twice, ``[sqlite]`` and
``[postgresql]``, each time on a fresh, empty database (the ``[postgresql]`` run is marked
``slow``: ``make test-fast`` leaves it out). The PostgreSQL server is
started once per session, on first use (see ``tests/pg.py``), and stopped and
deleted at the end. Without Debian's PostgreSQL server the ``[postgresql]`` tests
fail, saying to run ``scripts/system-deps.sh``; ``PATHWAYS_SKIP_POSTGRES=1``
skips them instead.
"""

from __future__ import annotations

import atexit
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hypothesis import settings
from pg import SKIP_ENV, PostgresServer, PostgresUnavailable, start_server
from shipped import shipped

from pathways import Library
from rules.engine import Evaluator
from store import Store
from web.app import create_app
from web.testing import Seeded, seed

# Hypothesis: the suite (``make test``, CI) draws the same examples every run, so that a red
# run always means a change broke something, never that a draw was unlucky; ``make
# test-explore`` draws new ones with many more examples (run it before a release and
# after changing the engine: it found the current-group bug of 2026-12-03). A property
# test still shows it can find its fault, deterministically. PATHWAYS_HYPOTHESIS picks.
settings.register_profile("suite", derandomize=True, print_blob=True)
settings.register_profile("explore", derandomize=False, print_blob=True)
settings.load_profile(os.environ.get("PATHWAYS_HYPOTHESIS", "suite"))

# Report pages wait this long for their background job before showing its progress page:
# long in tests, which read the report itself (test_web_jobs.py sets its own).
os.environ.setdefault("PATHWAYS_JOB_WAIT", "120")


@pytest.fixture(scope="session")
def library() -> Library:
    """The shipped pathway library, loaded once for the session (shared: never change it).

    A module that needs another library defines its own ``library`` fixture.
    """
    return shipped()


@pytest.fixture(scope="session")
def evaluator(library: Library) -> Evaluator:
    """An in-process evaluator of the shipped library, shared by the session."""
    return Evaluator(library)


@pytest.fixture(scope="session")
def postgres_server(request: pytest.FixtureRequest) -> PostgresServer:
    """A PostgreSQL server on a free loopback port, for the whole session."""
    if os.environ.get(SKIP_ENV) == "1":
        pytest.skip(f"{SKIP_ENV}=1: PostgreSQL storage tests skipped")
    try:
        server = start_server()
    except PostgresUnavailable as exc:
        problem = str(exc)
    else:
        request.addfinalizer(server.stop)
        atexit.register(server.stop)  # if the session ends without its teardown
        return server
    pytest.fail(problem, pytrace=False)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.slow)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL of a new, empty database: a SQLite file, or a PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.db'}"
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    name = f"test_{uuid.uuid4().hex[:16]}"
    url = server.create_database(name)
    try:
        yield url
    finally:
        server.drop_database(name)


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    """A migrated store on a fresh database (of each backend)."""
    opened = Store(db_url)
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture(scope="session")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Seeded:
    """The web store shared by the session: 12 synthetic people, a user and token per role.

    Tests add to it (records, tokens, library versions) and must not depend on what other
    modules added: use ids of your own, and count relative to what is there. A module that
    needs other data (tests/test_web_pages.py, test_web_reports.py, test_security.py)
    defines its own ``seeded``.
    """
    return seed(f"sqlite:///{tmp_path_factory.mktemp('web') / 'web.db'}")


@pytest.fixture(scope="session")
def client(seeded: Seeded) -> Iterator[TestClient]:
    """The app on the shared store, started once (its engine workers run all session)."""
    with TestClient(create_app(seeded.url, workers=1, four_eyes=False)) as c:
        yield c
