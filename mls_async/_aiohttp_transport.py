"""httpx over aiohttp (``httpx-aiohttp``), with transport errors that tell whether a request left.

Retrying safely depends on that: a failure to connect never reached the server, a
dropped connection or a read timeout may have. ``httpx-aiohttp`` maps a server
disconnect to ``ConnectTimeout``; here it is a ``RemoteProtocolError``, so that a POST is
not repeated as if it had never been sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import aiohttp
import httpx
from httpx_aiohttp import AiohttpTransport as _Base

__all__ = ["AiohttpTransport", "DirectResponse"]


def _precise(error: BaseException) -> httpx.TransportError:
    cause = error.__cause__ if isinstance(error, httpx.TransportError) else error
    message = str(cause or error)
    if isinstance(cause, aiohttp.ConnectionTimeoutError):
        return httpx.ConnectTimeout(message)
    if isinstance(cause, aiohttp.ClientConnectorError):
        return httpx.ConnectError(message)
    if isinstance(cause, (aiohttp.SocketTimeoutError, TimeoutError)):
        return httpx.ReadTimeout(message)
    if isinstance(cause, aiohttp.ServerDisconnectedError):
        return httpx.RemoteProtocolError(message)
    if isinstance(error, httpx.TransportError) and not isinstance(error, httpx.TimeoutException):
        return error
    return httpx.ReadError(message)  # may have been sent: never treated as safe to repeat


class AiohttpTransport(_Base):
    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        try:
            return await super().handle_async_request(request)
        except (httpx.TransportError, aiohttp.ClientError, TimeoutError) as exc:
            raise _precise(exc) from exc

    async def direct_request(
        self, method: str, url: str, headers: Mapping[str, str], timeout: httpx.Timeout
    ) -> DirectResponse:
        """One bodyless request straight on the aiohttp session, read whole: no httpx objects on the way.

        The hot path of feature lookups; errors are those of :meth:`handle_async_request`.
        """
        if not isinstance(self.client, aiohttp.ClientSession):
            self.client = self.get_client()
        limits = aiohttp.ClientTimeout(sock_connect=timeout.connect, sock_read=timeout.read, connect=timeout.pool)
        try:
            async with self.client.request(
                method, url, headers=headers, allow_redirects=False, timeout=limits
            ) as response:
                return DirectResponse(method, url, response.status, response.headers, await response.read())
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise _precise(exc) from exc


class DirectResponse:
    """What :meth:`AiohttpTransport.direct_request` answers: enough of an ``httpx.Response`` for our decoding."""

    __slots__ = ("status_code", "headers", "content", "_method", "_url")

    def __init__(self, method: str, url: str, status: int, headers: Mapping[str, str], content: bytes) -> None:
        self.status_code = status
        self.headers = headers
        self.content = content
        self._method, self._url = method, url

    @property
    def request(self) -> httpx.Request:
        """The request, rebuilt (only error messages need it)."""
        return httpx.Request(self._method, self._url)

    def __getattr__(self, name: str) -> Any:
        raise AttributeError(f"a direct response has no {name}; only bodyless requests take the direct path")


def release_without_loop(transport: AiohttpTransport) -> None:
    """Mark ``transport``'s session closed when its event loop has ended and cannot run the close.

    Pools are closed as their loop shuts down (see :mod:`mls_async._http`); this is for a
    loop closed without that. The connector's sockets are left to the garbage collector.
    """
    session = transport.client
    if isinstance(session, aiohttp.ClientSession) and not session.closed:
        session.detach()
