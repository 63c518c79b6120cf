"""Exports to other systems' standards: pathways as CTDL, held stages as Open Badges 3.0.

Pure functions of the library (and, for badges, a record and its decision):
they read nothing from disk and return plain ``dict`` s ready for
``json.dumps``. The ``pathways export-standard`` command and any web layer
wrap them. See ``docs/exports.md`` for the mappings.

>>> from pathways import SHIPPED_LIBRARY, load_library
>>> doc = pathway_to_ctdl(load_library([SHIPPED_LIBRARY]), "fsl")
>>> doc["@context"]
'https://credreg.net/ctdl/schema/context/json'
"""

from .badges import (
    ACHIEVEMENT_TYPES,
    OB3_CONTEXT,
    OB3_CREDENTIAL_SCHEMA,
    NotHeldError,
    achievement_credential,
)
from .ctdl import (
    AWARD_COMPONENT_TYPES,
    CTDL_CONTEXT,
    DEFAULT_BASE_URI,
    EXTENSION_NAMESPACE,
    EXTENSION_PREFIX,
    LIFE_CYCLE_STATUS,
    LOGICAL_OPERATORS,
    UnknownStageError,
    component_uri,
    ctid,
    owner_uri,
    pathway_to_ctdl,
)

__all__ = [
    "ACHIEVEMENT_TYPES",
    "AWARD_COMPONENT_TYPES",
    "CTDL_CONTEXT",
    "DEFAULT_BASE_URI",
    "EXTENSION_NAMESPACE",
    "EXTENSION_PREFIX",
    "LIFE_CYCLE_STATUS",
    "LOGICAL_OPERATORS",
    "OB3_CONTEXT",
    "OB3_CREDENTIAL_SCHEMA",
    "NotHeldError",
    "UnknownStageError",
    "achievement_credential",
    "component_uri",
    "ctid",
    "owner_uri",
    "pathway_to_ctdl",
]
