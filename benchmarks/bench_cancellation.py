"""A service that times out under load must not slow down further: cancellation reaches the wire.

Against the local server in its own process, without a batch route (one GET per lookup,
as on the platform) and with 20 ms lookups: ``--timeouts`` (1,000) ``GenericLogicModel``
predictions of 3 feature groups each run under ``asyncio.wait_for(..., 0.005)`` and all
time out. Then the next ``--after`` (100) predictions on the same client are timed, against
the same number on an idle client. Printed: the requests the timed-out predictions still
sent (out of 3 per prediction), the tasks of theirs alive 100 ms later, and the ratio of
the two timings (target: at most 1.5x). Each figure is the median of ``--repeats`` runs.

    python -m benchmarks.bench_cancellation [--timeouts 1000] [--after 100] [--repeats 3]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from benchmarks.server_process import APIKEY, CLIENT_ID, PASSWORD, USER, feature_server, machine

GROUPS = ("g1", "g2", "g3")
PREPROCESS = {"merge": [{"pf": ["user", group, {"var": "user_id"}, ["f"]]} for group in GROUPS]}
POSTPROCESS = {"list": [{"var": "y"}]}


class Scores:
    def predict(self, rows: list[list[Any]]) -> list[float]:
        return [sum(row) for row in rows]


def load_profiles(url: str, users: list[str]) -> None:
    with httpx.Client(base_url=url, auth=(USER, PASSWORD), timeout=60) as http:
        for group in GROUPS:
            body = {u: {"f": float(i)} for i, u in enumerate(users)}
            http.put(f"/v1/{CLIENT_ID}/profiles/{group}/users", json=body).raise_for_status()


def _sent_counter() -> list[int]:
    """Count the requests that passed the in-flight limit onto the wire (the aiohttp transport's reads)."""
    from mls_async._aiohttp_transport import AiohttpTransport

    sent = [0]
    direct = AiohttpTransport.direct_request

    async def counted(self: AiohttpTransport, *args: Any, **kwargs: Any) -> Any:
        sent[0] += 1
        return await direct(self, *args, **kwargs)

    AiohttpTransport.direct_request = counted  # type: ignore[method-assign]
    return sent


async def _predictions(model: Any, client: Any, users: list[str]) -> float:
    started = time.perf_counter()
    await asyncio.gather(*(model.predict_async([u], pf_client=client) for u in users))
    return time.perf_counter() - started


def one_run(url: str, users: list[str], timeouts: int, after: int, sent: list[int]) -> tuple[float, float, int, int]:
    """(idle seconds, seconds after the timeouts, requests the timed-out predictions sent, their tasks alive)."""
    from mls_async import AsyncMLSProfileAPIClient
    from mls_async.models.contrib import GenericLogicModel

    model = GenericLogicModel(
        model_name="bench_model",
        model_version="v1",
        features=["user_id"],
        model=Scores(),
        preprocess_logic=PREPROCESS,
        postprocess_logic=POSTPROCESS,
        predict_fn="predict",
    )

    async def run() -> tuple[float, float, int, int]:
        async with AsyncMLSProfileAPIClient("LOCAL", "LOCAL", CLIENT_ID, APIKEY, base_url=url) as idle:
            await model.predict_async([users[0]], pf_client=idle)  # first contact: learns what the server has
            idle_s = await _predictions(model, idle, users[-after:])
        async with AsyncMLSProfileAPIClient("LOCAL", "LOCAL", CLIENT_ID, APIKEY, base_url=url) as client:
            await model.predict_async([users[0]], pf_client=client)
            before = asyncio.all_tasks()
            sent[0] = 0
            outcomes = await asyncio.gather(
                *(asyncio.wait_for(model.predict_async([u], pf_client=client), 0.005) for u in users[:timeouts]),
                return_exceptions=True,
            )
            assert all(isinstance(outcome, TimeoutError) for outcome in outcomes), "a prediction answered in 5 ms"
            theirs = asyncio.all_tasks() - before - {asyncio.current_task()}  # what the timed-out ones left
            following = asyncio.ensure_future(_predictions(model, client, users[-after:]))
            await asyncio.sleep(0.1)
            alive = sum(not task.done() for task in theirs)
            after_s = await following
            await asyncio.sleep(0.1)
            return idle_s, after_s, sent[0] - 3 * after, alive

    return asyncio.run(run())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--timeouts", type=int, default=1000)
    parser.add_argument("--after", type=int, default=100)
    parser.add_argument("--latency-ms", type=float, default=20.0)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    print(f"{machine()}; server in its own process without a batch route, feature latency {args.latency_ms:.0f} ms")
    users = [f"u{i}" for i in range(args.timeouts + args.after)]
    sent = _sent_counter()
    with (
        tempfile.TemporaryDirectory() as data_dir,
        feature_server(Path(data_dir), args.latency_ms, "--no-profile-batch") as server,
    ):
        load_profiles(server.url, users)
        runs = [one_run(server.url, users, args.timeouts, args.after, sent) for _ in range(args.repeats)]
    idle_s = statistics.median(r[0] for r in runs)
    after_s = statistics.median(r[1] for r in runs)
    still_sent = statistics.median(r[2] for r in runs)
    alive = max(r[3] for r in runs)
    print(
        f"{args.timeouts} predictions timed out at 5 ms: {still_sent:.0f} of their {3 * args.timeouts} lookups "
        f"were sent; {alive} of their tasks alive 100 ms later"
    )
    print(
        f"{args.after} predictions on an idle client: {idle_s * 1000:.0f} ms; right after the timeouts: "
        f"{after_s * 1000:.0f} ms; ratio {after_s / idle_s:.2f}x (target <= 1.5x)"
    )


if __name__ == "__main__":
    main()
