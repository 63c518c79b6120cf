"""Whole-month arithmetic, the one rounding rule every period uses.

A period of N months starting on day D is complete on the same day of the
month N months later; when that month is shorter, on its last day. Partial
months never count.

>>> import datetime as dt
>>> add_months(dt.date(2020, 1, 31), 1)
datetime.date(2020, 2, 29)
>>> whole_months(dt.date(2020, 1, 15), dt.date(2020, 3, 14))
1
>>> whole_months(dt.date(2020, 1, 15), dt.date(2020, 3, 15))
2
"""

from __future__ import annotations

import calendar
import datetime as dt

__all__ = ["EPOCH", "add_months", "day_number", "from_day_number", "whole_months"]

EPOCH = dt.date(1970, 1, 1)


def add_months(start: dt.date, months: int) -> dt.date:
    """The day a period of ``months`` whole months starting on ``start`` is complete."""
    index = start.year * 12 + (start.month - 1) + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(start.day, last))


def whole_months(start: dt.date, end: dt.date) -> int:
    """Whole months from ``start`` to ``end`` (0 if ``end`` is before ``start``).

    The inverse of :func:`add_months`: the largest n with ``add_months(start, n) <= end``.
    """
    if end < start:
        return 0
    n = (end.year - start.year) * 12 + (end.month - start.month)
    if add_months(start, n) > end:
        n -= 1
    return n


def day_number(day: dt.date) -> int:
    """Days since 1970-01-01: how dates travel in engine facts (integers compare fast)."""
    return (day - EPOCH).days


def from_day_number(n: int) -> dt.date:
    return EPOCH + dt.timedelta(days=n)
