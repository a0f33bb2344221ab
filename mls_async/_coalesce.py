"""Merge concurrent lookups of one group (say, one feature profile) into as few requests as is safe.

``AsyncRequestCoalescer`` gathers the lookups that arrive within ``window`` seconds for
one group and answers them with:

- one batch request for all their ids, when the server announced that it has a batch
  route (``can_batch()`` is True);
- otherwise one plain request per distinct id (single flight): identical lookups in
  flight share one request, however they arrived.

While ``can_batch()`` is still unknown (None: no answer from the server yet), the first
id goes out alone and its answer decides how the rest are fetched. Each caller gets its
own slice of the values, or its own error.

Once the server is known to have no batch route, a lookup with a future of its own
(:meth:`AsyncRequestCoalescer.start`) goes out at once. Lookups answering into the slots
of logic nodes (:meth:`~AsyncRequestCoalescer.start_into`) still gather for the window and
are answered together: the predictions they feed then complete in one pass of the loop
and share one model call, where answers trickling in one by one made many small ones.

``RequestCoalescer`` is the sync twin that scripts/unasync.py maps to: with no
concurrency there is nothing to merge.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass, field
from typing import Any, Protocol, cast

from mls_async._exceptions import DoesNotExist, MLSNotFoundError

__all__ = ["AsyncRequestCoalescer", "RequestCoalescer", "Slots"]

Values = dict[str, Any]
Outcome = Values | BaseException


def _select(values: Values, fields: list[str] | None) -> Values:
    if fields is None:
        return dict(values)
    return {name: values[name] for name in fields if name in values}


def _shaped(outcome: Outcome, fields: list[str] | None, as_values: bool) -> Any:
    """What a caller gets: the selected values, or with ``as_values`` their list (None if not found)."""
    if isinstance(outcome, BaseException):
        if as_values and isinstance(outcome, MLSNotFoundError):
            return None
        raise outcome
    if as_values:
        return [outcome.get(name) for name in fields or ()]
    return _select(outcome, fields)


class Slots(Protocol):
    """Where a lookup may answer instead of a future of its own: slot ``index`` of a pending logic node."""

    def done(self) -> bool: ...

    def deliver(self, index: int, value: Any) -> None: ...

    def deliver_values(self, index: int, values: tuple[Any, ...]) -> None: ...

    def fail(self, index: int, error: BaseException) -> None: ...


@dataclass
class _Batch:
    """The lookups waiting for one flush, as parallel lists (no object per lookup to keep alive).

    Each lookup answers its future (``slots[i]`` < 0) or slot ``slots[i]`` of ``targets[i]``.
    """

    keys: list[str] = field(default_factory=list)
    fields: list[list[str] | None] = field(default_factory=list)
    targets: list[Any] = field(default_factory=list)
    slots: list[int] = field(default_factory=list)
    as_values: list[bool] = field(default_factory=list)
    timer: asyncio.TimerHandle | None = None

    def add(self, key: str, fields: list[str] | None, target: Any, slot: int, as_values: bool) -> int:
        self.keys.append(key)
        self.fields.append(fields)
        self.targets.append(target)
        self.slots.append(slot)
        self.as_values.append(as_values)
        return len(self.keys)

    def answer(self, i: int, value: Any) -> None:
        target, slot = self.targets[i], self.slots[i]
        if slot < 0:
            target.set_result(value)
        else:
            target.deliver(slot, value)

    def refuse(self, i: int, error: BaseException) -> None:
        target, slot = self.targets[i], self.slots[i]
        if slot < 0:
            target.set_exception(error)
        else:
            target.fail(slot, error)


class AsyncRequestCoalescer:
    """Merge lookups per group arriving within ``window`` seconds (``None``: single flight only)."""

    def __init__(
        self,
        fetch_one: Callable[[Hashable, str, list[str] | None], Awaitable[Values]],
        fetch_many: Callable[[Hashable, list[str], list[str] | None], Awaitable[dict[str, Values]]],
        *,
        window: float | None = 0.002,
        max_batch: int = 500,
        can_batch: Callable[[], bool | None] = lambda: True,
    ) -> None:
        self._fetch_one = fetch_one
        self._fetch_many = fetch_many
        self._window = window
        self._max_batch = max_batch
        self._can_batch = can_batch
        self._pending: dict[Hashable, _Batch] = {}
        self._inflight: dict[tuple[Any, ...], asyncio.Future[Any]] = {}
        self._tasks: set[asyncio.Task[Any]] = set()

    async def get(self, group: Hashable, key: str, fields: list[str] | None) -> Values:
        """The values of ``fields`` (all when None) for ``key`` in ``group``."""
        return cast("dict[str, Any]", await self.start(group, key, fields))

    def start(self, group: Hashable, key: str, fields: list[str] | None, *,
              as_values: bool = False) -> asyncio.Future[Any]:
        """Register the lookup now and return its future (no coroutine or task per lookup).

        With ``as_values`` the future gives ``[value of each field]`` (None for a missing
        one), or None when the key is not found: what the logic DSL's ``pf`` answers.
        """
        if not self._gathering():
            return _shaped_when_landed(self._shared(group, key, fields), fields, as_values)
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()
        self._register(loop, group, key, fields, future, -1, as_values)
        return future

    def start_into(self, group: Hashable, key: str, fields: list[str], slots: Slots, index: int) -> bool:
        """Register a lookup answering ``[value per field]`` (None if not found) into slot ``index`` of ``slots``.

        False when lookups are not gathered (``window`` None): then take :meth:`start`'s future.
        """
        if not self._window:
            return False
        self._register(asyncio.get_running_loop(), group, key, fields, slots, index, True)
        return True

    def _gathering(self) -> bool:
        """Whether lookups wait ``window`` for their peers: only while a batch request may carry them."""
        return bool(self._window) and self._can_batch() is not False

    def _register(self, loop: asyncio.AbstractEventLoop, group: Hashable, key: str, fields: list[str] | None,
                  target: Any, slot: int, as_values: bool) -> None:
        batch = self._pending.get(group)
        if batch is None:
            batch = self._pending[group] = _Batch()
            batch.timer = loop.call_later(self._window or 0.0, self._flush, group)
        if batch.add(key, fields, target, slot, as_values) >= self._max_batch:
            self._flush(group)

    async def get_many(self, group: Hashable, keys: list[str], fields: list[str] | None) -> dict[str, Values]:
        """``{key: values}`` for every key found; merged like concurrent :meth:`get` calls."""
        answers = await asyncio.gather(*(self.get(group, key, fields) for key in keys), return_exceptions=True)
        found: dict[str, Values] = {}
        for key, answer in zip(keys, answers):
            if isinstance(answer, DoesNotExist):
                continue
            if isinstance(answer, BaseException):
                raise answer
            found[key] = answer
        return found

    def _shared(self, group: Hashable, key: str, fields: list[str] | None) -> asyncio.Future[Any]:
        """The request in flight for this lookup, started if there is none: callers of one lookup share it.

        Callers must not cancel it (others may wait on it): they wait on a future of their own.
        """
        flight = (group, key, None if fields is None else tuple(fields))
        shared = self._inflight.get(flight)
        if shared is None:
            shared = asyncio.ensure_future(self._fetch_one(group, key, fields))
            self._inflight[flight] = shared
            shared.add_done_callback(lambda done: self._landed(flight, done))
        return shared

    def _flight(self, group: Hashable, key: str, fields: list[str] | None) -> asyncio.Future[Any]:
        """One request per distinct lookup in flight (see :meth:`_shared`), shielded from the caller's cancelling."""
        return asyncio.shield(self._shared(group, key, fields))

    def _landed(self, flight: tuple[Any, ...], done: asyncio.Future[Any]) -> None:
        self._inflight.pop(flight, None)
        if not done.cancelled():
            done.exception()  # retrieved here too: every caller may have gone meanwhile

    def _flush(self, group: Hashable) -> None:
        batch = self._pending.pop(group, None)
        if batch is None:
            return
        if batch.timer is not None:
            batch.timer.cancel()
        task = asyncio.get_running_loop().create_task(self._run(group, batch))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _each(self, group: Hashable, ids: list[str], wanted: list[str] | None) -> dict[str, Outcome]:
        answers = await asyncio.gather(*(self._flight(group, i, wanted) for i in ids), return_exceptions=True)
        return dict(zip(ids, answers))

    async def _fetch(self, group: Hashable, ids: list[str], wanted: list[str] | None) -> dict[str, Outcome]:
        if len(ids) == 1:
            return await self._each(group, ids, wanted)
        outcomes: dict[str, Outcome] = {}
        batchable = self._can_batch()
        if batchable is None:  # first contact: one plain lookup tells what the server supports
            outcomes.update(await self._each(group, ids[:1], wanted))
            ids, batchable = ids[1:], self._can_batch()
        if not batchable:
            outcomes.update(await self._each(group, ids, wanted))
            return outcomes
        for start in range(0, len(ids), self._max_batch):
            chunk = ids[start:start + self._max_batch]
            try:
                found = await self._fetch_many(group, chunk, wanted)
            except Exception as exc:  # one failed batch fails every caller that shared it
                outcomes.update(dict.fromkeys(chunk, exc))
            else:
                outcomes.update({i: found[i] if i in found else DoesNotExist(f"no profile for {i!r} in {group!r}")
                                 for i in chunk})
        return outcomes

    async def _run(self, group: Hashable, batch: _Batch) -> None:
        live = [i for i, target in enumerate(batch.targets) if not target.done()]  # skip callers gone meanwhile
        if not live:
            return
        ids = list(dict.fromkeys(batch.keys[i] for i in live))
        union: list[str] = []
        for i in live:
            union.extend(f for f in batch.fields[i] or () if f not in union)
        wanted = None if any(batch.fields[i] is None for i in live) else union
        try:
            outcomes = await self._fetch(group, ids, wanted)
        except BaseException as exc:
            for i in live:
                if not batch.targets[i].done():
                    batch.refuse(i, exc if isinstance(exc, Exception) else asyncio.CancelledError())
            raise
        for i in live:
            target = batch.targets[i]
            if target.done():
                continue
            outcome = outcomes[batch.keys[i]]
            if batch.slots[i] >= 0 and not isinstance(outcome, BaseException):  # a logic node's lookup
                target.deliver_values(batch.slots[i], tuple(map(outcome.get, batch.fields[i] or ())))
                continue
            try:
                value = _shaped(outcome, batch.fields[i], batch.as_values[i])
            except Exception as error:
                batch.refuse(i, error)
            else:
                batch.answer(i, value)


def _outcome(done: asyncio.Future[Any]) -> Outcome:
    """A landed (not cancelled) request's values, or its error."""
    error = done.exception()
    return error if error is not None else cast("Values", done.result())


def _shaped_when_landed(shared: asyncio.Future[Any], fields: list[str] | None, as_values: bool) -> asyncio.Future[Any]:
    """A future of this caller's own shape of ``shared``'s answer (see :func:`_shaped`)."""
    shaped: asyncio.Future[Any] = asyncio.get_running_loop().create_future()

    def land(done: asyncio.Future[Any]) -> None:
        if shaped.done():
            return
        if done.cancelled():
            shaped.cancel()
            return
        try:
            shaped.set_result(_shaped(_outcome(done), fields, as_values))
        except BaseException as failure:  # the request's own error, whatever it is: never left waiting
            shaped.set_exception(failure)

    shared.add_done_callback(land)
    return shaped


class RequestCoalescer:
    """Sync twin of :class:`AsyncRequestCoalescer`: every lookup is a single request."""

    def __init__(
        self,
        fetch_one: Callable[[Hashable, str, list[str] | None], Values],
        fetch_many: Callable[[Hashable, list[str], list[str] | None], dict[str, Values]],
        *,
        window: float | None = 0.002,
        max_batch: int = 500,
        can_batch: Callable[[], bool | None] = lambda: True,
    ) -> None:
        self._fetch_one = fetch_one

    def get(self, group: Hashable, key: str, fields: list[str] | None) -> Values:
        return self._fetch_one(group, key, fields)

    def start(self, group: Hashable, key: str, fields: list[str] | None, *, as_values: bool = False) -> Any:
        try:
            outcome: Outcome = self._fetch_one(group, key, fields)
        except MLSNotFoundError as exc:
            outcome = exc
        return _shaped(outcome, fields, as_values)

    def start_into(self, group: Hashable, key: str, fields: list[str], slots: Slots, index: int) -> bool:
        """Nothing is gathered without concurrency: the caller takes :meth:`start`'s answer instead."""
        return False

    def get_many(self, group: Hashable, keys: list[str], fields: list[str] | None) -> dict[str, Values]:
        found: dict[str, Values] = {}
        for key in keys:
            try:
                found[key] = self._fetch_one(group, key, fields)
            except DoesNotExist:
                continue
        return found
