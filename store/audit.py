"""Audit entries for what web users and admins do to accounts and tokens.

Records and library versions are audited by the store itself
(:class:`store.Store`); this writes the same ``audit_log`` table for
users and tokens, inside the caller's transaction so the change and its entry
commit together.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, insert

from .schema import audit_log

__all__ = ["audit"]


def audit(
    conn: Connection,
    actor: str,
    action: str,
    target: str,
    before: Any = None,
    after: Any = None,
) -> None:
    """Add one audit entry (``actor`` did ``action`` to ``target``) in ``conn``'s transaction.

    Never put a password or a token in ``before`` / ``after``: only what changed.
    """
    conn.execute(
        insert(audit_log),
        [
            {
                "at": dt.datetime.now(dt.UTC),
                "actor": actor[:100],
                "action": action,
                "target": target[:100],
                "before": before,
                "after": after,
            }
        ],
    )
