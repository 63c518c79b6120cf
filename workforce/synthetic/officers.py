"""Officers: a rank history up the pyramid, postings, investigation and what goes with it.

:func:`officer` draws a current rank, a length of service and promotion days, then the
career that fits them: recruit training and stream, HPDS, postings rank by rank (uniform,
roads policing or detective), PIP levels 1-4, and (in :mod:`.progression`) what led to
each promotion, senior leadership, assessors and positive action.
"""

from __future__ import annotations

import random

from .draw import (
    CENTRAL_OPERATIONS,
    DETECTIVE_GROUP,
    GAP_MIN,
    GAP_MIN_TOTAL,
    HPDS_START,
    MAX_OFFICER_SERVICE,
    PIP_START,
    RANK_TABLE,
    ROADS_GROUP,
    SENIOR_UNIFORM_ROLE,
    STREAMING_START,
    UNIFORM_GROUP,
    UNIFORM_ROLE,
    UNITS_BY_GROUP,
    between,
    pick,
)
from .progression import assessors, positive_action, promotions, senior
from .record import Postings, Record, RecordBuilder, ladder, protected_characteristics
from .tables import (
    CHIEF_INSPECTOR,
    CONSTABLE,
    GROUPS,
    HPDS_CHANCE,
    INSPECTOR,
    RANKS,
    SERGEANT,
    SUPERINTENDENT,
)

__all__ = ["officer"]


def officer(rng: random.Random, index: int, as_of: int) -> Record:
    r = rng.random
    rec = RecordBuilder(as_of)
    protected = protected_characteristics(rng, officer=True)
    target: int = pick(rng, RANK_TABLE)
    gap_min = GAP_MIN[target]
    if target == CONSTABLE:
        if r() < 0.14:  # recruits still in their first two years
            service = int(r() * 730)
        else:
            service = 730 + int(rng.triangular(0.0, 1.0, 0.0) * (MAX_OFFICER_SERVICE - 730))
    else:
        low = GAP_MIN_TOTAL[target] + 30
        service = low + int(rng.triangular(0.0, 1.0, 0.2) * max(0, MAX_OFFICER_SERVICE - low))
    joined = as_of - service
    promos = ladder(rng, joined, as_of, target, gap_min)
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
        stream = pick(rng, UNIFORM_ROLE)
        rec.endorse("stream_allocation", joined + between(rng, 60, 110))
        rec.course(f"{stream}_stream_training", trained + 7, trained + between(rng, 20, 70))
        if r() < 0.12:  # cross-trained in a second stream
            other = ("response", "investigation", "community")[int(r() * 3)]
            if other == stream:
                other = "community" if stream != "community" else "response"
            rec.course(f"{other}_stream_training", trained + 90, trained + between(rng, 100, 200))
    qualification = joined + 731 + int(r() * 90)
    if r() < (0.95 if joined >= PIP_START else 0.45):
        rec.credential("initial_policing_qualification", qualification)

    hpds = _hpds(rng, rec, joined, starts, ends_x, target)
    detective, trainee = _officer_postings(rng, rec, joined, starts, ends_x, target, stream)
    _investigation(rng, rec, detective, trainee, starts, ends_x, target)
    promotions(rng, rec, joined, starts, target, hpds)
    senior(rng, rec, starts, ends_x, target)
    assessors(rng, rec, starts, ends_x, target)
    positive_action(rng, rec, protected, joined, starts, target)
    return rec.record(f"W{index:06d}", "officer", index, joined, protected)


def _hpds(
    rng: random.Random,
    rec: RecordBuilder,
    joined: int,
    starts: list[int],
    ends_x: list[int],
    target: int,
) -> tuple[int, int] | None:
    """HPDS: selected as a constable or sergeant; a member until superintendent."""
    r = rng.random
    chance = HPDS_CHANCE[target]
    if r() >= chance or rec.as_of - joined < 800:
        return None
    last_eligible = min(ends_x[SERGEANT] if target >= SERGEANT else rec.as_of, rec.as_of) - 30
    earliest = max(joined + 730, HPDS_START)
    if earliest > last_eligible:
        return None
    selected = between(rng, earliest, last_eligible)
    if not rec.passed("hpds_selection", selected):
        return None
    start = selected + 30
    end = ends_x[SUPERINTENDENT] - 1 if target >= SUPERINTENDENT else None
    if target <= INSPECTOR and r() < 0.1:  # left the scheme
        end = start + between(rng, 300, 1000)
    if r() < 0.05 and target <= SERGEANT:  # selected, membership not yet recorded
        return None
    rec.member("hpds", start, end)
    return start, end if end is not None else rec.as_of + 1


def _officer_postings(
    rng: random.Random,
    rec: RecordBuilder,
    joined: int,
    starts: list[int],
    ends_x: list[int],
    target: int,
    stream: str | None,
) -> tuple[Postings, tuple[int, int] | None]:
    """Uniform, roads or detective postings, rank by rank. Returns the postings and the
    traineeship (start, exclusive end) if the officer trained as a detective."""
    r = rng.random
    posts = Postings(rng, rec)
    as_of = rec.as_of
    first = stream or "response"
    constable_end = ends_x[CONSTABLE]
    trainee: tuple[int, int] | None = None
    # Detectives: about a quarter of officers train as detectives after two years.
    if r() < 0.26 and constable_end - joined > 800:
        latest = min(constable_end - 60, joined + 730 + 1800)
        start = between(rng, joined + 731, latest)
        end = min(start + between(rng, 366, 760), constable_end)
        trainee = (start, end)
    if trainee is None:
        posts.phase(joined, constable_end, UNIFORM_ROLE, UNIFORM_GROUP, first_role=first)
        qualified = False
    else:
        t0, t1 = trainee
        posts.phase(joined, t0, UNIFORM_ROLE, UNIFORM_GROUP, first_role=first)
        posts.phase(t0, t1, "trainee_detective_constable", DETECTIVE_GROUP, (800, 0), 0.8)
        qualified = t1 - t0 >= 366 and t1 <= as_of
        if qualified:
            posts.phase(
                t1, constable_end, "detective_constable", DETECTIVE_GROUP, (700, 1700), 0.75
            )
        else:
            posts.phase(t1, constable_end, UNIFORM_ROLE, UNIFORM_GROUP)
    roads = trainee is None and r() < 0.06
    if roads and target == CONSTABLE and posts.spans and as_of - joined > 900:
        # Moved to roads policing investigation (the Traffic OCU) for the rest of the time.
        _reroute(posts, joined + 800, "roads_policing_investigator", CENTRAL_OPERATIONS)
    for rank in range(SERGEANT, target + 1):
        s, e = starts[rank], ends_x[rank]
        if qualified and rank == SERGEANT:
            posts.phase(s, e, "detective_sergeant", DETECTIVE_GROUP, (700, 1300), 0.7)
        elif qualified and rank == INSPECTOR:
            split = s + between(rng, 500, 1400) if r() < 0.6 else e
            posts.phase(s, min(split, e), "detective_inspector", DETECTIVE_GROUP, (700, 1300), 0.7)
            if split < e:
                posts.phase(split, e, "senior_investigating_officer", DETECTIVE_GROUP, rotate=0.3)
        elif qualified and rank >= CHIEF_INSPECTOR and r() < 0.75:
            posts.phase(s, e, "senior_investigating_officer", DETECTIVE_GROUP, rotate=0.3)
        elif roads and rank <= INSPECTOR:
            posts.phase(s, e, "roads_policing_investigator", ROADS_GROUP)
        else:
            posts.phase(s, e, SENIOR_UNIFORM_ROLE, UNIFORM_GROUP)
    in_training = trainee is not None and trainee[1] > as_of
    return posts, trainee if qualified or in_training else None


def _reroute(posts: Postings, after: int, role: str, group: int) -> None:
    """Make the postings from ``after`` on (the last one, at least) ``role`` in ``group``."""
    rec = posts.rec
    for i, (start, last, _, _) in enumerate(posts.spans):
        if start >= after or i == len(posts.spans) - 1:
            posts.spans[i] = (start, last, role, group)
            rec.postings[i]["role"] = role
            rec.postings[i]["business_group"] = GROUPS[group]
            units = UNITS_BY_GROUP[group]
            rec.postings[i]["unit"] = units[i % len(units)]


def _investigation(
    rng: random.Random,
    rec: RecordBuilder,
    posts: Postings,
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
        training = joined + between(rng, 200, 700)
        rec.course("pip_level_1_training", training - 5, training)
        if r() < 0.9 or trainee is not None:
            awarded = training + between(rng, 40, 240)
            if awarded < PIP_START:
                awarded = PIP_START + between(rng, 0, 900)
            stop = 0.04 if trainee is not None else 0.13
            last = rec.pip(rng, 1, awarded, stop, front_line_until)
    # Level 2: trainee detectives, and some investigators and roads policing officers.
    if trainee is not None:
        t0, t1 = trainee
        early = posts.first("investigation")
        if last and early is not None and early + 500 < t0 and r() < 0.5:
            # Already a level 2 investigator when they began as a trainee.
            exam = between(rng, early + 120, t0 - 60)
            rec.course("icidp", early + 30, early + between(rng, 60, 110))
            rec.passed("national_investigators_exam", exam)
            awarded = rec.pip(rng, 2, max(exam + 30, early + 400, last + 30), 0.05, as_of)
            last = awarded or last
        else:
            rec.course("icidp", t0 + 30, t0 + between(rng, 60, 300))
            if r() < 0.2:
                rec.passed("national_investigators_exam", t0 + between(rng, 30, 120), failed=True)
            rec.passed("national_investigators_exam", t0 + between(rng, 130, 340))
            awarded = 0
            if last and t1 <= as_of:
                day = max(t1 - between(rng, 0, 20), t0 + 367, last + between(rng, 30, 200))
                awarded = rec.pip(rng, 2, day, 0.05, as_of)
                last = awarded or last
        if awarded and t1 <= as_of and r() < 0.94:
            rec.credential("detective_qualification", max(t1, awarded) + between(rng, 0, 60))
    else:
        start = posts.first("investigation", "roads_policing_investigator")
        if start is not None and last and r() < 0.4:
            rec.course("icidp", start + 20, start + between(rng, 40, 250))
            rec.passed("national_investigators_exam", start + between(rng, 60, 330))
            months = posts.months_in("investigation")
            months += posts.months_in("roads_policing_investigator")
            if months >= 13 and r() < 0.8:
                awarded = max(start + between(rng, 380, 700), last + between(rng, 30, 600))
                last = rec.pip(rng, 2, awarded, 0.15, front_line_until) or last
    # Levels 3 and 4: senior investigating officers.
    sio = posts.first("senior_investigating_officer")
    if sio is None:
        return
    course = sio + between(rng, 20, 160)
    rec.course("sio_development_programme", course - 10, course)
    months = posts.months_in("senior_investigating_officer")
    if not any(c.get("level") == 2 for c in rec.credentials):
        return
    level_3 = 0
    if months >= 12.5 and r() < 0.85:
        level_3 = rec.pip(rng, 3, max(sio + between(rng, 380, 600), last + 30), 0.15, as_of)
    if target >= SUPERINTENDENT and level_3:
        day = max(starts[SUPERINTENDENT], sio) + between(rng, 60, 500)
        rec.course("major_crime_command_course", day - 10, day)
        if months >= 37 and r() < 0.8:
            awarded = max(day + 30, level_3 + 30, sio + 1100 + between(rng, 0, 200))
            rec.pip(rng, 4, awarded, 0.15, as_of)
