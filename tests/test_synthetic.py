"""The synthetic workforce: deterministic, valid, consistent, realistic, useful to the engine."""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib
import json
import random
import re
import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest

from accreditation import Person, whole_months
from pathways import Library
from rules import Evaluator
from workforce.synthetic import (
    DEFAULT_AS_OF,
    generate_people,
    generate_person,
    generate_record,
    generate_records,
)
from workforce.synthetic import draw as synthetic_draw
from workforce.synthetic import officers as synthetic_officers
from workforce.synthetic import tables as synthetic_tables

ROOT = Path(__file__).resolve().parents[1]
N = 2_000
SEED = 11
OFFICER_ROLES = {
    "response",
    "investigation",
    "community",
    "trainee_detective_constable",
    "detective_constable",
    "detective_sergeant",
    "detective_inspector",
    "roads_policing_investigator",
    "senior_investigating_officer",
}
STAFF_ROLES = {
    "researcher",
    "intelligence_analyst",
    "performance_analyst",
    "senior_analyst",
    "civilian_investigator",
    "investigative_support_staff",
}
ONE_DAY = dt.timedelta(days=1)


@pytest.fixture(scope="module")
def people() -> list[Person]:
    return list(generate_people(N, SEED))


@pytest.fixture(scope="module")
def statuses(people: list[Person], library: Library) -> list[tuple[str, str, str]]:
    """(pathway, stage, status) of every stage decided for every person."""
    evaluator = Evaluator(library)
    return [
        (s.pathway, s.stage, s.status.value)
        for p in people
        for s in evaluator.decide(p, DEFAULT_AS_OF).stages
    ]


# --- determinism and validity -----------------------------------------------------------------


def test_same_seed_same_people_other_seed_other_people() -> None:
    first = [p.model_dump_json() for p in generate_people(300, 5)]
    assert first == [p.model_dump_json() for p in generate_people(300, 5)]
    assert first[:100] == [p.model_dump_json() for p in generate_people(100, 5)]  # a prefix
    other = [p.model_dump_json() for p in generate_people(300, 6)]
    assert sum(a != b for a, b in zip(first, other, strict=True)) > 250


def _digest(records: Iterable[dict[str, Any]]) -> str:
    """SHA-256 of the records as JSON, in their own key order (a reordered key counts)."""
    h = hashlib.sha256()
    for record in records:
        text = json.dumps(record, default=dt.date.isoformat, separators=(",", ":"))
        h.update(text.encode() + b"\n")
    return h.hexdigest()


# Digests of populations made before workforce/synthetic.py became a package (issue 15):
# a refactoring must keep every seed's people byte for byte. A deliberate change to the
# population (a table in workforce/synthetic/tables.py, a new item) changes these: say so in
# CHANGELOG.md, since a seed then names different people than before.
PINNED_DIGESTS = [
    (3000, 1, DEFAULT_AS_OF, "ef4665ea4c5bd87546c2acefc7951bf6f93737b7a150e9ac59c4e3d524f9b21f"),
    (
        3000,
        20240601,
        DEFAULT_AS_OF,
        "b05b93873c5349d0acc32b6b47f58ce25c92989dd75ea5f1907a08a465a224e9",
    ),
    (
        2000,
        7,
        dt.date(2009, 3, 31),
        "57bcc4661cb2ca166b0ebfe544040afb51459782c66a1b884143e01afab20b10",
    ),
]


@pytest.mark.parametrize(("n", "seed", "as_of", "digest"), PINNED_DIGESTS)
def test_a_seed_gives_the_same_records_as_before(
    n: int, seed: int, as_of: dt.date, digest: str
) -> None:
    assert _digest(generate_records(n, seed, as_of)) == digest


def test_the_digest_sees_a_changed_table(monkeypatch: pytest.MonkeyPatch) -> None:
    """The pin can fail: one weight of the rank pyramid changed changes the digest."""
    n, seed, as_of, digest = PINNED_DIGESTS[0]
    weights = list(synthetic_tables.RANK_WEIGHTS)
    weights[0] -= 0.01
    table = synthetic_draw.cumulative(tuple(enumerate(weights)))
    monkeypatch.setattr(synthetic_officers, "RANK_TABLE", table)
    assert _digest(generate_records(n, seed, as_of)) != digest


def test_generation_does_not_touch_the_global_random_state() -> None:
    random.seed(1)
    before = random.getstate()
    list(generate_people(50, 1))
    assert random.getstate() == before


def test_records_validate_and_round_trip(people: list[Person]) -> None:
    for record in generate_records(300, SEED):
        person = Person.model_validate(record)
        assert Person.model_validate_json(person.model_dump_json()) == person
    assert generate_person(random.Random(3), 7) == Person.model_validate(
        generate_record(random.Random(3), 7)
    )


def test_bad_sizes_are_refused() -> None:
    with pytest.raises(ValueError, match="six digits"):
        generate_person(random.Random(1), 1_000_000)
    with pytest.raises(ValueError, match="between 0 and"):
        generate_people(-1, 1)
    with pytest.raises(ValueError, match="between 0 and"):
        generate_records(1_000_001, 1)


def test_ids_and_names(people: list[Person]) -> None:
    assert len({p.id for p in people}) == len(people)
    for i, p in enumerate(people):
        assert re.fullmatch(r"[WS]\d{6}", p.id)
        assert p.id == f"{'W' if p.kind.value == 'officer' else 'S'}{i:06d}"
        assert p.name == f"Synthetic Person {i:06d}"
        ids = [item.id for _, item in p.items()]
        assert None not in ids
        assert len(set(ids)) == len(ids)


# --- consistent histories ------------------------------------------------------------------------


def _dates(p: Person) -> list[tuple[str, dt.date]]:
    out: list[tuple[str, dt.date]] = []
    for section, item in p.items():
        name = getattr(item, section.rstrip("s"), None) or getattr(item, "rank", "")
        for attr in ("start", "end", "completed", "date", "awarded", "expires"):
            day = getattr(item, attr, None)
            if day is not None and not (section == "endorsements" and attr == "expires"):
                out.append((f"{section}:{name}:{attr}", day))
        out += [(f"{section}:{name}:revalidated", d) for d in getattr(item, "revalidated", [])]
    return out


def test_nothing_is_dated_after_as_of_or_before_joining(people: list[Person]) -> None:
    for p in people:
        assert p.joined <= DEFAULT_AS_OF
        for what, day in _dates(p):
            assert day <= DEFAULT_AS_OF, (p.id, what, day)
            # Transferees passed the sergeants' exam in their previous force.
            if what != "assessments:sergeants_exam:date":
                assert day >= p.joined, (p.id, what, day)


def _contiguous(p: Person, held: list[dt.date | None], starts: list[dt.date]) -> None:
    assert starts[0] == p.joined, p.id
    for end, nxt in zip(held, starts[1:], strict=False):
        assert end is not None and end + ONE_DAY == nxt, p.id  # no gap, no overlap
    assert held[-1] is None, p.id  # still serving


def test_substantive_ranks_and_bands_form_a_ladder(people: list[Person], library: Library) -> None:
    ranks, bands = library.catalogue.rank_order(), library.catalogue.band_order()
    minimum = [0, 36, 24, 24, 24, 24, 24, 18, 18]  # months before promotion to rank i
    for p in people:
        if p.kind.value == "staff":
            assert p.bands and not p.ranks
            _contiguous(p, [b.end for b in p.bands], [b.start for b in p.bands])
            orders = [bands[b.band] for b in p.bands]
            assert orders == sorted(set(orders)), p.id
            continue
        assert p.ranks and not p.bands
        substantive = [r for r in p.ranks if r.basis.value == "substantive"]
        _contiguous(p, [r.end for r in substantive], [r.start for r in substantive])
        orders = [ranks[r.rank] for r in substantive]
        assert orders == list(range(len(orders))), p.id  # one rank at a time from constable
        for before, after in pairwise(substantive):
            first = substantive[0].start if ranks[after.rank] == 1 else before.start
            assert whole_months(first, after.start) >= minimum[ranks[after.rank]], p.id
        # Temporary ranks: above the substantive rank held meanwhile, never overlapping.
        temporary = sorted(
            (r for r in p.ranks if r.basis.value == "temporary"), key=lambda r: r.start
        )
        for t in temporary:
            under = [s for s in substantive if s.covers(t.start)]
            assert under and ranks[t.rank] > ranks[under[0].rank], p.id
            assert t.end is None or under[0].covers(t.end), p.id
        for a, b in pairwise(temporary):
            assert a.end is not None and a.end < b.start, p.id


def test_postings_follow_one_another_in_fitting_roles(people: list[Person]) -> None:
    for p in people:
        posts = p.postings
        for a, b in pairwise(posts):
            assert a.end is not None and a.end + ONE_DAY == b.start, p.id
        if posts:
            assert posts[0].start == p.joined and posts[-1].end is None, p.id
        roles = {x.role for x in posts}
        if p.kind.value == "officer":
            assert posts, p.id
            assert roles <= OFFICER_ROLES, p.id
            ranks = {r.rank for r in p.ranks}
            if roles & {"detective_sergeant", "detective_inspector"}:
                assert "detective_constable" in roles or "sergeant" in ranks, p.id
            if "detective_constable" in roles:
                assert "trainee_detective_constable" in roles, p.id
        else:
            assert roles <= STAFF_ROLES, p.id


def test_programmes_start_when_they_existed(people: list[Person]) -> None:
    for p in people:
        for c in p.courses:
            if c.course.startswith("fsl_stage") and c.completed:
                assert c.completed >= dt.date(2010, 4, 1), p.id
        for m in p.memberships:
            if m.programme == "equip_to_achieve":
                assert m.start >= dt.date(2008, 5, 1), p.id
                assert (m.end or DEFAULT_AS_OF) <= m.start + dt.timedelta(days=366), p.id
        for award in p.credentials:
            assert award.revalidated == sorted(award.revalidated), p.id
            if award.credential == "pip":
                assert award.awarded >= dt.date(2005, 1, 1), p.id


def test_every_id_is_in_the_shipped_catalogue(people: list[Person], library: Library) -> None:
    cat = library.catalogue
    known = {section: set(cat.ids(section)) for section in (
        "ranks", "bands", "business_groups", "roles", "courses", "assessments",
        "credentials", "endorsements", "programmes")}  # fmt: skip
    levels = {c.id: set(c.levels or []) for c in cat.credentials}
    values = {a.id: set(a.values or []) for a in cat.attributes}
    for p in people:
        assert {r.rank for r in p.ranks} <= known["ranks"]
        assert {b.band for b in p.bands} <= known["bands"]
        assert {x.business_group for x in p.postings} <= known["business_groups"]
        assert {x.role for x in p.postings} <= known["roles"]
        assert {c.course for c in p.courses} <= known["courses"]
        assert {a.assessment for a in p.assessments} <= known["assessments"]
        assert {e.endorsement for e in p.endorsements} <= known["endorsements"]
        assert {m.programme for m in p.memberships} <= known["programmes"]
        for award in p.credentials:
            assert award.credential in known["credentials"]
            assert award.level is None or award.level in levels[award.credential]
        for name in ("ethnicity", "gender", "disability"):
            value = getattr(p.protected, name)
            assert value is None or value in values[name], (p.id, name, value)
        assert not p.attributes


# --- realistic proportions -----------------------------------------------------------------------


def _share(items: Sequence[object], value: object) -> float:
    return sum(i == value for i in items) / len(items)


def test_workforce_proportions(people: list[Person]) -> None:
    officers = [p for p in people if p.kind.value == "officer"]
    staff = [p for p in people if p.kind.value == "staff"]
    assert 0.33 <= len(staff) / len(people) <= 0.41

    # The rank pyramid: most constables, then fewer at every rank up.
    current = Counter(next(r.rank for r in p.ranks if r.end is None) for p in officers)
    pyramid = [current[r] for r in ("constable", "sergeant", "inspector", "chief_inspector")]
    assert pyramid == sorted(pyramid, reverse=True)
    assert 0.68 <= current["constable"] / len(officers) <= 0.79
    assert 0.11 <= current["sergeant"] / len(officers) <= 0.20
    senior = sum(v for k, v in current.items() if k not in ("constable", "sergeant", "inspector"))
    assert 0.02 <= senior / len(officers) <= 0.08
    bands = Counter(next(b.band for b in p.bands if b.end is None) for p in staff)
    assert bands["band_e"] > bands["band_d"] > bands["band_c"] > bands["band_a"]

    ethnicity = [p.protected.ethnicity for p in people]
    assert 0.80 <= _share(ethnicity, "white") <= 0.89
    bme = sum(e in ("mixed", "asian", "black", "chinese", "other") for e in ethnicity)
    assert bme / N >= 0.08
    assert 0.24 <= _share([p.protected.gender for p in officers], "female") <= 0.34
    assert 0.47 <= _share([p.protected.gender for p in staff], "female") <= 0.63
    assert 0.015 <= _share([p.protected.disability for p in people], "yes") <= 0.08
    assert 0.01 <= _share(ethnicity, None) <= 0.06  # some not recorded at all

    # Varied careers: service from recruits to thirty years and more.
    service = [whole_months(p.joined, DEFAULT_AS_OF) / 12 for p in officers]
    assert min(service) < 1 and max(service) > 28 and 5 <= statistics.median(service) <= 16
    assert 5 <= statistics.median(len(p.items()) for p in people) <= 40


# --- useful to the engine ------------------------------------------------------------------------


@pytest.mark.slow  # 2,000 people decided in full
def test_every_status_occurs_and_every_pathway_is_open_to_someone(
    statuses: list[tuple[str, str, str]], library: Library
) -> None:
    assert {status for _, _, status in statuses} == {
        "held",
        "eligible",
        "eligible_from",
        "lapsed",
        "not_eligible",
    }
    open_pathways = {pathway for pathway, _, status in statuses if status != "not_eligible"}
    assert open_pathways == set(library.pathways)
    assert len(library.pathways) == 10
    # Most stages see at least three different statuses.
    per_stage: dict[str, set[str]] = {}
    for pathway, stage, status in statuses:
        per_stage.setdefault(f"{pathway}.{stage}", set()).add(status)
    assert sum(len(v) >= 3 for v in per_stage.values()) >= 0.6 * len(per_stage)


def test_the_benchmark_runs_and_the_floor_agrees(people: list[Person], library: Library) -> None:
    """A smoke run of benchmarks/engine.py's in-process part, on 50 people."""
    with pytest.MonkeyPatch.context() as patch:
        patch.syspath_prepend(str(ROOT))
        bench = importlib.import_module("benchmarks.engine")
    result = bench.run_in_process(people[:50], DEFAULT_AS_OF, Evaluator(library))
    assert len(result["engine_all"]) == len(result["floor"]) == 50
    assert result["disagreements"] == []
    assert statistics.median(result["floor"]) < statistics.median(result["engine_all"])
    assert bench.machine()["python"].startswith("CPython 3.")
