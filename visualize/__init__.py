"""Pathway diagrams with graphviz, imported lazily (issue 5)."""

__all__: list[str] = []
