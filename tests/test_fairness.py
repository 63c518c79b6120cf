"""Equality statistics on small tables computed by hand in the test: rates, ratios to the
reference group, the four-fifths flag, Fisher's exact p-value and how each is shown."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workforce.fairness import (
    RateRow,
    choose_reference,
    compare,
    count_text,
    fisher_exact,
    p_text,
    rate_text,
    ratio_text,
)

cells = st.integers(0, 60)


def fisher_by_hand(a: int, b: int, c: int, d: int) -> Fraction:
    """Two-sided Fisher p, exactly: the hypergeometric probabilities of every table with
    the same margins that is no more likely than the observed one."""
    row1, col1, n = a + b, a + c, a + b + c + d

    def prob(x: int) -> Fraction:
        return Fraction(math.comb(row1, x) * math.comb(n - row1, col1 - x), math.comb(n, col1))

    seen = prob(a)
    lo, hi = max(0, col1 - (n - row1)), min(row1, col1)
    return sum((prob(x) for x in range(lo, hi + 1) if prob(x) <= seen), Fraction(0))


@given(cells, cells, cells, cells)
def test_fisher_p_value_is_a_probability_and_symmetric(a: int, b: int, c: int, d: int) -> None:
    p = fisher_exact(a, b, c, d)
    assert 0.0 < p <= 1.0
    assert math.isclose(p, fisher_exact(b, a, d, c), rel_tol=1e-9)  # swap columns
    assert math.isclose(p, fisher_exact(c, d, a, b), rel_tol=1e-9)  # swap rows
    assert math.isclose(p, fisher_exact(a, c, b, d), rel_tol=1e-9)  # transpose


def test_fisher_by_hand() -> None:
    # margins 4/4 of 8: P(x) = C(4,x)^2 / 70 = 1, 16, 36, 16, 1 (/70); x=1 is 16/70, and
    # the tables no more likely are x = 0, 1, 3, 4: (1 + 16 + 16 + 1) / 70
    assert fisher_by_hand(1, 3, 3, 1) == Fraction(34, 70)
    assert fisher_exact(1, 3, 3, 1) == pytest.approx(34 / 70, rel=1e-9)
    for table in ((8, 2, 1, 5), (1, 9, 11, 3), (6, 14, 40, 60), (0, 20, 9, 11)):
        assert fisher_exact(*table) == pytest.approx(float(fisher_by_hand(*table)), rel=1e-9)


def test_a_table_by_hand() -> None:
    """White 40 of 100, black 6 of 20, asian 12 of 20, not stated 18 of 30 (the highest
    rate, but unknown), mixed 3 of 4 (too few people to be the reference)."""
    rows = [
        RateRow("white", "White", 40, 100),
        RateRow("black", "Black", 6, 20),
        RateRow("asian", "Asian", 12, 20),
        RateRow("mixed", "Mixed", 3, 4),
        RateRow("not_stated", "Ethnicity not stated", 18, 30, comparable=False),
    ]
    reference, why = choose_reference(rows)
    assert (reference, why) == ("asian", "the highest rate among stated groups")
    got = {c.group: c for c in compare(rows, reference)}
    # rates: 40/100, 6/20, 12/20, 3/4, 18/30
    assert [got[g].rate for g in ("white", "black", "asian", "mixed", "not_stated")] == [
        0.4,
        0.3,
        0.6,
        0.75,
        0.6,
    ]
    # ratios to asian's 0.6: white 0.4/0.6 = 2/3, black 0.3/0.6 = 1/2, mixed 0.75/0.6 = 5/4
    assert got["white"].ratio == round(2 / 3, 4) and got["white"].flag
    assert got["black"].ratio == 0.5 and got["black"].flag
    assert got["mixed"].ratio == 1.25 and not got["mixed"].flag
    assert got["asian"].reference and got["asian"].ratio is None and got["asian"].p_value is None
    # the unknown group is shown with its rate, never compared
    assert got["not_stated"].ratio is None and not got["not_stated"].flag
    # p: the group against the reference, [[has, has not] group, [has, has not] asian]
    assert got["black"].p_value == pytest.approx(float(fisher_by_hand(6, 14, 12, 8)))
    assert got["white"].p_value == pytest.approx(float(fisher_by_hand(40, 60, 12, 8)))
    # a chosen reference: the UK relative likelihood against White
    chosen = {c.group: c for c in compare(rows, choose_reference(rows, "white")[0])}
    assert chosen["black"].ratio == 0.75 and chosen["black"].flag
    assert chosen["asian"].ratio == 1.5 and not chosen["asian"].flag
    assert choose_reference(rows, "not_stated")[0] is None
    assert choose_reference(rows, "mixed")[0] is None  # 4 people: too few
    assert choose_reference(rows, "nobody")[0] is None


def test_zero_counts_and_hidden_counts() -> None:
    rows = [
        RateRow("white", "White", 0, 50),
        RateRow("black", "Black", 0, 10),
        RateRow("asian", "Asian", 0, 0),
        RateRow("mixed", "Mixed", None, 12),
    ]
    assert choose_reference(rows)[0] is None  # nobody has it: nothing to divide by
    got = compare(rows, None)
    assert [c.rate for c in got] == [0.0, 0.0, None, None]
    assert not any(c.flag or c.ratio is not None for c in got)
    # a group with nobody selected against a reference with some: ratio 0, flagged
    zero = compare([RateRow("white", "White", 10, 50), RateRow("black", "Black", 0, 10)], "white")
    assert zero[1].ratio == 0.0 and zero[1].flag
    assert zero[1].p_value == pytest.approx(float(fisher_by_hand(0, 10, 10, 40)))
    with pytest.raises(ValueError, match="selected <= total"):
        compare([RateRow("x", "X", 3, 2)], None)


def test_how_figures_are_shown() -> None:
    assert p_text(0.0) == "< 0.001" and p_text(0.0004) == "< 0.001"
    assert p_text(0.001) == "0.001" and p_text(0.48571) == "0.486" and p_text(None) == "-"
    assert count_text(None) == "[c]" and count_text(0) == "0" and count_text(12345) == "12,345"
    assert rate_text(0.3833) == "38.3%" and rate_text(None) == "-"
    assert ratio_text(0.75) == "0.75" and ratio_text(None) == "-"
