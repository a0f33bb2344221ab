"""The local MLS server: an ASGI app speaking the MLS REST protocol.

Everything but ``/health``, ``/ready`` and the API docs requires HTTP Basic auth.
Loading a registered model unpickles it, which runs code: only trusted users may
write to the registry, and registry writes are always authenticated.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from mls_async._protocol import CAP_PROFILE_BATCH, CAPABILITIES_HEADER, LOCAL_CAPABILITIES
from mls_async.server.errors import APIError, envelope, error_response
from mls_async.server.routes_features import profile_reads, profiles, settings
from mls_async.server.routes_models import auth, models
from mls_async.server.routes_registry import registry
from mls_async.server.routes_resources import components, datasets, tables
from mls_async.server.state import (
    ServerConfig,
    State,
)
from mls_async.server.storage import Unstorable

__all__ = ["create_app", "ServerConfig"]

logger = logging.getLogger("mls_async.server")


# -- app ----------------------------------------------------------------------------------
class _Guard:
    """Pure ASGI middleware: request ids and the capabilities header on every answer, a size cap on JSON."""

    def __init__(self, app: Any, config: ServerConfig) -> None:
        self.app = app
        self.config = config

    def capabilities(self) -> str:
        """What this server announces: the local extensions its configuration turns on."""
        return ", ".join(c for c in LOCAL_CAPABILITIES if self.config.profile_batch or c != CAP_PROFILE_BATCH)

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = dict(scope["headers"])
        request_id = headers.get(b"x-request-id", b"").decode("latin-1")[:64] or uuid.uuid4().hex
        length = headers.get(b"content-length")
        content_type = headers.get(b"content-type", b"")
        capabilities = self.capabilities()
        limit = self.config.max_json_bytes
        if length and content_type.startswith(b"application/json"):
            try:
                too_big = int(length) > limit
            except ValueError:
                too_big = True
            if too_big:
                response = error_response(413, f"JSON bodies are limited to {limit} bytes",
                                          headers={"x-request-id": request_id, CAPABILITIES_HEADER: capabilities})
                return await response(scope, receive, send)

        async def send_with_id(message: dict) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", request_id.encode("latin-1")),
                                      (CAPABILITIES_HEADER.lower().encode("latin-1"), capabilities.encode("latin-1"))]
            await send(message)

        await self.app(scope, receive, send_with_id)


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for error in exc.errors()[:5]:
        where = ".".join(str(p) for p in error.get("loc", ()) if p != "body") or "body"
        parts.append(f"{where}: {error.get('msg')}")
    return "invalid request: " + "; ".join(parts)


def create_app(config: ServerConfig) -> FastAPI:
    """Build the ASGI app over ``config.data_dir``."""
    app = FastAPI(title="MLS local server", version="1", description=__doc__)
    app.state.mls = State(config)
    for router in (auth, models, components, datasets, tables, registry, profiles, settings):
        app.include_router(router)
    app.router.routes.extend(profile_reads)

    @app.get("/health", tags=["health"])
    def health() -> Response:
        return envelope({"status": "ok"})

    @app.get("/ready", tags=["health"])
    def ready() -> Response:
        app.state.mls.storage.query("model", limit=1)
        return envelope({"status": "ready"})

    @app.exception_handler(APIError)
    async def api_error(request: Request, exc: APIError) -> Response:
        return error_response(exc.status, exc.message, headers=exc.headers)

    @app.exception_handler(Unstorable)
    async def unstorable(request: Request, exc: Unstorable) -> Response:
        return error_response(400, str(exc))

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        return error_response(400, _validation_message(exc))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        return error_response(exc.status_code, str(exc.detail), headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        # The details (paths of the data dir among them) go to the server log, not to the client.
        request_id = request.headers.get("x-request-id", "")
        logger.error("internal error in %s %s (request %s)", request.method, request.url.path, request_id,
                     exc_info=exc)
        return error_response(500, f"internal error ({type(exc).__name__}); the server log has the details")

    app.add_middleware(_Guard, config=config)
    return app
