"""Any exception a request raises becomes a 500 envelope, logged with the request's id.

The exception is not re-raised, so the server keeps the connection alive (a re-raise
makes it drop the connection). An answer already under way cannot be replaced: then
the exception goes on to the server.
"""

from __future__ import annotations

import logging
from collections.abc import MutableMapping
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

from mls_async.server.errors import error_response
from mls_async.server.middleware.headers import REQUEST_ID_KEY

__all__ = ["ErrorMiddleware"]

logger = logging.getLogger("mls_async.server")


class ErrorMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watched_send(message: MutableMapping[str, Any]) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watched_send)
        except Exception as exc:
            if started:
                raise
            request_id = scope.get(REQUEST_ID_KEY, "-")
            logger.error(
                "internal error in %s %s (request %s)", scope["method"], scope["path"], request_id, exc_info=exc
            )
            await error_response(
                500, f"internal error ({type(exc).__name__}); the server log has the details (request id {request_id})"
            )(scope, receive, send)
