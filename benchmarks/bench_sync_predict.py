"""A sync ``predict`` is as concurrent as ``predict_async``: sibling lookups take one round trip.

Against the local server in its own process (20 ms lookups): a ``GenericLogicModel``
reading 3 feature groups, predicted one call at a time, with ``model.predict(x,
pf_client=MLSProfileAPIClient(...))`` (a script's or a thread's path) and with ``await
model.predict_async(x, pf_client=AsyncMLSProfileAPIClient(...))``. Printed: the median
latency of each and their ratio (target: at most 1.3x).

    python -m benchmarks.bench_sync_predict [--calls 50] [--latency-ms 20]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.bench_cancellation import POSTPROCESS, PREPROCESS, Scores, load_profiles
from benchmarks.server_process import APIKEY, CLIENT_ID, feature_server, machine


def _model() -> Any:
    from mls_async.models.contrib import GenericLogicModel

    return GenericLogicModel(
        model_name="bench_model",
        model_version="v1",
        features=["user_id"],
        model=Scores(),
        preprocess_logic=PREPROCESS,
        postprocess_logic=POSTPROCESS,
        predict_fn="predict",
    )


def sync_latencies(url: str, users: list[str]) -> list[float]:
    from mls_async import MLSProfileAPIClient

    model = _model()
    timings = []
    with MLSProfileAPIClient("LOCAL", "LOCAL", CLIENT_ID, APIKEY, base_url=url) as client:
        model.predict([users[0]], pf_client=client)  # warm: connections open
        for user in users:
            started = time.perf_counter()
            model.predict([user], pf_client=client)
            timings.append(time.perf_counter() - started)
    return timings


def async_latencies(url: str, users: list[str]) -> list[float]:
    from mls_async import AsyncMLSProfileAPIClient

    model = _model()

    async def run() -> list[float]:
        timings = []
        async with AsyncMLSProfileAPIClient("LOCAL", "LOCAL", CLIENT_ID, APIKEY, base_url=url) as client:
            await model.predict_async([users[0]], pf_client=client)
            for user in users:
                started = time.perf_counter()
                await model.predict_async([user], pf_client=client)
                timings.append(time.perf_counter() - started)
        return timings

    return asyncio.run(run())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=50)
    parser.add_argument("--latency-ms", type=float, default=20.0)
    args = parser.parse_args()
    print(f"{machine()}; server in its own process without a batch route, feature latency {args.latency_ms:.0f} ms")
    users = [f"u{i}" for i in range(args.calls)]
    with (
        tempfile.TemporaryDirectory() as data_dir,
        feature_server(Path(data_dir), args.latency_ms, "--no-profile-batch") as server,
    ):
        load_profiles(server.url, users)
        async_ms = statistics.median(async_latencies(server.url, users)) * 1000
        sync_ms = statistics.median(sync_latencies(server.url, users)) * 1000
    print(
        f"3 sibling lookups, median latency: predict_async {async_ms:.1f} ms, sync predict {sync_ms:.1f} ms; "
        f"ratio {sync_ms / async_ms:.2f}x (target <= 1.3x)"
    )


if __name__ == "__main__":
    main()
