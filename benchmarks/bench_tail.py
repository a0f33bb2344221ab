"""Tail latency of predictions whose feature reads have a heavy tail, measured open loop.

The local server runs in its own process, without its batch route (every lookup is its
own ``GET``, as on the real platform), with a seeded heavy tail: 2% of feature reads take
1,000 ms and the rest 20 ms (``--feature-tail 0.02 --feature-tail-ms 1000
--feature-latency-ms 20 --feature-seed 1``); each variant gets a fresh server with the
same seed.

The workload is open loop: predictions are scheduled at a fixed rate (50/s for 20 s by
default), each started at its scheduled time whatever the others are doing, and each
latency is measured from its scheduled start, so a stalled client is charged for the
predictions it starts late. Each prediction is a ``GenericLogicModel`` reading 3 feature
groups of its user (3 lookups), then a LightGBM ``predict_proba``. A warm-up second at the
same rate, not measured, comes first (a service in steady state has seen its store's
latencies).

Rows: ours with hedged lookups (the default policy), ours without, and the original
``sktmls`` 2026.10.7 in its own process (its ``predict_async``: the sync ``predict`` in the
loop's executor, 64 threads, with its requests-based profile client). Requests per lookup
are counted in the client: our ``profile_client.stats``, and the original's sent requests.
Every variant's predictions must equal the original's: the run fails otherwise. Each
variant runs in a process of its own, whose CPU time over the measured part, divided by the
predictions, is its client CPU per prediction (the server's is not counted).

    python -m benchmarks.bench_tail [--rate 50] [--seconds 20] [--tail 0.02]
"""

from __future__ import annotations

import argparse
import asyncio
import math
import tempfile
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from benchmarks.bench_features import POSTPROCESS, PREPROCESS, load_profiles, train
from benchmarks.server_process import APIKEY, CLIENT_ID, feature_server, machine

LOOKUPS_PER_PREDICTION = 3

# latencies, predictions, lookups, requests, and the process's CPU seconds and (ours) what the
# hedges did, in the measured part
Outcome = tuple[list[float], list[Any], int, int, dict[str, float]]


async def open_loop(
    predict: Callable[[list[Any]], Awaitable[Any]], inputs: list[list[Any]], rate: float, seconds: float
) -> tuple[list[float], list[Any]]:
    """Start ``predict(inputs[i])`` at ``i / rate`` s; each latency from its scheduled start."""
    loop = asyncio.get_running_loop()
    count = int(rate * seconds)
    latencies = [0.0] * count
    results: list[Any] = [None] * count
    begin = loop.time() + 0.05

    async def one(index: int, scheduled: float) -> None:
        results[index] = await predict(inputs[index % len(inputs)])
        latencies[index] = loop.time() - scheduled

    tasks = []
    for index in range(count):
        scheduled = begin + index / rate
        delay = scheduled - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.ensure_future(one(index, scheduled)))
    await asyncio.gather(*tasks)
    return latencies, results


def _model(module: str, clf: Any) -> Any:
    contrib = __import__(f"{module}.models.contrib", fromlist=["GenericLogicModel"])
    return contrib.GenericLogicModel(
        model_name="tail_model",
        model_version="v1",
        features=["user_id", "f4", "f5"],
        model=clf,
        preprocess_logic=PREPROCESS,
        postprocess_logic=POSTPROCESS,
        predict_fn="predict_proba",
    )


def ours(url: str, clf: Any, inputs: list[list[Any]], rate: float, seconds: float, hedged: bool) -> Outcome:
    from mls_async import AsyncMLSProfileAPIClient
    from mls_async._hedging import HedgingPolicy

    model = _model("mls_async", clf)

    async def run() -> Outcome:
        async with AsyncMLSProfileAPIClient(
            "LOCAL", "LOCAL", CLIENT_ID, APIKEY, base_url=url, hedging=HedgingPolicy() if hedged else None
        ) as client:

            async def predict(x: list[Any]) -> Any:
                return await model.predict_async(x, pf_client=client)

            await open_loop(predict, inputs, rate, 1.0)  # warm-up: not measured
            before = client.stats.snapshot()
            cpu = time.process_time()
            latencies, results = await open_loop(predict, inputs, rate, seconds)
            cpu = time.process_time() - cpu
            after = client.stats.snapshot()
            done: dict[str, float] = {name: after[name] - before[name] for name in after}
            done["cpu_seconds"] = cpu
            return latencies, results, int(done["lookups"]), int(done["requests"]), done

    return asyncio.run(run())


def original(url: str, clf: Any, inputs: list[list[Any]], rate: float, seconds: float) -> Outcome:
    """The real sktmls 2026.10.7, its requests counted as they are sent."""
    import requests
    import sktmls.config
    from sktmls import MLSENV, MLSRuntimeENV
    from sktmls.apis import MLSProfileAPIClient

    sent = [0]
    send = requests.Session.send

    def counted(self: Any, request: Any, **kwargs: Any) -> Any:
        sent[0] += 1
        return send(self, request, **kwargs)

    requests.Session.send = counted  # type: ignore[method-assign]
    sktmls.config.CONFIG["LOCAL"]["MLS_PROFILE_API_URL"]["local"] = url
    client = MLSProfileAPIClient(env=MLSENV.LOCAL, runtime_env=MLSRuntimeENV.LOCAL, client_id=CLIENT_ID, apikey=APIKEY)
    model = _model("sktmls", clf)

    async def run() -> Outcome:
        asyncio.get_running_loop().set_default_executor(ThreadPoolExecutor(64))

        async def predict(x: list[Any]) -> Any:
            return await model.predict_async(x, pf_client=client)

        await open_loop(predict, inputs, rate, 1.0)
        before = sent[0]
        cpu = time.process_time()
        latencies, results = await open_loop(predict, inputs, rate, seconds)
        cpu = time.process_time() - cpu
        return latencies, results, len(results) * LOOKUPS_PER_PREDICTION, sent[0] - before, {"cpu_seconds": cpu}

    return asyncio.run(run())


def in_own_process(function: Callable[..., Outcome], *args: Any) -> Outcome:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(function, *args).result()


def percentile(ordered: list[float], q: float) -> float:
    """Nearest rank."""
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", type=float, default=50.0, help="predictions per second")
    parser.add_argument("--seconds", type=float, default=20.0, help="measured seconds per variant")
    parser.add_argument("--latency-ms", type=float, default=20.0)
    parser.add_argument("--tail", type=float, default=0.02, help="share of reads in the tail")
    parser.add_argument("--tail-ms", type=float, default=1000.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-original", action="store_true", help="leave out the original's row")
    args = parser.parse_args()
    print(
        f"{machine()}; "
        f"server in its own process without its batch route, reads {args.latency_ms:.0f} ms, "
        f"{args.tail:.0%} at {args.tail_ms:.0f} ms (seed {args.seed}); open loop, {args.rate:g} predictions/s "
        f"for {args.seconds:g} s, {LOOKUPS_PER_PREDICTION} lookups each"
    )
    clf = train()
    users = [f"u{i}" for i in range(max(1, int(args.rate * args.seconds)))]
    inputs = [[u, 0.1, -0.2] for u in users]
    tail_args = [
        "--no-profile-batch",
        "--feature-tail",
        str(args.tail),
        "--feature-tail-ms",
        str(args.tail_ms),
        "--feature-seed",
        str(args.seed),
    ]
    variants: list[tuple[str, Callable[[str], Outcome]]] = [
        (
            "ours, hedged lookups (default policy)",
            lambda url: in_own_process(ours, url, clf, inputs, args.rate, args.seconds, True),
        ),
        ("ours, hedging off", lambda url: in_own_process(ours, url, clf, inputs, args.rate, args.seconds, False)),
    ]
    if not args.no_original:
        variants.append(
            (
                "sktmls 2026.10.7 predict_async, 64-thread executor",
                lambda url: in_own_process(original, url, clf, inputs, args.rate, args.seconds),
            )
        )
    rows = []
    for name, run in variants:
        with (
            tempfile.TemporaryDirectory() as data_dir,
            feature_server(Path(data_dir), args.latency_ms, *tail_args) as server,
        ):
            load_profiles(server.url, users)
            latencies, results, lookups, requests, stats = run(server.url)
        rows.append((name, sorted(latencies), lookups, requests, results, stats))
    reference = rows[-1][4]  # the original's, when it ran
    for name, _, _, _, results, _ in rows:
        assert results == reference, f"{name}: predictions differ from {rows[-1][0]}'s"
    print("\n| variant | p50 | p99 | p99.9 | max | requests per lookup | client CPU per prediction |")
    print("|---|---|---|---|---|---|---|")
    for name, ordered, lookups, requests, results, stats in rows:
        print(
            f"| {name} | {percentile(ordered, 50) * 1000:.0f} ms | {percentile(ordered, 99) * 1000:.0f} ms | "
            f"{percentile(ordered, 99.9) * 1000:.0f} ms | {ordered[-1] * 1000:.0f} ms | "
            f"{requests / max(1, lookups):.3f} | {stats['cpu_seconds'] / len(results) * 1000:.2f} ms |"
        )
    if not args.no_original:
        original_cpu = rows[-1][5]["cpu_seconds"]
        for name, _, _, _, _, stats in rows[:-1]:
            print(f"{name}: client CPU per prediction {stats['cpu_seconds'] / original_cpu:.2f}x the original's")
    for name, _, lookups, _, _, stats in rows:
        if "hedges_sent" in stats:
            print(
                f"{name}: {lookups} lookups, {stats['hedges_sent']:.0f} hedges sent, {stats['hedges_won']:.0f} won, "
                f"{stats['hedges_denied']:.0f} denied by the budget"
            )
    print(f"every variant's {len(reference)} predictions equal {rows[-1][0]}'s")


if __name__ == "__main__":
    main()
