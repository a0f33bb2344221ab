"""MicroBatcher: the rows registered during one loop pass are one library call."""

from __future__ import annotations

import asyncio

from mls_async.models._batching import MicroBatcher


def submit(batcher: MicroBatcher, row: int) -> asyncio.Future:
    future = asyncio.get_running_loop().create_future()
    batcher.add(row, future)
    return future


class Times10:
    def __init__(self) -> None:
        self.calls: list[list[int]] = []

    def __call__(self, rows: list[int]) -> list[int]:
        self.calls.append(list(rows))
        return [row * 10 for row in rows]


async def test_rows_of_one_pass_are_one_call_and_a_full_batch_goes_at_once():
    model = Times10()
    batcher = MicroBatcher(model, offload_above=1000, max_batch=4)
    futures = [submit(batcher, row) for row in range(10)]
    assert model.calls == []  # nothing runs before the caller yields to the loop
    assert await asyncio.gather(*futures) == [row * 10 for row in range(10)]
    assert model.calls == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    assert await submit(batcher, 11) == 110  # a later pass starts a batch of its own
    assert model.calls[-1] == [11]


async def test_a_caller_gone_before_the_flush_is_left_out():
    model = Times10()
    batcher = MicroBatcher(model, offload_above=1000)
    futures = [submit(batcher, row) for row in range(3)]
    futures[1].cancel()
    assert [await futures[0], await futures[2]] == [0, 20]
    assert model.calls == [[0, 2]]


async def test_each_row_gets_its_output_and_large_batches_run_in_a_thread():
    import threading

    threads: list[str] = []

    def predict_rows(rows: list[int]) -> list[int]:
        threads.append(threading.current_thread().name)
        return [row + 1 for row in rows]

    batcher = MicroBatcher(predict_rows, offload_above=2)
    assert await asyncio.gather(submit(batcher, 1), submit(batcher, 2)) == [2, 3]
    assert await asyncio.gather(*(submit(batcher, row) for row in range(3))) == [1, 2, 3]
    main = threading.current_thread().name
    assert threads[0] == main and threads[1] != main
