"""Deciding eligibility: the in-process entry point.

>>> from pathways import SHIPPED_LIBRARY, load_library
>>> from accreditation import Person
>>> evaluator = Evaluator(load_library([SHIPPED_LIBRARY]))
>>> person = Person.model_validate({"id": "W1", "kind": "officer", "joined": "2015-09-01",
...     "ranks": [{"rank": "constable", "start": "2015-09-01"}]})
>>> decision = evaluator.decide(person, dt.date(2020, 1, 1))
>>> decision.stage("promotion", "constable").status.value
'held'
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from importlib.metadata import version

from accreditation.record import Person
from pathways.model.library import Library

from .assessors import AssessorCheck, Assessors
from .compile import CompiledLibrary, compile_library
from .decision import (
    Decision,
    DecisionOverview,
    DecisionSummary,
    NextStep,
    ObligationDecision,
    StageDecision,
    StageStatus,
    Status,
    built,
    without_trees,
)
from .evaluate import StageEvaluator, stage_decision
from .facts import Vocabulary, build_facts
from .obligations import decide_obligations, plan_obligations
from .plan import StagePlan, plan_library
from .session import RuleEngine
from .steps import frontier, next_steps
from .wording import Words

__all__ = ["Evaluator", "compiled_for", "shared_engine", "summarise"]

_ENGINE: RuleEngine | None = None
ENGINE_NAME = f"durable-rules {version('durable_rules')}"
_COMPILED: dict[str, CompiledLibrary] = {}


def shared_engine() -> RuleEngine:
    """The process's rule engine (durable-rules keeps process-global state)."""
    global _ENGINE
    if _ENGINE is None:
        _ENGINE = RuleEngine()
    return _ENGINE


def compiled_for(library: Library) -> CompiledLibrary:
    """Compile once per library version (content hash); later calls reuse it."""
    digest = library.digest
    if digest not in _COMPILED:
        _COMPILED[digest] = compile_library(library)
    return _COMPILED[digest]


class Evaluator:
    """Decides, for a record and a date, every stage in force that day, with reasons."""

    #: What combines the fired rules into statuses and dates (a test may put a faulty
    #: one here, to show that the property suite finds its fault).
    stage_evaluator: type[StageEvaluator] = StageEvaluator

    def __init__(self, library: Library, engine: RuleEngine | None = None):
        self.compiled = compiled_for(library)
        # The compiled library's own models: its leaf table is keyed by those objects.
        self.library = self.compiled.library
        self.words = Words(self.library)
        self.plans = plan_library(self.compiled, self.words)
        self.obligation_plans = plan_obligations(self.compiled, self.words)
        self.vocabulary = Vocabulary.of(self.library.catalogue, self.library)
        self.engine = engine or shared_engine()
        self.engine.load(self.compiled)

    def _run(
        self,
        person: Person,
        as_of: dt.date | None,
        pathways: Iterable[str] | None,
        assessors: Assessors | None,
    ) -> tuple[dt.date, list[str], StageEvaluator]:
        as_of = as_of or dt.date.today()
        wanted = self.library.pathway_ids(pathways)
        check = (
            AssessorCheck(self.compiled, assessors, self.vocabulary)
            if assessors is not None
            else None
        )
        sheet = build_facts(
            person, as_of, self.library.catalogue, person.id, self.vocabulary, check
        )
        firings = self.engine.run(self.compiled, sheet)
        return as_of, wanted, self.stage_evaluator(self.compiled, sheet, firings, self.words)

    def statuses(
        self,
        person: Person,
        as_of: dt.date | None = None,
        pathways: Iterable[str] | None = None,
        assessors: Assessors | None = None,
    ) -> DecisionSummary:
        """The same statuses and dates as :meth:`decide`, without building the reasons:
        for population runs. ``statuses(p, d) == decide(p, d).summary()``.

        Raises:
            pathways.model.library.UnknownPathwayError: (a KeyError) if a pathway id in
                ``pathways`` is not in the library.
            rules.session.EngineError: if the rules engine fails for this record.
        """
        as_of, wanted, evaluator = self._run(person, as_of, pathways, assessors)
        return summarise(self.library, self.plans, evaluator, wanted, person.id, as_of, ENGINE_NAME)

    def decide(
        self,
        person: Person,
        as_of: dt.date | None = None,
        pathways: Iterable[str] | None = None,
        assessors: Assessors | None = None,
    ) -> Decision:
        """The decision for ``person`` as of ``as_of`` (default: today).

        ``pathways`` limits the stages reported (every pathway is still evaluated,
        since stages of one pathway can depend on stages of another). ``assessors``
        holds the records of people the record names as assessors (by id), so rules
        that count qualified assessors can check them (:mod:`rules.assessors`); a name
        not in it counts, unchecked, and the evidence says so.

        Raises:
            pathways.model.library.UnknownPathwayError: (a KeyError) if a pathway id in
                ``pathways`` is not in the library.
            rules.session.EngineError: if the rules engine fails for this record.
        """
        as_of, wanted, evaluator = self._run(person, as_of, pathways, assessors)
        stages: list[StageDecision] = []
        steps: list[NextStep] = []
        for pid in wanted:
            pathway = self.library.pathways[pid]
            decided = {
                stage.id: evaluator.decide(self.plans[f"{pid}.{stage.id}"])
                for stage in pathway.stages
                if stage.in_force(as_of)
            }
            stages.extend(decided.values())
            steps.extend(next_steps(pathway, decided))
        return built(
            Decision,
            person=person.id,
            as_of=as_of,
            library_version=self.library.digest,
            engine=ENGINE_NAME,
            stages=stages,
            next_steps=steps,
            obligations=decide_obligations(self.obligation_plans, evaluator, person, wanted),
        )

    def overview(
        self,
        person: Person,
        as_of: dt.date | None = None,
        pathways: Iterable[str] | None = None,
        assessors: Assessors | None = None,
    ) -> DecisionOverview:
        """What :meth:`decide` gives, without the requirement trees: every stage's status
        and dates, the next steps and the obligations. Only the stages next steps come
        from (each pathway's :func:`rules.steps.frontier`, those not yet eligible) have
        their reasons built. ``overview(p, d) == DecisionOverview.of(decide(p, d))``.

        Raises: the same as :meth:`decide`.
        """
        as_of, wanted, evaluator = self._run(person, as_of, pathways, assessors)
        stages: list[StageStatus] = []
        steps: list[NextStep] = []
        for pid in wanted:
            pathway = self.library.pathways[pid]
            plans = {s.id: self.plans[f"{pid}.{s.id}"] for s in pathway.stages if s.in_force(as_of)}
            found = {sid: evaluator.status(plan) for sid, plan in plans.items()}
            near = set(frontier(pathway, {sid: f[0] for sid, f in found.items()}))
            decided = {
                sid: evaluator.decide(plan)
                if sid in near and found[sid][0] in _WAITING
                else stage_decision(plan, *found[sid])
                for sid, plan in plans.items()
            }
            stages.extend(
                built(
                    StageStatus,
                    pathway=pid,
                    stage=sid,
                    status=status,
                    eligible_from=eligible_from,
                    lapsed_on=lapsed_on,
                )
                for sid, (status, eligible_from, lapsed_on) in found.items()
            )
            steps.extend(next_steps(pathway, decided))
        obligations = decide_obligations(self.obligation_plans, evaluator, person, wanted)
        return built(
            DecisionOverview,
            person=person.id,
            as_of=as_of,
            library_version=self.library.digest,
            engine=ENGINE_NAME,
            stages=stages,
            next_steps=steps,
            obligations=without_trees(obligations),
        )

    def obligations(
        self,
        person: Person,
        as_of: dt.date | None = None,
        pathways: Iterable[str] | None = None,
        assessors: Assessors | None = None,
    ) -> list[ObligationDecision]:
        """The obligations that apply to ``person`` as of ``as_of``, as :meth:`decide` gives
        them (without deciding the stages' reasons; ``assessors`` as for :meth:`decide`).

        Raises:
            KeyError: if a pathway id in ``pathways`` is not in the library.
            rules.session.EngineError: if the rules engine fails for this record.
        """
        as_of, wanted, evaluator = self._run(person, as_of, pathways, assessors)
        return decide_obligations(self.obligation_plans, evaluator, person, wanted)


def summarise(
    library: Library,
    plans: dict[str, StagePlan],
    evaluator: StageEvaluator,
    wanted: list[str],
    person_id: str,
    as_of: dt.date,
    engine: str,
) -> DecisionSummary:
    """Every in-force stage of ``wanted`` pathways, statuses and dates only."""
    stages = []
    for pid in wanted:
        for stage in library.pathways[pid].stages:
            if stage.in_force(as_of):
                status, eligible_from, lapsed_on = evaluator.status(plans[f"{pid}.{stage.id}"])
                stages.append(
                    built(
                        StageStatus,
                        pathway=pid,
                        stage=stage.id,
                        status=status,
                        eligible_from=eligible_from,
                        lapsed_on=lapsed_on,
                    )
                )
    return built(
        DecisionSummary,
        person=person_id,
        as_of=as_of,
        library_version=library.digest,
        engine=engine,
        stages=stages,
    )


_WAITING = (Status.ELIGIBLE_FROM, Status.NOT_ELIGIBLE)
