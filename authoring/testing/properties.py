"""The consistency properties of a pathway library, each checked on one drawn example.

A property takes a :class:`Context` (the library, an engine, the oracle) and a
hypothesis ``data`` object, draws what it needs, and raises :class:`PropertyFailure`
(saying what the engine said and what was expected) when the example breaks it.
:mod:`authoring.testing.verify` runs them with hypothesis, which shrinks a failure to
a minimal record; the project's own tests run them on the shipped library.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from hypothesis import strategies as st

from accreditation.record import ITEM_SECTIONS, Person
from pathways.model.library import Library
from pathways.model.requirements import (
    BaseRequirement,
    Not,
)
from rules.engine import Evaluator

from .oracle import Oracle
from .pending import PendingCase, pending_records
from .satisfy import requirement_at, satisfy
from .strategies import as_of_dates, assessor_records, qualifying_items, records
from .waits import current_scope_stages, time_stages

__all__ = [
    "PROPERTIES",
    "Context",
    "PropertyFailure",
    "stages_with_not",
]

NOW = ("held", "eligible")
DAY = dt.timedelta(days=1)


class PropertyFailure(AssertionError):
    """An example that breaks a property, in words a person can check by hand."""

    def __init__(
        self,
        prop: str,
        person: Person,
        as_of: dt.date,
        stage: str,
        engine_said: str,
        expected: str,
        detail: str = "",
    ):
        self.prop, self.person, self.as_of, self.stage = prop, person, as_of, stage
        self.engine_said, self.expected, self.detail = engine_said, expected, detail
        super().__init__(
            f"{prop}: stage {stage} as of {as_of}: the engine said {engine_said}; "
            f"expected {expected}" + (f" ({detail})" if detail else "")
        )


@dataclass
class Context:
    """What every property needs, made once per library.

    ``make_engine`` makes the engine under test from the library (default: the rules
    engine, :class:`rules.engine.Evaluator`); tests pass a deliberately faulty one to
    show that a property finds its fault.
    """

    library: Library
    evaluators: dict[str, Any] = field(default_factory=dict)
    make_engine: Callable[[Library], Any] | None = None
    #: The records of people named as assessors "in the records" for the current example
    #: (drawn with it by :meth:`draw_case`); the engine and the oracle both get them.
    assessors: dict[str, Person] = field(default_factory=dict)

    @cached_property
    def engine(self) -> Any:
        return (self.make_engine or Evaluator)(self.library)

    @property
    def oracle(self) -> Oracle:
        return Oracle(self.library, self.assessors)

    @cached_property
    def with_not(self) -> frozenset[str]:
        return stages_with_not(self.library)

    def statuses(self, person: Person, on: dt.date) -> dict[str, tuple[str, dt.date | None]]:
        summary = self.engine.statuses(person, on, assessors=self.assessors)
        return {f"{s.pathway}.{s.stage}": (s.status.value, s.eligible_from) for s in summary.stages}

    def draw_case(self, data: Any) -> tuple[Person, dt.date]:
        as_of = data.draw(as_of_dates(), label="as_of")
        self.assessors = data.draw(assessor_records(self.library, as_of), label="assessors")
        return data.draw(records(self.library, as_of), label="record"), as_of

    @cached_property
    def waiting(self) -> bool:
        return bool(time_stages(self.library))

    def draw_waiting_case(self, data: Any) -> tuple[Person, dt.date, PendingCase | None]:
        """Mostly a record built to wait for a stage's periods while something it rests
        on ends (:func:`pending_records`); otherwise a record as :meth:`draw_case` draws."""
        as_of = data.draw(as_of_dates(), label="as_of")
        self.assessors = data.draw(assessor_records(self.library, as_of), label="assessors")
        if self.waiting and data.draw(st.integers(0, 3), label="waiting?") != 3:
            case = data.draw(pending_records(self.library, as_of), label="waiting record")
            return case.person, as_of, case
        return data.draw(records(self.library, as_of), label="record"), as_of, None

    @cached_property
    def waits_in_current_scope(self) -> bool:
        return bool(current_scope_stages(self.library))


def stages_with_not(library: Library) -> frozenset[str]:
    """Stages whose rules say ``not`` somewhere (adding to a record may close them)."""

    def has_not(req: BaseRequirement) -> bool:
        return isinstance(req, Not) or any(has_not(c) for c in req.children())

    return frozenset(
        f"{p.id}.{s.id}" for p, s in library.stages() if any(has_not(r) for r in s.requires)
    )


def _with(person: Person, additions: list[tuple[str, dict[str, Any]]]) -> Person:
    data = person.model_dump(mode="json")
    for section, item in additions:
        data[section] = [*data.get(section, []), item]
    return Person.model_validate(data)


# --- the properties ------------------------------------------------------------------------


def oracle_agrees_with_engine(ctx: Context, data: Any) -> None:
    """The independent evaluator and the rules engine give every stage the same status."""
    person, as_of, _ = ctx.draw_waiting_case(data)
    engine = ctx.statuses(person, as_of)
    oracle = ctx.oracle.statuses(person, as_of)
    for key, (status, _) in engine.items():
        said = status if status in ("held", "lapsed", "eligible") else "not_eligible"
        if oracle.get(key) != said:
            raise PropertyFailure(
                "oracle_agrees_with_engine",
                person,
                as_of,
                key,
                status,
                f"{oracle.get(key)} (the independent evaluator's answer)",
            )
    if set(oracle) != set(engine):
        missing = sorted(set(oracle) ^ set(engine))
        raise PropertyFailure(
            "oracle_agrees_with_engine",
            person,
            as_of,
            missing[0],
            "a different set of stages",
            "the stages in force on the date",
            ", ".join(missing),
        )


def oracle_agrees_on_every_requirement(ctx: Context, data: Any) -> None:
    """The independent evaluator and the engine agree on every requirement of every stage
    (met, not met, or not in force): a leaf the engine gets wrong shows here even when the
    stage's status hides it (another requirement unmet)."""
    person, as_of = ctx.draw_case(data)
    decision = ctx.engine.decide(person, as_of, assessors=ctx.assessors)
    oracle = ctx.oracle
    for made in decision.stages:
        stage = ctx.library.pathways[made.pathway].stage(made.stage)
        assert stage is not None
        todo = list(made.requirements)
        while todo:
            outcome = todo.pop()
            todo += outcome.children
            req = requirement_at(stage, outcome.path)
            if req is None:
                continue
            truth = oracle.truth(req, person, made.pathway, as_of)
            said = outcome.met if outcome.in_force else None
            checks = [(as_of, said, truth)]
            # The days the engine says a leaf starts or stops holding (a period completes,
            # a credential lapses): the oracle must agree on that day and the day before.
            if outcome.met_from is not None and not outcome.children:
                checks += [(outcome.met_from, True, None), (outcome.met_from - DAY, False, None)]
            if outcome.met_until is not None and not outcome.children:
                checks += [(outcome.met_until, True, None), (outcome.met_until + DAY, False, None)]
            for day, expected, known in checks:
                found = known if day == as_of else oracle.truth(req, person, made.pathway, day)
                if day != as_of and found is None:
                    continue  # not in force that day: the date says nothing about it
                if found != expected:
                    raise PropertyFailure(
                        "oracle_agrees_on_every_requirement",
                        person,
                        day,
                        f"{made.pathway}.{made.stage}",
                        f"{outcome.path} ({outcome.text}) {_state(expected)}"
                        + (f" (decided as of {as_of})" if day != as_of else ""),
                        f"{_state(found)} (the independent evaluator's answer)",
                    )


def _state(value: bool | None) -> str:
    return {True: "met", False: "not met", None: "not in force"}[value]


def adding_an_item_never_removes_an_eligibility(ctx: Context, data: Any) -> None:
    """A qualifying item (a course, pass, current credential, endorsement, membership)
    never turns a held or eligible stage into anything else, unless its rules say ``not``."""
    person, as_of = ctx.draw_case(data)
    section, item = data.draw(qualifying_items(ctx.library, person, as_of), label="added")
    before = ctx.statuses(person, as_of)
    after = ctx.statuses(_with(person, [(section, item)]), as_of)
    for key, (status, _) in before.items():
        if status in NOW and after[key][0] not in NOW and key not in ctx.with_not:
            raise PropertyFailure(
                "adding_an_item_never_removes_an_eligibility",
                person,
                as_of,
                key,
                f"{status} before adding {section[:-1]} {item}, {after[key][0]} after",
                f"{status} or held after adding it",
            )


def eligible_from_is_exact(ctx: Context, data: Any) -> None:
    """A stage eligible from day D is eligible as of D, and eligible from D the day before
    (the independent evaluator agrees on both days); a stage that waits for time and is
    not eligible is not eligible on the day its periods complete, nor when something it
    rests on ends. The records wait for time while credentials lapse, endorsements expire
    and postings, ranks and memberships end, and (every time) for time in the current
    rank, role or business group, which stops counting when that ends."""
    person, as_of, case = ctx.draw_waiting_case(data)
    if case is None:
        _exact(ctx, person, as_of, None, ())
    else:
        _exact_case(ctx, case)
    if ctx.waits_in_current_scope:
        # Few stages wait for time in the current rank, role or business group, and
        # that time stops counting when it ends: a record for one in every example.
        current = pending_records(ctx.library, as_of, current=True)
        _exact_case(ctx, data.draw(current, label="waiting in a current scope"))


def _exact_case(ctx: Context, case: PendingCase) -> None:
    for record, gone in case.records():
        probes = (case.due, gone, gone - DAY) if gone is not None else (case.due,)
        _exact(ctx, record, case.as_of, case.stage, probes)


def _exact(
    ctx: Context,
    person: Person,
    as_of: dt.date,
    built_for: str | None,
    probes: tuple[dt.date, ...],
) -> None:
    now = ctx.statuses(person, as_of)
    dated = sorted(
        ((k, d) for k, (_, d) in now.items() if d is not None),
        key=lambda kd: kd[0] != built_for,  # the stage the record was built for, first
    )
    for key, day in dated[:3]:
        _exact_on(ctx, person, as_of, key, day)
    if built_for is None or now.get(built_for, ("", None))[0] != "not_eligible":
        return
    pathway, stage_id = built_for.split(".")
    stage = ctx.library.pathways[pathway].stage(stage_id)
    for probe in sorted(d for d in set(probes) if d > as_of):
        if (
            stage is not None
            and stage.in_force(probe)
            and ctx.oracle.status(person, pathway, stage_id, probe) == "eligible"
        ):
            raise PropertyFailure(
                "eligible_from_is_exact",
                person,
                as_of,
                built_for,
                "not eligible (waiting does not get there)",
                f"eligible from {probe} at the latest: the independent evaluator "
                f"finds it eligible on {probe}",
            )


def _exact_on(ctx: Context, person: Person, as_of: dt.date, key: str, day: dt.date) -> None:
    said = f"as of {as_of} it said eligible from {day}"
    pathway, stage = key.split(".")
    on = ctx.statuses(person, day).get(key, ("not decided", None))[0]
    if on != "eligible":
        raise PropertyFailure("eligible_from_is_exact", person, day, key, on, f"eligible ({said})")
    before = ctx.statuses(person, day - DAY).get(key)
    if before != ("eligible_from", day):
        raise PropertyFailure(
            "eligible_from_is_exact",
            person,
            day - DAY,
            key,
            f"{before[0] if before else 'not decided'}"
            + (f" {before[1]}" if before and before[1] else ""),
            f"eligible from {day} ({said})",
        )
    for when, expected in ((day, "eligible"), (day - DAY, "not_eligible")):
        oracle = ctx.oracle.status(person, pathway, stage, when)
        if oracle != expected:
            raise PropertyFailure(
                "eligible_from_is_exact",
                person,
                when,
                key,
                f"{'eligible' if when == day else 'not yet eligible'} ({said})",
                f"{oracle} (the independent evaluator's answer)",
            )


def item_order_does_not_matter(ctx: Context, data: Any) -> None:
    """Shuffling the items of each section of a record does not change any status or date."""
    person, as_of = ctx.draw_case(data)
    seed = data.draw(st.integers(0, 2**32 - 1), label="shuffle seed")
    shuffled = person.model_dump(mode="json")
    rng = random.Random(seed)
    for section in ITEM_SECTIONS:  # a section left out of the JSON when empty has no order
        rng.shuffle(shuffled.get(section, []))
    a = ctx.statuses(person, as_of)
    b = ctx.statuses(Person.model_validate(shuffled), as_of)
    for key in a:
        if a[key] != b[key]:
            raise PropertyFailure(
                "item_order_does_not_matter",
                person,
                as_of,
                key,
                f"{a[key][0]} in record order, {b[key][0]} shuffled",
                "the same both ways",
            )


def decisions_are_deterministic_and_pinned(ctx: Context, data: Any) -> None:
    """The same record, date and library give the same decision, naming the library hash,
    from this engine and from a newly compiled one."""

    person, as_of = ctx.draw_case(data)
    first = ctx.engine.decide(person, as_of, assessors=ctx.assessors)
    again = ctx.engine.decide(person, as_of, assessors=ctx.assessors)
    fresh = ctx.evaluators.setdefault("fresh", Evaluator(ctx.library)).decide(
        person, as_of, assessors=ctx.assessors
    )
    if first.library_version != ctx.library.digest:
        raise PropertyFailure(
            "decisions_are_deterministic_and_pinned",
            person,
            as_of,
            "*",
            f"library version {first.library_version[:12]}",
            f"the library's hash {ctx.library.digest[:12]}",
        )
    for other, how in ((again, "a second time"), (fresh, "by a newly compiled engine")):
        if other.model_dump() != first.model_dump():
            changed = next(
                (
                    f"{s.pathway}.{s.stage}"
                    for s, t in zip(first.stages, other.stages, strict=False)
                    if s != t
                ),
                "*",
            )
            raise PropertyFailure(
                "decisions_are_deterministic_and_pinned",
                person,
                as_of,
                changed,
                f"a different decision when asked {how}",
                "the same decision",
            )


def next_steps_are_sufficient(ctx: Context, data: Any) -> None:
    """Doing every next step proposed for a stage (attend the course, pass the exam, ...,
    wait until the date given) makes it eligible."""
    person, as_of, _ = ctx.draw_waiting_case(data)
    decision = ctx.engine.decide(person, as_of, assessors=ctx.assessors)
    by_stage: dict[tuple[str, str], list[Any]] = {}
    for step in decision.next_steps:
        by_stage.setdefault((step.pathway, step.stage), []).append(step)
    for (pathway_id, stage_id), steps in by_stage.items():
        stage = ctx.library.pathways[pathway_id].stage(stage_id)
        if stage is None or any(s.requirement == "awards" for s in steps):
            continue  # revalidation: a new award, not a requirement
        additions: list[tuple[str, dict[str, Any]]] = []
        day = as_of
        doable = True
        for step in steps:
            if step.due is not None:
                day = max(day, step.due)
                continue
            req = requirement_at(stage, step.requirement)
            items = satisfy(ctx.library, req, pathway_id, as_of) if req is not None else None
            if items is None:
                doable = False
                break
            additions += items
        if not doable:
            continue
        key = f"{pathway_id}.{stage_id}"
        after = ctx.statuses(_with(person, additions), day).get(key, ("not decided",))[0]
        if after not in NOW:
            done = "; ".join(s.text + (f" (by {s.due})" if s.due else "") for s in steps)
            raise PropertyFailure(
                "next_steps_are_sufficient",
                person,
                day,
                key,
                after,
                "eligible after doing every next step",
                f"next steps done: {done}",
            )


def record_json_round_trip(ctx: Context, data: Any) -> None:
    """A record written as JSON and read back is the same record, with the same statuses."""
    person, as_of = ctx.draw_case(data)
    back = Person.model_validate_json(person.model_dump_json())
    if back != person or ctx.statuses(back, as_of) != ctx.statuses(person, as_of):
        raise PropertyFailure(
            "record_json_round_trip",
            person,
            as_of,
            "*",
            "a different record read back",
            "the same record",
        )


PROPERTIES: dict[str, Callable[[Context, Any], None]] = {
    f.__name__: f
    for f in (
        oracle_agrees_with_engine,
        oracle_agrees_on_every_requirement,
        adding_an_item_never_removes_an_eligibility,
        eligible_from_is_exact,
        item_order_does_not_matter,
        decisions_are_deterministic_and_pinned,
        next_steps_are_sufficient,
        record_json_round_trip,
    )
}
