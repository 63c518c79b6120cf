"""Protected characteristics in what people see: positive-action criteria, worded neutrally.

A positive-action programme (the library's ``positive_action`` pathway) is open to people
of groups named by protected characteristics (catalogue attributes with ``protected:
true``: ethnicity, gender, disability). A decision explains every requirement, so a plain
decision tells an officer "not met: A woman" or "met: From a black or minority ethnic
group". :func:`neutral` rewrites a decision for the person it is about (and for anything
shown with their permission): each requirement that tests protected characteristics
becomes one line that says whether the programme's criteria are met, without listing the
characteristics or the person's values. The statuses do not change.

:func:`positive_action_stages` lists the stages whose eligibility rests on protected
characteristics (directly, or because they need such a stage first); pages meant for
others (the PDR print) leave them out unless the person chooses to include them.

>>> from pathways import SHIPPED_LIBRARY, load_library
>>> library = load_library([SHIPPED_LIBRARY])
>>> sorted(protected_attributes(library))
['disability', 'ethnicity', 'gender']
>>> sorted(positive_action_stages(library))[:3]
['positive_action.equip_to_achieve', 'positive_action.external_mentoring', 'positive_action.hpds']
>>> "promotion.hpds" in positive_action_stages(library)
False
"""

from __future__ import annotations

from collections.abc import Iterable

from pathways.model.library import Library, stage_key
from pathways.model.requirements import AttributeRequirement, BaseRequirement, walk

from .actions import ActionBook
from .decision import Decision, RequirementOutcome, StageDecision, built

__all__ = [
    "CRITERIA_MET",
    "CRITERIA_UNMET",
    "neutral",
    "neutral_text",
    "positive_action_stages",
    "protected_attributes",
]

CRITERIA_MET = "Meets this programme's positive-action criteria"
CRITERIA_UNMET = (
    "This programme's positive-action criteria (who it is for is in its description; "
    "the criteria are not listed one by one)"
)


def protected_attributes(library: Library) -> frozenset[str]:
    """Attribute ids the catalogue marks protected."""
    return frozenset(a.id for a in library.catalogue.attributes if a.protected)


def _protected_leaf(req: BaseRequirement, attributes: frozenset[str]) -> bool:
    return isinstance(req, AttributeRequirement) and req.attribute in attributes


def positive_action_stages(library: Library) -> frozenset[str]:
    """Stages that test a protected characteristic, or must be reached after one that does."""
    return ActionBook.of(library).positive_action


def neutral(decision: Decision, library: Library) -> Decision:
    """``decision`` with every requirement on protected characteristics said neutrally."""
    book = ActionBook.of(library)
    attributes = protected_attributes(library)
    if not attributes:
        return decision
    stages = [_stage(s, book, attributes) for s in decision.stages]
    return decision.model_copy(update={"stages": stages})


def _stage(s: StageDecision, book: ActionBook, attributes: frozenset[str]) -> StageDecision:
    key = stage_key(s.pathway, s.stage)
    touched = False

    def rewrite(o: RequirementOutcome) -> RequirementOutcome:
        nonlocal touched
        if _all_protected(o, key, book, attributes):
            touched = True
            return built(
                RequirementOutcome,
                **{
                    **o.__dict__,
                    "kind": "criteria",
                    "text": CRITERIA_MET if o.met else CRITERIA_UNMET,
                    "rule": None,
                    "evidence": [],
                    "children": [],
                    "next_step": None,
                },
            )
        if not o.children:
            return o
        children = [rewrite(c) for c in o.children]
        return built(RequirementOutcome, **{**o.__dict__, "children": children})

    requirements = [rewrite(o) for o in s.requirements]
    if not touched:
        return s
    return built(StageDecision, **{**s.__dict__, "requirements": requirements})


def _all_protected(
    o: RequirementOutcome, key: str, book: ActionBook, attributes: frozenset[str]
) -> bool:
    """True if every leaf under ``o`` tests a protected characteristic."""
    if o.children:
        return o.kind != "not" and all(_all_protected(c, key, book, attributes) for c in o.children)
    req = book.requirement(key, o.path)
    return req is not None and _protected_leaf(req, attributes)


def neutral_text(library: Library, key: str, path: str, text: str, met: bool = False) -> str:
    """``text`` of the requirement at ``path`` of stage ``key``, or its neutral wording if it
    tests protected characteristics (for reasons a route is closed, say)."""
    book = ActionBook.of(library)
    attributes = protected_attributes(library)
    found = book.requirement(key, path)
    if found is None:
        return text
    leaves: Iterable[tuple[BaseRequirement, bool]] = walk(found)
    tested = [r for r, _ in leaves if not r.children()]
    if tested and all(_protected_leaf(r, attributes) for r in tested):
        return CRITERIA_MET if met else CRITERIA_UNMET
    return text
