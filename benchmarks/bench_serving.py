"""P5: online predictions of one LightGBM booster, our server vs ``mlflow models serve``, in one run.

Both servers run in their own processes with the same number of workers and serve the
same booster; the same client (aiohttp, fixed concurrency) sends the same rows. Ours is
a registered ``MLSLightGBMModel`` behind ``POST /api/v1/models/{id}/predict`` (Basic
auth); MLflow's is ``mlflow.lightgbm`` behind ``POST /invocations``.

MLflow pins many packages, so it lives in its own environment:

    python -m venv /tmp/mlflowenv && /tmp/mlflowenv/bin/pip install mlflow lightgbm
    python -m benchmarks.bench_serving --mlflow-python /tmp/mlflowenv/bin/python
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import numpy as np

from benchmarks.server_process import PASSWORD, USER, machine

FEATURES = ["f0", "f1", "f2", "f3", "f4", "f5"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait(url: str, process: subprocess.Popen, what: str) -> None:
    deadline = time.monotonic() + 180
    while True:
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline or process.poll() is not None:
            raise RuntimeError(f"{what} did not start")
        time.sleep(0.2)


def _booster() -> Any:
    import lightgbm

    rng = np.random.default_rng(0)
    x = rng.normal(size=(5000, len(FEATURES)))
    y = (x[:, 0] - x[:, 1] + x[:, 3] > 0).astype(int)
    return lightgbm.train({"objective": "binary", "num_leaves": 31, "verbose": -1}, lightgbm.Dataset(x, y), 100)


async def _load(url: str, bodies: list[dict], concurrency: int, auth: Any) -> tuple[float, list[float]]:
    import aiohttp

    latencies: list[float] = []
    positions = iter(range(len(bodies)))
    async with aiohttp.ClientSession(auth=auth, connector=aiohttp.TCPConnector(limit=concurrency)) as session:

        async def worker() -> None:
            for position in positions:
                started = time.perf_counter()
                async with session.post(url, json=bodies[position]) as response:
                    await response.read()
                    assert response.status == 200, await response.text()
                latencies.append(time.perf_counter() - started)

        await asyncio.gather(*(worker() for _ in range(min(concurrency, len(bodies) // 10 or 1))))  # warm-up
        latencies.clear()
        positions = iter(range(len(bodies)))
        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return time.perf_counter() - started, latencies


def _row(latencies: list[float], seconds: float, count: int) -> tuple[float, float, float]:
    ordered = sorted(latencies)
    return count / seconds, statistics.median(ordered) * 1e3, ordered[int(len(ordered) * 0.99) - 1] * 1e3


def serve_ours(root: Path, booster_file: Path, workers: int) -> tuple[subprocess.Popen, str]:
    import lightgbm

    from mls_async import ModelRegistry
    from mls_async.models import MLModelClient, MLSLightGBMModel

    port = _free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "mls_async.server",
            "--port",
            str(port),
            "--data-dir",
            str(root / f"ours-{workers}"),
            "--user",
            f"{USER}:{PASSWORD}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
        ],
        stdout=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    _wait(f"{base}/health", process, "our server")
    kwargs = {"env": "LOCAL", "username": USER, "password": PASSWORD, "base_url": base}
    model = MLSLightGBMModel(lightgbm.Booster(model_file=str(booster_file)), "serving_model", "v1", FEATURES)
    with MLModelClient(**kwargs) as models, ModelRegistry(**kwargs, model_dir=root / f"m-{workers}") as registry:
        deployment = registry.save_and_deploy(model, models)
    return process, f"{base}/api/v1/models/{deployment.id}/predict"


def serve_mlflow(root: Path, booster_file: Path, workers: int, python: str) -> tuple[subprocess.Popen, str]:
    model_dir = root / f"mlflow-model-{workers}"
    subprocess.run(
        [
            python,
            "-c",
            "import sys, lightgbm, mlflow.lightgbm; "
            "mlflow.lightgbm.save_model(lightgbm.Booster(model_file=sys.argv[1]), sys.argv[2])",
            str(booster_file),
            str(model_dir),
        ],
        check=True,
        capture_output=True,
    )
    port = _free_port()
    environment = {
        **os.environ,
        "MLFLOW_TRACKING_URI": f"file://{root / 'mlruns'}",
        "PATH": f"{Path(python).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }  # its uvicorn
    process = subprocess.Popen(
        [
            python,
            "-m",
            "mlflow",
            "models",
            "serve",
            "-m",
            str(model_dir),
            "--env-manager",
            "local",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=environment,
    )
    base = f"http://127.0.0.1:{port}"
    _wait(f"{base}/ping", process, "mlflow models serve")
    return process, f"{base}/invocations"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mlflow-python", default=os.environ.get("MLFLOW_PYTHON", "/tmp/mlflowenv/bin/python"))
    parser.add_argument("--requests", type=int, default=3000)
    args = parser.parse_args()
    import aiohttp

    print(f"{machine()}; each server in its own processes")
    rows = np.random.default_rng(2).normal(size=(args.requests, len(FEATURES))).round(6).tolist()
    ours_bodies = [{"x": row} for row in rows]
    mlflow_bodies = [{"inputs": [row]} for row in rows]
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        booster_file = root / "booster.txt"
        _booster().save_model(str(booster_file))
        for workers in (1, 2):
            processes: list[subprocess.Popen] = []
            try:
                ours, ours_url = serve_ours(root, booster_file, workers)
                processes.append(ours)
                theirs, their_url = serve_mlflow(root, booster_file, workers, args.mlflow_python)
                processes.append(theirs)
                print(f"\nP5, {workers} worker{'s' if workers > 1 else ''} each: {args.requests} predictions")
                print("| concurrency | server | req/s | p50 | p99 | req/s vs mlflow |")
                print("|---|---|---|---|---|---|")
                for concurrency in (1, 16):
                    seconds, latencies = asyncio.run(_load(their_url, mlflow_bodies, concurrency, None))
                    base = _row(latencies, seconds, len(mlflow_bodies))
                    seconds, latencies = asyncio.run(
                        _load(ours_url, ours_bodies, concurrency, aiohttp.BasicAuth(USER, PASSWORD))
                    )
                    mine = _row(latencies, seconds, len(ours_bodies))
                    print(
                        f"| {concurrency} | mlflow models serve | {base[0]:,.0f} | {base[1]:.1f} ms | "
                        f"{base[2]:.1f} ms | 1.00x |"
                    )
                    print(
                        f"| {concurrency} | mls-async server | {mine[0]:,.0f} | {mine[1]:.1f} ms | "
                        f"{mine[2]:.1f} ms | {mine[0] / base[0]:.2f}x |"
                    )
            finally:
                for process in processes:
                    process.terminate()
                    process.wait(30)


if __name__ == "__main__":
    main()
