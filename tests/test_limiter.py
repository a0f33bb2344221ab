"""The in-flight limiter: at most ``limit`` holders, served in arrival order, nothing lost to cancelling."""

from __future__ import annotations

import asyncio

from mls_async._limiter import AsyncInflightLimiter


async def test_at_most_limit_hold_at_once_and_waiters_are_served_in_order():
    limiter = AsyncInflightLimiter(2)
    holding, peak, order = 0, 0, []

    async def hold(name: int) -> None:
        nonlocal holding, peak
        async with limiter:
            holding += 1
            peak = max(peak, holding)
            order.append(name)
            await asyncio.sleep(0.001)
            holding -= 1

    await asyncio.gather(*(hold(i) for i in range(10)))
    assert peak == 2 and order == list(range(10))


async def test_cancelled_waiters_lose_their_place_and_never_keep_a_slot():
    limiter = AsyncInflightLimiter(1)
    await limiter.__aenter__()
    waiting = [asyncio.ensure_future(limiter.__aenter__()) for _ in range(3)]
    await asyncio.sleep(0)
    waiting[0].cancel()  # gives up its place in the queue
    await asyncio.sleep(0)
    await limiter.__aexit__(None, None, None)  # the slot goes to waiting[1] ...
    waiting[1].cancel()  # ... which is cancelled before it runs: the slot passes on to waiting[2]
    results = await asyncio.gather(*waiting, return_exceptions=True)
    assert [isinstance(r, asyncio.CancelledError) for r in results] == [True, True, False]
    await limiter.__aexit__(None, None, None)
    await asyncio.wait_for(limiter.__aenter__(), 1)  # the one slot is free again: nothing was lost


async def test_no_limit_bounds_nothing():
    limiter = AsyncInflightLimiter(None)
    entered = 0

    async def hold() -> None:
        nonlocal entered
        async with limiter:
            entered += 1
            await asyncio.sleep(0.001)

    await asyncio.gather(*(hold() for _ in range(500)))
    assert entered == 500
