"""The ranked, merged next steps (rules.ranking).

The property: the ranked list names each action once, and every action of the goal's
route is in it under "Towards your goal". It is shown failing on a deliberately faulty
ranking that does not merge.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from accreditation.record import Person
from authoring.testing import records
from authoring.testing.strategies import as_of_dates
from pathways import SHIPPED_LIBRARY, load_library
from pathways.model.catalogue import Entry
from rules import ranking
from rules.engine import Evaluator
from rules.ranking import RankedStep, Tier, rank_steps
from rules.route import find_routes
from rules.targets import stage_choices

LIBRARY = load_library([SHIPPED_LIBRARY])
EVALUATOR = Evaluator(LIBRARY)
GOALS = [c.key for c in stage_choices(LIBRARY)]
TP = "territorial_policing"


def ranked(person: Person, as_of: dt.date, goal: str | None = None, **kw: Any) -> list[RankedStep]:
    decision = EVALUATOR.decide(person, as_of)
    plan = find_routes(LIBRARY, EVALUATOR.decide, person, goal, as_of) if goal else None
    return rank_steps(LIBRARY, decision, person, plan, **kw)


def each_action_once(person: Person, as_of: dt.date, goal: str) -> None:
    steps = ranked(person, as_of, goal)
    twice = [k for k, n in Counter(s.key for s in steps).items() if n > 1]
    assert not twice, f"listed more than once: {twice}"
    plan = find_routes(LIBRARY, EVALUATOR.decide, person, goal, as_of)
    if plan.routes:
        keyed = {s.key: s for s in steps}
        for _, action in plan.routes[0].actions():
            assert keyed[action.key].tier is Tier.GOAL, action.text
    tiers = [list(Tier).index(s.tier) for s in steps]
    assert tiers == sorted(tiers), "the tiers are out of order"


PROPERTY = settings(
    max_examples=100,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@st.composite
def cases(draw: Any) -> tuple[Person, dt.date, str]:
    as_of = draw(as_of_dates(dt.date(2011, 1, 1)))
    return draw(records(LIBRARY, as_of)), as_of, draw(st.sampled_from(GOALS))


@pytest.mark.slow  # hypothesis over generated records
@PROPERTY
@given(cases())
def test_the_ranked_list_names_each_action_once(case: tuple[Person, dt.date, str]) -> None:
    each_action_once(*case)


def test_the_property_catches_a_ranking_that_does_not_merge(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(ranking, "_merge", lambda drafts: drafts)

    @settings(PROPERTY, max_examples=200, derandomize=True, phases=[Phase.generate])
    @given(cases())
    def check(case: tuple[Person, dt.date, str]) -> None:
        each_action_once(*case)

    with pytest.raises(AssertionError, match="listed more than once"):
        check()


# --- known records ----------------------------------------------------------------------------

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


def test_a_lapsed_credential_comes_first_once_with_what_revalidation_involves() -> None:
    steps = ranked(INSPECTOR, dt.date(2024, 6, 1))
    first = steps[0]
    assert first.tier is Tier.NOW and first.kind == "revalidate"
    assert first.text == (
        "Revalidate PIP level 2 - volume and serious crime investigator (lapsed on 2022-10-12)"
    )
    # Revalidating level 2 restores level 1: one step, not two.
    assert {u.stage for u in first.opens} == {"level_1", "level_2"}
    assert sum(s.key == "renew:pip" for s in steps) == 1
    assert first.how is not None and "60 months" in first.how
    assert first.what_if == ["credential:pip:2@2024-06-01"]


def test_an_action_several_stages_ask_for_is_one_step_naming_them() -> None:
    steps = ranked(INSPECTOR, dt.date(2024, 6, 1))
    promotion = [s for s in steps if s.key == "rank:chief_inspector"]
    assert len(promotion) == 1
    (step,) = promotion
    assert step.text == "Seek promotion to chief inspector"
    assert "FSL stage 1" in {u.name for u in step.opens}
    assert "Work-based assessment gateway (to superintendent)" in {u.name for u in step.needed_for}
    # Senior leadership's 'Chief inspector' is the promotion ladder's reached again: named once.
    assert [u.name for u in step.unlocks].count("Chief inspector") == 1


def test_steps_on_the_goals_route_come_before_the_rest_and_far_ones_fold_under_later() -> None:
    constable = Person.model_validate(
        {
            "id": "W900001",
            "kind": "officer",
            "joined": "2023-03-01",
            "ranks": [{"rank": "constable", "start": "2023-03-01"}],
            "postings": [{"business_group": TP, "role": "response", "start": "2023-03-01"}],
            "courses": [{"course": "initial_police_training", "completed": "2023-08-01"}],
            "credentials": [{"credential": "pip", "level": 1, "awarded": "2024-01-10"}],
        }
    )
    steps = ranked(constable, dt.date(2025, 6, 1), "promotion.chief_inspector")
    assert steps[0].tier is Tier.GOAL
    assert steps[0].text == "Apply for the HPDS selection process"
    superintendent = next(s for s in steps if s.key == "rank:superintendent")
    assert superintendent.tier is Tier.LATER
    assert [u.name for u in superintendent.unlocks] == ["Talent Cascade mentor"]
    # Without a goal, the promotion to sergeant is a next step (one progression away).
    plain = {s.key: s for s in ranked(constable, dt.date(2025, 6, 1))}
    assert plain["passed:sergeants_exam"].tier is Tier.NEXT


@pytest.mark.parametrize(
    ("as_of", "shown"),
    [(dt.date(2024, 12, 1), True), (dt.date(2024, 10, 17), True), (dt.date(2024, 10, 16), False)],
)
def test_a_credential_expiring_within_90_days_shows_its_last_day(
    as_of: dt.date, shown: bool
) -> None:
    # PIP lasts 60 months: awarded 2020-01-15, current until 2025-01-14; it expires (lapses)
    # on the 15th. 2024-10-17 is 90 days before the 15th; 2024-10-16 is 91.
    person = INSPECTOR.model_copy(
        update={
            "credentials": [
                INSPECTOR.credentials[0].model_copy(
                    update={"level": 2, "awarded": dt.date(2020, 1, 15)}
                )
            ]
        }
    )
    decision = EVALUATOR.decide(person, as_of)
    assert decision.stage("pip", "level_2").status.value == "held"
    steps = rank_steps(LIBRARY, decision, person)
    expiring = [s for s in steps if s.kind == "expiring"]
    if shown:
        (step,) = expiring
        assert step.tier is Tier.NOW and step.due == dt.date(2025, 1, 15)
        assert step.text.endswith("expires on 2025-01-15")
        on_the_day = EVALUATOR.decide(person, dt.date(2025, 1, 15)).stage("pip", "level_2")
        assert (on_the_day.status.value, on_the_day.lapsed_on) == ("lapsed", step.due)
        day_before = EVALUATOR.decide(person, dt.date(2025, 1, 14)).stage("pip", "level_2")
        assert day_before.status.value == "held"
    else:
        assert expiring == []


def test_hidden_stages_leave_the_list() -> None:
    hidden = {k for k in GOALS if k.startswith("positive_action.")}
    steps = ranked(INSPECTOR, dt.date(2024, 6, 1), hide=hidden)
    assert all(u.pathway != "positive_action" for s in steps for u in s.unlocks)
    assert not any("Equip to Achieve" in s.text for s in steps)


def test_a_step_links_to_the_catalogues_address_and_contact_where_it_has_them(
    tmp_path: Path,
) -> None:
    """Issue 17: "each step says how ... where the catalogue has them, a link or contact"."""
    copy = tmp_path / "library"
    shutil.copytree(SHIPPED_LIBRARY, copy)
    catalogue = yaml.safe_load((copy / "catalogue.yaml").read_text())
    for entry in catalogue["catalogue"]["courses"]:
        entry["url"] = f"https://learning.example/courses/{entry['id']}"
        entry["contact"] = "Learning and development, ld@police.example"
    (copy / "catalogue.yaml").write_text(yaml.safe_dump(catalogue, sort_keys=False))
    library = load_library([copy])
    decision = Evaluator(library).decide(INSPECTOR, dt.date(2024, 6, 1))
    steps = rank_steps(library, decision, INSPECTOR, None)
    courses = [s for s in steps if s.key.startswith("course:")]
    assert courses, [s.key for s in steps]
    for s in courses:
        course = s.key.split(":")[1]
        assert s.link == f"https://learning.example/courses/{course}", s
        assert s.contact == "Learning and development, ld@police.example"
    # Without them in the catalogue (the shipped library), steps carry none.
    assert all(s.link is None and s.contact is None for s in ranked(INSPECTOR, dt.date(2024, 6, 1)))


def test_a_catalogue_address_must_be_http() -> None:
    assert Entry(id="c", name="C", url="https://x.example/a").url == "https://x.example/a"
    for bad in ("javascript:alert(1)", "ftp://x", "https://a b", "x" * 600):
        with pytest.raises(ValidationError):
            Entry(id="c", name="C", url=bad)
