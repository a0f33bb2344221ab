"""Primitives whose async and sync forms rename cleanly under scripts/unasync.py."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import anyio.to_thread

__all__ = ["to_thread", "run_inline"]

T = TypeVar("T")


async def to_thread(fn: Callable[..., T], *args: Any) -> T:
    """Run blocking work (disk, pickling, archives) in a worker thread."""
    return await anyio.to_thread.run_sync(fn, *args)


def run_inline(fn: Callable[..., T], *args: Any) -> T:
    """The sync twin of :func:`to_thread`: a sync caller is already off any event loop."""
    return fn(*args)
