"""Coalesce concurrent lookups of the same group into one batched request.

``AsyncRequestCoalescer`` collects the lookups that arrive within ``window`` seconds
for one group (say, one feature profile), sends one batch for all their ids and
fields, and hands each caller its own slice, or its own error. A lone lookup goes
out as a plain single request. ``RequestCoalescer`` is the sync twin that
scripts/unasync.py maps to: with no concurrency there is nothing to merge.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass, field
from typing import Any

from mls_async._exceptions import DoesNotExist

__all__ = ["AsyncRequestCoalescer", "RequestCoalescer"]

Values = dict[str, Any]
FetchOne = Callable[[Hashable, str, list[str] | None], Any]
FetchMany = Callable[[Hashable, list[str], list[str] | None], Any]


def _select(values: Values, fields: list[str] | None) -> Values:
    if fields is None:
        return dict(values)
    return {name: values[name] for name in fields if name in values}


@dataclass
class _Batch:
    waiters: list[tuple[str, list[str] | None, asyncio.Future]] = field(default_factory=list)
    timer: asyncio.TimerHandle | None = None


class AsyncRequestCoalescer:
    """Merge lookups per group arriving within ``window`` seconds (``None`` turns merging off)."""

    def __init__(
        self,
        fetch_one: Callable[[Hashable, str, list[str] | None], Awaitable[Values]],
        fetch_many: Callable[[Hashable, list[str], list[str] | None], Awaitable[dict[str, Values]]],
        *,
        window: float | None = 0.002,
        max_batch: int = 500,
    ) -> None:
        self._fetch_one = fetch_one
        self._fetch_many = fetch_many
        self._window = window
        self._max_batch = max_batch
        self._pending: dict[Hashable, _Batch] = {}
        self._tasks: set[asyncio.Task] = set()

    async def get(self, group: Hashable, key: str, fields: list[str] | None) -> Values:
        """The values of ``fields`` (all when None) for ``key`` in ``group``."""
        if not self._window:
            return await self._fetch_one(group, key, fields)
        loop = asyncio.get_running_loop()
        batch = self._pending.get(group)
        if batch is None:
            batch = self._pending[group] = _Batch()
            batch.timer = loop.call_later(self._window, self._flush, group)
        future: asyncio.Future = loop.create_future()
        batch.waiters.append((key, fields, future))
        if len(batch.waiters) >= self._max_batch:
            self._flush(group)
        return await future

    def _flush(self, group: Hashable) -> None:
        batch = self._pending.pop(group, None)
        if batch is None:
            return
        if batch.timer is not None:
            batch.timer.cancel()
        task = asyncio.get_running_loop().create_task(self._run(group, batch))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self, group: Hashable, batch: _Batch) -> None:
        waiters = [w for w in batch.waiters if not w[2].done()]  # skip callers cancelled meanwhile
        if not waiters:
            return
        ids = list(dict.fromkeys(key for key, _, _ in waiters))
        union: list[str] = []
        for _, fields, _ in waiters:
            union.extend(f for f in fields or () if f not in union)
        wanted = None if any(fields is None for _, fields, _ in waiters) else union
        try:
            if len(ids) == 1:
                results = {ids[0]: await self._fetch_one(group, ids[0], wanted)}
            else:
                results = await self._fetch_many(group, ids, wanted)
        except DoesNotExist as exc:
            results = {}
            missing_error: BaseException | None = exc
        except Exception as exc:  # one failed request fails every caller that shared it
            for _, _, future in waiters:
                if not future.done():
                    future.set_exception(exc)
            return
        else:
            missing_error = None
        for key, fields, future in waiters:
            if future.done():
                continue
            if key in results:
                future.set_result(_select(results[key], fields))
            else:
                future.set_exception(missing_error or DoesNotExist(f"no profile for {key!r} in {group!r}"))


class RequestCoalescer:
    """Sync twin of :class:`AsyncRequestCoalescer`: every lookup is a single request."""

    def __init__(
        self,
        fetch_one: Callable[[Hashable, str, list[str] | None], Values],
        fetch_many: Callable[[Hashable, list[str], list[str] | None], dict[str, Values]],
        *,
        window: float | None = 0.002,
        max_batch: int = 500,
    ) -> None:
        self._fetch_one = fetch_one

    def get(self, group: Hashable, key: str, fields: list[str] | None) -> Values:
        return self._fetch_one(group, key, fields)
