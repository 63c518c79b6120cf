"""Asking for whole-workforce work: the one place that decides who may start which job, who
may see it, and when a result already made can be given instead (the web, the API and the
command line all ask here).

A finished job's result is given again while it is **fresh**: made with the same library
version, on the same date, with the same parameters, from the records as they are now
(their stamp, :func:`store.population.records_stamp`: any record created, changed or
deleted since makes it stale). Otherwise asking queues a job, or gives the one queued or
running for the same work.

>>> import datetime as dt
>>> from store import Store
>>> from workforce.jobs.library import LibrarySpec, shipped_digest
>>> queue = JobQueue(Store("sqlite://"))
>>> params = {"library": {"digest": shipped_digest()}, "as_of": "2024-06-01"}
>>> job = queue.ask("population", params, owner="hr", role="hr")
>>> job.state, queue.ask("population", params, owner="eq", role="equality").id == job.id
('queued', True)
>>> queue.ask("equality", params, owner="pc", role="officer")
Traceback (most recent call last):
...
workforce.jobs.queue.JobRefused: officer users may not start equality monitoring
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from pydantic import ValidationError

from pathways.problems import CareerPathwaysError
from store import Store
from store.jobs import Job, Jobs
from store.population import PopulationCache, records_stamp

from .kinds import KINDS, RUN_KINDS, JobParams, Kind, PopulationParams, job_key

__all__ = ["PER_OWNER", "JobInvalid", "JobNotFound", "JobQueue", "JobRefused"]

#: Jobs one person may have queued or running at once.
PER_OWNER = 6


class JobRefused(CareerPathwaysError, PermissionError):
    """The user's role may not start (or see) this job."""


class JobNotFound(CareerPathwaysError, LookupError):
    """No such job, or none the user may see (the two are not told apart)."""


class JobInvalid(CareerPathwaysError, ValueError):
    """The kind or the parameters are not valid; ``errors`` lists each, located."""

    def __init__(self, message: str, errors: list[dict[str, str]] | None = None):
        super().__init__(message)
        self.errors = errors or []


def _kind(name: str) -> Kind:
    try:
        return KINDS[name]
    except KeyError:
        raise JobInvalid(
            f"no kind of job '{name[:40]}': one of {', '.join(KINDS)}",
            [{"field": "kind", "message": f"one of {', '.join(KINDS)}"}],
        ) from None


def parse_params(kind: Kind, params: dict[str, Any] | JobParams) -> JobParams:
    """``params`` validated for ``kind``.

    Raises:
        JobInvalid: naming each field that is wrong.
    """
    if isinstance(params, JobParams):
        params = params.model_dump(mode="json")
    try:
        return kind.params.model_validate(params)
    except ValidationError as exc:
        errors = [
            {"field": ".".join(str(p) for p in ("params", *e["loc"])), "message": e["msg"]}
            for e in exc.errors()
        ]
        raise JobInvalid(
            "; ".join(f"{e['field']}: {e['message']}" for e in errors), errors
        ) from None


class JobQueue:
    """Jobs of ``store`` as users ask for them and see them."""

    def __init__(self, store: Store):
        self.store = store
        self.jobs = Jobs(store)

    def ask(self, kind: str, params: dict[str, Any] | JobParams, *, owner: str, role: str) -> Job:
        """The job for this work: a fresh finished one, the one queued or running, or a new
        one.

        Raises:
            JobInvalid: an unknown kind, or parameters that are not valid.
            JobRefused: if ``role`` may not start it (an officer asking for a date nobody
                has computed: the message lists the dates there are).
            store.jobs.JobLimit: if ``owner`` has too many jobs queued or running.
        """
        found = _kind(kind)
        if role not in found.start:  # before the parameters: nothing is told to the refused
            raise JobRefused(f"{role} users may not start {found.words}")
        parsed = parse_params(found, params)
        if role in found.start_if_computed:
            dates = self.computed_dates(parsed.library.digest)
            if parsed.as_of not in dates:
                shown = ", ".join(d.isoformat() for d in dates[:10]) or "none yet"
                raise JobRefused(
                    f"{found.words} for {parsed.as_of} has not been computed; {role} users see "
                    f"the dates hr or equality computed: {shown}"
                )
            parsed = parsed.model_copy(update={"cached_only": True})
        key = job_key(kind, parsed)
        done = self.jobs.latest_done(key, records=records_stamp(self.store))
        if done is not None:
            return done
        whole = not (isinstance(parsed, PopulationParams) and parsed.pathways is not None)
        job, _ = self.jobs.submit(
            kind,
            parsed.model_dump(mode="json"),
            key=key,
            owner=owner,
            role=role,
            library_version=parsed.library.digest,
            as_of=parsed.as_of if whole and kind in RUN_KINDS else None,
            per_owner=PER_OWNER,
        )
        return job

    def latest(self, kind: str, params: dict[str, Any] | JobParams) -> Job | None:
        """The newest finished job for this work, fresh or not, without starting one (what
        users who may not start it are shown, with a word if it is stale)."""
        found = _kind(kind)
        return self.jobs.latest_done(job_key(kind, parse_params(found, params)))

    def get(self, job_id: str, role: str) -> Job:
        """A job ``role`` may see.

        Raises:
            JobNotFound: if there is none, or ``role`` may not see it.
        """
        job = self.jobs.get(job_id) if len(job_id) <= 32 else None
        if job is None or job.kind not in KINDS or role not in KINDS[job.kind].view:
            raise JobNotFound(f"no job '{job_id[:40]}'")
        return job

    def result(self, job: Job, role: str) -> dict[str, Any] | None:
        """A finished job's result as ``role`` may see it; None before it is done."""
        if job.state != "done" or job.result is None:
            return None
        data: dict[str, Any] = json.loads(job.result)
        return KINDS[job.kind].visible(data, role)

    def fresh(self, job: Job) -> bool:
        """Whether a finished job's result was made from the records as they are now."""
        return job.state == "done" and job.records == records_stamp(self.store)

    def computed_dates(self, library_version: str) -> list[dt.date]:
        """The dates the whole workforce was decided on with ``library_version``, newest
        first (officers see reports of these): by a job, or by a run that filled the
        population cache (the synchronous reports API, ``pathways report``)."""
        done = self.jobs.done_dates(library_version, RUN_KINDS)
        cached = PopulationCache(self.store).dates(library_version)
        return sorted(set(done) | set(cached), reverse=True)

    def recent(self, role: str, owner: str | None = None, limit: int = 50) -> list[Job]:
        """The newest jobs ``role`` may see (of ``owner`` if given)."""
        kinds = [k.name for k in KINDS.values() if role in k.view]
        return self.jobs.recent(owner=owner, kinds=kinds, limit=limit)

    def cancel(self, job_id: str, role: str, username: str) -> Job:
        """Stop a job: its owner may, and hr may stop any.

        Raises:
            JobNotFound: if there is none the user may see.
            JobRefused: if the user may see it but not stop it.
        """
        job = self.get(job_id, role)
        if job.owner != username and role != "hr":
            raise JobRefused("only the person who asked for a job, or hr, may cancel it")
        stopped = self.jobs.cancel(job.id)
        assert stopped is not None
        return stopped
