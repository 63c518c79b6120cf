"""The JSON shapes of the workforce reports in the API (:mod:`web.api_reports`), made from
the reports of :mod:`workforce.reports` and :mod:`workforce.impact` by the ``*_json``
functions here. A hidden count is ``null`` (never a small number): see docs/reports.md.

>>> from workforce.reports import Pipeline, PipelineRow
>>> import datetime as dt
>>> row = PipelineRow("tp", held=1, people={"held": ["W1"], "eligible": [], "within_6": [],
...                                        "within_12": []})
>>> report = Pipeline("promotion.superintendent", dt.date(2024, 6, 1), "v" * 64, [row], row)
>>> out = pipeline_json(report, "Superintendent (Promotion ladder)", 3, names=False)
>>> out.total.held, out.total.people
(1, None)
>>> pipeline_json(report, "", 3, names=True).rows[0].people["held"]
['W1']
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from workforce.dataquality import DataQualityReport
from workforce.fairness import SUPPRESS_BELOW
from workforce.reports import (
    CATEGORIES,
    EqualityReport,
    Pipeline,
    PipelineRow,
    Projection,
    StageEquality,
)

__all__ = [
    "HIDDEN_NOTE",
    "CharacteristicCounts",
    "EqualityMonitoring",
    "EqualityRow",
    "ImpactPreview",
    "ImpactReportOut",
    "PipelineCounts",
    "PipelineReport",
    "ProjectionOut",
    "RecordsToCheck",
    "StageEqualityOut",
    "counts_json",
    "equality_json",
    "pipeline_json",
    "records_to_check_json",
]

HIDDEN_NOTE = (
    f"null counts are hidden: under {SUPPRESS_BELOW}, or would let one under "
    f"{SUPPRESS_BELOW} be worked out from the others"
)


# --- the pipeline ------------------------------------------------------------------------------


class PipelineCounts(BaseModel):
    """One business group's row (or the total): each person counted in the first column that
    applies."""

    business_group: str
    held: int = Field(description="Hold the target stage")
    eligible: int = Field(description="Eligible now")
    within_6: int = Field(description="Eligible from a date within 6 months")
    within_12: int = Field(description="Eligible from a date within 12 months (with within_6)")
    people: dict[str, list[str]] | None = Field(
        None, description="hr only: the people's ids in each column"
    )


class PipelineReport(BaseModel):
    """The succession pipeline for a target stage, by business group."""

    target: str = Field(description="pathway.stage")
    target_name: str
    as_of: dt.date
    library_version: str
    people: int = Field(description="People in the stored workforce")
    rows: list[PipelineCounts]
    total: PipelineCounts


def _pipeline_row(row: PipelineRow, names: bool) -> PipelineCounts:
    return PipelineCounts(
        business_group=row.group,
        held=row.held,
        eligible=row.eligible,
        within_6=row.within_6,
        within_12=row.within_12,
        people={c: list(row.people[c]) for c in CATEGORIES} if names else None,
    )


def pipeline_json(report: Pipeline, name: str, people: int, names: bool) -> PipelineReport:
    """The report for the API; people's ids only if ``names`` (hr)."""
    return PipelineReport(
        target=report.target,
        target_name=name,
        as_of=report.as_of,
        library_version=report.library_version,
        people=people,
        rows=[_pipeline_row(r, names) for r in report.rows],
        total=_pipeline_row(report.total, names),
    )


# --- equality monitoring ---------------------------------------------------------------------


class EqualityRow(BaseModel):
    """One group of a stage's table."""

    group: str = Field(description="The group's id: white, bme, female, all, ...")
    group_name: str
    stated: bool = Field(description="Every characteristic known: may be compared")
    people: int | None = Field(description="In the stage's pool; null: hidden")
    has: int | None = Field(description="Of whom hold the stage or are eligible; null: hidden")
    rate: float | None
    ratio: float | None = Field(description="The rate over the reference group's rate")
    under_four_fifths: bool
    fisher_p: float | None = Field(description="Fisher's exact test against the reference")
    reference: bool
    closed: bool = Field(description="Not admitted by design (positive action)")


class StageEqualityOut(BaseModel):
    """A stage's table by one grouping, on one date."""

    stage: str
    name: str
    as_of: dt.date
    by: str
    pool: str = Field(description="Who the rates are over, in words")
    reference: str | None = Field(description="The reference group's id")
    reference_note: str
    positive_action: str | None = Field(description="What a positive-action stage's table means")
    withheld: bool = Field(description="No table: any count would give someone away")
    flagged: list[str] = Field(description="Groups under four fifths of the reference, in words")
    rows: list[EqualityRow]


class ProjectionOut(BaseModel):
    """BME holders of a stage by a date, with and without the positive-action programme."""

    stage: str
    as_of: dt.date
    by: dt.date
    held_now: int | None = Field(description="Rounded to 5; null: fewer than 10")
    pipeline: int | None = Field(description="Rounded to 5; null: fewer than 10")
    in_programme: int | None = Field(description="Rounded to 5; null: fewer than 10")
    conversion: float
    uplift: float
    without: int | None = Field(description="Rounded to 5; null: fewer than 10")
    with_programme: int | None = Field(description="Rounded to 5; null: fewer than 10")
    assumptions: list[str]


class EqualityMonitoring(BaseModel):
    """Equality monitoring: each stage's rates by group over its pool."""

    as_of: dt.date
    library_version: str
    by: str
    by_words: str
    reference: str | None = Field(description="The reference asked for; null: the highest rate")
    people: int
    not_in_force: list[str] = Field(description="Stages not in force on the date, in words")
    stages: list[StageEqualityOut]
    trend: list[StageEqualityOut] = Field(
        default_factory=list, description="With trend_stage: its table each year, oldest first"
    )
    projection: ProjectionOut | None = Field(None, description="For the promotion ladder")
    hidden: str = HIDDEN_NOTE


def _stage_json(stage: StageEquality) -> StageEqualityOut:
    return StageEqualityOut(
        stage=stage.stage,
        name=stage.name,
        as_of=stage.as_of,
        by=stage.grouping,
        pool=stage.pool.words,
        reference=stage.reference,
        reference_note=stage.reference_note,
        positive_action=stage.positive_action,
        withheld=stage.withheld,
        flagged=stage.flagged,
        rows=[
            EqualityRow(
                group=r.group.id,
                group_name=r.group.words,
                stated=r.group.stated,
                people=r.people,
                has=r.has,
                rate=r.comparison.rate,
                ratio=r.comparison.ratio,
                under_four_fifths=r.comparison.flag,
                fisher_p=r.comparison.p_value,
                reference=r.comparison.reference,
                closed=r.closed,
            )
            for r in stage.rows
        ],
    )


def equality_json(
    report: EqualityReport, trend: list[StageEquality], projection: Projection | None
) -> EqualityMonitoring:
    return EqualityMonitoring(
        as_of=report.as_of,
        library_version=report.library_version,
        by=report.grouping,
        by_words=report.grouping_words,
        reference=report.reference,
        people=report.people,
        not_in_force=report.not_in_force,
        stages=[_stage_json(s) for s in report.stages],
        trend=[_stage_json(s) for s in trend],
        projection=ProjectionOut.model_validate(projection, from_attributes=True)
        if projection is not None
        else None,
    )


# --- records by characteristic ----------------------------------------------------------------


class CountRow(BaseModel):
    value: str | None = Field(description="null: not recorded")
    records: int


class CharacteristicCounts(BaseModel):
    """Records by each protected characteristic, most first (not suppressed: equality only)."""

    gender: list[CountRow]
    ethnicity: list[CountRow]
    disability: list[CountRow]


def counts_json(tables: dict[str, list[tuple[str | None, int]]]) -> CharacteristicCounts:
    return CharacteristicCounts.model_validate(
        {
            name: [{"value": value, "records": count} for value, count in rows]
            for name, rows in tables.items()
        }
    )


# --- the impact of a rule change ----------------------------------------------------------------


class GainLoss(BaseModel):
    gained: int
    lost: int


class StageImpactOut(BaseModel):
    """A stage someone gains or loses."""

    stage: str
    name: str
    change: str = Field(description="changed (in both versions), added (new) or removed")
    before: int | None = Field(description="People who have it (held or eligible) before")
    after: int | None
    gained: int
    lost: int
    gained_examples: list[str] = Field(description="Up to 5 people's ids")
    lost_examples: list[str]
    by_business_group: dict[str, GainLoss]
    pool: str = Field(description="The equality tables' pool, in words")
    positive_action: bool


class ImpactEqualityRow(BaseModel):
    """One group of a changed stage's table by one characteristic; a table withheld whole is
    one row with only its stage, characteristic and note."""

    stage: str
    stage_name: str
    change: str
    pool: str
    characteristic: str
    group: str | None = None
    group_name: str | None = None
    people: int | None = None
    had_before: int | None = None
    has_after: int | None = None
    lost: int | None = None
    gained: int | None = None
    rate_before: float | None = None
    rate_after: float | None = None
    reference_group: str | None = None
    ratio_before: float | None = None
    ratio_after: float | None = None
    under_four_fifths: bool | None = None
    fisher_p: str | None = Field(None, description="In words: '< 0.001' for tiny values")
    note: str = ""


class ImpactReportOut(BaseModel):
    """Who gains and who loses each stage, and the equality tables of each changed stage."""

    old_version: str
    new_version: str
    as_of: dt.date
    people: int
    added: list[str]
    removed: list[str]
    stages: list[StageImpactOut]
    equality: list[ImpactEqualityRow]
    hidden: str


class ImpactPreview(BaseModel):
    """Before publishing: what the files would change."""

    in_use: str = Field(description="The digest of the library in use")
    digest: str = Field(description="The digest of the library with these files")
    as_of: dt.date
    changed_pathways: list[str] = Field(description="Pathways whose rules change; [] if none")
    impact: ImpactReportOut | None = Field(description="null when no pathway's rules change")


# --- records to check (data quality) -------------------------------------------------------------


class HeldNotShownOut(BaseModel):
    """A stage a person holds on its award alone: what the record does not show."""

    person: str
    name: str | None
    pathway: str
    stage: str
    stage_name: str
    not_shown: list[str] = Field(description="The stage's requirements the record lacks")


class RecordsToCheck(BaseModel):
    """One page of records checked in id order, and what each holds on its award alone."""

    as_of: dt.date
    library_version: str
    checked: int = Field(description="Records checked on this page")
    first: str | None
    last: str | None
    next_after: str | None = Field(description="Ask again with after=this; null: the last page")
    people: int = Field(description="People with a finding on this page")
    findings: list[HeldNotShownOut]


def records_to_check_json(report: DataQualityReport) -> RecordsToCheck:
    return RecordsToCheck(
        as_of=report.as_of,
        library_version=report.library_version,
        checked=report.checked,
        first=report.first,
        last=report.last,
        next_after=None if report.complete else report.last,
        people=report.people(),
        findings=[
            HeldNotShownOut(
                person=f.person,
                name=f.name,
                pathway=f.pathway,
                stage=f.stage,
                stage_name=f.stage_name,
                not_shown=list(f.not_shown),
            )
            for f in report.findings
        ],
    )
