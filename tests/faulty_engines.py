"""Deliberately faulty engines, for showing that a property finds the fault it exists for.

Each restores one wrong answer the engine used to give (issue 13). They are test code
only: ``Evaluator.stage_evaluator`` is the one place they plug in.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from rules.engine import Evaluator
from rules.evaluate import StageEvaluator, _Leaf
from rules.plan import Node


class LapseBlindStageEvaluator(StageEvaluator):
    """A stage reached counts as held for ever, though its award lapses or ends: a PIP
    level 2 that lapses on the day 12 months as an SIO complete, and PIP level 3 is said
    to be eligible from that day."""

    def _held_until(self, stage: str) -> dt.date | None:
        return None


class LapseBlindEvaluator(Evaluator):
    stage_evaluator = LapseBlindStageEvaluator


class PostEndBlindStageEvaluator(StageEvaluator):
    """Time in the current rank, role or business group goes on counting after the
    rank, posting or group has ended."""

    def _served(self, node: Node, met: bool) -> _Leaf:
        scope = node.scope or ""
        tenure = self.sheet.tenures.get(scope)
        if tenure is not None and tenure.vanishes:
            self.sheet.tenures[scope] = dataclasses.replace(tenure, vanishes=False)
        return super()._served(node, met)


class PostEndBlindEvaluator(Evaluator):
    stage_evaluator = PostEndBlindStageEvaluator
