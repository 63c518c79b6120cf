"""Which stages wait for time, and for what: the stages :func:`pending_records
<authoring.testing.pending.pending_records>` builds records for.

>>> from pathways import SHIPPED_LIBRARY, load_library
>>> library = load_library([SHIPPED_LIBRARY])
>>> [s.id for _, s in current_scope_stages(library)]
['rotation_due']
"""

from __future__ import annotations

from hypothesis import strategies as st

from pathways.model.library import Library
from pathways.model.pathway import Pathway, Stage
from pathways.model.requirements import (
    BandRequirement,
    BaseRequirement,
    Not,
    PostedRequirement,
    RankRequirement,
    ReachedRequirement,
    Requirement,
    ServedRequirement,
    ServiceScope,
)

__all__ = ["CURRENT", "current_scope_stages", "draw_stage", "time_stages", "waits"]


def time_stages(library: Library) -> list[tuple[Pathway, Stage]]:
    """Stages that ask for at least some months served (outside any ``not``)."""

    def waits(req: BaseRequirement) -> bool:
        if isinstance(req, Not):
            return False
        if isinstance(req, ServedRequirement):
            return bool(req.served.at_least_months)
        return any(waits(c) for c in req.children())

    return [(p, s) for p, s in library.stages() if any(waits(r) for r in s.requires)]


def waits(requirements: list[Requirement], scope: ServiceScope | None = None) -> list[int]:
    """Months of every period to serve in ``requirements`` (in ``scope``, if given)."""
    out = []
    for req in requirements:
        if isinstance(req, ServedRequirement) and req.served.at_least_months:
            if scope is None or req.served.in_ is scope:
                out.append(req.served.at_least_months)
        elif not isinstance(req, Not):
            out += waits(req.children(), scope)
    return out


CURRENT = (
    ServiceScope.CURRENT_RANK,
    ServiceScope.CURRENT_ROLE,
    ServiceScope.CURRENT_BUSINESS_GROUP,
)


def _masks(library: Library, pathway: Pathway, stage: Stage, scope: ServiceScope) -> bool:
    """Whether ``stage`` also asks for the current rank (or band) or posting itself (or
    for a stage that awards one): then it fails the day that ends whatever time in it
    counts, and the time cannot show."""
    rank = scope is ServiceScope.CURRENT_RANK

    def asks(req: BaseRequirement) -> bool:
        if isinstance(req, RankRequirement | BandRequirement):
            return rank
        if isinstance(req, PostedRequirement):
            return not rank
        if isinstance(req, ReachedRequirement):
            target = library.stage(*req.target(pathway.id))
            award = target.awards if target is not None else None
            return award is not None and bool(award.rank or award.band if rank else award.role)
        return not isinstance(req, Not) and any(asks(c) for c in req.children())

    return any(asks(r) for r in stage.requires)


def draw_stage(
    draw: st.DrawFn, library: Library, stages: list[tuple[Pathway, Stage]], current: bool
) -> tuple[Pathway, Stage]:
    """Any of ``stages``; with ``current``, one that waits for time in the current rank,
    role or business group, and (where there is one) does not also ask for the rank or
    posting itself. Time there stops counting the day the rank, posting or group ends,
    and only such a record shows an engine that counts on past that day."""
    pool = current_scope_stages(library, stages) if current else []
    return draw(st.sampled_from(pool or stages), label="stage")


def current_scope_stages(
    library: Library, stages: list[tuple[Pathway, Stage]] | None = None
) -> list[tuple[Pathway, Stage]]:
    """Those of ``stages`` (default: every stage) that wait for time in the current rank,
    role or business group, and do not also ask for that rank or posting (if none is
    such, all that wait for time in a current scope)."""
    waiting = [
        (p, s, scope)
        for p, s in (stages if stages is not None else time_stages(library))
        for scope in CURRENT
        if waits(s.requires, scope)
    ]
    shows = [(p, s) for p, s, scope in waiting if not _masks(library, p, s, scope)]
    return shows or [(p, s) for p, s, _ in waiting]
