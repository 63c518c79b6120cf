"""The key-post report (002 recs 3 and 5; 001 para 14): for each key post HR names, its
holder, who is ready to succeed now, and who will be within 6 and 12 months; posts with
nobody ready are flagged; and what changed since the last quarter's snapshot.

A successor must hold the post's stage. Over a population run (:mod:`workforce.population`,
the engine's statuses and eligible-from dates) a person other than the holder is:

- **ready now** if they hold the stage or are eligible for it on the date;
- **ready within 6 months** if they become eligible from a date within 6 months
  (:func:`accreditation.periods.add_months`: on or before the same day 6 months on),
  if nothing else changes; **within 12 months** likewise (it includes those within 6).

>>> import datetime as dt
>>> from rules.decision import Status
>>> from store.keyposts import KeyPost
>>> from workforce.population import STATUSES, PersonResult, PopulationRun
>>> keys = ("promotion.superintendent",)
>>> def p(pid, status, when=None):
...     return PersonResult(pid, "officer", "tp", "chief_inspector", None, None, keys,
...                         bytes([STATUSES.index(status)]), {0: (when, None)} if when else {})
>>> run = PopulationRun("v" * 64, dt.date(2024, 6, 1), [
...     p("W1", Status.HELD), p("W2", Status.ELIGIBLE), p("W3", Status.ELIGIBLE_FROM,
...     dt.date(2024, 12, 1)), p("W4", Status.ELIGIBLE_FROM, dt.date(2024, 12, 2))])
>>> now = dt.datetime(2024, 6, 1, tzinfo=dt.UTC)
>>> post = KeyPost(1, "Head of unit", "tp", "promotion.superintendent", "W1", True, 1, "hr", now)
>>> (row,) = key_post_report([post], run).rows
>>> row.ready_now, row.within_6, row.within_12, row.flagged
(['W2'], ['W3'], ['W3', 'W4'], False)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from accreditation.periods import add_months
from rules.decision import Status
from store.keyposts import KeyPost, Snapshot, quarter_of
from workforce.population import STATUSES, PopulationRun

__all__ = [
    "Change",
    "KeyPostReport",
    "KeyPostRow",
    "key_post_report",
    "report_rows",
    "snapshot_of",
]

READY = ("held", "eligible")


@dataclass
class Change:
    """A post's successors now against the last quarter's snapshot."""

    quarter: str  # the snapshot compared with
    ready_then: int
    within_12_then: int
    flagged_then: bool
    joined: list[str]  # ready now, not ready then
    left: list[str]  # ready then, not now
    holder_then: str | None
    new_post: bool = False  # not in that snapshot


@dataclass
class KeyPostRow:
    post: KeyPost
    ready_now: list[str]
    within_6: list[str]
    within_12: list[str]  # includes within_6
    decided: bool = True  # the run decided the post's stage (in force on the date)
    change: Change | None = None

    @property
    def flagged(self) -> bool:
        """Nobody is ready to succeed now."""
        return not self.ready_now

    @property
    def later(self) -> list[str]:
        """Ready within 12 months but not within 6."""
        return [p for p in self.within_12 if p not in self.within_6]


@dataclass
class KeyPostReport:
    as_of: dt.date
    quarter: str
    library_version: str
    rows: list[KeyPostRow]
    compared_with: str | None = None  # the snapshot's quarter
    groups: dict[str, str | None] = field(default_factory=dict, repr=False)  # person -> group

    @property
    def flagged(self) -> list[KeyPostRow]:
        return [r for r in self.rows if r.flagged]


def key_post_report(
    posts: list[KeyPost], run: PopulationRun, previous: Snapshot | None = None
) -> KeyPostReport:
    """The report for ``posts`` over ``run``, compared with ``previous`` if given."""
    six, twelve = add_months(run.as_of, 6), add_months(run.as_of, 12)
    keys = run.people[0].keys if run.people else ()
    ready_codes = {STATUSES.index(s) for s in STATUSES if s.value in READY}
    waiting = STATUSES.index(Status.ELIGIBLE_FROM)
    groups = {p.person: p.business_group for p in run.people}
    rows = []
    for post in posts:
        ready: list[str] = []
        soon: list[str] = []
        year: list[str] = []
        at = keys.index(post.stage) if post.stage in keys else -1
        for person in run.people if at >= 0 else []:
            if person.person == post.holder:
                continue
            code = person.codes[at]
            if code in ready_codes:
                ready.append(person.person)
            elif code == waiting:
                when = person.dates.get(at, (None, None))[0]
                if when is not None and when <= twelve:
                    year.append(person.person)
                    if when <= six:
                        soon.append(person.person)

        # The post's own business group first: its succession plan is reviewed there.
        def first_own(found: list[str], group: str = post.business_group) -> list[str]:
            return sorted(found, key=lambda pid: (groups.get(pid) != group, pid))

        rows.append(
            KeyPostRow(post, first_own(ready), first_own(soon), first_own(year), decided=at >= 0)
        )
    report = KeyPostReport(
        run.as_of, quarter_of(run.as_of), run.library_version, rows, groups=groups
    )
    if previous is not None:
        _compare(report, previous)
    return report


def _compare(report: KeyPostReport, previous: Snapshot) -> None:
    report.compared_with = previous.quarter
    then: dict[str, Any] = previous.report.get("posts", {})
    for row in report.rows:
        old = then.get(str(row.post.id))
        if old is None:
            row.change = Change(previous.quarter, 0, 0, False, [], [], None, new_post=True)
            continue
        before = set(old.get("ready_now", []))
        row.change = Change(
            previous.quarter,
            len(before),
            len(old.get("within_12", [])),
            not before,
            sorted(set(row.ready_now) - before),
            sorted(before - set(row.ready_now)),
            old.get("holder"),
        )


def snapshot_of(report: KeyPostReport) -> dict[str, Any]:
    """What a quarterly snapshot keeps: each post's fields and successors by person id."""
    return {
        "as_of": report.as_of.isoformat(),
        "posts": {
            str(r.post.id): {
                "post": r.post.post,
                "business_group": r.post.business_group,
                "stage": r.post.stage,
                "holder": r.post.holder,
                "ready_now": r.ready_now,
                "within_6": r.within_6,
                "within_12": r.within_12,
            }
            for r in report.rows
        },
    }


def report_rows(report: KeyPostReport) -> list[dict[str, Any]]:
    """One CSV row per key post: counts, the people by id, and the change since the last
    quarter's snapshot."""
    return [
        {
            "as_of": report.as_of.isoformat(),
            "key_post": r.post.id,
            "post": r.post.post,
            "business_group": r.post.business_group,
            "stage": r.post.stage,
            "holder": r.post.holder or "",
            "ready_now": len(r.ready_now),
            "within_6_months": len(r.within_6),
            "within_12_months": len(r.within_12),
            "no_ready_successor": r.flagged,
            "ready_now_people": " ".join(r.ready_now),
            "within_6_people": " ".join(r.within_6),
            "within_12_people": " ".join(r.within_12),
            "compared_with": report.compared_with or "",
            "ready_now_then": "" if r.change is None else r.change.ready_then,
            "now_ready": "" if r.change is None else " ".join(r.change.joined),
            "no_longer_ready": "" if r.change is None else " ".join(r.change.left),
        }
        for r in report.rows
    ]
