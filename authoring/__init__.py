"""Authoring tools for HR: the checker, example cases, and property-based verification.

- :mod:`authoring.checker`: finds problems in pathway files (``pathways check``);
- :mod:`authoring.cases`: example cases as YAML data (``pathways test``);
- :mod:`authoring.testing`: hypothesis strategies, an independent oracle and the
  consistency properties (``pathways verify``).

They use the language (:mod:`pathways`), the record (:mod:`accreditation`) and the engine
(:mod:`rules`), never the store or an interface.
"""

__all__: list[str] = []
