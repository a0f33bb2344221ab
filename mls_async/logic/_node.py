"""``PendingNode``: one eager logic node in flight, as a single future with slots for its arguments.

A node such as ``{"merge": [{"pf": ...}, {"pf": ...}, {"var": ...}]}`` starts every
lookup beneath it at once. Its lookups deliver their answers straight into the node's
slots (the profile client's merging calls :meth:`PendingNode.deliver`), and the node
completes when the last one lands. So a prediction waiting for its features holds one
object per node, not a future per lookup plus a coroutine to collect them: with ten
thousand predictions in flight, that is what the garbage collector scans.

Errors keep the order of the arguments: once every argument has landed, the first
failed one (by position) is the node's error, as awaiting them in order would give.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Callable
from typing import Any

__all__ = ["PendingNode"]

# Slot callbacks run the node's own bookkeeping only: they need no copy of the caller's context.
_CALLBACK_CONTEXT = contextvars.Context()


class PendingNode(asyncio.Future[Any]):
    """A future of ``finish(processor, values, data)`` (of ``values`` without ``finish``).

    ``values`` fill in as the arguments land (see the module doc).
    """

    __slots__ = ("values", "pending", "_finish", "_processor", "_data", "_error_index", "_error")

    def __init__(self, size: int, finish: Callable[[Any, list[Any], Any], Any] | None, processor: Any,
                 data: Any) -> None:
        super().__init__()
        self.values: list[Any] = [None] * size
        self.pending = 0
        self._finish = finish
        self._processor = processor
        self._data = data
        self._error_index = size
        self._error: BaseException | None = None

    def watch(self, index: int, awaitable: Any) -> None:
        """Fill slot ``index`` with the outcome of a future (a nested node, or a lookup of another client)."""
        future = asyncio.ensure_future(awaitable)
        self.values[index] = future  # held until it lands (and cancelled with the node)
        self.pending += 1
        future.add_done_callback(lambda done: self._landed(index, done), context=_CALLBACK_CONTEXT)

    def deliver(self, index: int, value: Any) -> None:
        """Slot ``index``'s value has arrived."""
        if self.done():
            return
        self.values[index] = value
        self._settle_one()

    def fail(self, index: int, error: BaseException) -> None:
        """Slot ``index``'s argument failed."""
        if self.done():
            return
        self.values[index] = None
        if index < self._error_index:
            self._error_index, self._error = index, error
        self._settle_one()

    def started(self) -> PendingNode:
        """Every argument is registered: complete now if none is pending."""
        if self.pending == 0 and not self.done():
            self._complete()
        return self

    def cancel(self, msg: Any = None) -> bool:
        """Cancel the node and what it still waits for (futures of other clients' lookups, nested nodes)."""
        for value in self.values:
            if isinstance(value, asyncio.Future) and not value.done():
                value.cancel()
        return super().cancel(msg)

    def _landed(self, index: int, future: asyncio.Future[Any]) -> None:
        if future.cancelled():
            if not self.done():
                super().cancel()
            return
        error = future.exception()  # retrieved, whether or not the node is still waiting
        if error is not None:
            self.fail(index, error)
        else:
            self.deliver(index, future.result())

    def _settle_one(self) -> None:
        self.pending -= 1
        if self.pending == 0:
            self._complete()

    def _complete(self) -> None:
        if self._error is not None:
            self.set_exception(self._error)
            return
        finish = self._finish
        try:
            result = self.values if finish is None else finish(self._processor, self.values, self._data)
        except Exception as exc:
            self.set_exception(exc)
        else:
            self.set_result(result)
