"""Schemathesis against the app's OpenAPI schema: no input the schema allows (and none it
does not) makes the API answer 5xx; 4xx answers are problem details; and every answer is
as the document says (its status code is listed, its body matches the listed schema, its
content type is the listed one), so a client generated from the document can read it.

The app runs in process (ASGI) on a small seeded SQLite store; requests carry an hr bearer
token (the widest access). ``PATHWAYS_LONG_TESTS=1`` tries more examples per operation.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from web.app import create_app
from web.testing import seed

_DB = Path(tempfile.mkdtemp(prefix="schemathesis-")) / "web.db"
SEEDED = seed(f"sqlite:///{_DB}", people=12)
APP = create_app(SEEDED.url, workers=1)
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)
EXAMPLES = 150 if os.environ.get("PATHWAYS_LONG_TESTS") == "1" else 15


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
)
def test_no_api_input_gives_a_server_error(case: schemathesis.Case) -> None:
    response = case.call(headers={"Authorization": f"Bearer {SEEDED.tokens['hr']}"})
    assert response.status_code < 500, (case.method, case.formatted_path, response.text[:300])
    if 400 <= response.status_code < 500 and response.status_code != 405:
        found = response.headers.get("content-type") or [""]
        content_type = found[0] if isinstance(found, list) else str(found)
        assert content_type.startswith("application/problem+json"), (
            case.method,
            case.formatted_path,
            response.status_code,
        )
    case.validate_response(
        response,
        checks=[status_code_conformance, content_type_conformance, response_schema_conformance],
    )
