"""Obligations decided: whether one applies to a person, and if so met, due by a date, or
overdue.

The engine decides the requirements (``applies_to`` and ``must`` are compiled into the
same durable-rules ruleset as the stages, :mod:`rules.compile`, and combined by
:class:`~rules.evaluate.StageEvaluator`); the dates are arithmetic on the record:

- the **clock** starts on the latest of the obligation's ``from`` dates that the record
  gives on the as-of date (promotion to the current rank, the start of the current role or
  business group, joining, the first award of a credential, the start of the current
  membership of a programme) and of the day the obligation came into force: someone it
  already applied to then gets the same time as someone it applies to later. A ``from``
  the record does not give (no current membership) is left out; with none at all and no
  ``effective_from`` there is no date;
- **due by** is the last day of ``within_months`` whole months from that start: the day
  before the same day of the month that many months later (:func:`due_by`);
- the status is **met** if ``must`` holds on the as-of date, **due** if not and the
  as-of date is on or before the due-by day, **overdue** from the day after. An obligation
  with no ``must`` (a time limit, such as detective rotation) is met only by the clock
  starting again (a move to another business group);
- a met obligation whose ``must`` stops holding by time alone (a credential lapses) says
  the last day it holds (``met_until``); ``act_by`` is the last day to act and stay in
  time (see :class:`~rules.decision.ObligationDecision`).

>>> due_by(dt.date(2011, 1, 1), 24)
datetime.date(2012, 12, 31)
>>> due_by(dt.date(2011, 1, 31), 1)
datetime.date(2011, 2, 27)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from accreditation.periods import add_months
from accreditation.record import Outcome, Person
from pathways.model.obligation import Anchor, Clock, Obligation
from pathways.model.pathway import Pathway

from .compile import CompiledLibrary
from .decision import ObligationDecision, ObligationStatus, RequirementOutcome, built
from .evaluate import StageEvaluator
from .plan import Node, requirement_node
from .wording import Words

__all__ = [
    "ObligationPlan",
    "clock_start",
    "clock_words",
    "decide_obligations",
    "due_by",
    "plan_obligations",
]

ONE_DAY = dt.timedelta(days=1)
_ORDER = {ObligationStatus.OVERDUE: 0, ObligationStatus.DUE: 1, ObligationStatus.MET: 2}


@dataclass(eq=False)
class ObligationPlan:
    """An obligation with its requirement trees planned once per library version."""

    pathway: Pathway
    obligation: Obligation
    key: str
    applies: list[Node]
    must: Node | None
    text: str
    next_step: str | None


def plan_obligations(compiled: CompiledLibrary, words: Words) -> dict[str, ObligationPlan]:
    """A plan per obligation, keyed ``pathway.obligation``, in library order."""
    plans: dict[str, ObligationPlan] = {}
    for pathway in compiled.library.pathways.values():
        for obligation in pathway.obligations:
            applies = [
                requirement_node(r, f"applies_to[{i}]", pathway, compiled, words)
                for i, r in enumerate(obligation.applies_to)
            ]
            must = (
                requirement_node(obligation.must, "must", pathway, compiled, words)
                if obligation.must is not None
                else None
            )
            step = obligation.next_step or (must.next_step if must is not None else None)
            key = f"{pathway.id}.{obligation.id}"
            plans[key] = ObligationPlan(
                pathway, obligation, key, applies, must, obligation.text or obligation.name, step
            )
    return plans


def due_by(start: dt.date, months: int) -> dt.date:
    """The last day of ``months`` whole months from ``start`` (inclusive)."""
    return add_months(start, months) - ONE_DAY


def clock_start(
    obligation: Obligation, person: Person, evaluator: StageEvaluator
) -> dt.date | None:
    """The day the obligation's clock started for ``person`` on the evaluator's as-of date:
    the latest of its ``from`` dates the record gives, and its ``effective_from``."""
    as_of = evaluator.as_of
    days = [d for a in obligation.from_ if (d := _anchor_day(a, person, evaluator)) is not None]
    if obligation.effective_from is not None:
        days.append(obligation.effective_from)
    days = [d for d in days if d <= as_of]
    return max(days) if days else None


def _anchor_day(anchor: Anchor, person: Person, evaluator: StageEvaluator) -> dt.date | None:
    as_of = evaluator.as_of
    if anchor.clock is not None:
        if anchor.clock is Clock.SERVICE:
            return person.joined
        # The unbroken run of the current rank, role or group, as 'served' counts it.
        tenure = evaluator.sheet.tenures.get(anchor.clock.value)
        return tenure.ongoing_start if tenure is not None else None
    if anchor.credential is not None:
        return min(
            (c.awarded for c in person.credentials if c.credential == anchor.credential),
            default=None,
        )
    if anchor.course is not None:
        return min(
            (
                c.completed
                for c in person.courses
                if c.course == anchor.course and c.completed is not None and c.completed <= as_of
            ),
            default=None,
        )
    if anchor.passed is not None:
        return min(
            (
                a.date
                for a in person.assessments
                if a.assessment == anchor.passed and a.outcome is Outcome.PASSED
            ),
            default=None,
        )
    current = [m for m in person.memberships if m.programme == anchor.member_of]
    return max((m.start for m in current if m.covers(as_of)), default=None)


def decide_obligations(
    plans: dict[str, ObligationPlan],
    evaluator: StageEvaluator,
    person: Person,
    pathways: Iterable[str] | None = None,
) -> list[ObligationDecision]:
    """Every obligation of ``pathways`` (default: all) that applies to ``person`` on the
    evaluator's as-of date: overdue first, then due by date, then met."""
    wanted = None if pathways is None else set(pathways)
    out = [
        d
        for plan in plans.values()
        if wanted is None or plan.pathway.id in wanted
        if (d := _decide(plan, evaluator, person)) is not None
    ]
    return sorted(out, key=lambda d: (_ORDER[d.status], d.act_by or dt.date.max))


def _decide(
    plan: ObligationPlan, evaluator: StageEvaluator, person: Person
) -> ObligationDecision | None:
    as_of = evaluator.as_of
    obligation = plan.obligation
    if not obligation.in_force(as_of):
        return None
    if not all(evaluator.holds(n, as_of) is not False for n in plan.applies):
        return None
    start = clock_start(obligation, person, evaluator)
    deadline = due_by(start, obligation.within_months) if start is not None else None
    must: RequirementOutcome | None = None
    met_until = None
    if plan.must is not None:
        must = evaluator.outcome(plan.must)
    if must is not None and must.met:
        status = ObligationStatus.MET
        met_until = _met_until(plan.must, evaluator)
        act_by = None if met_until is None else max(met_until, deadline or met_until)
    else:
        late = deadline is not None and as_of > deadline
        status = ObligationStatus.OVERDUE if late else ObligationStatus.DUE
        act_by = deadline
    return built(
        ObligationDecision,
        pathway=plan.pathway.id,
        pathway_name=plan.pathway.name,
        obligation=obligation.id,
        name=obligation.name,
        text=plan.text,
        owner=obligation.owner.value,
        status=status,
        clock_from=start,
        due_by=deadline,
        met_until=met_until,
        act_by=act_by,
        next_step=None if status is ObligationStatus.MET else plan.next_step,
        applies=[evaluator.outcome(n) for n in plan.applies],
        must=must,
        source=obligation.source,
        rule_effective_from=obligation.effective_from,
        rule_effective_to=obligation.effective_to,
    )


def _met_until(node: Node | None, evaluator: StageEvaluator) -> dt.date | None:
    """The last day ``node`` keeps holding by time alone, if it stops; None if it does not."""
    if node is None:
        return None
    for day in evaluator.changes([node]):
        if evaluator.holds(node, day) is False:
            return day - ONE_DAY
    return None


def clock_words(anchor: Anchor, words: Words) -> str:
    """When a clock starts, in words: 'promotion to the current rank', 'the first award of
    Detective qualification'.

    >>> from pathways import SHIPPED_LIBRARY, load_library
    >>> w = Words(load_library([SHIPPED_LIBRARY]))
    >>> clock_words(Anchor.model_validate("current_rank"), w)
    'promotion to the current rank'
    >>> clock_words(Anchor.model_validate({"member_of": "hpds"}), w)
    'joining High Potential Development Scheme (HPDS)'
    """
    if anchor.clock is not None:
        return {
            Clock.SERVICE: "joining",
            Clock.CURRENT_RANK: "promotion to the current rank",
            Clock.CURRENT_ROLE: "starting in the current role",
            Clock.CURRENT_BUSINESS_GROUP: "joining the current business group",
        }[anchor.clock]
    section, lead = {
        "credential": ("credentials", "the first award of"),
        "course": ("courses", "first completing"),
        "passed": ("assessments", "first passing"),
        "member_of": ("programmes", "joining"),
    }[anchor.kind]
    return f"{lead} {words.name(section, anchor.value)}"
