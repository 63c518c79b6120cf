"""Workforce reports over a population run: the succession pipeline and equality
monitoring (rates, adverse-impact ratios, trends, projections)."""

from .equality import BME, Projection, StageEquality, monitor, project, trend
from .pipeline import CATEGORIES, Pipeline, PipelineRow, pipeline

__all__ = [
    "BME",
    "CATEGORIES",
    "Pipeline",
    "PipelineRow",
    "Projection",
    "StageEquality",
    "monitor",
    "pipeline",
    "project",
    "trend",
]
