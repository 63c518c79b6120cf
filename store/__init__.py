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
    StoredRecord,
    StoreError,
    default_url,
    stored_records,
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
    "StoredRecord",
    "default_url",
    "stored_records",
]
