"""Obligations: who they apply to, met / due / overdue with exact dates (the day before and
the day of each), the engine against the independent oracle and the batch evaluator, and
each property seen failing on a faulty variant."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from accreditation.periods import add_months
from accreditation.record import Person
from authoring.testing import as_of_dates, records
from authoring.testing.oracle import Oracle
from pathways import SHIPPED_LIBRARY, load_library
from rules import obligations as obligations_module
from rules.batch import BatchEvaluator
from rules.decision import ObligationDecision, ObligationStatus
from rules.engine import Evaluator
from rules.ranking import Tier, rank_steps

ANCHORS = Path(__file__).parent / "fixtures" / "obligations" / "anchors.yaml"
LIBRARY = load_library([SHIPPED_LIBRARY, ANCHORS])
SHIPPED = load_library([SHIPPED_LIBRARY])
ENGINE = Evaluator(LIBRARY)
BATCH = BatchEvaluator(LIBRARY)
ORACLE = Oracle(LIBRARY)
DAY = dt.timedelta(days=1)
FSL = "fsl.fsl_for_chief_inspectors"
ROTATION = "detective.detective_rotation"
PIP = "pip.pip_accreditation_current"


def person(**record: Any) -> Person:
    return Person.model_validate({"id": "W1", "kind": "officer", **record})


def found(p: Person, day: dt.date, key: str) -> ObligationDecision | None:
    return next((o for o in ENGINE.obligations(p, day) if o.key == key), None)


def status(p: Person, day: dt.date, key: str) -> tuple[str, dt.date | None] | None:
    o = found(p, day, key)
    return None if o is None else (o.status.value, o.due_by)


# --- FSL for chief inspectors (002 rec 9; 24 months illustrative) -----------------------------

CHIEF_INSPECTOR = person(
    joined="1994-09-05",
    ranks=[
        {"rank": "inspector", "start": "2004-04-01", "end": "2011-06-30"},
        {"rank": "chief_inspector", "start": "2011-07-01"},
    ],
)


def test_fsl_is_due_by_the_last_day_of_24_months_from_promotion_and_overdue_the_day_after() -> None:
    assert status(CHIEF_INSPECTOR, dt.date(2013, 6, 30), FSL) == ("due", dt.date(2013, 6, 30))
    assert status(CHIEF_INSPECTOR, dt.date(2013, 7, 1), FSL) == ("overdue", dt.date(2013, 6, 30))
    # The case: a chief inspector with no FSL in 2013 is not simply "eligible".
    o = found(CHIEF_INSPECTOR, dt.date(2013, 12, 1), FSL)
    assert o is not None and o.status is ObligationStatus.OVERDUE
    assert o.clock_from == dt.date(2011, 7, 1) and o.act_by == dt.date(2013, 6, 30)
    assert o.next_step == "Attend every stage of the Foundation for Senior Leadership"
    assert [e.item for a in o.applies for e in a.evidence] == ["ranks[1]"]


def test_fsl_is_met_once_every_stage_is_attended_and_applies_only_to_chief_inspectors() -> None:
    courses = [{"course": f"fsl_stage_{n}", "completed": f"2012-0{3 * n}-01"} for n in (1, 2, 3)]
    done = Person.model_validate(CHIEF_INSPECTOR.model_dump() | {"courses": courses})
    assert status(done, dt.date(2012, 8, 31), FSL) == ("due", dt.date(2013, 6, 30))
    assert status(done, dt.date(2012, 9, 1), FSL) == ("met", dt.date(2013, 6, 30))
    assert found(done, dt.date(2014, 1, 1), FSL).met_until is None  # type: ignore[union-attr]
    assert status(CHIEF_INSPECTOR, dt.date(2011, 6, 30), FSL) is None  # still an inspector


def test_chief_inspectors_before_fsl_began_get_24_months_from_its_start() -> None:
    early = person(
        joined="1990-01-01",
        ranks=[
            {"rank": "inspector", "start": "2000-01-01", "end": "2008-09-30"},
            {"rank": "chief_inspector", "start": "2008-10-01"},
        ],
    )
    assert status(early, dt.date(2010, 3, 31), FSL) is None  # not in force yet
    assert status(early, dt.date(2010, 4, 1), FSL) == ("due", dt.date(2012, 3, 31))
    assert status(early, dt.date(2012, 3, 31), FSL) == ("due", dt.date(2012, 3, 31))
    assert status(early, dt.date(2012, 4, 1), FSL) == ("overdue", dt.date(2012, 3, 31))


# --- detective rotation (002 rec 19; 48 months illustrative) ---------------------------------

DETECTIVE = person(
    joined="2003-01-06",
    ranks=[{"rank": "constable", "start": "2003-01-06"}],
    postings=[
        {
            "business_group": "specialist_crime",
            "role": "trainee_detective_constable",
            "start": "2008-01-01",
            "end": "2010-03-14",
        },
        {
            "business_group": "specialist_crime",
            "role": "detective_constable",
            "start": "2010-03-15",
        },
    ],
    credentials=[
        {"credential": "pip", "level": 1, "awarded": "2007-06-01", "revalidated": ["2012-05-01"]},
        {"credential": "pip", "level": 2, "awarded": "2009-11-01", "revalidated": ["2014-10-01"]},
        {"credential": "detective_qualification", "awarded": "2010-03-15"},
    ],
)


def test_rotation_counts_from_qualifying_not_from_joining_the_business_group() -> None:
    # In Specialist Crime since 2008, qualified on 2010-03-15: 48 months from qualifying.
    assert status(DETECTIVE, dt.date(2014, 3, 14), ROTATION) == ("due", dt.date(2014, 3, 14))
    assert status(DETECTIVE, dt.date(2014, 3, 15), ROTATION) == ("overdue", dt.date(2014, 3, 14))
    o = found(DETECTIVE, dt.date(2014, 3, 15), ROTATION)
    assert o is not None and o.must is None and o.clock_from == dt.date(2010, 3, 15)
    assert o.next_step == "Move to a detective post in another business group"


def test_moving_to_another_business_group_starts_the_clock_again() -> None:
    data = DETECTIVE.model_dump(mode="json")
    data["postings"][1]["end"] = "2014-05-31"
    data["postings"].append(
        {
            "business_group": "territorial_policing",
            "role": "detective_constable",
            "start": "2014-06-01",
        }
    )
    moved = Person.model_validate(data)
    assert status(moved, dt.date(2014, 5, 31), ROTATION) == ("overdue", dt.date(2014, 3, 14))
    assert status(moved, dt.date(2014, 6, 1), ROTATION) == ("due", dt.date(2018, 5, 31))


def test_rotation_is_not_counted_from_before_the_october_2008_update() -> None:
    data = DETECTIVE.model_dump(mode="json")
    data["postings"] = [
        {"business_group": "specialist_crime", "role": "detective_constable", "start": "2004-01-01"}
    ]
    data["credentials"][2]["awarded"] = "2004-01-01"
    data["credentials"][0]["awarded"] = "2003-06-01"
    data["credentials"][1]["awarded"] = "2003-11-01"
    old_hand = Person.model_validate(data)
    assert status(old_hand, dt.date(2008, 9, 30), ROTATION) is None
    assert status(old_hand, dt.date(2008, 10, 1), ROTATION) == ("due", dt.date(2012, 9, 30))


# --- PIP accreditation kept current (003 para 1) ----------------------------------------------

INVESTIGATOR = person(
    joined="2013-01-07",
    ranks=[{"rank": "constable", "start": "2013-01-07"}],
    postings=[
        {"business_group": "territorial_policing", "role": "investigation", "start": "2015-01-01"}
    ],
    credentials=[{"credential": "pip", "level": 1, "awarded": "2015-06-01"}],
)


def test_pip_met_until_the_day_before_it_lapses_then_overdue_on_the_day() -> None:
    # PIP lasts 60 months: it lapses on 2020-06-01; the 12 months to gain it ended 2015-12-31.
    o = found(INVESTIGATOR, dt.date(2020, 5, 31), PIP)
    assert o is not None and o.status is ObligationStatus.MET
    assert (o.due_by, o.met_until, o.act_by) == (
        dt.date(2015, 12, 31),
        dt.date(2020, 5, 31),
        dt.date(2020, 5, 31),
    )
    assert status(INVESTIGATOR, dt.date(2020, 6, 1), PIP) == ("overdue", dt.date(2015, 12, 31))


def test_pip_due_within_12_months_of_taking_up_the_role() -> None:
    none_yet = Person.model_validate(INVESTIGATOR.model_dump() | {"credentials": []})
    assert status(none_yet, dt.date(2015, 12, 31), PIP) == ("due", dt.date(2015, 12, 31))
    assert status(none_yet, dt.date(2016, 1, 1), PIP) == ("overdue", dt.date(2015, 12, 31))
    assert status(none_yet, dt.date(2014, 12, 31), PIP) is None  # not yet investigating


def test_a_met_obligation_ending_soon_is_done_first_with_the_revalidation_as_one_step() -> None:
    day = dt.date(2020, 4, 1)  # 61 days before PIP lapses
    steps = rank_steps(SHIPPED, Evaluator(SHIPPED).decide(INVESTIGATOR, day), INVESTIGATOR)
    first = steps[0]
    assert first.tier is Tier.NOW and first.key == "renew:pip"
    assert first.obligation == "Keep PIP accreditation current: met until 2020-05-31"
    assert sum(s.key == "renew:pip" for s in steps) == 1
    # 91 days before, it is not yet a step of its own.
    early = rank_steps(
        SHIPPED, Evaluator(SHIPPED).decide(INVESTIGATOR, dt.date(2020, 3, 1)), INVESTIGATOR
    )
    assert not any(s.obligation for s in early)


def test_an_overdue_obligation_comes_before_everything_else() -> None:
    day = dt.date(2013, 7, 1)
    steps = rank_steps(SHIPPED, Evaluator(SHIPPED).decide(CHIEF_INSPECTOR, day), CHIEF_INSPECTOR)
    assert steps[0].kind == "obligation" and steps[0].key == f"obligation:{FSL}"
    assert steps[0].text == (
        "Attend every stage of the Foundation for Senior Leadership: overdue, it was due by "
        "2013-06-30"
    )


# --- a mentor for each Equip to Achieve participant (001 para 11; HR acts) --------------------

E2A = "positive_action.equip_to_achieve_mentor"


def test_an_equip_to_achieve_participant_without_a_mentor_is_for_hr_to_act_on() -> None:
    p = person(
        joined="2005-01-03",
        ranks=[{"rank": "sergeant", "start": "2008-01-07"}],
        memberships=[{"programme": "equip_to_achieve", "start": "2009-01-31"}],
    )
    # One month from 31 January ends on the last day of February: due by the 27th.
    assert status(p, dt.date(2009, 2, 27), E2A) == ("due", dt.date(2009, 2, 27))
    assert status(p, dt.date(2009, 2, 28), E2A) == ("overdue", dt.date(2009, 2, 27))
    o = found(p, dt.date(2009, 2, 28), E2A)
    assert o is not None and o.owner == "hr"
    assert o.next_step == "Arrange a mentor from the HPDS or the Talent Cascade"
    mentored = Person.model_validate(
        p.model_dump() | {"mentors": [{"mentor": "W000009", "start": "2009-03-01"}]}
    )
    assert status(mentored, dt.date(2009, 2, 28), E2A) == ("overdue", dt.date(2009, 2, 27))
    assert status(mentored, dt.date(2009, 3, 1), E2A) == ("met", dt.date(2009, 2, 27))
    evidence = found(mentored, dt.date(2009, 3, 1), E2A).must.evidence  # type: ignore[union-attr]
    assert [e.label for e in evidence] == ["mentored by W000009 since 2009-03-01"]
    # HR acts, so it is not one of the participant's own steps.
    steps = rank_steps(SHIPPED, Evaluator(SHIPPED).decide(p, dt.date(2009, 3, 1)), p)
    assert not any(s.obligation for s in steps)


# --- the other clock starts (tests/fixtures/obligations/anchors.yaml) ------------------------


def test_each_kind_of_clock_start() -> None:
    p = person(
        joined="2010-01-04",
        ranks=[{"rank": "constable", "start": "2010-01-04"}],
        postings=[
            {"business_group": "territorial_policing", "role": "response", "start": "2010-06-01"}
        ],
        assessments=[{"assessment": "sergeants_exam", "date": "2012-02-29"}],
        courses=[{"course": "fsl_stage_1", "completed": "2010-05-31"}],
        memberships=[{"programme": "hpds", "start": "2013-11-30"}],
    )
    day = dt.date(2014, 1, 1)
    got = {o.obligation: (o.status.value, o.due_by, o.owner) for o in ENGINE.obligations(p, day)}
    assert got["training_after_joining"] == ("overdue", dt.date(2010, 7, 3), "person")
    assert got["board_after_exam"] == ("overdue", dt.date(2013, 2, 27), "person")
    # Stage 1 in 2010, but the obligation is in force from 2011-01-01: 9 months from then.
    assert got["next_fsl_stage"] == ("overdue", dt.date(2011, 9, 30), "person")
    # Joined the HPDS on 30 November: 3 months end on the last day of February.
    assert got["hpds_mentor_arranged"] == ("due", dt.date(2014, 2, 27), "hr")
    assert got["response_time_limit"] == ("overdue", dt.date(2013, 5, 31), "person")
    assert status(p, dt.date(2013, 5, 31), "duties.response_time_limit") == (
        "due",
        dt.date(2013, 5, 31),
    )
    assert status(p, dt.date(2013, 6, 1), "duties.response_time_limit") == (
        "overdue",
        dt.date(2013, 5, 31),
    )


# --- against the independent oracle and the batch evaluator -----------------------------------

PROPERTY = settings(
    max_examples=120,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def dates(found: list[ObligationDecision]) -> list[tuple[Any, ...]]:
    return [
        (o.key, o.status, o.clock_from, o.due_by, o.met_until, o.act_by, o.next_step) for o in found
    ]


def agrees(p: Person, day: dt.date) -> None:
    mine = {o.key: o for o in ENGINE.obligations(p, day)}
    for pathway in LIBRARY.pathways.values():
        for obligation in pathway.obligations:
            key = f"{pathway.id}.{obligation.id}"
            want = ORACLE.obligation(p, pathway.id, obligation.id, day)
            got = mine.get(key)
            pair = (got.status.value, got.due_by) if got else None
            assert pair == want, f"the oracle disagrees on {key} as of {day}: {want} != {pair}"
    # The batch evaluator gives the same statuses and dates (it is for reports: the order of
    # the evidence behind a requirement, when two items meet it, is the engine's own).
    assert dates(BATCH.obligations(p, day)) == dates(list(mine.values())), (p.id, day)


@st.composite
def drawn(draw: Any) -> tuple[Person, dt.date]:
    """Any valid record, decided on its date, the day after or well after."""
    made = draw(as_of_dates(dt.date(2008, 1, 1)))
    day = draw(st.sampled_from([made, made + DAY, made + dt.timedelta(days=500)]))
    return draw(records(LIBRARY, made)), day


def _iso(day: dt.date) -> str:
    return day.isoformat()


# Long: one record per kind of person an obligation applies to, each drawn near its dates;
# split, each would repeat the shared draws.
@st.composite
def personas(draw: Any) -> tuple[Person, dt.date]:
    """Someone an obligation applies to (a chief inspector, a detective, an investigator,
    an HPDS member), decided within a few days of a day its clock or a credential ends."""
    start = draw(st.dates(dt.date(2004, 1, 1), dt.date(2020, 12, 31)))
    later = lambda most: start + dt.timedelta(days=draw(st.integers(0, most)))  # noqa: E731
    maybe = lambda: draw(st.booleans())  # noqa: E731
    kind = draw(st.sampled_from(["chief_inspector", "detective", "investigator", "hpds", "equip"]))
    base: dict[str, Any] = {"id": "W1", "kind": "officer", "joined": _iso(add_months(start, -180))}
    months = 24
    if kind == "chief_inspector":
        base["ranks"] = [
            {"rank": "inspector", "start": _iso(add_months(start, -70)), "end": _iso(start - DAY)},
            {"rank": "chief_inspector", "start": _iso(start)},
        ]
        base["courses"] = [
            {"course": f"fsl_stage_{n}", "completed": _iso(later(1100))}
            for n in (1, 2, 3)
            if maybe()
        ]
    elif kind == "detective":
        months = 48
        moved = add_months(start, draw(st.integers(20, 70)))
        base["ranks"] = [{"rank": "constable", "start": base["joined"]}]
        base["postings"] = [
            {
                "business_group": "specialist_crime",
                "role": "trainee_detective_constable",
                "start": _iso(add_months(start, -24)),
                "end": _iso(start - DAY),
            },
            {
                "business_group": "specialist_crime",
                "role": "detective_constable",
                "start": _iso(start),
                **({"end": _iso(moved - DAY)} if maybe() else {}),
            },
        ]
        if "end" in base["postings"][1]:
            base["postings"].append(
                {
                    "business_group": "territorial_policing",
                    "role": "detective_constable",
                    "start": _iso(moved),
                }
            )
        base["credentials"] = [
            {"credential": "pip", "level": 1, "awarded": _iso(add_months(start, -40))},
            {"credential": "pip", "level": 2, "awarded": _iso(add_months(start, -14))},
            {"credential": "detective_qualification", "awarded": _iso(later(300))},
        ]
    elif kind == "investigator":
        months = draw(st.sampled_from([12, 60, 72]))
        base["ranks"] = [{"rank": "constable", "start": base["joined"]}]
        base["postings"] = [
            {
                "business_group": "territorial_policing",
                "role": "investigation",
                "start": _iso(start),
            }
        ]
        if maybe():
            base["credentials"] = [{"credential": "pip", "level": 1, "awarded": _iso(later(500))}]
    elif kind == "equip":
        months = 1
        base["ranks"] = [{"rank": "sergeant", "start": base["joined"]}]
        base["memberships"] = [{"programme": "equip_to_achieve", "start": _iso(start)}]
        if maybe():
            mentored = later(60)
            base["mentors"] = [{"mentor": "W000009", "start": _iso(mentored)}]
            if maybe():
                base["mentors"][0]["end"] = _iso(mentored + dt.timedelta(days=20))
    else:
        months = 3
        base["ranks"] = [{"rank": "sergeant", "start": base["joined"]}]
        base["memberships"] = [{"programme": "hpds", "start": _iso(start)}]
        if maybe():
            base["endorsements"] = [
                {"endorsement": "line_manager_recommendation", "date": _iso(later(200))}
            ]
    pivot = add_months(start, months)
    day = pivot + dt.timedelta(days=draw(st.integers(-2, 2)))
    return Person.model_validate(base), day


def cases() -> Any:
    return st.one_of(drawn(), personas())


@PROPERTY
@given(cases())
def test_the_engine_agrees_with_the_oracle_and_the_batch_evaluator(
    case: tuple[Person, dt.date],
) -> None:
    agrees(*case)


def _finds(check: Any, match: str) -> None:
    @settings(PROPERTY, max_examples=400, derandomize=True, phases=[Phase.generate])
    @given(cases())
    def run(case: tuple[Person, dt.date]) -> None:
        check(*case)

    with pytest.raises(AssertionError, match=match):
        run()


def test_the_property_catches_a_due_date_a_day_late(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(obligations_module, "due_by", add_months)
    _finds(agrees, "the oracle disagrees")


def test_the_property_catches_a_batch_evaluator_that_drops_held_rules(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    batch = BatchEvaluator(LIBRARY)
    monkeypatch.setattr(batch, "_for_obligations", (([], batch._obligation_rules()[1])))

    def check(p: Person, day: dt.date) -> None:
        assert dates(batch.obligations(p, day)) == dates(ENGINE.obligations(p, day)), "differs"

    _finds(check, "differs")
