"""Background jobs in the store: the queue that web processes and the command line fill and
``pathways worker`` processes work, on one machine or many.

A job is queued with its kind, parameters and a key (a hash of both and of the library
version): while one job of a key is queued or running, asking again gives that job (a
unique index, so two web processes asking at once still make one). A worker **claims** the
oldest queued job in one transaction: on PostgreSQL the candidate row is locked with
``FOR UPDATE SKIP LOCKED``, so workers on several machines never take the same job and
never wait for each other; the update that takes it checks the state again, so on SQLite
(one writer at a time) the same holds. A running job holds one of ``limit`` **slots** (a
unique index over running jobs' slots): at most ``limit`` jobs run at once, whatever the
number of workers. Its worker renews its **lease** with each progress report; a job whose
lease runs out (its worker was killed, its machine lost) is queued again and retried, up
to ``max_attempts`` times. A job's result is kept with the records' stamp
(:func:`store.population.records_stamp`) it was made from, so a result made before a
record changed is known to be stale.

Times are UTC from the clock of the process that writes them (keep machines' clocks in
step, as NTP does; a lease is tens of seconds).

>>> import datetime as dt
>>> from store import Store
>>> jobs = Jobs(Store("sqlite://"))
>>> job, new = jobs.submit("population", {"as_of": "2024-06-01"}, key="k1", owner="hr", role="hr")
>>> new, job.state, jobs.submit("population", {}, key="k1", owner="eq", role="equality")[1]
(True, 'queued', False)
>>> claimed = jobs.claim("host:1:a", limit=1, lease=dt.timedelta(seconds=30))
>>> claimed.id == job.id, claimed.state, claimed.attempts
(True, 'running', 1)
>>> jobs.claim("host:2:b", limit=1, lease=dt.timedelta(seconds=30)) is None  # no slot free
True
>>> jobs.progress(job.id, "host:1:a", dt.timedelta(seconds=30), done=5, total=10)
'running'
>>> jobs.finish(job.id, "host:1:a", '{"people": 10}', records="10:10:x")
True
>>> jobs.get(job.id).state, jobs.latest_done("k1").result
('done', '{"people": 10}')
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from typing import Any, Literal

from sqlalchemy import Connection, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError, OperationalError

from .schema import JOB_STATES, jobs
from .store import Store, StoreError

__all__ = ["ACTIVE", "JOB_STATES", "Job", "JobLimit", "Jobs", "Progress"]

ACTIVE = ("queued", "running")
#: What a worker learns when it reports progress: go on, stop (asked to), or the job is no
#: longer its own (its lease ran out and it was queued again, or it finished elsewhere).
Progress = Literal["running", "cancel", "lost"]
_CLAIM_TRIES = 8


class JobLimit(StoreError):
    """Someone has as many jobs queued or running as they may: nothing was queued."""


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


@dataclass(frozen=True)
class Job:
    """A job as stored (``result`` is JSON text)."""

    id: str
    kind: str
    key: str
    params: dict[str, Any]
    library_version: str | None
    as_of: dt.date | None
    state: str
    owner: str
    role: str
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    lease_until: dt.datetime | None
    worker: str | None
    attempts: int
    max_attempts: int
    done: int
    total: int
    phase: str | None
    cancel: bool
    records: str | None
    result: str | None
    error: str | None

    @property
    def finished(self) -> bool:
        return self.state not in ACTIVE

    @property
    def percent(self) -> float:
        """How far it is, 0-100 (100 once done)."""
        if self.state == "done":
            return 100.0
        return 100.0 * self.done / self.total if self.total else 0.0

    def seconds_left(self, now: dt.datetime | None = None) -> float | None:
        """An estimate of the time left, from this attempt's pace so far; None until there
        is a pace to go by."""
        if self.state != "running" or self.started_at is None or not self.done or not self.total:
            return None
        spent = ((now or _now()) - self.started_at).total_seconds()
        return max(0.0, spent / self.done * (self.total - self.done))


def _job(row: Any) -> Job:
    data = {f.name: getattr(row, f.name) for f in fields(Job)}
    for name in ("started_at", "finished_at", "lease_until"):
        data[name] = _utc(data[name])
    data["created_at"] = _utc(row.created_at) or _now()
    data.update(params=dict(row.params), cancel=bool(row.cancel))
    return Job(**data)


class Jobs:
    """The job queue of ``store``. ``clock`` gives the time (UTC), for tests."""

    def __init__(self, store: Store, clock: Callable[[], dt.datetime] = _now):
        self.store = store
        self.clock = clock

    # --- asking -----------------------------------------------------------------------

    def submit(
        self,
        kind: str,
        params: dict[str, Any],
        *,
        key: str,
        owner: str,
        role: str,
        library_version: str | None = None,
        as_of: dt.date | None = None,
        max_attempts: int = 3,
        per_owner: int | None = None,
    ) -> tuple[Job, bool]:
        """Queue a job, or give the queued or running job of the same ``key``; whether it is
        new.

        Raises:
            JobLimit: if ``owner`` has ``per_owner`` jobs queued or running already.
            StoreError: if a name is longer than the database holds.
        """
        for _ in range(_CLAIM_TRIES):
            found = self.active(key)
            if found is not None:
                return found, False
            if per_owner is not None and self._active_of(owner) >= per_owner:
                raise JobLimit(
                    f"{owner} has {per_owner} jobs queued or running, the most one may have; "
                    "wait for one to finish, or cancel one"
                )
            job_id = secrets.token_hex(16)
            row: dict[str, Any] = {
                "id": job_id,
                "kind": kind,
                "key": key,
                "params": params,
                "library_version": library_version,
                "as_of": as_of,
                "state": "queued",
                "owner": owner,
                "role": role,
                "created_at": self.clock(),
                "attempts": 0,
                "max_attempts": max_attempts,
                "done": 0,
                "total": 0,
                "phase": "waiting for a worker",
                "cancel": False,
            }
            _fits(row)
            try:
                with self.store.transaction() as conn:
                    conn.execute(insert(jobs), [row])
            except IntegrityError:  # queued at the same moment by another process: take it
                continue
            except OperationalError:  # SQLite: the database was busy; try again
                continue
            made = self.get(job_id)
            assert made is not None
            return made, True
        raise StoreError("could not queue the job: the database stayed busy; try again")

    def _active_of(self, owner: str) -> int:
        with self.store.engine.connect() as conn:
            query = select(func.count()).where(jobs.c.owner == owner, jobs.c.state.in_(ACTIVE))
            return int(conn.execute(query).scalar_one())

    def cancel(self, job_id: str) -> Job | None:
        """Stop a job: a queued one at once, a running one when its worker next reports
        (its state turns ``cancelled``); a finished one is left as it is. None if there is
        no such job."""
        now = self.clock()
        with self.store.transaction() as conn:
            conn.execute(
                update(jobs)
                .where(jobs.c.id == job_id, jobs.c.state == "queued")
                .values(state="cancelled", finished_at=now, phase="cancelled")
            )
            conn.execute(
                update(jobs)
                .where(jobs.c.id == job_id, jobs.c.state == "running")
                .values(cancel=True, phase="stopping: cancelled")
            )
        return self.get(job_id)

    # --- reading ----------------------------------------------------------------------

    def get(self, job_id: str) -> Job | None:
        with self.store.engine.connect() as conn:
            row = conn.execute(select(jobs).where(jobs.c.id == job_id)).first()
        return _job(row) if row is not None else None

    def active(self, key: str) -> Job | None:
        """The queued or running job of ``key``, if any."""
        with self.store.engine.connect() as conn:
            row = conn.execute(
                select(jobs).where(jobs.c.key == key, jobs.c.state.in_(ACTIVE))
            ).first()
        return _job(row) if row is not None else None

    def latest_done(self, key: str, records: str | None = None) -> Job | None:
        """The newest finished job of ``key`` with a result (made from ``records``, the
        records' stamp, if given)."""
        query = select(jobs).where(jobs.c.key == key, jobs.c.state == "done")
        if records is not None:
            query = query.where(jobs.c.records == records)
        with self.store.engine.connect() as conn:
            row = conn.execute(query.order_by(jobs.c.finished_at.desc()).limit(1)).first()
        return _job(row) if row is not None else None

    def recent(
        self, *, owner: str | None = None, kinds: Sequence[str] | None = None, limit: int = 50
    ) -> list[Job]:
        """The newest jobs, of ``owner`` and ``kinds`` if given."""
        query = select(jobs).order_by(jobs.c.created_at.desc()).limit(limit)
        if owner is not None:
            query = query.where(jobs.c.owner == owner)
        if kinds is not None:
            query = query.where(jobs.c.kind.in_(list(kinds)))
        with self.store.engine.connect() as conn:
            return [_job(r) for r in conn.execute(query)]

    def done_dates(self, library_version: str, kinds: Sequence[str]) -> list[dt.date]:
        """The dates finished jobs of ``kinds`` decided the workforce on with
        ``library_version``, newest first."""
        query = (
            select(jobs.c.as_of)
            .where(
                jobs.c.library_version == library_version,
                jobs.c.kind.in_(list(kinds)),
                jobs.c.state == "done",
                jobs.c.as_of.is_not(None),
            )
            .distinct()
        )
        with self.store.engine.connect() as conn:
            return sorted((r[0] for r in conn.execute(query)), reverse=True)

    def counts(self) -> dict[str, int]:
        """How many jobs are in each state."""
        with self.store.engine.connect() as conn:
            rows = conn.execute(select(jobs.c.state, func.count()).group_by(jobs.c.state))
            found = {state: int(n) for state, n in rows}
        return {state: found.get(state, 0) for state in JOB_STATES}

    # --- working ----------------------------------------------------------------------

    def claim(self, worker: str, *, limit: int, lease: dt.timedelta) -> Job | None:
        """Take the oldest queued job for ``worker`` if fewer than ``limit`` run; None if
        there is none to take. (Workers call :meth:`requeue_expired` now and then: a job
        whose worker died is queued again there.)"""
        with self.store.engine.connect() as conn:  # most polls find nothing: read only
            queued = conn.execute(select(jobs.c.id).where(jobs.c.state == "queued").limit(1))
            if queued.first() is None:
                return None
        for _ in range(_CLAIM_TRIES):
            try:
                with self.store.transaction() as conn:
                    taken = self._take(conn, worker, limit, lease)
            except (IntegrityError, OperationalError):
                # Another worker took the same slot at the same moment (PostgreSQL), or the
                # database was busy (SQLite): look again.
                continue
            if taken is None:
                return None
            if taken:
                return self.get(taken)
        return None

    def _take(self, conn: Connection, worker: str, limit: int, lease: dt.timedelta) -> str | None:
        """The id taken ("" if another worker took the candidate first), None if nothing
        can be taken."""
        used = set(conn.execute(select(jobs.c.slot).where(jobs.c.state == "running")).scalars())
        free = [slot for slot in range(limit) if slot not in used]
        if not free:
            return None
        candidate = conn.execute(
            select(jobs.c.id)
            .where(jobs.c.state == "queued")
            .order_by(jobs.c.created_at, jobs.c.id)
            .limit(1)
            .with_for_update(skip_locked=True)
        ).scalar_one_or_none()
        if candidate is None:
            return None
        now = self.clock()
        done = conn.execute(
            update(jobs)
            .where(jobs.c.id == candidate, jobs.c.state == "queued")
            .values(
                state="running",
                slot=free[0],
                worker=worker,
                attempts=jobs.c.attempts + 1,
                started_at=now,
                lease_until=now + lease,
                done=0,
                total=0,
                phase="starting",
            )
        )
        return str(candidate) if done.rowcount == 1 else ""

    def progress(
        self,
        job_id: str,
        worker: str,
        lease: dt.timedelta,
        *,
        done: int | None = None,
        total: int | None = None,
        phase: str | None = None,
    ) -> Progress:
        """Report progress and renew the lease; whether to go on."""
        values: dict[str, Any] = {"lease_until": self.clock() + lease}
        if done is not None:
            values["done"] = done
        if total is not None:
            values["total"] = total
        if phase is not None:
            values["phase"] = phase[:200]
        mine = (jobs.c.id == job_id) & (jobs.c.worker == worker) & (jobs.c.state == "running")
        try:
            with self.store.transaction() as conn:
                if conn.execute(update(jobs).where(mine).values(**values)).rowcount != 1:
                    return "lost"
                cancel = conn.execute(select(jobs.c.cancel).where(jobs.c.id == job_id)).scalar()
        except OperationalError:  # SQLite busy: the lease is long enough for the next report
            return "running"
        return "cancel" if cancel else "running"

    def finish(self, job_id: str, worker: str, result: str, *, records: str | None) -> bool:
        """Store the result of a running job of ``worker``; False if it is no longer its."""
        return self._end(job_id, worker, state="done", result=result, records=records, phase="done")

    def fail(self, job_id: str, worker: str, error: str) -> bool:
        """A running job of ``worker`` failed (not to be retried); False if not its."""
        return self._end(job_id, worker, state="failed", error=error[:4000], phase="failed")

    def cancelled(self, job_id: str, worker: str) -> bool:
        """A running job of ``worker`` stopped as asked."""
        return self._end(job_id, worker, state="cancelled", phase="cancelled")

    def _end(self, job_id: str, worker: str, **values: Any) -> bool:
        mine = (jobs.c.id == job_id) & (jobs.c.worker == worker) & (jobs.c.state == "running")
        values.update(finished_at=self.clock(), slot=None, lease_until=None)
        if values.get("state") == "done":
            values["done"] = jobs.c.total
        with self.store.transaction() as conn:
            return bool(conn.execute(update(jobs).where(mine).values(**values)).rowcount == 1)

    def release(self, worker: str) -> int:
        """Queue again, without counting the attempt, the jobs ``worker`` is running (it is
        stopping cleanly); how many."""
        with self.store.transaction() as conn:
            return int(
                conn.execute(
                    update(jobs)
                    .where(jobs.c.worker == worker, jobs.c.state == "running")
                    .values(
                        state="queued",
                        slot=None,
                        worker=None,
                        lease_until=None,
                        attempts=jobs.c.attempts - 1,
                        phase="queued again: its worker stopped",
                    )
                ).rowcount
                or 0
            )

    def running_on(self, host: str) -> list[Job]:
        """The running jobs of workers on ``host`` (their ids start ``host:``)."""
        with self.store.engine.connect() as conn:
            rows = conn.execute(
                select(jobs).where(
                    jobs.c.state == "running", jobs.c.worker.startswith(f"{host}:", autoescape=True)
                )
            )
            return [_job(r) for r in rows]

    def requeue(self, job_id: str, worker: str) -> bool:
        """Queue a running job of ``worker`` again (its worker is known to be dead), or fail
        it if it has had its attempts."""
        return self._requeue((jobs.c.id == job_id) & (jobs.c.worker == worker)) > 0

    def requeue_expired(self) -> int:
        """Queue again the running jobs whose lease ran out (or fail those that have had
        their attempts); how many."""
        return self._requeue(jobs.c.lease_until < self.clock())

    def _requeue(self, which: Any) -> int:
        running = (jobs.c.state == "running") & which
        now = self.clock()
        try:
            with self.store.transaction() as conn:
                failed = conn.execute(
                    update(jobs)
                    .where(running, jobs.c.attempts >= jobs.c.max_attempts)
                    .values(
                        state="failed",
                        slot=None,
                        lease_until=None,
                        finished_at=now,
                        phase="failed",
                        error="its worker stopped during each of its attempts (killed, or "
                        "out of memory?); see the worker's log",
                    )
                ).rowcount
                again = conn.execute(
                    update(jobs)
                    .where(running)
                    .values(
                        state="queued",
                        slot=None,
                        worker=None,
                        lease_until=None,
                        phase="queued again: its worker stopped",
                    )
                ).rowcount
        except OperationalError:  # SQLite busy: the next claim looks again
            return 0
        return int(failed or 0) + int(again or 0)

    def prune(self, older_than: dt.timedelta) -> int:
        """Delete jobs that finished more than ``older_than`` ago; how many."""
        with self.store.transaction() as conn:
            return int(
                conn.execute(
                    delete(jobs).where(
                        jobs.c.state.not_in(ACTIVE), jobs.c.finished_at < self.clock() - older_than
                    )
                ).rowcount
                or 0
            )


def _fits(row: dict[str, Any]) -> None:
    for name in ("kind", "owner", "role", "key", "library_version"):
        value = row.get(name)
        length = getattr(jobs.c[name].type, "length", None)
        if isinstance(value, str) and length is not None and len(value) > length:
            raise StoreError(f"jobs.{name} is longer than {length} characters; nothing was queued")
