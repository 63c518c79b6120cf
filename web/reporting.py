"""What a workforce report's page and its API route share: the population run, the report
itself with its access rule, and the CSV download. A report is made here once, so the page
(:mod:`web.reports`) and the JSON and CSV of the API (:mod:`web.api_reports`) give the same
figures to the same people.

Adding a report (docs/web.md, "Adding a report"): a function here that checks the caller's
role and returns the report; a page in :mod:`web.reports` and a route in
:mod:`web.api_reports` that call it; its JSON shape in :mod:`web.schemas`.

Population runs are made by :mod:`web.runs` (who may start one, one at a time, kept per
process and in the store's population cache), so only the first report of a date is slow.
"""

from __future__ import annotations

import datetime as dt
import io
import tempfile
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import Response

from accreditation.periods import add_months
from pathways.loader import load_library
from pathways.model.library import Library
from pathways.suggest import did_you_mean
from store import Store
from store.users import Role, User
from workforce.csvsafe import dict_writer
from workforce.impact import ImpactReport, changed_pathways, impact
from workforce.population import PopulationRun, evaluate_population
from workforce.reports import (
    CATEGORIES,
    GROUPINGS,
    EqualityReport,
    Pipeline,
    Projection,
    StageEquality,
    monitor,
    pipeline,
    project,
    published,
    trend,
)

from .auth import require_role
from .library import LibraryCheck
from .problems import Problem
from .runs import PopulationRuns
from .service import write_library

__all__ = [
    "CHARACTERISTICS",
    "DEFAULT_TARGET",
    "characteristic_counts",
    "csv_response",
    "equality_report",
    "equality_trend",
    "impact_preview",
    "in_use",
    "pipeline_report",
    "pipeline_rows",
    "population",
    "promotion_projection",
    "reference_choices",
    "stage_names",
    "stage_of",
]

DEFAULT_TARGET = "promotion.superintendent"
#: The protected characteristics counted by ``/equality``.
CHARACTERISTICS = ("gender", "ethnicity", "disability")


def in_use(request: Request) -> Library:
    """The library decisions are made with."""
    library: Library = request.app.state.service.library().library
    return library


def population(request: Request, user: User, as_of: dt.date | None) -> PopulationRun:
    """The run of the stored workforce with the library in use on ``as_of``; who may start
    one (and so ask for a date not computed yet), and one at a time, is decided in
    :mod:`web.runs`."""
    runs: PopulationRuns = request.app.state.runs
    return runs.run(request, user, as_of)


def stage_of(run: PopulationRun, text: str) -> str:
    """``text`` if the run decided that stage (``pathway.stage``).

    Raises:
        Problem(404): naming the nearest stage.
    """
    keys = run.people[0].keys if run.people else ()
    if text not in keys:
        near = did_you_mean(text, keys)
        raise Problem(
            404,
            f"no stage '{text[:120]}' in the library in use"
            + (f"; did you mean {near}?" if near else ""),
            kind="not-found",
        )
    return text


def stage_names(library: Library) -> dict[str, str]:
    """``pathway.stage`` -> "Stage (Pathway)"."""
    return {f"{p.id}.{s.id}": f"{s.name} ({p.name})" for p, s in library.stages()}


def csv_response(rows: list[dict[str, Any]], name: str) -> Response:
    """``rows`` as a CSV download named ``name`` (a header of the first row's keys)."""
    out = io.StringIO()
    writer = dict_writer(out, list(rows[0]) if rows else ["none"], lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


# --- the pipeline: counts for everyone signed in, names for hr -----------------------------


def pipeline_report(
    request: Request, user: User, target: str, as_of: dt.date | None
) -> tuple[Pipeline, PopulationRun, bool]:
    """The succession pipeline for ``target``, its run, and whether ``user`` may see names
    (hr only)."""
    run = population(request, user, as_of)
    return pipeline(run, stage_of(run, target)), run, user.role is Role.HR


def pipeline_rows(report: Pipeline, names: bool) -> list[dict[str, Any]]:
    """The pipeline's CSV rows (people's ids only if ``names``)."""
    return [
        {
            "target": report.target,
            "as_of": report.as_of.isoformat(),
            "business_group": r.group,
            **{c: getattr(r, c) for c in CATEGORIES},
            **({f"{c}_people": " ".join(r.people[c]) for c in CATEGORIES} if names else {}),
        }
        for r in [*report.rows, report.total]
    ]


# --- equality monitoring: equality and hr only ----------------------------------------------


def equality_report(
    request: Request,
    user: User,
    pathway: str | None,
    by: str,
    as_of: dt.date | None,
    reference: str | None,
) -> tuple[EqualityReport, PopulationRun]:
    """Equality monitoring of ``pathway`` (or every pathway) by ``by``.

    Raises:
        Problem(403): unless ``user`` is equality or hr; checked before anything is read.
        Problem(404, 422): an unknown pathway, grouping or reference group.
    """
    require_role(user, Role.EQUALITY, Role.HR)
    if by not in GROUPINGS:
        raise Problem(
            422, f"'by' is one of {', '.join(GROUPINGS)}, not '{by[:30]}'", kind="validation"
        )
    library = in_use(request)
    if pathway and pathway not in library.pathways:
        raise Problem(404, f"no pathway '{pathway}' in the library in use", kind="not-found")
    run = population(request, user, as_of)
    report = monitor(run, library, by, pathway or None, reference or None)
    if reference:
        choices = reference_choices(report)
        if reference not in dict(choices):
            raise Problem(
                422,
                f"no stated group '{reference[:40]}' by {report.grouping_words}; "
                f"choose one of {', '.join(g for g, _ in choices)}",
                kind="validation",
            )
    return report, run


def reference_choices(report: EqualityReport) -> list[tuple[str, str]]:
    """The stated groups of the report's tables, as (id, words), in table order."""
    seen: dict[str, str] = {}
    for stage in report.stages:
        for row in stage.rows:
            if row.group.stated and row.group.id != "all":
                seen.setdefault(row.group.id, row.group.words)
    return list(seen.items())


def equality_trend(
    request: Request,
    user: User,
    run: PopulationRun,
    stage: str,
    by: str,
    reference: str | None,
) -> list[StageEquality]:
    """One stage's table on this date and the same day of each of the four years before."""
    stage_of(run, stage)
    years = [
        dt.date(run.as_of.year - n, run.as_of.month, min(run.as_of.day, 28)) for n in (4, 3, 2, 1)
    ]
    runs = [population(request, user, d) for d in years] + [run]
    return trend(runs, in_use(request), stage, by, reference or None)


def promotion_projection(run: PopulationRun, pathway: str | None) -> Projection | None:
    """For the promotion ladder: BME superintendents in two years, with and without the
    positive-action programme; None for other pathways."""
    if pathway != "promotion" or not run.people or DEFAULT_TARGET not in run.people[0].keys:
        return None
    return published(project(run, DEFAULT_TARGET, add_months(run.as_of, 24)))


def characteristic_counts(request: Request, user: User) -> dict[str, list[tuple[str | None, int]]]:
    """Records by each protected characteristic, most first (None: not recorded).

    Raises:
        Problem(403): unless ``user`` is equality.
    """
    require_role(user, Role.EQUALITY)
    store: Store = request.app.state.store
    return {column: store.characteristic_counts(column) for column in CHARACTERISTICS}


# --- the impact of a rule change, before publishing: hr only ---------------------------------


def impact_preview(
    request: Request, user: User, check: LibraryCheck, day: dt.date, reference: str | None
) -> tuple[list[str], ImpactReport | None]:
    """The pathways whose rules ``check`` changes, and who gains and who loses each stage in
    the stored workforce on ``day`` (None if no pathway's rules change). Only the changed
    pathways (and those whose rules refer to them) are decided, once per version.

    Raises:
        Problem(403): unless ``user`` is hr.
    """
    require_role(user, Role.HR)
    used = request.app.state.service.library()
    store = request.app.state.store
    with tempfile.TemporaryDirectory(prefix="pathways-impact-") as tmp:
        write_library(check.files, Path(tmp))
        proposed = load_library([tmp])
        changed = changed_pathways(used.library, proposed)
        if not changed:
            return changed, None
        before = [p for p in changed if p in used.library.pathways]
        after = [p for p in changed if p in proposed.pathways]
        old = evaluate_population(store, [used.directory], day, pathways=before)
        new = evaluate_population(store, [tmp], day, pathways=after)
        return changed, impact(old, new, used.library, proposed, reference or None)
