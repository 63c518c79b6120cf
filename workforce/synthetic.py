"""A seeded synthetic workforce: realistic, varied, valid records for tests, demos and benchmarks.

Every record is made up. Names are ``Synthetic Person NNNNNN``; ids are ``W`` (officers,
warrant numbers) or ``S`` (police staff) followed by six digits of the person's index.
Everything a record names (ranks, bands, roles, courses ...) is an id of the shipped
catalogue, and no item is dated after ``as_of``.

What the population looks like (proportions are illustrative, shaped on the MPS of the
sources, not official figures):

- about 63% officers in an MPS-like rank pyramid (about 73% constables, 16% sergeants,
  6% inspectors, 2.6% chief inspectors, 1.3% superintendents, a handful of chief
  superintendents and ACPO), 37% police staff in Bands E (most) to A (few);
- rank and band histories without gaps or overlaps, each promotion after a minimum period
  in rank (three years' service to sergeant, two years in each later rank), with the
  exams, boards, recommendations and assessment centres that led to it; temporary ranks
  (acting up, and the six-month work-based assessment as temporary superintendent) lie
  within the substantive rank below;
- back-to-back postings in the seven business groups of the 2007 structure, with roles
  that fit the rank: recruits in their stream, trainee and qualified detectives rotating
  between groups, detective sergeants and inspectors, senior investigating officers;
  police staff as researchers and analysts or civilian investigators (the rest of the
  staff have no posting, because the catalogue has no role for them);
- courses, exams, PIP levels 1-4 (revalidated every five years, some lapsed), analyst and
  work-based assessor accreditations, FSL stages for chief inspectors and above (from
  2010-04-01), endorsements (some expired), programme memberships (HPDS, talent pool,
  Emerging Leaders, Equip to Achieve for some BME constables to chief inspectors,
  Promoting Difference, the Talent Cascade);
- protected characteristics, in the catalogue's values: where recorded, ethnicity about 86%
  white (officers 88.5%, staff 82%; the rest black, asian, mixed, chinese, other or
  not_stated), gender about 71/29 male/female for officers and 45/55 for staff, disability
  about 3% (officers) and 6% (staff); each of the three is missing for about 3% of people.

The API:

- :func:`generate_people` ``(n, seed, as_of)``: ``n`` validated :class:`Person` objects;
- :func:`generate_records`: the same people as plain dicts, not validated (about twice as
  fast, e.g. for bulk loading; ``Person.model_validate`` accepts each);
- :func:`generate_person` / :func:`generate_record` ``(rng, index, as_of)``: one person
  drawn from the caller's :class:`random.Random`. ``generate_people(n, seed)`` is
  ``generate_person(rng, i)`` for ``i`` in ``range(n)`` with one ``Random(seed)``, so a
  smaller population is a prefix of a larger one with the same seed.

Generation is deterministic for a seed (never the global random state) and fast: about
25,000 validated people per second on one core of the benchmark machine, consumed one by
one (see benchmarks/README.md).

>>> people = list(generate_people(3, seed=7))
>>> [p.id[0] for p in people], len({p.id for p in people})
(['S', 'W', 'W'], 3)
>>> people == list(generate_people(3, seed=7))
True
>>> people[1].kind.value, people[1].ranks[0].rank, people[1].ranks[0].start == people[1].joined
('officer', 'constable', True)
"""

from __future__ import annotations

import datetime as dt
import random
from bisect import bisect
from collections.abc import Iterator
from itertools import accumulate
from typing import Any

from accreditation.record import Person

__all__ = [
    "DEFAULT_AS_OF",
    "MAX_PEOPLE",
    "generate_people",
    "generate_person",
    "generate_record",
    "generate_records",
]

DEFAULT_AS_OF = dt.date(2024, 6, 1)
MAX_PEOPLE = 1_000_000
"""Ids carry six digits of the person's index, so at most this many people per population."""

Record = dict[str, Any]

# --- the shape of the population ---------------------------------------------------------

STAFF_SHARE = 0.37
MONTH = 30.44  # days
YEAR = 365

RANKS = (
    "constable",
    "sergeant",
    "inspector",
    "chief_inspector",
    "superintendent",
    "chief_superintendent",
    "commander",
    "deputy_assistant_commissioner",
    "assistant_commissioner",
)
# Current rank of officers, lowest first: an MPS-like pyramid.
_RANK_WEIGHTS = (0.735, 0.155, 0.06, 0.026, 0.013, 0.0065, 0.003, 0.001, 0.0005)
# Minimum months in the rank below before each promotion (to sergeant: months of service).
_GAP_MIN_MONTHS = (0, 36, 24, 24, 24, 24, 24, 18, 18)
CONSTABLE, SERGEANT, INSPECTOR, CHIEF_INSPECTOR, SUPERINTENDENT, CHIEF_SUPT, COMMANDER = range(7)

BANDS = ("band_e", "band_d", "band_c", "band_b", "band_a")
_BAND_WEIGHTS = (0.46, 0.31, 0.165, 0.05, 0.015)
BAND_C, BAND_B = 2, 3

GROUPS = (
    "territorial_policing",
    "specialist_operations",
    "central_operations",
    "operational_services",
    "specialist_crime",
    "human_resources",
    "resources",
)
TP, SO, CO, OS, SC, HR, RES = range(7)
_UNITS_BY_GROUP = [
    [f"{code}-{n:02d}" for n in range(1, count + 1)]
    for code, count in zip(
        ("TP", "SO", "CO", "OS", "SC", "HR", "RES"), (32, 8, 10, 8, 12, 4, 4), strict=True
    )
]


def _table(pairs: tuple[tuple[Any, float], ...]) -> tuple[list[float], list[Any]]:
    """A cumulative weight table for :func:`_pick`."""
    weights = [w for _, w in pairs]
    total = sum(weights)
    return [c / total for c in accumulate(weights)], [v for v, _ in pairs]


_RANK_TABLE = _table(tuple(enumerate(_RANK_WEIGHTS)))
_BAND_TABLE = _table(tuple(enumerate(_BAND_WEIGHTS)))
# Minimum days before each promotion, and their running total, by target rank.
_GAP_MIN = [[int(m * MONTH) + 1 for m in _GAP_MIN_MONTHS[1 : k + 1]] for k in range(len(RANKS))]
_GAP_MIN_TOTAL = [sum(g) for g in _GAP_MIN]
_UNIFORM_GROUP = _table(((TP, 0.72), (CO, 0.1), (SO, 0.08), (OS, 0.06), (SC, 0.04)))
_DETECTIVE_GROUP = _table(
    ((TP, 0.4), (SC, 0.3), (SO, 0.1), (CO, 0.08), (OS, 0.05), (HR, 0.04), (RES, 0.03))
)
_ROADS_GROUP = _table(((CO, 0.8), (OS, 0.2)))
_INTEL_GROUP = _table(((TP, 0.45), (SC, 0.3), (SO, 0.15), (CO, 0.1)))
_PERFORMANCE_GROUP = _table(((RES, 0.35), (TP, 0.35), (HR, 0.2), (OS, 0.1)))
_INVESTIGATIVE_STAFF_GROUP = _table(((TP, 0.5), (SC, 0.3), (CO, 0.1), (OS, 0.1)))
_UNIFORM_ROLE = _table((("response", 0.5), ("community", 0.25), ("investigation", 0.25)))
_SENIOR_UNIFORM_ROLE = _table((("response", 0.35), ("community", 0.25), ("investigation", 0.4)))

_BME = ("mixed", "asian", "black", "chinese", "other")
_OFFICER_ETHNICITY = _table(
    (
        ("white", 0.885),
        ("black", 0.025),
        ("asian", 0.035),
        ("mixed", 0.02),
        ("chinese", 0.005),
        ("other", 0.01),
        ("not_stated", 0.02),
    )
)
_STAFF_ETHNICITY = _table(
    (
        ("white", 0.82),
        ("black", 0.065),
        ("asian", 0.06),
        ("mixed", 0.025),
        ("chinese", 0.01),
        ("other", 0.01),
        ("not_stated", 0.01),
    )
)
_OFFICER_GENDER = _table(
    (("male", 0.705), ("female", 0.285), ("other", 0.002), ("not_stated", 0.008))
)
_STAFF_GENDER = _table((("male", 0.44), ("female", 0.55), ("other", 0.002), ("not_stated", 0.008)))
_OFFICER_DISABILITY = _table((("no", 0.9), ("yes", 0.03), ("not_stated", 0.07)))
_STAFF_DISABILITY = _table((("no", 0.86), ("yes", 0.06), ("not_stated", 0.08)))
MISSING_SHARE = 0.03

# --- when things began (day ordinals) -------------------------------------------------------


def _ordinal(year: int, month: int, day: int) -> int:
    return dt.date(year, month, day).toordinal()


HPDS_START = _ordinal(2002, 1, 1)  # illustrative
PIP_START = _ordinal(2005, 1, 1)  # PIP accreditation (003 Appendix 1, January 2005)
STAFF_PIP_START = _ordinal(2008, 1, 1)  # "later extended to" staff: illustrative date
STREAMING_START = _ordinal(2006, 1, 1)  # recruit streaming, illustrative
PD_START = _ordinal(2004, 1, 1)  # Promoting Difference, illustrative
E2A_START = _ordinal(2008, 5, 1)  # Equip to Achieve launched May 2008 (001 para 10)
WBA_START = _ordinal(2008, 10, 1)  # work-based assessment route (002 rec 15-17)
FSL_START = _ordinal(2010, 4, 1)  # Foundation for Senior Leadership (002 rec 9)

_MAX_OFFICER_SERVICE = int(34.5 * YEAR)
_MAX_STAFF_SERVICE = int(38 * YEAR)
PIP_REVALIDATION = 1826  # about 60 months: the catalogue's validity for 'pip'
SHORT_REVALIDATION = 1095  # about 36 months: 'analyst_nos' and 'work_based_assessor'


def _pick(rng: random.Random, table: tuple[list[float], list[Any]]) -> Any:
    cum, values = table  # cum[-1] is exactly 1.0, and random() < 1.0
    return values[bisect(cum, rng.random())]


def _between(rng: random.Random, low: int, high: int) -> int:
    """A day in [low, high] (low if the window is empty)."""
    return low + int(rng.random() * (high - low + 1)) if high > low else low


_from_ordinal = dt.date.fromordinal


class _Record:
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
        return None if end is None or end >= self.as_of else _from_ordinal(end)

    def rank(self, rank: str, start: int, end: int | None, temporary: bool = False) -> None:
        if start <= self.as_of:
            item: Record = {
                "id": f"R{len(self.ranks) + 1}",
                "rank": rank,
                "start": _from_ordinal(start),
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
                    "start": _from_ordinal(start),
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
                    "start": _from_ordinal(start),
                    "completed": None if done is None else _from_ordinal(done),
                }
            )

    def passed(self, assessment: str, day: int, failed: bool = False) -> bool:
        if day > self.as_of:
            return False
        item: Record = {
            "id": f"X{len(self.assessments) + 1}",
            "assessment": assessment,
            "date": _from_ordinal(day),
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
                revalidated.append(_from_ordinal(day))
                last = day
        item: Record = {
            "id": f"Q{len(self.credentials) + 1}",
            "credential": credential,
            "awarded": _from_ordinal(awarded),
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
            "date": _from_ordinal(day),
        }
        if expires_after is not None:
            item["expires"] = _from_ordinal(day + expires_after)
        self.endorsements.append(item)
        return True

    def member(self, programme: str, start: int, end: int | None = None) -> bool:
        if start > self.as_of:
            return False
        self.memberships.append(
            {
                "id": f"M{len(self.memberships) + 1}",
                "programme": programme,
                "start": _from_ordinal(start),
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
            "joined": _from_ordinal(joined),
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


def _protected(rng: random.Random, officer: bool) -> Record:
    r = rng.random
    if officer:
        ethnicity, gender, disability = _OFFICER_ETHNICITY, _OFFICER_GENDER, _OFFICER_DISABILITY
    else:
        ethnicity, gender, disability = _STAFF_ETHNICITY, _STAFF_GENDER, _STAFF_DISABILITY
    return {
        "ethnicity": None if r() < MISSING_SHARE else ethnicity[1][bisect(ethnicity[0], r())],
        "gender": None if r() < MISSING_SHARE else gender[1][bisect(gender[0], r())],
        "disability": None if r() < MISSING_SHARE else disability[1][bisect(disability[0], r())],
    }


def _ladder(rng: random.Random, start: int, end: int, steps: int, gap_min: list[int]) -> list[int]:
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


class _Postings:
    """Back-to-back postings from phases of a career; the last one continues."""

    __slots__ = ("as_of", "group", "rec", "rng", "spans")

    def __init__(self, rng: random.Random, rec: _Record):
        self.rng, self.rec, self.as_of = rng, rec, rec.as_of
        self.group = -1
        self.spans: list[tuple[int, int, str, int]] = []  # start, end (inclusive), role, group

    def phase(
        self,
        start: int,
        end: int,
        roles: tuple[list[float], list[Any]] | str,
        groups: tuple[list[float], list[Any]],
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
            units = _UNITS_BY_GROUP[self.group]
            last = stop - 1
            postings.append(
                {
                    "id": f"P{len(postings) + 1}",
                    "business_group": GROUPS[self.group],
                    "unit": units[int(r() * len(units))],
                    "role": role,
                    "start": _from_ordinal(day),
                    "end": None if last >= as_of else _from_ordinal(last),
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


# --- officers ----------------------------------------------------------------------------


def _officer(rng: random.Random, index: int, as_of: int) -> Record:
    r = rng.random
    rec = _Record(as_of)
    protected = _protected(rng, officer=True)
    target: int = _pick(rng, _RANK_TABLE)
    gap_min = _GAP_MIN[target]
    if target == CONSTABLE:
        if r() < 0.14:  # recruits still in their first two years
            service = int(r() * 730)
        else:
            service = 730 + int(rng.triangular(0.0, 1.0, 0.0) * (_MAX_OFFICER_SERVICE - 730))
    else:
        low = _GAP_MIN_TOTAL[target] + 30
        service = low + int(rng.triangular(0.0, 1.0, 0.2) * max(0, _MAX_OFFICER_SERVICE - low))
    joined = as_of - service
    promos = _ladder(rng, joined, as_of, target, gap_min)
    starts = [joined, *promos]
    ends = [*(p - 1 for p in promos), None]  # inclusive; None: current
    # ends_x: the exclusive end of each rank period (as_of + 1 for the current one)
    ends_x = [*promos, as_of + 1]

    for i in range(target + 1):
        rec.rank(RANKS[i], starts[i], ends[i])

    # Recruit training, stream and the initial policing qualification.
    trained = joined + 126
    rec.course("initial_police_training", joined, trained)
    stream = None
    if joined >= STREAMING_START and r() < 0.6:
        stream = _pick(rng, _UNIFORM_ROLE)
        rec.endorse("stream_allocation", joined + _between(rng, 60, 110))
        rec.course(f"{stream}_stream_training", trained + 7, trained + _between(rng, 20, 70))
        if r() < 0.12:  # cross-trained in a second stream
            other = ("response", "investigation", "community")[int(r() * 3)]
            if other == stream:
                other = "community" if stream != "community" else "response"
            rec.course(f"{other}_stream_training", trained + 90, trained + _between(rng, 100, 200))
    qualification = joined + 731 + int(r() * 90)
    if r() < (0.95 if joined >= PIP_START else 0.45):
        rec.credential("initial_policing_qualification", qualification)

    hpds = _hpds(rng, rec, joined, starts, ends_x, target)
    detective, trainee = _officer_postings(rng, rec, joined, starts, ends_x, target, stream)
    _investigation(rng, rec, detective, trainee, starts, ends_x, target)
    _promotions(rng, rec, joined, starts, ends_x, target, hpds)
    _senior(rng, rec, starts, ends_x, target)
    _assessors(rng, rec, starts, ends_x, target)
    _positive_action(rng, rec, protected, joined, starts, target)
    return rec.record(f"W{index:06d}", "officer", index, joined, protected)


def _hpds(
    rng: random.Random, rec: _Record, joined: int, starts: list[int], ends_x: list[int], target: int
) -> tuple[int, int] | None:
    """HPDS: selected as a constable or sergeant; a member until superintendent."""
    r = rng.random
    chance = (0.015, 0.02, 0.08, 0.1, 0.06, 0.06, 0.06, 0.06, 0.06)[target]
    if r() >= chance or rec.as_of - joined < 800:
        return None
    last_eligible = min(ends_x[SERGEANT] if target >= SERGEANT else rec.as_of, rec.as_of) - 30
    earliest = max(joined + 730, HPDS_START)
    if earliest > last_eligible:
        return None
    selected = _between(rng, earliest, last_eligible)
    if not rec.passed("hpds_selection", selected):
        return None
    start = selected + 30
    end = ends_x[SUPERINTENDENT] - 1 if target >= SUPERINTENDENT else None
    if target <= INSPECTOR and r() < 0.1:  # left the scheme
        end = start + _between(rng, 300, 1000)
    if r() < 0.05 and target <= SERGEANT:  # selected, membership not yet recorded
        return None
    rec.member("hpds", start, end)
    return start, end if end is not None else rec.as_of + 1


def _officer_postings(
    rng: random.Random,
    rec: _Record,
    joined: int,
    starts: list[int],
    ends_x: list[int],
    target: int,
    stream: str | None,
) -> tuple[_Postings, tuple[int, int] | None]:
    """Uniform, roads or detective postings, rank by rank. Returns the postings and the
    traineeship (start, exclusive end) if the officer trained as a detective."""
    r = rng.random
    posts = _Postings(rng, rec)
    as_of = rec.as_of
    first = stream or "response"
    constable_end = ends_x[CONSTABLE]
    trainee: tuple[int, int] | None = None
    # Detectives: about a quarter of officers train as detectives after two years.
    if r() < 0.26 and constable_end - joined > 800:
        latest = min(constable_end - 60, joined + 730 + 1800)
        start = _between(rng, joined + 731, latest)
        end = min(start + _between(rng, 366, 760), constable_end)
        trainee = (start, end)
    if trainee is None:
        posts.phase(joined, constable_end, _UNIFORM_ROLE, _UNIFORM_GROUP, first_role=first)
        qualified = False
    else:
        t0, t1 = trainee
        posts.phase(joined, t0, _UNIFORM_ROLE, _UNIFORM_GROUP, first_role=first)
        posts.phase(t0, t1, "trainee_detective_constable", _DETECTIVE_GROUP, (800, 0), 0.8)
        qualified = t1 - t0 >= 366 and t1 <= as_of
        if qualified:
            posts.phase(
                t1, constable_end, "detective_constable", _DETECTIVE_GROUP, (700, 1700), 0.75
            )
        else:
            posts.phase(t1, constable_end, _UNIFORM_ROLE, _UNIFORM_GROUP)
    roads = trainee is None and r() < 0.06
    if roads and target == CONSTABLE and posts.spans and as_of - joined > 900:
        # Moved to roads policing investigation (the Traffic OCU) for the rest of the time.
        _reroute(posts, joined + 800, "roads_policing_investigator", CO)
    for rank in range(SERGEANT, target + 1):
        s, e = starts[rank], ends_x[rank]
        if qualified and rank == SERGEANT:
            posts.phase(s, e, "detective_sergeant", _DETECTIVE_GROUP, (700, 1300), 0.7)
        elif qualified and rank == INSPECTOR:
            split = s + _between(rng, 500, 1400) if r() < 0.6 else e
            posts.phase(s, min(split, e), "detective_inspector", _DETECTIVE_GROUP, (700, 1300), 0.7)
            if split < e:
                posts.phase(split, e, "senior_investigating_officer", _DETECTIVE_GROUP, rotate=0.3)
        elif qualified and rank >= CHIEF_INSPECTOR and r() < 0.75:
            posts.phase(s, e, "senior_investigating_officer", _DETECTIVE_GROUP, rotate=0.3)
        elif roads and rank <= INSPECTOR:
            posts.phase(s, e, "roads_policing_investigator", _ROADS_GROUP)
        else:
            posts.phase(s, e, _SENIOR_UNIFORM_ROLE, _UNIFORM_GROUP)
    in_training = trainee is not None and trainee[1] > as_of
    return posts, trainee if qualified or in_training else None


def _reroute(posts: _Postings, after: int, role: str, group: int) -> None:
    """Make the postings from ``after`` on (the last one, at least) ``role`` in ``group``."""
    rec = posts.rec
    for i, (start, last, _, _) in enumerate(posts.spans):
        if start >= after or i == len(posts.spans) - 1:
            posts.spans[i] = (start, last, role, group)
            rec.postings[i]["role"] = role
            rec.postings[i]["business_group"] = GROUPS[group]
            units = _UNITS_BY_GROUP[group]
            rec.postings[i]["unit"] = units[i % len(units)]


def _investigation(
    rng: random.Random,
    rec: _Record,
    posts: _Postings,
    trainee: tuple[int, int] | None,
    starts: list[int],
    ends_x: list[int],
    target: int,
) -> None:
    """PIP levels 1-4 and the detective qualification."""
    r = rng.random
    as_of = rec.as_of
    joined = starts[0]
    front_line_until = ends_x[INSPECTOR] if target >= CHIEF_INSPECTOR else as_of
    last = 0  # the latest PIP award so far: a higher level comes after it
    # Level 1: most front-line officers, in their first years.
    if trainee is not None or r() < 0.8:
        training = joined + _between(rng, 200, 700)
        rec.course("pip_level_1_training", training - 5, training)
        if r() < 0.9 or trainee is not None:
            awarded = training + _between(rng, 40, 240)
            if awarded < PIP_START:
                awarded = PIP_START + _between(rng, 0, 900)
            stop = 0.04 if trainee is not None else 0.13
            last = rec.pip(rng, 1, awarded, stop, front_line_until)
    # Level 2: trainee detectives, and some investigators and roads policing officers.
    if trainee is not None:
        t0, t1 = trainee
        early = posts.first("investigation")
        if last and early is not None and early + 500 < t0 and r() < 0.5:
            # Already a level 2 investigator when they began as a trainee.
            exam = _between(rng, early + 120, t0 - 60)
            rec.course("icidp", early + 30, early + _between(rng, 60, 110))
            rec.passed("national_investigators_exam", exam)
            awarded = rec.pip(rng, 2, max(exam + 30, early + 400, last + 30), 0.05, as_of)
            last = awarded or last
        else:
            rec.course("icidp", t0 + 30, t0 + _between(rng, 60, 300))
            if r() < 0.2:
                rec.passed("national_investigators_exam", t0 + _between(rng, 30, 120), failed=True)
            rec.passed("national_investigators_exam", t0 + _between(rng, 130, 340))
            awarded = 0
            if last and t1 <= as_of:
                day = max(t1 - _between(rng, 0, 20), t0 + 367, last + _between(rng, 30, 200))
                awarded = rec.pip(rng, 2, day, 0.05, as_of)
                last = awarded or last
        if awarded and t1 <= as_of and r() < 0.94:
            rec.credential("detective_qualification", max(t1, awarded) + _between(rng, 0, 60))
    else:
        start = posts.first("investigation", "roads_policing_investigator")
        if start is not None and last and r() < 0.4:
            rec.course("icidp", start + 20, start + _between(rng, 40, 250))
            rec.passed("national_investigators_exam", start + _between(rng, 60, 330))
            months = posts.months_in("investigation")
            months += posts.months_in("roads_policing_investigator")
            if months >= 13 and r() < 0.8:
                awarded = max(start + _between(rng, 380, 700), last + _between(rng, 30, 600))
                last = rec.pip(rng, 2, awarded, 0.15, front_line_until) or last
    # Levels 3 and 4: senior investigating officers.
    sio = posts.first("senior_investigating_officer")
    if sio is None:
        return
    course = sio + _between(rng, 20, 160)
    rec.course("sio_development_programme", course - 10, course)
    months = posts.months_in("senior_investigating_officer")
    if not any(c.get("level") == 2 for c in rec.credentials):
        return
    level_3 = 0
    if months >= 12.5 and r() < 0.85:
        level_3 = rec.pip(rng, 3, max(sio + _between(rng, 380, 600), last + 30), 0.15, as_of)
    if target >= SUPERINTENDENT and level_3:
        day = max(starts[SUPERINTENDENT], sio) + _between(rng, 60, 500)
        rec.course("major_crime_command_course", day - 10, day)
        if months >= 37 and r() < 0.8:
            awarded = max(day + 30, level_3 + 30, sio + 1100 + _between(rng, 0, 200))
            rec.pip(rng, 4, awarded, 0.15, as_of)


def _promotions(
    rng: random.Random,
    rec: _Record,
    joined: int,
    starts: list[int],
    ends_x: list[int],
    target: int,
    hpds: tuple[int, int] | None,
) -> None:
    """What led to each promotion, and preparation for the next one."""
    r = rng.random
    as_of = rec.as_of
    for rank in range(SERGEANT, target + 1):
        day, prev = starts[rank], starts[rank - 1]
        if rank == SERGEANT:
            exam = _between(rng, prev + 731, day - 200)
            if r() < 0.25:
                rec.passed("sergeants_exam", exam - 180, failed=True)
            rec.passed("sergeants_exam", exam)
            rec.passed(
                "sergeant_promotion_board", _between(rng, max(exam + 14, day - 180), day - 20)
            )
            if r() < 0.15:  # acted up before promotion
                rec.rank("sergeant", day - _between(rng, 90, 180), day - 1, temporary=True)
        elif rank == INSPECTOR:
            exam = _between(rng, prev + 365, day - 150)
            rec.passed("inspectors_exam", exam)
            rec.passed("inspector_promotion_process", _between(rng, exam + 14, day - 20))
            if r() < 0.2:
                rec.rank("inspector", day - _between(rng, 60, 120), day - 1, temporary=True)
        elif rank == CHIEF_INSPECTOR:
            if hpds is not None and hpds[0] < day <= hpds[1]:
                rec.passed("wba_chief_inspector", day - _between(rng, 5, 60))
            else:
                rec.passed("chief_inspector_promotion_board", day - _between(rng, 20, 150))
        elif rank == SUPERINTENDENT:
            if day > WBA_START + 400 and r() < 0.3:
                _wba_route(rng, rec, prev, day, hpds, finished=True)
            else:
                rec.endorse("bg_recommendation_superintendent", day - _between(rng, 120, 300))
                rec.passed("superintendent_assessment_centre", day - _between(rng, 20, 110))
        elif rank == CHIEF_SUPT:
            rec.endorse("bg_recommendation_chief_superintendent", day - _between(rng, 120, 300))
            rec.passed("chief_superintendent_assessment_centre", day - _between(rng, 20, 110))
        elif rank == COMMANDER:
            spnac = day - _between(rng, 200, 700)
            spnac = max(spnac, starts[SUPERINTENDENT] + 200)
            for endorsement in (
                "line_management_observations",
                "mps_acpo_endorsement",
                "management_board_consideration",
            ):
                rec.endorse(endorsement, spnac - _between(rng, 40, 150))
            rec.passed("spnac", spnac)
            course = _between(rng, spnac + 30, day - 20)
            rec.course("strategic_command_course", course - 30, course)

    # Preparing for the next rank.
    here = starts[target]
    if target == CONSTABLE:
        service = as_of - joined
        if service < 1100 and r() < 0.12:
            # Transferred in from another force: passed the exam there.
            rec.passed("sergeants_exam", joined - _between(rng, 30, 900))
            if r() < 0.6 and service > 30:
                rec.passed("sergeant_promotion_board", _between(rng, joined + 20, as_of))
        elif service > 760 and r() < 0.24:
            exam = _between(rng, joined + 731, as_of)
            if r() < 0.25:
                rec.passed("sergeants_exam", exam - 180, failed=True)
            rec.passed("sergeants_exam", exam)
            if r() < 0.35:
                rec.passed("sergeant_promotion_board", _between(rng, exam + 14, as_of))
        if service > 1100 and r() < 0.03:  # acting sergeant now
            rec.rank("sergeant", as_of - _between(rng, 10, 300), None, temporary=True)
    elif target == SERGEANT and as_of - here > 300 and r() < 0.3:
        exam = _between(rng, here + 240, as_of)
        rec.passed("inspectors_exam", exam)
        if r() < 0.45:
            rec.passed("inspector_promotion_process", _between(rng, exam + 14, as_of))
        if r() < 0.08:
            rec.rank("inspector", as_of - _between(rng, 10, 200), None, temporary=True)
    elif target == INSPECTOR:
        if hpds is not None and hpds[1] > as_of and as_of - here > 200 and r() < 0.35:
            rec.passed("wba_chief_inspector", _between(rng, here + 180, as_of))
        elif as_of - here > 300 and r() < 0.16:
            rec.passed("chief_inspector_promotion_board", _between(rng, here + 240, as_of))
    elif target == CHIEF_INSPECTOR and as_of - here > 200:
        if as_of > WBA_START and r() < 0.2:
            _wba_route(rng, rec, here, None, hpds, finished=False)
        elif r() < 0.14:
            rec.endorse(
                "bg_recommendation_superintendent",
                _between(rng, here + 200, as_of),
                expires_after=365 if r() < 0.5 else None,
            )
            rec.passed("superintendent_assessment_centre", _between(rng, here + 240, as_of))
    elif target == SUPERINTENDENT and as_of - here > 300 and r() < 0.15:
        rec.endorse("bg_recommendation_chief_superintendent", _between(rng, here + 240, as_of))
        rec.passed("chief_superintendent_assessment_centre", _between(rng, here + 260, as_of))


def _talent_programme(rng: random.Random, rec: _Record, before: int, until: int | None) -> None:
    """Join the talent pool (through its gateway) or the Emerging Leaders Programme."""
    start = before - _between(rng, 100, 500)
    if rng.random() < 0.6:
        rec.endorse("line_manager_recommendation", start - _between(rng, 60, 120))
        rec.passed("talent_pool_gateway", start - _between(rng, 10, 50))
        rec.member("talent_pool", start, until)
    else:
        rec.member("emerging_leaders", start, until)


def _wba_route(
    rng: random.Random,
    rec: _Record,
    ci_start: int,
    promoted: int | None,
    hpds: tuple[int, int] | None,
    finished: bool,
) -> None:
    """The work-based assessment route to superintendent: gateway, six months as temporary
    superintendent, then promotion. Unfinished: somewhere along the way on as_of."""
    r = rng.random
    as_of = rec.as_of
    if finished:
        assert promoted is not None
        temp_start = promoted - _between(rng, 183, 230)
        stage = 4
    else:
        stage = min(int(r() * 4), 3)  # 0: before the gateway ... 3: passed the period
        temp_start = as_of - (
            _between(rng, 200, 400) if stage == 3 else _between(rng, 10, 170) if stage == 2 else -60
        )
    gateway = temp_start - _between(rng, 20, 90) if stage >= 2 else as_of - _between(rng, 5, 60)
    if gateway - 200 < ci_start:
        return
    member = hpds is not None and hpds[0] < gateway <= hpds[1]
    if not member:
        _talent_programme(rng, rec, gateway - 150, None if stage < 4 else promoted)
    rec.endorse("ocu_commander_recommendation", gateway - _between(rng, 100, 150))
    rec.passed("wba_competency_assessment", gateway - _between(rng, 50, 90))
    rec.passed("wba_panel_interview", gateway - _between(rng, 10, 40))
    if stage == 0:
        return
    rec.passed("wba_gateway", gateway)
    if stage == 1:
        return
    # After passing, they stay temporary superintendents until promoted substantively.
    end = promoted - 1 if promoted else None
    rec.rank("superintendent", temp_start, end, temporary=True)
    if stage >= 3:
        rec.passed("wba_superintendent_period", temp_start + 183 + _between(rng, 0, 5))


def _senior(
    rng: random.Random, rec: _Record, starts: list[int], ends_x: list[int], target: int
) -> None:
    """FSL, SPNAC candidates and the Strategic Command Course."""
    r = rng.random
    as_of = rec.as_of
    if target < CHIEF_INSPECTOR:
        return
    ci_start = starts[CHIEF_INSPECTOR]
    ci_end = ends_x[CHIEF_INSPECTOR]
    if ci_end > FSL_START and r() < 0.85:  # FSL is mandatory for chief inspectors
        _fsl(rng, rec, max(ci_start, FSL_START))
    elif ci_end <= FSL_START and target >= SUPERINTENDENT and r() < 0.4:
        _fsl(rng, rec, max(starts[SUPERINTENDENT], FSL_START))
    if target in (SUPERINTENDENT, CHIEF_SUPT):
        here = starts[target]
        if target == CHIEF_SUPT and r() < 0.35:
            spnac = _between(rng, max(starts[SUPERINTENDENT] + 400, here - 300), as_of)
            rec.passed("spnac", spnac)
            if r() < 0.4:
                day = _between(rng, spnac + 60, as_of)
                rec.course("strategic_command_course", day - 30, day)
        elif r() < (0.2 if target == SUPERINTENDENT else 0.3):
            names = (
                "line_management_observations",
                "mps_acpo_endorsement",
                "management_board_consideration",
            )
            for i, name in enumerate(names):
                if r() < 0.9:
                    day = _between(rng, max(here + 150, as_of - 600), as_of) + i * 20
                    rec.endorse(name, min(day, as_of), expires_after=540 if r() < 0.2 else None)
            if target == SUPERINTENDENT and r() < 0.25:
                rec.passed("spnac", _between(rng, max(here + 300, as_of - 300), as_of))


def _fsl(rng: random.Random, rec: _Record, start: int) -> None:
    day = start + _between(rng, 40, 500)
    for stage in ("fsl_stage_1", "fsl_stage_2", "fsl_stage_3"):
        done = day + _between(rng, 2, 5)
        if day > rec.as_of:
            if rng.random() < 0.4:  # booked on it now
                rec.course(stage, rec.as_of - _between(rng, 1, 40), day)
            return
        rec.course(stage, day, done)
        if rng.random() < 0.05:  # dropped out
            return
        day = done + _between(rng, 100, 330)


def _assessors(
    rng: random.Random, rec: _Record, starts: list[int], ends_x: list[int], target: int
) -> None:
    r = rng.random
    if target >= SERGEANT and r() < (0, 0.05, 0.15, 0.3, 0.5, 0.6, 0.7, 0.7, 0.7)[target]:
        day = _between(rng, starts[SERGEANT] + 180, rec.as_of)
        rec.course("promotion_assessor_training", day - 2, day)
    if target >= CHIEF_INSPECTOR and r() < 0.25:
        day = _between(rng, starts[CHIEF_INSPECTOR] + 100, rec.as_of)
        rec.course("a1_assessor_course", day - 5, day)
        if r() < 0.85:
            awarded = day + _between(rng, 30, 150)
            rec.credential(
                "work_based_assessor", awarded, None, rng, SHORT_REVALIDATION, 0.4, rec.as_of
            )
    if target >= SUPERINTENDENT and r() < 0.35:
        rec.member("talent_cascade", _between(rng, starts[SUPERINTENDENT] + 90, rec.as_of))


def _positive_action(
    rng: random.Random, rec: _Record, protected: Record, joined: int, starts: list[int], target: int
) -> None:
    """Promoting Difference and Equip to Achieve (and what they lead to)."""
    r = rng.random
    as_of = rec.as_of
    bme = protected["ethnicity"] in _BME
    female = protected["gender"] == "female"
    if (bme or female or protected["disability"] == "yes") and target <= CHIEF_SUPT and r() < 0.14:
        start = _between(rng, max(joined + 180, PD_START), as_of)
        rec.member("promoting_difference", start)
        if r() < 0.35:
            day = _between(rng, start + 60, as_of)
            rec.course("positive_action_leadership_programme", day - 1, day)
        if female and target == CONSTABLE and r() < 0.3:
            day = _between(rng, start + 30, as_of)
            rec.course("springboard", day - 60, day)
        if target in (SERGEANT, INSPECTOR) and r() < 0.25:
            rec.member(
                "external_mentoring_scheme", _between(rng, max(start, starts[target]), as_of)
            )
    if not bme or target > CHIEF_INSPECTOR or as_of < E2A_START or r() >= 0.15:
        return
    # Equip to Achieve: a one-year programme after an assessment of potential.
    earliest = max(E2A_START, joined + 400)
    if earliest > as_of - 40:
        return
    recent = r() < 0.5
    assessed = _between(rng, max(earliest, as_of - 420) if recent else earliest, as_of - 30)
    rec.passed("e2a_potential_assessment", assessed)
    start, end = assessed + 30, assessed + 30 + 365
    if r() < 0.1:
        return  # assessed, waiting for a place
    current = rec.member("equip_to_achieve", start, end)
    if r() < 0.75:
        day = start + _between(rng, 200, 360)
        rec.course("certificate_in_leadership_development", start + 14, day)
    if not current:
        return
    if target <= SERGEANT and r() < 0.35:
        selected = _between(rng, start + 60, as_of)
        if rec.passed("hpds_selection", selected) and r() < 0.4:
            rec.member("hpds", selected + 30)
    if r() < 0.4:
        rec.endorse("line_manager_recommendation", _between(rng, start, as_of))
        if r() < 0.7:
            rec.passed("talent_pool_gateway", _between(rng, start + 30, as_of))
            if r() < 0.5:
                rec.member("talent_pool", as_of - _between(rng, 0, 20))


# --- police staff --------------------------------------------------------------------------


def _staff(rng: random.Random, index: int, as_of: int) -> Record:
    r = rng.random
    rec = _Record(as_of)
    protected = _protected(rng, officer=False)
    target: int = _pick(rng, _BAND_TABLE)
    if r() < 0.1:
        service = int(r() * 365)
    else:
        service = int(rng.triangular(0.0, 1.0, 0.1) * _MAX_STAFF_SERVICE)
    joined = as_of - service
    # Some join straight into their band; others are promoted at least two years apart.
    steps = min(target, int(r() * (target + 1)), service // 760)
    promos = _ladder(rng, joined, as_of, steps, [731] * steps)
    starts = [joined, *promos]
    for i, s in enumerate(starts):
        end = promos[i] - 1 if i < steps else None
        rec.band(BANDS[target - steps + i], s, end)

    track = r()
    posts = _Postings(rng, rec)
    if track < 0.33:
        _analyst(rng, rec, posts, joined, target)
    elif track < 0.66:
        _investigative_staff(rng, rec, posts, joined)
    # else: HR, finance, administration ...: no role in the catalogue, no posting recorded.

    if target >= 1 and r() < 0.08:
        day = _between(rng, joined + 365, as_of)
        rec.course("promotion_assessor_training", day - 2, day)
    if target >= BAND_C and r() < 0.12:
        _fsl(rng, rec, max(joined + 180, FSL_START))
    if target >= BAND_B and r() < 0.3:
        rec.member("talent_cascade", _between(rng, joined + 180, as_of))
    return rec.record(f"S{index:06d}", "staff", index, joined, protected)


def _analyst(rng: random.Random, rec: _Record, posts: _Postings, joined: int, band: int) -> None:
    r = rng.random
    as_of = rec.as_of
    intelligence = r() < 0.6
    groups = _INTEL_GROUP if intelligence else _PERFORMANCE_GROUP
    analyst_role = "intelligence_analyst" if intelligence else "performance_analyst"
    course = "intelligence_analysis_training" if intelligence else "performance_analysis_training"
    researcher_end = joined + _between(rng, 330, 1100)
    analyst_end = researcher_end + _between(rng, 600, 2600) if band >= 1 else as_of + 1
    if researcher_end > as_of and r() < 0.2:  # went straight into an analyst post
        researcher_end = joined
    posts.phase(joined, researcher_end, "researcher", groups, (400, 800), 0.2)
    if r() < 0.85:
        day = joined + _between(rng, 60, 330)
        rec.course(course, day - 10, day)
    posts.phase(researcher_end, analyst_end, analyst_role, groups, (600, 1200), 0.3)
    if researcher_end <= as_of and r() < 0.8:
        awarded = researcher_end + _between(rng, 150, 650)
        rec.credential("analyst_nos", awarded, None, rng, SHORT_REVALIDATION, 0.25, as_of)
    posts.phase(analyst_end, as_of + 1, "senior_analyst", groups, (900, 1500), 0.2)


def _investigative_staff(rng: random.Random, rec: _Record, posts: _Postings, joined: int) -> None:
    r = rng.random
    as_of = rec.as_of
    role = "civilian_investigator" if r() < 0.55 else "investigative_support_staff"
    posts.phase(joined, as_of + 1, role, _INVESTIGATIVE_STAFF_GROUP, (700, 1500), 0.3)
    if r() >= 0.8:
        return
    training = joined + _between(rng, 20, 250)
    rec.course("pip_level_1_training", training - 5, training)
    if r() >= 0.75:
        return
    awarded = max(joined + _between(rng, 200, 500), STAFF_PIP_START + _between(rng, 0, 700))
    if rec.pip(rng, 1, awarded, 0.2, as_of) and role == "civilian_investigator" and r() < 0.35:
        rec.course("icidp", awarded + 30, awarded + _between(rng, 60, 300))
        rec.passed("national_investigators_exam", awarded + _between(rng, 100, 400))
        if r() < 0.7:
            rec.pip(rng, 2, awarded + _between(rng, 400, 800), 0.2, as_of)


# --- the public API --------------------------------------------------------------------------


def generate_record(rng: random.Random, index: int, as_of: dt.date = DEFAULT_AS_OF) -> Record:
    """One synthetic person as a plain dict (the shape :class:`Person` validates), not validated.

    Raises:
        ValueError: if ``index`` does not fit the six-digit ids.
    """
    if not 0 <= index < MAX_PEOPLE:
        raise ValueError(f"index {index} is outside 0..{MAX_PEOPLE - 1} (ids have six digits)")
    day = as_of.toordinal()
    if rng.random() < STAFF_SHARE:
        return _staff(rng, index, day)
    return _officer(rng, index, day)


def generate_person(rng: random.Random, index: int, as_of: dt.date = DEFAULT_AS_OF) -> Person:
    """One synthetic person, drawn from ``rng``: the ``index``-th of a population.

    >>> p = generate_person(random.Random(1), 42)
    >>> p.id[1:], p.name
    ('000042', 'Synthetic Person 000042')
    """
    return Person.model_validate(generate_record(rng, index, as_of))


def generate_records(n: int, seed: int, as_of: dt.date = DEFAULT_AS_OF) -> Iterator[Record]:
    """The records of :func:`generate_people` as plain dicts, without validation (faster,
    e.g. for bulk loading); ``Person.model_validate`` accepts each of them.

    Raises:
        ValueError: at once, if ``n`` is negative or more than :data:`MAX_PEOPLE`.
    """
    if not 0 <= n <= MAX_PEOPLE:
        raise ValueError(f"n must be between 0 and {MAX_PEOPLE}, not {n}")
    return _records(n, random.Random(seed), as_of)


def _records(n: int, rng: random.Random, as_of: dt.date) -> Iterator[Record]:
    for index in range(n):
        yield generate_record(rng, index, as_of)


def generate_people(n: int, seed: int, as_of: dt.date = DEFAULT_AS_OF) -> Iterator[Person]:
    """``n`` synthetic people as of ``as_of``, the same ones every time for the same seed.

    Person ``i`` depends only on the seed, ``as_of`` and the people before it, so a longer
    population starts with a shorter one. Nothing in a record is dated after ``as_of``.

    Raises:
        ValueError: at once, if ``n`` is negative or more than :data:`MAX_PEOPLE`.
    """
    return map(Person.model_validate, generate_records(n, seed, as_of))
