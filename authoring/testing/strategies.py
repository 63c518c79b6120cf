"""Hypothesis strategies: valid records for a pathway library, and dates to decide on.

Records use only the library's own vocabulary (its catalogue's ranks, bands, roles,
business groups, courses, assessments, credentials, endorsements, programmes and
attribute values) and are consistent the way HR systems' records are: ranks held in
order, one after another; postings that do not overlap; courses completed after they
started; credentials awarded in level order and revalidated after the award; nothing
dated before the person joined or after the as-of date the record was made for.

>>> import datetime as dt
>>> from hypothesis import given, settings
>>> from pathways import SHIPPED_LIBRARY, load_library
>>> library = load_library([SHIPPED_LIBRARY])
>>> @settings(max_examples=5, database=None)
... @given(records(library, as_of=dt.date(2024, 6, 1)))
... def ranks_in_order(person):
...     order = library.catalogue.rank_order()
...     ranks = [order[r.rank] for r in person.ranks if r.basis.value == "substantive"]
...     assert ranks == sorted(ranks)
>>> ranks_in_order()
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import strategies as st

from accreditation.record import Person
from pathways.model.library import Library
from pathways.model.requirements import PassedRequirement, walk

from .oracle import Oracle
from .satisfy import award_items, satisfy

__all__ = [
    "ASSESSOR_IDS",
    "as_of_dates",
    "assessor_records",
    "near_records",
    "qualifying_items",
    "records",
]

#: Who records name as assessors: people who may be in the records (an assessor lookup
#: drawn by :func:`assessor_records` has some of them) and one name that never is.
ASSESSOR_IDS = ("W900001", "W900002", "W900003", "W900004")
OUTSIDE_ASSESSOR = "Supt Outside"

EARLIEST = dt.date(1995, 1, 1)
LATEST = dt.date(2030, 12, 31)
DAY = dt.timedelta(days=1)


def as_of_dates(start: dt.date = dt.date(2005, 1, 1), end: dt.date = LATEST) -> Any:
    """Dates to decide on, with the library's usual boundaries (month ends, 2010-04-01)
    drawn more often than chance would."""
    return st.one_of(
        st.dates(start, end),
        st.sampled_from(
            [
                d
                for d in (dt.date(2010, 3, 31), dt.date(2010, 4, 1), dt.date(2024, 2, 29))
                if start <= d <= end
            ]
        ),
    )


def _after(draw: Any, start: dt.date, until: dt.date, most_days: int = 3650) -> dt.date:
    """A day in [start, until], near the start more often (careers are made of steps)."""
    if until <= start:
        return start
    span = min((until - start).days, most_days)
    return start + dt.timedelta(days=draw(st.integers(0, span)))


# Long: one draw per section of a record, in the order of the record itself, so the shape
# of a generated record reads top to bottom (hypothesis shrinks in draw order too).
@st.composite
def records(draw: Any, library: Library, as_of: dt.date | None = None) -> Person:
    """A valid record in ``library``'s vocabulary, with nothing dated after ``as_of``
    (drawn if not given)."""
    cat = library.catalogue
    if as_of is None:
        as_of = draw(as_of_dates())
    kind = (
        draw(st.sampled_from(["officer", "staff"]))
        if cat.bands and cat.ranks
        else ("officer" if cat.ranks else "staff")
    )
    joined = draw(st.dates(max(EARLIEST, as_of - dt.timedelta(days=35 * 365)), as_of))
    record: dict[str, Any] = {
        "id": draw(st.from_regex(r"\A[WS][0-9]{6}\Z")),
        "kind": kind,
        "joined": joined.isoformat(),
    }
    # Ranks (or bands): a ladder held one after another, lowest first; sometimes a
    # temporary holding of the next one up on top.
    ladder = [e.id for e in (cat.ranks if kind == "officer" else cat.bands)]
    section, key = ("ranks", "rank") if kind == "officer" else ("bands", "band")
    holdings: list[dict[str, Any]] = []
    if ladder:
        top = draw(st.integers(0, min(len(ladder) - 1, 5)))
        first = draw(st.integers(0, top))
        start = joined
        for i, value in enumerate(ladder[first : top + 1]):
            if start > as_of:
                break
            holding = {key: value, "start": start.isoformat()}
            holdings.append(holding)
            if i < top - first:
                end = _after(draw, start, as_of, 3000)
                if end >= as_of:
                    break
                holding["end"] = end.isoformat()
                start = end + DAY
        if holdings and first + len(holdings) < len(ladder) and draw(st.booleans()):
            acting = _after(draw, dt.date.fromisoformat(holdings[-1]["start"]), as_of, 2000)
            holdings.append(
                {
                    key: ladder[first + len(holdings)],
                    "start": acting.isoformat(),
                    "basis": "temporary",
                }
            )
    record[section] = holdings
    # Postings: back to back, never overlapping.
    roles, groups = cat.ids("roles"), cat.ids("business_groups")
    units = cat.ids("units")
    postings: list[dict[str, Any]] = []
    if roles and groups:
        start = joined
        for _ in range(draw(st.integers(0, 4))):
            if start > as_of:
                break
            posting = {
                "role": draw(st.sampled_from(roles)),
                "business_group": draw(st.sampled_from(groups)),
                "start": start.isoformat(),
            }
            if units and draw(st.integers(0, 2)) == 0:  # a unit the catalogue may date
                posting["unit"] = draw(st.sampled_from(units))
            postings.append(posting)
            end = _after(draw, start, as_of, 2500)
            if end >= as_of or not draw(st.booleans()):
                break
            posting["end"] = end.isoformat()
            start = end + DAY
    record["postings"] = postings
    record["courses"] = [
        {"course": c, "start": d.isoformat(), "completed": (d + dt.timedelta(days=n)).isoformat()}
        for c, d, n in draw(
            st.lists(
                st.tuples(
                    st.sampled_from(cat.ids("courses")) if cat.courses else st.nothing(),
                    st.dates(joined, as_of),
                    st.integers(0, 60),
                ),
                max_size=5 if cat.courses else 0,
                unique_by=lambda t: t[0],
            )
        )
        if d + dt.timedelta(days=n) <= as_of
    ]
    # Assessments whose assessors some rule counts are drawn more often than chance would.
    counted = _assessed(library)
    which = st.sampled_from(cat.ids("assessments")) if cat.assessments else st.nothing()
    if counted:
        which = st.one_of(which, st.sampled_from(counted))
    record["assessments"] = [
        {"assessment": a, "date": d.isoformat(), "outcome": o, "assessors": named}
        for a, d, o, named in draw(
            st.lists(
                st.tuples(
                    which,
                    st.dates(joined, as_of),
                    st.sampled_from(["passed", "passed", "failed"]),
                    st.lists(st.sampled_from([*ASSESSOR_IDS, OUTSIDE_ASSESSOR]), max_size=4),
                ),
                max_size=3 if cat.assessments else 0,
            )
        )
    ]
    record["credentials"] = _credentials(draw, library, joined, as_of)
    record["endorsements"] = [
        {"endorsement": e, "date": d.isoformat()}
        for e, d in draw(
            st.lists(
                st.tuples(
                    st.sampled_from(cat.ids("endorsements")) if cat.endorsements else st.nothing(),
                    st.dates(joined, as_of),
                ),
                max_size=2 if cat.endorsements else 0,
            )
        )
    ]
    record["memberships"] = [
        {"programme": p, "start": d.isoformat()}
        for p, d in draw(
            st.lists(
                st.tuples(
                    st.sampled_from(cat.ids("programmes")) if cat.programmes else st.nothing(),
                    st.dates(joined, as_of),
                ),
                max_size=2 if cat.programmes else 0,
                unique_by=lambda t: t[0],
            )
        )
    ]
    # A Talent Cascade mentor now and then, open or ended (the mentor is someone else).
    if draw(st.integers(0, 3)) == 0:
        start = draw(st.dates(joined, as_of))
        end = draw(st.one_of(st.none(), st.dates(start, as_of)))
        record["mentors"] = [
            {"mentor": "M000001", "start": start.isoformat()}
            | ({"end": end.isoformat()} if end else {})
        ]
    protected: dict[str, str] = {}
    attributes: dict[str, str] = {}
    for entry in cat.attributes:
        if entry.id == "workforce" or not draw(st.booleans()):
            continue
        value = draw(st.sampled_from(entry.values))
        if entry.id in ("ethnicity", "gender", "disability"):
            protected[entry.id] = value
        else:
            attributes[entry.id] = value
    record["protected"] = protected
    record["attributes"] = attributes
    return Person.model_validate(record)


def _assessed(library: Library) -> list[str]:
    """Assessments whose assessors some rule of the library counts."""
    return sorted(
        {
            req.passed
            for _, stage in library.stages()
            for top in stage.requires
            for req, _ in walk(top)
            if isinstance(req, PassedRequirement) and req.assessors is not None
        }
    )


@st.composite
def assessor_records(draw: Any, library: Library, as_of: dt.date) -> dict[str, Person]:
    """Records of some of :data:`ASSESSOR_IDS` (the others are not in the records), each
    holding the stages the library's assessor counts ask for, or not, from a drawn day."""
    qualified = []
    for pathway, stage in library.stages():
        for top in stage.requires:
            for req, _ in walk(top):
                if isinstance(req, PassedRequirement) and req.assessors is not None:
                    target = req.assessors.target(pathway.id)
                    found = library.stage(*target) if target else None
                    if found is not None and found.awards is not None:
                        qualified.append(found.awards)
    out: dict[str, Person] = {}
    for pid in ASSESSOR_IDS:
        if not draw(st.booleans()):
            continue
        person = draw(records(library, as_of))
        data = person.model_dump(mode="json")
        data["id"] = pid
        for award in qualified:
            if not draw(st.booleans()):
                continue
            day = draw(st.dates(dt.date.fromisoformat(data["joined"]), as_of))
            for section, item in award_items(library, award, day, grades=True) or ():
                if section == "ranks" and data["kind"] != "officer":
                    continue
                if section == "ranks":  # hold it from then on, after what was held before
                    data["ranks"] = [
                        {**h, "end": min(h.get("end") or "9999-12-31", (day - DAY).isoformat())}
                        for h in data["ranks"]
                        if h["start"] < day.isoformat()
                    ]
                data[section] = [*data.get(section, []), item]
        out[pid] = Person.model_validate(data)
    return out


def _credentials(draw: Any, library: Library, joined: dt.date, as_of: dt.date) -> list[Any]:
    out: list[dict[str, Any]] = []
    for entry in library.catalogue.credentials:
        if draw(st.integers(0, 3)) != 0:
            continue
        levels: list[int | None] = list(sorted(entry.levels)) if entry.levels else [None]
        upto = draw(st.integers(1, len(levels)))
        day = joined
        for level in levels[:upto]:  # level n is awarded after level n-1
            day = _after(draw, day, as_of, 2500)
            award: dict[str, Any] = {"credential": entry.id, "awarded": day.isoformat()}
            if level is not None:
                award["level"] = level
            if entry.validity_months and draw(st.booleans()):
                award["revalidated"] = [_after(draw, day, as_of, 2000).isoformat()]
            out.append(award)
    return out


@st.composite
def qualifying_items(draw: Any, library: Library, person: Person, as_of: dt.date) -> Any:
    """One item that can only add to a record as of ``as_of``: a completed course, a
    passed assessment, a credential still current, an endorsement that has not expired,
    or a current membership. Returns ``(section, item)``."""
    cat = library.catalogue
    day = draw(st.dates(person.joined, as_of))
    options: list[tuple[str, dict[str, Any]]] = []
    if cat.courses:
        options.append(
            (
                "courses",
                {"course": draw(st.sampled_from(cat.ids("courses"))), "completed": day.isoformat()},
            )
        )
    if cat.assessments:
        options.append(
            (
                "assessments",
                {
                    "assessment": draw(st.sampled_from(cat.ids("assessments"))),
                    "date": day.isoformat(),
                },
            )
        )
    if cat.endorsements:
        options.append(
            (
                "endorsements",
                {
                    "endorsement": draw(st.sampled_from(cat.ids("endorsements"))),
                    "date": day.isoformat(),
                },
            )
        )
    if cat.programmes:
        options.append(
            (
                "memberships",
                {
                    "programme": draw(st.sampled_from(cat.ids("programmes"))),
                    "start": day.isoformat(),
                },
            )
        )
    if cat.credentials:
        entry = draw(st.sampled_from(cat.credentials))
        # Awarded on the as-of date, so it is current whatever its validity.
        award: dict[str, Any] = {"credential": entry.id, "awarded": as_of.isoformat()}
        if entry.levels:
            award["level"] = draw(st.sampled_from(entry.levels))
        options.append(("credentials", award))
    if not options:
        return draw(st.nothing())
    return draw(st.sampled_from(options))


@st.composite
def near_records(draw: Any, library: Library, pathway: str, stage: str, as_of: dt.date) -> Any:
    """A record one requirement short of ``pathway.stage`` as of ``as_of``: a valid record
    given the items that meet every requirement of the stage that items can meet (courses,
    passes, credentials, endorsements, memberships, stages reached), except one of them.
    Returns ``(record, the requirement left unmet)``; rules no item can meet (a rank, time
    served) are left as the drawn record has them.

    Raises:
        KeyError: if the library has no such stage.
    """

    found = library.pathways[pathway].stage(stage)
    if found is None:
        raise KeyError(f"{pathway}.{stage}")
    person = draw(records(library, as_of))
    doable = [
        (req, items)
        for req in found.requires
        if req.in_force(as_of) and (items := satisfy(library, req, pathway, as_of)) is not None
    ]

    oracle = Oracle(library)
    # Leave out one the drawn record does not meet already.
    unmet = [
        i for i, (req, _) in enumerate(doable) if oracle.truth(req, person, pathway, as_of) is False
    ]
    if not unmet:
        return draw(st.nothing())
    short = draw(st.sampled_from(unmet))
    data = person.model_dump(mode="json")
    for i, (_, items) in enumerate(doable):
        if i != short:
            for section, item in items:
                data[section] = [*data.get(section, []), item]
    return Person.model_validate(data), doable[short][0]
