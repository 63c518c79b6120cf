"""Request bodies counted as they arrive: an ASGI wrapper around ``receive``.

A ``Content-Length`` over the limit is refused before anything is read; a chunked body
(no ``Content-Length``) is counted chunk by chunk and refused with 413 as soon as it
passes the limit, so no route, form parser or JSON decoder ever holds more than
:data:`MAX_BODY` bytes of one request. Sign-in and sign-out take a body without a session
(everything else needs one, checked before the body is read: :mod:`web.app`), so theirs is
small.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from starlette.exceptions import HTTPException

from .problems import PROBLEM_TYPE

__all__ = ["MAX_BODY", "OPEN_BODY", "BodyLimit", "body_limit", "has_body"]

#: The largest request body (a pathway file of 1 MB, with room for form encoding).
MAX_BODY = 2_500_000
#: Forms anyone may post without signing in, and the most each may send.
OPEN_BODY = {"/login": 16_384, "/logout": 16_384}

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def body_limit(path: str) -> int:
    return OPEN_BODY.get(path, MAX_BODY)


def _too_large(size: str, limit: int) -> str:
    return (
        f"the request body is {size} bytes; the most this server accepts here is "
        f"{limit:,} (a pathway file is at most 1 MB)"
    )


def has_body(headers: Any) -> bool:
    """True if a request says it sends a body (a length over 0, or chunks)."""
    length = headers.get("content-length", "")
    return (length.isdigit() and int(length) > 0) or "chunked" in headers.get(
        "transfer-encoding", ""
    ).lower()


class BodyLimit:
    """The outermost middleware: 413 for a body over the limit, declared or counted."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = body_limit(scope["path"])
        length = dict(scope["headers"]).get(b"content-length", b"").decode("latin-1")
        if length.isdigit() and int(length) > limit:
            await _answer_413(send, scope["path"], _too_large(f"{int(length):,}", limit))
            return
        seen = 0
        exceeded = started = replaced = False
        detail = _too_large(f"over {limit:,}", limit)

        async def counted() -> Message:
            nonlocal seen, exceeded
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    # Raised into whoever reads the body (a route, FastAPI's body parsing,
                    # the form parser); whatever they make of it, the answer is a 413.
                    exceeded = True
                    raise _TooLarge(413, detail)
            return message

        async def sending(message: Message) -> None:
            nonlocal started, replaced
            if replaced:
                return  # the rest of a response that the 413 replaced
            if message["type"] == "http.response.start":
                if exceeded and message["status"] != 413:
                    replaced = True  # e.g. a parser that turned it into a 400
                    await _answer_413(send, scope["path"], detail)
                    return
                started = True
            await send(message)

        try:
            await self.app(scope, counted, sending)
        except BaseException:
            # Raised through the middleware in between, perhaps inside an ExceptionGroup.
            if not exceeded:
                raise
            if not started and not replaced:
                await _answer_413(send, scope["path"], detail)


class _TooLarge(HTTPException):
    """The body passed its limit (an HTTPException, so FastAPI's body parsing lets it by)."""


async def _answer_413(send: Send, path: str, detail: str) -> None:
    body = json.dumps(
        {
            "type": PROBLEM_TYPE + "too-large",
            "title": "Content Too Large",
            "status": 413,
            "detail": detail,
            "instance": path,
        }
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/problem+json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
