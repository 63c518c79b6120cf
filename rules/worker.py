"""What runs in a worker process of :class:`rules.pool.EnginePool`.

A worker loads the library once, builds one :class:`~rules.engine.Evaluator` and answers
chunks of records sent over a pipe: decisions, overviews, summaries, or route searches. It runs in a
process of its own ("spawn"), so a crash in durable-rules' C core ends this process, never
the pool's.
"""

from __future__ import annotations

import datetime as dt
import functools
import signal
from multiprocessing.connection import Connection

from pydantic import BaseModel

from accreditation.record import Person
from pathways.loader import load_library

from ._faults import Faults
from .engine import Evaluator
from .pooltypes import OVERVIEW
from .route import find_routes

__all__ = ["serve"]


def serve(conn: Connection, library_paths: list[str]) -> None:
    """Worker main loop: say hello with the library digest, then answer chunks.

    Messages to the pool: ``("ready", digest, pathway ids)`` or ``("failed", why)``
    once, then one ``("ok", decision json)`` or ``("error", why)`` per record, in
    order; ``("retire",)`` after the first engine failure, and it exits after that chunk.
    """
    # Ctrl-C reaches the whole process group; the pool decides when workers stop.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        evaluator = Evaluator(load_library(library_paths))
    except Exception as exc:
        conn.send(("failed", f"{type(exc).__name__}: {exc}"))
        conn.close()
        return
    faults = Faults()
    conn.send(("ready", evaluator.library.digest, list(evaluator.library.pathways)))
    tainted = False
    while not tainted:
        try:
            job = conn.recv()
        except EOFError:  # the pool's process is gone
            break
        if job is None:
            break
        as_of, wanted, mode, records = job
        day = dt.date.fromisoformat(as_of)
        for raw, named in records:
            try:
                person = Person.model_validate_json(raw)
                assessors = {k: Person.model_validate_json(v) for k, v in named.items()}
            except ValueError as exc:  # a bad record: the engine was not involved
                conn.send(("error", f"{type(exc).__name__}: {exc}"))
                continue
            try:
                faults.inject(person.id)  # nothing, unless a test asked for a fault
                made: BaseModel
                if mode == OVERVIEW:
                    made = evaluator.overview(person, day, wanted, assessors)
                elif isinstance(mode, str):  # "route:GOAL": the whole search, here
                    decide = functools.partial(evaluator.decide, assessors=assessors)
                    made = find_routes(evaluator.library, decide, person, mode[6:], day)
                elif mode:
                    made = evaluator.statuses(person, day, wanted, assessors)
                else:
                    made = evaluator.decide(person, day, wanted, assessors)
                reply = ("ok", made.model_dump_json())
            except Exception as exc:  # sent back to the caller
                # A failed evaluation may leave durable-rules state behind (a session
                # that could not be deleted): finish the chunk, then make way for a
                # fresh process, the one sure reset. Said before this record's answer,
                # which may be the chunk's last, so that the pool sends no more work.
                if not tainted:
                    conn.send(("retire",))
                tainted = True
                reply = ("error", f"{type(exc).__name__}: {exc}")
            conn.send(reply)
    conn.close()
