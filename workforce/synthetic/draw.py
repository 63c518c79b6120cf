"""Drawing from the tables of :mod:`.tables`: cumulative weights, days as ordinals.

Generation works on day ordinals (``date.toordinal()``), not dates: adding days to an
int is what makes a hundred thousand records a few seconds' work.
"""

from __future__ import annotations

import datetime as dt
import random
from bisect import bisect
from itertools import accumulate
from typing import Any

from . import tables as t

__all__ = [
    "Table",
    "between",
    "cumulative",
    "pick",
]

#: Cumulative weights (the last exactly 1.0) and the values they lead to.
Table = tuple[list[float], list[Any]]


def cumulative(pairs: tuple[tuple[Any, float], ...]) -> Table:
    """A cumulative weight table for :func:`pick`.

    >>> cumulative((("a", 1), ("b", 3)))
    ([0.25, 1.0], ['a', 'b'])
    """
    weights = [w for _, w in pairs]
    total = sum(weights)
    return [c / total for c in accumulate(weights)], [v for v, _ in pairs]


def pick(rng: random.Random, table: Table) -> Any:
    """One value of ``table``, drawn by its weights."""
    cum, values = table  # cum[-1] is exactly 1.0, and random() < 1.0
    return values[bisect(cum, rng.random())]


def between(rng: random.Random, low: int, high: int) -> int:
    """A day in [low, high] (low if the window is empty)."""
    return low + int(rng.random() * (high - low + 1)) if high > low else low


def _groups(pairs: tuple[tuple[str, float], ...]) -> Table:
    """A table of business groups, drawn as their index in :data:`.tables.GROUPS`."""
    return cumulative(tuple((t.GROUPS.index(group), weight) for group, weight in pairs))


RANK_TABLE = cumulative(tuple(enumerate(t.RANK_WEIGHTS)))
BAND_TABLE = cumulative(tuple(enumerate(t.BAND_WEIGHTS)))
#: Minimum days before each promotion, and their running total, by target rank.
GAP_MIN = [[int(m * t.MONTH) + 1 for m in t.GAP_MIN_MONTHS[1 : k + 1]] for k in range(len(t.RANKS))]
GAP_MIN_TOTAL = [sum(g) for g in GAP_MIN]
MAX_OFFICER_SERVICE = int(t.MAX_OFFICER_SERVICE_YEARS * t.YEAR)
MAX_STAFF_SERVICE = int(t.MAX_STAFF_SERVICE_YEARS * t.YEAR)

UNITS_BY_GROUP = [[f"{code}-{n:02d}" for n in range(1, count + 1)] for code, count in t.UNITS]
UNIFORM_GROUP = _groups(t.UNIFORM_GROUPS)
DETECTIVE_GROUP = _groups(t.DETECTIVE_GROUPS)
ROADS_GROUP = _groups(t.ROADS_GROUPS)
INTEL_GROUP = _groups(t.INTELLIGENCE_GROUPS)
PERFORMANCE_GROUP = _groups(t.PERFORMANCE_GROUPS)
INVESTIGATIVE_STAFF_GROUP = _groups(t.INVESTIGATIVE_STAFF_GROUPS)
UNIFORM_ROLE = cumulative(t.UNIFORM_ROLES)
SENIOR_UNIFORM_ROLE = cumulative(t.SENIOR_UNIFORM_ROLES)
CENTRAL_OPERATIONS = t.GROUPS.index("central_operations")

OFFICER_ETHNICITY = cumulative(t.OFFICER_ETHNICITY)
STAFF_ETHNICITY = cumulative(t.STAFF_ETHNICITY)
OFFICER_GENDER = cumulative(t.OFFICER_GENDER)
STAFF_GENDER = cumulative(t.STAFF_GENDER)
OFFICER_DISABILITY = cumulative(t.OFFICER_DISABILITY)
STAFF_DISABILITY = cumulative(t.STAFF_DISABILITY)

# When things began, as day ordinals.
HPDS_START = t.HPDS_START.toordinal()
PIP_START = t.PIP_START.toordinal()
STAFF_PIP_START = t.STAFF_PIP_START.toordinal()
STREAMING_START = t.STREAMING_START.toordinal()
PD_START = t.PD_START.toordinal()
E2A_START = t.E2A_START.toordinal()
WBA_START = t.WBA_START.toordinal()
FSL_START = t.FSL_START.toordinal()

from_ordinal = dt.date.fromordinal
