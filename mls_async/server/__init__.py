"""The local MLS server: ``mls-async server`` or ``python -m mls_async.server``."""

from mls_async.server.app import create_app
from mls_async.server.cli import main
from mls_async.server.config import ServerConfig

__all__ = [
    "ServerConfig",
    "create_app",
    "main",
]
