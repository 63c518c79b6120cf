"""The Talent Cascade: mentoring pairs as items of the mentee's record, found from the
store by mentor (SQLite and PostgreSQL); each mentor's mentee count on a date; pairs that do
not look right; Equip to Achieve participants without a mentor; the command line."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from click.testing import CliRunner

from accreditation.record import Person
from cli import cli
from pathways import SHIPPED_LIBRARY, load_library
from store import Store
from store.mentoring import mentees_of, pairs
from workforce.reports.cascade import cascade

LIBRARY = load_library([SHIPPED_LIBRARY])
DAY = dt.date(2009, 6, 1)


def officer(pid: str, **more: Any) -> Person:
    return Person.model_validate(
        {
            "id": pid,
            "kind": "officer",
            "joined": "2000-01-03",
            "ranks": [{"rank": "sergeant", "start": "2004-01-05"}],
            **more,
        }
    )


def mentor(pid: str) -> Person:
    """A superintendent in the Talent Cascade: holds the mentor stage."""
    return Person.model_validate(
        {
            "id": pid,
            "kind": "officer",
            "joined": "1990-01-01",
            "ranks": [{"rank": "superintendent", "start": "2005-01-03"}],
            "memberships": [{"programme": "talent_cascade", "start": "2008-01-07"}],
        }
    )


def e2a(pid: str, started: str, *mentors: dict[str, str]) -> Person:
    return officer(
        pid,
        memberships=[{"programme": "equip_to_achieve", "start": started}],
        mentors=list(mentors),
    )


def people() -> list[Person]:
    return [
        mentor("W000100"),
        officer("W000200"),  # not a Talent Cascade mentor
        e2a("W000001", "2009-01-05", {"mentor": "W000100", "start": "2009-02-01"}),
        e2a(
            "W000002",
            "2009-01-05",
            {"mentor": "W000100", "start": "2009-02-01", "end": "2009-05-31"},
        ),
        e2a("W000003", "2009-05-11"),  # due by 2009-06-10: HR must arrange one
        e2a("W000004", "2009-03-02"),  # overdue since 2009-04-02
        officer("W000005", mentors=[{"mentor": "W000200", "start": "2009-01-01"}]),
        officer("W000006", mentors=[{"mentor": "W999999", "start": "2009-01-01"}]),
    ]


def test_pairs_are_found_by_mentor_on_each_backend(store: Store) -> None:
    store.save_people(people(), actor="test")
    assert {(p.mentee, p.mentor) for p in pairs(store)} == {
        ("W000001", "W000100"),
        ("W000002", "W000100"),
        ("W000005", "W000200"),
        ("W000006", "W999999"),
    }
    assert [p.mentee for p in mentees_of(store, "W000100", dt.date(2009, 5, 31))] == [
        "W000001",
        "W000002",
    ]
    assert [p.mentee for p in mentees_of(store, "W000100", DAY)] == ["W000001"]
    # An id that is part of another (W0001 in W000100) is not taken for it.
    assert mentees_of(store, "W0001", DAY) == []
    # A record without mentors keeps the JSON it had before mentors existed.
    assert "mentors" not in officer("W000200").model_dump(mode="json")


def test_each_mentors_mentees_odd_pairs_and_who_has_none(store: Store) -> None:
    store.save_people(people(), actor="test")
    report = cascade(store, LIBRARY, DAY)
    counts = {r.mentor: (r.count, r.stage_status) for r in report.mentors}
    assert counts == {
        "W000100": (1, "held"),
        "W000200": (1, "not_eligible"),
        "W999999": (1, "no record"),
    }
    reasons = sorted((u.pair.mentee, u.reason) for u in report.unmatched)
    assert reasons == [
        ("W000005", "W000005 is in none of: equip_to_achieve, hpds, talent_pool"),
        (
            "W000005",
            "the mentor W000200 does not hold assessors.talent_cascade_mentor (not_eligible)",
        ),
        ("W000006", "W000006 is in none of: equip_to_achieve, hpds, talent_pool"),
        ("W000006", "the mentor W999999 has no record"),
    ]
    without = [(pid, o.status.value, o.due_by) for pid, _, o in report.without_mentor]
    assert without == [
        ("W000002", "overdue", dt.date(2009, 2, 4)),  # the mentoring ended in May
        ("W000004", "overdue", dt.date(2009, 4, 1)),
        ("W000003", "due", dt.date(2009, 6, 10)),
    ]


def test_talent_cascade_on_the_command_line(tmp_path: Any) -> None:
    db = f"sqlite:///{tmp_path / 'c.db'}"
    store = Store(db)
    store.save_people(people(), actor="test")
    store.close()
    result = CliRunner().invoke(
        cli, ["report", "talent-cascade", "--db", db, "--as-of", "2009-06-01"]
    )
    assert result.exit_code == 0, result.output
    assert "3 mentors, 3 mentees" in result.output
    assert (
        "W000003 : A mentor for each Equip to Achieve participant: by 2009-06-10" in result.output
    )
    result = CliRunner().invoke(
        cli, ["report", "talent-cascade", "--db", db, "--as-of", "2009-06-01", "--format", "json"]
    )
    body = json.loads(result.output)
    assert [m["mentor"] for m in body["mentors"]] == ["W000100", "W000200", "W999999"]
    result = CliRunner().invoke(
        cli, ["report", "talent-cascade", "--db", db, "--mentor-stage", "assessors.mentr"]
    )
    assert result.exit_code == 2 and "no stage 'assessors.mentr'" in result.output
