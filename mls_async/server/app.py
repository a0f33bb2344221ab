"""The local MLS server: an ASGI app speaking the MLS REST protocol.

Everything but ``/health``, ``/ready`` and the API docs requires HTTP Basic auth.
Loading a registered model unpickles it, which runs code: only trusted users may
write to the registry, and registry writes are always authenticated.
"""

from __future__ import annotations

import importlib
import inspect
import itertools
import logging
import os
import pkgutil
from collections.abc import MutableMapping
from types import ModuleType
from typing import Any, cast

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.routing import BaseRoute

from mls_async._protocol import (
    ARTIFACTS_PATH,
    CAP_META_MERGE,
    CAP_PROFILE_BATCH,
    CAPABILITIES_HEADER,
    DATASET_UPLOAD_PATH,
    LOCAL_CAPABILITIES,
    REQUEST_ID_HEADER,
)
from mls_async.server.errors import STATUS, ServiceError, envelope, error_response, service_error_response
from mls_async.server.openapi import allowed_methods, install_openapi
from mls_async.server.routes_features import answer_profile_read
from mls_async.server.routes_graph import graph_caller
from mls_async.server.routes_models import answer_warm_prediction
from mls_async.server.state import (
    ServerConfig,
    State,
    basic_credentials,
    require_admin,
    require_profile_reader,
    require_user,
)

__all__ = ["CONFIG_ENVIRONMENT", "ServerConfig", "create_app", "create_app_from_environment"]

CONFIG_ENVIRONMENT = "MLS_SERVER_CONFIG"  # how `--workers` hands the configuration to each worker

logger = logging.getLogger("mls_async.server")


# -- app ----------------------------------------------------------------------------------
class _TooLarge(BaseException):
    """A body passed the cap (a BaseException, so that body parsers cannot turn it into a 400)."""


_REQUEST_ID = REQUEST_ID_HEADER.encode("latin-1")

# Streamed uploads have their own limits (max_upload_bytes, and what an archive unpacks to).
_UPLOAD_PATHS = (("PUT", ARTIFACTS_PATH + "/"), ("POST", DATASET_UPLOAD_PATH))


class _Guard:
    """Pure ASGI middleware around the whole app.

    - a request id and the capabilities header on every answer;
    - profile reads and predictions of warm models, the hot paths of online inference, answered
      at once (no routing, no stack);
    - a size cap on every request body but the streamed uploads, whatever its content type
      or framing (``Content-Length`` or chunked): 413;
    - any unhandled exception becomes a 500 envelope here, logged, and is not re-raised, so
      the server keeps the connection alive (a re-raise made the server drop it).
    """

    def __init__(self, app: Any, config: ServerConfig) -> None:
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

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        request_id = headers.get(_REQUEST_ID, b"").decode("latin-1")[:64] or self.next_request_id()
        capabilities = self.capabilities()
        extra = [(_REQUEST_ID, request_id.encode("latin-1")),
                 (CAPABILITIES_HEADER.lower().encode("latin-1"), capabilities.encode("latin-1"))]
        started = False

        async def send_with_id(message: MutableMapping[str, Any]) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        async def answer(status: int, text: str) -> None:
            await error_response(status, text)(scope, receive, send_with_id)

        limit = self.config.max_json_bytes
        capped = not any(scope["method"] == method and scope["path"].startswith(prefix)
                         for method, prefix in _UPLOAD_PATHS)
        if capped:
            length = headers.get(b"content-length")
            if length is not None and (not length.isdigit() or int(length) > limit):
                return await answer(413, f"request bodies are limited to {limit} bytes")
            receive = _capped(receive, limit)
        try:
            if not await answer_profile_read(scope, receive, send_with_id):
                answered, receive = await answer_warm_prediction(scope, receive, send_with_id)
                if not answered:
                    await self.app(scope, receive, send_with_id)
        except _TooLarge:
            if started:
                raise
            await answer(413, f"request bodies are limited to {limit} bytes")
        except Exception as exc:
            if started:
                raise
            logger.error("internal error in %s %s (request %s)", scope["method"], scope["path"], request_id,
                         exc_info=exc)
            await answer(500, f"internal error ({type(exc).__name__}); the server log has the details "
                              f"(request id {request_id})")


def _capped(receive: Any, limit: int) -> Any:
    """``receive`` that raises ``_TooLarge`` once the body passes ``limit`` bytes."""
    seen = 0

    async def capped_receive() -> dict[str, Any]:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise _TooLarge
        return cast("dict[str, Any]", message)

    return capped_receive


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for error in exc.errors()[:5]:
        where = ".".join(str(p) for p in error.get("loc", ()) if p != "body") or "body"
        parts.append(f"{where}: {error.get('msg')}")
    return "invalid request: " + "; ".join(parts)


async def _authenticated(request: Request) -> None:
    """Refuse the request as its route's auth dependency would have; routes without one pass.

    FastAPI parses a JSON body before it runs the route's dependencies: without this, a
    request with no credentials and a broken body learned about the body first.
    """
    dependant = getattr(request.scope.get("route"), "dependant", None)
    for dependency in getattr(dependant, "dependencies", ()):
        if dependency.call in (require_user, require_admin, graph_caller):
            await dependency.call(request, await basic_credentials(request))
            return
        if dependency.call is require_profile_reader:
            await require_profile_reader(request, str(request.path_params.get("client_id", "")),
                                         await basic_credentials(request))
            return


def _without_telemetry() -> dict[str, Any]:
    """FastAPI's native OpenTelemetry off, where this FastAPI has it.

    Enabled, it looked up the global providers (and the environment) on every request, a
    sixth of the server's time per profile read; the local server exports no telemetry.
    """
    if "telemetry" not in inspect.signature(FastAPI.__init__).parameters:
        return {}
    return {"telemetry": {"tracing": False, "metrics": False, "logs": False}}


def route_modules() -> list[ModuleType]:
    """Every ``routes_*`` module of the server, by name: each mounts its ``ROUTERS`` (and ``FIRST_ROUTES``).

    A new resource's routes need only their module here; nothing lists them.
    """
    package = importlib.import_module(__package__ or "mls_async.server")
    return [importlib.import_module(f"{package.__name__}.{info.name}")
            for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda info: info.name)
            if info.name.startswith("routes_")]


def create_app(config: ServerConfig) -> FastAPI:
    """Build the ASGI app over ``config.data_dir``."""
    app = FastAPI(title="MLS local server", version="1", description=__doc__, **_without_telemetry())
    app.state.mls = State(config)
    first: list[BaseRoute] = []
    for module in route_modules():
        for router in module.ROUTERS:
            app.include_router(router)
        first.extend(getattr(module, "FIRST_ROUTES", ()))
    app.router.routes[:0] = first

    @app.get("/health", tags=["health"])
    def health() -> Response:
        return envelope({"status": "ok"})

    @app.get("/ready", tags=["health"])
    def ready() -> Response:
        app.state.mls.storage.query("model", limit=1)
        return envelope({"status": "ready"})

    async def refused(request: Request, exc: Exception) -> Response:
        return service_error_response(exc)

    for kind in STATUS:  # every refusal of a service, answered by the one table
        app.add_exception_handler(kind, refused)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        try:
            await _authenticated(request)  # a body that is no JSON fails before the route's auth ran
        except ServiceError as refusal:
            return service_error_response(refusal)
        return error_response(400, _validation_message(exc))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        headers = getattr(exc, "headers", None)
        if exc.status_code == 405:  # every method of the path, not only those of the first route found
            headers = {**(headers or {}), "Allow": ", ".join(allowed_methods(app, request.url.path))}
        return error_response(exc.status_code, str(exc.detail), headers=headers)

    app.add_middleware(_Guard, config=config)
    install_openapi(app)
    return app


def create_app_from_environment() -> FastAPI:
    """The app of one ``--workers`` process: the configuration comes in ``$MLS_SERVER_CONFIG``."""
    text = os.environ.get(CONFIG_ENVIRONMENT)
    if not text:
        raise RuntimeError(f"${CONFIG_ENVIRONMENT} is not set; start workers with `mls-async server --workers N`")
    return create_app(ServerConfig.from_json(text))
