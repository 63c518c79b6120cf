"""Matching the compiled rules' patterns in plain Python.

The ruleset :func:`rules.compile.compile_library` writes for durable-rules is data
(``t``, ``$and``, ``$or``, ``$gte``, ``$lte``, equality); here each pattern becomes a
Python predicate over the same facts. The batch evaluator matches every rule this way
(``tests/test_batch.py`` proves it equal to durable-rules), and the assessor check
(:mod:`rules.assessors`) matches one stage's held rule against another person's facts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

__all__ = ["Fact", "Rule", "add_fact", "index_facts"]

Fact = dict[str, Any]
Test = Callable[[Fact], bool]
_MISSING = object()


_OPS = {"$gte": ">=", "$lte": "<=", "$gt": ">", "$lt": "<", "$neq": "!="}


def _source(pattern: dict[str, Any], names: dict[str, Any]) -> str:
    """Python source of a test of fact ``f`` for one durable-rules pattern (the subset
    the compiler writes); constants go in ``names`` (never into the source text)."""

    def const(value: Any) -> str:
        name = f"c{len(names)}"
        names[name] = value
        return name

    parts = []
    for key, value in pattern.items():
        if key == "$and":
            parts += [f"({_source(p, names)})" for p in value] or ["True"]
        elif key == "$or":
            parts.append("(" + " or ".join(f"({_source(p, names)})" for p in value) + ")")
        elif key in _OPS:
            ((field_name, bound),) = value.items()
            got = f"f.get({const(field_name)}, M)"
            parts.append(f"({got} is not M and {got} {_OPS[key]} {const(bound)})")
        elif key.startswith("$"):
            raise ValueError(f"the batch evaluator does not know the pattern operator '{key}'")
        else:
            parts.append(f"f.get({const(key)}, M) == {const(value)}")
    return " and ".join(parts) or "True"


def _compile(pattern: dict[str, Any]) -> tuple[str | None, tuple[str, Any] | None, Test]:
    """(fact type, one equality to look facts up by, the whole test) for a pattern."""
    fact_type: str | None = None
    key: tuple[str, Any] | None = None
    tests = pattern.get("$and", [pattern]) if len(pattern) == 1 else [pattern]
    for part in tests:
        if isinstance(part, dict) and len(part) == 1:
            ((name, value),) = part.items()
            if name == "t":
                fact_type = str(value)
            elif not name.startswith("$") and key is None and isinstance(value, str | int):
                key = (name, value)
    names: dict[str, Any] = {"M": _MISSING}
    # The source is made above from the compiled patterns; every value is bound as a
    # name, never spliced into the text.
    test: Test = eval(f"lambda f: {_source(pattern, names)}", names)
    return fact_type, key, test


class Rule:
    """One rule: a pattern per fact it joins; fires if every pattern matches some fact."""

    __slots__ = ("name", "patterns")

    def __init__(self, name: str, definition: dict[str, Any]):
        self.name = name
        self.patterns = [_compile(p) for binding in definition["all"] for p in binding.values()]

    def match(self, index: dict[Any, list[Fact]]) -> list[Fact] | None:
        matched: list[Fact] = []
        for fact_type, key, test in self.patterns:
            pool = index.get((fact_type, *key) if key else fact_type, ())
            found = [f for f in pool if test(f)]
            if not found:
                return None
            matched += found
        return matched


def index_facts(facts: Iterable[Fact]) -> dict[Any, list[Fact]]:
    """Facts by type, and by (type, field, value) for each field."""
    index: dict[Any, list[Fact]] = defaultdict(list)
    for fact in facts:
        add_fact(index, fact)
    return index


def add_fact(index: dict[Any, list[Fact]], fact: Fact) -> None:
    t = fact["t"]
    index[t].append(fact)
    index[None].append(fact)
    for name, value in fact.items():
        if isinstance(value, str | int) and name not in ("t", "sid"):
            index[(t, name, value)].append(fact)
