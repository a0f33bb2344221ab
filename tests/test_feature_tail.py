"""The local server's injected heavy tail of feature reads, for tail-latency benchmarks."""

from __future__ import annotations

import pytest

from mls_async.server import ServerConfig
from mls_async.server.features import FeatureDelay


def config(tmp_path, **options) -> ServerConfig:
    return ServerConfig(tmp_path, {"u": "p"}, **options)


def test_a_share_of_reads_takes_the_tail_latency_and_the_rest_the_base(tmp_path):
    delay = FeatureDelay(
        config(tmp_path, feature_latency=0.02, feature_tail=0.1, feature_tail_latency=1.0, feature_seed=7)
    )
    draws = [delay.seconds() for _ in range(10_000)]
    assert set(draws) == {0.02, 1.0}
    assert 900 <= draws.count(1.0) <= 1100


def test_the_seed_makes_the_slow_reads_repeatable(tmp_path):
    first = FeatureDelay(config(tmp_path, feature_tail=0.05, feature_seed=3))
    second = FeatureDelay(config(tmp_path, feature_tail=0.05, feature_seed=3))
    assert [first.seconds() for _ in range(500)] == [second.seconds() for _ in range(500)]


def test_without_a_tail_every_read_takes_the_configured_latency(tmp_path):
    server_config = config(tmp_path, feature_latency=0.01)
    delay = FeatureDelay(server_config)
    assert {delay.seconds() for _ in range(100)} == {0.01}
    server_config.feature_latency = 0.0  # the admin setting changes it at run time
    assert delay.seconds() == 0.0


def test_a_tail_share_outside_zero_to_one_is_refused(tmp_path):
    with pytest.raises(ValueError, match="feature_tail"):
        config(tmp_path, feature_tail=2)


def test_the_tail_survives_the_trip_to_worker_processes(tmp_path):
    server_config = config(tmp_path, feature_tail=0.02, feature_tail_latency=1.0, feature_seed=1)
    again = ServerConfig.from_json(server_config.to_json())
    assert (again.feature_tail, again.feature_tail_latency, again.feature_seed) == (0.02, 1.0, 1)


async def test_the_profile_api_sleeps_the_drawn_latency(tmp_path, monkeypatch):
    import httpx

    from mls_async.server import create_app

    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    monkeypatch.setattr("mls_async.server.features.anyio.sleep", sleep)
    app = create_app(
        config(tmp_path, feature_latency=0.02, feature_tail=0.5, feature_tail_latency=1.0, feature_seed=11)
    )
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://mls", auth=("u", "p")
    ) as http:
        await http.put("/v1/c/profiles/usage/users", json={"u1": {"traffic": 1}})
        for _ in range(40):
            assert (await http.get("/v1/c/profiles/usage?id=u1")).status_code == 200
    assert set(slept) == {0.02, 1.0} and len(slept) == 40
