"""The httpx clients our clients own: httpx's, minus the cookie jar, plus a direct path for reads,
kept per event loop.

The MLS protocol sets no cookies, yet httpx parses every response into its jar and
merges the jar into every request. These clients keep an empty jar that ignores
``Set-Cookie``.

On the aiohttp transport a bodyless request may skip httpx's request and response
objects and URL parsing altogether (:meth:`AsyncHTTPClient.direct_transport`): the same
request on the same connection pool, for half the client CPU of a feature lookup
(``benchmarks/bench_features.py``, P1 and P3). It is taken only when the pool runs on the
aiohttp transport it built itself (httpx then routes every request to it: no mounts, and
no environment proxies with a transport given), has no event hooks, and the auth is Basic
or none. Mocking at httpx's client (respx) therefore needs ``transport="httpx"``, which
never goes direct.

Sockets and sessions belong to the event loop that opened them: :class:`AsyncPools`
keeps one client per loop that uses it (successive ``asyncio.run`` calls, the sync
facade's loop, a notebook's loop, trio runs), closed as that loop shuts down.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncGenerator, Hashable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, cast

import httpx

from mls_async._limiter import AsyncInflightLimiter, InflightLimiter
from mls_async._synchronization import current_loop, loop_finished
from mls_async._transports import async_transport, sync_transport, transport_choice

if TYPE_CHECKING:
    from mls_async._aiohttp_transport import AiohttpTransport
    from mls_async._response import ResponseLike


class SyncDirectTransport(Protocol):
    """The direct path's shape for sync clients, which never have one (it keeps generated code typed)."""

    def direct_request(
        self, method: str, url: str, headers: Mapping[str, str], timeout: httpx.Timeout
    ) -> ResponseLike: ...


__all__ = ["AsyncHTTPClient", "AsyncPools", "HTTPClient", "Pools", "SyncDirectTransport"]


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

    def __init__(self, *, direct: AiohttpTransport | None = None, **options: Any) -> None:
        super().__init__(**options)
        self._mls_direct = direct  # the aiohttp transport this pool was built on, if it was

    def direct_transport(self, auth: httpx.Auth | None) -> AiohttpTransport | None:
        """Our aiohttp transport, when httpx would send requests with ``auth`` to it as they are."""
        transport = self._mls_direct
        if transport is None:
            return None
        if auth is not None and not isinstance(auth, httpx.BasicAuth):
            return None
        hooks = self.event_hooks
        if hooks["request"] or hooks["response"]:
            return None
        return transport

    def direct_headers(self, auth: httpx.Auth | None) -> tuple[dict[str, str], str | None]:
        """The pool's own headers and the Authorization header ``auth`` sets, as httpx would send them.

        Built once per state of the pool's headers and per auth (the key is cheap; building
        from ``httpx.Headers`` is not), not for every request.
        """
        key = (tuple(self.headers.raw), id(auth))
        cache: dict[tuple[Any, ...], tuple[dict[str, str], str | None]] = self.__dict__.setdefault(
            "_mls_direct_headers", {}
        )
        found = cache.get(key)
        if found is None:
            basic = _basic(auth) if isinstance(auth, httpx.BasicAuth) else None
            found = cache[key] = (dict(self.headers), basic)
        return found


@dataclass
class _LoopPool:
    """The connection pool and in-flight limiter one event loop uses."""

    loop: Hashable | None
    http: AsyncHTTPClient
    limiter: AsyncInflightLimiter
    closer: AsyncGenerator[None, None] | None = None  # closes the pool as its loop shuts down


class AsyncPools:
    """The connection pools of one connection: one per event loop that uses it.

    Sockets, aiohttp sessions and waiting requests belong to the loop that made them, so
    each loop (successive ``asyncio.run`` calls, the sync facade's loop, a notebook's
    loop, a trio run) gets its own pool, made on first use. A pool whose loop has ended is
    let go when the next one opens. On trio the aiohttp default gives way to httpx's own
    transport (aiohttp runs on asyncio only); a transport object given by the caller
    serves every loop.
    """

    def __init__(
        self,
        *,
        timeout: float | httpx.Timeout,
        limits: httpx.Limits,
        transport: httpx.AsyncBaseTransport | str | None,
        headers: Mapping[str, str],
    ) -> None:
        self._choice = transport_choice(transport, "aiohttp")  # checked now: a typo fails at construction
        self._timeout = timeout
        self._limits = limits
        self._headers = dict(headers)
        self._ssl = httpx.create_ssl_context()  # made once (it reads the CA bundle), shared by every loop's pool
        self._pools: dict[Hashable | None, _LoopPool] = {}
        self._last: _LoopPool | None = None
        self._lock = threading.Lock()

    def current(self) -> _LoopPool:
        """The running loop's pool, opened on its first use."""
        loop = current_loop()
        last = self._last
        if last is not None and last.loop is loop:
            return last
        pool = self._pools.get(loop)
        if pool is None:
            pool = self._open(loop)
        self._last = pool
        return pool

    @property
    def http(self) -> AsyncHTTPClient:
        return self.current().http

    @property
    def limiter(self) -> AsyncInflightLimiter:
        return self.current().limiter

    def _open(self, loop: Hashable | None) -> _LoopPool:
        with self._lock:
            found = self._pools.get(loop)
            if found is not None:
                return found
            for other in [pool for pool in self._pools.values() if pool.loop is not None and loop_finished(pool.loop)]:
                del self._pools[other.loop]
                _let_go(other)
            on_asyncio = loop is None or isinstance(loop, asyncio.AbstractEventLoop)
            transport = async_transport(self._choice, self._limits, on_asyncio=on_asyncio, verify=self._ssl)
            direct = transport if _is_aiohttp(transport) else None
            http = AsyncHTTPClient(
                timeout=self._timeout,
                limits=self._limits,
                transport=transport,
                verify=self._ssl,
                headers=self._headers,
                direct=cast("AiohttpTransport | None", direct),
            )
            pool = self._pools[loop] = _LoopPool(
                loop,
                http,
                AsyncInflightLimiter(self._limits.max_connections),
                _closed_with_loop(http) if loop is not None else None,
            )
            return pool

    async def aclose(self) -> None:
        """Close every pool: the running loop's here, others on their own loop (or let go, if it has ended)."""
        loop = current_loop()
        with self._lock:
            pools, self._pools, self._last = list(self._pools.values()), {}, None
        for pool in pools:
            if pool.loop is loop:
                if pool.closer is not None:
                    await pool.closer.aclose()
                await pool.http.aclose()
            elif isinstance(pool.loop, asyncio.AbstractEventLoop) and pool.loop.is_running():
                asyncio.run_coroutine_threadsafe(pool.http.aclose(), pool.loop)
            else:
                _let_go(pool)


async def _close_at_shutdown(http: AsyncHTTPClient) -> AsyncGenerator[None, None]:
    try:
        yield
    finally:
        await http.aclose()


def _closed_with_loop(http: AsyncHTTPClient) -> AsyncGenerator[None, None]:
    """An async generator, started here, whose end closes ``http``.

    Event loops finish the async generators still suspended as they shut down (asyncio.run
    and asyncio.Runner call ``shutdown_asyncgens``; trio does the same at the end of a run),
    so a pool is closed on its own loop, while that loop still runs, when the loop ends.
    """
    closer = _close_at_shutdown(http)
    try:
        closer.asend(None).send(None)
    except StopIteration:  # suspended at its yield: the loop's hooks know it now
        pass
    return closer


def _is_aiohttp(transport: Any) -> bool:
    from mls_async._aiohttp_transport import AiohttpTransport

    return isinstance(transport, AiohttpTransport)


def _let_go(pool: _LoopPool) -> None:
    """Mark the pool of an ended loop closed, so that it is dropped without warnings (its sockets go with it)."""
    from mls_async._aiohttp_transport import release_without_loop

    transport = pool.http._mls_direct  # whatever the hooks: the session is closed all the same
    if transport is not None:
        release_without_loop(transport)


class HTTPClient(httpx.Client):
    cookies = property(_jar, lambda client, value: None, doc="An empty jar that ignores Set-Cookie.")

    def direct_transport(self, auth: httpx.Auth | None) -> SyncDirectTransport | None:
        """No direct path for sync clients: httpx's own transport serves them."""
        return None

    def direct_headers(self, auth: httpx.Auth | None) -> tuple[dict[str, str], str | None]:
        return dict(self.headers), None


class Pools:
    """Sync twin of :class:`AsyncPools`: one pool and limiter, shared by the threads that use the client."""

    def __init__(
        self,
        *,
        timeout: float | httpx.Timeout,
        limits: httpx.Limits,
        transport: httpx.BaseTransport | str | None,
        headers: Mapping[str, str],
    ) -> None:
        self.http = HTTPClient(
            timeout=timeout, limits=limits, transport=sync_transport(transport, limits), headers=dict(headers)
        )
        self.limiter = InflightLimiter(limits.max_connections)

    def close(self) -> None:
        self.http.close()
