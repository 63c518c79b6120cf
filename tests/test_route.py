"""Routes to a goal (rules.route), goals by name (rules.targets).

The property: doing every action a route names and reaching every stage it passes
through (adding those items to the record, as the what-if machinery does) and then
waiting until the route's date makes the goal eligible. It is shown failing on a
deliberately faulty search that forgets to wait for a period to complete.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, event, given, settings
from hypothesis import strategies as st

from accreditation.record import Person
from authoring.testing import records
from authoring.testing.strategies import as_of_dates
from pathways import SHIPPED_LIBRARY, load_library
from pathways.model.library import Library
from rules import route_search
from rules.decision import Decision, Status
from rules.engine import Evaluator
from rules.pool import EnginePool
from rules.route import Route, RoutePlan, find_routes
from rules.targets import GoalError, find_stage, stage_choices
from rules.whatif import parse_addition, with_additions

LIBRARY = load_library([SHIPPED_LIBRARY])
EVALUATOR = Evaluator(LIBRARY)
GOALS = [c.key for c in stage_choices(LIBRARY)]
DATE_FIELDS = ("start", "completed", "date", "awarded")


def plan_for(person: Person, goal: str, as_of: dt.date) -> RoutePlan:
    return find_routes(EVALUATOR.library, EVALUATOR.decide, person, goal, as_of)


def record(**extra: Any) -> Person:
    base: dict[str, Any] = {
        "id": "W900001",
        "kind": "officer",
        "joined": "2023-03-01",
        "ranks": [{"rank": "constable", "start": "2023-03-01"}],
        "postings": [
            {"business_group": "territorial_policing", "role": "response", "start": "2023-03-01"}
        ],
        "courses": [{"course": "initial_police_training", "completed": "2023-08-01"}],
        "credentials": [{"credential": "pip", "level": 1, "awarded": "2024-01-10"}],
    }
    base.update(extra)
    return Person.model_validate(base)


INSPECTOR = Person.model_validate(
    {
        "id": "W100234",
        "kind": "officer",
        "joined": "2012-09-03",
        "ranks": [
            {"rank": "constable", "start": "2012-09-03", "end": "2016-06-30"},
            {"rank": "sergeant", "start": "2016-07-01", "end": "2020-03-31"},
            {"rank": "inspector", "start": "2020-04-01"},
        ],
        "postings": [
            {"business_group": "specialist_crime", "role": "investigation", "start": "2022-01-01"}
        ],
        "credentials": [
            {"credential": "pip", "level": 1, "awarded": "2014-05-01"},
            {"credential": "pip", "level": 2, "awarded": "2017-10-12"},
        ],
    }
)


# --- what a route says, checked against the engine ----------------------------------------


def done(person: Person, route: Route, goal: str) -> Person:
    """The record after doing every action of ``route`` and reaching every stage before the
    goal (or revalidating the goal): the route's own words (what-if items), not its
    internal record."""
    specs = [a for s in route.stages for a in (*(x for y in s.actions for x in y.add),)]
    specs += [a for s in route.stages if s.key != goal or s.revalidate for a in s.award]
    additions: dict[str, list[dict[str, Any]]] = {}
    for written in specs:
        section, item = parse_addition(written)
        item.pop("id", None)  # what-if ids repeat when an item is added twice
        additions.setdefault(section, []).append(item)
    for items in additions.values():  # done in the order of their dates
        items.sort(key=lambda i: next(str(i[f]) for f in DATE_FIELDS if f in i))
    return with_additions(person, additions)


def route_is_sufficient(person: Person, as_of: dt.date, goal: str) -> None:
    plan = plan_for(person, goal, as_of)
    event(f"routes: {min(len(plan.routes), 2)}")
    pathway, stage = goal.split(".")
    for route in plan.routes:
        assert route.reached_on >= as_of
        assert route.stages[-1].reached_on == route.reached_on
        after = EVALUATOR.decide(done(person, route, goal), route.reached_on, [pathway])
        status = after.stage(pathway, stage).status
        assert status in (Status.ELIGIBLE, Status.HELD), (
            f"route '{route.label}' to {goal} says {route.reached_on}; the engine says "
            f"{status.value} that day after doing it"
        )


PROPERTY = settings(
    max_examples=100,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@st.composite
def cases(draw: Any, library: Library = LIBRARY) -> tuple[Person, dt.date, str]:
    as_of = draw(as_of_dates(dt.date(2011, 1, 1)))
    person = draw(records(library, as_of))
    return person, as_of, draw(st.sampled_from(GOALS))


@pytest.mark.slow  # hypothesis over generated records
@PROPERTY
@given(cases())
def test_doing_every_step_of_a_route_and_waiting_makes_the_goal_eligible(
    case: tuple[Person, dt.date, str],
) -> None:
    route_is_sufficient(*case)


def test_the_property_catches_a_search_that_does_not_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    """The faulty variant reaches a stage that is 'eligible from' a date on the day it
    looks, not on that date: its routes promise too early a day."""

    def hasty(self: Any, state: Any, sd: Any) -> Any:
        return sd, state.day

    monkeypatch.setattr(route_search.Search, "_earliest", hasty)

    # Found is enough: no shrinking, which would take a minute.
    @settings(PROPERTY, max_examples=200, derandomize=True, phases=[Phase.generate])
    @given(cases())
    def check(case: tuple[Person, dt.date, str]) -> None:
        route_is_sufficient(*case)

    with pytest.raises(AssertionError, match=r"the engine says (not_eligible|eligible_from)"):
        check()


# --- routes on known records, with dates worked out by hand -----------------------------------


def test_a_constable_has_two_routes_to_chief_inspector_the_hpds_one_first() -> None:
    plan = plan_for(record(), "promotion.chief_inspector", dt.date(2025, 6, 1))
    assert [r.reached_on for r in plan.routes] == [dt.date(2027, 6, 2), dt.date(2029, 6, 1)]
    hpds, board = plan.routes
    assert "HPDS work-based assessment route" in hpds.label
    assert "standard route" in board.label
    # Sergeant today (two years' service were done on 2025-03-01; exam and board today),
    # inspector 24 months later, chief inspector 24 months after that.
    assert [(s.stage, s.reached_on) for s in board.stages] == [
        ("sergeant", dt.date(2025, 6, 1)),
        ("inspector", dt.date(2027, 6, 1)),
        ("chief_inspector", dt.date(2029, 6, 1)),
    ]
    assert [w.text for w in board.stages[-1].waits] == ["At least 24 months as an inspector"]
    # The HPDS route: join the HPDS while a constable (it is for constables and sergeants,
    # so before the promotions), then work-based assessment as an inspector. No period in
    # rank: the day after the promotion to inspector, as no record holds two ranks that
    # start on one day.
    assert [s.stage for s in hpds.stages] == [
        "hpds",
        "sergeant",
        "inspector",
        "chief_inspector_assessment",
        "chief_inspector",
    ]
    assert hpds.stages[0].actions[0].text == "Apply for the HPDS selection process"
    assert hpds.stages[-1].reached_on == dt.date(2027, 6, 2)


def test_a_lapsed_credential_on_the_way_is_revalidated_first() -> None:
    plan = plan_for(INSPECTOR, "pip.level_3", dt.date(2024, 6, 1))
    (route,) = plan.routes
    first, goal = route.stages
    assert first.stage == "level_2" and first.revalidate and first.status_now is Status.LAPSED
    assert first.award == ["credential:pip:2@2024-06-01"]
    assert {a.key for a in goal.actions} == {
        "course:sio_development_programme",
        "served:senior_investigating_officer:12",
    }
    # Twelve months as a senior investigating officer, from a posting taken today.
    assert goal.reached_on == dt.date(2025, 6, 1)
    assert route.additions["credentials"] == [
        {"credential": "pip", "level": 2, "awarded": "2024-06-01"}
    ]


def test_cross_pathway_prerequisites_come_before_the_goal() -> None:
    plan = plan_for(INSPECTOR, "senior_leadership.spnac", dt.date(2024, 6, 1))
    assert plan.routes
    for route in plan.routes:
        keys = [s.key for s in route.stages]
        assert keys[-1] == "senior_leadership.spnac"
        assert keys.index("fsl.stage_1") < keys.index("fsl.stage_2") < keys.index("fsl.stage_3")
        assert keys.index("promotion.chief_inspector") < keys.index("fsl.stage_1")


def test_a_closed_goal_says_why() -> None:
    plan = plan_for(INSPECTOR, "detective.detective_inspector", dt.date(2024, 6, 1))
    assert plan.routes == []
    assert [c.text for c in plan.closed] == ["Holds the rank of constable"]


def test_a_held_goal_has_no_route_and_an_eligible_one_is_reached_today() -> None:
    held = plan_for(INSPECTOR, "promotion.sergeant", dt.date(2024, 6, 1))
    assert held.status_now is Status.HELD and held.routes == []
    eligible = plan_for(record(), "detective.trainee_detective", dt.date(2025, 6, 1))
    (route,) = eligible.routes
    assert [(s.stage, s.reached_on, s.actions) for s in route.stages] == [
        ("trainee_detective", dt.date(2025, 6, 1), [])
    ]


def test_a_goal_held_through_another_stage_is_a_route_too() -> None:
    plan = plan_for(INSPECTOR, "promotion.superintendent", dt.date(2024, 6, 1))
    last = {r.stages[-1].key for r in plan.routes}
    assert "work_based_assessment.substantive_superintendent" in last
    assert "promotion.superintendent" in last


def test_the_search_in_a_worker_gives_the_same_plan() -> None:
    with EnginePool(workers=1) as pool:
        remote = pool.route(record(), "promotion.chief_inspector", dt.date(2025, 6, 1))
        with pytest.raises(KeyError):
            pool.route(record(), "nowhere.stage", dt.date(2025, 6, 1))
    local = plan_for(record(), "promotion.chief_inspector", dt.date(2025, 6, 1))
    assert remote.model_dump() == local.model_dump()


def test_the_search_stops_at_its_bound_and_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(route_search, "MAX_DECISIONS", 3)  # where the search reads it
    plan = plan_for(record(), "senior_leadership.spnac", dt.date(2025, 6, 1))
    assert plan.truncated and plan.searched <= 3


def test_every_decision_the_search_asks_for_is_the_engines(monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[tuple[dt.date, list[str]]] = []

    def decide(person: Person, day: dt.date, pathways: list[str]) -> Decision:
        asked.append((day, pathways))
        return EVALUATOR.decide(person, day, pathways)

    plan = find_routes(LIBRARY, decide, record(), "promotion.inspector", dt.date(2025, 6, 1))
    assert plan.routes and len(asked) == plan.searched + 1  # + the decision of today


# --- goals by name ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("words", "key"),
    [
        ("Superintendent", "promotion.superintendent"),
        ("PIP level 3", "pip.level_3"),
        ("Senior PNAC", "senior_leadership.spnac"),
        ("Detective inspector", "detective.detective_inspector"),
        ("fsl stage 1", "fsl.stage_1"),
        ("pip.level_2", "pip.level_2"),
        ("spnac", "senior_leadership.spnac"),
        ("chief inspector", "promotion.chief_inspector"),
        ("HPDS", "promotion.hpds"),
    ],
)
def test_a_goal_is_found_by_the_words_people_use(words: str, key: str) -> None:
    assert find_stage(LIBRARY, words) == key


def test_a_goal_that_names_nothing_or_several_says_so() -> None:
    with pytest.raises(GoalError, match="did you mean 'Superintendent'"):
        find_stage(LIBRARY, "Superintendant")
    with pytest.raises(GoalError, match="could be any of") as several:
        find_stage(LIBRARY, "analyst")
    assert len(several.value.candidates) >= 2
    with pytest.raises(GoalError, match="name a stage"):
        find_stage(LIBRARY, "  ")
