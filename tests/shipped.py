"""The shipped pathway library, loaded once per test session.

Fixtures get it from tests/conftest.py (``library``, ``evaluator``); code that needs it
while tests are collected (parametrize lists, module constants) calls :func:`shipped`.
Shared by every test: never change it (load your own copy to edit one).
"""

from __future__ import annotations

from functools import cache

from pathways import SHIPPED_LIBRARY, Library, load_library

__all__ = ["shipped"]


@cache
def shipped() -> Library:
    """The shipped library (the same object on every call)."""
    return load_library([SHIPPED_LIBRARY])
