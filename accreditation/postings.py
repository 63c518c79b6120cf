"""Which business group a posting counts in, day by day.

A posting names its business group as HR recorded it. Units move between business
groups (the 2007 restructure moved SO16, SO17 and SO18 from Specialist Operations to
Central Operations, 004 para 4); when the catalogue dates a unit's groups, a posting
there counts in the group the unit was in on each day, and in the recorded group on
days the catalogue does not cover.

>>> from pathways.model.catalogue import UnitEntry
>>> so16 = UnitEntry.model_validate({"id": "SO16", "name": "Diplomatic Protection Group",
...     "business_groups": [{"business_group": "specialist_operations", "to": "2007-03-31"},
...                         {"business_group": "central_operations", "from": "2007-04-01"}]})
>>> posting = Posting(business_group="central_operations", role="response", unit="SO16",
...     start="2005-06-01", end="2009-05-31")
>>> for span in group_spans(posting, {"SO16": so16}):
...     print(span.start, span.end, span.business_group)
2005-06-01 2007-03-31 specialist_operations
2007-04-01 2009-05-31 central_operations
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from pathways.model.catalogue import UnitEntry

from .record import Posting

__all__ = ["GroupSpan", "group_on", "group_spans"]

ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class GroupSpan:
    """Days of one posting spent in one business group (``end`` None: still going)."""

    start: dt.date
    end: dt.date | None
    business_group: str


def group_spans(posting: Posting, units: Mapping[str, UnitEntry]) -> list[GroupSpan]:
    """The posting's days, split where its unit changed business group, in date order."""
    unit = units.get(posting.unit) if posting.unit else None
    if unit is None:
        return [GroupSpan(posting.start, posting.end, posting.business_group)]
    spans: list[GroupSpan] = []
    day: dt.date | None = posting.start  # the first day not yet placed
    periods = sorted(unit.business_groups, key=lambda p: p.from_ or dt.date.min)
    for period in periods:
        if day is None:
            break
        start = max(day, period.from_ or day)
        stop = _earliest(posting.end, period.to)
        if stop is not None and stop < start:
            continue
        if start > day:  # days before this period that no period covers
            gap_end = _earliest(posting.end, start - ONE_DAY)
            spans.append(GroupSpan(day, gap_end, posting.business_group))
        spans.append(GroupSpan(start, stop, period.business_group))
        day = None if stop is None else stop + ONE_DAY
        if posting.end is not None and day is not None and day > posting.end:
            day = None
    if day is not None:
        spans.append(GroupSpan(day, posting.end, posting.business_group))
    return _merged(spans)


def group_on(posting: Posting, day: dt.date, units: Mapping[str, UnitEntry]) -> str:
    """The business group ``posting`` counts in on ``day`` (a day it covers)."""
    for span in group_spans(posting, units):
        if span.start <= day and (span.end is None or day <= span.end):
            return span.business_group
    return posting.business_group


def _earliest(a: dt.date | None, b: dt.date | None) -> dt.date | None:
    if a is None:
        return b
    return a if b is None else min(a, b)


def _merged(spans: list[GroupSpan]) -> list[GroupSpan]:
    out: list[GroupSpan] = []
    for span in spans:
        last = out[-1] if out else None
        if (
            last is not None
            and last.business_group == span.business_group
            and last.end is not None
            and last.end + ONE_DAY == span.start
        ):
            out[-1] = GroupSpan(last.start, span.end, span.business_group)
        else:
            out.append(span)
    return out
