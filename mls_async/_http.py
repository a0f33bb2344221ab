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
from typing import TYPE_CHECKING, Any, Protocol

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
    return jar


def _basic(auth: httpx.BasicAuth) -> str:
    """The Authorization header ``auth`` sets, through its public flow."""
    probe = httpx.Request("GET", "http://mls.invalid/")
    next(auth.auth_flow(probe))
    return probe.headers["Authorization"]


class AsyncHTTPClient(httpx.AsyncClient):
    cookies = property(_jar, lambda client, value: None, doc="An empty jar that ignores Set-Cookie.")

    def lean_transport(self) -> AiohttpTransport | None:
        """Our aiohttp transport, when httpx would send this client's requests to it as they are."""
        from mls_async._aiohttp_transport import AiohttpTransport

        transport = self._transport
        if not isinstance(transport, AiohttpTransport) or self._transport_for_url(self.base_url) is not transport:
            return None  # another transport, a mount, or a mock (respx patches _transport_for_url)
        if self._event_hooks["request"] or self._event_hooks["response"]:
            return None
        if self.auth is not None and not isinstance(self.auth, httpx.BasicAuth):
            return None
        return transport

    def lean_headers(self, headers: Mapping[str, str]) -> dict[str, str]:
        """The headers httpx would send: the client's, the request's, then Basic auth (as its auth flow).

        The client's part is built once per state of its headers and auth (the key is
        cheap; building from ``httpx.Headers`` is not), not for every request.
        """
        key = (tuple(self.headers.raw), id(self.auth))
        cached = self.__dict__.get("_mls_lean_headers")
        if cached is None or cached[0] != key:
            basic = _basic(self.auth) if isinstance(self.auth, httpx.BasicAuth) else None
            cached = self.__dict__["_mls_lean_headers"] = (key, dict(self.headers), basic)
        merged = dict(cached[1])
        merged.update(headers)
        if cached[2] is not None:
            merged["Authorization"] = cached[2]
        return merged


class HTTPClient(httpx.Client):
    cookies = property(_jar, lambda client, value: None, doc="An empty jar that ignores Set-Cookie.")

    def lean_transport(self) -> SyncLeanTransport | None:
        """No lean path for sync clients: httpx's own transport serves them."""
        return None

    def lean_headers(self, headers: Mapping[str, str]) -> dict[str, str]:
        return dict(headers)
