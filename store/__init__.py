"""Storage of records, published library versions and the audit log (SQLAlchemy 2)."""

from .store import (
    ANY,
    DEFAULT_URL,
    AuditEntry,
    LibraryVersion,
    PersonRow,
    SaveStats,
    StaleLibrary,
    StaleRecord,
    Store,
    StoreError,
    default_url,
)

__all__ = [
    "ANY",
    "DEFAULT_URL",
    "AuditEntry",
    "LibraryVersion",
    "PersonRow",
    "SaveStats",
    "StaleLibrary",
    "StaleRecord",
    "Store",
    "StoreError",
    "default_url",
]
