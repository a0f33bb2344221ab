"""One client, many event loops: successive ``asyncio.run`` calls, the sync facade's loop, uvloop, trio.

These run against a real uvicorn server on loopback: the default aiohttp transport's
sessions and sockets belong to the loop that opened them, which an in-process ASGI
transport would not show.
"""

from __future__ import annotations

import asyncio
import warnings
from collections.abc import Iterator

import httpx
import pytest

from mls_async import AsyncMLS, AsyncMLSProfileAPIClient, MLSClientError
from mls_async._sync.profile_client import MLSProfileAPIClient
from mls_async.models.contrib import GenericLogicModel
from tests.conftest import PASSWORD, USER


class FirstColumn:
    def predict(self, rows):
        return [row[0] for row in rows]


def _model() -> GenericLogicModel:
    return GenericLogicModel(
        model_name="loops_model",
        model_version="v1",
        features=["user_id"],
        model=FirstColumn(),
        preprocess_logic={
            "merge": [
                {"pf": ["user", "usage", {"var": "user_id"}, ["traffic"]]},
                {"pf": ["user", "age", {"var": "user_id"}, ["age"]]},
            ]
        },
        postprocess_logic={"list": [{"dict": ["score", {"var": "y"}]}]},
        predict_fn="predict",
    )


@pytest.fixture
def served(live_server: str) -> Iterator[dict[str, str]]:
    kwargs = {"env": "LOCAL", "username": USER, "password": PASSWORD, "base_url": live_server}
    with MLSProfileAPIClient(**kwargs) as loader:
        loader.put_user_profiles("usage", {"u1": {"traffic": 1.5}, "u2": {"traffic": 2.5}})
        loader.put_user_profiles("age", {"u1": {"age": 31}, "u2": {"age": 42}})
    yield kwargs


def test_one_client_answers_in_successive_asyncio_runs(served):
    """Each ``asyncio.run`` gets the client's pool of its own loop; the pool of an ended loop is let go."""
    client = AsyncMLSProfileAPIClient(**served)
    model = _model()
    with warnings.catch_warnings():
        warnings.simplefilter("error", ResourceWarning)
        for _ in range(3):
            assert asyncio.run(client.get_user_profile("usage", "u1", ["traffic"])) == {"traffic": 1.5}
            assert asyncio.run(model.predict_async(["u2"], pf_client=client)) == {"items": [{"score": 2.5}]}
    asyncio.run(client.aclose())


def test_the_root_client_answers_in_successive_asyncio_runs(served):
    mls = AsyncMLS(**served)

    async def read() -> dict:
        return await mls.profiles.get_user_profile("age", "u2", ["age"])

    assert asyncio.run(read()) == {"age": 42}
    assert asyncio.run(read()) == {"age": 42}
    asyncio.run(mls.aclose())


async def test_sync_predict_then_await_with_one_async_client_inside_a_running_loop(served):
    """A notebook's order: the sync ``predict`` (the facade's own loop) and then ``await``, and back."""
    model = _model()
    async with AsyncMLSProfileAPIClient(**served) as client:
        assert model.predict(["u1"], pf_client=client) == {"items": [{"score": 1.5}]}
        assert await model.predict_async(["u2"], pf_client=client) == {"items": [{"score": 2.5}]}
        assert await client.get_user_profile("age", "u1", ["age"]) == {"age": 31}
        assert model.predict(["u2"], pf_client=client) == {"items": [{"score": 2.5}]}


async def test_await_then_sync_predict_with_one_async_client_inside_a_running_loop(served):
    model = _model()
    async with AsyncMLS(**served) as mls:
        assert await model.predict_async(["u1"], pf_client=mls.profiles) == {"items": [{"score": 1.5}]}
        assert model.predict(["u1"], pf_client=mls.profiles) == {"items": [{"score": 1.5}]}
        assert await mls.profiles.get_user_profile("usage", "u2", ["traffic"]) == {"traffic": 2.5}


def test_sync_predict_from_a_script_then_asyncio_run(served):
    model = _model()
    client = AsyncMLSProfileAPIClient(**served)
    assert model.predict(["u1"], pf_client=client) == {"items": [{"score": 1.5}]}
    assert asyncio.run(model.predict_async(["u2"], pf_client=client)) == {"items": [{"score": 2.5}]}
    assert model.predict(["u2"], pf_client=client) == {"items": [{"score": 2.5}]}
    asyncio.run(client.aclose())


def test_uvloop_runs_the_client_and_the_logic(served):
    uvloop = pytest.importorskip("uvloop")
    client = AsyncMLSProfileAPIClient(**served)
    model = _model()
    for _ in range(2):
        with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
            assert runner.run(client.get_user_profile("usage", "u1", ["traffic"])) == {"traffic": 1.5}
            assert runner.run(model.predict_async(["u1"], pf_client=client)) == {"items": [{"score": 1.5}]}
    asyncio.run(client.aclose())


def test_a_transport_bound_to_an_ended_loop_is_an_error_that_names_the_fix(served):
    """A transport object the caller made is shared by every loop: where it cannot serve one, we say why."""
    transport = httpx.AsyncHTTPTransport()
    client = AsyncMLSProfileAPIClient(**served, transport=transport, max_retries=0)
    assert asyncio.run(client.get_user_profile("usage", "u1", ["traffic"])) == {"traffic": 1.5}
    try:
        answer = asyncio.run(client.get_user_profile("usage", "u1", ["traffic"]))
    except MLSClientError as exc:
        assert "transport='aiohttp' or 'httpx'" in str(exc)
    else:
        assert answer == {"traffic": 1.5}
    fresh = AsyncMLSProfileAPIClient(**served)  # the default keeps one pool per loop
    assert asyncio.run(fresh.get_user_profile("usage", "u1", ["traffic"])) == {"traffic": 1.5}
    asyncio.run(fresh.aclose())


async def test_a_loop_bound_failure_of_a_given_transport_is_an_mls_error_and_the_client_goes_on():
    class OnceBound(httpx.AsyncBaseTransport):
        calls = 0

        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            OnceBound.calls += 1
            if OnceBound.calls == 1:
                raise RuntimeError("Task got Future <Future pending> attached to a different loop")
            return httpx.Response(200, json={"code": 0, "results": {"traffic": 1.5}})

    async with AsyncMLSProfileAPIClient(
        env="LOCAL", username=USER, password=PASSWORD, base_url="http://mls.test", transport=OnceBound()
    ) as client:
        with pytest.raises(MLSClientError, match="belongs to another event loop.*transport='aiohttp' or 'httpx'"):
            await client.get_user_profile("usage", "u1", ["traffic"])
        assert await client.get_user_profile("usage", "u1", ["traffic"]) == {"traffic": 1.5}


def test_a_script_s_sync_calls_exit_cleanly(tmp_path):
    """The thread's runner is closed at exit without the error Python 3.12+ raises for a new thread then."""
    import subprocess
    import sys

    script = tmp_path / "script.py"
    script.write_text(
        "import asyncio\n"
        "from mls_async.models._runner import run_sync\n"
        "async def resolve():\n"
        "    return len(await asyncio.get_running_loop().getaddrinfo('127.0.0.1', 80))\n"  # uses the default executor
        "print(run_sync(resolve()) > 0)\n"
    )
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stdout.strip(), done.stderr) == (0, "True", "")
