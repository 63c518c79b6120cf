"""Police staff: a band history, and analyst or investigative careers.

About a third of staff are researchers and analysts, a third civilian investigators or
investigative support staff; the rest (HR, finance, administration ...) have no posting,
because the catalogue has no role for them.
"""

from __future__ import annotations

import random

from .draw import (
    BAND_TABLE,
    FSL_START,
    INTEL_GROUP,
    INVESTIGATIVE_STAFF_GROUP,
    MAX_STAFF_SERVICE,
    PERFORMANCE_GROUP,
    STAFF_PIP_START,
    between,
    pick,
)
from .progression import fsl
from .record import Postings, Record, RecordBuilder, ladder, protected_characteristics
from .tables import BAND_B, BAND_C, BANDS, SHORT_REVALIDATION

__all__ = ["staff"]


def staff(rng: random.Random, index: int, as_of: int) -> Record:
    r = rng.random
    rec = RecordBuilder(as_of)
    protected = protected_characteristics(rng, officer=False)
    target: int = pick(rng, BAND_TABLE)
    if r() < 0.1:
        service = int(r() * 365)
    else:
        service = int(rng.triangular(0.0, 1.0, 0.1) * MAX_STAFF_SERVICE)
    joined = as_of - service
    # Some join straight into their band; others are promoted at least two years apart.
    steps = min(target, int(r() * (target + 1)), service // 760)
    promos = ladder(rng, joined, as_of, steps, [731] * steps)
    starts = [joined, *promos]
    for i, s in enumerate(starts):
        end = promos[i] - 1 if i < steps else None
        rec.band(BANDS[target - steps + i], s, end)

    track = r()
    posts = Postings(rng, rec)
    if track < 0.33:
        _analyst(rng, rec, posts, joined, target)
    elif track < 0.66:
        _investigative_staff(rng, rec, posts, joined)
    # else: HR, finance, administration ...: no role in the catalogue, no posting recorded.

    if target >= 1 and r() < 0.08:
        day = between(rng, joined + 365, as_of)
        rec.course("promotion_assessor_training", day - 2, day)
    if target >= BAND_C and r() < 0.12:
        fsl(rng, rec, max(joined + 180, FSL_START))
    if target >= BAND_B and r() < 0.3:
        rec.member("talent_cascade", between(rng, joined + 180, as_of))
    return rec.record(f"S{index:06d}", "staff", index, joined, protected)


def _analyst(
    rng: random.Random, rec: RecordBuilder, posts: Postings, joined: int, band: int
) -> None:
    r = rng.random
    as_of = rec.as_of
    intelligence = r() < 0.6
    groups = INTEL_GROUP if intelligence else PERFORMANCE_GROUP
    analyst_role = "intelligence_analyst" if intelligence else "performance_analyst"
    course = "intelligence_analysis_training" if intelligence else "performance_analysis_training"
    researcher_end = joined + between(rng, 330, 1100)
    analyst_end = researcher_end + between(rng, 600, 2600) if band >= 1 else as_of + 1
    if researcher_end > as_of and r() < 0.2:  # went straight into an analyst post
        researcher_end = joined
    posts.phase(joined, researcher_end, "researcher", groups, (400, 800), 0.2)
    if r() < 0.85:
        day = joined + between(rng, 60, 330)
        rec.course(course, day - 10, day)
    posts.phase(researcher_end, analyst_end, analyst_role, groups, (600, 1200), 0.3)
    if researcher_end <= as_of and r() < 0.8:
        awarded = researcher_end + between(rng, 150, 650)
        rec.credential("analyst_nos", awarded, None, rng, SHORT_REVALIDATION, 0.25, as_of)
    posts.phase(analyst_end, as_of + 1, "senior_analyst", groups, (900, 1500), 0.2)


def _investigative_staff(
    rng: random.Random, rec: RecordBuilder, posts: Postings, joined: int
) -> None:
    r = rng.random
    as_of = rec.as_of
    role = "civilian_investigator" if r() < 0.55 else "investigative_support_staff"
    posts.phase(joined, as_of + 1, role, INVESTIGATIVE_STAFF_GROUP, (700, 1500), 0.3)
    if r() >= 0.8:
        return
    training = joined + between(rng, 20, 250)
    rec.course("pip_level_1_training", training - 5, training)
    if r() >= 0.75:
        return
    awarded = max(joined + between(rng, 200, 500), STAFF_PIP_START + between(rng, 0, 700))
    if rec.pip(rng, 1, awarded, 0.2, as_of) and role == "civilian_investigator" and r() < 0.35:
        rec.course("icidp", awarded + 30, awarded + between(rng, 60, 300))
        rec.passed("national_investigators_exam", awarded + between(rng, 100, 400))
        if r() < 0.7:
            rec.pip(rng, 2, awarded + between(rng, 400, 800), 0.2, as_of)
