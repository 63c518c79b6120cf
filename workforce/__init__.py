"""Whole-workforce services over the store: import, synthetic data, population runs, the
impact of a rule change, equality statistics, workforce reports and CSV export.

They use the store (:mod:`store`), the engine (:mod:`rules`), the record and the language,
never an interface (:mod:`cli`, :mod:`web`).
"""

__all__: list[str] = []
