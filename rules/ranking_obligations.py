"""The person's obligations as steps of the ranked list (:mod:`rules.ranking`), in its first
tier, "Do first": overdue, then due, then met but needing action within
:data:`~rules.ranked.EXPIRY_WINDOW_DAYS` days to stay met; the sooner act-by day first.
Obligations HR must act on (arranging a mentor) are not the person's steps.
"""

from __future__ import annotations

import datetime as dt
from typing import assert_never

from pathways.model.library import Library, stage_key
from pathways.model.requirements import CredentialRequirement

from .decision import Decision, ObligationStatus
from .ranked import EXPIRY_WINDOW_DAYS, Draft, Tier
from .status import obligation_words

__all__ = ["obligation_drafts"]

_OBLIGATION_ORDER = {ObligationStatus.OVERDUE: 0, ObligationStatus.DUE: 1, ObligationStatus.MET: 2}


def obligation_drafts(
    decision: Decision, library: Library, hide: frozenset[str], renewals: dict[str, Draft]
) -> list[Draft]:
    """The person's obligations to act on: overdue, due, or met but ending within the
    window, overdue first. One that asks for a credential the person must revalidate
    anyway is said on the revalidation step, which moves up with it: one step."""
    hidden = {
        p.id
        for p in library.pathways.values()
        if p.stages and all(stage_key(p.id, s.id) in hide for s in p.stages)
    }
    out = []
    for o in decision.obligations:
        if o.owner != "person" or o.pathway in hidden:
            continue
        if o.status is ObligationStatus.MET and (
            o.act_by is None or (o.act_by - decision.as_of).days > EXPIRY_WINDOW_DAYS
        ):
            continue
        words = f"{o.name}: {obligation_words(o)}"
        order = (-1, _OBLIGATION_ORDER[o.status], (o.act_by or dt.date.max).toordinal())
        model = library.pathways[o.pathway].obligation(o.obligation)
        must = model.must if model is not None else None
        if isinstance(must, CredentialRequirement):
            renewal = renewals.get(f"renew:{must.credential}")
            if renewal is not None:
                renewal.obligation, renewal.order = words, order
                continue
        step = o.next_step or o.text
        match o.status:
            case ObligationStatus.OVERDUE:
                text = f"{step}: overdue, it was due by {o.due_by}"
            case ObligationStatus.DUE:
                text = f"{step} by {o.due_by}" if o.due_by else step
            case ObligationStatus.MET:
                text = f"{step} by {o.act_by}"
            case _:
                assert_never(o.status)
        out.append(
            Draft(
                key=f"obligation:{o.key}",
                tier=Tier.NOW,
                kind="obligation",
                texts=[(Tier.NOW, text)],
                due=o.act_by,
                how=o.text,
                order=order,
                obligation=words,
            )
        )
    return out
