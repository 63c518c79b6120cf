"""Property-based checking of pathway libraries with hypothesis.

- :mod:`authoring.testing.strategies`: valid records for a library (``records``),
  dates (``as_of_dates``), items that only add (``qualifying_items``);
- :mod:`authoring.testing.pending`: records waiting for a stage's periods while something
  they rest on ends (``pending_records``);
- :mod:`authoring.testing.oracle`: an independent evaluator of the requirement tree;
- :mod:`authoring.testing.properties`: the consistency properties;
- :mod:`authoring.testing.verify`: runs them (``pathways verify``).

See docs/verify.md for writing your own properties.
"""

from .oracle import Oracle
from .pending import PendingCase, pending_records
from .properties import PROPERTIES, Context, PropertyFailure, stages_with_not
from .strategies import as_of_dates, near_records, qualifying_items, records
from .verify import PROFILES, VerifyReport, describe, verify

__all__ = [
    "PROFILES",
    "PROPERTIES",
    "Context",
    "Oracle",
    "PendingCase",
    "PropertyFailure",
    "VerifyReport",
    "as_of_dates",
    "describe",
    "near_records",
    "pending_records",
    "qualifying_items",
    "records",
    "stages_with_not",
    "verify",
]
