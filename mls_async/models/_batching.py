"""Micro-batching: concurrent single-row predictions of one model become one library call.

The rows that arrive during one pass of the event loop are stacked and predicted
together at the end of that pass (``call_soon``: no timer, no added latency). Library
predict calls cost mostly per call, not per row, so a burst of concurrent requests costs
about one call. If the batch fails, each row is predicted alone so that only the caller
with the bad row gets the error.

A row is registered with :meth:`MicroBatcher.add` and the future its output goes to (the
caller's own, such as a prediction's model call): no coroutine or future of the batcher's
per row, for the garbage collector to scan while thousands of predictions wait.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import anyio.to_thread

__all__ = ["MicroBatcher"]


@dataclass
class _Batch:
    """The rows of one loop pass and their callers' futures, as parallel lists."""

    loop: asyncio.AbstractEventLoop
    rows: list[Any] = field(default_factory=list)
    futures: list[asyncio.Future[Any]] = field(default_factory=list)


class MicroBatcher:
    """Batch single-row calls of ``predict_rows(rows) -> one output per row`` per loop pass.

    ``offload_above``: batches with more rows than this run in a worker thread (0: always).
    """

    def __init__(
        self, predict_rows: Callable[[list[Any]], Sequence[Any]], *, offload_above: int, max_batch: int = 4096
    ) -> None:
        self._predict_rows = predict_rows
        self._offload_above = offload_above
        self._max_batch = max_batch
        # The batch filling up in each thread: sync callers in several threads each run their
        # own loop, and a row may only be batched with rows of its own loop.
        self._filling = threading.local()
        self._tasks: set[asyncio.Task[Any]] = set()

    def add(self, row: Any, future: asyncio.Future[Any]) -> None:
        """Register ``row`` for this loop pass's batch, its output (or error) to be set on ``future``."""
        loop = asyncio.get_running_loop()
        batch: _Batch | None = getattr(self._filling, "batch", None)
        if batch is None or batch.loop is not loop:
            batch = self._filling.batch = _Batch(loop)
            loop.call_soon(self._flush, batch)
        batch.rows.append(row)
        batch.futures.append(future)
        if len(batch.rows) >= self._max_batch:
            self._flush(batch)

    def _flush(self, batch: _Batch) -> None:
        if getattr(self._filling, "batch", None) is batch:
            self._filling.batch = None
        elif not batch.rows:
            return  # flushed already (it filled up): this is its end-of-pass call
        live = [i for i, future in enumerate(batch.futures) if not future.done()]  # callers gone meanwhile
        rows, futures = [batch.rows[i] for i in live], [batch.futures[i] for i in live]
        batch.rows, batch.futures = [], []
        if rows:
            task = batch.loop.create_task(self._run(rows, futures))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _call(self, rows: list[Any]) -> Sequence[Any]:
        if len(rows) > self._offload_above:
            return await anyio.to_thread.run_sync(self._predict_rows, rows)
        return self._predict_rows(rows)

    async def _run(self, rows: list[Any], futures: list[asyncio.Future[Any]]) -> None:
        try:
            outputs = await self._call(rows)
            if len(outputs) != len(rows):
                raise ValueError(f"the model returned {len(outputs)} outputs for {len(rows)} rows")
        except Exception as exc:
            if len(rows) == 1:
                _settle(futures[0], error=exc)
            else:  # isolate the failing row: predict each alone, so only its caller fails
                for row, future in zip(rows, futures):
                    await self._run([row], [future])
            return
        except BaseException:  # cancelled: nobody may wait forever
            for future in futures:
                future.cancel()
            raise
        for future, output in zip(futures, outputs):
            _settle(future, result=output)


def _settle(future: asyncio.Future[Any], *, result: Any = None, error: BaseException | None = None) -> None:
    if future.done():
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)
