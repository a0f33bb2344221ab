"""Async-only behaviour: a cancelled call is never retried."""

from __future__ import annotations

import anyio
import httpx
import respx

from mls_async import AsyncMLSClient, RetryPolicy


@respx.mock
async def test_cancelled_request_is_not_retried():
    started = anyio.Event()
    attempts = []

    async def hang(request: httpx.Request) -> httpx.Response:
        attempts.append(request)
        started.set()
        await anyio.sleep(30)
        return httpx.Response(200, json={"code": 0, "results": None})

    respx.get("http://mls.test/hang").mock(side_effect=hang)
    client = AsyncMLSClient(env="LOCAL", username="u", password="p", base_url="http://mls.test",
                            retry=RetryPolicy(max_retries=5, initial_delay=0.001))
    with anyio.move_on_after(5) as outer:
        async with anyio.create_task_group() as group:
            group.start_soon(client._request, "GET", "/hang")
            await started.wait()
            group.cancel_scope.cancel()
    assert not outer.cancel_called
    await anyio.sleep(0.05)  # a retry, if any, would have started by now
    assert len(attempts) == 1
    await client.aclose()


def test_retry_after_parses_seconds_and_dates():
    from mls_async._retry import parse_retry_after

    assert parse_retry_after("3") == 3.0
    assert parse_retry_after(None) is None and parse_retry_after("soon") is None
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0
