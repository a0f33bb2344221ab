"""The local MLS server: ``mls-async server`` or ``python -m mls_async.server``."""

from mls_async.server.app import ServerConfig, create_app
from mls_async.server.cli import main

__all__ = [
    "ServerConfig",
    "create_app",
    "main",
]
