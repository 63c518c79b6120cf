"""What the routes share: the stored record they act on and the decision for it.

Routes call these after their access check; they turn store and engine failures into
problem details (404, 503).
"""

from __future__ import annotations

import datetime as dt
import logging

from fastapi import Request

from accreditation.record import Person
from rules.decision import Decision, DecisionOverview
from rules.session import EngineError

from .problems import Problem
from .service import DecisionService
from .state import service_of, store_of

__all__ = ["decide_for", "overview_for", "person_for"]

log = logging.getLogger("web")


def person_for(request: Request, person_id: str) -> Person:
    """The stored record (the caller has been checked already).

    Raises:
        Problem(404): if there is none.
    """
    person = store_of(request).get_person(person_id)
    if person is None:
        raise Problem(404, f"no record with id '{person_id}'", kind="not-found")
    assert isinstance(person, Person)
    return person


def overview_for(request: Request, person: Person, as_of: dt.date | None) -> DecisionOverview:
    """The decision without its requirement trees, made in an engine worker.

    Raises:
        Problem(503): if the rules engine failed for this record.
    """
    try:
        return service_of(request).overview(person, as_of)
    except EngineError as exc:
        raise _unavailable(person, exc) from None


def decide_for(request: Request, person: Person, as_of: dt.date | None) -> Decision:
    """The decision, made in an engine worker.

    Raises:
        Problem(503): if the rules engine failed for this record.
    """
    service: DecisionService = service_of(request)
    try:
        return service.decide(person, as_of)
    except EngineError as exc:
        raise _unavailable(person, exc) from None


def _unavailable(person: Person, exc: EngineError) -> Problem:
    log.error("decision failed for %s: %s", person.id, exc)
    return Problem(
        503,
        f"the rules engine could not decide for '{person.id}' just now: {exc}",
        title="Rules engine unavailable",
        kind="engine",
    )
