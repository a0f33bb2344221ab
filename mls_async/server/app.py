"""The local MLS server: an ASGI app speaking the MLS REST protocol.

Everything but ``/health``, ``/ready`` and the API docs requires HTTP Basic auth.
Loading a registered model unpickles it, which runs code: only trusted users may
write to the registry, and registry writes are always authenticated.
"""

from __future__ import annotations

import importlib
import inspect
import os
import pkgutil
from types import ModuleType
from typing import Any

from fastapi import FastAPI
from starlette.responses import Response

from mls_async.server.config import ServerConfig
from mls_async.server.errors import envelope
from mls_async.server.handlers import install_handlers
from mls_async.server.middleware import BodyCapMiddleware, ErrorMiddleware, HeadersMiddleware, ShortcutMiddleware
from mls_async.server.openapi import install_openapi
from mls_async.server.state import State

__all__ = ["CONFIG_ENVIRONMENT", "create_app", "create_app_from_environment", "route_modules"]

CONFIG_ENVIRONMENT = "MLS_SERVER_CONFIG"  # how `--workers` hands the configuration to each worker


def _without_telemetry() -> dict[str, Any]:
    """FastAPI's native OpenTelemetry off, where this FastAPI has it.

    Enabled, it looks up the global providers (and the environment) on every request, a
    measurable share of a profile read's time; the local server exports no telemetry.
    """
    if "telemetry" not in inspect.signature(FastAPI.__init__).parameters:
        return {}
    return {"telemetry": {"tracing": False, "metrics": False, "logs": False}}


def route_modules() -> list[ModuleType]:
    """Every ``routes_*`` module of the server, by name: each mounts its ``ROUTERS``.

    A new resource's routes need only their module here; nothing lists them.
    """
    package = importlib.import_module(__package__ or "mls_async.server")
    return [
        importlib.import_module(f"{package.__name__}.{info.name}")
        for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda info: info.name)
        if info.name.startswith("routes_")
    ]


def create_app(config: ServerConfig) -> FastAPI:
    """Build the ASGI app over ``config.data_dir``."""
    app = FastAPI(title="MLS local server", version="1", description=__doc__, **_without_telemetry())
    app.state.mls = State(config)
    for module in route_modules():
        for router in module.ROUTERS:
            app.include_router(router)

    @app.get("/health", tags=["health"])
    def health() -> Response:
        return envelope({"status": "ok"})

    @app.get("/ready", tags=["health"])
    def ready() -> Response:
        app.state.mls.storage.query("model", limit=1)
        return envelope({"status": "ready"})

    install_handlers(app)
    # Each added around the ones before: the headers go on every answer, a 500 and a 413 included.
    app.add_middleware(ShortcutMiddleware)
    app.add_middleware(BodyCapMiddleware, config=config)
    app.add_middleware(ErrorMiddleware)
    app.add_middleware(HeadersMiddleware, config=config)
    install_openapi(app)
    return app


def create_app_from_environment() -> FastAPI:
    """The app of one ``--workers`` process: the configuration comes in ``$MLS_SERVER_CONFIG``."""
    text = os.environ.get(CONFIG_ENVIRONMENT)
    if not text:
        raise RuntimeError(f"${CONFIG_ENVIRONMENT} is not set; start workers with `mls-async server --workers N`")
    return create_app(ServerConfig.from_json(text))
