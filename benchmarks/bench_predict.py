"""Prediction paths, as ratios measured in one run.

1. single-row and 10k-row ``predict_async`` of MLSLightGBMModel vs the raw library call;
2. inline vs worker-thread prediction by batch size (the rule behind ``inline_max_rows``);
3. 1,000 concurrent predictions, each reading 3 feature groups at 20 ms latency, vs an
   sktmls-style baseline (sync predict in the default executor with a sync HTTP client).

    python -m benchmarks.bench_predict [--concurrent 1000] [--latency-ms 20]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from functools import partial
from pathlib import Path

import anyio.to_thread
import numpy as np

FEATURES = ["f0", "f1", "f2", "f3", "f4", "f5"]


def timed(fn, repeats: int) -> float:
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


async def atimed(make, repeats: int) -> float:
    """Median seconds of ``await make()``, all inside one running event loop."""
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        await make()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def train():
    import lightgbm

    rng = np.random.default_rng(0)
    x = rng.normal(size=(2000, len(FEATURES)))
    y = (x[:, 0] - x[:, 1] > 0).astype(int)
    return lightgbm.LGBMClassifier(n_estimators=100, num_leaves=31, verbose=-1).fit(x, y), rng


async def library_paths(clf, rng) -> None:
    from mls_async.models import MLSLightGBMModel

    model = MLSLightGBMModel(clf, "bench_model", "v1", FEATURES)
    booster = clf.booster_
    row = rng.normal(size=len(FEATURES)).tolist()
    rows = rng.normal(size=(10_000, len(FEATURES)))
    rows_list = rows.tolist()
    one_raw = timed(lambda: booster.predict(np.asarray([row])), 3000)
    one_sklearn = timed(lambda: clf.predict_proba([row]), 500)
    one_ours = await atimed(lambda: model.predict_async(row), 3000)
    print(f"single row: predict_async {one_ours * 1e6:.0f} us vs Booster.predict {one_raw * 1e6:.0f} us "
          f"-> ratio {one_ours / one_raw:.2f}; LGBMClassifier.predict_proba {one_sklearn * 1e6:.0f} us "
          f"-> ratio {one_ours / one_sklearn:.2f}")
    many_raw = timed(lambda: booster.predict(rows), 20)
    many_ours = await atimed(lambda: model.predict_async(rows_list), 20)
    many_numpy = await atimed(lambda: model.predict_async(rows), 20)
    print(f"10k rows:   predict_async {many_ours * 1e3:.1f} ms (lists) / {many_numpy * 1e3:.1f} ms (ndarray) vs "
          f"Booster.predict {many_raw * 1e3:.1f} ms -> ratio {many_ours / many_raw:.2f} / {many_numpy / many_raw:.2f}")

    print("inline vs worker thread by rows, inside a running loop (thread/inline > 1: the hop costs more than the"
          " work it moves off the loop):")
    for size in (1, 8, 32, 64, 128, 512, 2048):
        matrix = rows[:size]
        inline = timed(partial(booster.predict, matrix), 300)
        threaded = await atimed(partial(anyio.to_thread.run_sync, booster.predict, matrix), 300)
        print(f"  {size:5d} rows: inline {inline * 1e6:7.0f} us, thread {threaded * 1e6:7.0f} us "
              f"-> thread/inline {threaded / inline:.2f}")


def logic_model(clf):
    from mls_async.models.contrib import GenericLogicModel

    return GenericLogicModel(
        model_name="bench_logic_model", model_version="v1", features=["user_id", "f4", "f5"], model=clf,
        predict_fn="predict_proba",
        preprocess_logic={"merge": [
            {"pf": ["user", "g1", {"var": "user_id"}, ["f0", "f1"]]},
            {"pf": ["user", "g2", {"var": "user_id"}, ["f2"]]},
            {"pf": ["user", "g3", {"var": "user_id"}, ["f3"]]},
            {"var": "f4"}, {"var": "f5"}]},
        postprocess_logic={"list": [{"dict": ["id", {"var": "user_id"}, "name", "n", "type", "t", "props",
                                              {"dict": ["score", {"var": "y.1"}]}]}]},
    )


async def concurrent(url: str, auth: tuple[str, str], clf, count: int, latency: float) -> None:
    from mls_async import AsyncMLSProfileAPIClient, MLSProfileAPIClient

    kwargs = {"env": "LOCAL", "username": auth[0], "password": auth[1], "base_url": url}
    model = logic_model(clf)
    users = [f"u{i}" for i in range(count)]
    rng = np.random.default_rng(1)
    async with AsyncMLSProfileAPIClient(**kwargs) as profiles:
        for group, keys in (("g1", ["f0", "f1"]), ("g2", ["f2"]), ("g3", ["f3"])):
            await profiles.put_user_profiles(group, {u: {k: float(rng.normal()) for k in keys} for u in users})
    await set_feature_latency(url, auth, latency)
    inputs = [[u, 0.1, -0.2] for u in users]

    async with AsyncMLSProfileAPIClient(**kwargs) as profiles:
        await model.predict_async(inputs[0], pf_client=profiles)  # warm: pool and model
        started = time.perf_counter()
        ours = await asyncio.gather(*(model.predict_async(x, pf_client=profiles) for x in inputs))
        ours_seconds = time.perf_counter() - started

    sync_profiles = MLSProfileAPIClient(**kwargs, coalesce_window=None)
    loop = asyncio.get_running_loop()
    started = time.perf_counter()
    baseline = await asyncio.gather(*(loop.run_in_executor(None, partial(model.predict, x, pf_client=sync_profiles))
                                      for x in inputs))
    baseline_seconds = time.perf_counter() - started
    sync_profiles.close()
    assert ours == baseline, "both paths must give the same predictions"
    print(f"{count} concurrent predictions, 3 feature groups each at {latency * 1000:.0f} ms: "
          f"predict_async {ours_seconds:.2f} s vs executor+sync client {baseline_seconds:.2f} s "
          f"-> {baseline_seconds / ours_seconds:.1f}x faster (same predictions)")


async def set_feature_latency(url: str, auth: tuple[str, str], seconds: float) -> None:
    """Inject ``seconds`` of latency into every feature read of the server."""
    import httpx

    async with httpx.AsyncClient(base_url=url, auth=auth) as http:
        (await http.put("/api/v1/settings/feature_latency", params={"seconds": seconds})).raise_for_status()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--concurrent", type=int, default=1000)
    parser.add_argument("--latency-ms", type=float, default=20.0)
    args = parser.parse_args()
    clf, rng = train()
    asyncio.run(library_paths(clf, rng))
    from mls_async.demo import LocalServer

    with tempfile.TemporaryDirectory() as data, LocalServer(Path(data), "bench", "bench-pass") as server:
        asyncio.run(concurrent(server.url, ("bench", "bench-pass"), clf, args.concurrent, args.latency_ms / 1000))


if __name__ == "__main__":
    main()
