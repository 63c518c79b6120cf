"""Building one record: its dated items, postings and promotion days.

:class:`RecordBuilder` collects a person's items and drops anything dated after ``as_of``,
so the career code can draw a whole career and let the date cut it; :class:`Postings`
lays back-to-back postings over phases of a career.
"""

from __future__ import annotations

import datetime as dt
import random
from bisect import bisect
from typing import Any

from .draw import (
    OFFICER_DISABILITY,
    OFFICER_ETHNICITY,
    OFFICER_GENDER,
    STAFF_DISABILITY,
    STAFF_ETHNICITY,
    STAFF_GENDER,
    UNITS_BY_GROUP,
    Table,
    from_ordinal,
)
from .tables import GROUPS, MISSING_SHARE, MONTH, PIP_REVALIDATION

__all__ = ["Postings", "Record", "RecordBuilder", "ladder", "protected_characteristics"]

#: A record as a plain dict, the shape :class:`accreditation.record.Person` validates.
Record = dict[str, Any]


class RecordBuilder:
    """Collects one person's items; drops anything dated after ``as_of``."""

    __slots__ = (
        "as_of",
        "assessments",
        "bands",
        "courses",
        "credentials",
        "endorsements",
        "memberships",
        "postings",
        "ranks",
    )

    def __init__(self, as_of: int):
        self.as_of = as_of
        self.ranks: list[Record] = []
        self.bands: list[Record] = []
        self.postings: list[Record] = []
        self.courses: list[Record] = []
        self.assessments: list[Record] = []
        self.credentials: list[Record] = []
        self.endorsements: list[Record] = []
        self.memberships: list[Record] = []

    def _end(self, end: int | None) -> dt.date | None:
        return None if end is None or end >= self.as_of else from_ordinal(end)

    def rank(self, rank: str, start: int, end: int | None, temporary: bool = False) -> None:
        if start <= self.as_of:
            item: Record = {
                "id": f"R{len(self.ranks) + 1}",
                "rank": rank,
                "start": from_ordinal(start),
                "end": self._end(end),
            }
            if temporary:
                item["basis"] = "temporary"
            self.ranks.append(item)

    def band(self, band: str, start: int, end: int | None) -> None:
        if start <= self.as_of:
            self.bands.append(
                {
                    "id": f"B{len(self.bands) + 1}",
                    "band": band,
                    "start": from_ordinal(start),
                    "end": self._end(end),
                }
            )

    def course(self, course: str, start: int, completed: int | None) -> None:
        """A course started on ``start``; still attending if ``completed`` is later than as_of."""
        if start <= self.as_of:
            done = completed if completed is not None and completed <= self.as_of else None
            self.courses.append(
                {
                    "id": f"C{len(self.courses) + 1}",
                    "course": course,
                    "start": from_ordinal(start),
                    "completed": None if done is None else from_ordinal(done),
                }
            )

    def passed(self, assessment: str, day: int, failed: bool = False) -> bool:
        if day > self.as_of:
            return False
        item: Record = {
            "id": f"X{len(self.assessments) + 1}",
            "assessment": assessment,
            "date": from_ordinal(day),
        }
        if failed:
            item["outcome"] = "failed"
        self.assessments.append(item)
        return not failed

    def credential(
        self,
        credential: str,
        awarded: int,
        level: int | None = None,
        rng: random.Random | None = None,
        every: int = 0,
        stop: float = 0.0,
        active_until: int = 0,
    ) -> bool:
        """Award ``credential``. With ``rng``: revalidated about every ``every`` days until
        ``active_until``, each time unless the holder stops (chance ``stop``) and it lapses."""
        if awarded > self.as_of:
            return False
        revalidated: list[dt.date] = []
        if rng is not None:
            until = min(active_until, self.as_of)
            last = awarded
            while True:
                day = last + every - int(rng.random() * 150)
                if day > until or rng.random() < stop:
                    break
                if rng.random() < 0.06:  # revalidated late: lapsed for a while
                    day = last + every + int(rng.random() * 300)
                    if day > until:
                        break
                revalidated.append(from_ordinal(day))
                last = day
        item: Record = {
            "id": f"Q{len(self.credentials) + 1}",
            "credential": credential,
            "awarded": from_ordinal(awarded),
        }
        if level is not None:
            item["level"] = level
        if revalidated:
            item["revalidated"] = revalidated
        self.credentials.append(item)
        return True

    def pip(
        self, rng: random.Random, level: int, awarded: int, stop: float, active_until: int
    ) -> int:
        """A PIP award (revalidated every five years while active); its day, or 0 if none."""
        ok = self.credential("pip", awarded, level, rng, PIP_REVALIDATION, stop, active_until)
        return awarded if ok else 0

    def endorse(self, endorsement: str, day: int, expires_after: int | None = None) -> bool:
        if day > self.as_of:
            return False
        item: Record = {
            "id": f"E{len(self.endorsements) + 1}",
            "endorsement": endorsement,
            "date": from_ordinal(day),
        }
        if expires_after is not None:
            item["expires"] = from_ordinal(day + expires_after)
        self.endorsements.append(item)
        return True

    def member(self, programme: str, start: int, end: int | None = None) -> bool:
        if start > self.as_of:
            return False
        self.memberships.append(
            {
                "id": f"M{len(self.memberships) + 1}",
                "programme": programme,
                "start": from_ordinal(start),
                "end": self._end(end),
            }
        )
        return end is None or end >= self.as_of

    def record(
        self, person_id: str, kind: str, index: int, joined: int, protected: Record
    ) -> Record:
        out: Record = {
            "id": person_id,
            "kind": kind,
            "name": f"Synthetic Person {index:06d}",
            "joined": from_ordinal(joined),
            "postings": self.postings,
            "courses": self.courses,
            "assessments": self.assessments,
            "credentials": self.credentials,
            "endorsements": self.endorsements,
            "memberships": self.memberships,
            "protected": protected,
        }
        if kind == "officer":
            out["ranks"] = self.ranks
        else:
            out["bands"] = self.bands
        return out


def protected_characteristics(rng: random.Random, officer: bool) -> Record:
    r = rng.random
    if officer:
        ethnicity, gender, disability = OFFICER_ETHNICITY, OFFICER_GENDER, OFFICER_DISABILITY
    else:
        ethnicity, gender, disability = STAFF_ETHNICITY, STAFF_GENDER, STAFF_DISABILITY
    return {
        "ethnicity": None if r() < MISSING_SHARE else ethnicity[1][bisect(ethnicity[0], r())],
        "gender": None if r() < MISSING_SHARE else gender[1][bisect(gender[0], r())],
        "disability": None if r() < MISSING_SHARE else disability[1][bisect(disability[0], r())],
    }


def ladder(rng: random.Random, start: int, end: int, steps: int, gap_min: list[int]) -> list[int]:
    """Promotion days: ``steps`` promotions between ``start`` and ``end``, each at least
    ``gap_min[i]`` days after the previous one; the time left is shared out at random."""
    slack = max(0, end - start - sum(gap_min))
    weights = [rng.random() + 0.05 for _ in range(steps + 1)]
    total = sum(weights)
    days, day = [], start
    for i in range(steps):
        day += gap_min[i] + int(slack * weights[i] / total)
        days.append(day)
    return days


class Postings:
    """Back-to-back postings from phases of a career; the last one continues."""

    __slots__ = ("as_of", "group", "rec", "rng", "spans")

    def __init__(self, rng: random.Random, rec: RecordBuilder):
        self.rng, self.rec, self.as_of = rng, rec, rec.as_of
        self.group = -1
        self.spans: list[tuple[int, int, str, int]] = []  # start, end (inclusive), role, group

    def phase(
        self,
        start: int,
        end: int,
        roles: Table | str,
        groups: Table,
        length: tuple[int, int] = (540, 1260),
        rotate: float = 0.35,
        first_role: str | None = None,
    ) -> None:
        """Postings from ``start`` to ``end`` (exclusive; past as_of: ongoing), each lasting
        ``length[0]`` to ``length[0] + length[1]`` days; a new group with chance ``rotate``."""
        rng, day, as_of = self.rng, start, self.as_of
        r = rng.random
        end = min(end, as_of + 1)
        shortest, spread = length
        group_cum, group_values = groups
        postings = self.rec.postings
        while day < end:
            stop = day + shortest + int(r() * spread)
            if stop > end or end - stop < 240:
                stop = end
            if first_role is not None:
                role, first_role = first_role, None
            elif isinstance(roles, str):
                role = roles
            else:
                role = roles[1][bisect(roles[0], r())]
            if self.group < 0 or r() < rotate:
                group = group_values[bisect(group_cum, r())]
                if group == self.group:
                    group = group_values[bisect(group_cum, r())]
                self.group = group
            units = UNITS_BY_GROUP[self.group]
            last = stop - 1
            postings.append(
                {
                    "id": f"P{len(postings) + 1}",
                    "business_group": GROUPS[self.group],
                    "unit": units[int(r() * len(units))],
                    "role": role,
                    "start": from_ordinal(day),
                    "end": None if last >= as_of else from_ordinal(last),
                }
            )
            self.spans.append((day, last, role, self.group))
            day = stop

    def months_in(self, role: str) -> float:
        """Months spent in ``role`` up to as_of."""
        days = sum(
            min(last, self.as_of) - start + 1 for start, last, r, _ in self.spans if r == role
        )
        return days / MONTH

    def first(self, *roles: str) -> int | None:
        return next((s for s, _, r, _ in self.spans if r in roles), None)
