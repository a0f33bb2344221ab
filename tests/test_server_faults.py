"""The local server under faults: restarts after a crash, downloads racing re-uploads, hostile headers and keys,
leftovers of a crash, the order of its checks, and concurrent loads of one version on the client."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import io
import os
import re
import signal
import socket
import subprocess
import sys
import tarfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
import pytest_asyncio

from mls_async import AsyncModelRegistry, ModelRegistry
from mls_async._protocol import CHECKSUM_HEADER
from mls_async.models import AsyncMLModelClient, MLSRuleModel
from mls_async.server import ServerConfig, create_app
from mls_async.server.cli import _port_free
from tests.conftest import PASSWORD, USER, _free_port, serve
from tests.test_server import _start_cli, _wait_until_up

AUTH = (USER, PASSWORD)
JSON = {"Content-Type": "application/json"}


def _archive(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


class Echo(MLSRuleModel):
    def predict(self, x, **kwargs):
        return {"items": [{"id": "echo", "name": "echo", "type": "t", "props": {"x": x}}]}


class Shout(MLSRuleModel):
    def predict(self, x, **kwargs):
        return {"items": [{"id": "shout", "name": "shout", "type": "t", "props": {"x": x}}]}


@pytest_asyncio.fixture
async def http(app):
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://mls") as client:
        yield client


# -- 1. a restart after a crash ---------------------------------------------------------------
def _port_in_time_wait() -> int:
    """A loopback port nothing listens on, whose server side of a closed connection is in TIME_WAIT."""
    with socket.socket() as listener:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn's listener
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        client = socket.create_connection(("127.0.0.1", port))
        accepted, _ = listener.accept()
        accepted.close()  # the server closes first, as a killed server's kernel does: its end waits
        client.close()
    return port


def test_the_port_check_takes_a_port_in_time_wait_and_refuses_a_listened_one():
    port = _port_in_time_wait()
    with socket.socket() as plain, pytest.raises(OSError):
        plain.bind(("127.0.0.1", port))  # a bind without SO_REUSEADDR is refused: the old check's answer
    assert _port_free("127.0.0.1", port)  # uvicorn binds it, so the check must say so
    with socket.socket() as listener:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", port))
        listener.listen()
        assert not _port_free("127.0.0.1", port)


@pytest.mark.e2e
def test_a_server_killed_with_clients_connected_restarts_on_its_port(tmp_path):
    port = _free_port()
    process = _start_cli(port, tmp_path / "d", "--user", f"{USER}:{PASSWORD}")
    clients = [httpx.Client(base_url=f"http://127.0.0.1:{port}", auth=AUTH) for _ in range(4)]
    try:
        assert _wait_until_up(process, port, AUTH).status_code == 200
        for client in clients:  # kept-alive connections, open when the server dies
            assert client.get("/api/v1/models").status_code == 200
        process.send_signal(signal.SIGKILL)
        process.wait(10)
    finally:
        for client in clients:
            client.close()
        process.kill()
        process.wait(10)
    restarted = _start_cli(port, tmp_path / "d", "--user", f"{USER}:{PASSWORD}")
    try:
        assert _wait_until_up(restarted, port, AUTH).status_code == 200
    finally:
        restarted.terminate()
        restarted.wait(10)


# -- 2. a download racing a forced re-upload ----------------------------------------------------
def _download_is_whole(response: httpx.Response) -> bool:
    return (
        response.status_code == 200
        and len(response.content) == int(response.headers["content-length"])
        and hashlib.sha256(response.content).hexdigest() == response.headers[CHECKSUM_HEADER]
    )


@pytest.mark.e2e
def test_a_download_whose_object_is_replaced_before_it_opens_is_served_whole(tmp_path):
    """The record is read, then a forced re-upload removes the object it names, then the download opens it."""
    app = create_app(ServerConfig(tmp_path / "srv", {USER: PASSWORD}))
    store = app.state.mls.artifacts
    old = _archive({"model.joblib": b"o" * 50_000, "model.json": b"{}"})
    new = _archive({"model.joblib": b"n" * 70_000, "model.json": b"{}"})
    real_info, armed = store.info, []

    with serve(app) as url:
        version_url = f"{url}/api/v1/model_registry/artifacts/race_model/v1"

        def info_then_replaced(name, version):
            record = real_info(name, version)
            if armed and armed.pop():
                forced = httpx.put(version_url, params={"force": "true"}, auth=AUTH, content=new, timeout=30)
                assert forced.status_code == 200
            return record

        store.info = info_then_replaced
        assert httpx.put(version_url, auth=AUTH, content=old).status_code == 200
        armed.append(True)
        downloaded = httpx.get(version_url, auth=AUTH, timeout=30)
    assert not armed  # the re-upload happened inside the window
    assert _download_is_whole(downloaded) and downloaded.content == new


@pytest.mark.e2e
def test_downloads_racing_forced_re_uploads_are_never_torn(tmp_path):
    app = create_app(ServerConfig(tmp_path / "srv", {USER: PASSWORD}))
    archives = [_archive({"model.joblib": bytes([65 + i]) * 200_000, "model.json": b"{}"}) for i in range(3)]
    with serve(app) as url:
        version_url = f"{url}/api/v1/model_registry/artifacts/busy_model/v1"
        assert httpx.put(version_url, auth=AUTH, content=archives[0]).status_code == 200

        def write(worker: int) -> list[int]:
            with httpx.Client(auth=AUTH, timeout=30) as client:
                return [
                    client.put(version_url, params={"force": "true"}, content=archives[(worker + i) % 3]).status_code
                    for i in range(12)
                ]

        def read(_: int) -> list[bool]:
            with httpx.Client(auth=AUTH, timeout=30) as client:
                whole = []
                for _ in range(12):
                    try:
                        whole.append(_download_is_whole(client.get(version_url)))
                    except httpx.TransportError:
                        whole.append(False)
                return whole

        with ThreadPoolExecutor(max_workers=8) as pool:
            writes = [pool.submit(write, w) for w in range(2)]
            reads = [pool.submit(read, r) for r in range(6)]
            written = [status for future in writes for status in future.result(timeout=120)]
            downloads = [ok for future in reads for ok in future.result(timeout=120)]
    assert written == [200] * 24
    assert downloads == [True] * 72


@pytest.mark.e2e
def test_a_prediction_whose_version_is_replaced_while_it_loads_serves_the_new_one(tmp_path, monkeypatch):
    from mls_async._artifacts import pack_version_dir, write_version_dir
    from mls_async.models import MLModelClient
    from mls_async.server import models as model_service

    write_version_dir(Shout("race_model", "v1", ["x"]), tmp_path / "new")
    packed, _ = pack_version_dir(tmp_path / "new")
    new = packed.read_bytes()
    packed.unlink()
    app = create_app(ServerConfig(tmp_path / "srv", {USER: PASSWORD}))
    real_load, armed = model_service.load_version_dir, [True]
    with serve(app) as url:
        kwargs = {"env": "LOCAL", "username": USER, "password": PASSWORD, "base_url": url}
        with ModelRegistry(**kwargs, model_dir=tmp_path / "m") as registry, MLModelClient(**kwargs) as ml_model_client:
            deployment = registry.save_and_deploy(Echo("race_model", "v1", ["x"]), ml_model_client)

        def load_after_a_forced_upload(directory):
            if armed and armed.pop():  # the record is read; the version is replaced before its files are read
                forced = httpx.put(
                    f"{url}/api/v1/model_registry/artifacts/race_model/v1",
                    params={"force": "true"},
                    auth=AUTH,
                    content=new,
                    timeout=30,
                )
                assert forced.status_code == 200
            return real_load(directory)

        monkeypatch.setattr(model_service, "load_version_dir", load_after_a_forced_upload)
        answer = httpx.post(f"{url}/api/v1/models/{deployment.id}/predict", auth=AUTH, json={"x": [1]}, timeout=30)
    assert not armed
    assert answer.status_code == 200 and answer.json()["results"]["items"][0]["id"] == "shout"


# -- 3. malformed Basic credentials, on every path ---------------------------------------------
MALFORMED = [
    "Basic !!!not-base64!!!",
    "Basic",
    "Basic " + base64.b64encode(b"no-colon").decode(),
    "Basic " + base64.b64encode(b"\xff\xfe:x").decode(),
]


@pytest.mark.parametrize("header", MALFORMED)
async def test_malformed_basic_credentials_are_a_401_envelope_on_every_path(header, app, http, tmp_path):
    kwargs = {
        "env": "LOCAL",
        "username": USER,
        "password": PASSWORD,
        "base_url": "http://mls",
        "transport": httpx.ASGITransport(app=app),
    }
    async with (
        AsyncModelRegistry(**kwargs, model_dir=tmp_path / "m") as registry,
        AsyncMLModelClient(**kwargs) as ml_model_client,
    ):
        deployment = await registry.save_and_deploy(Echo("echo_model", "v1", ["x"]), ml_model_client)
        assert (await ml_model_client.predict(deployment, [1]))["items"][0]["props"] == {"x": [1]}
    assert app.state.mls.models.warm(deployment.id) is not None  # warm: its predictions take the shortcut
    requests = [
        ("GET", "/v1/c/profiles/p", {"params": {"id": "u1"}}),  # shortcut
        ("GET", "/v1/c/profiles/p/users/u1", {}),  # shortcut
        ("POST", f"/api/v1/models/{deployment.id}/predict", {"json": {"x": [1]}}),  # shortcut
        ("POST", "/v1/c/profiles/p/users/batch", {"json": {"ids": ["u1"]}}),
        ("GET", "/api/v1/models", {}),
    ]
    for method, path, kwargs in requests:
        response = await http.request(method, path, headers={"Authorization": header}, **kwargs)
        assert response.status_code == 401, (method, path, response.text)
        assert response.json()["error"].startswith("malformed HTTP Basic credentials")
        assert response.json()["code"] == 401 and response.json()["results"] is None
        assert response.headers["www-authenticate"].startswith("Basic")


# -- 4. what cannot be stored ------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["users", "items"])
@pytest.mark.parametrize("body", [b'{"\\ud800": {"a": 1}}', b'{"u1": {"\\udfff": 1}}', b'{"u1": {"a": "x\\ud800"}}'])
async def test_a_lone_surrogate_in_profile_data_is_a_400(http, kind, body):
    response = await http.put(f"/v1/c/profiles/p/{kind}", auth=AUTH, content=body, headers=JSON)
    assert response.status_code == 400 and response.json()["code"] == 400
    stored = await http.put(f"/v1/c/profiles/p/{kind}", auth=AUTH, json={"u1": {"a": 1}})
    assert stored.status_code == 200  # the refused write left the store as it was, and working
    assert (await http.get(f"/v1/c/profiles/p/{kind}/u1", auth=AUTH)).json()["results"] == {"a": 1}


async def test_lone_surrogates_elsewhere_are_4xx(http):
    batch = await http.post("/v1/c/profiles/p/users/batch", auth=AUTH, content=b'{"ids": ["\\ud800"]}', headers=JSON)
    assert batch.status_code in (200, 400)  # a key nothing can be stored under: found nowhere, or refused
    assert (await http.post("/api/v1/dynamodb/tables", auth=AUTH, json={"table_name": "t", "key": "id"})).is_success
    for body in (b'[{"id": "\\ud800"}]', b'[{"id": "a", "\\ud800": 1}]'):
        response = await http.put("/api/v1/dynamodb/tables/t/items", auth=AUTH, content=body, headers=JSON)
        assert 400 <= response.status_code < 500, response.text
    component = await http.post(
        "/api/v1/components", auth=AUTH, content=b'{"name": "c", "info": {"\\ud800": 1}}', headers=JSON
    )
    assert 400 <= component.status_code < 500


# -- 5. leftovers of a crash -------------------------------------------------------------------
def _raw_request(port: int, head: str) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port))
    sock.sendall(head.encode("latin-1"))
    return sock


@pytest.mark.e2e
def test_a_dataset_upload_cut_short_by_kill_9_leaves_nothing_after_a_restart(tmp_path):
    port, data_dir = _free_port(), tmp_path / "d"
    process = _start_cli(port, data_dir, "--user", f"{USER}:{PASSWORD}")
    token = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    try:
        assert _wait_until_up(process, port, AUTH).status_code == 200
        sock = _raw_request(
            port,
            f"POST /api/v1/datasets/upload?name=big&label=label HTTP/1.1\r\n"
            f"Host: x\r\nAuthorization: Basic {token}\r\nContent-Length: 100000000\r\n\r\n",
        )
        sock.sendall(b"a,label\n" + b"1,0\n" * 100_000)
        deadline = time.monotonic() + 20
        while not [p for p in (data_dir / "datasets").glob(".upload-*") if p.stat().st_size > 0]:
            assert time.monotonic() < deadline, "the upload never reached the disk"
            time.sleep(0.05)
        process.send_signal(signal.SIGKILL)
        process.wait(10)
        sock.close()
    finally:
        process.kill()
        process.wait(10)
    assert list((data_dir / "datasets").glob(".upload-*"))  # what the crash left
    create_app(ServerConfig(data_dir, {USER: PASSWORD}))
    assert list((data_dir / "datasets").glob(".upload-*")) == []


def _dead_pid() -> int:
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    return int(finished.stdout)


def test_every_kind_of_leftover_is_recovered_at_start(tmp_path):
    from starlette.testclient import TestClient

    config = ServerConfig(tmp_path / "srv", {USER: PASSWORD})
    app = create_app(config)
    with TestClient(app) as client:
        client.post(
            "/api/v1/datasets/upload",
            auth=AUTH,
            params={"name": "ds", "label": "label"},
            content=b"a,label\n1,0\n2,1\n",
        )
    training = app.state.mls.storage.insert(
        "model",
        {"model_type": "automl", "name": "m", "version": "v1", "status": "TRAINING", "dataset_id": 1},
        subkind="automl",
        name="m",
        version="v1",
    )
    app.state.mls.storage.close()
    root, pid = config.data_dir, _dead_pid()
    files = [
        root / "datasets" / ".upload-x1",
        root / "datasets" / ".create-x2",
        root / "registry" / ".tmp" / "upload-x3.tar",
        root / f".generation-{pid}-1",
        root / f".token-secret-{pid}-1",
        root / f".generated-password-{pid}-1",
    ]
    directories = [
        root / "registry" / ".tmp" / "staging-x4",
        root / "exports" / ".prediction-7-x5",
        root / "automl" / ".training" / f"{training['id']}-x6",
        root / "automl" / ".model-x7",
    ]
    for directory in directories:
        (directory / "version").mkdir(parents=True)
        (directory / "version" / "model.joblib").write_bytes(b"x" * 100)
    for file in files:
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_bytes(b"x" * 100)
    leftovers = files + directories
    (root / "token-secret").write_text("")  # a secret whose write a crash cut short
    restarted = create_app(config).state.mls
    assert [path for path in leftovers if path.exists()] == []
    for scratch in (root / "registry" / ".tmp", root / "exports", root / "automl" / ".training"):
        assert list(scratch.iterdir()) == []
    assert (root / "datasets" / "1.csv").is_file()  # what was complete stays
    assert len((root / "token-secret").read_text().strip()) == 64
    model = restarted.storage.get("model", training["id"])
    assert model["status"] == "FAILED" and "stopped" in model["automl_model_info"]["error"]


def test_scratch_a_live_process_holds_is_left_alone(tmp_path):
    """Another server process (``--workers``) sharing the data dir keeps its uploads in flight through a start."""
    from mls_async.server.scratch import sweep

    script = (
        "import sys, time; from pathlib import Path; from mls_async.server.scratch import scratch_file\n"
        "with scratch_file(Path(sys.argv[1]), '.upload-') as (file, path):\n"
        "    print(path, flush=True); time.sleep(60)\n"
    )
    holder = subprocess.Popen([sys.executable, "-c", script, str(tmp_path)], stdout=subprocess.PIPE, text=True)
    try:
        held = tmp_path / os.path.basename(holder.stdout.readline().strip())
        (tmp_path / ".upload-dead").write_bytes(b"x")
        assert sweep(tmp_path, (".upload-",)) == [tmp_path / ".upload-dead"]
        assert held.exists()
        holder.kill()
        holder.wait(10)
        assert sweep(tmp_path, (".upload-",)) == [held]  # the holder died: its lock went with it
    finally:
        holder.kill()
        holder.wait(10)


def test_a_generated_password_cut_short_is_made_again(tmp_path):
    from mls_async.server.cli import GENERATED_PASSWORD_FILE, _generated_password

    (tmp_path / GENERATED_PASSWORD_FILE).write_text("")
    password, created = _generated_password(tmp_path, lambda: "fresh-password")
    assert (password, created) == ("fresh-password", True)
    assert _generated_password(tmp_path, lambda: "other") == ("fresh-password", False)
    assert oct((tmp_path / GENERATED_PASSWORD_FILE).stat().st_mode & 0o777) == "0o600"


# -- 7. the order of checks, and 405 -----------------------------------------------------------
async def test_credentials_are_checked_before_the_body_is_parsed(tmp_path):
    app = create_app(
        ServerConfig(tmp_path / "srv", {USER: PASSWORD, "boss": "boss-pass"}, apikeys={"c": "key"}, admins={"boss"})
    )
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://mls") as http:
        for path, good in (
            ("/api/v1/datasets", {"auth": AUTH}),
            ("/api/v1/models", {"auth": AUTH}),
            ("/v1/c/profiles/p/users/batch", {"headers": {**JSON, "apikey": "key"}}),
        ):
            anonymous = await http.post(path, content=b"{not json", headers=JSON)
            assert anonymous.status_code == 401 and anonymous.json()["code"] == 401, path
            wrong = await http.post(path, content=b"{not json", headers=JSON, auth=(USER, "wrong"))
            assert wrong.status_code == 401, path
            allowed = await http.post(path, content=b"{not json", **{"headers": JSON, **good})
            assert allowed.status_code == 400 and "JSON" in allowed.json()["error"], path
        handler = "/api/v1/models/1/automl_online_prediction"  # admin accounts only
        assert (await http.post(handler, content=b"{not json", headers=JSON, auth=AUTH)).status_code == 403
        assert (
            await http.post(handler, content=b"{not json", headers=JSON, auth=("boss", "boss-pass"))
        ).status_code == 400
        # the graph API takes requests without credentials, as the platform's: its body is the first thing to fail
        assert (await http.post("/v1/vertices", content=b"{not json", headers=JSON)).status_code == 400
        assert (
            await http.post("/v1/vertices", content=b"{not json", headers=JSON, auth=(USER, "wrong"))
        ).status_code == 401


def _concrete(template: str) -> str:
    return re.sub(r"\{[^}]+\}", "1", template.replace("{kind}", "users"))


async def test_a_405_names_every_method_of_the_path_and_only_those(app, http):
    """For every documented path: a method is refused with 405 exactly when the path's Allow leaves it out."""
    assert (await http.get("/api/v1/datasets/upload", auth=AUTH)).headers.get("allow") == "POST"
    checked = 0
    for template, item in app.openapi()["paths"].items():
        path = _concrete(template)
        answered, allows = set(), set()
        for method in ("GET", "POST", "PUT", "DELETE", "PATCH"):
            response = await http.request(method, path)  # no credentials: only the open graph API acts
            if response.status_code == 405:
                assert response.json()["code"] == 405
                allows.add(response.headers["allow"])
                checked += 1
            else:
                answered.add(method)
        assert {method.upper() for method in item} <= answered, path
        assert len(allows) <= 1, (path, allows)
        if allows:
            assert set(allows.pop().split(", ")) - {"HEAD"} == answered, path
    assert checked > 60


# -- 6. concurrent loads of one version on the client ------------------------------------------
async def test_concurrent_loads_of_one_version_take_turns_and_all_succeed(client_kwargs, async_transport, tmp_path):
    async with AsyncModelRegistry(**client_kwargs, transport=async_transport, model_dir=tmp_path / "m") as registry:
        await registry.save(Echo("shared_model", "v1", ["x"]))
        for _ in range(8):
            models = await asyncio.gather(*(registry.load("shared_model", "v1") for _ in range(5)))
            assert [type(m).__name__ for m in models] == ["Echo"] * 5
    assert sorted(p.name for p in (tmp_path / "m").iterdir()) == ["shared_model"]  # no staging left
    assert sorted(p.name for p in (tmp_path / "m" / "shared_model").iterdir()) == [".v1.lock", "v1"]


@pytest.mark.e2e
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="an atomic directory swap needs Linux")
def test_loads_from_threads_take_turns_and_the_local_copy_never_disappears(live_server, tmp_path):
    kwargs = {"env": "LOCAL", "username": USER, "password": PASSWORD, "base_url": live_server}
    target = tmp_path / "m" / "shared_model" / "v1" / "model.joblib"
    with ModelRegistry(**kwargs, model_dir=tmp_path / "m") as registry:
        registry.save(Echo("shared_model", "v1", ["x"]))
        stop, missing = threading.Event(), []

        def watch() -> None:  # a reader that takes no lock: the version is always there, whole
            while not stop.is_set():
                if not target.is_file():
                    missing.append(1)

        watcher = threading.Thread(target=watch)
        watcher.start()
        try:
            with ThreadPoolExecutor(max_workers=5) as pool:
                for _ in range(6):
                    loaded = list(pool.map(lambda _: registry.load("shared_model", "v1"), range(5), timeout=60))
                    assert [type(m).__name__ for m in loaded] == ["Echo"] * 5
        finally:
            stop.set()
            watcher.join(10)
    assert missing == []
