"""The JSON API (``/api``): who am I, decisions, what-if, pathways and their diagrams.

Records, the library and tokens are in :mod:`web.api_manage`. Every error is a problem
details document (RFC 9457); see :mod:`web.problems`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from accreditation.io import RecordError
from accreditation.record import ITEM_SECTIONS
from pathways.dates import Day
from pathways.model.pathway import Pathway
from rules.decision import Decision, DecisionOverview
from rules.protected import neutral
from rules.session import EngineError
from rules.whatif import parse_addition
from store.users import Role

from . import api_goal, api_route
from .apikit import ERRORS, PERSON_ID, PROBLEM, Caller, PersonId, invalid
from .auth import require_person
from .deps import decide_for, overview_for, person_for
from .diagram import draw
from .problems import Problem
from .schemas import Me, Pathways, WhatIfResult
from .state import service_of

__all__ = ["DecisionOverview", "WhatIfRequest", "router"]

router = APIRouter(prefix="/api")

AsOf = Annotated[
    Day | None,
    Query(description="Decide as of this date, YYYY-MM-DD (default: today)."),
]


Detail = Annotated[
    Literal["summary", "full"],
    Query(
        description="'summary': each stage's status and dates, and the next steps (a few KB); "
        "'full' (the default): also every requirement with its reasons, evidence and sources."
    ),
]


class WhatIfRequest(BaseModel):
    """Hypothetical items: as ``KIND:ID[:EXTRA]@DATE`` strings, or as record items."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"add": ["course:fsl_stage_3@2027-03-01", "rank:sergeant@2028-01-01"]},
                {"additions": {"courses": [{"course": "pip_level_2", "completed": "2026-09-01"}]}},
            ]
        },
    )

    add: list[str] = Field(
        default_factory=list,
        description="e.g. ['course:fsl_stage_3@2027-03-01', 'rank:sergeant@2028-01-01']",
        max_length=50,
    )
    additions: dict[str, list[dict[str, Any]]] = Field(
        default_factory=dict,
        description='Record items by section, e.g. {"courses": [{"course": "x", '
        '"completed": "2027-03-01"}]}',
    )
    as_of: Day | None = Field(
        None, description="Default: the latest added date, or today if later."
    )


@router.get(
    "/me",
    responses=ERRORS,
    response_model=Me,
    operation_id="get_me",
    tags=["decisions"],
    summary="Who the caller is",
)
def me(user: Caller) -> dict[str, Any]:
    return {"username": user.username, "role": user.role.value, "person_id": user.person_id}


@router.get(
    "/people/{person_id}/decisions",
    responses={**ERRORS, 503: PROBLEM},
    response_model=Decision | DecisionOverview,
    operation_id="get_decision",
    tags=["decisions"],
    summary="A person's decision",
)
def decisions(
    request: Request,
    person_id: PersonId,
    user: Caller,
    as_of: AsOf = None,
    detail: Detail = "full",
) -> Any:
    """Every stage in force on ``as_of``, with next steps; with ``detail=full`` also every
    requirement's reasons, evidence and sources (about 75 KB, against 4-8 KB summarised;
    both gzip-compressed for clients that accept it)."""
    require_person(user, person_id)
    person = person_for(request, person_id)
    # Serialised by pydantic in one call: FastAPI's encoder would walk the 75 KB decision
    # again (5.7 ms against 0.16 ms per response, measured).
    if detail == "summary":  # no requirement trees: no protected criteria to word
        overview = overview_for(request, person, as_of)
        return Response(overview.model_dump_json(exclude_none=True), media_type="application/json")
    decision = decide_for(request, person, as_of)
    if user.role is Role.OFFICER:  # positive-action criteria worded neutrally (docs/web.md)
        decision = neutral(decision, service_of(request).library(decision.as_of).library)
    return Response(decision.model_dump_json(), media_type="application/json")


@router.post(
    "/people/{person_id}/what-if",
    responses={**ERRORS, 503: PROBLEM},
    response_model=WhatIfResult,
    tags=["decisions"],
    summary="What if",
)
def what_if(
    request: Request,
    person_id: PersonId,
    user: Caller,
    body: Annotated[WhatIfRequest, Body()],
) -> Any:
    """The decision without and with hypothetical items, and the stages that change."""
    require_person(user, person_id)
    additions = parse_additions(body.add, body.additions)
    person = person_for(request, person_id)
    service = service_of(request)
    try:
        result = service.what_if(person, additions, body.as_of)
    except RecordError as exc:
        raise invalid(
            "the record with these items is not valid",
            [
                {"field": "body.additions", "message": f"{p.path}: {p.message}", "code": p.code}
                for p in exc.problems
            ],
        ) from None
    except (ValueError, TypeError) as exc:  # a date that is not a date, in an item
        raise invalid(
            f"a hypothetical item is not valid: {exc}",
            [{"field": "body.additions", "message": str(exc)}],
        ) from None
    except EngineError as exc:
        raise Problem(503, str(exc), title="Rules engine unavailable", kind="engine") from None
    library = service.library(result.as_of).library
    if user.role is Role.OFFICER:
        result = result.model_copy(
            update={
                "before": neutral(result.before, library),
                "after": neutral(result.after, library),
            }
        )
    # The result carries its warnings (added ids the catalogue does not know, with "did
    # you mean"; added items dated after the as-of date).
    return JSONResponse(result.model_dump(mode="json"))  # JSON-ready: no second walk


def parse_additions(
    specs: list[str], items: dict[str, list[dict[str, Any]]]
) -> dict[str, list[dict[str, Any]]]:
    """Both forms of hypothetical items, merged by section.

    Raises:
        Problem(422): naming each bad item.
    """
    errors: list[dict[str, Any]] = []
    additions: dict[str, list[dict[str, Any]]] = {}
    for i, spec in enumerate(specs):
        try:
            section, item = parse_addition(spec)
        except ValueError as exc:
            errors.append({"field": f"body.add[{i}]", "message": str(exc)})
            continue
        additions.setdefault(section, []).append(item)
    for section, listed in items.items():
        if section not in ITEM_SECTIONS:
            errors.append(
                {
                    "field": f"body.additions.{section}",
                    "message": f"unknown section '{section}': use one of "
                    + ", ".join(ITEM_SECTIONS),
                }
            )
            continue
        additions.setdefault(section, []).extend(listed)
    if not errors and not additions:
        errors.append({"field": "body", "message": "add at least one hypothetical item"})
    if errors:
        raise invalid("; ".join(f"{e['field']}: {e['message']}" for e in errors), errors)
    return additions


router.include_router(api_route.router)
router.include_router(api_goal.router)


@router.get(
    "/pathways",
    responses=ERRORS,
    response_model=Pathways,
    tags=["pathways"],
    summary="The pathways in use",
)
def list_pathways(request: Request, user: Caller) -> Any:
    used = service_of(request).library()
    return {
        "library_version": used.library.digest,
        "pathways": [
            {
                "id": p.id,
                "name": p.name,
                "source": p.source,
                "stages": [{"id": s.id, "name": s.name} for s in p.stages],
            }
            for p in used.library.pathways.values()
        ],
    }


@router.get(
    "/pathways/{pathway_id}",
    responses=ERRORS,
    response_model=Pathway,
    tags=["pathways"],
    summary="One pathway's rules",
)
def get_pathway(request: Request, pathway_id: str, user: Caller) -> Any:
    library = service_of(request).library().library
    pathway = library.pathways.get(pathway_id)
    if pathway is None:
        raise Problem(
            404,
            f"no pathway '{pathway_id}'; known: {', '.join(library.pathways)}",
            kind="not-found",
        )
    return JSONResponse(pathway.model_dump(mode="json", by_alias=True, exclude_none=True))


@router.get(
    "/pathways/{pathway_id}/diagram.svg",
    responses={
        **ERRORS,
        200: {"content": {"image/svg+xml": {}}, "description": "The diagram"},
        304: {"description": "Not modified (If-None-Match)"},
        503: PROBLEM,
    },
    response_class=Response,
    operation_id="get_pathway_diagram",
    tags=["pathways"],
    summary="A pathway's diagram (SVG), optionally with a person's position on it",
)
def diagram_svg(
    request: Request,
    pathway_id: str,
    user: Caller,
    person: Annotated[
        str | None,
        Query(pattern=PERSON_ID, description="Draw this person's decision on it"),
    ] = None,
    as_of: AsOf = None,
) -> Response:
    """Stages in progression order with their requirements; nodes have ids
    (``PATHWAY__STAGE``) and tooltips, and link to ``#stage-PATHWAY-STAGE``; stages of
    other pathways link to that pathway's diagram. With ``person`` (same access as
    decisions: an officer only their own) each stage shows that person's status on
    ``as_of`` (default today), with a key and a caption naming the rules version."""
    used = service_of(request).library()
    library = used.library
    if pathway_id not in library.pathways:
        raise Problem(
            404,
            f"no pathway '{pathway_id}'; known: {', '.join(library.pathways)}",
            kind="not-found",
        )
    if person is None and as_of is not None:
        raise invalid(
            "as_of needs person: a diagram without a person shows no statuses",
            [{"field": "query.as_of", "message": "only with query.person"}],
        )
    decision = None
    if person is not None:
        require_person(user, person)
        decision = decide_for(request, person_for(request, person), as_of)
    else:
        tag = f'"{library.digest[:32]}-{pathway_id}"'
        if request.headers.get("if-none-match") == tag:
            return Response(status_code=304, headers={"ETag": tag})
    drawing = draw(
        library,
        pathway_id,
        decision,
        external=lambda p, s: f"/api/pathways/{p}/diagram.svg",
    )
    if drawing.svg is None:
        raise Problem(
            503,
            f"the diagram of '{pathway_id}' cannot be drawn just now: {drawing.unavailable}",
            title="Diagram unavailable",
            kind="diagram",
        )
    headers = {
        # Opened on its own, the SVG may not run scripts or load anything.
        "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
        "Cache-Control": "no-store" if person is not None else "private, max-age=300",
    }
    if person is None:
        headers["ETag"] = f'"{library.digest[:32]}-{pathway_id}"'
    return Response(drawing.svg, media_type="image/svg+xml", headers=headers)
