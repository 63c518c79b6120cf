"""What :class:`rules.pool.EnginePool` reports: its two errors and its statistics."""

from __future__ import annotations

from dataclasses import dataclass

from .decision import Decision, DecisionOverview, DecisionSummary
from .route_plan import RoutePlan
from .session import EngineError

__all__ = ["OVERVIEW", "Answer", "PoolStats", "WorkerCrashed", "WorkerError", "answer_model"]

#: The job mode that asks workers for overviews (the other modes: True, summaries;
#: False, decisions; "route:GOAL", a route search).
OVERVIEW = "overview"


class WorkerError(EngineError):
    """Evaluating one record failed inside a worker (the worker itself is fine)."""

    def __init__(self, person: str, detail: str):
        super().__init__(f"evaluating person '{person}' failed in a rules worker: {detail}")
        self.person = person
        self.detail = detail


class WorkerCrashed(EngineError):
    """A record killed a worker process every time it was tried."""

    def __init__(self, person: str, attempts: int, how: str):
        super().__init__(
            f"evaluating person '{person}' crashed a rules worker {attempts} time(s) "
            f"(last: {how}); no decision was made"
        )
        self.person = person
        self.attempts = attempts


@dataclass(frozen=True)
class PoolStats:
    """What the pool has done so far: records answered per worker pid, restarts, re-sent records."""

    answered_by_pid: dict[int, int]
    restarts: int
    retried: int


#: What a worker answers for one record.
Answer = Decision | DecisionSummary | DecisionOverview | RoutePlan


def answer_model(mode: bool | str) -> type[Answer]:
    """The model of the answers to a job of ``mode`` (see :data:`OVERVIEW`)."""
    if mode == OVERVIEW:
        return DecisionOverview
    if isinstance(mode, str):
        return RoutePlan
    return DecisionSummary if mode else Decision
