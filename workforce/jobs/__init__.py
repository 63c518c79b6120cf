"""Background jobs: whole-workforce work (population runs, reports, impact previews) asked
for by the web and the command line, queued in the store, worked by ``pathways worker``.

- :mod:`.kinds`: what each kind computes, who may start and see it, its parameters;
- :mod:`.queue`: asking for a job (or a fresh result), seeing one, cancelling one;
- :mod:`.worker`: the worker loop (claim, progress, lease, retry);
- :mod:`.library`: the library a job decides with, for a worker on any machine.
"""

from .kinds import KINDS, Kind, job_key
from .library import LibraryError, LibrarySpec, spec_of
from .queue import JobInvalid, JobNotFound, JobQueue, JobRefused
from .worker import Worker

__all__ = [
    "KINDS",
    "JobInvalid",
    "JobNotFound",
    "JobQueue",
    "JobRefused",
    "Kind",
    "LibraryError",
    "LibrarySpec",
    "Worker",
    "job_key",
    "spec_of",
]
