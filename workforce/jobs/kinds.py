"""What each kind of job computes, who may start it and who may see it, and its result as
JSON data (:mod:`workforce.reports.export`, :mod:`workforce.impactexport`).

| kind | computes | may start | may see |
| --- | --- | --- | --- |
| population | every stage's status counts over the stored workforce on a date | hr, equality | hr, equality |
| pipeline | the succession pipeline for a target stage | hr, equality; officer and admin only on a date already computed | everyone signed in (people's ids: hr) |
| equality | equality monitoring of a pathway (or all) by a grouping | equality, hr | equality, hr |
| trend | one stage's equality table on the date and each of the four years before | equality, hr | equality, hr |
| impact | who gains and who loses if proposed files replace the library | hr | hr |
| compliance | who must act on an obligation, counts per business group and by a grouping | hr, equality | hr, equality (people's names: hr) |
"""  # noqa: E501

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from pydantic import BaseModel, Field, field_validator

from accreditation.periods import add_months
from pathways.model.library import Library
from workforce.impact import changed_pathways, impact
from workforce.impactexport import impact_json
from workforce.population import NOT_DECIDED, STATUSES, PopulationRun
from workforce.reports import (
    GROUPINGS,
    grouping_words,
    monitor,
    pipeline,
    project,
    published,
    trend,
)
from workforce.reports.compliance import WINDOW_DAYS, Compliance, compliance_rows
from workforce.reports.export import equality_data, pipeline_data, stage_data, without_names

from .library import LibrarySpec

__all__ = [
    "KINDS",
    "RUN_KINDS",
    "ComplianceParams",
    "Context",
    "EqualityParams",
    "ImpactParams",
    "JobParams",
    "Kind",
    "PipelineParams",
    "PopulationParams",
    "TrendParams",
    "job_key",
    "trend_dates",
]

EARLIEST, LATEST = dt.date(1900, 1, 1), dt.date(2199, 12, 31)
DEFAULT_TARGET = "promotion.superintendent"
#: People a job limited to the cache may still decide (records changed since).
CACHED_ONLY_AT_MOST = 500
PROJECTION_TARGET = "promotion.superintendent"


class JobParams(BaseModel):
    """What every job names: the library and the date the workforce is decided on."""

    model_config = {"extra": "forbid"}

    library: LibrarySpec
    as_of: dt.date = Field(description="The date the workforce is decided on")

    @field_validator("as_of")
    @classmethod
    def _in_range(cls, value: dt.date) -> dt.date:
        if not EARLIEST <= value <= LATEST:
            raise ValueError(f"reports cover {EARLIEST} to {LATEST}, not {value}")
        return value


class PopulationParams(JobParams):
    pathways: list[str] | None = Field(None, description="Only these pathways' stages")


class PipelineParams(JobParams):
    target: str = Field(DEFAULT_TARGET, max_length=120, description="pathway.stage")
    #: Set for officers' and admins' requests: decide nobody (the date is computed already).
    cached_only: bool = False


def _known_grouping(value: str) -> str:
    if value not in GROUPINGS:
        raise ValueError(f"'by' is one of {', '.join(GROUPINGS)}, not '{value[:30]}'")
    return value


class EqualityParams(JobParams):
    pathway: str | None = Field("promotion", max_length=60, description="None: every pathway")
    by: str = Field("ethnicity", max_length=30)
    reference: str | None = Field(None, max_length=60)

    @field_validator("by")
    @classmethod
    def _grouping(cls, value: str) -> str:
        return _known_grouping(value)


class ComplianceParams(JobParams):
    window: int = Field(WINDOW_DAYS, ge=0, le=3660, description="Days ahead counted as due")
    by: str = Field("ethnicity", max_length=30, description="The equality tables' grouping")

    @field_validator("by")
    @classmethod
    def _grouping(cls, value: str) -> str:
        return _known_grouping(value)


class TrendParams(EqualityParams):
    stage: str = Field(max_length=120, description="pathway.stage")


class ImpactParams(JobParams):
    proposed: LibrarySpec = Field(description="The library with the changed files")
    reference: str | None = Field(None, max_length=60)
    file: str | None = Field(None, max_length=200, description="The file changed, for the page")


class Context(Protocol):
    """What a job's computation is given by the worker running it."""

    def library(self, spec: LibrarySpec) -> tuple[Library, Path]: ...

    def steps(self, count: int) -> None:
        """The number of population runs the job makes (for its progress)."""

    def population(
        self,
        directory: Path,
        as_of: dt.date,
        *,
        pathways: Sequence[str] | None = None,
        label: str = "",
        cache: bool = True,
        decide_at_most: int | None = None,
    ) -> PopulationRun: ...

    def phase(self, words: str) -> None: ...

    def compliance(self, library: Library, as_of: dt.date, window: int) -> Compliance:
        """The compliance report over every stored record (with progress)."""


@dataclass(frozen=True)
class Kind:
    name: str
    words: str
    params: type[JobParams]
    start: frozenset[str]  # roles that may start one
    view: frozenset[str]  # roles that may see one
    compute: Callable[[Context, Any], dict[str, Any]]
    #: For the roles in ``start`` only where the date's population is computed already.
    start_if_computed: frozenset[str] = frozenset()

    def visible(self, result: dict[str, Any], role: str) -> dict[str, Any]:
        """The part of a result ``role`` may see."""
        if self.name == "pipeline" and role != "hr":
            return without_names(result)
        if self.name == "compliance" and role != "hr":
            return {**result, "entries": None}  # who must act, by name: hr only
        return result


def job_key(kind: str, params: JobParams) -> str:
    """The key of a job: the same for the same work (libraries by digest, not files)."""
    data = params.model_dump(mode="json")
    for name in ("library", "proposed"):
        if name in data:
            data[name] = data[name]["digest"]
    data.pop("cached_only", None)
    blob = json.dumps({"kind": kind, "params": data}, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()


def trend_dates(as_of: dt.date) -> list[dt.date]:
    """The date and the same day of each of the four years before, oldest first."""
    return [dt.date(as_of.year - n, as_of.month, min(as_of.day, 28)) for n in (4, 3, 2, 1)] + [
        as_of
    ]


def _names(library: Library) -> dict[str, str]:
    return {f"{p.id}.{s.id}": f"{s.name} ({p.name})" for p, s in library.stages()}


# --- the computations ------------------------------------------------------------------------


def _population(ctx: Context, p: PopulationParams) -> dict[str, Any]:
    library, directory = ctx.library(p.library)
    for pid in p.pathways or []:
        if pid not in library.pathways:
            raise ValueError(f"no pathway '{pid}' in library {p.library.digest[:12]}")
    run = ctx.population(directory, p.as_of, pathways=p.pathways, label="deciding")
    counts: list[Counter[int]] = [Counter() for _ in run.keys]
    for person in run.people:
        for i, code in enumerate(person.codes):
            counts[i][code] += 1
    return {
        "library_version": run.library_version,
        "as_of": p.as_of.isoformat(),
        "people": len(run.people),
        "decided": run.evaluated,
        "from_cache": run.cached,
        "seconds": round(run.seconds, 3),
        "engine": run.engine,
        "stages": {
            key: {STATUSES[code].value: n for code, n in sorted(c.items()) if code != NOT_DECIDED}
            for key, c in zip(run.keys, counts, strict=True)
        },
    }


def _stage_in(library: Library, key: str) -> str:
    if key not in _names(library):
        raise ValueError(f"no stage '{key[:120]}' in the library")
    return key


def _pipeline(ctx: Context, p: PipelineParams) -> dict[str, Any]:
    library, directory = ctx.library(p.library)
    _stage_in(library, p.target)
    # Officers' and admins' requests decide nobody but the few changed since the date was
    # computed: they never start a run of the whole workforce.
    run = ctx.population(
        directory,
        p.as_of,
        label="deciding",
        decide_at_most=CACHED_ONLY_AT_MOST if p.cached_only else None,
    )
    report = pipeline(run, p.target)
    return pipeline_data(report, _names(library)[p.target], len(run.people))


def _equality(ctx: Context, p: EqualityParams) -> dict[str, Any]:
    library, directory = ctx.library(p.library)
    if p.pathway and p.pathway not in library.pathways:
        raise ValueError(f"no pathway '{p.pathway}' in the library")
    run = ctx.population(directory, p.as_of, label="deciding")
    ctx.phase("making the tables")
    report = monitor(run, library, p.by, p.pathway or None, p.reference or None)
    _check_reference(report.stages, p)
    projection = None
    if p.pathway == "promotion" and PROJECTION_TARGET in run.keys:
        # Rounded to 5 and not under 10, as the pages and the API show it.
        projection = published(project(run, PROJECTION_TARGET, add_months(run.as_of, 24)))
    return equality_data(report, [], projection)


def _check_reference(stages: Sequence[Any], p: EqualityParams) -> None:
    if not p.reference:
        return
    stated = {r.group.id for s in stages for r in s.rows if r.group.stated and r.group.id != "all"}
    if p.reference not in stated:
        raise ValueError(
            f"no stated group '{p.reference[:40]}' by {p.by}; choose one of "
            + ", ".join(sorted(stated))
        )


def _trend(ctx: Context, p: TrendParams) -> dict[str, Any]:
    library, directory = ctx.library(p.library)
    _stage_in(library, p.stage)
    days = trend_dates(p.as_of)
    ctx.steps(len(days))
    runs = [ctx.population(directory, day, label=f"deciding as of {day}") for day in days]
    ctx.phase("making the tables")
    tables = trend(runs, library, p.stage, p.by, p.reference or None)
    _check_reference(tables, p)
    return {
        "stage": p.stage,
        "name": _names(library)[p.stage],
        "as_of": p.as_of.isoformat(),
        "by": p.by,
        "by_words": grouping_words(p.by),
        "reference": p.reference,
        "library_version": library.digest,
        "dates": [d.isoformat() for d in days],
        "trend": [stage_data(t) for t in tables],
    }


def _impact(ctx: Context, p: ImpactParams) -> dict[str, Any]:
    used, used_dir = ctx.library(p.library)
    proposed, proposed_dir = ctx.library(p.proposed)
    changed = changed_pathways(used, proposed)
    out: dict[str, Any] = {
        "in_use": used.digest,
        "digest": proposed.digest,
        "as_of": p.as_of.isoformat(),
        "changed_pathways": changed,
        "impact": None,
    }
    if not changed:
        return out
    before = [pid for pid in changed if pid in used.pathways]
    after = [pid for pid in changed if pid in proposed.pathways]
    ctx.steps(2)
    old = ctx.population(used_dir, p.as_of, pathways=before, label="the rules in use")
    # A proposal is previewed, not kept: its results are not worth the cache's writes.
    new = ctx.population(
        proposed_dir, p.as_of, pathways=after, label="the proposed rules", cache=False
    )
    ctx.phase("comparing")
    out["impact"] = impact_json(impact(old, new, used, proposed, p.reference or None))
    return out


def _compliance(ctx: Context, p: ComplianceParams) -> dict[str, Any]:
    library, _ = ctx.library(p.library)
    return compliance_rows(ctx.compliance(library, p.as_of, p.window), p.by)


_HR_EQ = frozenset({"hr", "equality"})
KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind("population", "population run", PopulationParams, _HR_EQ, _HR_EQ, _population),
        Kind(
            "pipeline",
            "succession pipeline",
            PipelineParams,
            _HR_EQ | {"officer", "admin"},
            frozenset({"hr", "equality", "officer", "admin"}),
            _pipeline,
            start_if_computed=frozenset({"officer", "admin"}),
        ),
        Kind("equality", "equality monitoring", EqualityParams, _HR_EQ, _HR_EQ, _equality),
        Kind("trend", "equality trend", TrendParams, _HR_EQ, _HR_EQ, _trend),
        Kind(
            "impact",
            "impact preview",
            ImpactParams,
            frozenset({"hr"}),
            frozenset({"hr"}),
            _impact,
        ),
        Kind("compliance", "compliance report", ComplianceParams, _HR_EQ, _HR_EQ, _compliance),
    )
}
#: Kinds whose finished jobs decided the whole workforce on their date with their library.
RUN_KINDS = ("population", "pipeline", "equality")
