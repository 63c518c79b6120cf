"""A small records store with users and tokens, for the web tests (and for trying it out)."""

from __future__ import annotations

from dataclasses import dataclass, field

from accreditation.store import Store
from accreditation.synthetic import generate_people

from .users import Users

__all__ = ["PASSWORD", "Seeded", "seed"]

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
        users.add(officer, PASSWORD, "officer", officer)
        seeded = Seeded(url, officer, other)
        for role in ("hr", "equality", "admin"):
            users.add(role, PASSWORD, role)
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
