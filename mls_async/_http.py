"""The httpx clients our clients own: httpx's, minus the cookie jar, plus a lean path for reads.

The MLS protocol sets no cookies, yet httpx parses every response into its jar and
merges the jar into every request; that was a sixth of the client's CPU per feature
lookup. These clients keep an empty jar that ignores ``Set-Cookie``.

On the aiohttp transport a bodyless request may skip httpx's request and response
objects and URL parsing altogether (:meth:`AsyncHTTPClient.lean_transport`): the same
request on the same connection pool, for half the client CPU of a feature lookup. It
is taken only when httpx itself would hand the request, unchanged, to that transport:
no mounts or mocks in between (respx, say), no event hooks, no auth flow but Basic.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Protocol, cast

import httpx

if TYPE_CHECKING:
    from mls_async._aiohttp_transport import AiohttpTransport
    from mls_async._response import ResponseLike


class SyncLeanTransport(Protocol):
    """The lean path's shape for sync clients, which never have one (it keeps generated code typed)."""

    def lean_request(self, method: str, url: str, headers: Mapping[str, str],
                     timeout: httpx.Timeout) -> ResponseLike: ...

__all__ = ["AsyncHTTPClient", "HTTPClient", "SyncLeanTransport"]


class _NoCookies(httpx.Cookies):
    def extract_cookies(self, response: httpx.Response) -> None:
        return None


_JAR = "_mls_no_cookies"


def _jar(client: Any) -> httpx.Cookies:
    jar = client.__dict__.get(_JAR)
    if jar is None:
        jar = client.__dict__[_JAR] = _NoCookies()
    return cast(httpx.Cookies, jar)


def _basic(auth: httpx.BasicAuth) -> str:
    """The Authorization header ``auth`` sets, through its public flow."""
    probe = httpx.Request("GET", "http://mls.invalid/")
    next(auth.auth_flow(probe))
    return probe.headers["Authorization"]


class AsyncHTTPClient(httpx.AsyncClient):
    """One pool for many clients: no auth or per-client headers of its own (each request brings them)."""

    cookies = property(_jar, lambda client, value: None, doc="An empty jar that ignores Set-Cookie.")

    def lean_transport(self, base_url: str, auth: httpx.Auth | None) -> AiohttpTransport | None:
        """Our aiohttp transport, when httpx would send requests to ``base_url`` with ``auth`` to it as they are."""
        from mls_async._aiohttp_transport import AiohttpTransport

        transport = self._transport
        if not isinstance(transport, AiohttpTransport):
            return None
        if auth is not None and not isinstance(auth, httpx.BasicAuth):
            return None
        if self._event_hooks["request"] or self._event_hooks["response"]:
            return None
        urls: dict[str, httpx.URL] = self.__dict__.setdefault("_mls_lean_urls", {})
        url = urls.get(base_url)
        if url is None:
            url = urls[base_url] = httpx.URL(base_url)
        if self._transport_for_url(url) is not transport:
            return None  # a mount, or a mock (respx patches _transport_for_url)
        return transport

    def lean_headers(self, auth: httpx.Auth | None) -> tuple[dict[str, str], str | None]:
        """The pool's own headers and the Authorization header ``auth`` sets, as httpx would send them.

        Built once per state of the pool's headers and per auth (the key is cheap; building
        from ``httpx.Headers`` is not), not for every request.
        """
        key = (tuple(self.headers.raw), id(auth))
        cache: dict[tuple[Any, ...], tuple[dict[str, str], str | None]] = self.__dict__.setdefault(
            "_mls_lean_headers", {})
        found = cache.get(key)
        if found is None:
            basic = _basic(auth) if isinstance(auth, httpx.BasicAuth) else None
            found = cache[key] = (dict(self.headers), basic)
        return found


class HTTPClient(httpx.Client):
    cookies = property(_jar, lambda client, value: None, doc="An empty jar that ignores Set-Cookie.")

    def lean_transport(self, base_url: str, auth: httpx.Auth | None) -> SyncLeanTransport | None:
        """No lean path for sync clients: httpx's own transport serves them."""
        return None

    def lean_headers(self, auth: httpx.Auth | None) -> tuple[dict[str, str], str | None]:
        return dict(self.headers), None
