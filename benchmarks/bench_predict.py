"""Prediction paths, as ratios measured in one run.

1. single-row and 10k-row ``predict_async`` of MLSLightGBMModel vs the raw library call;
2. 10k rows through every library wrapper, on the same ndarray: the raw library call,
   ``predict_scores_async`` (an array of scores, what batch scoring uses) and
   ``predict_async`` (one ``{"id", "name", "type", "props": {"score"}}`` item per row);
3. inline vs worker-thread prediction by batch size (the rule behind ``inline_max_rows``);
4. CPU per prediction at a steady 50 calls/s, beside wall time: a single-row ``predict_async``
   of every wrapper vs the raw library call on one thread and on the library's default
   threads, in the same run (process CPU, so OpenMP threads spinning between calls count);
5. threads by batch size: one thread vs the library's default, the measurement behind
   ``mls_async.models._threads.THREADED_ROWS``.
(Concurrent predictions with feature lookups, against the real original: bench_features.)

    python -m benchmarks.bench_predict [--only paths|batches|steady|threads] [--seconds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import statistics
import time
from collections.abc import Awaitable, Callable, Iterator
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
    print(
        f"single row: predict_async {one_ours * 1e6:.0f} us vs Booster.predict {one_raw * 1e6:.0f} us "
        f"-> ratio {one_ours / one_raw:.2f}; LGBMClassifier.predict_proba {one_sklearn * 1e6:.0f} us "
        f"-> ratio {one_ours / one_sklearn:.2f}"
    )
    many_raw = timed(lambda: booster.predict(rows), 20)
    many_ours = await atimed(lambda: model.predict_async(rows_list), 20)
    many_numpy = await atimed(lambda: model.predict_async(rows), 20)
    print(
        f"10k rows:   predict_async {many_ours * 1e3:.1f} ms (lists) / {many_numpy * 1e3:.1f} ms (ndarray) vs "
        f"Booster.predict {many_raw * 1e3:.1f} ms -> ratio {many_ours / many_raw:.2f} / {many_numpy / many_raw:.2f}"
    )

    print(
        "inline vs worker thread by rows, inside a running loop (thread/inline > 1: the hop costs more than the"
        " work it moves off the loop):"
    )
    for size in (1, 8, 32, 64, 128, 512, 2048):
        matrix = rows[:size]
        inline = timed(partial(booster.predict, matrix), 300)
        threaded = await atimed(partial(anyio.to_thread.run_sync, booster.predict, matrix), 300)
        print(
            f"  {size:5d} rows: inline {inline * 1e6:7.0f} us, thread {threaded * 1e6:7.0f} us "
            f"-> thread/inline {threaded / inline:.2f}"
        )


def library_models(rng) -> dict[str, object]:
    """A LightGBM, XGBoost and CatBoost classifier (100 trees) and a small TorchScript network."""
    import catboost
    import lightgbm
    import torch
    import xgboost

    x = rng.normal(size=(2000, len(FEATURES)))
    y = (x[:, 0] - x[:, 1] > 0).astype(int)
    return {
        "lightgbm": lightgbm.LGBMClassifier(n_estimators=100, num_leaves=31, verbose=-1).fit(x, y),
        "xgboost": xgboost.XGBClassifier(n_estimators=100, max_depth=6).fit(x, y),
        "catboost": catboost.CatBoostClassifier(iterations=100, depth=6, verbose=0).fit(x, y),
        "pytorch": torch.jit.script(
            torch.nn.Sequential(
                torch.nn.Linear(len(FEATURES), 32), torch.nn.ReLU(), torch.nn.Linear(32, 1), torch.nn.Sigmoid()
            ).eval()
        ),
    }


def raw_calls(name: str, model) -> tuple[Callable[[np.ndarray], object], Callable[[np.ndarray], object]]:
    """The library's own predict on an ndarray: (on one thread, on the library's default threads).

    PyTorch's thread count is process-wide: its one-thread call runs inside :func:`torch_threads`.
    """
    if name == "lightgbm":
        booster = model.booster_
        return partial(booster.predict, num_threads=1), booster.predict
    if name == "xgboost":
        booster = model.get_booster()
        single = booster.copy()
        single.set_param({"nthread": 1})
        return single.inplace_predict, booster.inplace_predict
    if name == "catboost":
        return (
            partial(model.predict, prediction_type="Probability", thread_count=1),
            partial(model.predict, prediction_type="Probability"),
        )
    import torch

    def torch_raw(matrix: np.ndarray) -> object:
        with torch.inference_mode():
            return model(torch.from_numpy(matrix.astype(np.float32))).numpy()

    return torch_raw, torch_raw


@contextlib.contextmanager
def torch_threads(name: str, threads: int) -> Iterator[None]:
    """For PyTorch, ``torch.set_num_threads(threads)`` for the block (the whole process); else nothing."""
    if name != "pytorch":
        yield
        return
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def wrapper_of(name: str, model):
    """Our wrapper around ``model`` of library ``name``."""
    from mls_async.models import MLSCatBoostModel, MLSLightGBMModel, MLSPyTorchModel, MLSXGBoostModel

    classes = {
        "lightgbm": MLSLightGBMModel,
        "xgboost": MLSXGBoostModel,
        "catboost": MLSCatBoostModel,
        "pytorch": MLSPyTorchModel,
    }
    return classes[name](model, "bench_model", "v1", FEATURES)


def wrappers(rng) -> list[tuple[str, object, Callable[[np.ndarray], object]]]:
    """(name, wrapper, raw library call on default threads) for every library, each trained on the same data."""
    return [(name, wrapper_of(name, model), raw_calls(name, model)[1]) for name, model in library_models(rng).items()]


async def wrapper_batches(rng) -> None:
    rows = rng.normal(size=(10_000, len(FEATURES)))
    print("10k rows, same ndarray, median of 20 (ratio: the wrapper's time / the raw library call's):")
    print("| library | raw call | predict_scores_async | ratio | predict_async (items) | ratio |")
    print("|---|---|---|---|---|---|")
    for name, model, raw in wrappers(rng):
        raw_s = timed(partial(raw, rows), 20)
        scores_s = await atimed(partial(model.predict_scores_async, rows), 20)
        items_s = await atimed(partial(model.predict_async, rows), 20)
        print(
            f"| {name} | {raw_s * 1e3:.2f} ms | {scores_s * 1e3:.2f} ms | {scores_s / raw_s:.2f} | "
            f"{items_s * 1e3:.2f} ms | {items_s / raw_s:.2f} |"
        )


async def steady_cpu(call: Callable[[], Awaitable[object]], seconds: float, rate: float = 50.0) -> tuple[float, float]:
    """CPU seconds per call and median wall seconds of a call, at ``rate`` calls a second.

    The CPU is the whole process's (``time.process_time``): threads a library leaves spinning
    between calls count, as do the event loop's wake-ups between them.
    """
    await call()
    await asyncio.sleep(0.1)  # threads still spinning from what ran before go to sleep
    calls = max(1, int(seconds * rate))
    walls = []
    started, cpu = time.perf_counter(), time.process_time()
    for index in range(calls):
        before = time.perf_counter()
        await call()
        walls.append(time.perf_counter() - before)
        await asyncio.sleep(max(0.0, started + (index + 1) / rate - time.perf_counter()))
    return (time.process_time() - cpu) / calls, statistics.median(walls)


async def call_sync(fn: Callable[[np.ndarray], object], matrix: np.ndarray) -> None:
    fn(matrix)


async def nothing() -> None:
    return None


async def steady_rate(rng, seconds: float) -> None:
    row = rng.normal(size=len(FEATURES)).tolist()  # what a service passes: one row of values
    matrix = np.asarray([row])
    idle, _ = await steady_cpu(nothing, seconds)
    print(
        f"CPU per call at a steady 50 calls/s, {seconds:g} s each, single row (process CPU incl. threads spinning "
        f"between calls; the loop alone costs {idle * 1e3:.3f} ms a tick, 'net' is without it):"
    )
    print(
        "| library | wrapper predict_async | raw, one thread | raw, default threads | wrapper / raw one thread "
        "(net) | default / one thread (net) | wall: wrapper, raw one, raw default |"
    )
    print("|---|---|---|---|---|---|---|")
    for name, model in library_models(rng).items():
        wrapper = wrapper_of(name, model)
        one, default = raw_calls(name, model)
        ours, ours_wall = await steady_cpu(partial(wrapper.predict_async, row), seconds)
        with torch_threads(name, 1):
            raw_one, one_wall = await steady_cpu(partial(call_sync, one, matrix), seconds)
        raw_default, default_wall = await steady_cpu(partial(call_sync, default, matrix), seconds)
        print(
            f"| {name} | {ours * 1e3:.3f} ms | {raw_one * 1e3:.3f} ms | {raw_default * 1e3:.3f} ms | "
            f"{ours / raw_one:.2f} ({(ours - idle) / (raw_one - idle):.2f}) | "
            f"{raw_default / raw_one:.1f} ({(raw_default - idle) / (raw_one - idle):.1f}) | "
            f"{ours_wall * 1e3:.3f} / {one_wall * 1e3:.3f} / {default_wall * 1e3:.3f} ms |"
        )
        if name == "pytorch":  # a small batch wakes torch's intra-op pool, which the wrapper leaves as it is
            batch = rng.normal(size=(16, len(FEATURES)))
            batch_default, _ = await steady_cpu(partial(wrapper.predict_async, batch), seconds)
            with torch_threads(name, 1):
                batch_one, _ = await steady_cpu(partial(wrapper.predict_async, batch), seconds)
            print(
                f"| pytorch, 16 rows | {batch_default * 1e3:.3f} ms on torch's default threads, "
                f"{batch_one * 1e3:.3f} ms after torch.set_num_threads(1) | | | | | |"
            )


THREAD_SIZES = (64, 256, 1024, 2048, 4096, 8192, 16384, 32768)
THREAD_ROUNDS = 3


def block(fn: Callable[[np.ndarray], object], matrix: np.ndarray, seconds: float) -> tuple[float, float]:
    """Back-to-back calls for ``seconds`` (3 at least) after a pause: (fastest call, process CPU per call)."""
    time.sleep(0.05)  # threads left spinning by the block before go to sleep
    fn(matrix)
    walls = []
    started, cpu = time.perf_counter(), time.process_time()
    while time.perf_counter() - started < seconds or len(walls) < 3:
        wall = time.perf_counter()
        fn(matrix)
        walls.append(time.perf_counter() - wall)
    return min(walls), (time.process_time() - cpu) / len(walls)


def threads_by_size(rng, seconds: float) -> None:
    """One thread vs the library's default threads by batch size, the measurement behind ``THREADED_ROWS``.

    Each size runs ``THREAD_ROUNDS`` rounds of a block of one-thread calls and a block of
    default-thread calls. A round pays when the default threads' fastest call takes at most
    0.8x one thread's, for at most 1.5x its CPU per call (below that, threads may still cut a
    call's time, but buy it with several times its CPU: the spinning after each call, which
    a service at a steady rate pays on every call). A size pays when most of its rounds do;
    more threads pay from the first of two sizes in a row that pay: ``THREADED_ROWS`` in
    mls_async/models/_threads.py.
    """
    from mls_async.models._threads import THREADED_ROWS

    rows = rng.normal(size=(max(THREAD_SIZES), len(FEATURES)))
    print(
        f"threads by batch size ({THREAD_ROUNDS} rounds a size, {seconds:g} s each; fastest call of each block, "
        "process CPU per call; medians over the rounds):"
    )
    print("| library | rows | one thread | default threads | default / one | CPU default / one | rounds paying |")
    print("|---|---|---|---|---|---|---|")
    for name, model in library_models(rng).items():
        if name == "pytorch":
            continue
        one, default = raw_calls(name, model)
        paying = []
        for size in THREAD_SIZES:
            rounds = []
            for _ in range(THREAD_ROUNDS):
                one_wall, one_cpu = block(one, rows[:size], seconds / (2 * THREAD_ROUNDS))
                default_wall, default_cpu = block(default, rows[:size], seconds / (2 * THREAD_ROUNDS))
                rounds.append((one_wall, default_wall, default_wall / one_wall, default_cpu / one_cpu))
            paid = sum(wall <= 0.8 and cpu <= 1.5 for *_, wall, cpu in rounds)
            paying.append(2 * paid > THREAD_ROUNDS)
            medians = [statistics.median(column) for column in zip(*rounds)]
            print(
                f"| {name} | {size} | {medians[0] * 1e3:.3f} ms | {medians[1] * 1e3:.3f} ms | {medians[2]:.2f} | "
                f"{medians[3]:.1f} | {paid}/{THREAD_ROUNDS} |"
            )
        pairs = zip(THREAD_SIZES, paying, [*paying[1:], paying[-1]])
        from_size = next((size for size, pays, next_pays in pairs if pays and next_pays), None)
        print(
            f"  {name}: default threads pay from {from_size or 'no size measured'} rows "
            f"(THREADED_ROWS: {THREADED_ROWS[name]})"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--only",
        choices=["paths", "batches", "steady", "threads"],
        help="run only that part (1 and 3, 2, 4 or 5 above)",
    )
    parser.add_argument(
        "--seconds", type=float, default=3.0, help="seconds per steady-rate row, and per batch size up to 1 (default 3)"
    )
    args = parser.parse_args()
    if args.only in (None, "paths"):
        clf, rng = train()
        asyncio.run(library_paths(clf, rng))
    if args.only in (None, "batches"):
        asyncio.run(wrapper_batches(np.random.default_rng(0)))
    if args.only in (None, "steady"):
        asyncio.run(steady_rate(np.random.default_rng(0), args.seconds))
    if args.only in (None, "threads"):
        threads_by_size(np.random.default_rng(0), min(args.seconds, 1.0))


if __name__ == "__main__":
    main()
