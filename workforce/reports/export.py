"""The reports as JSON data: what a background job keeps as its result, and what the API,
the command line and the pages show. A hidden count is ``null`` (never a small number).

The shapes are documented in docs/reports.md ("Reports as data"); the API's response models
validate them.

>>> from workforce.reports import Pipeline, PipelineRow
>>> import datetime as dt
>>> row = PipelineRow("tp", held=1, people={"held": ["W1"], "eligible": [], "within_6": [],
...                                        "within_12": []})
>>> report = Pipeline("promotion.superintendent", dt.date(2024, 6, 1), "v" * 64, [row], row)
>>> data = pipeline_data(report, "Superintendent (Promotion ladder)", 3)
>>> data["total"]["held"], data["total"]["people"]["held"]
(1, ['W1'])
>>> without_names(data)["total"]["people"] is None
True
"""

from __future__ import annotations

from typing import Any

from workforce.fairness import HIDDEN, SUPPRESS_BELOW, p_text

from .equality import EqualityReport, Projection, StageEquality
from .pipeline import CATEGORIES, Pipeline, PipelineRow

__all__ = [
    "HIDDEN_NOTE",
    "equality_data",
    "pipeline_data",
    "stage_data",
    "table_rows",
    "without_names",
]

HIDDEN_NOTE = (
    f"null counts are hidden: under {SUPPRESS_BELOW}, or would let one under "
    f"{SUPPRESS_BELOW} be worked out from the others"
)


def _pipeline_row(row: PipelineRow) -> dict[str, Any]:
    return {
        "business_group": row.group,
        **{c: getattr(row, c) for c in CATEGORIES},
        "people": {c: list(row.people[c]) for c in CATEGORIES},
    }


def pipeline_data(report: Pipeline, name: str, people: int) -> dict[str, Any]:
    """The pipeline with people's ids (hr's view: :func:`without_names` for anyone else)."""
    return {
        "target": report.target,
        "target_name": name,
        "as_of": report.as_of.isoformat(),
        "library_version": report.library_version,
        "people": people,
        "rows": [_pipeline_row(r) for r in report.rows],
        "total": _pipeline_row(report.total),
    }


def without_names(data: dict[str, Any]) -> dict[str, Any]:
    """A pipeline's data with the people's ids taken out (``people`` null on every row)."""
    return {
        **data,
        "rows": [{**r, "people": None} for r in data["rows"]],
        "total": {**data["total"], "people": None},
    }


def stage_data(stage: StageEquality) -> dict[str, Any]:
    """One stage's equality table."""
    return {
        "stage": stage.stage,
        "name": stage.name,
        "as_of": stage.as_of.isoformat(),
        "by": stage.grouping,
        "pool": stage.pool.words,
        "reference": stage.reference,
        "reference_words": stage.reference_words,
        "reference_note": stage.reference_note,
        "positive_action": stage.positive_action,
        "withheld": stage.withheld,
        "flagged": stage.flagged,
        "rows": [
            {
                "group": r.group.id,
                "group_name": r.group.words,
                "stated": r.group.stated,
                "people": r.people,
                "has": r.has,
                "rate": r.comparison.rate,
                "ratio": r.comparison.ratio,
                "under_four_fifths": r.comparison.flag,
                "fisher_p": r.comparison.p_value,
                "reference": r.comparison.reference,
                "closed": r.closed,
            }
            for r in stage.rows
        ],
    }


def _projection(projection: Projection) -> dict[str, Any]:
    return {
        "stage": projection.stage,
        "as_of": projection.as_of.isoformat(),
        "by": projection.by.isoformat(),
        "held_now": projection.held_now,
        "pipeline": projection.pipeline,
        "in_programme": projection.in_programme,
        "conversion": projection.conversion,
        "uplift": projection.uplift,
        "without": projection.without,
        "with_programme": projection.with_programme,
        "assumptions": list(projection.assumptions),
    }


def equality_data(
    report: EqualityReport,
    trend: list[StageEquality] | None = None,
    projection: Projection | None = None,
) -> dict[str, Any]:
    """Equality monitoring: every stage's table, and a stage's trend and the promotion
    projection where asked for."""
    return {
        "as_of": report.as_of.isoformat(),
        "library_version": report.library_version,
        "by": report.grouping,
        "by_words": report.grouping_words,
        "reference": report.reference,
        "people": report.people,
        "not_in_force": list(report.not_in_force),
        "stages": [stage_data(s) for s in report.stages],
        "trend": [stage_data(s) for s in trend or []],
        "projection": _projection(projection) if projection is not None else None,
        "hidden": HIDDEN_NOTE,
    }


def _note(stage: dict[str, Any], row: dict[str, Any]) -> str:
    if row["reference"]:
        return f"reference ({stage['reference_note']})"
    if row["closed"]:
        return "not admitted by design (positive action)"
    if not row["stated"]:
        return "characteristic not known: shown, not compared"
    return ""


def table_rows(data: dict[str, Any]) -> list[dict[str, Any]]:
    """:func:`workforce.reports.table_rows` of equality data: one row per stage and group,
    for CSV; hidden counts are ``[c]``."""
    return [
        {
            "stage": s["stage"],
            "stage_name": s["name"],
            "as_of": s["as_of"],
            "pool": s["pool"],
            "by": s["by"],
            "group": r["group"],
            "group_name": r["group_name"],
            "people_in_pool": HIDDEN if r["people"] is None else r["people"],
            "held_or_eligible": HIDDEN if r["has"] is None else r["has"],
            "rate": "" if r["rate"] is None else r["rate"],
            "reference_group": s["reference"] or "",
            "ratio_to_reference": "" if r["ratio"] is None else r["ratio"],
            "under_four_fifths": r["under_four_fifths"],
            "fisher_p": "" if r["fisher_p"] is None else p_text(r["fisher_p"]),
            "note": _note(s, r),
        }
        for s in data["stages"]
        for r in s["rows"]
    ]
