"""Eligible-from dates that can happen: a stage that waits for time is eligible from day D
only if, the record otherwise unchanged, a decision as of D says eligible.

Each case waits for a period to complete while something the stage rests on ends first
(an accreditation lapses, directly or through a stage reached; an endorsement expires; a
posting, rank or membership ends; the current rank ends; an 'at most' runs out; the rule
closes). The stages are in ``tests/fixtures/waiting/waiting.yaml``; the PIP case is the
shipped library's. Every case is checked three ways: the status and date, the decision on
the day and on the day before, and the batch evaluator (which must say the same).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from accreditation.record import Person
from authoring.testing import Oracle
from pathways import SHIPPED_LIBRARY, load_library
from pathways.model.library import Library
from rules.batch import BatchEvaluator
from rules.decision import Status
from rules.engine import Evaluator
from rules.popcode import PopulationEvaluator

TIMING = Path(__file__).parent / "fixtures" / "waiting"
DAY = dt.timedelta(days=1)
D = dt.date.fromisoformat


@pytest.fixture(scope="module")
def library() -> Library:
    return load_library([SHIPPED_LIBRARY, TIMING])


@pytest.fixture(scope="module")
def engine(library: Library) -> Evaluator:
    return Evaluator(library)


def person(**sections: Any) -> Person:
    data: dict[str, Any] = {"id": "W100001", "kind": "officer", "joined": "2005-01-01"}
    data.update(sections)
    return Person.model_validate(data)


def sio(start: str, end: str | None = None, group: str = "specialist_crime") -> dict[str, Any]:
    posting = {"role": "senior_investigating_officer", "business_group": group, "start": start}
    if end:
        posting["end"] = end
    return posting


def decided(
    engine: Evaluator, who: Person, key: str, as_of: dt.date
) -> tuple[Status, dt.date | None]:
    pathway, stage = key.split(".")
    found = engine.decide(who, as_of).stage(pathway, stage)
    return found.status, found.eligible_from


def assert_exact(engine: Evaluator, who: Person, key: str, as_of: dt.date) -> None:
    """What the engine says as of ``as_of`` is what happens: eligible on the date it gives
    and not the day before; not eligible on any day a period completes or something ends,
    if it says 'not eligible'. The batch evaluator and the independent oracle agree."""
    status, day = decided(engine, who, key, as_of)
    batch = BatchEvaluator(engine.library).statuses(who, as_of)
    assert batch.stages == engine.statuses(who, as_of).stages
    oracle = Oracle(engine.library)
    pathway, stage = key.split(".")
    if status is Status.ELIGIBLE_FROM:
        assert day is not None
        assert decided(engine, who, key, day)[0] is Status.ELIGIBLE
        assert decided(engine, who, key, day - DAY) == (Status.ELIGIBLE_FROM, day)
        assert oracle.status(who, pathway, stage, day) == "eligible"
        assert oracle.status(who, pathway, stage, day - DAY) == "not_eligible"
    else:
        assert status is Status.NOT_ELIGIBLE
        in_force = engine.library.pathways[pathway].stage(stage)
        assert in_force is not None
        probes = [d for d in _dates(as_of) if in_force.in_force(d)]
        eligible = [d for d in probes if oracle.status(who, pathway, stage, d) == "eligible"]
        assert eligible == [], f"the oracle finds {key} eligible on {eligible[0]}"


def _dates(as_of: dt.date) -> list[dt.date]:
    """Every day after ``as_of`` in the next four years: brute force, no cleverness."""
    return [as_of + DAY * n for n in range(1, 4 * 366)]


# --- the example: PIP level 3 and a PIP level 2 that lapses ------------------------


def pip_sio(revalidated: list[str] | None = None) -> Person:
    level_2: dict[str, Any] = {"credential": "pip", "level": 2, "awarded": "2018-03-15"}
    if revalidated:
        level_2["revalidated"] = revalidated
    return person(
        ranks=[
            {"rank": "constable", "start": "2005-01-01", "end": "2015-12-31"},
            {"rank": "sergeant", "start": "2016-01-01", "end": "2019-12-31"},
            {"rank": "inspector", "start": "2020-01-01"},
        ],
        postings=[sio("2022-03-15")],
        courses=[{"course": "sio_development_programme", "completed": "2021-06-01"}],
        credentials=[{"credential": "pip", "level": 1, "awarded": "2016-01-01"}, level_2],
    )


def test_pip_level_3_is_not_eligible_from_the_day_level_2_lapses(engine: Evaluator) -> None:
    # 12 months as an SIO complete on 2023-03-15, the day PIP level 2 (60 months from
    # 2018-03-15) lapses: waiting does not get there.
    who, as_of = pip_sio(), D("2023-03-14")
    assert decided(engine, who, "pip.level_3", as_of) == (Status.NOT_ELIGIBLE, None)
    assert decided(engine, who, "pip.level_3", D("2023-03-15"))[0] is Status.NOT_ELIGIBLE
    assert_exact(engine, who, "pip.level_3", as_of)


def test_pip_level_3_next_steps_say_revalidate_then_wait(engine: Evaluator) -> None:
    decision = engine.decide(pip_sio(), D("2023-03-14"), ["pip"])
    steps = [(s.text, s.due) for s in decision.next_steps if s.stage == "level_3"]
    assert steps == [
        ("Revalidate before 2023-03-15, when it lapses: Holds PIP level 2", None),
        ("Gain 12 months' experience as a senior investigating officer", D("2023-03-15")),
    ]
    held = decision.stage("pip", "level_3").requirements[0]
    assert held.met and held.met_until == D("2023-03-14")
    assert [e.label for e in held.evidence] == [
        "Professionalising Investigation (PIP) accreditation level 2 (awarded 2018-03-15)"
    ]


def test_doing_the_steps_makes_pip_level_3_eligible_that_day(engine: Evaluator) -> None:
    who = pip_sio(revalidated=["2023-03-01"])
    assert decided(engine, who, "pip.level_3", D("2023-03-14")) == (
        Status.ELIGIBLE_FROM,
        D("2023-03-15"),
    )
    assert_exact(engine, who, "pip.level_3", D("2023-03-14"))


# --- each thing that ends by time alone -----------------------------------------------------

CASES: dict[str, tuple[str, dict[str, Any], str]] = {
    # name: (stage, record sections, as of)
    "at least 2 of 3, one an accreditation that lapses": (
        "waiting.two_of_three",
        {
            "credentials": [{"credential": "analyst_nos", "awarded": "2020-06-01"}],
            "courses": [{"course": "icidp", "completed": "2019-01-01"}],
            "postings": [sio("2022-09-01")],
        },
        "2023-01-01",
    ),
    "at least 2 of 3, one a stage reached through an accreditation that lapses": (
        "waiting.two_of_three_reached",
        {
            "credentials": [{"credential": "work_based_assessor", "awarded": "2020-06-01"}],
            "courses": [{"course": "icidp", "completed": "2019-01-01"}],
            "postings": [sio("2022-09-01")],
        },
        "2023-01-01",
    ),
    "an endorsement that expires": (
        "waiting.endorsed",
        {
            "endorsements": [
                {
                    "endorsement": "line_manager_recommendation",
                    "date": "2022-06-01",
                    "expires": "2023-05-31",
                }
            ],
            "postings": [sio("2022-09-01")],
        },
        "2023-01-01",
    ),
    "a posting that ends": (
        "waiting.posted_sio",
        {"joined": "2021-06-01", "postings": [sio("2022-01-01", "2023-03-31")]},
        "2023-01-01",
    ),
    "a temporary rank that ends": (
        "waiting.inspector_with_service",
        {
            "joined": "2013-06-01",
            "ranks": [
                {"rank": "sergeant", "start": "2013-06-01"},
                {
                    "rank": "inspector",
                    "start": "2022-01-01",
                    "end": "2023-01-31",
                    "basis": "temporary",
                },
            ],
        },
        "2023-01-01",
    ),
    "a membership that ends": (
        "waiting.hpds_with_service",
        {
            "joined": "2020-06-01",
            "memberships": [{"programme": "hpds", "start": "2021-01-01", "end": "2023-02-28"}],
        },
        "2023-01-01",
    ),
    "the current rank that ends the day before its months complete": (
        "waiting.two_years_in_rank",
        {"ranks": [{"rank": "sergeant", "start": "2021-06-01", "end": "2023-05-31"}]},
        "2023-01-01",
    ),
    "an 'at most' that runs out first": (
        "waiting.early_career",
        {"joined": "2018-01-01", "postings": [sio("2022-06-01")]},
        "2023-01-01",
    ),
    "a stage whose rule closes first": (
        "waiting.sunset",
        {"postings": [sio("2022-09-01")]},
        "2023-01-01",
    ),
    "a window of months that closes before another period completes": (
        "waiting.window",
        {
            "postings": [
                {
                    "role": "investigation",
                    "business_group": "specialist_crime",
                    "start": "2019-01-01",
                    "end": "2021-12-31",
                },
                sio("2022-01-01"),
            ]
        },
        "2022-06-01",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_waiting_does_not_get_there_when_something_ends_first(engine: Evaluator, case: str) -> None:
    key, sections, as_of = CASES[case]
    who = person(**sections)
    assert decided(engine, who, key, D(as_of)) == (Status.NOT_ELIGIBLE, None)
    assert_exact(engine, who, key, D(as_of))


def test_an_accreditation_that_counts_lapsed_or_not_does_not_end_the_wait(
    engine: Evaluator,
) -> None:
    # 'current: false': the lapse on 2022-01-01 changes nothing.
    who = person(
        credentials=[{"credential": "analyst_nos", "awarded": "2019-01-01"}],
        postings=[sio("2021-03-01")],
    )
    assert decided(engine, who, "waiting.ever_accredited", D("2021-06-01")) == (
        Status.ELIGIBLE_FROM,
        D("2022-03-01"),
    )
    assert_exact(engine, who, "waiting.ever_accredited", D("2021-06-01"))


def test_the_same_cases_with_nothing_ending_are_eligible_from_the_day(
    engine: Evaluator,
) -> None:
    """Controls: renewed or not ending, each case is eligible from the day its period
    completes, so the cases above fail for the reason they say."""
    controls = {
        "waiting.two_of_three": (
            {
                "credentials": [
                    {
                        "credential": "analyst_nos",
                        "awarded": "2020-06-01",
                        "revalidated": ["2022-12-01"],
                    }
                ],
                "courses": [{"course": "icidp", "completed": "2019-01-01"}],
                "postings": [sio("2022-09-01")],
            },
            "2023-09-01",
        ),
        "waiting.endorsed": (
            {
                "endorsements": [
                    {
                        "endorsement": "line_manager_recommendation",
                        "date": "2022-06-01",
                        "expires": "2023-09-01",
                    }
                ],
                "postings": [sio("2022-09-01")],
            },
            "2023-09-01",
        ),
        "waiting.posted_sio": (
            {"joined": "2021-06-01", "postings": [sio("2022-01-01", "2023-06-01")]},
            "2023-06-01",
        ),
        "waiting.two_years_in_rank": (
            {"ranks": [{"rank": "sergeant", "start": "2021-06-01", "end": "2023-06-01"}]},
            "2023-06-01",
        ),
        "waiting.early_career": (
            {"joined": "2018-06-01", "postings": [sio("2022-06-01")]},
            "2023-06-01",
        ),
    }
    for key, (sections, due) in controls.items():
        who = person(**sections)
        assert decided(engine, who, key, D("2023-01-01")) == (Status.ELIGIBLE_FROM, D(due)), key
        assert_exact(engine, who, key, D("2023-01-01"))


def test_next_steps_name_what_to_renew_and_when(engine: Evaluator) -> None:
    def steps(key: str) -> list[tuple[str, dt.date | None]]:
        _, sections, as_of = CASES[key]
        decision = engine.decide(person(**sections), D(as_of), ["waiting"])
        stage = CASES[key][0].split(".")[1]
        return [(s.text, s.due) for s in decision.next_steps if s.stage == stage]

    lapse = steps("at least 2 of 3, one an accreditation that lapses")
    assert lapse[0][0].startswith("Revalidate before 2023-06-01, when it lapses: ")
    assert lapse[-1][1] == D("2023-09-01")
    expiry = steps("an endorsement that expires")
    assert expiry[0][0].startswith("Renew before 2023-06-01, when it expires: ")
    assert steps("a posting that ends")[0][0].startswith("Extend before 2023-04-01, when it ends")
    # Time in a rank that ends: no date is promised. An 'at most' that runs out first:
    # nothing to do opens it, so no step at all.
    in_rank = steps("the current rank that ends the day before its months complete")
    assert in_rank and all(due is None for _, due in in_rank)
    assert steps("an 'at most' that runs out first") == []


# --- evidence for time served ------------------------------------------------------------------


def test_time_served_cites_the_periods_that_make_up_the_months(engine: Evaluator) -> None:
    who = person(
        ranks=[
            {"id": "R1", "rank": "constable", "start": "2005-01-01", "end": "2015-12-31"},
            {"id": "R2", "rank": "sergeant", "start": "2016-01-01", "end": "2018-12-31"},
            {"id": "R3", "rank": "sergeant", "start": "2019-01-01"},
        ],
        postings=[
            {
                "id": "P1",
                "role": "senior_investigating_officer",
                "business_group": "specialist_crime",
                "start": "2019-01-01",
                "end": "2019-12-31",
            },
            {
                "id": "P2",
                "role": "investigation",
                "business_group": "specialist_crime",
                "start": "2020-01-01",
                "end": "2020-12-31",
            },
            {
                "id": "P3",
                "role": "senior_investigating_officer",
                "business_group": "territorial_policing",
                "start": "2021-01-01",
            },
        ],
    )
    decision = engine.decide(who, D("2022-06-01"), ["waiting"])

    def cited(stage: str, index: int) -> list[str]:
        return [e.item for e in decision.stage("waiting", stage).requirements[index].evidence]

    assert cited("two_years_in_rank", 0) == ["R2", "R3"]  # back-to-back sergeant periods
    assert cited("two_of_three", 1) == ["P1", "P3"]  # every SIO posting, not the other one
    assert cited("hpds_with_service", 1) == ["joined"]
    labels = {
        e.item: e.label
        for e in decision.stage("waiting", "two_years_in_rank").requirements[0].evidence
    }
    assert labels["R2"] == "Sergeant (substantive) 2016-01-01 to 2018-12-31"


def test_no_step_asks_to_wait_past_the_day_the_stage_closes(engine: Evaluator) -> None:
    """The scheme closes on 2023-06-30; 12 months as an SIO complete on 2023-09-01."""
    _, sections, as_of = CASES["a stage whose rule closes first"]
    decision = engine.decide(person(**sections), D(as_of), ["waiting"])
    assert [s for s in decision.next_steps if s.stage == "sunset"] == []


def _researcher(postings: list[dict[str, str]]) -> Person:
    return Person.model_validate(
        {
            "id": "T-OVERLAP",
            "kind": "officer",
            "joined": "2009-03-31",
            "postings": [
                {"business_group": "territorial_policing", "role": "researcher", **p}
                for p in postings
            ],
            "courses": [{"course": "intelligence_analysis_training", "completed": "2010-03-31"}],
        }
    )


@pytest.mark.parametrize(
    ("postings", "eligible_from"),
    [
        # A one-day posting in the role on the day an open-ended one starts (the property
        # found it): the open one still counts, 12 months to 2011-03-31.
        ([{"start": "2010-03-31", "end": "2010-03-31"}, {"start": "2010-03-31"}], "2011-03-31"),
        # Two at once, the earlier ending first: it banks its own whole months the day
        # after it ends (2009-06-30 to 2010-04-30: 10), and the later counts from its
        # start (2010-03-01): 2 more on 2010-05-01, so 12 from that day.
        (
            [{"start": "2009-06-30", "end": "2010-04-30"}, {"start": "2010-03-01"}],
            "2010-05-01",
        ),
    ],
)
def test_time_in_a_role_with_two_postings_at_once_counts_both(
    library: Library, postings: list[dict[str, str]], eligible_from: str
) -> None:
    person, as_of = _researcher(postings), D("2010-03-31")
    stage = Evaluator(library).decide(person, as_of).stage("analyst", "intelligence_analyst")
    assert (stage.status, stage.eligible_from) == (Status.ELIGIBLE_FROM, D(eligible_from))
    batch = BatchEvaluator(library).statuses(person, as_of)
    assert batch.stage("analyst", "intelligence_analyst").eligible_from == D(eligible_from)
    oracle = Oracle(library)
    day = D(eligible_from)
    assert oracle.status(person, "analyst", "intelligence_analyst", day) == "eligible"
    assert oracle.status(person, "analyst", "intelligence_analyst", day - DAY) == "not_eligible"


def _detective(postings: list[dict[str, str]]) -> Person:
    """A detective qualified in 2000, in territorial policing from 2009-10-01."""
    return person(
        joined="2000-01-01",
        ranks=[{"rank": "constable", "start": "2000-01-01"}],
        postings=[
            {"business_group": "territorial_policing", "role": "investigative_support_staff"} | p
            for p in postings
        ],
        credentials=[{"credential": "detective_qualification", "awarded": "2000-01-01"}],
    )


@pytest.mark.parametrize(
    "postings",
    [
        # Found by the exactness property in CI: two postings in one group, one ending on
        # the as-of day while the other runs on. The run in the group does not end.
        [
            {"start": "2009-10-01", "end": "2010-03-31", "role": "civilian_investigator"},
            {"start": "2009-10-01"},
        ],
        # The same, listed the other way round.
        [
            {"start": "2009-10-01"},
            {"start": "2009-10-01", "end": "2010-03-31", "role": "civilian_investigator"},
        ],
        # A six-month attachment to another group, listed first, does not change the
        # current group: the run that ends last is the current one, whatever the order.
        [
            {"start": "2010-01-01", "end": "2010-06-30", "business_group": "specialist_crime"},
            {"start": "2009-10-01"},
        ],
        [
            {"start": "2009-10-01"},
            {"start": "2010-01-01", "end": "2010-06-30", "business_group": "specialist_crime"},
        ],
    ],
)
def test_the_current_business_group_is_the_run_that_goes_on(
    library: Library, postings: list[dict[str, str]]
) -> None:
    """48 months as a qualified detective in the current group (from 2009-10-01) complete
    on 2013-10-01: the engine, the batch evaluator, the population evaluator and the oracle
    say so as of 2010-03-31, and the engine agrees on the day and the day before."""
    who, as_of, due = _detective(postings), D("2010-03-31"), D("2013-10-01")
    key = "detective.rotation_due"
    assert decided(Evaluator(library), who, key, as_of) == (Status.ELIGIBLE_FROM, due)
    assert decided(Evaluator(library), who, key, due) == (Status.ELIGIBLE, None)
    assert decided(Evaluator(library), who, key, due - DAY)[0] is not Status.ELIGIBLE
    for other in (BatchEvaluator(library), PopulationEvaluator(library)):
        stage = other.statuses(who, as_of).stage("detective", "rotation_due")
        assert (stage.status, stage.eligible_from) == (Status.ELIGIBLE_FROM, due), other
    oracle = Oracle(library)
    assert oracle.status(who, "detective", "rotation_due", due) == "eligible"
    assert oracle.status(who, "detective", "rotation_due", due - DAY) == "not_eligible"
