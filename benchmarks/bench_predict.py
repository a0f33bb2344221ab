"""Prediction paths, as ratios measured in one run.

1. single-row and 10k-row ``predict_async`` of MLSLightGBMModel vs the raw library call;
2. inline vs worker-thread prediction by batch size (the rule behind ``inline_max_rows``);
(Concurrent predictions with feature lookups, against the real original: bench_features.)

    python -m benchmarks.bench_predict
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from functools import partial

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


def main() -> None:
    argparse.ArgumentParser(description=__doc__).parse_args()
    clf, rng = train()
    asyncio.run(library_paths(clf, rng))


if __name__ == "__main__":
    main()
