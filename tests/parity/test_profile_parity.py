"""The profile API against the original's ``MLSProfileAPIClient``: same requests, and it works on our server."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from mls_async.server import ServerConfig, create_app
from tests.parity.recording import Recorder, Seen, serve
from tests.parity.sides import PASSWORD, USER, LoopThread

if os.environ.get("MLS_PARITY_REQUIRED"):
    import sktmls  # noqa: F401
else:
    pytest.importorskip("sktmls", reason="the parity suite needs the original: pip install --no-deps sktmls==2026.10.7")
pytestmark = pytest.mark.parity

CLIENT_ID, APIKEY = "my-client", "my-apikey"
CALLS: list[tuple[str, tuple, dict]] = [
    ("get_user_profile", ("demo", "u1"), {"keys": ["age"]}),
    ("get_user_profile", ("demo", "u1"), {}),
    ("get_item_profile", ("catalog", "p1", ["price", "name"]), {}),
    ("get_profile", ("demo", "u1"), {"keys": ["age", "city"]}),
    ("get_profile", ("catalog", "p1"), {}),
]
EXPECTED = [
    {"age": 31},
    {"age": 31, "city": "seoul"},
    {"price": 10, "name": "plan"},
    {"age": 31, "city": "seoul"},
    {"price": 10, "name": "plan"},
]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    config = ServerConfig(tmp_path_factory.mktemp("pf"), {USER: PASSWORD}, apikeys={CLIENT_ID: APIKEY})
    recorder = Recorder(create_app(config))
    with serve(recorder) as url:
        with httpx.Client(base_url=url, auth=(USER, PASSWORD)) as http:
            http.put("/v1/any/profiles/demo/users", json={"u1": {"age": 31, "city": "seoul"}}).raise_for_status()
            http.put("/v1/any/profiles/catalog/items", json={"p1": {"price": 10, "name": "plan"}}).raise_for_status()
        recorder.take()
        yield url, recorder


def _original(url: str, runtime: str = "LOCAL") -> Any:
    import sktmls.config
    from sktmls import MLSENV, MLSRuntimeENV
    from sktmls.apis import MLSProfileAPIClient

    if runtime == "MMS":
        sktmls.config.CONFIG["MMS"]["MLS_PROFILE_API_URL"]["dev"] = url
        return MLSProfileAPIClient(env=MLSENV.DEV, runtime_env=MLSRuntimeENV.MMS)
    sktmls.config.CONFIG["LOCAL"]["MLS_PROFILE_API_URL"]["local"] = url
    return MLSProfileAPIClient(env=MLSENV.LOCAL, runtime_env=MLSRuntimeENV.LOCAL, client_id=CLIENT_ID, apikey=APIKEY)


def _ours(url: str, flavour: str, runtime: str = "LOCAL") -> tuple[Any, Callable[[Any], Any], Callable[[], None]]:
    from mls_async import AsyncMLSProfileAPIClient, MLSProfileAPIClient

    kwargs: dict[str, Any] = {"env": "LOCAL" if runtime == "LOCAL" else "DEV", "runtime_env": runtime, "base_url": url}
    if runtime != "MMS":
        kwargs.update(client_id=CLIENT_ID, apikey=APIKEY)
    if flavour == "sync":
        client = MLSProfileAPIClient(**kwargs)
        return client, lambda r: r, client.close
    loop = LoopThread()
    client = AsyncMLSProfileAPIClient(**kwargs)

    def close() -> None:
        loop.run(client.aclose())
        loop.stop()

    return client, loop.run, close


def _recorded(recorder: Recorder, client: Any, run: Callable[[Any], Any]) -> tuple[list[Any], list[Seen]]:
    answers = []
    for name, args, kwargs in CALLS:
        try:
            answers.append(run(getattr(client, name)(*args, **kwargs)))
        except Exception as exc:  # noqa: BLE001 - an error is an answer to compare too
            answers.append(type(exc).__name__)
    return answers, recorder.take()


def test_the_original_profile_client_works_against_the_local_server(server):
    url, recorder = server
    answers, _ = _recorded(recorder, _original(url), lambda r: r)
    assert answers == EXPECTED


@pytest.mark.parametrize("flavour", ["sync", "async"])
def test_our_profile_requests_equal_the_originals(server, flavour):
    url, recorder = server
    _, original = _recorded(recorder, _original(url), lambda r: r)
    client, run, close = _ours(url, flavour)
    try:
        answers, mine = _recorded(recorder, client, run)
    finally:
        close()
    assert answers == EXPECTED
    assert [str(s) for s in mine] == [str(s) for s in original]
    assert mine == original and all(s.apikey == APIKEY and s.authorization is None for s in mine)
    assert ("mode", "test") in mine[0].query and ("f", "age") in mine[0].query


@pytest.mark.parametrize("flavour", ["sync", "async"])
def test_on_the_mms_runtime_we_send_what_the_original_sends(server, flavour):
    url, recorder = server
    _, original = _recorded(recorder, _original(url, "MMS"), lambda r: r)
    client, run, close = _ours(url, flavour, "MMS")
    try:
        _, mine = _recorded(recorder, client, run)
    finally:
        close()
    assert mine == original
    assert all(s.path.startswith("/v1/mls-mms/") and s.apikey is None and ("mode", "test") not in s.query for s in mine)


def test_a_wrong_apikey_is_refused(server):
    url, _ = server
    response = httpx.get(f"{url}/v1/{CLIENT_ID}/profiles/demo/users/u1", headers={"apikey": "nope"})
    assert response.status_code == 401 and "not valid for profile API client 'my-client'" in response.json()["error"]
