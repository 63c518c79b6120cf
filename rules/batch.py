"""The batch evaluator: the same compiled rules, matched in plain Python, for populations.

durable-rules is the reference engine: every decision a person or HR sees comes from
it. Population reports need statuses for hundreds of thousands of people, where the
engine's per-record session (assert, match, drain, delete) is most of the cost. Here
the ruleset that :func:`rules.compile.compile_library` builds for durable-rules (the
same JSON patterns: ``t``, ``$and``, ``$or``, ``$gte``, ``$lte``, equality) is turned
into Python predicates and matched against the same facts; what fires is handed to the
same :class:`~rules.evaluate.StageEvaluator` that combines the requirement tree and
finds eligible-from dates. So the two can only differ in matching, and
``tests/test_batch.py`` checks with hypothesis that they never do, on every stage.

>>> import datetime as dt
>>> from accreditation import Person
>>> from pathways import SHIPPED_LIBRARY, load_library
>>> from rules.engine import Evaluator
>>> library = load_library([SHIPPED_LIBRARY])
>>> p = Person.model_validate({"id": "W1", "kind": "officer", "joined": "2015-09-01",
...     "ranks": [{"rank": "constable", "start": "2015-09-01"}]})
>>> batch = BatchEvaluator(library).statuses(p, dt.date(2020, 1, 1))
>>> batch.stages == Evaluator(library).statuses(p, dt.date(2020, 1, 1)).stages
True
>>> batch.engine
'batch (rules compiled for durable-rules, matched in Python)'
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from accreditation.record import Person
from pathways.model.library import Library

from .assessors import AssessorCheck, Assessors
from .compile import ANCHOR, CompiledLibrary
from .decision import DecisionSummary, ObligationDecision, Status
from .engine import compiled_for, summarise
from .evaluate import StageEvaluator
from .facts import FactSheet, Vocabulary, build_facts
from .match import Rule as _Rule
from .match import add_fact as _add
from .match import index_facts as _index
from .obligations import decide_obligations, plan_obligations
from .plan import Node, plan_library
from .session import Firings
from .wording import Words

__all__ = ["BATCH_ENGINE", "NOT_DECIDED", "STATUS_CODES", "BatchEvaluator"]

BATCH_ENGINE = "batch (rules compiled for durable-rules, matched in Python)"

#: Status by code, in :meth:`BatchEvaluator.compact`'s bytes.
STATUS_CODES: tuple[Status, ...] = tuple(Status)
CODE_OF = {status: code for code, status in enumerate(STATUS_CODES)}
NOT_DECIDED = 255


class BatchEvaluator:
    """Statuses and dates for many records, equal to :meth:`rules.engine.Evaluator.statuses`."""

    def __init__(self, library: Library):
        self.compiled: CompiledLibrary = compiled_for(library)
        self.library = self.compiled.library
        self.words = Words(self.library)
        self.plans = plan_library(self.compiled, self.words)
        self.obligation_plans = plan_obligations(self.compiled, self.words)
        self._for_obligations: tuple[list[tuple[str, _Rule]], list[tuple[int, _Rule]]] | None = None
        self.vocabulary = Vocabulary.of(self.library.catalogue, self.library)
        rules = self.compiled.definition
        self._leaves = [
            (i, _Rule(f"l{i}", rules[f"l{i}"])) for i in range(len(self.compiled.leaves))
        ]
        self._held: list[tuple[str, _Rule]] = []
        self._lapsed: list[tuple[str, _Rule]] = []
        for key, stage in self.compiled.stages.items():
            if stage.held_rule is not None:
                self._held.append((key, _Rule(stage.held_rule, rules[stage.held_rule])))
            if stage.lapsed_rule is not None:
                self._lapsed.append((key, _Rule(stage.lapsed_rule, rules[stage.lapsed_rule])))
        unknown = set(rules) - {ANCHOR} - {f"l{i}" for i, _ in self._leaves}
        unknown -= {r.name for _, r in (*self._held, *self._lapsed)}
        if unknown:  # a rule kind this evaluator would silently ignore
            raise ValueError(f"the batch evaluator does not know the rules {sorted(unknown)}")

    def _facts(self, person: Person, as_of: dt.date, assessors: Assessors | None) -> FactSheet:
        check = (
            AssessorCheck(self.compiled, assessors, self.vocabulary)
            if assessors is not None
            else None
        )
        return build_facts(person, as_of, self.library.catalogue, person.id, self.vocabulary, check)

    def firings(self, sheet: FactSheet) -> Firings:
        """What the engine would fire for these facts."""
        return self._fire(sheet, self._held, self._lapsed, self._leaves)

    def _fire(
        self,
        sheet: FactSheet,
        held: list[tuple[str, _Rule]],
        lapsed: list[tuple[str, _Rule]],
        leaves: list[tuple[int, _Rule]],
    ) -> Firings:
        by_type = _index(sheet.facts)
        firings = Firings(anchored=True)
        chained = self.compiled.chained
        for key, rule in held:
            matched = rule.match(by_type)
            if matched is not None:
                firings.held[key] = matched
                if key in chained:
                    _add(by_type, {"sid": sheet.sid, "t": "held", "stage": key})
        for key, rule in lapsed:
            matched = rule.match(by_type)
            if matched is not None:
                firings.lapsed[key] = matched
        for index, rule in leaves:
            matched = rule.match(by_type)
            if matched is not None:
                firings.leaves[index] = matched
        return firings

    def stage_keys(self, pathways: Iterable[str] | None = None) -> tuple[str, ...]:
        """The ``pathway.stage`` keys :meth:`compact` reports on, in library order."""
        wanted = list(pathways) if pathways is not None else list(self.library.pathways)
        return tuple(f"{pid}.{s.id}" for pid in wanted for s in self.library.pathways[pid].stages)

    def compact(
        self,
        person: Person,
        as_of: dt.date,
        keys: tuple[str, ...],
        assessors: Assessors | None = None,
    ) -> tuple[bytes, dict[int, tuple[dt.date | None, dt.date | None]]]:
        """The statuses of ``keys`` as one code per stage (:data:`STATUS_CODES`; 255: not
        in force that day), and (eligible_from, lapsed_on) by position where there is one.
        What :meth:`statuses` says, without an object per stage: for population runs."""
        sheet = self._facts(person, as_of, assessors)
        evaluator = StageEvaluator(self.compiled, sheet, self.firings(sheet), self.words)
        codes = bytearray()
        dates: dict[int, tuple[dt.date | None, dt.date | None]] = {}
        for i, key in enumerate(keys):
            plan = self.plans[key]
            if not plan.stage.in_force(as_of):
                codes.append(NOT_DECIDED)
                continue
            status, eligible_from, lapsed_on = evaluator.status(plan)
            codes.append(CODE_OF[status])
            if eligible_from is not None or lapsed_on is not None:
                dates[i] = (eligible_from, lapsed_on)
        return bytes(codes), dates

    def statuses(
        self,
        person: Person,
        as_of: dt.date,
        pathways: Iterable[str] | None = None,
        assessors: Assessors | None = None,
    ) -> DecisionSummary:
        """Every in-force stage's status and dates, as the engine would give them.

        Raises:
            pathways.model.library.UnknownPathwayError: (a KeyError) if a pathway id in
                ``pathways`` is not in the library.
        """
        wanted = self.library.pathway_ids(pathways)
        sheet = self._facts(person, as_of, assessors)
        evaluator = StageEvaluator(self.compiled, sheet, self.firings(sheet), self.words)
        return summarise(
            self.library, self.plans, evaluator, wanted, person.id, as_of, BATCH_ENGINE
        )

    def obligations(
        self,
        person: Person,
        as_of: dt.date,
        pathways: Iterable[str] | None = None,
        assessors: Assessors | None = None,
    ) -> list[ObligationDecision]:
        """The obligations that apply to ``person``, as the engine would decide them
        (:meth:`rules.engine.Evaluator.obligations`): for compliance reports."""
        sheet = self._facts(person, as_of, assessors)
        # Only the rules obligations ask about: their leaves, and the held rules of the
        # stages their 'reached' leaves name (stage leaves would cost four times as much).
        if self._for_obligations is None:
            self._for_obligations = self._obligation_rules()
        held, leaves = self._for_obligations
        firings = self._fire(sheet, held, [], leaves)
        evaluator = StageEvaluator(self.compiled, sheet, firings, self.words)
        return decide_obligations(self.obligation_plans, evaluator, person, pathways)

    def _obligation_rules(self) -> tuple[list[tuple[str, _Rule]], list[tuple[int, _Rule]]]:
        wanted: set[int] = set()
        for plan in self.obligation_plans.values():
            for node in [*plan.applies, *([plan.must] if plan.must else [])]:
                wanted |= _leaf_indices(node)
        leaves = [(i, r) for i, r in self._leaves if i in wanted]
        stages = {
            str(p["$and"][1]["stage"])
            for i in wanted
            if self.compiled.leaves[i].kind == "reached"
            for p in self.compiled.leaves[i].patterns
        }
        return [(k, r) for k, r in self._held if k in stages], leaves


def _leaf_indices(node: Node) -> set[int]:
    if not node.children:
        return {node.leaf}
    return {i for child in node.children for i in _leaf_indices(child)}
