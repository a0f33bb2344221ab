"""Logic nodes in flight: slots for their arguments, filled as the lookups beneath them arrive.

A node such as ``{"merge": [{"pf": ...}, {"pf": ...}, {"var": ...}]}`` starts every
lookup beneath it at once. Its lookups deliver their answers straight into the node's
slots (the profile client's merging calls :meth:`NodeSlots.deliver`), and the node
completes when the last one arrives.

- The node a caller awaits is a :class:`PendingNode`, a future.
- A node beneath another one is a :class:`NestedNode`: it is no future, and delivers its
  value straight into its parent's slot, so ``{"+": [{"get": [{"pf": ...}, 0]}, ...]}``
  costs no callback or loop pass per level.

So a prediction waiting for its features holds one object per node, not a future per
lookup plus a coroutine to collect them: with ten thousand predictions in flight, that
is what the garbage collector scans.

Errors keep the order of the arguments: once every argument has arrived, the first
failed one (by position) is the node's error, as awaiting them in order would give.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from mls_async._coalesce import InFlight

__all__ = ["NestedNode", "NodeSlots", "PendingNode"]

# Slot callbacks run the node's own bookkeeping only: they need no copy of the caller's context.
_CALLBACK_CONTEXT = contextvars.Context()

Finish = Callable[[Any, list[Any], Any], Any]

_RELEASED: list[Any] = []  # the values of a completed node: nothing arrives any more (never written)


class NodeSlots:
    """The argument slots of a node in flight; subclasses say where its value goes when complete.

    ``values`` fill in as the arguments arrive; ``pending`` counts those still to arrive.
    """

    if not TYPE_CHECKING:  # the subclasses lay the slots out: a future's layout and a slotted base cannot mix
        __slots__ = ()

    values: list[Any]
    pending: int
    _finish: Finish | None
    _processor: Any
    _data: Any
    _error_index: int
    _error: BaseException | None
    _tuples: int

    def _init_slots(self, size: int, finish: Finish | None, processor: Any, data: Any) -> None:
        self.values = [None] * size
        self.pending = 0
        self._finish = finish
        self._processor = processor
        self._data = data
        self._error_index = size
        self._error = None
        self._tuples = 0  # bit i: slot i holds a lookup's values as a tuple (see deliver_values)

    if TYPE_CHECKING:

        def done(self) -> bool: ...

    def watch(self, index: int, awaitable: Any) -> None:
        """Fill slot ``index`` with the outcome of a future (a lookup of another client, say)."""
        future = asyncio.ensure_future(awaitable)
        self.values[index] = future  # held until it arrives (and cancelled with the node)
        self.pending += 1
        future.add_done_callback(lambda done: self._arrived(index, done), context=_CALLBACK_CONTEXT)

    def deliver(self, index: int, value: Any) -> None:
        """Slot ``index``'s value has arrived."""
        if self.done():
            return
        self.values[index] = value
        self._settle_one()

    def deliver_values(self, index: int, values: tuple[Any, ...]) -> None:
        """Slot ``index``'s lookup answered: its values, a list to the logic (as ``pf`` answers).

        They wait here as a tuple, made a list once the node completes: a tuple of plain
        values is one the garbage collector stops tracking, and thousands of predictions
        hold some while their other lookups are in flight.
        """
        if self.done():
            return
        self.values[index] = values
        self._tuples |= 1 << index
        self._settle_one()

    def fail(self, index: int, error: BaseException) -> None:
        """Slot ``index``'s argument failed."""
        if self.done():
            return
        self.values[index] = None
        if index < self._error_index:
            self._error_index, self._error = index, error
        self._settle_one()

    def cancel_arguments(self) -> None:
        """Cancel what the node still waits for: watched futures, nested nodes, and its lookups in flight."""
        values, self.values = self.values, _RELEASED  # what arrives later finds nothing to fill
        for value in values:
            if isinstance(value, asyncio.Future) and not value.done():
                value.cancel()
            elif isinstance(value, NestedNode):
                value.cancel_arguments()
            elif isinstance(value, InFlight):
                value.withdraw()

    def finished(self) -> Any:
        """``finish(processor, values, data)``, or ``values`` without ``finish`` (every argument arrived well).

        The node lets go of its arguments here: a model call's node waits on for its batch.
        """
        values, tuples = self.values, self._tuples
        if tuples:
            values = [list(value) if tuples >> index & 1 else value for index, value in enumerate(values)]
        self.values = _RELEASED
        finish = self._finish
        return values if finish is None else finish(self._processor, values, self._data)

    def _arrived(self, index: int, future: asyncio.Future[Any]) -> None:
        if future.cancelled():
            self._abandon()
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
        raise NotImplementedError

    def _abandon(self) -> None:
        """A watched future was cancelled: so is the node's caller."""
        raise NotImplementedError


class PendingNode(NodeSlots, asyncio.Future[Any]):
    """The node a caller awaits: a future of its :meth:`~NodeSlots.finished` value, or of its first error."""

    __slots__ = ("values", "pending", "_finish", "_processor", "_data", "_error_index", "_error", "_tuples")

    def __init__(self, size: int, finish: Finish | None, processor: Any, data: Any) -> None:
        super().__init__()
        self._init_slots(size, finish, processor, data)

    def started(self) -> PendingNode:
        """Every argument is registered: complete now if none is pending."""
        if self.pending == 0 and not self.done():
            self._complete()
        return self

    def cancel(self, msg: Any = None) -> bool:
        """Cancel the node and what it still waits for (once: a second cancel finds it done)."""
        if self.done():
            return False
        self.cancel_arguments()
        return asyncio.Future.cancel(self, msg)

    def _complete(self) -> None:
        if self._error is not None:
            self.set_exception(self._error)
            return
        try:
            result = self.finished()
        except Exception as exc:
            self.set_exception(exc)
        else:
            self.set_result(result)

    def _abandon(self) -> None:
        if not self.done():
            self.cancel()


class NestedNode(NodeSlots):
    """A node beneath another one: its value goes straight into slot ``index`` of ``parent``."""

    __slots__ = (
        "values",
        "pending",
        "_finish",
        "_processor",
        "_data",
        "_error_index",
        "_error",
        "_tuples",
        "_parent",
        "_index",
    )

    def __init__(
        self, size: int, finish: Finish | None, processor: Any, data: Any, parent: NodeSlots, index: int
    ) -> None:
        self._init_slots(size, finish, processor, data)
        self._parent = parent
        self._index = index

    def done(self) -> bool:
        """Done when the node awaited above it is (its caller gone): nothing is delivered any more."""
        return self._parent.done()

    def _complete(self) -> None:
        if self._error is not None:
            self._parent.fail(self._index, self._error)
            return
        try:
            result = self.finished()
        except Exception as exc:
            self._parent.fail(self._index, exc)
        else:
            self._parent.deliver(self._index, result)

    def _abandon(self) -> None:
        self._parent._abandon()
