"""Bound the requests a client has in flight to the size of its connection pool.

httpcore's pool rescans its whole queue for every request it assigns, so thousands of
queued requests cost more CPU than they save. Waiting here instead keeps that queue
no longer than the pool. ``InflightLimiter`` is the sync twin (threads sharing a client).
"""

from __future__ import annotations

import threading
from types import TracebackType

import anyio

__all__ = ["AsyncInflightLimiter", "InflightLimiter"]


class AsyncInflightLimiter:
    """At most ``limit`` holders at once (``None``: no bound)."""

    def __init__(self, limit: int | None) -> None:
        self._limit = limit
        self._semaphore: anyio.Semaphore | None = None  # made on first use, inside the event loop

    async def __aenter__(self) -> None:
        if self._limit is None:
            return
        if self._semaphore is None:
            self._semaphore = anyio.Semaphore(self._limit)
        await self._semaphore.acquire()

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        if self._semaphore is not None:
            self._semaphore.release()


class InflightLimiter:
    """At most ``limit`` threads in a request at once (``None``: no bound)."""

    def __init__(self, limit: int | None) -> None:
        self._semaphore = threading.BoundedSemaphore(limit) if limit is not None else None

    def __enter__(self) -> None:
        if self._semaphore is not None:
            self._semaphore.acquire()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        if self._semaphore is not None:
            self._semaphore.release()
