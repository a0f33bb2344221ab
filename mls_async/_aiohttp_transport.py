"""httpx over aiohttp (``httpx-aiohttp``), with transport errors that tell whether a request left.

Retrying safely depends on that: a failure to connect never reached the server, a
dropped connection or a read timeout may have. ``httpx-aiohttp`` maps a server
disconnect to ``ConnectTimeout``; here it is a ``RemoteProtocolError``, so that a POST is
not repeated as if it had never been sent.
"""

from __future__ import annotations

import aiohttp
import httpx
from httpx_aiohttp import AiohttpTransport as _Base

__all__ = ["AiohttpTransport"]


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
