"""Batch scoring with ``mls_async.batch`` against what a user would write by hand, in one run.

- B1: 1,000,000 rows through a LightGBM model from Parquet to Parquet, in process, vs plain
  pandas + ``Booster.predict`` + ``to_parquet`` (same booster, same rows, same output).
- B2: 100,000 rows through a ``GenericLogicModel`` with 3 profile lookups per row at 20 ms
  latency (the server in its own process, announcing its batch route), rows/s.
- B3: the B1 job on a two-worker Dask ``LocalCluster``: wall time, and whether its output
  equals the in-process output.

    python -m benchmarks.bench_batch [--rows 1000000] [--logic-rows 100000]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from benchmarks.server_process import APIKEY, CLIENT_ID, PASSWORD, USER, feature_server, machine

FEATURES = ["f0", "f1", "f2", "f3", "f4", "f5"]


def _booster() -> Any:
    import lightgbm

    rng = np.random.default_rng(0)
    x = rng.normal(size=(5000, len(FEATURES)))
    y = (x[:, 0] - x[:, 1] + x[:, 3] > 0).astype(int)
    return lightgbm.train({"objective": "binary", "num_leaves": 31, "verbose": -1}, lightgbm.Dataset(x, y), 100)


def _source(path: Path, rows: int) -> None:
    rng = np.random.default_rng(1)
    frame = pd.DataFrame(rng.normal(size=(rows, len(FEATURES))), columns=FEATURES)
    frame.insert(0, "user_id", [f"u{i}" for i in range(rows)])
    frame.to_parquet(path, index=False)


def _parts(directory: Path) -> pd.DataFrame:
    return pd.concat([pd.read_parquet(p) for p in sorted(directory.glob("part-*.parquet"))], ignore_index=True)


def by_hand(booster: Any, source: Path, out: Path) -> float:
    started = time.perf_counter()
    frame = pd.read_parquet(source)
    scores = booster.predict(frame[FEATURES].to_numpy())
    pd.DataFrame({"user_id": frame["user_id"], "score": scores}).to_parquet(out, index=False)
    return time.perf_counter() - started


def b1_b3(rows: int, root: Path) -> None:
    from mls_async.batch import ParquetSink, run_batch
    from mls_async.models import MLSLightGBMModel

    booster = _booster()
    source = root / "source.parquet"
    _source(source, rows)
    model = MLSLightGBMModel(booster, "bench_batch_model", "v1", FEATURES)
    hand = min(by_hand(booster, source, root / f"hand-{i}.parquet") for i in range(2))
    ours = []
    for i in range(2):
        result = run_batch(model, source, ParquetSink(str(root / f"ours-{i}")), key="user_id", partition_rows=100_000)
        ours.append(result.seconds)
    expected = pd.read_parquet(root / "hand-0.parquet")
    got = _parts(root / "ours-0")
    assert got["user_id"].equals(expected["user_id"]) and np.allclose(got["score"], expected["score"])
    print(f"\nB1: {rows:,} rows, LightGBM, Parquet to Parquet (best of 2)")
    print("| variant | wall | rows/s | vs by hand |")
    print("|---|---|---|---|")
    print(f"| pandas + Booster.predict + to_parquet, by hand | {hand:.2f} s | {rows / hand:,.0f} | 1.00x |")
    print(
        f"| mls_async.batch, in process (100,000-row partitions) | {min(ours):.2f} s | {rows / min(ours):,.0f} | "
        f"{min(ours) / hand:.2f}x the time |"
    )
    result = run_batch(
        model, source, ParquetSink(str(root / "dask")), key="user_id", partition_rows=100_000, scheduler="local"
    )
    same = _parts(root / "dask").equals(got)
    print(
        f"\nB3: the same job on a 2-worker Dask LocalCluster (cluster start included): {result.seconds:.2f} s; "
        f"output identical to the in-process output: {same}"
    )


def b2(rows: int, root: Path, latency_ms: float) -> None:
    import httpx

    from mls_async.batch import ParquetSink, run_batch
    from mls_async.models.contrib import GenericLogicModel

    users = [f"u{i}" for i in range(rows)]
    groups = {"g1": ["a"], "g2": ["b"], "g3": ["c"]}
    source = root / "logic.parquet"
    pd.DataFrame({"user_id": users, "f4": np.linspace(0, 1, rows)}).to_parquet(source, index=False)
    with feature_server(root / "server", latency_ms) as server:
        with httpx.Client(base_url=server.url, auth=(USER, PASSWORD), timeout=120) as http:
            for group, keys in groups.items():
                body = {u: {k: float(i % 7) for k in keys} for i, u in enumerate(users)}
                http.put(f"/v1/{CLIENT_ID}/profiles/{group}/users", json=body).raise_for_status()
        model = GenericLogicModel(
            "bench_batch_logic_model",
            "v1",
            ["user_id", "f4"],
            predict_fn="none",
            preprocess_logic={"merge": [{"var": "f4"}]},
            postprocess_logic={
                "list": [
                    {
                        "dict": [
                            "id",
                            {"var": "user_id"},
                            "name",
                            "n",
                            "type",
                            "t",
                            "props",
                            {
                                "dict": [
                                    "total",
                                    {
                                        "+": [
                                            {"get": [{"pf": ["user", g, {"var": "user_id"}, keys]}, 0]}
                                            for g, keys in groups.items()
                                        ]
                                    },
                                ]
                            },
                        ]
                    }
                ]
            },
        )
        profile_kwargs = {
            "env": "LOCAL",
            "runtime_env": "LOCAL",
            "client_id": CLIENT_ID,
            "apikey": APIKEY,
            "base_url": server.url,
        }
        result = run_batch(
            model,
            source,
            ParquetSink(str(root / "logic-out")),
            key="user_id",
            partition_rows=50_000,
            concurrency=10_000,
            profile_client_kwargs=profile_kwargs,
        )
        scored = _parts(root / "logic-out")
        assert len(scored) == rows and scored["user_id"].is_unique
    print(
        f"\nB2: {rows:,} rows, GenericLogicModel with 3 profile lookups each at {latency_ms:.0f} ms "
        f"(server in its own process, batch route announced): {result.seconds:.2f} s, "
        f"{result.rows_per_second:,.0f} rows/s"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--logic-rows", type=int, default=100_000)
    parser.add_argument("--latency-ms", type=float, default=20.0)
    args = parser.parse_args()
    print(machine())
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        b1_b3(args.rows, root)
        b2(args.logic_rows, root, args.latency_ms)


if __name__ == "__main__":
    main()
