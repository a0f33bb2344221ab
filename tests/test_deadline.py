"""Deadlines of predictions and lookups against the local server's injected latency.

Past a deadline: ``MLSTimeoutError`` naming what was still pending, the lookups cancelled
on the wire, nothing left in flight, and no retry or hedge started. Timing is asserted only
with generous bounds; what is asserted exactly is the error, its message and what is left.
"""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest
import pytest_asyncio

from mls_async import AsyncMLSProfileAPIClient, MLSProfileAPIClient, MLSTimeoutError, MLSValidationError
from mls_async._hedging import HedgingPolicy
from mls_async.models import MLSGenericModel
from mls_async.models.contrib import GenericLogicModel

GROUPS = ("g1", "g2", "g3")


class Counting(httpx.AsyncBaseTransport):
    """In front of the in-process server: what was sent, what finished, what is still on the wire."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.sent: list[str] = []
        self.finished = 0
        self.active = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(request.url.path)
        self.active += 1
        try:
            response = await self.inner.handle_async_request(request)
            await response.aread()
            self.finished += 1
            return response
        finally:
            self.active -= 1


def _others() -> set[asyncio.Task]:
    return {task for task in asyncio.all_tasks() if task is not asyncio.current_task()}


def _model() -> GenericLogicModel:
    return GenericLogicModel(
        model_name="deadline_model",
        model_version="v1",
        features=["user_id"],
        model=None,
        predict_fn="none",
        preprocess_logic={"merge": [{"pf": ["user", group, {"var": "user_id"}, ["f"]]} for group in GROUPS]},
        postprocess_logic={"list": [{"var": "y"}]},
    )


@pytest_asyncio.fixture
async def slow(client_kwargs, async_transport, server_config):
    """A profile client whose lookups take 1 s (the server's injected latency), hedging off."""
    wire = Counting(async_transport)
    async with AsyncMLSProfileAPIClient(**client_kwargs, transport=wire, hedging=None) as client:
        for group in GROUPS:
            await client.put_user_profiles(group, {f"u{i}": {"f": i} for i in range(10)})
        server_config.feature_latency = 1.0
        wire.sent.clear()
        wire.finished = 0
        yield client, wire


async def test_a_prediction_past_its_deadline_names_its_lookups_and_leaves_nothing_in_flight(slow):
    client, wire = slow
    model = _model()
    before = _others()
    started = time.perf_counter()
    with pytest.raises(MLSTimeoutError) as caught:
        await model.predict_async(["u1"], pf_client=client, deadline=0.05)
    assert time.perf_counter() - started < 0.9  # the 1 s lookups were not waited for
    message = str(caught.value)
    assert message.startswith("deadline_model prediction: no answer within the deadline of 0.05 s; still pending:")
    for group in GROUPS:
        assert f"user 'u1' of profile '{group}'" in message
    await asyncio.sleep(0.05)
    assert _others() - before == set() and wire.active == 0  # aborted on the wire
    assert len(wire.sent) <= 3 and wire.finished == 0
    assert client.stats.timeouts == 3
    await asyncio.sleep(1.1)  # past the server's latency: nothing was retried, nothing landed
    assert len(wire.sent) <= 3 and wire.finished == 0


async def test_a_prediction_within_its_deadline_answers_as_without_one(slow, server_config):
    client, _ = slow
    server_config.feature_latency = 0.0
    model = _model()
    assert (
        await model.predict_async(["u2"], pf_client=client, deadline=5)
        == await model.predict_async(["u2"], pf_client=client)
        == {"items": [None]}
    )


async def test_concurrent_predictions_time_out_alone(slow, server_config):
    client, wire = slow
    model = _model()
    outcomes = await asyncio.gather(
        model.predict_async(["u1"], pf_client=client, deadline=0.05),
        model.predict_async(["u1"], pf_client=client, deadline=3),
        return_exceptions=True,
    )
    assert isinstance(outcomes[0], MLSTimeoutError)
    assert outcomes[1] == {"items": [None]}  # the lookups it shared went on for it


async def test_a_lookup_past_its_deadline_is_cancelled_and_named(slow):
    client, wire = slow
    before = _others()
    with pytest.raises(MLSTimeoutError, match="deadline of 0.05 s; still pending: user 'u4' of profile 'g1'"):
        await client.get_user_profile("g1", "u4", ["f"], deadline=0.05)
    await asyncio.sleep(0.05)
    assert _others() - before == set() and wire.active == 0 and wire.finished == 0
    assert client.stats.timeouts == 1 and client.stats.cancelled == 1


async def test_no_hedge_starts_past_a_deadline(client_kwargs, async_transport, server_config):
    wire = Counting(async_transport)
    policy = HedgingPolicy(min_samples=1, min_delay=0.1, max_delay=0.1)  # a hedge would go out after 100 ms
    async with AsyncMLSProfileAPIClient(**client_kwargs, transport=wire, hedging=policy) as client:
        await client.put_user_profiles("g1", {"u1": {"f": 1}, "u2": {"f": 2}})
        await client.get_user_profile("g1", "u1", ["f"])
        server_config.feature_latency = 1.0
        wire.sent.clear()
        with pytest.raises(MLSTimeoutError):
            await client.get_user_profile("g1", "u2", ["f"], deadline=0.05)
        await asyncio.sleep(0.3)
        assert wire.sent == ["/v1/mls-mms/profiles/g1/users/u2"] and client.stats.hedges_sent == 0


@pytest.mark.parametrize("deadline", [0, -1, "1", float("nan"), True])
async def test_a_bad_deadline_is_refused(slow, deadline):
    client, _ = slow
    with pytest.raises(MLSValidationError, match="deadline"):
        await _model().predict_async(["u1"], pf_client=client, deadline=deadline)
    with pytest.raises(MLSValidationError, match="deadline"):
        await client.get_user_profile("g1", "u1", ["f"], deadline=deadline)


async def test_a_custom_generic_model_takes_a_deadline(slow):
    client, wire = slow

    async def predict_async(x, pf_client=None, **kwargs):
        values = await pf_client.get_user_profile("g2", x[0], ["f"])
        return {"items": [values]}

    model = MLSGenericModel([], "custom_model", "v1", ["user_id"], custom_predict_async=predict_async)
    with pytest.raises(MLSTimeoutError, match="custom_model prediction.*still pending: user 'u5' of profile 'g2'"):
        await model.predict_async(["u5"], pf_client=client, deadline=0.05)
    await asyncio.sleep(0.05)
    assert wire.active == 0


def test_a_sync_prediction_with_a_sync_client_takes_a_deadline(client_kwargs, live_server, server_config):
    kwargs = {**client_kwargs, "base_url": live_server}
    with MLSProfileAPIClient(**kwargs) as client:
        for group in GROUPS:
            client.put_user_profiles(group, {"u1": {"f": 1}})
        server_config.feature_latency = 1.0
        started = time.perf_counter()
        with pytest.raises(MLSTimeoutError, match="still pending: .*user 'u1' of profile 'g1'"):
            _model().predict(["u1"], pf_client=client, deadline=0.1)
        assert time.perf_counter() - started < 0.9
        assert client.stats.timeouts >= 1
        with pytest.raises(MLSTimeoutError, match="deadline of 0.1 s; still pending: user 'u1' of profile 'g2'"):
            client.get_user_profile("g2", "u1", ["f"], deadline=0.1)


def test_a_prediction_deadline_on_trio(client_kwargs, app, server_config):
    trio = pytest.importorskip("trio")

    async def scenario() -> tuple[str, int]:
        wire = Counting(httpx.ASGITransport(app=app))
        async with AsyncMLSProfileAPIClient(**client_kwargs, transport=wire) as client:
            for group in GROUPS:
                await client.put_user_profiles(group, {"u1": {"f": 1}})
            server_config.feature_latency = 1.0
            try:
                with trio.fail_after(0.8):
                    await _model().predict_async(["u1"], pf_client=client, deadline=0.05)
            except MLSTimeoutError as exc:
                message = str(exc)
            try:
                await client.get_user_profile("g2", "u1", ["f"], deadline=0.05)
            except MLSTimeoutError as exc:
                message += f" | {exc}"
            await trio.sleep(0.05)
            return message, wire.active

    message, active = trio.run(scenario)
    prediction, lookup = message.split(" | ")
    assert all(f"user 'u1' of profile '{group}'" in prediction for group in GROUPS) and active == 0
    assert lookup.endswith("still pending: user 'u1' of profile 'g2' (its request was cancelled)")


async def test_a_eureka_prediction_takes_a_deadline(slow):
    from mls_async.models.contrib import EurekaModel

    client, wire = slow
    model = EurekaModel(
        "eureka_model",
        "v1",
        ["user_id"],
        predict_fn="none",
        use_logic_processer="N",
        postprocess_logic=lambda data: {},
        postprocessing_user_profile={"g1": ["f"]},
    )
    with pytest.raises(MLSTimeoutError, match="eureka_model prediction.*still pending: user 'u1' of profile 'g1'"):
        await model.predict_async(["u1"], pf_client=client, deadline=0.05)
    await asyncio.sleep(0.05)
    assert wire.active == 0 and wire.finished == 0


async def test_a_conditional_prediction_takes_a_deadline(slow):
    from mls_async.models.contrib import ConditionalGenericLogicModel

    client, wire = slow
    model = ConditionalGenericLogicModel(
        "conditional_model",
        "v1",
        ["user_id"],
        models=[None],
        predict_fns=["none"],
        model_selection_logic={"abs": 0},
        preprocess_logics=[{"merge": [{"pf": ["user", "g1", {"var": "user_id"}, ["f"]]}]}],
        postprocess_logics=[{"list": [{"var": "y"}]}],
    )
    with pytest.raises(MLSTimeoutError, match="conditional_model prediction.*still pending: user 'u1' of profile 'g1'"):
        await model.predict_async(["u1"], pf_client=client, deadline=0.05)
    await asyncio.sleep(0.05)
    assert wire.active == 0 and wire.finished == 0


async def test_a_lookup_that_timed_out_at_the_deadline_is_named_with_those_still_waiting():
    """A sync client's lookup times out at what was left of the deadline, maybe just before its timer."""
    from mls_async._coalesce import PendingLookups
    from mls_async._hedging import LookupStats

    loop = asyncio.get_running_loop()
    stats = LookupStats()
    futures = {name: loop.create_future() for name in ("waiting", "timed out", "failed", "answered", "cancelled")}
    futures["timed out"].set_exception(MLSTimeoutError(None, "read timed out"))
    futures["failed"].set_exception(ValueError("broken"))
    futures["answered"].set_result({"f": 1})
    futures["cancelled"].cancel()
    pending = PendingLookups(time.monotonic() + 1)
    for name, future in futures.items():
        pending.add_future(name, future, stats)
    assert pending.waiting() == ["waiting", "timed out"]
    assert stats.timeouts == 2
