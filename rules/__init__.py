"""The eligibility engine: pathway libraries compiled into durable-rules rulesets.

>>> from pathways import SHIPPED_LIBRARY, load_library
>>> Evaluator(load_library([SHIPPED_LIBRARY])).compiled.digest == load_library(
...     [SHIPPED_LIBRARY]).digest
True
"""

from .decision import Decision, Evidence, NextStep, RequirementOutcome, StageDecision, Status
from .engine import Evaluator
from .session import EngineError

__all__ = [
    "Decision",
    "EngineError",
    "Evaluator",
    "Evidence",
    "NextStep",
    "RequirementOutcome",
    "StageDecision",
    "Status",
]
