"""Every route of the web app is called by some test (a new route without a test fails here).

The web tests are read as source: each ``client.get("/path")``-style call (also with an
f-string path, whose ``{...}`` parts match any path segment) and each ``page.goto(...)``
counts as a call of that method and path.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

from web.app import create_app

HERE = Path(__file__).parent
METHODS = {"get", "post", "put", "delete", "patch"}


def app_routes() -> set[tuple[str, str]]:
    app = create_app("sqlite://", workers=1)
    found: set[tuple[str, str]] = set()

    def walk(routes: list[Any]) -> None:
        for route in routes:
            if hasattr(route, "original_router"):  # FastAPI's included routers
                walk(route.original_router.routes)
            elif hasattr(route, "methods") and route.methods:
                for method in route.methods - {"HEAD"}:
                    found.add((method, route.path))

    walk(app.routes)
    skip = {"/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc"}
    return {(m, p) for m, p in found if p not in skip}


def _text(node: ast.expr) -> str | None:
    """A call's path argument as text, with f-string parts as ``\\x00``."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else "\x00" for v in node.values)
    return None


def calls_in_tests() -> set[tuple[str, str]]:
    """(METHOD, path) of every call in the tests. A call whose path is a variable counts
    for every path literal of the same test function (``url = f"/x/{id}"; c.get(url)``)."""
    calls: set[tuple[str, str]] = set()
    for file in HERE.glob("test_*.py"):
        tree = ast.parse(file.read_text(encoding="utf-8"))
        for func in ast.walk(tree):
            if isinstance(func, ast.FunctionDef):
                calls |= _calls_in(func)
    return calls


def _calls_in(func: ast.FunctionDef) -> set[tuple[str, str]]:
    paths = {
        t.split("?")[0]
        for node in ast.walk(func)
        if isinstance(node, ast.expr) and (t := _text(node)) is not None and t.startswith("/")
    }
    calls: set[tuple[str, str]] = set()
    for node in ast.walk(func):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        name = node.func.attr
        if name not in METHODS | {"goto"} or not node.args:
            continue
        method = "GET" if name == "goto" else name.upper()
        text = _text(node.args[0])
        if text is None:
            calls |= {(method, p) for p in paths}
            continue
        if name == "goto":  # playwright: a full URL
            text = re.sub(r"^(\x00|https?://[^/]+)", "", text)
        calls.add((method, text.split("?")[0]))
    return calls


def _matches(route: str, call: str) -> bool:
    pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(route))
    return re.fullmatch(pattern, call.replace("\x00", "X")) is not None


def test_every_route_is_called_by_a_test() -> None:
    calls = calls_in_tests()
    untested = sorted(
        f"{method} {path}"
        for method, path in app_routes()
        if not any(m == method and _matches(path, c) for m, c in calls)
    )
    assert not untested, "routes no test calls: " + ", ".join(untested)


def test_the_route_check_sees_a_route_that_is_not_called() -> None:
    assert _matches("/api/people/{person_id}", "/api/people/X")
    assert not _matches("/api/people/{person_id}", "/api/people/X/decisions")
    assert ("GET", "/api/me") in calls_in_tests()
    assert ("GET", "/api/never-called") not in calls_in_tests()
