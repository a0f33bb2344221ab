"""Micro-batching: concurrent single-row predictions of one model become one library call.

The rows that arrive during one pass of the event loop are stacked and predicted
together at the end of that pass (``call_soon``: no timer, no added latency). Library
predict calls cost mostly per call, not per row, so a burst of concurrent requests costs
about one call. If the batch fails, each row is predicted alone so that only the caller
with the bad row gets the error.
"""

from __future__ import annotations

import asyncio
import threading
import weakref
from collections.abc import Callable, Sequence
from typing import Any

import anyio.to_thread

__all__ = ["MicroBatcher"]


class MicroBatcher:
    """Batch single-row calls of ``predict_rows(rows) -> one output per row`` per loop pass.

    ``offload_above``: batches with more rows than this run in a worker thread (0: always).
    """

    def __init__(self, predict_rows: Callable[[list[Any]], Sequence[Any]], *, offload_above: int,
                 max_batch: int = 4096) -> None:
        self._predict_rows = predict_rows
        self._offload_above = offload_above
        self._max_batch = max_batch
        # One pending list per event loop: sync callers in several threads each run their own
        # loop, and a row may only be batched with rows of its own loop.
        self._pending: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, list[Any]] = weakref.WeakKeyDictionary()
        self._lock = threading.Lock()
        self._tasks: set[asyncio.Task[Any]] = set()

    async def predict(self, row: Any) -> Any:
        """The model's output for one ``row``, predicted together with its concurrent peers."""
        loop = asyncio.get_running_loop()
        with self._lock:
            pending = self._pending.setdefault(loop, [])
        future: asyncio.Future[Any] = loop.create_future()
        if not pending:
            loop.call_soon(self._flush, loop)
        pending.append((row, future))
        if len(pending) >= self._max_batch:
            self._flush(loop)
        return await future

    def _flush(self, loop: asyncio.AbstractEventLoop) -> None:
        with self._lock:
            batch = self._pending.get(loop, [])
            self._pending[loop] = []
        batch = [(row, future) for row, future in batch if not future.done()]
        if batch:
            task = loop.create_task(self._run(batch))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _call(self, rows: list[Any]) -> Sequence[Any]:
        if len(rows) > self._offload_above:
            return await anyio.to_thread.run_sync(self._predict_rows, rows)
        return self._predict_rows(rows)

    async def _run(self, batch: list[tuple[Any, asyncio.Future[Any]]]) -> None:
        try:
            outputs = await self._call([row for row, _ in batch])
            if len(outputs) != len(batch):
                raise ValueError(f"the model returned {len(outputs)} outputs for {len(batch)} rows")
        except Exception as exc:
            if len(batch) == 1:
                _settle(batch[0][1], error=exc)
            else:  # isolate the failing row: predict each alone, so only its caller fails
                for item in batch:
                    await self._run([item])
            return
        except BaseException:  # cancelled: nobody may wait forever
            for _, future in batch:
                future.cancel()
            raise
        for (_, future), output in zip(batch, outputs):
            _settle(future, result=output)


def _settle(future: asyncio.Future[Any], *, result: Any = None, error: BaseException | None = None) -> None:
    if future.done():
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)
