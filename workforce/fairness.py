"""Equality statistics for one table: each group's rate, the ratio of its rate to a
reference group's, the four-fifths flag, and Fisher's exact test.

A group's *rate* is how many of the people in its pool have the stage (hold it or are
eligible) over how many people are in its pool. The *ratio* is the group's rate divided
by the reference group's rate: with the default reference, the highest rate among
stated groups with at least :data:`SUPPRESS_BELOW` people whose counts are published,
this is the US adverse-impact ratio (EEOC Uniform Guidelines, 29 CFR 1607.4(D)); with a
chosen reference (often White) it is the UK relative-likelihood ratio. A stated group
whose ratio is under four fifths is *flagged*. Groups whose characteristic is not known
("not stated", "not recorded") are shown but never compared and never the reference.
Fisher's exact test (two-sided) compares the group with the reference group in a 2x2
table (has it / does not, group / reference); p under 0.001 is shown as "< 0.001".

A rate, ratio or p is only given when every count it is computed from is published:
a hidden count (see :mod:`workforce.disclosure`) would otherwise be worked out from it.

>>> rows = [RateRow("white", "White", 40, 100), RateRow("black", "Black", 6, 20),
...         RateRow("not_stated", "Not stated", 9, 30, comparable=False)]
>>> reference, note = choose_reference(rows)
>>> reference, note
('white', 'the highest rate among stated groups')
>>> [(c.group, c.rate, c.ratio, c.flag) for c in compare(rows, reference)]
[('white', 0.4, None, False), ('black', 0.3, 0.75, True), ('not_stated', 0.3, None, False)]
>>> p_text(fisher_exact(1, 9, 11, 3)), p_text(fisher_exact(0, 40, 40, 0)), p_text(None)
('0.003', '< 0.001', '-')
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from .disclosure import SUPPRESS_BELOW

__all__ = [
    "FOUR_FIFTHS",
    "HIDDEN",
    "SUPPRESS_BELOW",
    "Comparison",
    "RateRow",
    "choose_reference",
    "compare",
    "count_text",
    "fisher_exact",
    "p_text",
    "rate_text",
    "ratio_text",
    "shown",
]

FOUR_FIFTHS = 0.8
#: How a hidden count is shown (the statistical offices' "[c]", confidential).
HIDDEN = "[c]"


def shown(count: int) -> str:
    """A count on its own, outside a protected table: ``<5`` for 1 to 4."""
    return f"<{SUPPRESS_BELOW}" if 0 < count < SUPPRESS_BELOW else str(count)


def count_text(count: int | None) -> str:
    """A count in a protected table: the number, or ``[c]`` if hidden (None)."""
    return HIDDEN if count is None else f"{count:,}"


def rate_text(rate: float | None) -> str:
    return "-" if rate is None else f"{rate:.1%}"


def ratio_text(ratio: float | None) -> str:
    return "-" if ratio is None else f"{ratio:.2f}"


def p_text(p: float | None) -> str:
    """``< 0.001`` for tiny p-values (never ``0``), else three decimals."""
    if p is None:
        return "-"
    return "< 0.001" if p < 0.001 else f"{p:.3f}"


@dataclass(frozen=True)
class RateRow:
    """One group's published counts (None: hidden) in a table."""

    group: str
    words: str
    selected: int | None
    total: int | None
    comparable: bool = True  # a stated group: may be compared and be the reference
    candidate: bool = True  # may be the default reference (not an aggregate such as BME)

    @property
    def rate(self) -> float | None:
        if self.selected is None or self.total is None or self.total == 0:
            return None
        return self.selected / self.total


@dataclass(frozen=True)
class Comparison:
    group: str
    rate: float | None
    ratio: float | None  # rate over the reference's rate
    flag: bool  # a stated group under four fifths of the reference
    p_value: float | None  # Fisher's exact test, the group against the reference
    reference: bool


def choose_reference(rows: Sequence[RateRow], wanted: str | None = None) -> tuple[str | None, str]:
    """The reference group's id (None if none can be) and why, in words.

    ``wanted`` must be a stated group of the table with published counts, at least
    :data:`SUPPRESS_BELOW` people and a rate above 0; otherwise there is no reference and
    the reason says why. Without ``wanted``: the stated, non-aggregate group with the
    highest rate among those (ties: more people, then table order).
    """

    def usable(row: RateRow) -> bool:
        return (
            row.comparable
            and row.rate is not None
            and row.rate > 0
            and (row.total or 0) >= SUPPRESS_BELOW
        )

    if wanted is not None:
        found = next((r for r in rows if r.group == wanted), None)
        if found is None:
            return None, f"the chosen reference group '{wanted}' is not in this table"
        if not found.comparable:
            return None, f"{found.words} is not a stated group and cannot be the reference"
        if not usable(found):
            return None, (
                f"the chosen reference group ({found.words}) has too few people, hidden "
                "counts or nobody with the stage here"
            )
        return wanted, "chosen"
    options = [(i, r) for i, r in enumerate(rows) if r.candidate and usable(r)]
    if not options:
        return None, "no stated group has enough people with published counts to compare with"
    _, best = max(options, key=lambda o: (o[1].rate, o[1].total, -o[0]))
    return best.group, "the highest rate among stated groups"


def compare(rows: Sequence[RateRow], reference: str | None) -> list[Comparison]:
    """Rates, and ratios, flags and p-values against ``reference`` (from
    :func:`choose_reference`), in the order of ``rows``.

    Raises:
        ValueError: if a count is negative or a selected count exceeds its total.
    """
    for row in rows:
        if (
            row.selected is not None
            and row.total is not None
            and not 0 <= row.selected <= row.total
        ):
            raise ValueError(
                f"group '{row.group}': need 0 <= selected <= total, got {row.selected}/{row.total}"
            )
    ref = next((r for r in rows if r.group == reference), None)
    out = []
    for row in rows:
        ratio = p = None
        is_ref = ref is not None and row.group == ref.group
        if (
            ref is not None
            and ref.rate  # a rate of 0 (or none) cannot be divided by
            and ref.selected is not None
            and ref.total is not None
            and not is_ref
            and row.comparable
            and row.rate is not None
            and row.selected is not None
            and row.total is not None
        ):
            ratio = row.rate / ref.rate
            p = fisher_exact(
                row.selected, row.total - row.selected, ref.selected, ref.total - ref.selected
            )
        out.append(
            Comparison(
                group=row.group,
                rate=None if row.rate is None else round(row.rate, 4),
                ratio=None if ratio is None else round(ratio, 4),
                flag=ratio is not None and ratio < FOUR_FIFTHS,
                p_value=p,
                reference=is_ref,
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
