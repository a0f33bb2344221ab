"""``Idempotency-Key``: a POST applied once per key and account; a repeat gets the first answer."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

import anyio
from starlette.requests import Request
from starlette.responses import Response

from mls_async._protocol import IDEMPOTENCY_HEADER
from mls_async.server.errors import Conflicting
from mls_async.server.state import get_state
from mls_async.server.storage import SQLiteStorage

__all__ = ["IDEMPOTENCY_WAIT", "idempotent", "idempotent_async"]

IDEMPOTENCY_WAIT = 30.0  # seconds a repeat waits for the first request with its key to answer


def _scoped_key(request: Request) -> str | None:
    """The request's Idempotency-Key, tied to its endpoint: the same key on another route is another key."""
    key = request.headers.get(IDEMPOTENCY_HEADER)
    return f"{request.method} {request.url.path} {key}" if key else None


def _earlier_answer(storage: SQLiteStorage, user: str, key: str, deadline: float) -> Response | None:
    """The answer of the first request with ``key`` once it is kept; None while it still runs."""
    remembered = storage.remembered(user, key)
    if remembered is not None and remembered[0]:
        return Response(remembered[1], status_code=remembered[0], media_type="application/json")
    if time.monotonic() > deadline:
        raise Conflicting("a request with this Idempotency-Key is still running; retry it later")
    return None


def idempotent(request: Request, user: str, produce: Callable[[], Response]) -> Response:
    """Apply a POST once per Idempotency-Key: a repeat gets the first answer, even while it runs."""
    key = _scoped_key(request)
    if key is None:
        return produce()
    storage = get_state(request).storage
    deadline = time.monotonic() + IDEMPOTENCY_WAIT
    while not storage.reserve(user, key):
        if (earlier := _earlier_answer(storage, user, key, deadline)) is not None:
            return earlier
        time.sleep(0.02)  # the first request with this key is running (routes using this run in threads)
    try:
        response = produce()
    except BaseException:
        storage.release(user, key)
        raise
    return _kept(storage, user, key, response)


async def idempotent_async(request: Request, user: str, produce: Callable[[], Awaitable[Response]]) -> Response:
    """:func:`idempotent` for coroutine routes (streamed uploads)."""
    key = _scoped_key(request)
    if key is None:
        return await produce()
    storage = get_state(request).storage
    deadline = time.monotonic() + IDEMPOTENCY_WAIT
    while not storage.reserve(user, key):
        if (earlier := _earlier_answer(storage, user, key, deadline)) is not None:
            return earlier
        await anyio.sleep(0.02)
    try:
        response = await produce()
    except BaseException:
        storage.release(user, key)
        raise
    return _kept(storage, user, key, response)


def _kept(storage: SQLiteStorage, user: str, key: str, response: Response) -> Response:
    if response.status_code < 400:
        storage.remember(user, key, response.status_code, bytes(response.body))
    else:
        storage.release(user, key)
    return response
