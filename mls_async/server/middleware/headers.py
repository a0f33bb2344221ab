"""The headers every answer carries: the request's id and the server's capabilities."""

from __future__ import annotations

import itertools
import os
from collections.abc import MutableMapping
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

from mls_async._protocol import (
    CAP_META_MERGE,
    CAP_PROFILE_BATCH,
    CAPABILITIES_HEADER,
    LOCAL_CAPABILITIES,
    REQUEST_ID_HEADER,
)
from mls_async.server.config import ServerConfig

__all__ = ["REQUEST_ID_KEY", "HeadersMiddleware"]

REQUEST_ID_KEY = "mls.request_id"  # the scope key under which inner layers find the request's id

_REQUEST_ID = REQUEST_ID_HEADER.encode("latin-1")
_CAPABILITIES = CAPABILITIES_HEADER.lower().encode("latin-1")


class HeadersMiddleware:
    """Adds ``X-Request-Id`` (the client's, else a new one) and the capabilities header to every answer."""

    def __init__(self, app: ASGIApp, config: ServerConfig) -> None:
        self.app = app
        self.config = config
        self._id_prefix = os.urandom(6).hex()
        self._ids = itertools.count(1)

    def next_request_id(self) -> str:
        """A request id unique to this server process: random per start, then counted (cheaper than uuid4)."""
        return f"{self._id_prefix}-{next(self._ids)}"

    def capabilities(self) -> str:
        """What this server announces: the local extensions its configuration turns on."""
        off = {CAP_PROFILE_BATCH: not self.config.profile_batch, CAP_META_MERGE: not self.config.meta_merge}
        return ", ".join(c for c in LOCAL_CAPABILITIES if not off.get(c))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = ""
        for name, value in scope["headers"]:
            if name == _REQUEST_ID:
                request_id = value.decode("latin-1")[:64]
                break
        request_id = request_id or self.next_request_id()
        scope[REQUEST_ID_KEY] = request_id
        extra = [(_REQUEST_ID, request_id.encode("latin-1")), (_CAPABILITIES, self.capabilities().encode("latin-1"))]

        async def send_with_headers(message: MutableMapping[str, Any]) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)
