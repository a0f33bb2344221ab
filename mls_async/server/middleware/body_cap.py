"""A size cap on every request body but the streamed uploads: 413, whatever the framing.

``Content-Length`` over the cap is refused before the app runs; a chunked body is
counted as it is read. Streamed uploads have limits of their own (``max_upload_bytes``,
and what an archive unpacks to).
"""

from __future__ import annotations

from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mls_async._protocol import ARTIFACTS_PATH, DATASET_UPLOAD_PATH
from mls_async.server.config import ServerConfig
from mls_async.server.errors import error_response

__all__ = ["BodyCapMiddleware"]

_UPLOADS = (("PUT", ARTIFACTS_PATH + "/"), ("POST", DATASET_UPLOAD_PATH))  # (method, path prefix)


class _TooLarge(BaseException):
    """A body passed the cap (a BaseException, so that body parsers cannot turn it into a 400)."""


class BodyCapMiddleware:
    def __init__(self, app: ASGIApp, config: ServerConfig) -> None:
        self.app = app
        self.config = config

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or _is_upload(scope["method"], scope["path"]):
            await self.app(scope, receive, send)
            return
        limit = self.config.max_json_bytes
        for name, length in scope["headers"]:
            if name == b"content-length":
                if not length.isdigit() or int(length) > limit:
                    await _refusal(limit)(scope, receive, send)
                    return
                break
        seen = 0

        async def capped_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise _TooLarge
            return message

        try:
            await self.app(scope, capped_receive, send)
        except* _TooLarge:  # also when it crossed a task group (a streaming answer's listener, say)
            # An answer already under way makes this second start fail, which ends the connection.
            await _refusal(limit)(scope, receive, send)


def _is_upload(method: str, path: str) -> bool:
    for upload_method, prefix in _UPLOADS:
        if method == upload_method and path.startswith(prefix):
            return True
    return False


def _refusal(limit: int) -> Response:
    return error_response(413, f"request bodies are limited to {limit} bytes")
