"""Hedged lookups against the local server: a slow GET gets one copy, the first answer wins, the other is aborted.

The server runs in-process; a transport in front of it makes chosen requests slow (the
first request of a path, say), so that which request is slow is certain and no test
depends on timing beyond generous bounds.
"""

from __future__ import annotations

import asyncio
import logging

import anyio
import httpx
import pytest
import respx

from mls_async import AsyncMLSProfileAPIClient, MLSProfileAPIClient
from mls_async._hedging import HedgingPolicy

# Hedge a lookup not answered within 50 ms, from the first latency seen on.
EAGER = HedgingPolicy(min_samples=1, min_delay=0.05, max_delay=0.05)


class SlowFirst(httpx.AsyncBaseTransport):
    """In front of the in-process server: the first request of each path in ``slow`` hangs ``seconds``."""

    def __init__(self, inner: httpx.AsyncBaseTransport, seconds: float = 5.0) -> None:
        self.inner = inner
        self.seconds = seconds
        self.slow: set[str] = set()
        self.sent: list[str] = []
        self.finished: list[str] = []
        self.active = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        self.sent.append(path)
        self.active += 1
        try:
            if path in self.slow:
                self.slow.discard(path)
                await anyio.sleep(self.seconds)
            response = await self.inner.handle_async_request(request)
            await response.aread()
            self.finished.append(path)
            return response
        finally:
            self.active -= 1


def _others() -> set[asyncio.Task]:
    return {task for task in asyncio.all_tasks() if task is not asyncio.current_task()}


async def _client(client_kwargs, transport, policy: HedgingPolicy | None = EAGER) -> AsyncMLSProfileAPIClient:
    client = AsyncMLSProfileAPIClient(**client_kwargs, transport=transport, hedging=policy)
    await client.put_user_profiles("g1", {f"u{i}": {"f": i} for i in range(50)})
    return client


async def test_a_slow_lookup_gets_one_hedge_that_wins_and_the_slow_request_is_aborted(
    client_kwargs, async_transport, caplog
):
    caplog.set_level(logging.DEBUG, logger="mls_async.hedging")
    wire = SlowFirst(async_transport)
    client = await _client(client_kwargs, wire)
    assert await client.get_user_profile("g1", "u1", ["f"]) == {"f": 1}  # a latency to learn from
    wire.slow.add("/v1/mls-mms/profiles/g1/users/u2")
    wire.sent.clear()
    before = _others()
    with anyio.fail_after(3):  # the first request alone would take 5 s
        assert await client.get_user_profile("g1", "u2", ["f"]) == {"f": 2}
    assert wire.sent == ["/v1/mls-mms/profiles/g1/users/u2"] * 2  # identical: the request and its hedge
    await asyncio.sleep(0.05)
    assert wire.active == 0 and _others() - before == set()  # the slow one was aborted
    assert wire.finished.count("/v1/mls-mms/profiles/g1/users/u2") == 1
    stats = client.stats.snapshot()
    assert stats["hedges_sent"] == 1 and stats["hedges_won"] == 1
    assert stats["lookups"] == 2 and stats["requests"] == 3
    assert any("hedging" in record.getMessage() for record in caplog.records)
    await client.aclose()


async def test_a_hedged_lookup_in_a_prediction_answers_and_the_merged_callers_share_it(client_kwargs, async_transport):
    from mls_async.models.contrib import GenericLogicModel

    wire = SlowFirst(async_transport)
    client = await _client(client_kwargs, wire)
    await client.get_user_profile("g1", "u1", ["f"])
    model = GenericLogicModel(
        model_name="hedge_model",
        model_version="v1",
        features=["user_id"],
        model=None,
        predict_fn="none",
        preprocess_logic={"merge": [{"pf": ["user", "g1", {"var": "user_id"}, ["f"]]}]},
        postprocess_logic={"list": [{"var": "f"}, {"var": "user_id"}]},
    )
    wire.slow.add("/v1/mls-mms/profiles/g1/users/u3")
    with anyio.fail_after(3):
        answers = await asyncio.gather(*(model.predict_async(["u3"], pf_client=client) for _ in range(5)))
    assert answers == [{"items": [None, "u3"]}] * 5
    assert client.stats.hedges_sent == 1
    await client.aclose()


async def test_answers_within_the_delay_are_never_hedged(client_kwargs, async_transport, server_config):
    wire = SlowFirst(async_transport)
    client = await _client(client_kwargs, wire, HedgingPolicy(min_samples=1, min_delay=1.0))
    server_config.feature_latency = 0.01
    for i in range(20):
        assert await client.get_user_profile("g1", f"u{i}", ["f"]) == {"f": i}
    stats = client.stats.snapshot()
    assert stats["hedges_sent"] == 0 and stats["requests"] == stats["lookups"] == 20
    await client.aclose()


async def test_the_default_policy_hedges_few_requests_without_a_tail(client_kwargs, async_transport, server_config):
    client = await _client(client_kwargs, async_transport, HedgingPolicy())
    server_config.feature_latency = 0.005
    for i in range(150):
        await client.get_user_profile("g1", f"u{i % 50}", ["f"])
    stats = client.stats.snapshot()
    assert stats["lookups"] == 150
    # reads that all take about the same time get few copies; never more than the budget
    # allows (its burst of 10 and 5% of the requests), however the machine's load delays them
    assert stats["hedges_sent"] <= 10 + 0.05 * stats["requests"]
    await client.aclose()


async def test_the_budget_caps_hedges_when_the_store_is_slow_everywhere(client_kwargs, async_transport, server_config):
    policy = HedgingPolicy(min_samples=1, min_delay=0.01, max_delay=0.01, budget=0.1, burst=1)
    server_config.profile_batch = False  # a GET per lookup
    client = await _client(client_kwargs, async_transport, policy)
    await client.get_user_profile("g1", "u0", ["f"])
    server_config.feature_latency = 0.1  # ten times the delay: every request wants a copy
    client_stats_before = client.stats.snapshot()
    results = await asyncio.gather(*(client.get_user_profile("g1", f"u{i}", ["f"]) for i in range(1, 41)))
    assert results == [{"f": i} for i in range(1, 41)]
    stats = client.stats.snapshot()
    hedges = stats["hedges_sent"] - client_stats_before["hedges_sent"]
    assert hedges <= 1 + 0.1 * 41  # the burst, then one per ten requests
    assert stats["hedges_denied"] - client_stats_before["hedges_denied"] >= 40 - hedges
    await client.aclose()


async def test_a_failed_request_waits_for_its_hedge(client_kwargs, async_transport):
    class FailSlowly(SlowFirst):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            if request.url.path in self.slow:
                self.slow.discard(request.url.path)
                self.sent.append(request.url.path)
                await anyio.sleep(0.1)
                raise httpx.ReadError("connection reset")
            return await super().handle_async_request(request)

    wire = FailSlowly(async_transport)
    client = AsyncMLSProfileAPIClient(**client_kwargs, transport=wire, hedging=EAGER, max_retries=0)
    await client.put_user_profiles("g1", {"u1": {"f": 1}, "u2": {"f": 2}})
    await client.get_user_profile("g1", "u1", ["f"])
    wire.slow.add("/v1/mls-mms/profiles/g1/users/u2")
    assert await client.get_user_profile("g1", "u2", ["f"]) == {"f": 2}
    assert client.stats.hedges_won == 1
    await client.aclose()


@respx.mock
async def test_a_batch_post_is_never_hedged():
    async def profile(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"code": 0, "results": {"f": 1}}, headers={"MLS-Capabilities": "profile-batch"})

    async def batch(request: httpx.Request) -> httpx.Response:
        await anyio.sleep(0.3)  # thirty times the hedging delay
        return httpx.Response(
            200,
            json={"code": 0, "results": {"b": {"f": 2}, "c": {"f": 3}}},
            headers={"MLS-Capabilities": "profile-batch"},
        )

    respx.get(url__regex=r"http://mls\.test/v1/mls-mms/profiles/g1/users/a.*").mock(side_effect=profile)
    posted = respx.post("http://mls.test/v1/mls-mms/profiles/g1/users/batch").mock(side_effect=batch)
    client = AsyncMLSProfileAPIClient(
        env="LOCAL",
        username="u",
        password="p",
        base_url="http://mls.test",
        transport="httpx",
        hedging=HedgingPolicy(min_samples=1, min_delay=0.01, max_delay=0.01),
    )
    assert await client.get_user_profiles("g1", ["a", "b", "c"], ["f"]) == {"a": {"f": 1}, "b": {"f": 2}, "c": {"f": 3}}
    assert posted.call_count == 1 and client.stats.hedges_sent == 0
    await client.aclose()


async def test_hedging_off_sends_one_request_per_lookup(client_kwargs, async_transport):
    wire = SlowFirst(async_transport, seconds=0.2)
    client = await _client(client_kwargs, wire, None)
    await client.get_user_profile("g1", "u1", ["f"])
    wire.slow.add("/v1/mls-mms/profiles/g1/users/u2")
    wire.sent.clear()
    assert await client.get_user_profile("g1", "u2", ["f"]) == {"f": 2}
    assert wire.sent == ["/v1/mls-mms/profiles/g1/users/u2"]
    assert client.stats.hedges_sent == 0 and client.stats.requests == client.stats.lookups == 2
    await client.aclose()


def test_hedging_and_the_clients_options_are_checked():
    with pytest.raises(Exception, match="hedging"):
        AsyncMLSProfileAPIClient(env="LOCAL", username="u", password="p", hedging=0.95)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        AsyncMLSProfileAPIClient(env="LOCAL", username="u", password="p", timeot=3)  # type: ignore[call-arg]


def test_the_sync_client_takes_the_same_options_and_counts_its_lookups(client_kwargs, sync_transport):
    with MLSProfileAPIClient(**client_kwargs, transport=sync_transport, hedging=EAGER) as client:
        client.put_user_profiles("g1", {"u1": {"f": 1}})
        assert client.get_user_profile("g1", "u1", ["f"]) == {"f": 1}
        assert client.stats.snapshot()["lookups"] == 1 and client.stats.requests == 1


def test_hedging_works_on_trio(client_kwargs, app):
    trio = pytest.importorskip("trio")

    async def scenario() -> tuple[dict, list[str], dict]:
        wire = SlowFirst(httpx.ASGITransport(app=app))
        client = AsyncMLSProfileAPIClient(**client_kwargs, transport=wire, hedging=EAGER)
        await client.put_user_profiles("g1", {"u1": {"f": 1}, "u2": {"f": 2}})
        await client.get_user_profile("g1", "u1", ["f"])
        wire.slow.add("/v1/mls-mms/profiles/g1/users/u2")
        wire.sent.clear()
        with trio.fail_after(3):
            answer = await client.get_user_profile("g1", "u2", ["f"])
        await trio.sleep(0.05)
        assert wire.active == 0  # the slow request was aborted
        stats = client.stats.snapshot()
        await client.aclose()
        return answer, wire.sent, stats

    answer, sent, stats = trio.run(scenario)
    assert answer == {"f": 2}
    assert sent == ["/v1/mls-mms/profiles/g1/users/u2"] * 2
    assert stats["hedges_sent"] == 1 and stats["hedges_won"] == 1
