"""The compliance report: who is overdue or due within 90 days per business group, its
window to the day, the counts by protected characteristic with small numbers hidden, and
the command line and web views of it (names for HR only, counts for HR and equality)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from click.testing import CliRunner

from accreditation.periods import add_months
from accreditation.record import Person
from cli import cli
from pathways import SHIPPED_LIBRARY, load_library
from store import Store
from store.users import Users
from web.testing import PASSWORD
from workforce.disclosure import Cell, recoverable
from workforce.reports.compliance import compliance_of, equality_tables

LIBRARY = load_library([SHIPPED_LIBRARY])
AS_OF = dt.date(2013, 5, 1)
FSL = "fsl.fsl_for_chief_inspectors"


def chief_inspector(
    pid: str, promoted: dt.date, group: str, ethnicity: str = "white", name: str | None = None
) -> Person:
    return Person.model_validate(
        {
            "id": pid,
            "kind": "officer",
            "name": name or f"Officer {pid}",
            "joined": "1995-01-02",
            "ranks": [
                {"rank": "inspector", "start": "2005-01-03", "end": (promoted - dt.timedelta(1))},
                {"rank": "chief_inspector", "start": promoted},
            ],
            "postings": [{"business_group": group, "role": "community", "start": promoted}],
            "protected": {"ethnicity": ethnicity, "gender": "female", "disability": "no"},
        }
    )


def test_the_window_to_the_day() -> None:
    # FSL is due by the last day of 24 months from promotion.
    due_in_90 = chief_inspector("W1", add_months(AS_OF + dt.timedelta(days=91), -24), "tp")
    due_in_91 = chief_inspector("W2", add_months(AS_OF + dt.timedelta(days=92), -24), "tp")
    overdue = chief_inspector("W3", add_months(AS_OF, -24), "so")  # due by yesterday
    due_today = chief_inspector("W4", add_months(AS_OF + dt.timedelta(days=1), -24), "so")
    report = compliance_of([due_in_90, due_in_91, overdue, due_today], LIBRARY, AS_OF)
    got = {(e.person, e.category, e.due_by) for e in report.entries}
    assert got == {
        ("W1", "due", AS_OF + dt.timedelta(days=90)),
        ("W3", "overdue", AS_OF - dt.timedelta(days=1)),
        ("W4", "due", AS_OF),
    }
    rows = {(c.group, c.obligation): (c.applies, c.overdue, c.due) for c in report.counts}
    assert rows[("tp", FSL)] == (2, 0, 1)
    assert rows[("so", FSL)] == (2, 1, 1)
    assert rows[("all", FSL)] == (4, 1, 2)
    # Listed by business group, overdue first.
    assert [e.person for e in report.entries] == ["W3", "W4", "W1"]
    assert compliance_of([due_in_90], LIBRARY, AS_OF, window_days=89).entries == []


def test_a_credential_lapsing_within_the_window_is_due() -> None:
    investigator = Person.model_validate(
        {
            "id": "W9",
            "kind": "officer",
            "joined": "2009-01-05",
            "ranks": [{"rank": "constable", "start": "2009-01-05"}],
            "postings": [{"business_group": "tp", "role": "investigation", "start": "2009-06-01"}],
            "credentials": [{"credential": "pip", "level": 1, "awarded": "2008-08-01"}],
        }
    )
    # PIP lapses on 2013-08-01: met until 2013-07-31, 91 days after 2013-05-01.
    assert compliance_of([investigator], LIBRARY, AS_OF).entries == []
    (entry,) = compliance_of([investigator], LIBRARY, AS_OF + dt.timedelta(days=1)).entries
    assert (entry.category, entry.status, entry.act_by) == ("due", "met", dt.date(2013, 7, 31))


def test_equality_counts_hide_small_numbers_so_none_can_be_worked_out() -> None:
    people = [chief_inspector(f"W{i:02}", dt.date(2012, 1, 2), "tp") for i in range(12)]
    # Three black chief inspectors, all overdue: a count under 5 that is also the row.
    people += [chief_inspector(f"B{i}", dt.date(2011, 1, 3), "tp", "black") for i in range(3)]
    report = compliance_of(people, LIBRARY, AS_OF)
    table = equality_tables(report, FSL, ["ethnicity"])["ethnicity"]
    rows = {r.group.id: r for r in table.rows}
    assert rows["black"].count("people") is None and rows["black"].count("overdue") is None
    # The totals are printed in the business-group table, so they are shown here too, and
    # the white row (the total less the black one) is hidden as well.
    assert rows["all"].count("people") == 15 and rows["all"].count("overdue") == 3
    assert rows["white"].count("overdue") is None
    # No hidden count follows from the shown ones.
    cells, coordinate = [], {}
    for r in table.rows:
        for column in ("people", "overdue"):
            members = [a for a in report.atoms if r.group.contains(a)]
            terms = {coordinate.setdefault((a, column), len(coordinate)): 1 for a in members}
            value = sum(
                1
                for atom, category in report.pools[FSL]
                if r.group.contains(atom) and (column == "people" or category == column)
            )
            cells.append(Cell((r.group.id, column), value, terms))
    hidden = {
        (r.group.id, c) for r in table.rows for c in ("people", "overdue") if r.count(c) is None
    }
    assert hidden and not recoverable(cells, hidden)


# --- the command line -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('compliance') / 'c.db'}"
    store = Store(url)
    people = [
        chief_inspector("W000001", dt.date(2011, 3, 1), "territorial_policing"),
        chief_inspector("W000002", dt.date(2011, 6, 1), "specialist_crime"),
        chief_inspector("W000003", dt.date(2012, 1, 2), "specialist_crime", name="=HYPERLINK(1)"),
    ]
    store.save_people(people, actor="test")
    Users(store).add("hr", PASSWORD, "hr", must_change=False)
    Users(store).add("equality", PASSWORD, "equality", must_change=False)
    Users(store).add("admin", PASSWORD, "admin", must_change=False)
    Users(store).add("W000001", PASSWORD, "officer", "W000001", must_change=False)
    store.close()
    return url


def report(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["report", "compliance", "--quiet", *args])
    return result.exit_code, result.output


def test_cli_lists_who_must_act_by_business_group(db: str) -> None:
    code, out = report("--db", db, "--as-of", "2013-05-01")
    assert code == 0, out
    assert (
        "W000001 Officer W000001: Attend the Foundation for Senior Leadership: overdue, "
        "was due by 2013-02-28" in out
    )
    assert (
        "W000002 Officer W000002: Attend the Foundation for Senior Leadership: act by "
        "2013-05-31" in out
    )
    assert "W000003" not in out.split("Obligations")[1].split("\n\n", 2)[2]  # due 2013-12-31
    code, out = report("--db", db, "--as-of", "2013-05-01", "--format", "json")
    body = json.loads(out)
    assert [e["person"] for e in body["entries"]] == ["W000002", "W000001"]
    assert {c["business_group"] for c in body["counts"]} >= {"all", "specialist_crime"}


def test_cli_csv_cells_never_run_in_a_spreadsheet(db: str) -> None:
    code, out = report("--db", db, "--as-of", "2013-12-31", "--format", "csv")
    assert code == 0, out
    rows = list(csv.DictReader(io.StringIO(out)))
    names = {r["person"]: r["name"] for r in rows}
    assert names["W000003"] == "'=HYPERLINK(1)"


def test_cli_group_and_by(db: str) -> None:
    code, out = report("--db", db, "--as-of", "2013-05-01", "--group", "specialist_crme")
    assert code == 2 and "did you mean 'specialist_crime'?" in out
    code, out = report("--db", db, "--as-of", "2013-05-01", "--group", "specialist_crime")
    assert code == 0 and "W000002" in out and "W000001" not in out
    code, out = report("--db", db, "--as-of", "2013-05-01", "--by", "ethnicity")
    assert code == 0 and "[c]" in out and "by ethnicity" in out
