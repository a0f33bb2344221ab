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

Cancellation reaches the wire: a lookup whose caller is cancelled (or timed out) before
its request goes out is never sent, and a request is aborted as soon as no caller waits
for it any more (with single flight, when the last one sharing it leaves), which frees its
place in the client's in-flight limit at once. Nothing of a cancelled caller stays
scheduled (but for a place in its group's hedging queue, skipped when its time comes).

Hedged reads (see :mod:`mls_async._hedging`): a single lookup's request not answered
within its group's hedging delay gets one identical copy, if the budget allows; the first
answer wins and the other request is aborted. Batch requests (a POST) are never hedged.

Deadlines: :meth:`AsyncRequestCoalescer.get` takes one; when it passes, the lookup is
withdrawn (its request aborted, if no other caller waits for it) and ``MLSTimeoutError``
names it. A prediction's deadline learns which of its lookups are still pending through
:data:`PENDING` (a :class:`PendingLookups` its lookups register in).

Each event loop that uses a coalescer has lookups of its own (a loop's futures and timers
serve that loop only). Off asyncio (trio) every lookup is its own request (hedged too).

``RequestCoalescer`` is the sync twin that scripts/unasync.py maps to: with no
concurrency there is nothing to merge.
"""

from __future__ import annotations

import asyncio
import contextvars
import math
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable, Hashable
from concurrent.futures import ThreadPoolExecutor
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Protocol, cast

import anyio

from mls_async._exceptions import DoesNotExist, MLSNotFoundError, MLSTimeoutError, MLSValidationError
from mls_async._hedging import Hedger, LookupStats, logger

__all__ = [
    "AsyncRequestCoalescer",
    "InFlight",
    "PENDING",
    "PendingLookups",
    "RequestCoalescer",
    "Slots",
    "check_deadline",
]

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
    """Where a lookup may answer instead of a future of its own: slot ``index`` of a pending logic node.

    While the lookup's request is in flight the slot holds the :class:`InFlight` request;
    a node whose caller is cancelled calls its :meth:`InFlight.withdraw`.
    """

    values: list[Any]

    def done(self) -> bool: ...

    def deliver(self, index: int, value: Any) -> None: ...

    def deliver_values(self, index: int, values: tuple[Any, ...]) -> None: ...

    def fail(self, index: int, error: BaseException) -> None: ...


class InFlight:
    """A request on its way, and how many callers still wait for it: the last one to leave aborts it."""

    __slots__ = ()

    def withdraw(self) -> None:
        """One waiting caller has gone."""
        raise NotImplementedError


class _Gathering(InFlight):
    """What a logic node's slot holds while its lookup gathers for the window (not sent yet)."""

    __slots__ = ()

    def withdraw(self) -> None:
        """Nothing to abort: a lookup whose caller has gone is never sent (see ``_dispatch``)."""


_GATHERING = _Gathering()


def _unanswered(future: asyncio.Future[Any]) -> bool:
    """Whether a lookup's future has no answer: still waiting, or given up at the deadline.

    A sync client's lookup takes what is left of the deadline as its timeout, so it may
    time out a moment before the deadline's own timer fires: like one still waiting, it
    gave no answer within the deadline.
    """
    if not future.done():
        return True
    return not future.cancelled() and isinstance(future.exception(), MLSTimeoutError)


class PendingLookups:
    """The lookups started under one deadline (a prediction's), and how to tell which still wait.

    Each entry is a description (``user 'u1' of profile 'p'``), a probe answering whether
    the lookup still waits, and the stats of the client it went through. ``expires`` is the
    deadline (``time.monotonic()``): a sync client's lookup takes what is left as its timeout.
    """

    __slots__ = ("entries", "expires")

    def __init__(self, expires: float | None = None) -> None:
        self.entries: list[tuple[str, Callable[[], bool], LookupStats | None]] = []
        self.expires = expires

    def remaining(self) -> float | None:
        """Seconds left until the deadline (a little at least), or None without one."""
        if self.expires is None:
            return None
        return max(0.001, self.expires - time.monotonic())

    def add(self, what: str, waiting: Callable[[], bool], stats: LookupStats | None = None) -> None:
        self.entries.append((what, waiting, stats))

    def add_future(self, what: str, future: Any, stats: LookupStats | None = None) -> None:
        if asyncio.isfuture(future):
            self.add(what, lambda: _unanswered(future), stats)

    def add_slot(self, what: str, slots: Slots, index: int, stats: LookupStats | None = None) -> None:
        self.add(what, lambda: not slots.done() and isinstance(slots.values[index], InFlight), stats)

    def waiting(self) -> list[str]:
        """What still waits now; each one counts as a timeout in its client's stats."""
        found = []
        for what, waiting, stats in self.entries:
            if waiting():
                found.append(what)
                if stats is not None:
                    stats.count("timeouts")
        return found


def check_deadline(deadline: Any) -> float:
    """``deadline`` as seconds: a positive, finite number (a bool is none)."""
    if isinstance(deadline, bool) or not isinstance(deadline, (int, float)) or not 0 < deadline < math.inf:
        raise MLSValidationError(f"deadline={deadline!r:.60} must be a positive number of seconds, e.g. 0.05")
    return float(deadline)


PENDING: ContextVar[PendingLookups | None] = ContextVar("mls_async_pending_lookups", default=None)
"""The lookups of the prediction running in this context under a deadline (None without one)."""


@dataclass
class _Batch:
    """Lookups as parallel lists (no object per lookup to keep alive): those gathering for one flush,
    or those one request answers.

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

    def take(self, other: _Batch, i: int) -> None:
        """Lookup ``i`` of ``other`` joins this batch."""
        self.add(other.keys[i], other.fields[i], other.targets[i], other.slots[i], other.as_values[i])

    def settle(self, i: int, outcome: Outcome) -> None:
        """Give lookup ``i`` its share of ``outcome`` (its values, or the error), unless its caller has gone."""
        target, slot = self.targets[i], self.slots[i]
        if target.done():
            return
        if slot >= 0 and not isinstance(outcome, BaseException):  # a logic node's lookup
            target.deliver_values(slot, tuple(map(outcome.get, self.fields[i] or ())))
            return
        try:
            value = _shaped(outcome, self.fields[i], self.as_values[i])
        except BaseException as error:  # the request's own error, whatever it is: never left waiting
            if slot < 0:
                target.set_exception(error)
            else:
                target.fail(slot, error)
            return
        if slot < 0:
            target.set_result(value)
        else:
            target.deliver(slot, value)


class _Request(InFlight):
    """One request (a single lookup, or a batch of ids) and the lookups waiting for its answer.

    It is aborted when every one of them has gone (:meth:`withdraw`): a request not sent
    yet (waiting for a connection) is never sent, one in flight is dropped, and its place
    in the in-flight limit is free at once.
    """

    __slots__ = (
        "task",
        "waiting",
        "groups",
        "live",
        "ids",
        "flight",
        "owner",
        "group",
        "hedger",
        "copy",
        "sent_at",
        "copied_at",
        "settled",
    )

    def __init__(
        self, owner: _LoopLookups, group: Hashable, ids: list[str] | None, flight: tuple[Any, ...] | None
    ) -> None:
        self.owner = owner
        self.group = group
        self.ids = ids  # a batch request's ids; None for a single lookup
        self.flight = flight  # its key among the single lookups in flight (shared by identical ones)
        self.waiting = _Batch()
        self.groups: list[_Group] = []
        self.live = 0
        self.task: asyncio.Task[Any] | None = None
        self.hedger: Hedger | None = None  # a single lookup's: the latencies it learns from, the budget
        self.copy: asyncio.Task[Any] | None = None  # the hedge, once sent
        self.sent_at = 0.0
        self.copied_at = 0.0
        self.settled = False

    def join(self, batch: _Batch, i: int) -> None:
        """Lookup ``i`` of ``batch`` waits for this request from now on."""
        self.waiting.take(batch, i)
        self.live += 1
        target, slot = batch.targets[i], batch.slots[i]
        if slot >= 0:
            target.values[slot] = self  # the node withdraws it if its caller is cancelled
        else:
            target.add_done_callback(self._left, context=_CALLBACK_CONTEXT)

    @property
    def key(self) -> str:
        """A single lookup's id."""
        return cast("str", self.flight[1]) if self.flight is not None else ""

    def join_group(self, group: _Group) -> None:
        """``group`` waits for this request on behalf of its lookups of this id."""
        self.groups.append(group)
        self.live += 1

    def _left(self, target: asyncio.Future[Any]) -> None:
        if target.cancelled():
            self.withdraw()

    def withdraw(self) -> None:
        self.live -= 1
        task = self.task
        if self.live <= 0 and task is not None and not self.settled:
            self.owner.forget(self)  # its hedge, if due later, finds no caller: none is sent
            self.owner.stats.count("cancelled")
            copy = self.copy
            if copy is not None and not copy.done():
                copy.cancel()
            if not task.done():
                task.cancel()

    def hedge(self, coalescer: AsyncRequestCoalescer, fields: list[str] | None) -> None:
        """The hedging delay has passed unanswered: send one identical copy, if the budget allows."""
        hedger, task = self.hedger, self.task
        if self.settled or self.live <= 0 or hedger is None or task is None or task.done():
            return
        if not hedger.try_hedge():
            return
        loop = self.owner.loop
        self.copied_at = loop.time()
        logger.debug("hedging %r %r after %.1f ms", self.group, self.key, (self.copied_at - self.sent_at) * 1000)
        copy = self.copy = asyncio.ensure_future(coalescer._fetch_one(self.group, self.key, fields), loop=loop)
        copy.add_done_callback(self.arrived, context=_CALLBACK_CONTEXT)

    def _race(self, task: asyncio.Task[Any]) -> bool:
        """With a hedge out: whether ``task``'s outcome settles the lookup (else the other copy may still answer).

        The first answer wins (found or not found) and the other copy is aborted; an error
        or a cancellation waits for the other copy while it is still in flight.
        """
        other = self.copy if task is self.task else self.task
        if other is None or other.done():
            return True
        if task.cancelled():
            return False
        failure = task.exception()
        if failure is not None and not isinstance(failure, MLSNotFoundError):
            return False
        other.cancel()  # the loser: aborted on the wire
        return True

    def _learn(self, task: asyncio.Task[Any]) -> None:
        """An answer (found or not) teaches the hedger its latency."""
        hedger = self.hedger
        if hedger is None or task.cancelled():
            return
        failure = task.exception()
        if failure is not None and not isinstance(failure, MLSNotFoundError):
            return
        hedged = task is self.copy
        hedger.answered(self.owner.loop.time() - (self.copied_at if hedged else self.sent_at), hedge=hedged)

    def arrived(self, task: asyncio.Task[Any]) -> None:
        if self.settled or (self.copy is not None and not self._race(task)):
            return
        self.settled = True
        self._learn(task)
        self.owner.forget(self)
        waiting, groups = self.waiting, self.groups
        self.waiting, self.groups = _Batch(), []
        if task.cancelled():
            error: BaseException = asyncio.CancelledError()
            for group in groups:
                group.arrived(self.key, error)
            for i in range(len(waiting.keys)):
                target, slot = waiting.targets[i], waiting.slots[i]
                if target.done():
                    continue
                if slot < 0:
                    target.cancel()
                else:
                    target.fail(slot, error)
            return
        failure = task.exception()
        if failure is not None or self.ids is None:
            outcome: Outcome = failure if failure is not None else cast("Values", task.result())
            for i in range(len(waiting.keys)):
                waiting.settle(i, outcome)
            for group in groups:
                group.arrived(self.key, outcome)
            return
        found: dict[str, Values] = task.result()
        for i in range(len(waiting.keys)):
            key = waiting.keys[i]
            values = found.get(key)
            waiting.settle(
                i, values if values is not None else DoesNotExist(f"no profile for {key!r} in {self.group!r}")
            )


class _Group(InFlight):
    """Gathered lookups sent as one request per distinct id, answered together once every request has arrived.

    The predictions they feed then complete in one pass of the loop and share one model
    call. A lookup whose caller has gone is swept out (once per pass of the loop, however
    many left): a request none of the group's lookups still waits for is withdrawn.
    """

    __slots__ = ("batch", "requests", "answers", "outstanding", "sweeping", "loop")

    def __init__(self, loop: asyncio.AbstractEventLoop, batch: _Batch, live: list[int]) -> None:
        self.loop = loop
        self.batch = _Batch()
        for i in live:
            self.batch.take(batch, i)
        self.requests: dict[str, _Request] = {}
        self.answers: dict[str, Outcome] = {}
        self.outstanding = 0
        self.sweeping = False

    def wait_for(self, key: str, request: _Request) -> None:
        if key not in self.requests:
            self.requests[key] = request
            self.outstanding += 1
            request.join_group(self)

    def hold_slots(self) -> None:
        """Each logic node's slot holds the group while its request is in flight (see :class:`Slots`)."""
        batch = self.batch
        for i, slot in enumerate(batch.slots):
            if slot >= 0:
                batch.targets[i].values[slot] = self
            else:
                batch.targets[i].add_done_callback(self._left, context=_CALLBACK_CONTEXT)

    def _left(self, target: asyncio.Future[Any]) -> None:
        if target.cancelled():
            self.withdraw()

    def withdraw(self) -> None:
        if not self.sweeping and self.outstanding:
            self.sweeping = True
            self.loop.call_soon(self._sweep, context=_CALLBACK_CONTEXT)

    def _sweep(self) -> None:
        self.sweeping = False
        batch = self.batch
        wanted = {batch.keys[i] for i, target in enumerate(batch.targets) if not target.done()}
        for key in [key for key in self.requests if key not in wanted]:
            self.requests.pop(key).withdraw()

    def arrived(self, key: str, outcome: Outcome) -> None:
        self.answers[key] = outcome
        self.outstanding -= 1
        if self.outstanding:
            return
        batch, answers = self.batch, self.answers
        self.batch, self.answers = _Batch(), {}
        for i in range(len(batch.keys)):
            found = answers.get(batch.keys[i])
            if found is not None:  # None: withdrawn, every caller of it gone
                batch.settle(i, found)


# Callbacks of our own bookkeeping: they need no copy of the caller's context.
_CALLBACK_CONTEXT = contextvars.Context()


class _HedgeQueue:
    """One group's single requests waiting for their hedging delay, in sending order, under one timer.

    A timer per request would cost a heap push and a cancellation each, with thousands in
    flight; the delays of one group change slowly, so their due times come in order.
    """

    __slots__ = ("loop", "coalescer", "due", "timer")

    def __init__(self, loop: asyncio.AbstractEventLoop, coalescer: AsyncRequestCoalescer) -> None:
        self.loop = loop
        self.coalescer = coalescer
        self.due: deque[tuple[float, _Request, list[str] | None]] = deque()
        self.timer: asyncio.TimerHandle | None = None

    def push(self, at: float, request: _Request, fields: list[str] | None) -> None:
        self.due.append((at, request, fields))
        if self.timer is None:
            self.timer = self.loop.call_at(at, self._fire, context=_CALLBACK_CONTEXT)

    def _fire(self) -> None:
        self.timer = None
        due, now = self.due, self.loop.time()
        while due and due[0][0] <= now:
            _, request, fields = due.popleft()
            request.hedge(self.coalescer, fields)  # nothing, if it has answered or lost its callers
        if due:
            self.timer = self.loop.call_at(due[0][0], self._fire, context=_CALLBACK_CONTEXT)


class _LoopLookups:
    """One event loop's lookups: those gathering for a flush, per group, the single requests in flight,
    and those waiting for their hedging delay."""

    def __init__(self, loop: asyncio.AbstractEventLoop, stats: LookupStats) -> None:
        self.loop = loop
        self.stats = stats
        self.pending: dict[Hashable, _Batch] = {}
        self.inflight: dict[tuple[Any, ...], _Request] = {}
        self.hedges: dict[Hashable, _HedgeQueue] = {}

    def forget(self, request: _Request) -> None:
        if request.flight is not None and self.inflight.get(request.flight) is request:
            del self.inflight[request.flight]


class AsyncRequestCoalescer:
    """Merge lookups per group arriving within ``window`` seconds (``None``: single flight only).

    Each event loop that uses it has lookups of its own. Off asyncio (trio), every lookup
    is its own request.
    """

    def __init__(
        self,
        fetch_one: Callable[..., Awaitable[Values]],
        fetch_many: Callable[[Hashable, list[str], list[str] | None], Awaitable[dict[str, Values]]],
        *,
        window: float | None = 0.002,
        max_batch: int = 500,
        can_batch: Callable[[], bool | None] = lambda: True,
        hedger: Callable[[Hashable], Hedger] | None = None,
        stats: LookupStats | None = None,
    ) -> None:
        self._fetch_one = fetch_one
        self._fetch_many = fetch_many
        self._window = window
        self._max_batch = max_batch
        self._can_batch = can_batch
        self._hedger = hedger
        self._stats = stats if stats is not None else LookupStats()
        self._loops: dict[asyncio.AbstractEventLoop, _LoopLookups] = {}
        self._loops_lock = threading.Lock()
        self._last: _LoopLookups | None = None

    def _lookups(self, loop: asyncio.AbstractEventLoop) -> _LoopLookups:
        last = self._last
        if last is not None and last.loop is loop:
            return last
        with self._loops_lock:  # loops on several threads (a notebook's and the sync facade's) meet here
            found = self._loops.get(loop)
            if found is None:
                for ended in [other for other in self._loops if other.is_closed()]:
                    self._loops.pop(ended, None)
                found = self._loops[loop] = _LoopLookups(loop, self._stats)
        self._last = found
        return found

    async def get(
        self, group: Hashable, key: str, fields: list[str] | None, *, deadline: float | None = None, what: str = ""
    ) -> Values:
        """The values of ``fields`` (all when None) for ``key`` in ``group``.

        With ``deadline`` (seconds): past it the lookup is withdrawn and ``MLSTimeoutError``
        names it (``what``).
        """
        if not _on_asyncio():
            if deadline is None:
                return await self._portable_get(group, key, fields)
            with anyio.move_on_after(deadline):
                return await self._portable_get(group, key, fields)
            raise self._timed_out(what or f"{key!r} in {group!r}", deadline)
        if deadline is None:
            return cast("dict[str, Any]", await self.start(group, key, fields))
        try:
            return cast("dict[str, Any]", await asyncio.wait_for(self.start(group, key, fields), deadline))
        except TimeoutError:
            raise self._timed_out(what or f"{key!r} in {group!r}", deadline) from None

    def _timed_out(self, what: str, deadline: float) -> MLSTimeoutError:
        self._stats.count("timeouts")
        logger.debug("lookup of %s timed out after its deadline of %g s", what, deadline)
        return MLSTimeoutError(
            None, f"no answer within the deadline of {deadline:g} s; still pending: {what} (its request was cancelled)"
        )

    async def _portable_get(self, group: Hashable, key: str, fields: list[str] | None) -> Values:
        """A lookup off asyncio (trio): its own request, hedged as on asyncio, the losing copy cancelled."""
        self._stats.count("lookups")
        hedger = self._hedger(group) if self._hedger is not None else None
        if hedger is None:
            self._stats.count("requests")
            return await self._fetch_one(group, key, fields)
        delay = hedger.sent()
        outcomes: list[tuple[bool, Outcome]] = []  # (from the hedge, outcome) of each copy, in arrival order
        answered = anyio.Event()

        async def attempt(hedged: bool) -> None:
            started = anyio.current_time()
            try:
                outcome: Outcome = await self._fetch_one(group, key, fields)
            except Exception as exc:
                outcome = exc
            if not isinstance(outcome, BaseException) or isinstance(outcome, MLSNotFoundError):
                settled_before = any(
                    not isinstance(o, BaseException) or isinstance(o, MLSNotFoundError) for _, o in outcomes
                )
                hedger.answered(anyio.current_time() - started, hedge=hedged and not settled_before)
            outcomes.append((hedged, outcome))
            answered.set()

        copies = 1
        async with anyio.create_task_group() as race:
            race.start_soon(attempt, False)
            if delay is not None:
                with anyio.move_on_after(delay):
                    await answered.wait()
                if not outcomes and hedger.try_hedge():
                    logger.debug("hedging %r %r after %.1f ms", group, key, delay * 1000)
                    copies = 2
                    race.start_soon(attempt, True)
            while not (len(outcomes) == copies or any(_settles(found) for _, found in outcomes)):
                await answered.wait()
                answered = anyio.Event()
            race.cancel_scope.cancel()  # the other copy, if any: aborted on the wire
        outcome = next((found for _, found in outcomes if _settles(found)), outcomes[-1][1])
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome

    def start(
        self, group: Hashable, key: str, fields: list[str] | None, *, as_values: bool = False
    ) -> asyncio.Future[Any]:
        """Register the lookup now and return its future (no coroutine or task per lookup).

        With ``as_values`` the future gives ``[value of each field]`` (None for a missing
        one), or None when the key is not found: what the logic DSL's ``pf`` answers.
        Cancelling the future withdraws the lookup (see :class:`_Request`).
        """
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()
        lookups = self._lookups(loop)
        self._stats.count("lookups")
        if not self._gathering():
            alone = _Batch()
            alone.add(key, fields, future, -1, as_values)
            self._single(lookups, group, key, fields).join(alone, 0)
            return future
        self._register(lookups, group, key, fields, future, -1, as_values)
        return future

    def start_into(self, group: Hashable, key: str, fields: list[str], slots: Slots, index: int) -> bool:
        """Register a lookup answering ``[value per field]`` (None if not found) into slot ``index`` of ``slots``.

        False when lookups are not gathered (``window`` None): then take :meth:`start`'s future.
        """
        if not self._window:
            return False
        self._stats.count("lookups")
        slots.values[index] = _GATHERING  # until its request is sent: a lookup still pending
        self._register(self._lookups(asyncio.get_running_loop()), group, key, fields, slots, index, True)
        return True

    def _gathering(self) -> bool:
        """Whether lookups wait ``window`` for their peers: only while a batch request may carry them."""
        return bool(self._window) and self._can_batch() is not False

    def _register(
        self,
        lookups: _LoopLookups,
        group: Hashable,
        key: str,
        fields: list[str] | None,
        target: Any,
        slot: int,
        as_values: bool,
    ) -> None:
        batch = lookups.pending.get(group)
        if batch is None:
            batch = lookups.pending[group] = _Batch()
            batch.timer = lookups.loop.call_later(self._window or 0.0, self._flush, lookups, group)
        if batch.add(key, fields, target, slot, as_values) >= self._max_batch:
            self._flush(lookups, group)

    async def get_many(self, group: Hashable, keys: list[str], fields: list[str] | None) -> dict[str, Values]:
        """``{key: values}`` for every key found; merged like concurrent :meth:`get` calls."""
        answers: list[Any] = [None] * len(keys)

        async def one(index: int, key: str) -> None:
            try:
                answers[index] = await self.get(group, key, fields)
            except DoesNotExist:
                answers[index] = _MISSING

        async with anyio.create_task_group() as lookups:
            for index, key in enumerate(keys):
                lookups.start_soon(one, index, key)
        return {key: answer for key, answer in zip(keys, answers) if answer is not _MISSING}

    def _single(self, lookups: _LoopLookups, group: Hashable, key: str, fields: list[str] | None) -> _Request:
        """The request in flight for this lookup, started if there is none: callers of one lookup share it."""
        flight = (group, key, None if fields is None else tuple(fields))
        request = lookups.inflight.get(flight)
        if request is None:
            request = lookups.inflight[flight] = _Request(lookups, group, None, flight)
            self._send(lookups, request, self._fetch_one(group, key, fields))
            hedger = self._hedger(group) if self._hedger is not None else None
            if hedger is None:
                self._stats.count("requests")
                return request
            delay = hedger.sent()
            request.hedger = hedger
            request.sent_at = now = lookups.loop.time()
            if delay is not None:
                queue = lookups.hedges.get(group)
                if queue is None:
                    queue = lookups.hedges[group] = _HedgeQueue(lookups.loop, self)
                queue.push(now + delay, request, fields)
        return request

    def _send(self, lookups: _LoopLookups, request: _Request, call: Awaitable[Any]) -> None:
        task = request.task = asyncio.ensure_future(call, loop=lookups.loop)
        task.add_done_callback(request.arrived, context=_CALLBACK_CONTEXT)

    def _flush(self, lookups: _LoopLookups, group: Hashable) -> None:
        batch = lookups.pending.pop(group, None)
        if batch is None:
            return
        if batch.timer is not None:
            batch.timer.cancel()
        self._dispatch(lookups, group, batch)

    def _dispatch(self, lookups: _LoopLookups, group: Hashable, batch: _Batch) -> None:
        """Send what ``batch``'s callers still wait for: lookups whose callers have gone are never sent."""
        live = [i for i, target in enumerate(batch.targets) if not target.done()]
        if not live:
            return
        ids = list(dict.fromkeys([batch.keys[i] for i in live]))
        union: list[str] = []
        for i in live:
            union.extend(f for f in batch.fields[i] or () if f not in union)
        wanted = None if any(batch.fields[i] is None for i in live) else union
        batchable = self._can_batch() if len(ids) > 1 else False
        if batchable is None:  # first contact: one plain lookup tells what the server supports
            first = self._single(lookups, group, ids[0], wanted)
            rest = _Batch()
            for i in live:
                if batch.keys[i] == ids[0]:
                    first.join(batch, i)
                else:
                    rest.take(batch, i)
            assert first.task is not None
            first.task.add_done_callback(lambda _: self._dispatch(lookups, group, rest), context=_CALLBACK_CONTEXT)
            return
        if not batchable:
            gathered = _Group(lookups.loop, batch, live)
            for key in ids:
                gathered.wait_for(key, self._single(lookups, group, key, wanted))
            gathered.hold_slots()
            return
        requests: dict[str, _Request] = {}
        for start in range(0, len(ids), self._max_batch):
            chunk = ids[start : start + self._max_batch]
            request = _Request(lookups, group, chunk, None)
            self._send(lookups, request, self._fetch_many(group, chunk, wanted))  # a POST: never hedged
            self._stats.count("requests")
            requests.update(dict.fromkeys(chunk, request))
        for i in live:
            requests[batch.keys[i]].join(batch, i)


_MISSING = object()


def _settles(outcome: Outcome) -> bool:
    """Whether a copy's outcome answers the lookup: found, or not found (an error waits for the other copy)."""
    return not isinstance(outcome, BaseException) or isinstance(outcome, MLSNotFoundError)


def _on_asyncio() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


class RequestCoalescer:
    """Sync twin of :class:`AsyncRequestCoalescer`: every lookup is a single request.

    Called from inside a running event loop (a sync client's lookups in a sync ``predict``,
    which runs the model's logic on a loop of its own), :meth:`start` sends the lookup from a
    worker thread and returns an asyncio future: sibling lookups then take one round trip,
    not one each.
    """

    def __init__(
        self,
        fetch_one: Callable[..., Values],
        fetch_many: Callable[[Hashable, list[str], list[str] | None], dict[str, Values]],
        *,
        window: float | None = 0.002,
        max_batch: int = 500,
        can_batch: Callable[[], bool | None] = lambda: True,
        hedger: Callable[[Hashable], Hedger] | None = None,
        stats: LookupStats | None = None,
    ) -> None:
        self._fetch_one = fetch_one
        self._stats = stats if stats is not None else LookupStats()

    def get(
        self, group: Hashable, key: str, fields: list[str] | None, *, deadline: float | None = None, what: str = ""
    ) -> Values:
        """One request; with ``deadline`` it is sent once (no retry), with the deadline as its timeout."""
        self._stats.count("lookups")
        self._stats.count("requests")
        if deadline is None:
            pending = PENDING.get()  # a prediction's deadline: what is left of it
            return self._fetch_one(group, key, fields, pending.remaining() if pending is not None else None)
        try:
            return self._fetch_one(group, key, fields, deadline)
        except MLSTimeoutError:
            self._stats.count("timeouts")
            raise MLSTimeoutError(
                None,
                f"no answer within the deadline of {deadline:g} s; still pending: "
                f"{what or repr(key)} (its request was cancelled)",
            ) from None

    def start(self, group: Hashable, key: str, fields: list[str] | None, *, as_values: bool = False) -> Any:
        """The lookup's answer, or inside a running loop its future; under a prediction's deadline
        (:data:`PENDING`) the request's timeout is what is left of it, so that no thread outlives it."""
        pending = PENDING.get()
        timeout = pending.remaining() if pending is not None else None
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return self._answer(group, key, fields, as_values, timeout)
        return loop.run_in_executor(_lookup_threads(), self._answer, group, key, fields, as_values, timeout)

    def _answer(
        self, group: Hashable, key: str, fields: list[str] | None, as_values: bool, timeout: float | None = None
    ) -> Any:
        self._stats.count("lookups")
        self._stats.count("requests")
        try:
            outcome: Outcome = self._fetch_one(group, key, fields, timeout)
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
                found[key] = self.get(group, key, fields)
            except DoesNotExist:
                continue
        return found


_threads: ThreadPoolExecutor | None = None
_threads_lock = threading.Lock()


def _lookup_threads() -> ThreadPoolExecutor:
    """The worker threads of sync clients' lookups started inside an event loop (made on first use)."""
    global _threads
    with _threads_lock:
        if _threads is None:
            _threads = ThreadPoolExecutor(max_workers=64, thread_name_prefix="mls-async-lookup")
        return _threads
