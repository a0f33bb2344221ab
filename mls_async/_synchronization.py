"""Primitives whose async and sync forms rename cleanly under scripts/unasync.py."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

import anyio.to_thread

__all__ = ["current_loop", "loop_finished", "run_inline", "to_thread"]

T = TypeVar("T")


async def to_thread(fn: Callable[..., T], *args: Any) -> T:
    """Run blocking work (disk, pickling, archives) in a worker thread."""
    return await anyio.to_thread.run_sync(fn, *args)


def run_inline(fn: Callable[..., T], *args: Any) -> T:
    """The sync twin of :func:`to_thread`: a sync caller is already off any event loop."""
    return fn(*args)


def current_loop() -> Hashable | None:
    """What identifies the running event loop: asyncio's loop, or trio's run (its token); None outside any.

    Connection state (pools, merged lookups, limiters) is kept per value of this: each
    loop that uses a client gets its own, so one client serves successive ``asyncio.run``
    calls, the sync facade's loop and a notebook's loop alike.
    """
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        pass
    trio = sys.modules.get("trio")  # imported by whoever runs trio: never imported here
    if trio is not None:
        try:
            token: Hashable = trio.lowlevel.current_trio_token()
        except RuntimeError:
            return None
        return token
    return None


def loop_finished(loop: Hashable) -> bool:
    """Whether ``loop`` (see :func:`current_loop`) has ended: an asyncio loop closed, a trio run over."""
    if isinstance(loop, asyncio.AbstractEventLoop):
        return loop.is_closed()
    run_sync_soon = getattr(loop, "run_sync_soon", None)
    if run_sync_soon is None:
        return False
    try:
        run_sync_soon(_nothing)
    except RuntimeError:  # trio.RunFinishedError
        return True
    return False


def _nothing() -> None:
    return None
