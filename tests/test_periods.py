"""Whole-month arithmetic: the one rounding rule every period uses."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from accreditation.periods import add_months, whole_months

dates = st.dates(min_value=dt.date(1970, 1, 1), max_value=dt.date(2100, 12, 31))


def test_month_end_is_clamped() -> None:
    assert add_months(dt.date(2023, 1, 31), 1) == dt.date(2023, 2, 28)
    assert add_months(dt.date(2024, 1, 31), 1) == dt.date(2024, 2, 29)
    assert add_months(dt.date(2024, 8, 31), 6) == dt.date(2025, 2, 28)


def test_a_period_completes_on_the_same_day_n_months_later() -> None:
    start = dt.date(2022, 3, 15)
    assert whole_months(start, dt.date(2024, 3, 14)) == 23
    assert whole_months(start, dt.date(2024, 3, 15)) == 24


@given(dates, st.integers(min_value=0, max_value=600))
def test_whole_months_inverts_add_months(start: dt.date, n: int) -> None:
    end = add_months(start, n)
    assert whole_months(start, end) == n
    assert whole_months(start, end - dt.timedelta(days=1)) == max(n - 1, 0) or n == 0


@given(dates, dates)
def test_whole_months_is_the_largest_n_not_past_the_end(start: dt.date, end: dt.date) -> None:
    n = whole_months(start, end)
    if end < start:
        assert n == 0
    else:
        assert add_months(start, n) <= end < add_months(start, n + 1)
