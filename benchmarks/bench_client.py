"""Import time of mls_async, and the per-call overhead of AsyncMLSClient over raw httpx.

Both clients call the same real local server on loopback in the same run; the output
is ratios (absolute times vary between machines and runs).

    python -m benchmarks.bench_client [--calls 400]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import orjson


def import_seconds(module: str, repeats: int = 5) -> float:
    code = f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
    runs = [
        float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)
        for _ in range(repeats)
    ]
    return statistics.median(runs)


async def per_call(url: str, auth: tuple[str, str], calls: int) -> tuple[float, float]:
    from mls_async.components import AsyncComponentClient

    async with (
        AsyncComponentClient(env="LOCAL", username=auth[0], password=auth[1], base_url=url) as sdk,
        httpx.AsyncClient(base_url=url, auth=httpx.BasicAuth(*auth)) as raw,
    ):
        component = await sdk.create_component(name="bench_component", info={"a": 1})
        path = f"/api/v1/components/{component.id}"

        async def sdk_call() -> None:
            await sdk._request("GET", path)

        async def raw_call() -> None:
            response = await raw.get(path)
            response.raise_for_status()
            orjson.loads(response.content)["results"]

        for warm in (sdk_call, raw_call):
            for _ in range(20):
                await warm()
        sdk_times, raw_times = [], []
        for _ in range(calls):  # interleaved, so drift on a noisy machine hits both alike
            started = time.perf_counter()
            await sdk_call()
            sdk_times.append(time.perf_counter() - started)
            started = time.perf_counter()
            await raw_call()
            raw_times.append(time.perf_counter() - started)
    return statistics.median(sdk_times), statistics.median(raw_times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=400)
    args = parser.parse_args()
    from mls_async.demo import LocalServer

    mls, httpx_alone = import_seconds("mls_async"), import_seconds("httpx")
    print(
        f"import mls_async: {mls * 1000:.0f} ms = {mls / httpx_alone:.2f}x `import httpx` ({httpx_alone * 1000:.0f} ms)"
    )
    with tempfile.TemporaryDirectory() as data, LocalServer(Path(data), "bench", "bench-pass") as server:
        sdk, raw = asyncio.run(per_call(server.url, ("bench", "bench-pass"), args.calls))
    print(
        f"per call (median of {args.calls}, loopback): AsyncMLSClient {sdk * 1e6:.0f} us, "
        f"raw httpx {raw * 1e6:.0f} us -> ratio {sdk / raw:.3f} (overhead {(sdk - raw) * 1e6:+.0f} us)"
    )


if __name__ == "__main__":
    main()
