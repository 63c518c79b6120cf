"""The API as other systems see it: an OpenAPI document a client generator can use (typed
responses, problem details on every error, how to authenticate, readable operation ids),
a client generated from it by ``openapi-python-client`` that calls a real server and gets
typed objects back, and /docs served from this server alone within the strict CSP."""

from __future__ import annotations

import datetime as dt
import importlib
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from api_kit import auth, problem
from fastapi.testclient import TestClient
from live_server import serving

from web.app import CSP
from web.testing import Seeded, seed

BIN = Path(sys.executable).parent
DAY = dt.date(2024, 6, 1)


@pytest.fixture(scope="module")
def spec(client: TestClient) -> dict[str, Any]:
    r = client.get("/openapi.json")
    assert r.status_code == 200
    body: dict[str, Any] = r.json()
    return body


def _operations(spec: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            yield method.upper(), path, operation


# --- the document ------------------------------------------------------------------------------


def test_operation_ids_are_readable_and_unique(spec: dict[str, Any]) -> None:
    ids = [op["operationId"] for _, _, op in _operations(spec)]
    assert len(ids) == len(set(ids)), "operation ids must be unique"
    for method, path, op in _operations(spec):
        name = op["operationId"]
        assert re.fullmatch(r"[a-z]+(_[a-z]+)*", name), (method, path, name)
        assert "api" not in name.split("_") and not name.endswith(("_get", "_post")), name
        assert op.get("tags") and op.get("summary"), (method, path)
    assert {op["operationId"] for _, _, op in _operations(spec)} >= {
        "get_me",
        "get_decision",
        "what_if",
        "get_route",
        "list_people",
        "get_record",
        "list_versions",
        "get_pipeline",
        "get_equality_monitoring",
        "preview_impact",
    }


def test_every_error_response_is_problem_details(spec: dict[str, Any]) -> None:
    schemas = spec["components"]["schemas"]
    problem_schema = schemas["ProblemDetails"]
    assert set(problem_schema["required"]) == {"type", "title", "status", "detail", "instance"}
    assert problem_schema["examples"][0]["status"] == 404
    assert "HTTPValidationError" not in schemas  # FastAPI's own 422 shape is never sent
    for method, path, op in _operations(spec):
        errors = {c: r for c, r in op["responses"].items() if c[0] in "45"}
        assert {"401", "422"} <= set(errors), (method, path)
        for code, response in errors.items():
            assert response["content"] == {
                "application/problem+json": {
                    "schema": {"$ref": "#/components/schemas/ProblemDetails"}
                }
            }, (method, path, code)
            assert response["description"] not in ("", "Problem details"), (method, path, code)


def test_every_success_response_has_a_schema(spec: dict[str, Any]) -> None:
    for method, path, op in _operations(spec):
        for code, response in op["responses"].items():
            if not code.startswith("2") or code == "204":
                continue
            content = response.get("content", {})
            assert content, (method, path, code)
            for media, body in content.items():
                schema = body.get("schema")
                if media == "image/svg+xml":
                    continue  # a drawing: its bytes
                typed = schema and ("$ref" in schema or schema.get("type"))
                union = schema and all("$ref" in one for one in schema.get("anyOf", [{}]))
                assert typed or union, (method, path, media)
                assert schema != {"type": "object"}, (method, path)


def test_security_schemes_bearer_and_session(spec: dict[str, Any]) -> None:
    schemes = spec["components"]["securitySchemes"]
    assert schemes["bearer"] == {**schemes["bearer"], "type": "http", "scheme": "bearer"}
    assert schemes["session"]["in"] == "cookie" and schemes["session"]["name"]
    for method, path, op in _operations(spec):
        if (method, path) == ("POST", "/api/tokens"):
            assert op["security"] == [{"session": []}]  # never made with another token
        else:
            assert op["security"] == [{"bearer": []}, {"session": []}], (method, path)


def test_models_carry_examples(spec: dict[str, Any]) -> None:
    schemas = spec["components"]["schemas"]
    for name in (
        *("Me", "PeoplePage", "RecordWritten", "VersionInfo", "ProblemDetails"),
        *("WhatIfRequest", "TokenRequest"),  # request bodies
    ):
        assert schemas[name].get("examples"), name
    decision = spec["paths"]["/api/people/{person_id}/decisions"]["get"]
    assert decision["responses"]["200"]["content"]["application/json"]["schema"]["anyOf"] == [
        {"$ref": "#/components/schemas/Decision"},  # detail=full
        {"$ref": "#/components/schemas/DecisionOverview"},  # detail=summary
    ]


def test_openapi_and_docs_have_the_strict_csp(client: TestClient) -> None:
    for url in ("/docs", "/openapi.json"):
        assert client.get(url).headers["content-security-policy"] == CSP
    assert "script-src 'self';" in CSP and "unsafe-eval" not in CSP


def test_docs_are_served_from_this_server(client: TestClient, seeded: Seeded) -> None:
    r = client.get("/docs")
    assert r.status_code == 200 and "text/html" in r.headers["content-type"]
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", r.text, re.S)
    assert [re.search(r'src="([^"]+)"', a).group(1) for a, _ in scripts if "src" in a] == [  # type: ignore[union-attr]
        "/docs/assets/swagger-ui-bundle.js",
        "/static/docs.js",
    ]
    assert all(not body.strip() for _, body in scripts), "no inline script"
    assert not re.search(r'(src|href)="(https?:)?//', r.text), "nothing from another origin"
    for asset, kind in (
        ("/docs/assets/swagger-ui-bundle.js", "javascript"),
        ("/docs/assets/swagger-ui.css", "text/css"),
        ("/static/docs.js", "javascript"),
    ):
        got = client.get(asset)
        assert got.status_code == 200 and kind in got.headers["content-type"], asset
    assert client.get("/redoc").status_code == 404  # it would load its script from a CDN
    problem(client.get("/docs/assets/nothing.js", headers={"Accept": "application/json"}), 404)
    assert client.get("/api/me", headers=auth(seeded, "officer")).status_code == 200


# --- a generated client against a running server -----------------------------------------------

CONFIG = """\
post_hooks: []
content_type_overrides:
  image/svg+xml: application/octet-stream
"""


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Seeded]]:
    tmp = tmp_path_factory.mktemp("generated")
    seeded = seed(f"sqlite:///{tmp / 'web.db'}", people=12)
    with serving(seeded.url, tmp) as base:
        yield base, seeded


@pytest.fixture(scope="module")
def generated(live: tuple[str, Seeded], tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The client ``openapi-python-client`` makes from the running server's document."""
    base, _ = live
    out = tmp_path_factory.mktemp("client")
    (out / "config.yaml").write_text(CONFIG)
    done = subprocess.run(
        [
            str(BIN / "openapi-python-client"),
            *("generate", "--url", f"{base}/openapi.json", "--meta", "none"),
            *("--output-path", str(out / "pathways_client")),
            *("--config", str(out / "config.yaml"), "--fail-on-warning"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    sys.path.insert(0, str(out))
    try:
        yield importlib.import_module("pathways_client")
    finally:
        sys.path.remove(str(out))
        for name in [m for m in sys.modules if m.startswith("pathways_client")]:
            del sys.modules[name]


def _module(package: Any, name: str) -> Any:
    return importlib.import_module(f"{package.__name__}.{name}")


def test_a_generated_client_gets_typed_objects(live: tuple[str, Seeded], generated: Any) -> None:
    base, seeded = live
    with (
        generated.AuthenticatedClient(base_url=base, token=seeded.tokens["hr"]) as hr,
        generated.AuthenticatedClient(base_url=base, token=seeded.tokens["officer"]) as officer,
    ):
        _calls(generated, seeded, hr, officer)


def _calls(generated: Any, seeded: Seeded, hr: Any, officer: Any) -> None:
    api = "api"
    models = _module(generated, "models")

    me = _module(generated, f"{api}.decisions.get_me").sync(client=officer)
    assert isinstance(me, models.Me) and me.person_id == seeded.officer
    assert me.role == models.Role.OFFICER

    get_decision = _module(generated, f"{api}.decisions.get_decision")
    decision = get_decision.sync(seeded.officer, client=officer, as_of=DAY)
    assert isinstance(decision, models.Decision) and decision.as_of == DAY
    stage = decision.stages[0]
    assert isinstance(stage, models.StageDecision) and isinstance(stage.status, models.Status)
    assert len(decision.library_version) == 64

    summary = get_decision.sync(
        seeded.officer, client=officer, as_of=DAY, detail=models.GetDecisionDetail.SUMMARY
    )
    assert isinstance(summary, models.DecisionOverview)
    assert [s.status for s in summary.stages] == [s.status for s in decision.stages]

    refused = get_decision.sync(seeded.other, client=officer)
    assert isinstance(refused, models.ProblemDetails) and refused.status == 403
    missing = get_decision.sync("W999999", client=hr)
    assert isinstance(missing, models.ProblemDetails) and "W999999" in missing.detail

    route = _module(generated, f"{api}.decisions.get_route").sync(
        seeded.officer, client=officer, to="Sergeant", as_of=DAY
    )
    assert isinstance(route, models.RouteResult) and route.goal == "promotion.sergeant"
    assert all(isinstance(s, models.RankedStep) for s in route.steps)

    body = models.WhatIfRequest(add=["course:pip_level_1@2024-07-01"])
    what_if = _module(generated, f"{api}.decisions.what_if").sync(
        seeded.officer, client=officer, body=body
    )
    assert isinstance(what_if, models.WhatIfResult) and what_if.before.as_of == what_if.as_of

    page = _module(generated, f"{api}.records.list_people").sync(client=hr, limit=5)
    assert isinstance(page, models.PeoplePage) and len(page.people) == 5
    assert isinstance(page.people[0].updated_at, dt.datetime)
    record = _module(generated, f"{api}.records.get_record").sync(seeded.officer, client=hr)
    assert isinstance(record, models.Person) and record.id == seeded.officer

    pathways = _module(generated, f"{api}.pathways.list_pathways").sync(client=officer)
    assert isinstance(pathways, models.Pathways)
    assert "promotion" in {p.id for p in pathways.pathways}

    versions = _module(generated, f"{api}.library.list_versions").sync(client=hr)
    assert isinstance(versions, list)  # none published in this store
    tokens = _module(generated, f"{api}.tokens.list_tokens").sync(client=hr)
    assert tokens and all(isinstance(t, models.ApiToken) for t in tokens)

    pipeline = _module(generated, f"{api}.reports.get_pipeline").sync(client=hr, as_of=DAY)
    assert isinstance(pipeline, models.PipelineReport)
    assert pipeline.total.business_group == "all" and pipeline.people == 12
