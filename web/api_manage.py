"""The JSON API for managing things, under ``/api``: records (:mod:`web.api_records`), the
pathway library and its versions (:mod:`web.api_library`), and API tokens
(:mod:`web.api_tokens`). Decisions, what-if, pathways and diagrams are in :mod:`web.api`.

Every error is a problem details document (RFC 9457); see :mod:`web.problems`.
"""

from __future__ import annotations

from fastapi import APIRouter

from . import api_library, api_records, api_tokens

__all__ = ["router"]

router = APIRouter(prefix="/api")
router.include_router(api_records.router)
router.include_router(api_library.router)
router.include_router(api_tokens.router)
