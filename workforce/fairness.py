"""Equality statistics: selection rates by group, the adverse-impact ratio against the
highest-rate group (the four-fifths rule), Fisher's exact test, and small-number
suppression.

A group's *rate* is how many of its people are selected (e.g. eligible for a stage)
out of how many there are. The *adverse-impact ratio* divides a group's rate by the
highest rate of any group; under 0.8 is the four-fifths rule's flag. Fisher's exact
test says how surprising a group's count is if selection did not depend on the group
(the group against everyone else, two-sided). Any count under :data:`SUPPRESS_BELOW`
is suppressed: shown as ``<5``, with no rate or ratio, so small groups cannot be
identified.

>>> rows = group_rates({"white": (40, 100), "black": (6, 20), "mixed": (1, 3)})
>>> [(r.group, r.rate, r.air, r.flag) for r in rows]
[('white', 0.4, 1.0, False), ('black', 0.3, 0.75, True), ('mixed', None, None, False)]
>>> rows[2].shown_selected, rows[2].suppressed
('<5', True)
>>> round(fisher_exact(1, 9, 11, 3), 4)
0.0028
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

__all__ = [
    "FOUR_FIFTHS",
    "SUPPRESS_BELOW",
    "GroupRate",
    "fisher_exact",
    "group_rates",
    "shown",
]

SUPPRESS_BELOW = 5
FOUR_FIFTHS = 0.8


def shown(count: int) -> str:
    """A count as published: ``<5`` for 1 to 4 (0 is shown: nobody is identified by it)."""
    return f"<{SUPPRESS_BELOW}" if 0 < count < SUPPRESS_BELOW else str(count)


@dataclass(frozen=True)
class GroupRate:
    """One group's selection, rate and comparison with the highest-rate group."""

    group: str
    selected: int
    total: int
    rate: float | None  # None when suppressed or the group is empty
    air: float | None  # adverse-impact ratio against the highest rate
    flag: bool  # air under four fifths
    p_value: float | None  # Fisher's exact test, this group against everyone else
    suppressed: bool

    @property
    def shown_selected(self) -> str:
        return shown(self.selected)

    @property
    def shown_total(self) -> str:
        return shown(self.total)


def group_rates(counts: Mapping[str, tuple[int, int]]) -> list[GroupRate]:
    """Rates, ratios and p-values for ``{group: (selected, total)}``, in the given order.

    A group is suppressed when its total, its selected count or its not-selected count
    is between 1 and 4: its rate would let a reader work out a small number. Suppressed
    groups are left out of the highest rate too.

    Raises:
        ValueError: if a count is negative or ``selected`` exceeds ``total``.
    """
    for group, (selected, total) in counts.items():
        if selected < 0 or total < 0 or selected > total:
            raise ValueError(
                f"group '{group}': need 0 <= selected <= total, got {selected}/{total}"
            )
    all_selected = sum(s for s, _ in counts.values())
    all_total = sum(t for _, t in counts.values())

    def small(n: int) -> bool:
        return 0 < n < SUPPRESS_BELOW

    suppressed = {g: small(t) or small(s) or small(t - s) for g, (s, t) in counts.items()}
    rates = {g: (s / t if t and not suppressed[g] else None) for g, (s, t) in counts.items()}
    best = max((r for r in rates.values() if r is not None), default=None)
    out = []
    for group, (selected, total) in counts.items():
        rate = rates[group]
        air = rate / best if rate is not None and best else None
        p = None
        if not suppressed[group] and total:
            p = fisher_exact(
                selected,
                total - selected,
                all_selected - selected,
                (all_total - total) - (all_selected - selected),
            )
        out.append(
            GroupRate(
                group=group,
                selected=selected,
                total=total,
                rate=None if rate is None else round(rate, 4),
                air=None if air is None else round(air, 4),
                flag=air is not None and air < FOUR_FIFTHS,
                p_value=p,
                suppressed=suppressed[group],
            )
        )
    return out


def _log_comb(n: int, k: int) -> float:
    return math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)


def fisher_exact(a: int, b: int, c: int, d: int) -> float:
    """Two-sided p-value of Fisher's exact test for the 2x2 table ``[[a, b], [c, d]]``.

    The sum of the probabilities of every table with the same margins that is no more
    likely than the one observed (with a relative tolerance, as R and SciPy do).

    >>> fisher_exact(3, 1, 1, 3) == fisher_exact(1, 3, 3, 1)
    True
    >>> fisher_exact(0, 0, 0, 0)
    1.0

    Raises:
        ValueError: if a cell is negative.
    """
    if min(a, b, c, d) < 0:
        raise ValueError("the cells of a 2x2 table cannot be negative")
    row1, col1, n = a + b, a + c, a + b + c + d
    if n == 0:
        return 1.0
    lo, hi = max(0, col1 - (n - row1)), min(row1, col1)
    denominator = _log_comb(n, col1)

    def log_p(x: int) -> float:
        return _log_comb(row1, x) + _log_comb(n - row1, col1 - x) - denominator

    observed = log_p(a)
    total = 0.0
    for x in range(lo, hi + 1):
        lp = log_p(x)
        if lp <= observed + 1e-7:
            total += math.exp(lp)
    return min(1.0, total)
