"""Fixtures: a real local MLS server, in-process (ASGI) for speed or on loopback with uvicorn."""

from __future__ import annotations

import inspect
import os
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
import respx.mocks

from mls_async.server import ServerConfig, create_app

# Hypothesis keeps no example database and writes nothing into the working tree.
os.environ.setdefault("HYPOTHESIS_STORAGE_DIRECTORY", os.path.join(tempfile.gettempdir(), "mls-async-hypothesis"))
try:
    from hypothesis import settings as _hypothesis_settings
except ModuleNotFoundError:
    pass
else:
    _hypothesis_settings.register_profile("mls-async", database=None)
    _hypothesis_settings.load_profile("mls-async")

# respx intercepts at httpx's client (its "httpx" mocker), so mocks work whatever transport a
# client is given. Clients in modules that mock with respx run on httpx's transport (see
# _isolated_env): the aiohttp transport's direct reads never pass through httpx's client.
respx.mocks.DEFAULT_MOCKER = "httpx"

USER, PASSWORD = "tester", "s3cret-pass"
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _isolated_env(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test gets its own model directory and no stray MLS settings."""
    for var in (
        "MLS_ENV",
        "AWS_ENV",
        "MLS_RUNTIME_ENV",
        "MLS_RUNTINE_ENV",
        "MLS_USERNAME",
        "MLS_PASSWORD",
        "MLS_BASE_URL",
        "MLS_HTTP_TRANSPORT",
        # every server a test talks to is on loopback: no proxy of the machine's in between
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "http_proxy",
        "https_proxy",
        "all_proxy",
    ):
        monkeypatch.delenv(var, raising=False)
    if request.module is not None and "respx" in vars(request.module):
        monkeypatch.setenv("MLS_HTTP_TRANSPORT", "httpx")
    monkeypatch.setenv("MLS_MODEL_DIR", str(tmp_path / "models"))
    # Libraries that write next to the caller (CatBoost's catboost_info/, say) write into tmp_path;
    # subprocesses (server workers unpickling test models) still import this checkout's packages.
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))


@pytest.fixture
def server_config(tmp_path: Path) -> ServerConfig:
    return ServerConfig(tmp_path / "server", {USER: PASSWORD}, automl_time_limit=20)


@pytest.fixture
def app(server_config: ServerConfig):
    return create_app(server_config)


@pytest.fixture
def async_transport(app) -> httpx.AsyncBaseTransport:
    return httpx.ASGITransport(app=app)


@pytest.fixture
def sync_transport(app) -> Iterator[httpx.BaseTransport]:
    from starlette.testclient import TestClient

    with TestClient(app) as client:
        yield client._transport


@pytest.fixture
def client_kwargs() -> dict:
    return {"env": "LOCAL", "username": USER, "password": PASSWORD, "base_url": "http://mls.local"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def serve(app) -> Iterator[str]:
    """Run ``app`` on a real uvicorn on a free loopback port; yield its base URL."""
    import uvicorn

    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


@pytest.fixture
def live_server(server_config: ServerConfig) -> Iterator[str]:
    """A real uvicorn server on a loopback port; yields its base URL."""
    with serve(create_app(server_config)) as url:
        yield url


# Optional libraries: a test that needs one that is not installed is skipped, saying which one.
OPTIONAL_MODULES = frozenset(
    {
        "autogluon",
        "catboost",
        "distributed",
        "ipykernel",
        "lightgbm",
        "nbclient",
        "pandas",
        "pyarrow",
        "schemathesis",
        "sklearn",
        "sktmls",
        "torch",
        "trio",
        "uvloop",
        "xgboost",
    }
)


def _missing_optional_module(exc: BaseException) -> str | None:
    """The optional module whose absence raised ``exc`` (directly or as its cause), if not installed."""
    import importlib.util

    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ModuleNotFoundError) and seen.name:
            top = seen.name.partition(".")[0]
            if top in OPTIONAL_MODULES and importlib.util.find_spec(top) is None:
                return top
        seen = seen.__cause__
    return None


def _skip_when_an_optional_module_is_missing():
    try:
        return (yield)
    except Exception as exc:
        missing = _missing_optional_module(exc)
        if missing is None:
            raise
        pytest.skip(f"needs {missing}, which is not installed")


pytest_runtest_setup = pytest.hookimpl(wrapper=True)(_skip_when_an_optional_module_is_missing)
pytest_runtest_call = pytest.hookimpl(wrapper=True)(_skip_when_an_optional_module_is_missing)


@pytest.hookimpl(tryfirst=True)
def pytest_pycollect_makeitem(collector: pytest.Module | pytest.Class, name: str, obj: object) -> None:
    """An ``async def`` test runs on asyncio (pytest-asyncio) unless marked for anyio's plugin.

    pytest-asyncio runs in strict mode, so that tests marked ``anyio`` run on the backends
    their ``anyio_backend`` names (trio among them); every other async test is marked
    ``asyncio`` here, before it is collected.
    """
    if not (collector.funcnamefilter(name) and inspect.iscoroutinefunction(obj)):
        return None
    marks = {mark.name for mark in getattr(obj, "pytestmark", [])} | {mark.name for mark in collector.iter_markers()}
    if not marks & {"anyio", "asyncio"}:
        pytest.mark.asyncio(obj)
    return None
