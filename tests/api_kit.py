"""Helpers the JSON API tests share."""

from __future__ import annotations

from typing import Any

from web.testing import Seeded

PROBLEM = "application/problem+json"


def auth(seeded: Seeded, role: str) -> dict[str, str]:
    """The bearer-token header of ``role``'s user."""
    return {"Authorization": f"Bearer {seeded.tokens[role]}"}


def problem(response: Any, status: int) -> dict[str, Any]:
    """The problem details of ``response``, checked to be RFC 9457 with ``status``."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["type"].startswith("https://") and body["title"] and body["detail"]
    assert body["instance"].startswith("/")
    return body
