"""A prediction's deadline: past it, the prediction fails with ``MLSTimeoutError`` naming what it waited for.

The lookups a prediction starts register in a :class:`~mls_async._coalesce.PendingLookups`
(through the context variable :data:`~mls_async._coalesce.PENDING`), so that when the
deadline passes the error names those still pending (``user 'u1' of profile 'p'``). The
prediction is then cancelled: its lookups are withdrawn and their requests aborted, and no
retry or hedge of them starts. On asyncio a timer cancels the prediction's task; on trio a
cancel scope does.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable
from typing import Any, TypeVar

import anyio

from mls_async._coalesce import PENDING, PendingLookups, check_deadline
from mls_async._exceptions import MLSTimeoutError, MLSValidationError
from mls_async._hedging import logger

__all__ = ["check_deadline", "within_deadline"]

T = TypeVar("T")


async def within_deadline(deadline: Any, what: str, work: Awaitable[T]) -> T:
    """Await ``work`` (a prediction of ``what``) for at most ``deadline`` seconds.

    Past it ``work`` is cancelled and ``MLSTimeoutError`` raised, naming the lookups still
    pending then.
    """
    try:
        seconds = check_deadline(deadline)
    except MLSValidationError:
        if asyncio.iscoroutine(work):
            work.close()
        raise
    pending = PendingLookups(time.monotonic() + seconds)
    token = PENDING.set(pending)
    try:
        if _on_asyncio():
            return await _asyncio_within(seconds, what, work, pending)
        waiting: list[str] = []
        with anyio.move_on_after(seconds) as scope:
            return await work
        if scope.cancelled_caught:
            waiting = pending.waiting()
        raise _timed_out(what, seconds, waiting)
    finally:
        PENDING.reset(token)


async def _asyncio_within(seconds: float, what: str, work: Awaitable[T], pending: PendingLookups) -> T:
    task = asyncio.current_task()
    assert task is not None
    fired: list[list[str]] = []

    def expire() -> None:
        fired.append(pending.waiting())  # named before the cancellation withdraws them
        task.cancel()

    timer = asyncio.get_running_loop().call_later(seconds, expire)
    try:
        result = await work
    except asyncio.CancelledError:
        if fired and task.uncancel() == 0:
            raise _timed_out(what, seconds, fired[0]) from None
        raise
    except Exception as exc:
        # The work turned our cancellation into an error of its own: take the cancellation
        # back, so that the caller's task is not left cancelling, and report the deadline.
        if fired:
            task.uncancel()
            raise _timed_out(what, seconds, fired[0]) from exc
        raise
    finally:
        timer.cancel()
    if fired:  # the work swallowed the cancellation and answered: take it back
        task.uncancel()
    return result


def _timed_out(what: str, seconds: float, waiting: list[str]) -> MLSTimeoutError:
    still = (
        "still pending: "
        + ", ".join(waiting[:10])
        + (f" and {len(waiting) - 10} more" if len(waiting) > 10 else "")
        + " (their requests were cancelled)"
        if waiting
        else "no lookup was pending (the model or the logic was still running)"
    )
    logger.debug("%s passed its deadline of %g s; %s", what, seconds, still)
    return MLSTimeoutError(None, f"{what}: no answer within the deadline of {seconds:g} s; {still}")


def _on_asyncio() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True
