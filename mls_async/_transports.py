"""Which HTTP transport a client's ``httpx`` client runs on: a constructor choice.

Our code always speaks httpx (requests, responses, errors); only the socket work
below it varies. ``benchmarks/bench_features.py`` (P3) measures the choices; for async
clients aiohttp (through ``httpx-aiohttp``) costs the least client CPU per request
and scales with concurrency, where httpcore's async pool rescans every connection for
every request. It is the async default on asyncio; on trio (aiohttp runs on asyncio only) async clients
take httpx's own, and sync clients keep httpx's own transport. Where the environment names
a proxy (``HTTP_PROXY``, ``HTTPS_PROXY``, ``ALL_PROXY``), async clients take httpx's own
too: httpx applies it, with ``NO_PROXY``, as requests (the original SDK) does, and aiohttp
would look the environment up again for every request.

``$MLS_HTTP_TRANSPORT`` (``aiohttp`` or ``httpx``) overrides the default.
"""

from __future__ import annotations

import os
import ssl
import urllib.request
from typing import Any, Literal

import httpx

from mls_async._exceptions import MLSConfigError

__all__ = ["TransportChoice", "async_transport", "sync_transport", "transport_choice"]

TransportChoice = Literal["aiohttp", "httpx"]
_CHOICES = ("aiohttp", "httpx")


def transport_choice(transport: Any, default: str) -> Any:
    """``transport`` checked: "aiohttp", "httpx" or a transport (None: ``$MLS_HTTP_TRANSPORT`` or ``default``)."""
    if transport is None:
        transport = os.environ.get("MLS_HTTP_TRANSPORT") or default
    if isinstance(transport, str) and transport not in _CHOICES:
        raise MLSConfigError(f"transport={transport!r} is not valid; use 'aiohttp', 'httpx' or an httpx transport")
    return transport


def async_transport(
    transport: Any, limits: httpx.Limits, *, on_asyncio: bool = True, verify: ssl.SSLContext | bool = True
) -> httpx.AsyncBaseTransport | None:
    """The transport for an ``httpx.AsyncClient``; None means httpx's own (off asyncio, or behind a proxy)."""
    transport = transport_choice(transport, "aiohttp")
    if transport == "httpx" or (transport == "aiohttp" and (not on_asyncio or _environment_proxies())):
        return None
    if transport == "aiohttp":
        from mls_async._aiohttp_transport import AiohttpTransport

        return AiohttpTransport(limits=limits, verify=verify)
    given: httpx.AsyncBaseTransport = transport
    return given


def _environment_proxies() -> bool:
    """Whether the environment names a proxy for some scheme (``NO_PROXY`` alone does not)."""
    return any(scheme in ("http", "https", "all") for scheme in urllib.request.getproxies())


def sync_transport(transport: Any, limits: httpx.Limits) -> httpx.BaseTransport | None:
    """The transport for an ``httpx.Client``: httpx's own, or the one given (aiohttp is async only)."""
    transport = transport_choice(transport, "httpx")
    if transport in _CHOICES:
        return None
    given: httpx.BaseTransport = transport
    return given
