"""How much work one server process takes on at once."""

from __future__ import annotations

import asyncio
from typing import Any

ASGIApp = Any


class InFlightLimit:
    """At most ``limit`` HTTP requests are worked on at once; the others wait their turn.

    Waiting requests hold no database connection, so the pool (sized in
    ``storage.engine``) cannot run dry however many clients come. Nothing is refused: a
    queue of requests is slower, not an error. Lifespan and websocket traffic pass through.
    """

    def __init__(self, app: ASGIApp, *, limit: int) -> None:
        self.app, self.limit = app, limit
        self._gate: asyncio.Semaphore | None = None

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self._gate is None:  # made in the server's own event loop
            self._gate = asyncio.Semaphore(self.limit)
        async with self._gate:
            await self.app(scope, receive, send)
