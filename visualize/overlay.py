"""One person's decision drawn onto a diagram: a status on every stage, and next steps.

>>> import datetime as dt
>>> from pathways import SHIPPED_LIBRARY, load_library
>>> from accreditation.io import load_record
>>> from rules.engine import Evaluator
>>> from visualize.build import pathway_diagram
>>> library = load_library([SHIPPED_LIBRARY])
>>> decision = Evaluator(library).decide(
...     load_record("examples/inspector_pip.json"), dt.date(2024, 6, 1))
>>> marked = overlay(pathway_diagram(library, "pip"), decision)
>>> marked.node("pip", "level_1").marking.words
'lapsed on 2024-04-20'
>>> marked.caption[0]
'W100234 - as of 2024-06-01'
"""

from __future__ import annotations

from dataclasses import replace

from rules.decision import Decision, Status
from rules.status import status_words

from .model import NOT_IN_FORCE, Diagram, Marking, Node

__all__ = ["overlay"]


def overlay(diagram: Diagram, decision: Decision, name: str | None = None) -> Diagram:
    """A copy of ``diagram`` with each stage marked as ``decision`` decides it.

    Stages the decision does not cover (their rule is not in force on its date)
    are marked "not in force", never "not eligible": so decide every pathway the
    diagram shows (the default of ``Evaluator.decide``). ``name`` is the person's
    name for the caption.

    Raises:
        ValueError: if the decision was made under another library version than
            the diagram shows: the stages might not be the same.
    """
    if decision.library_version != diagram.library_version:
        raise ValueError(
            f"the decision used library version {decision.library_version[:12]}, "
            f"the diagram shows {diagram.library_version[:12]}"
        )
    steps: dict[tuple[str, str], list[str]] = {}
    for step in decision.next_steps:
        due = f" (met on {step.due})" if step.due else ""
        steps.setdefault((step.pathway, step.stage), []).append(step.text + due)
    nodes = tuple(_mark(node, decision, steps) for node in diagram.nodes)
    who = f"{decision.person} {name}" if name else decision.person
    caption = (
        f"{who} - as of {decision.as_of}",
        f"rules: library version {decision.library_version[:12]}, engine {decision.engine}",
    )
    seen = {n.marking.status for n in nodes if n.marking}
    # The legend always shows the five statuses, so every diagram has the same key.
    statuses = tuple(s.value for s in Status) + ((NOT_IN_FORCE,) if NOT_IN_FORCE in seen else ())
    return replace(diagram, nodes=nodes, caption=caption, statuses=statuses)


def _mark(node: Node, decision: Decision, steps: dict[tuple[str, str], list[str]]) -> Node:
    try:
        stage = decision.stage(node.pathway, node.stage)
    except KeyError:
        marking = Marking(NOT_IN_FORCE, f"not in force on {decision.as_of}")
    else:
        marking = Marking(
            stage.status.value,
            status_words(stage),
            tuple(steps.get((node.pathway, node.stage), ())),
        )
    return replace(node, marking=marking)
