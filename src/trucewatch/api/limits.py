"""The request body limit: refused with 413 before an oversized body is read, and nothing stored.

``Content-Length`` above the limit is refused at once; a body without one (chunked) is
counted as it streams and refused as soon as it passes the limit. The limit is one
attachment of ``max_attachment_bytes`` in base64 plus :data:`OVERHEAD` for the rest of a report.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from trucewatch.errors import TrucewatchError

OVERHEAD = 1024 * 1024


class PayloadTooLarge(TrucewatchError):
    http_status = 413


class BodyTooLarge(HTTPException):
    """Raised from ``receive`` mid-stream; an HTTPException, so FastAPI passes it through."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body is larger than {limit} bytes")
        self.field = "body"


def body_limit(max_attachment_bytes: int) -> int:
    return 4 * ((max_attachment_bytes + 2) // 3) + OVERHEAD


class BodyLimit:
    """ASGI middleware bounding the body of every request under ``prefix``."""

    def __init__(self, app: ASGIApp, *, limit: int, prefix: str = "/api/") -> None:
        self.app, self.limit, self.prefix = app, limit, prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not str(scope.get("path", "")).startswith(self.prefix):
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.limit:
            await _refuse(scope, send, self.limit)
            return
        seen = 0
        started = False

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise BodyTooLarge(self.limit)
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except BodyTooLarge:
            if started:
                raise
            await _refuse(scope, send, self.limit)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _refuse(scope: Scope, send: Send, limit: int) -> None:
    body: dict[str, Any] = {
        "type": "urn:trucewatch:problem:payload-too-large", "title": "Request Entity Too Large",
        "status": 413, "detail": f"the request body is larger than {limit} bytes",
        "field": "body", "instance": scope.get("path"),
    }
    raw = json.dumps(body).encode()
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/problem+json"),
                            (b"content-length", str(len(raw)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": raw})
