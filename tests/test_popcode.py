"""The population evaluator (rules/popcode.py) agrees with the durable-rules engine.

Two checks, on every shipped stage:

- **equal**: statuses, eligible-from and lapse dates equal to ``Evaluator.statuses``, on
  hypothesis records and on a synthetic workforce, on several dates;
- **exact, against the engine on later dates**: on records whose credentials lapse,
  endorsements expire and postings, ranks and memberships end inside the window of
  pending time requirements, every ``eligible_from D`` is a day the engine, deciding the
  same record as of D, calls eligible, and as of the day before does not; and a stage the
  evaluator calls ``not_eligible`` is not eligible on any day the record could change it.

``test_the_exactness_property_finds_an_evaluator_that_ignores_lapses`` shows the second
check failing on a test-only faulty evaluator that forgets credentials lapse.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

import rules.popcode as popcode
from accreditation import Person
from accreditation.periods import add_months
from authoring.cases import SHIPPED_CASES, load_cases
from authoring.testing import as_of_dates, records
from authoring.testing.satisfy import satisfy
from authoring.testing.strategies import assessor_records
from pathways import SHIPPED_LIBRARY, load_library
from pathways.model.library import Library
from pathways.model.pathway import Pathway, Stage
from pathways.model.requirements import (
    BaseRequirement,
    CredentialRequirement,
    RankRequirement,
    ReachedRequirement,
    ServedRequirement,
    ServiceScope,
)
from rules import timeline
from rules.decision import Status
from rules.engine import Evaluator
from rules.popcode import NOT_DECIDED, STATUS_CODES, PopulationEvaluator
from workforce.synthetic import generate_people

LIBRARY = load_library([SHIPPED_LIBRARY])
DAY = dt.timedelta(days=1)
SETTINGS = settings(
    max_examples=120,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.fixture(scope="module")
def both() -> tuple[PopulationEvaluator, Evaluator]:
    return PopulationEvaluator(LIBRARY), Evaluator(LIBRARY)


def _same(
    fast: PopulationEvaluator,
    engine: Evaluator,
    person: Person,
    day: dt.date,
    assessors: dict[str, Person] | None = None,
) -> None:
    """Equal to the engine, stage by stage: status, eligible-from and lapse dates."""
    mine = fast.statuses(person, day, assessors=assessors)
    theirs = engine.statuses(person, day, assessors=assessors)
    assert mine.library_version == theirs.library_version == fast.library.digest
    keys = fast.stage_keys()
    codes, dates = fast.compact(person.model_dump(mode="json"), day, keys, assessors)
    decided = {f"{s.pathway}.{s.stage}": s for s in theirs.stages}
    assert [f"{s.pathway}.{s.stage}" for s in mine.stages] == list(decided)
    for i, key in enumerate(keys):
        if key not in decided:
            assert codes[i] == NOT_DECIDED
            continue
        theirs_s = decided[key]
        assert mine.stages[len([k for k in keys[:i] if k in decided])] == theirs_s, (key, day)
        assert STATUS_CODES[codes[i]] is theirs_s.status
        assert dates.get(i, (None, None)) == (theirs_s.eligible_from, theirs_s.lapsed_on)


@SETTINGS
@given(data=st.data())
def test_the_population_evaluator_equals_the_engine_on_every_stage(
    both: tuple[PopulationEvaluator, Evaluator], data: Any
) -> None:
    day = data.draw(as_of_dates())
    person = data.draw(records(LIBRARY, day))
    later = data.draw(st.sampled_from([day, day + DAY, day + dt.timedelta(days=400)]))
    _same(*both, person, later, data.draw(assessor_records(LIBRARY, day)))


@SETTINGS
@given(data=st.data())
def test_the_written_code_alone_equals_the_engine(
    both: tuple[PopulationEvaluator, Evaluator], data: Any
) -> None:
    """Records none of whose items send them to the batch evaluator (no units with dated
    groups, no named assessors, no rank held on a basis some rule counts time in): the
    written code decides them all, and must agree on its own."""
    fast = both[0]
    day = data.draw(as_of_dates())
    raw = data.draw(records(LIBRARY, day)).model_dump(mode="json")
    for posting in raw["postings"]:
        posting.pop("unit", None)
    for assessment in raw["assessments"]:
        assessment["assessors"] = []
    counted = {(g[1], g[2]) for g in fast.needs.grades if g[0] == "ranks"}
    raw["ranks"] = [
        h
        for h in raw["ranks"]
        if (h["rank"], h["basis"]) not in counted and (h["rank"], "any") not in counted
    ]
    person = Person.model_validate(raw)
    assert not fast.needs(person.model_dump(mode="json"))
    later = data.draw(st.sampled_from([day, day + DAY, day + dt.timedelta(days=400)]))
    _same(*both, person, later)


def test_the_population_evaluator_equals_the_engine_on_every_example_case(
    both: tuple[PopulationEvaluator, Evaluator],
) -> None:
    """The shipped example cases sit on the boundaries (the day before and the day of each
    date, time since qualifying, six months as temporary superintendent, assessors): the
    evaluator agrees with the engine on each, the day before and the day after too."""
    cases, problems = load_cases([SHIPPED_CASES], LIBRARY)
    assert problems == [] and len(cases) > 100
    for case in cases:
        assessors = {p.id: p for p in case.assessors}
        for day in (case.as_of - DAY, case.as_of, case.as_of + DAY):
            _same(*both, case.person, day, assessors)


@pytest.mark.parametrize(
    "day", [dt.date(2010, 3, 31), dt.date(2010, 4, 1), dt.date(2018, 1, 31), dt.date(2024, 6, 1)]
)
def test_the_population_evaluator_equals_the_engine_on_a_synthetic_workforce(
    both: tuple[PopulationEvaluator, Evaluator], day: dt.date
) -> None:
    for person in generate_people(400, seed=21):
        _same(*both, person, day)


# --- records that change with time alone, inside pending time windows ----------------------


def _walk(req: BaseRequirement) -> list[BaseRequirement]:
    return [req, *(r for child in req.children() for r in _walk(child))]


def _waiting_stages(library: Library) -> list[tuple[Pathway, Stage]]:
    return [
        (pathway, stage)
        for pathway, stage in library.stages()
        if any(
            isinstance(r, ServedRequirement) and r.served.at_least_months
            for top in stage.requires
            for r in _walk(top)
        )
    ]


def _months(library: Library) -> set[int]:
    """Every number of months the library's rules count to (at most N: N + 1)."""
    found = {6, 12, 24, 36, 48, 60}
    for _, stage in library.stages():
        for top in stage.requires:
            for r in _walk(top):
                if isinstance(r, ServedRequirement):
                    found.add(r.served.at_least_months or 0)
                    if r.served.at_most_months is not None:
                        found.add(r.served.at_most_months + 1)
    return found


WAITING = _waiting_stages(LIBRARY)


def _needs_a_credential(pathway: Pathway, stage: Stage) -> bool:
    for top in stage.requires:
        for r in _walk(top):
            if isinstance(r, CredentialRequirement):
                return True
            if isinstance(r, ReachedRequirement):
                target = LIBRARY.stage(*r.target(pathway.id))
                if target is not None and target.awards and target.awards.credential:
                    return True
    return False


# Waiting stages that need a credential that can lapse (directly or through 'reached').
CHAINED = [(p, s) for p, s in WAITING if _needs_a_credential(p, s)]


def _waiting(
    draw: Any,
    data: dict[str, Any],
    day: dt.date,
    stages: list[tuple[Pathway, Stage]],
    library: Library,
) -> dt.date:
    """Make the record wait for one of ``stages``: every requirement items can meet is met,
    and each period it asks for completes within the next 400 days (the last such day is
    returned)."""
    pathway, stage = draw(st.sampled_from(stages))
    until = day
    joined = dt.date.fromisoformat(data["joined"])
    for top in stage.requires:
        if not top.in_force(day):
            continue
        met_on = draw(st.dates(max(joined, day - dt.timedelta(days=1500)), day))
        for items in [satisfy(library, top, pathway.id, met_on)]:
            for section, item in items or ():
                data[section].append(item)
        if isinstance(top, RankRequirement) and top.rank.at_least and data["kind"] == "officer":
            data["ranks"] = [{"rank": top.rank.at_least, "start": data["joined"]}]
        for req in _walk(top):
            if not isinstance(req, ServedRequirement) or not req.served.at_least_months:
                continue
            months = req.served.at_least_months
            start = add_months(day, -months) + dt.timedelta(days=draw(st.integers(1, 400)))
            start = min(start, day)  # nothing dated after the as-of date
            until = max(until, add_months(start, months))
            if req.served.in_ is ServiceScope.SERVICE:
                data["joined"] = min(start, dt.date.fromisoformat(data["joined"])).isoformat()
            elif req.served.in_ in (ServiceScope.ROLE, ServiceScope.CURRENT_ROLE):
                group = draw(st.sampled_from(library.catalogue.ids("business_groups")))
                role = req.served.role or draw(st.sampled_from(library.catalogue.ids("roles")))
                start = max(start, dt.date.fromisoformat(data["joined"]))
                data["postings"].append(
                    {"role": role, "business_group": group, "start": start.isoformat()}
                )
    return until


@st.composite
def changing_records(
    draw: Any, stages: list[tuple[Pathway, Stage]] | None = None, library: Library = LIBRARY
) -> tuple[Person, dt.date]:
    """A record as of a day, often waiting for a stage, then given ends inside the next few
    years: postings, ranks and memberships that end, endorsements that expire, credentials
    that lapse."""
    day = draw(as_of_dates(dt.date(2006, 1, 1), dt.date(2028, 12, 31)))
    data = draw(records(library, day)).model_dump(mode="json")
    stages = stages or (WAITING if library is LIBRARY else _waiting_stages(library))
    wait = _waiting(draw, data, day, stages, library) if draw(st.integers(0, 3)) > 0 else day
    window = max(1, (wait - day).days)
    soon = st.integers(0, 1500).map(lambda n: (day + dt.timedelta(days=n)).isoformat())
    for section in ("postings", "ranks", "bands", "memberships"):
        for item in data[section]:
            if item.get("end") is None and draw(st.integers(0, 2)) == 0:
                item["end"] = max(item["start"], draw(soon))
    for item in data["endorsements"]:
        if draw(st.booleans()):
            item["expires"] = max(item["date"], draw(soon))
    validity = {c.id: c.validity_months for c in library.catalogue.credentials}
    for award in data["credentials"]:
        months = validity.get(award["credential"])
        if months and draw(st.booleans()):
            # Mostly lapsing inside the wait (where a lapse changes an eligible-from date),
            # else within the next 1,500 days or just before the as-of date.
            inside = draw(st.integers(0, 3)) > 0
            later = st.integers(1, window) if inside else st.integers(-30, 1500)
            lapse = day + dt.timedelta(days=draw(later))
            awarded = max(dt.date.fromisoformat(data["joined"]), add_months(lapse, -months))
            award["awarded"] = min(awarded, day).isoformat()
            award["revalidated"] = []
    return Person.model_validate(data), day


def _probe_days(person: Person, day: dt.date, library: Library) -> list[dt.date]:
    """Days on which the record, as of ``day``, can change by time alone: each end and
    expiry, each lapse, and each whole-month anniversary the shipped rules count."""
    found: set[dt.date] = {day + DAY, day + dt.timedelta(days=4000)}
    ends = [x.end for x in (*person.postings, *person.ranks, *person.bands, *person.memberships)]
    ends += [e.expires for e in person.endorsements]
    found.update(e + DAY for e in ends if e is not None)
    validity = {c.id: c.validity_months for c in library.catalogue.credentials}
    for award in person.credentials:
        months = validity.get(award.credential)
        if months:
            found.add(add_months(award.last_validated(day), months))
    starts = [person.joined, *(x.start for x in (*person.postings, *person.ranks, *person.bands))]
    for start in starts:
        for months in _months(library):
            found.add(add_months(start, months))
    for _, stage in library.stages():  # rules coming into or going out of force
        windows = [(stage.effective_from, stage.effective_to)]
        windows += [(r.effective_from, r.effective_to) for t in stage.requires for r in _walk(t)]
        for first, last in windows:
            if first is not None:
                found.add(first)
            if last is not None:
                found.add(last + DAY)
    return sorted(d for d in found if day < d <= dt.date(2035, 12, 31))


def check_exact(
    fast: PopulationEvaluator,
    engine: Evaluator,
    person: Person,
    day: dt.date,
    library: Library = LIBRARY,
) -> None:
    """The exactness property: each status and date the evaluator gives, as the engine
    deciding the same record on the day itself and on later days sees it."""
    mine = {f"{s.pathway}.{s.stage}": s for s in fast.statuses(person, day).stages}
    theirs = {f"{s.pathway}.{s.stage}": s for s in engine.statuses(person, day).stages}
    assert mine.keys() == theirs.keys()
    waiting = {Status.ELIGIBLE_FROM, Status.NOT_ELIGIBLE}
    later: dict[dt.date, dict[str, Status]] = {}

    def engine_on(d: dt.date) -> dict[str, Status]:
        if d not in later:
            later[d] = {
                f"{s.pathway}.{s.stage}": s.status for s in engine.statuses(person, d).stages
            }
        return later[d]

    probes = _probe_days(person, day, library)
    for key, s in mine.items():
        other = theirs[key]
        assert s.status is other.status or {s.status, other.status} <= waiting, (key, s, other)
        assert s.lapsed_on == other.lapsed_on, key
        if s.status is Status.ELIGIBLE_FROM:
            assert s.eligible_from is not None
            on = engine_on(s.eligible_from).get(key)
            assert on is Status.ELIGIBLE, (key, day, s.eligible_from, on)
            before = s.eligible_from - DAY
            if before > day:
                assert engine_on(before).get(key) is not Status.ELIGIBLE, (key, before)
            for probe in (d for d in probes if d < s.eligible_from):
                assert engine_on(probe).get(key) is not Status.ELIGIBLE, (key, probe)
        elif s.status is Status.NOT_ELIGIBLE:
            for probe in probes:
                assert engine_on(probe).get(key) is not Status.ELIGIBLE, (key, day, probe)


@SETTINGS
@given(case=changing_records())
def test_eligible_from_dates_are_exact_with_lapses_and_ends_in_pending_windows(
    both: tuple[PopulationEvaluator, Evaluator], case: tuple[Person, dt.date]
) -> None:
    check_exact(*both, *case)


def test_a_pip_level_3_wait_that_the_level_2_lapse_cuts_short_is_not_eligible_from(
    both: tuple[PopulationEvaluator, Evaluator],
) -> None:
    """Issue 13's example: 12 months as an SIO complete on the day PIP level 2 lapses."""
    fast, engine = both
    person = Person.model_validate(
        {
            "id": "W1",
            "kind": "officer",
            "joined": "2005-01-10",
            "ranks": [{"rank": "inspector", "start": "2015-01-10"}],
            "postings": [
                {
                    "role": "senior_investigating_officer",
                    "business_group": "specialist_crime",
                    "start": "2022-03-15",
                }
            ],
            "courses": [{"course": "sio_development_programme", "completed": "2021-01-01"}],
            "credentials": [
                {"credential": "pip", "level": 1, "awarded": "2019-01-01"},
                {"credential": "pip", "level": 2, "awarded": "2018-03-15"},
            ],
        }
    )
    day = dt.date(2023, 3, 14)
    stage = fast.statuses(person, day).stage("pip", "level_3")
    assert stage.status is Status.NOT_ELIGIBLE, stage
    check_exact(fast, engine, person, day)
    # Revalidated before the wait ends: eligible from the day the 12 months complete.
    data = person.model_dump(mode="json")
    data["credentials"][1]["revalidated"] = ["2023-01-05"]
    renewed = Person.model_validate(data)
    stage = fast.statuses(renewed, day).stage("pip", "level_3")
    assert (stage.status, stage.eligible_from) == (Status.ELIGIBLE_FROM, dt.date(2023, 3, 15))


class _IgnoresLapses(PopulationEvaluator):
    """Test-only fault: a current credential is taken to stay current for ever."""

    def _write(self, keys: tuple[str, ...]) -> tuple[str, dict[str, Any]]:
        source, names = super()._write(keys)
        return source.replace("_cred_current(", "_cred_forever("), names


def _cred_forever(awards: Any, level: int, as_of: int) -> timeline.Truth:
    now, _ = popcode._cred_current(awards, level, as_of)
    return (now, ())


def test_the_exactness_property_finds_an_evaluator_that_ignores_lapses(
    both: tuple[PopulationEvaluator, Evaluator], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(popcode._GLOBALS, "_cred_forever", _cred_forever)
    faulty = _IgnoresLapses(LIBRARY)
    engine = both[1]

    # Found after about 110 examples (median over 20 seeds, 2026-12-03), but 300 missed it
    # in 3 seeds of 20 (1,500 found it in 12 of 12, at 563 at most): a miss about once in
    # 4,000 runs. It stops at the first.
    @settings(SETTINGS, max_examples=1500, phases=[Phase.generate])  # found: no need to shrink
    @given(case=changing_records(CHAINED))
    def prop(case: tuple[Person, dt.date]) -> None:
        check_exact(faulty, engine, *case)

    with pytest.raises(AssertionError):
        prop()


# --- the kinds the shipped library does not use ---------------------------------------------

TIMING = load_library([Path(__file__).parent / "fixtures" / "timing"])


@pytest.fixture(scope="module")
def timing() -> tuple[PopulationEvaluator, Evaluator]:
    return PopulationEvaluator(TIMING), Evaluator(TIMING)


@SETTINGS
@given(data=st.data())
def test_equal_to_the_engine_with_not_at_most_posted_scopes_and_rule_windows(
    timing: tuple[PopulationEvaluator, Evaluator], data: Any
) -> None:
    """tests/fixtures/timing: 'not', at_most and at_least periods, current role, rank and
    business group, a named business group, posted, at_least k of with windows, a stage
    window, credentials with and without validity, a programme, distinct business groups."""
    day = data.draw(as_of_dates())
    person = data.draw(records(TIMING, day))
    later = data.draw(st.sampled_from([day, day + DAY, day + dt.timedelta(days=400)]))
    _same(*timing, person, later)


def test_a_wait_that_a_lapse_through_reached_cuts_short(
    timing: tuple[PopulationEvaluator, Evaluator],
) -> None:
    """Found by the test above: 'advanced' needs 'licensed' (a licence that lapses after 24
    months, on 2007-01-01) and 2 of 4 alternatives, one in force only from 2015-01-01. The
    engine before issue 13's fix said eligible from 2015-01-01; by then the licence lapsed."""
    person = Person.model_validate(
        {
            "id": "S000000",
            "kind": "officer",
            "joined": "2005-01-01",
            "ranks": [{"rank": "constable", "start": "2005-01-01"}],
            "postings": [
                {
                    "role": "response",
                    "business_group": "territorial_policing",
                    "start": "2005-01-01",
                }
            ],
            "credentials": [{"credential": "licence", "level": 1, "awarded": "2005-01-01"}],
            "endorsements": [{"endorsement": "sponsor", "date": "2005-01-01"}],
        }
    )
    day = dt.date(2005, 1, 1)
    fast, engine = timing
    assert fast.statuses(person, day).stage("timing", "advanced").status is Status.NOT_ELIGIBLE
    on = engine.statuses(person, dt.date(2015, 1, 1)).stage("timing", "advanced")
    assert on.status is Status.NOT_ELIGIBLE
    check_exact(fast, engine, person, day, TIMING)
    _same(fast, engine, person, day)


@SETTINGS
@given(case=changing_records(library=TIMING))
def test_exact_with_not_at_most_posted_scopes_and_rule_windows(
    timing: tuple[PopulationEvaluator, Evaluator], case: tuple[Person, dt.date]
) -> None:
    check_exact(*timing, *case, library=TIMING)
