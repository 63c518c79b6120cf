"""HR's succession reports in the JSON API: key posts (who is ready to succeed each post) and
the Talent Cascade (mentors and their mentees), as the pages /reports/key-posts and
/reports/talent-cascade show them, for hr only. The compliance report is a background job
(``POST /api/jobs`` with kind ``compliance``).

Each route makes its report with the page's own function, so the figures and the access rule
are the page's (docs/web.md, "Adding a report").
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from pathways.dates import Day as InRange
from store.users import Role

from .apikit import ERRORS, Caller
from .auth import require_role
from .cascade import cascade_report
from .keyposts import key_posts_report

__all__ = ["router"]

router = APIRouter(prefix="/api", tags=["reports"])

Day = Annotated[InRange | None, Query(description="YYYY-MM-DD (default: today)")]


class ChangeOut(BaseModel):
    """How a post's successors changed since the last quarter's snapshot."""

    quarter: str = Field(description="The snapshot compared with, e.g. 2026-Q2")
    ready_then: int
    now_ready: list[str] = Field(description="Ready now, not ready then (ids)")
    no_longer_ready: list[str] = Field(description="Ready then, not now (ids)")
    holder_then: str | None
    new_post: bool = Field(description="The post was not in that snapshot")


class KeyPostOut(BaseModel):
    """One key post and who could succeed its holder."""

    id: int
    post: str
    business_group: str
    stage: str = Field(description="The stage a successor must reach, pathway.stage")
    holder: str | None
    ready_now: list[str] = Field(description="Eligible for the stage now, or holding it (ids)")
    within_6_months: list[str]
    within_12_months: list[str] = Field(description="Includes those within 6 months")
    no_ready_successor: bool
    decided: bool = Field(description="False: the stage is not in force on the date")
    change: ChangeOut | None


class KeyPostsReport(BaseModel):
    """Key posts as of a date (docs/reports.md, "Key posts")."""

    as_of: dt.date
    quarter: str
    library_version: str
    compared_with: str | None = Field(description="The snapshot's quarter, if one was kept")
    posts: list[KeyPostOut]


class MentorOut(BaseModel):
    mentor: str
    name: str | None
    business_group: str | None
    mentees: list[str] = Field(description="Current mentees on the date (ids)")
    mentor_stage: str = Field(description="The mentor stage's status, or 'no record'")


class PairOut(BaseModel):
    mentee: str
    mentor: str
    start: dt.date
    end: dt.date | None
    reason: str = Field(description="Why the pair does not look right")


class WithoutMentorOut(BaseModel):
    person: str
    name: str | None
    obligation: str = Field(description="The obligation in words")
    status: str
    due_by: dt.date | None


class TalentCascadeReport(BaseModel):
    """Mentors, pairs that do not look right, and who is due a mentor and has none."""

    as_of: dt.date
    library_version: str
    mentor_stage: str
    pairs: int
    mentors: list[MentorOut]
    unmatched: list[PairOut]
    without_mentor: list[WithoutMentorOut]


@router.get(
    "/reports/key-posts",
    responses=ERRORS,
    response_model=KeyPostsReport,
    operation_id="get_key_posts_report",
    summary="Key posts and their successors (hr)",
)
def key_posts(request: Request, user: Caller, as_of: Day = None) -> KeyPostsReport:
    """Each key post: who is ready now, within 6 and within 12 months, whether nobody is
    ready, and the change since the last quarter's snapshot (the page /reports/key-posts)."""
    require_role(user, Role.HR)
    report = key_posts_report(request, user, as_of)
    return KeyPostsReport(
        as_of=report.as_of,
        quarter=report.quarter,
        library_version=report.library_version,
        compared_with=report.compared_with,
        posts=[
            KeyPostOut(
                id=r.post.id,
                post=r.post.post,
                business_group=r.post.business_group,
                stage=r.post.stage,
                holder=r.post.holder,
                ready_now=r.ready_now,
                within_6_months=r.within_6,
                within_12_months=r.within_12,
                no_ready_successor=r.flagged,
                decided=r.decided,
                change=None
                if r.change is None
                else ChangeOut(
                    quarter=r.change.quarter,
                    ready_then=r.change.ready_then,
                    now_ready=r.change.joined,
                    no_longer_ready=r.change.left,
                    holder_then=r.change.holder_then,
                    new_post=r.change.new_post,
                ),
            )
            for r in report.rows
        ],
    )


@router.get(
    "/reports/talent-cascade",
    responses=ERRORS,
    response_model=TalentCascadeReport,
    operation_id="get_talent_cascade_report",
    summary="The Talent Cascade: mentors and mentees (hr)",
)
def talent_cascade(request: Request, user: Caller, as_of: Day = None) -> TalentCascadeReport:
    """Each mentor and their current mentees, pairs that do not look right, and who is due a
    mentor and has none (the page /reports/talent-cascade)."""
    require_role(user, Role.HR)
    report = cascade_report(request, as_of)
    return TalentCascadeReport(
        as_of=report.as_of,
        library_version=report.library_version,
        mentor_stage=report.mentor_stage,
        pairs=report.pairs,
        mentors=[
            MentorOut(
                mentor=r.mentor,
                name=r.name,
                business_group=r.business_group,
                mentees=[p.mentee for p in r.mentees],
                mentor_stage=r.stage_status,
            )
            for r in report.mentors
        ],
        unmatched=[
            PairOut(
                mentee=u.pair.mentee,
                mentor=u.pair.mentor,
                start=u.pair.start,
                end=u.pair.end,
                reason=u.reason,
            )
            for u in report.unmatched
        ],
        without_mentor=[
            WithoutMentorOut(
                person=person,
                name=name,
                obligation=o.text,
                status=o.status.value,
                due_by=o.due_by,
            )
            for person, name, o in report.without_mentor
        ],
    )
