"""Storage of records, published library versions and the audit log (SQLAlchemy 2)."""

from .store import (
    DEFAULT_URL,
    AuditEntry,
    LibraryVersion,
    SaveStats,
    Store,
    StoreError,
    default_url,
)

__all__ = [
    "DEFAULT_URL",
    "AuditEntry",
    "LibraryVersion",
    "SaveStats",
    "Store",
    "StoreError",
    "default_url",
]
