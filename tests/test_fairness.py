"""Equality statistics: Fisher's exact test, adverse-impact ratios, suppression."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workforce.fairness import fisher_exact, group_rates, shown

cells = st.integers(0, 60)


@given(cells, cells, cells, cells)
def test_fisher_p_value_is_a_probability_and_symmetric(a: int, b: int, c: int, d: int) -> None:
    p = fisher_exact(a, b, c, d)
    assert 0.0 < p <= 1.0
    assert math.isclose(p, fisher_exact(b, a, d, c), rel_tol=1e-9)  # swap columns
    assert math.isclose(p, fisher_exact(c, d, a, b), rel_tol=1e-9)  # swap rows
    assert math.isclose(p, fisher_exact(a, c, b, d), rel_tol=1e-9)  # transpose


@pytest.mark.parametrize(
    ("table", "expected"),
    [((8, 2, 1, 5), 0.03497), ((3, 1, 1, 3), 0.48571), ((1, 9, 11, 3), 0.002759)],
)
def test_fisher_matches_published_values(table: tuple[int, int, int, int], expected: float) -> None:
    assert fisher_exact(*table) == pytest.approx(expected, rel=1e-3)


@given(st.dictionaries(st.sampled_from("ABCDE"), st.tuples(cells, cells), min_size=1))
def test_no_rate_or_ratio_is_shown_for_a_suppressed_group(
    counts: dict[str, tuple[int, int]],
) -> None:
    fixed = {g: (min(s, t), t) for g, (s, t) in counts.items()}
    rows = group_rates(fixed)
    for row in rows:
        if row.suppressed:
            assert row.rate is None and row.air is None and row.p_value is None
        else:
            assert not (0 < row.total < 5 or 0 < row.selected < 5)
    airs = [r.air for r in rows if r.air is not None]
    assert all(0.0 <= a <= 1.0 for a in airs)
    if airs:
        assert max(airs) == 1.0  # the highest-rate group is the reference


def test_four_fifths_flag_and_shown_counts() -> None:
    white, black = group_rates({"white": (50, 100), "black": (30, 100)})
    assert white.air == 1.0 and not white.flag
    assert black.air == 0.6 and black.flag and black.p_value is not None
    assert [shown(n) for n in (0, 1, 4, 5)] == ["0", "<5", "<5", "5"]
    with pytest.raises(ValueError, match="selected <= total"):
        group_rates({"x": (3, 2)})
