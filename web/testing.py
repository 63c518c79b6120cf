"""A small records store with users and tokens, for the web tests (and for trying it out)."""

from __future__ import annotations

from dataclasses import dataclass, field

from fastapi import FastAPI

from store import Store
from store.users import Users
from workforce.synthetic import generate_people

__all__ = ["PASSWORD", "Seeded", "routes", "seed"]

#: FastAPI's OpenAPI document: not a page or an API route (``/docs`` is a page of ours).
DOCS = {"/openapi.json"}

PASSWORD = "correct-horse-battery"


@dataclass
class Seeded:
    url: str
    officer: str  # the officer user's username and person id
    other: str  # another person's id
    hr: str = "hr"
    equality: str = "equality"
    admin: str = "admin"
    tokens: dict[str, str] = field(default_factory=dict)  # role -> bearer token


def seed(url: str, people: int = 12) -> Seeded:
    """``people`` synthetic people (seed 1), one user per role with :data:`PASSWORD`, and a
    bearer token per role."""
    store = Store(url)
    try:
        everyone = list(generate_people(people, seed=1))
        store.save_people(everyone, actor="test")
        officers = [p.id for p in everyone if p.kind.value == "officer"]
        officer, other = officers[0], next(p.id for p in everyone if p.id != officers[0])
        users = Users(store)
        users.add(officer, PASSWORD, "officer", officer, must_change=False)
        seeded = Seeded(url, officer, other)
        for role in ("hr", "equality", "admin"):
            users.add(role, PASSWORD, role, must_change=False)
        for role, name in (
            ("officer", officer),
            ("hr", "hr"),
            ("equality", "equality"),
            ("admin", "admin"),
        ):
            seeded.tokens[role] = users.new_token(name, f"test {role}")
        return seeded
    finally:
        store.close()


def routes(app: FastAPI) -> set[tuple[str, str]]:
    """Every ``(METHOD, path template)`` the app answers, without HEAD, the static files and
    the documentation routes; included routers are followed (with their prefixes).

    >>> from web.app import create_app
    >>> found = routes(create_app("sqlite://", workers=1))
    >>> ("GET", "/api/people/{person_id}/decisions") in found, ("GET", "/openapi.json") in found
    (True, False)
    """
    found: set[tuple[str, str]] = set()
    for route in app.routes:
        contexts = getattr(route, "effective_route_contexts", None)
        entries = (
            [(c.path, c.original_route) for c in contexts()]
            if contexts is not None
            else [(getattr(route, "path", ""), route)]
        )
        for path, original in entries:
            for method in getattr(original, "methods", None) or ():
                if method != "HEAD" and path not in DOCS:
                    found.add((method, path))
    return found
