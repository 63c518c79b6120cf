"""Fault injection for the tests of :mod:`rules.pool`: not part of the public API.

Two environment variables, each a comma-separated list of person ids, read by each
worker when it starts. They let the tests make a real worker process crash, or the
engine fail, on one record, deterministically and without mocks.
"""

from __future__ import annotations

import os

from .session import EngineError

__all__ = ["CRASH_ENV", "FAIL_ENV", "Faults"]

#: A worker asked to evaluate one of these ids exits at once with code 139 (as a
#: segfault in durable-rules' C core would).
CRASH_ENV = "PATHWAYS_TEST_CRASH_ON"
#: A worker raises EngineError for these ids instead of evaluating them, as if the rules
#: engine had failed.
FAIL_ENV = "PATHWAYS_TEST_FAIL_ON"


class Faults:
    """The faults to inject in this worker, read from the environment once."""

    def __init__(self) -> None:
        self.crash_on = _ids(CRASH_ENV)
        self.fail_on = _ids(FAIL_ENV)

    def inject(self, person_id: str) -> None:
        """Crash or fail here if the tests asked for it for ``person_id``; else nothing."""
        if person_id in self.crash_on:
            os._exit(139)
        if person_id in self.fail_on:
            raise EngineError(f"test-only failure ({FAIL_ENV})")


def _ids(variable: str) -> set[str]:
    return {pid for pid in os.environ.get(variable, "").split(",") if pid}
