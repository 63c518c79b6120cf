"""The dates this system accepts from anyone: one range, checked everywhere a date comes in.

Dates far outside a working life are typing mistakes (``0201-04-01``) or probes
(``0001-01-01``), and date arithmetic near ``date.min`` and ``date.max`` overflows, so
every date read from a person (a record, an import row, a query parameter, a form, a
what-if item, a publish's effective date) must fall in :data:`EARLIEST` .. :data:`LATEST`.

>>> check_day(dt.date(2024, 6, 1))
datetime.date(2024, 6, 1)
>>> check_day(dt.date(1, 1, 1))
Traceback (most recent call last):
...
ValueError: 0001-01-01 is outside the dates this system accepts (1900-01-01 to 2200-12-31)
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import AfterValidator

__all__ = ["EARLIEST", "LATEST", "Day", "check_day", "out_of_range"]

EARLIEST = dt.date(1900, 1, 1)
LATEST = dt.date(2200, 12, 31)


def out_of_range(day: dt.date) -> str | None:
    """Why ``day`` is refused, or None if it is in range."""
    if EARLIEST <= day <= LATEST:
        return None
    return f"{day.isoformat()} is outside the dates this system accepts ({EARLIEST} to {LATEST})"


def check_day(day: dt.date) -> dt.date:
    """``day``, if it is in range.

    Raises:
        ValueError: saying the range (pydantic reports it at the field it was given in).
    """
    why = out_of_range(day)
    if why is not None:
        raise ValueError(why)
    return day


#: A date field in range (a pydantic type: the error names the field).
Day = Annotated[dt.date, AfterValidator(check_day)]
