"""One person's result in a population run, and the run: what every report reads.

A :class:`PopulationRun` is one row per person (:class:`PersonResult`): the facts reports
group by (business group, rank or band, ethnicity, gender) and every stage's status and
dates, kept compactly (a byte per stage) so that a national workforce fits in memory.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from rules.decision import StageStatus, Status

__all__ = ["NOT_DECIDED", "STATUSES", "Dates", "PersonResult", "PopulationRun"]

STATUSES: tuple[Status, ...] = tuple(Status)  # the order of rules.batch.STATUS_CODES
NOT_DECIDED = 255

Dates = dict[int, tuple[dt.date | None, dt.date | None]]


@dataclass(frozen=True, slots=True)
class PersonResult:
    """One person's facts for grouping, and every stage's status on the run's date."""

    person: str
    kind: str
    business_group: str | None
    grade: str | None  # current rank (officers) or band (staff)
    ethnicity: str | None
    gender: str | None
    keys: tuple[str, ...]  # "pathway.stage", shared by every person of a run
    codes: bytes  # a status code per key (255: not in force on the date)
    dates: Dates = field(default_factory=dict)  # key position -> (eligible_from, lapsed_on)
    joined: dt.date | None = None  # reports count a person only from this day on
    disability: str | None = None

    def status_of(self, key: str) -> str | None:
        """The status value of ``pathway.stage`` (``"held"`` ...), None if not decided."""
        try:
            code = self.codes[self.keys.index(key)]
        except ValueError:
            return None
        return None if code == NOT_DECIDED else STATUSES[code].value

    def status(self, pathway: str, stage: str) -> str | None:
        return self.status_of(f"{pathway}.{stage}")

    def eligible_from(self, key: str) -> dt.date | None:
        """The day the stage becomes eligible, for ``eligible_from`` statuses."""
        try:
            return self.dates.get(self.keys.index(key), (None, None))[0]
        except ValueError:
            return None

    @property
    def stages(self) -> dict[str, StageStatus]:
        """Every decided stage as a :class:`StageStatus` (made on demand)."""
        out = {}
        for i, (key, code) in enumerate(zip(self.keys, self.codes, strict=True)):
            if code == NOT_DECIDED:
                continue
            pathway, _, stage = key.partition(".")
            eligible_from, lapsed_on = self.dates.get(i, (None, None))
            out[key] = StageStatus(
                pathway=pathway,
                stage=stage,
                status=STATUSES[code],
                eligible_from=eligible_from,
                lapsed_on=lapsed_on,
            )
        return out


@dataclass
class PopulationRun:
    """Every stored person's result against one library version as of one date."""

    library_version: str
    as_of: dt.date
    people: list[PersonResult]
    seconds: float = 0.0
    evaluated: int = 0  # decided in this run
    cached: int = 0  # taken from the cache
    engine: str = ""
    notes: list[str] = field(default_factory=list)
    keys: tuple[str, ...] = ()  # the stages decided ("pathway.stage"), even with no people
