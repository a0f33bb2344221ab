"""Concurrent feature fetches during inference, against the real original SDK, in one run.

The local server runs in its own process (``--feature-latency-ms 20``). Workloads:

- P1: 1,000 concurrent ``GenericLogicModel`` predictions, each reading 3 feature groups
  of its own user, then a LightGBM ``predict_proba``. The original ``sktmls`` 2026.10.7
  (its ``predict_async``: sync ``predict`` in the event loop's executor, its requests-based
  profile client) with the default executor and with 64 threads; ours against a server
  without the batch route (every lookup its own GET, as on the real platform) and with it.
- P1b: 10,000 concurrent predictions of ours against the server with the batch route, as
  the process starts and after ``gc.freeze()`` (the objects loaded at startup left out of
  every later garbage collection, as serving processes are tuned).
- P3: 1,000 concurrent async ``get_manual_model`` calls vs 1,000 sequential sync calls,
  wall time and client CPU per call, for each transport (and raw httpx2 as a reference).

Our rows and every P3 figure are the median of 5 runs (a run of ours takes about a second,
where a moment's noise on this shared machine moved single runs by a quarter); the
original's rows take long enough to run once. The original runs in a process of its own:
importing it loads torch and AutoGluon, whose objects would otherwise slow every garbage
collection of ours.

Every variant's predictions are compared with the original's: the run fails otherwise.

    pip install --no-deps sktmls==2026.10.7   # plus requests aiohttp simplejson haversine boto3
    python -m benchmarks.bench_features [--concurrent 1000] [--big 10000]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import statistics
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import orjson

from benchmarks.server_process import APIKEY, CLIENT_ID, PASSWORD, USER, feature_server, machine

GROUPS = {"g1": ["f0", "f1"], "g2": ["f2"], "g3": ["f3"]}
PREPROCESS = {
    "merge": [{"pf": ["user", group, {"var": "user_id"}, keys]} for group, keys in GROUPS.items()]
    + [{"var": "f4"}, {"var": "f5"}]
}
POSTPROCESS = {
    "list": [
        {"dict": ["id", {"var": "user_id"}, "name", "n", "type", "t", "props", {"dict": ["score", {"var": "y.1"}]}]}
    ]
}


def train() -> Any:
    import lightgbm

    rng = np.random.default_rng(0)
    x = rng.normal(size=(2000, 6))
    y = (x[:, 0] - x[:, 1] + x[:, 3] > 0).astype(int)
    return lightgbm.LGBMClassifier(n_estimators=50, num_leaves=15, verbose=-1).fit(x, y)


def load_profiles(url: str, users: list[str]) -> None:
    rng = np.random.default_rng(1)
    with httpx.Client(base_url=url, auth=(USER, PASSWORD), timeout=60) as http:
        for group, keys in GROUPS.items():
            body = {u: {k: round(float(rng.normal()), 6) for k in keys} for u in users}
            http.put(f"/v1/{CLIENT_ID}/profiles/{group}/users", json=body).raise_for_status()


def original_predictions(url: str, clf: Any, inputs: list[list[Any]], threads: int | None) -> tuple[list, float]:
    """The real sktmls: its GenericLogicModel.predict_async with its own profile client."""
    import sktmls.config
    from sktmls import MLSENV, MLSRuntimeENV
    from sktmls.apis import MLSProfileAPIClient
    from sktmls.models.contrib import GenericLogicModel

    sktmls.config.CONFIG["LOCAL"]["MLS_PROFILE_API_URL"]["local"] = url
    client = MLSProfileAPIClient(env=MLSENV.LOCAL, runtime_env=MLSRuntimeENV.LOCAL, client_id=CLIENT_ID, apikey=APIKEY)
    model = GenericLogicModel(
        model_name="bench_model",
        model_version="v1",
        features=["user_id", "f4", "f5"],
        model=clf,
        preprocess_logic=PREPROCESS,
        postprocess_logic=POSTPROCESS,
        predict_fn="predict_proba",
    )

    async def run() -> tuple[list, float]:
        if threads is not None:
            asyncio.get_running_loop().set_default_executor(ThreadPoolExecutor(threads))
        started = time.perf_counter()
        results = await asyncio.gather(*(model.predict_async(x, pf_client=client) for x in inputs))
        return results, time.perf_counter() - started

    return asyncio.run(run())


def original_in_own_process(url: str, clf: Any, inputs: list[list[Any]], threads: int | None) -> tuple[list, float]:
    """:func:`original_predictions` in a fresh process (spawned), so that its imports stay out of ours."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(original_predictions, url, clf, inputs, threads).result()


def our_predictions(url: str, clf: Any, inputs: list[list[Any]], repeats: int = 5) -> tuple[list, float]:
    """Ours, ``repeats`` runs (each on a fresh client and loop): the predictions and the median seconds.

    Between runs the first run's predictions are kept as JSON bytes, not as objects: ten
    thousand answers held as dicts would be scanned by every garbage collection of the
    later runs, a cost no serving process has (it sends its answers and drops them).
    """
    results, seconds = _our_run(url, clf, inputs)
    first = orjson.dumps(results)
    del results
    timings = [seconds]
    for _ in range(repeats - 1):  # each later run's results are checked and dropped before the next run
        results, seconds = _our_run(url, clf, inputs)
        assert orjson.dumps(results) == first
        del results
        timings.append(seconds)
    return orjson.loads(first), statistics.median(timings)


def _our_run(url: str, clf: Any, inputs: list[list[Any]]) -> tuple[list, float]:
    from mls_async import AsyncMLSProfileAPIClient
    from mls_async.models.contrib import GenericLogicModel

    model = GenericLogicModel(
        model_name="bench_model",
        model_version="v1",
        features=["user_id", "f4", "f5"],
        model=clf,
        preprocess_logic=PREPROCESS,
        postprocess_logic=POSTPROCESS,
        predict_fn="predict_proba",
    )

    async def run() -> tuple[list, float]:
        async with AsyncMLSProfileAPIClient("LOCAL", "LOCAL", CLIENT_ID, APIKEY, base_url=url) as client:
            await model.predict_async(inputs[0], pf_client=client)  # first contact: learns what the server has
            started = time.perf_counter()
            results = await asyncio.gather(*(model.predict_async(x, pf_client=client) for x in inputs))
            return results, time.perf_counter() - started

    return asyncio.run(run())


def p3(url: str, calls: int, repeats: int = 5) -> None:
    """P3: each variant's wall and client CPU are the medians of ``repeats`` runs of ``calls`` calls."""
    from mls_async.models import AsyncMLModelClient, MLModelClient

    kwargs = {"env": "LOCAL", "username": USER, "password": PASSWORD, "base_url": url}

    def medians(runs: list[tuple[float, float]]) -> tuple[float, float]:
        return statistics.median(w for w, _ in runs), statistics.median(c for _, c in runs)

    with MLModelClient(**kwargs) as sync:
        model_id = sync.create_manual_model("bench_p3_model", "v1").id
        for _ in range(50):
            sync.get_manual_model(id=model_id)

        def sequential() -> tuple[float, float]:
            started, cpu = time.perf_counter(), time.process_time()
            for _ in range(calls):
                sync.get_manual_model(id=model_id)
            return time.perf_counter() - started, time.process_time() - cpu

        sync_wall, sync_cpu = medians([sequential() for _ in range(repeats)])
    print(
        f"\nP3: {calls} sequential sync calls: {sync_wall:.2f} s, client CPU {sync_cpu / calls * 1e3:.2f} ms/call "
        f"(medians of {repeats} runs, as below)"
    )

    async def concurrent(transport: str) -> tuple[float, float]:
        async with AsyncMLModelClient(**kwargs, transport=transport) as client:
            await asyncio.gather(*(client.get_manual_model(id=model_id) for _ in range(50)))
            started, cpu = time.perf_counter(), time.process_time()
            await asyncio.gather(*(client.get_manual_model(id=model_id) for _ in range(calls)))
            return time.perf_counter() - started, time.process_time() - cpu

    async def raw_httpx2() -> tuple[float, float]:
        import httpx2

        async with httpx2.AsyncClient(base_url=url, auth=(USER, PASSWORD)) as client:
            await asyncio.gather(*(client.get(f"/api/v1/models/{model_id}") for _ in range(50)))
            started, cpu = time.perf_counter(), time.process_time()
            await asyncio.gather(*(client.get(f"/api/v1/models/{model_id}") for _ in range(calls)))
            return time.perf_counter() - started, time.process_time() - cpu

    variants: list[tuple[str, Any]] = [
        ("ours, aiohttp transport (default)", lambda: concurrent("aiohttp")),
        ("ours, httpx transport", lambda: concurrent("httpx")),
    ]
    try:
        import httpx2  # noqa: F401

        variants.append(("raw httpx2 AsyncClient (reference, no SDK)", raw_httpx2))
    except ImportError:
        pass
    print(f"| {calls} concurrent async calls | wall | vs sequential sync | client CPU/call vs sync |")
    print("|---|---|---|---|")
    for name, make in variants:
        wall, cpu = medians([asyncio.run(make()) for _ in range(repeats)])
        print(f"| {name} | {wall:.2f} s | {sync_wall / wall:.2f}x faster | {cpu / sync_cpu:.2f}x |")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--concurrent", type=int, default=1000)
    parser.add_argument("--big", type=int, default=10000)
    parser.add_argument("--latency-ms", type=float, default=20.0)
    parser.add_argument("--calls", type=int, default=1000)
    args = parser.parse_args()
    print(f"{machine()}; server in its own process, feature latency {args.latency_ms:.0f} ms")
    clf = train()
    users = [f"u{i}" for i in range(max(args.concurrent, args.big))]
    inputs = [[u, 0.1, -0.2] for u in users]
    rows: list[tuple[str, float, int]] = []
    with (
        tempfile.TemporaryDirectory() as plain_dir,
        tempfile.TemporaryDirectory() as batch_dir,
        feature_server(Path(plain_dir), args.latency_ms, "--no-profile-batch") as plain,
        feature_server(Path(batch_dir), args.latency_ms) as batching,
    ):
        load_profiles(plain.url, users)
        load_profiles(batching.url, users)
        few = inputs[: args.concurrent]
        expected, default_s = original_in_own_process(plain.url, clf, few, None)
        rows.append(("sktmls 2026.10.7 predict_async, default executor", default_s, len(few)))
        got, threads_s = original_in_own_process(plain.url, clf, few, 64)
        assert got == expected
        rows.append(("sktmls 2026.10.7 predict_async, 64-thread executor", threads_s, len(few)))
        got, plain_s = our_predictions(plain.url, clf, few)
        assert got == expected, "our predictions differ from the original's"
        rows.append(("ours, server without a batch route (one GET per lookup)", plain_s, len(few)))
        got, batch_s = our_predictions(batching.url, clf, few)
        assert got == expected, "our predictions differ from the original's"
        rows.append(("ours, server announcing its batch route", batch_s, len(few)))
        many = inputs[: args.big]
        got, big_s = our_predictions(batching.url, clf, many)
        assert [r["items"][0]["id"] for r in got] == [x[0] for x in many]
        del got  # not held through the next run (see our_predictions)
        rows.append(("P1b: ours, server announcing its batch route", big_s, len(many)))
        gc.collect()
        gc.freeze()  # what a serving process does once its models are loaded (see the README)
        try:
            got, frozen_s = our_predictions(batching.url, clf, many)
        finally:
            gc.unfreeze()
        assert [r["items"][0]["id"] for r in got] == [x[0] for x in many]
        rows.append(("P1b, startup objects frozen out of the collector (gc.freeze())", frozen_s, len(many)))
        print(f"\nP1: concurrent GenericLogicModel predictions, 3 feature groups each at {args.latency_ms:.0f} ms")
        print("| variant | predictions | wall | predictions/s | vs sktmls default |")
        print("|---|---|---|---|---|")
        for name, seconds, count in rows:
            print(
                f"| {name} | {count} | {seconds:.2f} s | {count / seconds:,.0f} | "
                f"{(default_s / len(few)) / (seconds / count):.1f}x |"
            )
        print(f"ours without a batch route vs sktmls with 64 threads: {threads_s / plain_s:.1f}x faster")
        p3(plain.url, args.calls)


if __name__ == "__main__":
    main()
