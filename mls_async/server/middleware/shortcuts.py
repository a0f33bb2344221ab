"""Routes answered before routing: the hot paths of online inference, defined once as routes.

A route's endpoint marked with :func:`answered_before_routing` is matched by the route
itself (its path, methods and parameter conversion) inside the server's middlewares but
ahead of the router and FastAPI's parameter machinery, and answered by its shortcut:
the endpoint itself (one that takes only the request), or a function that answers the
common case and returns None to hand the request on to the route (a body it read is
replayed). The route stays an ordinary FastAPI route: its OpenAPI entry, its ``Allow``
and every other answer come from it.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterable, MutableMapping, Sequence
from typing import Any, TypeVar

import fastapi.routing
from fastapi.routing import APIRoute
from starlette.convertors import Convertor
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mls_async.server.errors import ServiceError, service_error_response

__all__ = ["Shortcut", "ShortcutMiddleware", "answered_before_routing", "shortcut_routes"]

Shortcut = Callable[[Request], Awaitable[Response | None]]
_Endpoint = TypeVar("_Endpoint", bound=Callable[..., Any])
_SHORTCUT = "__mls_shortcut__"
_route_contexts: Callable[[Sequence[BaseRoute]], Iterable[Any]] | None = getattr(
    fastapi.routing, "iter_route_contexts", None
)


def answered_before_routing(shortcut: Shortcut | None = None) -> Callable[[_Endpoint], _Endpoint]:
    """Mark an endpoint whose route is answered before routing, by ``shortcut`` or else by the endpoint."""

    def mark(endpoint: _Endpoint) -> _Endpoint:
        setattr(endpoint, _SHORTCUT, shortcut or endpoint)
        return endpoint

    return mark


def shortcut_routes(routes: Sequence[BaseRoute]) -> list[tuple[Any, Shortcut]]:
    """The routes with a shortcut, in routing order (included routers' too), each with its shortcut.

    Each has the route's full ``path_format``, ``path_regex``, ``param_convertors``,
    ``methods`` and ``endpoint``: a ``RouteContext`` where FastAPI keeps included routers
    whole (0.16x), else the ``APIRoute`` itself (older FastAPI mounts included routes flat).
    """
    flat: Iterable[Any] = _route_contexts(routes) if _route_contexts is not None else routes
    return [
        (route, getattr(route.endpoint, _SHORTCUT))
        for route in flat
        if isinstance(getattr(route, "original_route", route), APIRoute) and hasattr(route.endpoint, _SHORTCUT)
    ]


class ShortcutMiddleware:
    """Answers the requests of routes with a shortcut; hands every other request on.

    A request matches a route by the route's own path pattern and parameter convertors;
    a GET route's shortcut answers HEAD too, as Starlette's plain routes do.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._routes: list[_Matcher] | None = None  # from the app's routes, at the first request

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            if self._routes is None:
                routes = shortcut_routes(scope["app"].router.routes)
                self._routes = [_Matcher(route, shortcut) for route, shortcut in routes]
            method = scope["method"]
            for route in self._routes:
                if method not in route.methods or (found := route.pattern.match(scope["path"])) is None:
                    continue
                params = {name: route.convertors[name].convert(value) for name, value in found.groupdict().items()}
                recorded = _Recorded(receive)
                try:
                    response = await route.shortcut(Request({**scope, "path_params": params}, recorded.receive))
                except ServiceError as refusal:
                    response = service_error_response(refusal)
                if response is not None:
                    await response(scope, receive, send)
                    return
                receive = recorded.replay()
                break
        await self.app(scope, receive, send)


class _Matcher:
    """What a request is matched against: a route's methods, path pattern and convertors, and its shortcut."""

    __slots__ = ("methods", "pattern", "convertors", "shortcut")

    def __init__(self, route: Any, shortcut: Shortcut) -> None:
        methods = set(route.methods or ())
        self.methods = frozenset(methods | {"HEAD"} if "GET" in methods else methods)
        self.pattern: re.Pattern[str] = route.path_regex
        self.convertors: dict[str, Convertor[Any]] = route.param_convertors
        self.shortcut = shortcut


class _Recorded:
    """A ``receive`` that keeps the body it reads, to replay it to the route if the shortcut hands on."""

    def __init__(self, receive: Receive) -> None:
        self._receive = receive
        self._chunks: list[bytes] = []
        self._complete = False

    async def receive(self) -> Message:
        message = await self._receive()
        if message["type"] == "http.request":
            self._chunks.append(message.get("body", b""))
            self._complete = not message.get("more_body", False)
        return message

    def replay(self) -> Receive:
        if not self._chunks:
            return self._receive
        replayed: MutableMapping[str, Any] | None = {
            "type": "http.request",
            "body": b"".join(self._chunks),
            "more_body": not self._complete,
        }

        async def receive() -> Message:
            nonlocal replayed
            if replayed is None:
                return await self._receive()
            message, replayed = replayed, None
            return message

        return receive
