"""Prediction paths, as ratios measured in one run.

1. single-row and 10k-row ``predict_async`` of MLSLightGBMModel vs the raw library call;
2. 10k rows through every library wrapper, on the same ndarray: the raw library call,
   ``predict_scores_async`` (an array of scores, what batch scoring uses) and
   ``predict_async`` (one ``{"id", "name", "type", "props": {"score"}}`` item per row);
3. inline vs worker-thread prediction by batch size (the rule behind ``inline_max_rows``);
(Concurrent predictions with feature lookups, against the real original: bench_features.)

    python -m benchmarks.bench_predict
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from collections.abc import Callable
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


def wrappers(rng) -> list[tuple[str, object, Callable[[np.ndarray], object]]]:
    """(name, wrapper, raw library call) for every library, each trained on the same small data."""
    import catboost
    import lightgbm
    import torch
    import xgboost

    from mls_async.models import MLSCatBoostModel, MLSLightGBMModel, MLSPyTorchModel, MLSXGBoostModel

    x = rng.normal(size=(2000, len(FEATURES)))
    y = (x[:, 0] - x[:, 1] > 0).astype(int)
    lgb = lightgbm.LGBMClassifier(n_estimators=100, num_leaves=31, verbose=-1).fit(x, y)
    xgb = xgboost.XGBClassifier(n_estimators=100, max_depth=6).fit(x, y)
    cat = catboost.CatBoostClassifier(iterations=100, depth=6, verbose=0).fit(x, y)
    net = torch.jit.script(torch.nn.Sequential(torch.nn.Linear(len(FEATURES), 32), torch.nn.ReLU(),
                                               torch.nn.Linear(32, 1), torch.nn.Sigmoid()).eval())

    def torch_raw(matrix: np.ndarray) -> object:
        with torch.inference_mode():
            return net(torch.from_numpy(matrix.astype(np.float32))).numpy()

    booster, xgb_booster = lgb.booster_, xgb.get_booster()
    return [
        ("lightgbm", MLSLightGBMModel(lgb, "bench_model", "v1", FEATURES), booster.predict),
        ("xgboost", MLSXGBoostModel(xgb, "bench_model", "v1", FEATURES), xgb_booster.inplace_predict),
        ("catboost", MLSCatBoostModel(cat, "bench_model", "v1", FEATURES),
         lambda matrix: cat.predict(matrix, prediction_type="Probability", thread_count=-1)),
        ("pytorch", MLSPyTorchModel(net, "bench_model", "v1", FEATURES), torch_raw),
    ]


async def wrapper_batches(rng) -> None:
    rows = rng.normal(size=(10_000, len(FEATURES)))
    print("10k rows, same ndarray, median of 20 (ratio: the wrapper's time / the raw library call's):")
    print("| library | raw call | predict_scores_async | ratio | predict_async (items) | ratio |")
    print("|---|---|---|---|---|---|")
    for name, model, raw in wrappers(rng):
        raw_s = timed(partial(raw, rows), 20)
        scores_s = await atimed(partial(model.predict_scores_async, rows), 20)
        items_s = await atimed(partial(model.predict_async, rows), 20)
        print(f"| {name} | {raw_s * 1e3:.2f} ms | {scores_s * 1e3:.2f} ms | {scores_s / raw_s:.2f} | "
              f"{items_s * 1e3:.2f} ms | {items_s / raw_s:.2f} |")


def main() -> None:
    argparse.ArgumentParser(description=__doc__).parse_args()
    clf, rng = train()
    asyncio.run(library_paths(clf, rng))
    asyncio.run(wrapper_batches(rng))


if __name__ == "__main__":
    main()
