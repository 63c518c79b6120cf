"""Rule consistency on the shipped library: each test is one property, named for it.

Examples per property: ``PATHWAYS_PROPERTY_EXAMPLES`` (default 100; e.g. 1000 for a long
run). The records come from :mod:`authoring.testing.strategies`.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accreditation.record import ITEM_SECTIONS, Person
from authoring.testing import Context, Oracle, records, stages_with_not
from authoring.testing import properties as props
from authoring.testing.oracle import months_between, plus_months
from authoring.testing.verify import library_yaml_round_trip
from pathways import SHIPPED_LIBRARY, load_library
from pathways.model.library import Library
from store import Store

# Slow: hypothesis properties over many generated records (make test-fast leaves these out).
pytestmark = pytest.mark.slow

EXAMPLES = int(os.environ.get("PATHWAYS_PROPERTY_EXAMPLES", "100"))
PROPERTY = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.fixture(scope="module")
def ctx() -> Context:
    return Context(load_library([SHIPPED_LIBRARY]))


@PROPERTY
@given(data=st.data())
def test_an_independent_evaluator_agrees_with_the_engine_on_every_stage(
    ctx: Context, data: Any
) -> None:
    props.oracle_agrees_with_engine(ctx, data)


@PROPERTY
@given(data=st.data())
def test_the_independent_evaluator_agrees_on_every_requirement_of_every_stage(
    ctx: Context, data: Any
) -> None:
    props.oracle_agrees_on_every_requirement(ctx, data)


@PROPERTY
@given(data=st.data())
def test_adding_a_qualifying_item_never_removes_an_eligibility(ctx: Context, data: Any) -> None:
    props.adding_an_item_never_removes_an_eligibility(ctx, data)


@PROPERTY
@given(data=st.data())
def test_eligible_from_is_exact_eligible_that_day_not_the_day_before(
    ctx: Context, data: Any
) -> None:
    props.eligible_from_is_exact(ctx, data)


@PROPERTY
@given(data=st.data())
def test_the_order_of_items_in_a_record_does_not_change_the_decision(
    ctx: Context, data: Any
) -> None:
    props.item_order_does_not_matter(ctx, data)


@PROPERTY
@given(data=st.data())
def test_same_record_date_and_library_hash_give_the_same_decision(ctx: Context, data: Any) -> None:
    props.decisions_are_deterministic_and_pinned(ctx, data)


@PROPERTY
@given(data=st.data())
def test_doing_every_next_step_makes_the_stage_eligible(ctx: Context, data: Any) -> None:
    props.next_steps_are_sufficient(ctx, data)


@PROPERTY
@given(data=st.data())
def test_a_record_survives_a_json_round_trip(ctx: Context, data: Any) -> None:
    props.record_json_round_trip(ctx, data)


@settings(
    max_examples=15,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_a_record_survives_a_database_round_trip(store: Store, ctx: Context, data: Any) -> None:
    person, _ = ctx.draw_case(data)
    store.save_people([person], actor="property")
    # The store names items that came without an id by their place, as evidence does.
    named = person.model_dump(mode="json")
    for section in ITEM_SECTIONS:
        for i, item in enumerate(named.get(section, [])):  # mentors: left out when empty
            item["id"] = item["id"] or f"{section}[{i}]"
    assert store.get_person(person.id) == Person.model_validate(named)


def test_the_library_survives_a_yaml_load_dump_load_round_trip(tmp_path: Path) -> None:
    library = load_library([SHIPPED_LIBRARY])
    again = library_yaml_round_trip(library, tmp_path)
    assert again.digest == library.digest
    assert again.pathways["pip"].model_dump() == library.pathways["pip"].model_dump()
    assert again.catalogue.model_dump() == library.catalogue.model_dump()


# --- the 'not' exemption, tested on its own ----------------------------------------------------

NOT_STAGE = """\
pathway:
  id: mentoring
  name: Mentoring
  source: "illustrative: test"
  stages:
    - id: mentor
      name: Mentor
      entry: true
      source: "illustrative: test"
      requires:
        - course: fsl_stage_1
          source: "illustrative: test"
        - not: {course: fsl_stage_3}
          source: "illustrative: test"
"""


def _with_not_stage(tmp_path: Path) -> Library:
    (tmp_path / "mentoring.yaml").write_text(NOT_STAGE, encoding="utf-8")
    return load_library([SHIPPED_LIBRARY, tmp_path])


def test_the_shipped_library_has_no_stage_that_says_not() -> None:
    assert stages_with_not(load_library([SHIPPED_LIBRARY])) == frozenset()


def test_a_stage_that_says_not_is_listed_and_adding_the_item_closes_it(tmp_path: Path) -> None:
    library = _with_not_stage(tmp_path)
    assert stages_with_not(library) == {"mentoring.mentor"}
    ctx = Context(library)
    day = dt.date(2012, 1, 1)
    base: dict[str, Any] = {
        "id": "W1",
        "kind": "officer",
        "joined": "2000-01-01",
        "courses": [{"course": "fsl_stage_1", "completed": "2011-01-01"}],
    }
    person = Person.model_validate(base)
    assert ctx.statuses(person, day)["mentoring.mentor"][0] == "eligible"
    base["courses"].append({"course": "fsl_stage_3", "completed": "2011-06-01"})
    closed = Person.model_validate(base)
    assert ctx.statuses(closed, day)["mentoring.mentor"][0] == "not_eligible"
    assert Oracle(library).status(closed, "mentoring", "mentor", day) == "not_eligible"


# --- the oracle's own month arithmetic -----------------------------------------------------------


@given(st.dates(dt.date(1990, 1, 1), dt.date(2040, 1, 1)), st.integers(0, 600))
def test_months_between_inverts_plus_months(start: dt.date, n: int) -> None:
    assert months_between(start, plus_months(start, n)) == n
    assert months_between(start, plus_months(start, n) - dt.timedelta(days=1)) == max(n - 1, 0)


@settings(max_examples=30, deadline=None, database=None)
@given(data=st.data())
def test_generated_records_are_consistent(data: Any) -> None:
    library = load_library([SHIPPED_LIBRARY])
    as_of = data.draw(st.dates(dt.date(2005, 1, 1), dt.date(2030, 1, 1)))
    person = data.draw(records(library, as_of))
    dated = [i for _, i in person.items()]
    for item in dated:
        for name in ("start", "completed", "date", "awarded"):
            day = getattr(item, name, None)
            if day is not None:
                assert person.joined <= day <= as_of, (name, item)
    postings = sorted(person.postings, key=lambda p: p.start)
    for a, b in itertools.pairwise(postings):
        assert a.end is not None and a.end < b.start  # no overlaps
    order = library.catalogue.rank_order()
    substantive = [order[r.rank] for r in person.ranks if r.basis.value == "substantive"]
    assert substantive == sorted(substantive)


@settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(data=st.data())
def test_a_record_one_requirement_short_is_not_eligible_and_the_missing_items_make_it_so(
    ctx: Context, data: Any
) -> None:
    from authoring.testing import near_records
    from authoring.testing.satisfy import satisfy

    day = dt.date(2024, 6, 1)
    pathway, stage = data.draw(
        st.sampled_from(
            [
                ("fsl", "stage_3"),
                ("senior_leadership", "spnac"),
                ("pip", "level_2"),
                ("assessors", "assessor_trained"),
            ]
        )
    )
    person, missing = data.draw(near_records(ctx.library, pathway, stage, day))
    key = f"{pathway}.{stage}"
    status = ctx.statuses(person, day)[key][0]
    if status == "held":
        return  # the drawn record already holds it: nothing to be short of
    assert status != "eligible", "one requirement short, yet eligible"
    items = satisfy(ctx.library, missing, pathway, day)
    assert items is not None
    data_ = person.model_dump(mode="json")
    for section, item in items:
        data_[section] = [*data_[section], item]
    completed = Person.model_validate(data_)
    # With the missing items, only rules no item can meet may still stand in the way.
    decided = ctx.engine.decide(completed, day).stage(pathway, stage)
    rules = ctx.library.pathways[pathway].stage(stage).requires  # type: ignore[union-attr]
    for i, req in enumerate(rules):
        outcome = next(o for o in decided.requirements if o.path == f"requires[{i}]")
        if outcome.in_force and not outcome.met:
            assert satisfy(ctx.library, req, pathway, day) is None, outcome.path
