"""Run a coroutine to completion from sync code, with or without a running event loop.

Without a running loop (scripts), each thread keeps one ``asyncio.Runner`` so that
async clients bound to its loop stay usable across calls. Inside a running loop
(Jupyter, async services calling sync code), the coroutine runs on one shared
background loop thread and the caller blocks on its result.
"""

from __future__ import annotations

import asyncio
import atexit
import threading
import weakref
from collections.abc import Coroutine
from typing import Any, TypeVar

__all__ = ["run_sync"]

T = TypeVar("T")
_local = threading.local()
_portal_lock = threading.Lock()
_portal_loop: asyncio.AbstractEventLoop | None = None


class _RunnerHolder:
    """Owns a thread's runner; when the thread ends and its locals go, the runner is closed."""

    def __init__(self) -> None:
        self.runner = asyncio.Runner()
        weakref.finalize(self, _close, self.runner)


def _close(runner: asyncio.Runner) -> None:
    """Close ``runner``; its loop is closed even when the interpreter is exiting.

    At exit (Python 3.12 and later) no thread may start, and closing the loop's default
    executor (used for DNS lookups) starts one, so ``close`` raises after closing the loop;
    the executor's threads have been joined by then.
    """
    try:
        runner.close()
    except RuntimeError as error:
        if "interpreter shutdown" not in str(error):
            raise


def _thread_runner() -> asyncio.Runner:
    holder = getattr(_local, "holder", None)
    if holder is None:
        holder = _local.holder = _RunnerHolder()
    return holder.runner


def _portal() -> asyncio.AbstractEventLoop:
    global _portal_loop
    with _portal_lock:
        if _portal_loop is None:
            loop = asyncio.new_event_loop()
            thread = threading.Thread(target=loop.run_forever, name="mls-async-portal", daemon=True)
            thread.start()
            atexit.register(loop.call_soon_threadsafe, loop.stop)
            _portal_loop = loop
        return _portal_loop


def run_sync(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run ``coroutine`` and return its result, from any sync context."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return _thread_runner().run(coroutine)
    return asyncio.run_coroutine_threadsafe(coroutine, _portal()).result()
