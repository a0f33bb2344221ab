"""Cancellation reaches the wire: a cancelled call is never retried, its unsent lookups are never sent,
a request no caller waits for any more is aborted, and nothing of it stays scheduled."""

from __future__ import annotations

import asyncio

import anyio
import httpx
import pytest
import pytest_asyncio
import respx

from mls_async import AsyncMLSClient, AsyncMLSProfileAPIClient, RetryPolicy
from mls_async.models import AsyncMLModelClient
from mls_async.models.contrib import GenericLogicModel


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
    client = AsyncMLSClient(
        env="LOCAL",
        username="u",
        password="p",
        base_url="http://mls.test",
        retry=RetryPolicy(max_retries=5, initial_delay=0.001),
    )
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


class CountingTransport(httpx.AsyncBaseTransport):
    """Wraps a real transport: the requests that reached it (were sent) and those that finished."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.sent: list[str] = []
        self.finished = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(request.url.path)
        response = await self.inner.handle_async_request(request)
        self.finished += 1
        return response


def _others() -> set[asyncio.Task]:
    return {task for task in asyncio.all_tasks() if task is not asyncio.current_task()}


@pytest_asyncio.fixture
async def slow_profiles(client_kwargs, async_transport, server_config):
    """A client of a server without a batch route (a GET per lookup) whose lookups take 1 s, two at a time.

    A second is far longer than the 50 ms the tests wait before cancelling: a busy machine
    stalling the loop for a while still lets no request land before its cancellation.
    """
    server_config.profile_batch = False
    counting = CountingTransport(async_transport)
    async with AsyncMLSProfileAPIClient(
        **client_kwargs, transport=counting, limits=httpx.Limits(max_connections=2)
    ) as client:
        for group in ("g1", "g2", "g3"):
            await client.put_user_profiles(group, {f"u{i}": {"f": i} for i in range(50)})
        server_config.feature_latency = 1.0
        counting.sent.clear()
        counting.finished = 0
        yield client, counting


def _logic_model() -> GenericLogicModel:
    return GenericLogicModel(
        model_name="cancel_model",
        model_version="v1",
        features=["user_id"],
        model=None,
        predict_fn="none",
        preprocess_logic={
            "merge": [{"pf": ["user", group, {"var": "user_id"}, ["f"]]} for group in ("g1", "g2", "g3")]
        },
        postprocess_logic={"list": [{"var": "y"}]},
    )


async def test_timed_out_predictions_withdraw_their_unsent_lookups_and_leave_no_task(slow_profiles):
    """40 predictions of 3 lookups time out: at most the 2 in flight were sent, nothing of them is left running.

    They time out together (one timeout over all of them): with a timer each, a busy loop
    runs the timers in different passes, and a request aborted by an early one frees its
    place for a later prediction's lookup, rightly sent while that one still waits.
    """
    client, counting = slow_profiles
    model = _logic_model()
    before = _others()
    predictions = [asyncio.ensure_future(model.predict_async([f"u{i}"], pf_client=client)) for i in range(40)]
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(asyncio.gather(*predictions), 0.05)
    assert all(prediction.cancelled() for prediction in predictions)
    await asyncio.sleep(0.1)
    assert _others() - before == set()
    assert len(counting.sent) <= 2 and counting.finished == 0
    await asyncio.sleep(1.1)  # past the server's latency: nothing more is sent, nothing lands
    assert len(counting.sent) <= 2 and counting.finished == 0


async def test_a_cancelled_lookup_frees_its_place_in_the_in_flight_limit_at_once(slow_profiles):
    client, counting = slow_profiles
    hung = [asyncio.ensure_future(client.get_user_profile("g1", f"u{i}", ["f"])) for i in range(2)]
    while len(counting.sent) < 2:
        await asyncio.sleep(0.01)
    for task in hung:
        task.cancel()
    following = [asyncio.ensure_future(client.get_user_profile(group, "u1", ["f"])) for group in ("g2", "g3")]
    with anyio.fail_after(0.5):  # well under the 1 s a hung request would still hold its place
        while len(counting.sent) < 4:
            await asyncio.sleep(0.01)
    assert await asyncio.gather(*following) == [{"f": 1}, {"f": 1}]


async def test_a_shared_request_goes_on_while_one_caller_waits_and_is_aborted_when_the_last_leaves(slow_profiles):
    client, counting = slow_profiles
    first = asyncio.ensure_future(client.get_user_profile("g1", "u7", ["f"]))
    second = asyncio.ensure_future(client.get_user_profile("g1", "u7", ["f"]))
    await asyncio.sleep(0.05)
    first.cancel()
    assert await second == {"f": 7}
    assert counting.sent == [counting.sent[0]] and counting.finished == 1  # one request, shared

    third = asyncio.ensure_future(client.get_user_profile("g1", "u8", ["f"]))
    fourth = asyncio.ensure_future(client.get_user_profile("g1", "u8", ["f"]))
    await asyncio.sleep(0.05)
    third.cancel()
    fourth.cancel()
    await asyncio.sleep(1.1)
    assert len(counting.sent) == 2 and counting.finished == 1  # sent, then aborted: it never landed


async def test_cancelled_predictions_leave_the_others_their_answers(slow_profiles):
    client, counting = slow_profiles
    model = _logic_model()
    tasks = [asyncio.ensure_future(model.predict_async([f"u{i}"], pf_client=client)) for i in range(4)]
    await asyncio.sleep(0.05)
    tasks[0].cancel()
    tasks[2].cancel()
    outcomes = await asyncio.gather(*tasks, return_exceptions=True)
    assert isinstance(outcomes[0], asyncio.CancelledError) and isinstance(outcomes[2], asyncio.CancelledError)
    assert outcomes[1] == {"items": [None]} and outcomes[3] == {"items": [None]}


async def test_a_cancelled_model_api_call_is_aborted_on_the_wire(client_kwargs, async_transport):
    counting = CountingTransport(async_transport)
    started = anyio.Event()

    class Hanging(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            counting.sent.append(request.url.path)
            started.set()
            await anyio.sleep(30)
            raise AssertionError("never reached")

    async with AsyncMLModelClient(**client_kwargs, transport=Hanging(), max_retries=3) as client:
        with anyio.move_on_after(5) as outer:
            async with anyio.create_task_group() as group:
                group.start_soon(client.get_manual_model, None, "m_model", "v1")
                await started.wait()
                group.cancel_scope.cancel()
        assert not outer.cancel_called
        await asyncio.sleep(0.05)
        assert len(counting.sent) == 1
        assert _others() == set()


async def test_a_batch_request_is_aborted_when_every_prediction_it_serves_has_timed_out(
    client_kwargs, async_transport, server_config
):
    counting = CountingTransport(async_transport)
    async with AsyncMLSProfileAPIClient(**client_kwargs, transport=counting) as client:
        for group in ("g1", "g2", "g3"):
            await client.put_user_profiles(group, {f"u{i}": {"f": i} for i in range(50)})
        server_config.feature_latency = 1.0
        counting.sent.clear()
        counting.finished = 0
        model = _logic_model()
        before = _others()
        outcomes = await asyncio.gather(
            *(asyncio.wait_for(model.predict_async([f"u{i}"], pf_client=client), 0.05) for i in range(30)),
            return_exceptions=True,
        )
        assert all(isinstance(outcome, TimeoutError) for outcome in outcomes)
        await asyncio.sleep(0.1)
        assert _others() - before == set()
        assert [path.rsplit("/", 1)[1] for path in counting.sent] == ["batch"] * 3  # one per feature group
        await asyncio.sleep(1.1)
        assert counting.finished == 0
        server_config.feature_latency = 0
        assert await model.predict_async(["u3"], pf_client=client) == {"items": [None]}
