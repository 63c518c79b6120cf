"""Obligations are checked like requirements: ids, references (with "did you mean"),
contradictions in who they apply to and effective windows. Their sources are checked
with every other citation (:mod:`authoring.checker.sources`, against the source index):
the requirements of an obligation (``applies_to`` and ``must``) take the obligation's
``source`` when they have none of their own, as an obligation is one rule, cited once.
"""

from __future__ import annotations

from collections import Counter

from pathways.model.obligation import Obligation
from pathways.model.pathway import Pathway
from pathways.model.requirements import walk

from .context import Reporter
from .references import check_requirement, known_reference
from .satisfiable import conjunction

__all__ = ["check_obligations"]

_ANCHOR_SECTIONS = {
    "credential": "credentials",
    "course": "courses",
    "passed": "assessments",
    "member_of": "programmes",
}


def check_obligations(rep: Reporter) -> None:
    for pathway in rep.library.pathways.values():
        counts = Counter(o.id for o in pathway.obligations)
        seen: set[str] = set()
        for obligation in pathway.obligations:
            if counts[obligation.id] > 1 and obligation.id in seen:
                rep.add(
                    obligation,
                    "duplicate-id",
                    f"obligation id '{obligation.id}' is used {counts[obligation.id]} times in "
                    f"pathway '{pathway.id}'",
                    pathway=pathway,
                    hint="give every obligation of a pathway its own id",
                )
            seen.add(obligation.id)
            _references(rep, pathway, obligation)
            _window(rep, pathway, obligation)
            _applies(rep, pathway, obligation)


def _references(rep: Reporter, pathway: Pathway, obligation: Obligation) -> None:
    cat = rep.library.catalogue
    for _path, top in obligation.requirements():
        for req, _negated in walk(top):
            check_requirement(rep, cat, req, pathway, None)
    for anchor in obligation.from_:
        section = _ANCHOR_SECTIONS.get(anchor.kind)
        if section is not None:
            known_reference(
                rep, cat, section, anchor.value, anchor, pathway, None, context="'from'"
            )


def _window(rep: Reporter, pathway: Pathway, obligation: Obligation) -> None:
    start, end = obligation.effective_from, obligation.effective_to
    if start and end and end < start:
        rep.add(
            obligation,
            "empty-effective-window",
            f"obligation '{obligation.id}' ends ({end}) before it starts ({start})",
            pathway=pathway,
            hint="swap the dates, or correct 'effective_to'",
        )


def _applies(rep: Reporter, pathway: Pathway, obligation: Obligation) -> None:
    cat = rep.library.catalogue
    found = conjunction(rep, cat, pathway, None, list(obligation.applies_to))
    if found:
        reason, culprit = found
        rep.add(
            culprit,
            "unsatisfiable-requirement",
            f"obligation '{obligation.id}' can never apply to anyone: {reason}",
            pathway=pathway,
            hint="correct this requirement, or the one it contradicts (all of 'applies_to' "
            "must hold at once)",
        )
    if obligation.must is not None:
        found = conjunction(rep, cat, pathway, None, [obligation.must])
        if found:
            rep.add(
                found[1],
                "unsatisfiable-requirement",
                f"obligation '{obligation.id}' can never be met: {found[0]}",
                pathway=pathway,
                hint="correct what 'must' asks",
            )
