"""The server's pure ASGI middlewares, outermost first: headers, errors, body cap, shortcuts."""

from mls_async.server.middleware.body_cap import BodyCapMiddleware
from mls_async.server.middleware.errors import ErrorMiddleware
from mls_async.server.middleware.headers import REQUEST_ID_KEY, HeadersMiddleware
from mls_async.server.middleware.shortcuts import ShortcutMiddleware, answered_before_routing, shortcut_routes

__all__ = [
    "REQUEST_ID_KEY",
    "BodyCapMiddleware",
    "ErrorMiddleware",
    "HeadersMiddleware",
    "ShortcutMiddleware",
    "answered_before_routing",
    "shortcut_routes",
]
