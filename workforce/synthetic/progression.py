"""What leads to each promotion, and what comes with seniority.

Exams, boards, recommendations and assessment centres before each promotion (and the
work-based assessment route to superintendent), preparation for the next rank, the
Foundation for Senior Leadership and SPNAC, assessors, and the positive action
programmes (Promoting Difference, Equip to Achieve).
"""

from __future__ import annotations

import random

from .draw import E2A_START, FSL_START, PD_START, WBA_START, between
from .record import Record, RecordBuilder
from .tables import (
    ASSESSOR_TRAINING_CHANCE,
    BME,
    CHIEF_INSPECTOR,
    CHIEF_SUPT,
    COMMANDER,
    CONSTABLE,
    INSPECTOR,
    SERGEANT,
    SHORT_REVALIDATION,
    SUPERINTENDENT,
)

__all__ = ["assessors", "fsl", "positive_action", "promotions", "senior"]


def promotions(
    rng: random.Random,
    rec: RecordBuilder,
    joined: int,
    starts: list[int],
    target: int,
    hpds: tuple[int, int] | None,
) -> None:
    """What led to each promotion, and preparation for the next one."""
    _past_promotions(rng, rec, starts, target, hpds)
    _next_promotion(rng, rec, joined, starts, target, hpds)


def _past_promotions(
    rng: random.Random,
    rec: RecordBuilder,
    starts: list[int],
    target: int,
    hpds: tuple[int, int] | None,
) -> None:
    """The exams, boards and recommendations before each promotion so far."""
    r = rng.random
    for rank in range(SERGEANT, target + 1):
        day, prev = starts[rank], starts[rank - 1]
        if rank == SERGEANT:
            exam = between(rng, prev + 731, day - 200)
            if r() < 0.25:
                rec.passed("sergeants_exam", exam - 180, failed=True)
            rec.passed("sergeants_exam", exam)
            rec.passed(
                "sergeant_promotion_board", between(rng, max(exam + 14, day - 180), day - 20)
            )
            if r() < 0.15:  # acted up before promotion
                rec.rank("sergeant", day - between(rng, 90, 180), day - 1, temporary=True)
        elif rank == INSPECTOR:
            exam = between(rng, prev + 365, day - 150)
            rec.passed("inspectors_exam", exam)
            rec.passed("inspector_promotion_process", between(rng, exam + 14, day - 20))
            if r() < 0.2:
                rec.rank("inspector", day - between(rng, 60, 120), day - 1, temporary=True)
        elif rank == CHIEF_INSPECTOR:
            if hpds is not None and hpds[0] < day <= hpds[1]:
                rec.passed("wba_chief_inspector", day - between(rng, 5, 60))
            else:
                rec.passed("chief_inspector_promotion_board", day - between(rng, 20, 150))
        elif rank == SUPERINTENDENT:
            if day > WBA_START + 400 and r() < 0.3:
                _wba_route(rng, rec, prev, day, hpds, finished=True)
            else:
                rec.endorse("bg_recommendation_superintendent", day - between(rng, 120, 300))
                rec.passed("superintendent_assessment_centre", day - between(rng, 20, 110))
        elif rank == CHIEF_SUPT:
            rec.endorse("bg_recommendation_chief_superintendent", day - between(rng, 120, 300))
            rec.passed("chief_superintendent_assessment_centre", day - between(rng, 20, 110))
        elif rank == COMMANDER:
            spnac = day - between(rng, 200, 700)
            spnac = max(spnac, starts[SUPERINTENDENT] + 200)
            for endorsement in (
                "line_management_observations",
                "mps_acpo_endorsement",
                "management_board_consideration",
            ):
                rec.endorse(endorsement, spnac - between(rng, 40, 150))
            rec.passed("spnac", spnac)
            course = between(rng, spnac + 30, day - 20)
            rec.course("strategic_command_course", course - 30, course)


def _next_promotion(
    rng: random.Random,
    rec: RecordBuilder,
    joined: int,
    starts: list[int],
    target: int,
    hpds: tuple[int, int] | None,
) -> None:
    """Preparing for the next rank: exams passed, boards sat, acting up."""
    r = rng.random
    as_of = rec.as_of
    here = starts[target]
    if target == CONSTABLE:
        service = as_of - joined
        if service < 1100 and r() < 0.12:
            # Transferred in from another force: passed the exam there.
            rec.passed("sergeants_exam", joined - between(rng, 30, 900))
            if r() < 0.6 and service > 30:
                rec.passed("sergeant_promotion_board", between(rng, joined + 20, as_of))
        elif service > 760 and r() < 0.24:
            exam = between(rng, joined + 731, as_of)
            if r() < 0.25:
                rec.passed("sergeants_exam", exam - 180, failed=True)
            rec.passed("sergeants_exam", exam)
            if r() < 0.35:
                rec.passed("sergeant_promotion_board", between(rng, exam + 14, as_of))
        if service > 1100 and r() < 0.03:  # acting sergeant now
            rec.rank("sergeant", as_of - between(rng, 10, 300), None, temporary=True)
    elif target == SERGEANT and as_of - here > 300 and r() < 0.3:
        exam = between(rng, here + 240, as_of)
        rec.passed("inspectors_exam", exam)
        if r() < 0.45:
            rec.passed("inspector_promotion_process", between(rng, exam + 14, as_of))
        if r() < 0.08:
            rec.rank("inspector", as_of - between(rng, 10, 200), None, temporary=True)
    elif target == INSPECTOR:
        if hpds is not None and hpds[1] > as_of and as_of - here > 200 and r() < 0.35:
            rec.passed("wba_chief_inspector", between(rng, here + 180, as_of))
        elif as_of - here > 300 and r() < 0.16:
            rec.passed("chief_inspector_promotion_board", between(rng, here + 240, as_of))
    elif target == CHIEF_INSPECTOR and as_of - here > 200:
        if as_of > WBA_START and r() < 0.2:
            _wba_route(rng, rec, here, None, hpds, finished=False)
        elif r() < 0.14:
            rec.endorse(
                "bg_recommendation_superintendent",
                between(rng, here + 200, as_of),
                expires_after=365 if r() < 0.5 else None,
            )
            rec.passed("superintendent_assessment_centre", between(rng, here + 240, as_of))
    elif target == SUPERINTENDENT and as_of - here > 300 and r() < 0.15:
        rec.endorse("bg_recommendation_chief_superintendent", between(rng, here + 240, as_of))
        rec.passed("chief_superintendent_assessment_centre", between(rng, here + 260, as_of))


def _talent_programme(
    rng: random.Random, rec: RecordBuilder, before: int, until: int | None
) -> None:
    """Join the talent pool (through its gateway) or the Emerging Leaders Programme."""
    start = before - between(rng, 100, 500)
    if rng.random() < 0.6:
        rec.endorse("line_manager_recommendation", start - between(rng, 60, 120))
        rec.passed("talent_pool_gateway", start - between(rng, 10, 50))
        rec.member("talent_pool", start, until)
    else:
        rec.member("emerging_leaders", start, until)


def _wba_route(
    rng: random.Random,
    rec: RecordBuilder,
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
        temp_start = promoted - between(rng, 183, 230)
        stage = 4
    else:
        stage = min(int(r() * 4), 3)  # 0: before the gateway ... 3: passed the period
        temp_start = as_of - (
            between(rng, 200, 400) if stage == 3 else between(rng, 10, 170) if stage == 2 else -60
        )
    gateway = temp_start - between(rng, 20, 90) if stage >= 2 else as_of - between(rng, 5, 60)
    if gateway - 200 < ci_start:
        return
    member = hpds is not None and hpds[0] < gateway <= hpds[1]
    if not member:
        _talent_programme(rng, rec, gateway - 150, None if stage < 4 else promoted)
    rec.endorse("ocu_commander_recommendation", gateway - between(rng, 100, 150))
    rec.passed("wba_competency_assessment", gateway - between(rng, 50, 90))
    rec.passed("wba_panel_interview", gateway - between(rng, 10, 40))
    if stage == 0:
        return
    rec.passed("wba_gateway", gateway)
    if stage == 1:
        return
    # After passing, they stay temporary superintendents until promoted substantively.
    end = promoted - 1 if promoted else None
    rec.rank("superintendent", temp_start, end, temporary=True)
    if stage >= 3:
        rec.passed("wba_superintendent_period", temp_start + 183 + between(rng, 0, 5))


def senior(
    rng: random.Random, rec: RecordBuilder, starts: list[int], ends_x: list[int], target: int
) -> None:
    """FSL, SPNAC candidates and the Strategic Command Course."""
    r = rng.random
    as_of = rec.as_of
    if target < CHIEF_INSPECTOR:
        return
    ci_start = starts[CHIEF_INSPECTOR]
    ci_end = ends_x[CHIEF_INSPECTOR]
    if ci_end > FSL_START and r() < 0.85:  # FSL is mandatory for chief inspectors
        fsl(rng, rec, max(ci_start, FSL_START))
    elif ci_end <= FSL_START and target >= SUPERINTENDENT and r() < 0.4:
        fsl(rng, rec, max(starts[SUPERINTENDENT], FSL_START))
    if target in (SUPERINTENDENT, CHIEF_SUPT):
        here = starts[target]
        if target == CHIEF_SUPT and r() < 0.35:
            spnac = between(rng, max(starts[SUPERINTENDENT] + 400, here - 300), as_of)
            rec.passed("spnac", spnac)
            if r() < 0.4:
                day = between(rng, spnac + 60, as_of)
                rec.course("strategic_command_course", day - 30, day)
        elif r() < (0.2 if target == SUPERINTENDENT else 0.3):
            names = (
                "line_management_observations",
                "mps_acpo_endorsement",
                "management_board_consideration",
            )
            for i, name in enumerate(names):
                if r() < 0.9:
                    day = between(rng, max(here + 150, as_of - 600), as_of) + i * 20
                    rec.endorse(name, min(day, as_of), expires_after=540 if r() < 0.2 else None)
            if target == SUPERINTENDENT and r() < 0.25:
                rec.passed("spnac", between(rng, max(here + 300, as_of - 300), as_of))


def fsl(rng: random.Random, rec: RecordBuilder, start: int) -> None:
    day = start + between(rng, 40, 500)
    for stage in ("fsl_stage_1", "fsl_stage_2", "fsl_stage_3"):
        done = day + between(rng, 2, 5)
        if day > rec.as_of:
            if rng.random() < 0.4:  # booked on it now
                rec.course(stage, rec.as_of - between(rng, 1, 40), day)
            return
        rec.course(stage, day, done)
        if rng.random() < 0.05:  # dropped out
            return
        day = done + between(rng, 100, 330)


def assessors(
    rng: random.Random, rec: RecordBuilder, starts: list[int], ends_x: list[int], target: int
) -> None:
    r = rng.random
    if target >= SERGEANT and r() < ASSESSOR_TRAINING_CHANCE[target]:
        day = between(rng, starts[SERGEANT] + 180, rec.as_of)
        rec.course("promotion_assessor_training", day - 2, day)
    if target >= CHIEF_INSPECTOR and r() < 0.25:
        day = between(rng, starts[CHIEF_INSPECTOR] + 100, rec.as_of)
        rec.course("a1_assessor_course", day - 5, day)
        if r() < 0.85:
            awarded = day + between(rng, 30, 150)
            rec.credential(
                "work_based_assessor", awarded, None, rng, SHORT_REVALIDATION, 0.4, rec.as_of
            )
    if target >= SUPERINTENDENT and r() < 0.35:
        rec.member("talent_cascade", between(rng, starts[SUPERINTENDENT] + 90, rec.as_of))


def positive_action(
    rng: random.Random,
    rec: RecordBuilder,
    protected: Record,
    joined: int,
    starts: list[int],
    target: int,
) -> None:
    """Promoting Difference and Equip to Achieve (and what they lead to)."""
    r = rng.random
    as_of = rec.as_of
    bme = protected["ethnicity"] in BME
    female = protected["gender"] == "female"
    if (bme or female or protected["disability"] == "yes") and target <= CHIEF_SUPT and r() < 0.14:
        start = between(rng, max(joined + 180, PD_START), as_of)
        rec.member("promoting_difference", start)
        if r() < 0.35:
            day = between(rng, start + 60, as_of)
            rec.course("positive_action_leadership_programme", day - 1, day)
        if female and target == CONSTABLE and r() < 0.3:
            day = between(rng, start + 30, as_of)
            rec.course("springboard", day - 60, day)
        if target in (SERGEANT, INSPECTOR) and r() < 0.25:
            rec.member("external_mentoring_scheme", between(rng, max(start, starts[target]), as_of))
    if not bme or target > CHIEF_INSPECTOR or as_of < E2A_START or r() >= 0.15:
        return
    # Equip to Achieve: a one-year programme after an assessment of potential.
    earliest = max(E2A_START, joined + 400)
    if earliest > as_of - 40:
        return
    recent = r() < 0.5
    assessed = between(rng, max(earliest, as_of - 420) if recent else earliest, as_of - 30)
    rec.passed("e2a_potential_assessment", assessed)
    start, end = assessed + 30, assessed + 30 + 365
    if r() < 0.1:
        return  # assessed, waiting for a place
    current = rec.member("equip_to_achieve", start, end)
    if r() < 0.75:
        day = start + between(rng, 200, 360)
        rec.course("certificate_in_leadership_development", start + 14, day)
    if not current:
        return
    if target <= SERGEANT and r() < 0.35:
        selected = between(rng, start + 60, as_of)
        if rec.passed("hpds_selection", selected) and r() < 0.4:
            rec.member("hpds", selected + 30)
    if r() < 0.4:
        rec.endorse("line_manager_recommendation", between(rng, start, as_of))
        if r() < 0.7:
            rec.passed("talent_pool_gateway", between(rng, start + 30, as_of))
            if r() < 0.5:
                rec.member("talent_pool", as_of - between(rng, 0, 20))
