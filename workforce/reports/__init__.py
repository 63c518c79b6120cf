"""Workforce reports over a population run: the succession pipeline and equality
monitoring (rates over each stage's pool, ratios to a reference group, small-number
suppression that holds, trends, projections)."""

from .equality import (
    BME,
    EqualityReport,
    GroupResult,
    Projection,
    StageEquality,
    monitor,
    project,
    published,
    stage_table,
    table_rows,
    trend,
)
from .groups import GROUPINGS, UNKNOWN, Group, grouping_words
from .pipeline import CATEGORIES, Pipeline, PipelineRow, pipeline
from .pools import StagePool, stage_pool

__all__ = [
    "BME",
    "CATEGORIES",
    "GROUPINGS",
    "UNKNOWN",
    "EqualityReport",
    "Group",
    "GroupResult",
    "Pipeline",
    "PipelineRow",
    "Projection",
    "StageEquality",
    "StagePool",
    "grouping_words",
    "monitor",
    "pipeline",
    "project",
    "published",
    "stage_pool",
    "stage_table",
    "table_rows",
    "trend",
]
