"""The local server at the HTTP level: auth, bad input, uploads, persistence, loopback end to end."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tarfile
import time

import httpx
import pytest
import pytest_asyncio

from mls_async import MLSUnauthorizedError, ModelRegistry
from mls_async._protocol import SETTINGS_PATH
from mls_async.components import ComponentClient
from mls_async.models import MLModelClient, MLSLightGBMModel
from mls_async.server import ServerConfig, create_app
from tests import trained
from tests.conftest import PASSWORD, USER, _free_port

AUTH = (USER, PASSWORD)


@pytest_asyncio.fixture
async def http(app):
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://mls") as client:
        yield client


async def test_health_is_open_everything_else_needs_basic_auth(http):
    assert (await http.get("/health")).json() == {"code": 0, "error": None, "results": {"status": "ok"}}
    assert (await http.get("/ready")).status_code == 200
    denied = await http.get("/api/v1/models")
    assert denied.status_code == 401 and denied.json()["error"].startswith("authentication required")
    assert denied.headers["www-authenticate"].startswith("Basic")
    wrong = await http.get("/api/v1/models", auth=(USER, "wrong"))
    assert wrong.status_code == 401 and wrong.json()["error"].startswith(f"wrong username or password for {USER!r}")
    allowed = await http.get("/api/v1/models", auth=AUTH)
    assert allowed.status_code == 200 and allowed.json()["results"] == []
    assert allowed.headers["x-request-id"]


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status", "message"),
    [
        (
            "POST",
            "/api/v1/models",
            {"content": b"{not json", "headers": {"content-type": "application/json"}},
            400,
            "invalid request",
        ),
        ("POST", "/api/v1/models", {"json": {"model_type": "manual", "name": 5, "version": "v1"}}, 400, "name"),
        (
            "POST",
            "/api/v1/models",
            {"json": {"model_type": "manual", "name": "../etc", "version": "v1"}},
            400,
            "pattern",
        ),
        ("GET", "/api/v1/models/99", {}, 404, "no model with id 99"),
        ("GET", "/api/v1/models/abc", {}, 400, "invalid request"),
        ("PUT", "/api/v1/model_registry/artifacts/%2E%2E/v1", {"content": b"x"}, 400, "not allowed"),
        ("PUT", "/api/v1/model_registry/artifacts/..%2F..%2Fevil/v1", {"content": b"x"}, 404, "Not Found"),
        ("GET", "/api/v1/model_registry/artifacts/ok_model/.hidden", {}, 400, "not allowed"),
        (
            "PUT",
            "/api/v1/model_registry/artifacts/good_model/v1",
            {"content": b"not a tar"},
            400,
            "not a model version archive",
        ),
        ("GET", "/api/v1/dynamodb/tables/nope/is_loading", {}, 404, "no table named"),
        (
            "POST",
            "/api/v1/models",
            {"json": {"model_type": "automl", "name": "a", "version": "v1", "dataset_id": 7}},
            404,
            "no dataset with id 7",
        ),
    ],
)
async def test_bad_input_is_a_4xx_envelope(http, method, path, kwargs, status, message):
    response = await http.request(method, path, auth=AUTH, **kwargs)
    assert response.status_code == status
    body = response.json()
    assert body["code"] == status and message in body["error"] and body["results"] is None


async def test_oversize_json_is_refused(tmp_path):
    app = create_app(ServerConfig(tmp_path / "small", {USER: PASSWORD}, max_json_bytes=100))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://mls") as http:
        response = await http.post(
            "/api/v1/models", auth=AUTH, json={"model_type": "manual", "name": "x" * 200, "version": "v1"}
        )
    assert response.status_code == 413 and "limited to 100 bytes" in response.json()["error"]


def _archive(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


async def test_archives_cannot_escape_and_checksums_are_checked(http, server_config):
    evil = _archive({"../../escaped.txt": b"x", "model.joblib": b"j", "model.json": b"{}"})
    response = await http.put("/api/v1/model_registry/artifacts/evil_model/v1", auth=AUTH, content=evil)
    assert response.status_code == 400
    assert not (server_config.data_dir.parent / "escaped.txt").exists()
    good = _archive({"model.joblib": b"j", "model.json": b"{}"})
    mismatch = await http.put(
        "/api/v1/model_registry/artifacts/good_model/v1",
        auth=AUTH,
        content=good,
        headers={"X-Content-SHA256": "0" * 64},
    )
    assert mismatch.status_code == 400 and "checksum mismatch" in mismatch.json()["error"]
    assert (
        await http.get(
            "/api/v1/model_registry/artifacts/info",
            auth=AUTH,
            params={"model_name": "good_model", "model_version": "v1"},
        )
    ).json()["results"] == {"info": None}


async def test_a_client_killed_mid_upload_leaves_no_version(app, server_config):
    async def dying_body():
        yield _archive({"model.joblib": b"j" * 1000, "model.json": b"{}"})[:700]
        raise ConnectionResetError("client went away")

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://mls") as http:
        try:
            answer = await http.put("/api/v1/model_registry/artifacts/half_model/v1", auth=AUTH, content=dying_body())
        except ConnectionResetError:
            pass  # the app let the failed read through
        else:
            assert answer.status_code >= 400  # or answered it: either way no version may exist
        info = await http.get(
            "/api/v1/model_registry/artifacts/info",
            auth=AUTH,
            params={"model_name": "half_model", "model_version": "v1"},
        )
    assert info.json()["results"]["info"] is None
    registry_root = server_config.data_dir / "registry"
    assert not (registry_root / "half_model").exists()
    assert list((registry_root / ".tmp").iterdir()) == []


async def test_idempotency_key_makes_a_repeated_create_apply_once(http):
    body = {"model_type": "manual", "name": "once_model", "version": "v1"}
    first = await http.post("/api/v1/models", auth=AUTH, json=body, headers={"Idempotency-Key": "k1"})
    again = await http.post("/api/v1/models", auth=AUTH, json=body, headers={"Idempotency-Key": "k1"})
    assert first.json() == again.json() and first.status_code == again.status_code == 200
    listed = await http.get("/api/v1/models", auth=AUTH, params={"name": "once_model"})
    assert len(listed.json()["results"]) == 1


def test_end_to_end_over_loopback_with_the_sync_clients(live_server, tmp_path):
    kwargs = {"env": "LOCAL", "username": USER, "password": PASSWORD, "base_url": live_server}
    with (
        MLModelClient(**kwargs) as ml_model_client,
        ComponentClient(**kwargs) as component_client,
        ModelRegistry(**kwargs, model_dir=tmp_path / "m") as registry,
    ):
        component_client.create_component(name="e2e_component", info={"x": 1})
        component = component_client.get_component(name="e2e_component")
        model = MLSLightGBMModel(trained.lightgbm_model(), "e2e_test_model", "v1", trained.FEATURES)
        deployment = registry.save_and_deploy(model, ml_model_client)
        deployment = ml_model_client.update_manual_model_components(manual_model=deployment, components=[component])
        assert ml_model_client.is_online_prediction_ready(manual_model=deployment)
        row = trained.data()[0][0].tolist()
        online = ml_model_client.predict(deployment, row)
        assert online == model.predict(row)
        assert registry.load("e2e_test_model", "v1").predict(row) == online
    with pytest.raises(MLSUnauthorizedError):
        with MLModelClient(env="LOCAL", username=USER, password="bad", base_url=live_server) as client:
            client.list_manual_models()


def test_data_persists_across_restarts(server_config):
    from starlette.testclient import TestClient

    with TestClient(create_app(server_config)) as client:
        created = client.post("/api/v1/components", auth=AUTH, json={"name": "kept", "info": 1, "is_latest": True})
        assert created.status_code == 200
    with TestClient(create_app(server_config)) as client:
        assert [c["name"] for c in client.get("/api/v1/components", auth=AUTH).json()["results"]] == ["kept"]


def _start_cli(port: int, data_dir, *extra: str) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MLS_")}
    return subprocess.Popen(
        [sys.executable, "-m", "mls_async", "server", "--port", str(port), "--data-dir", str(data_dir), *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )


def _wait_until_up(process: subprocess.Popen, port: int, auth: tuple[str, str]) -> httpx.Response:
    deadline = time.monotonic() + 30
    while True:
        try:
            return httpx.get(f"http://127.0.0.1:{port}/api/v1/models", auth=auth)
        except httpx.ConnectError:
            assert time.monotonic() < deadline and process.poll() is None
            time.sleep(0.1)


def test_cli_starts_on_loopback_with_a_generated_account_kept_across_restarts(tmp_path):
    port = _free_port()
    process = _start_cli(port, tmp_path / "d")
    try:
        first_line = process.stdout.readline()
        assert first_line.startswith("created account mls with password ")
        password = first_line.split()[5]
        assert _wait_until_up(process, port, ("mls", password)).status_code == 200
        clash = subprocess.run(
            [sys.executable, "-m", "mls_async", "server", "--port", str(port), "--data-dir", str(tmp_path / "other")],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert clash.returncode == 1 and f"127.0.0.1:{port} is in use" in clash.stderr
        assert "startup complete" not in clash.stdout + clash.stderr
    finally:
        process.terminate()
        process.wait(10)
    process = _start_cli(port, tmp_path / "d")
    try:
        assert process.stdout.readline().startswith(f"using account mls with password {password} ")
        assert _wait_until_up(process, port, ("mls", password)).status_code == 200
    finally:
        process.terminate()
        process.wait(10)


def test_cli_reads_accounts_from_a_file_and_tells_its_version(tmp_path):
    from mls_async.server.cli import _users_file

    users = tmp_path / "users"
    users.write_text("# accounts\nalice:a-secret\n\nbob:b:with:colons\n")
    assert _users_file(users) == {"alice": "a-secret", "bob": "b:with:colons"}
    users.write_text("carol\n")
    with pytest.raises(ValueError, match="line 1 is not NAME:PASSWORD"):
        _users_file(users)
    shown = subprocess.run([sys.executable, "-m", "mls_async", "--version"], capture_output=True, text=True)
    assert shown.returncode == 0 and shown.stdout.startswith("mls-async ")


@pytest.fixture
def hypothesis_home(tmp_path):
    """Hypothesis keeps what it learns (constants, examples) under a temporary directory, not the working tree."""
    configuration = pytest.importorskip("hypothesis.configuration")
    previous = configuration.storage_directory(intent_to_write=False).path
    configuration.set_hypothesis_home_dir(tmp_path / "hypothesis")
    yield
    configuration.set_hypothesis_home_dir(previous)


def test_the_openapi_document_matches_what_the_server_answers(app, hypothesis_home):
    """Bounded schemathesis over every operation: no 5xx, documented status codes, content types, schemas.

    Server settings are left out: one request changes the server for every later one (an
    injected feature latency of up to 10 s would make the run's time, and its timeouts,
    depend on the seed); their own tests cover them.
    """
    schemathesis = pytest.importorskip("schemathesis")
    from hypothesis import HealthCheck, given, settings
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

    checks = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    operations = [op for op in operations if not op.path.startswith(SETTINGS_PATH)]
    assert len(operations) > 30

    for operation in operations:

        @settings(max_examples=5, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def run(case):
            try:
                case.call_and_validate(headers={"Authorization": httpx.BasicAuth(*AUTH)._auth_header}, checks=checks)
            except Exception as exc:  # noqa: BLE001 - every failure is collected and shown at once
                failures.append(f"{case.method} {case.formatted_path}: {str(exc)[:300]}")

        run()
    assert failures == []
    assert app.state.mls.config.feature_latency == 0  # nothing slowed the run down


async def test_sync_facades_work_inside_a_running_event_loop(live_server):
    """Jupyter runs cells inside an event loop: the sync clients and save() must not care."""
    kwargs = {"env": "LOCAL", "username": USER, "password": PASSWORD, "base_url": live_server}
    with MLModelClient(**kwargs) as ml_model_client:
        ml_model_client.create_manual_model(name="notebook_model", version="v1")
        assert ml_model_client.get_manual_model(name="notebook_model", version="v1").name == "notebook_model"
    model = MLSLightGBMModel(trained.lightgbm_model(), "notebook_model", "v1", trained.FEATURES)
    meta = model.save(**kwargs)
    assert meta["class"] == "MLSLightGBMModel"
    with MLModelClient(**kwargs) as ml_model_client:
        deployment = ml_model_client.get_manual_model(name="notebook_model", version="v1")
        assert ml_model_client.is_online_prediction_ready(manual_model=deployment)
        row = trained.data()[0][1].tolist()
        assert ml_model_client.predict(deployment, row) == model.predict(row)


async def test_every_answer_announces_the_extensions_the_server_supports(http):
    for response in (
        await http.get("/health"),
        await http.get("/api/v1/models"),
        await http.get("/api/v1/models", auth=AUTH),
        await http.get("/nowhere", auth=AUTH),
    ):
        assert response.headers["mls-capabilities"] == ("idempotency-key, profile-batch, model-meta-merge, table-loads")


async def test_original_boolean_spelling_is_understood(http):
    for is_latest in (True, False):
        await http.post(
            "/api/v1/components", auth=AUTH, json={"name": f"b{is_latest}", "info": 1, "is_latest": is_latest}
        )
    assert [c["name"] for c in (await http.get("/api/v1/components?is_latest=True", auth=AUTH)).json()["results"]] == [
        "bTrue"
    ]
    assert [c["name"] for c in (await http.get("/api/v1/components?is_latest=False", auth=AUTH)).json()["results"]] == [
        "bFalse"
    ]


@pytest.mark.e2e
def test_one_sync_client_shared_by_64_threads(live_server):
    from concurrent.futures import ThreadPoolExecutor

    with MLModelClient(
        env="LOCAL",
        username=USER,
        password=PASSWORD,
        base_url=live_server,
        limits=httpx.Limits(max_connections=16, max_keepalive_connections=8),
    ) as client:
        model = client.create_manual_model("threaded_model", "v1")

        def work(_: int) -> list[int | None]:
            return [client.get_manual_model(id=model.id).id for _ in range(8)]

        with ThreadPoolExecutor(max_workers=64) as pool:
            ids = [i for batch in pool.map(work, range(64), timeout=60) for i in batch]
    assert ids == [model.id] * 512


async def test_a_registry_archive_is_capped_by_what_it_unpacks_to(tmp_path):
    import gzip

    app = create_app(ServerConfig(tmp_path / "capped", {USER: PASSWORD}, max_unpacked_bytes=1 << 20))
    bomb = gzip.compress(_archive({"model.json": b"{}", "model.joblib": b"\0" * (8 << 20)}))
    assert len(bomb) < 64 << 10
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://mls") as http:
        response = await http.put("/api/v1/model_registry/artifacts/bomb_model/v1", auth=AUTH, content=bomb)
    assert response.status_code == 400 and "unpacks to more than 1048576 bytes" in response.json()["error"]
    assert not (tmp_path / "capped" / "registry" / "bomb_model").exists()


async def test_a_server_error_does_not_reveal_the_data_dir(tmp_path, monkeypatch):
    app = create_app(ServerConfig(tmp_path / "secret-place", {USER: PASSWORD}))

    def broken(*args, **kwargs):
        raise OSError(f"disk trouble at {tmp_path / 'secret-place' / 'mls.sqlite3'}")

    monkeypatch.setattr(app.state.mls.storage, "query", broken)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, raise_app_exceptions=False), base_url="http://mls"
    ) as http:
        response = await http.get("/api/v1/components", auth=AUTH)
    assert response.status_code == 500 and "secret-place" not in response.text
    assert "server log" in response.json()["error"]


async def test_every_body_is_capped_whatever_its_type_or_framing(tmp_path):
    app = create_app(ServerConfig(tmp_path / "small", {USER: PASSWORD}, max_json_bytes=1000))
    big = b'{"model_type": "manual", "name": "' + b"x" * 5000 + b'", "version": "v1"}'

    async def chunked():
        for start in range(0, len(big), 100):
            yield big[start : start + 100]

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://mls") as http:
        for content_type in ("Application/JSON", "application/vnd.api+json", "text/plain"):
            response = await http.post("/api/v1/models", auth=AUTH, content=big, headers={"Content-Type": content_type})
            assert response.status_code == 413, content_type
        response = await http.post(
            "/api/v1/models", auth=AUTH, content=chunked(), headers={"Content-Type": "application/json"}
        )
        assert response.status_code == 413 and "limited to 1000 bytes" in response.json()["error"]


@pytest.mark.e2e
def test_a_500_leaves_the_connection_usable(tmp_path):
    from tests.parity.recording import serve

    app = create_app(ServerConfig(tmp_path / "srv", {USER: PASSWORD}))
    storage = app.state.mls.storage
    real_query, calls = storage.query, []

    def query_failing_once(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("one bad moment")
        return real_query(*args, **kwargs)

    storage.query = query_failing_once
    with serve(app) as url, httpx.Client(base_url=url, auth=AUTH, limits=httpx.Limits(max_connections=1)) as http:
        assert http.get("/api/v1/components").status_code == 500
        # the same kept-alive connection serves every request after it, POSTs included
        answers = [http.post("/api/v1/components", json={"name": f"c{i}", "info": i}).status_code for i in range(10)]
    assert answers == [200] * 10


async def test_what_storage_would_lose_or_could_not_answer_is_refused_up_front(http):
    deep: dict = {}
    node = deep
    for _ in range(100):
        node["n"] = {}
        node = node["n"]
    body = {"model_type": "manual", "name": "deep_model", "version": "v1", "model_meta": deep}
    response = await http.post("/api/v1/models", auth=AUTH, json=body)
    assert response.status_code == 400 and "nested deeper than 64 levels" in response.json()["error"]
    assert (await http.get("/api/v1/models", auth=AUTH)).status_code == 200  # listing still works
    nan = b'{"model_type": "manual", "name": "nan_model", "version": "v1", "model_meta": {"x": NaN}}'
    response = await http.post("/api/v1/models", auth=AUTH, content=nan, headers={"Content-Type": "application/json"})
    assert response.status_code == 400 and "not a JSON number" in response.json()["error"]
    await http.post("/api/v1/dynamodb/tables", auth=AUTH, json={"table_name": "big_ints", "key": "id"})
    response = await http.put(
        "/api/v1/dynamodb/tables/big_ints/items", auth=AUTH, json=[{"id": "a", "v": 1}, {"id": "b", "v": 2**70}]
    )
    assert response.status_code == 400 and "row 1 cannot be stored" in response.json()["error"]
    assert (await http.get("/api/v1/dynamodb/tables/big_ints/is_active", auth=AUTH)).json()["results"] == {
        "is_active": True
    }
    lone = await http.get("/v1/any/profiles/p/users/%ED%A0%80", auth=AUTH)
    assert lone.status_code == 404


def test_leftovers_of_a_crash_are_recovered_at_start(tmp_path):
    config = ServerConfig(tmp_path / "srv", {USER: PASSWORD})
    state = create_app(config).state.mls
    doc = state.tables.create("cut_short", "id")
    state.storage.update("table", doc["id"], lambda current: {**current, "status": "LOADING"})
    leftover = config.data_dir / "registry" / ".tmp" / "upload-123.tar"
    leftover.write_bytes(b"x" * 1000)
    state.storage.close()
    restarted = create_app(config).state.mls
    assert restarted.tables.describe("cut_short")["status"] == "FAILED"
    assert not restarted.tables.is_loading("cut_short")
    assert list((config.data_dir / "registry" / ".tmp").iterdir()) == []


def test_overlapping_loads_report_ready_only_when_all_rows_are_written(tmp_path, monkeypatch):
    import threading

    state = create_app(ServerConfig(tmp_path / "srv", {USER: PASSWORD})).state.mls
    state.tables.create("both", "id")
    gate = threading.Event()
    real_put = state.storage.put_items

    def slow_put(table, items):
        if items and items[0][0] == "slow":
            gate.wait(10)
        real_put(table, items)

    monkeypatch.setattr(state.storage, "put_items", slow_put)
    state.tables.load("both", [{"id": "slow"}])
    state.tables.load("both", [{"id": "fast"}])
    for _ in range(200):
        if state.storage.get_item("both", "fast") is not None:
            break
        time.sleep(0.01)
    assert state.tables.is_loading("both")  # the second load is done, the first is not
    gate.set()
    for _ in range(500):
        if not state.tables.is_loading("both"):
            break
        time.sleep(0.01)
    assert state.tables.is_active("both") and state.tables.describe("both")["item_count"] == 2


@pytest.mark.e2e
def test_one_idempotency_key_applies_once_under_concurrency_and_only_on_its_endpoint(tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    from tests.parity.recording import serve

    app = create_app(ServerConfig(tmp_path / "srv", {USER: PASSWORD}))
    with serve(app) as url:

        def post(_: int) -> tuple[int, dict]:
            response = httpx.post(
                f"{url}/api/v1/components",
                auth=AUTH,
                json={"name": "once", "info": 1},
                headers={"Idempotency-Key": "same-key"},
            )
            return response.status_code, response.json()

        for _ in range(3):
            with ThreadPoolExecutor(max_workers=12) as pool:
                answers = list(pool.map(post, range(12)))
            assert {status for status, _ in answers} == {200}
            assert len({body["results"]["id"] for _, body in answers}) == 1
        listed = httpx.get(f"{url}/api/v1/components", auth=AUTH, params={"name": "once"}).json()["results"]
        assert len(listed) == 1
        model = httpx.post(
            f"{url}/api/v1/models",
            auth=AUTH,
            headers={"Idempotency-Key": "same-key"},
            json={"model_type": "manual", "name": "keyed_model", "version": "v1"},
        )
        assert model.status_code == 200  # a new model, not the component's remembered answer
        stored = httpx.get(f"{url}/api/v1/models/{model.json()['results']['id']}", auth=AUTH).json()["results"]
        assert stored["name"] == "keyed_model"


def _registered(app, name: str, version: str) -> tuple[dict, bytes]:
    from starlette.testclient import TestClient

    with TestClient(app) as client:
        info = client.get(
            "/api/v1/model_registry/artifacts/info", auth=AUTH, params={"model_name": name, "model_version": version}
        ).json()["results"]["info"]
        archive = client.get(f"/api/v1/model_registry/artifacts/{name}/{version}", auth=AUTH).content
    return info, archive


def test_versions_whose_names_look_like_archive_files_do_not_collide(tmp_path):
    from starlette.testclient import TestClient

    app = create_app(ServerConfig(tmp_path / "srv", {USER: PASSWORD}))
    first = _archive({"model.joblib": b"one", "model.json": b"{}"})
    second = _archive({"model.joblib": b"two" * 100, "model.json": b"{}"})
    with TestClient(app) as client:
        for version, archive in (("v1", first), ("v1.tar", second)):
            assert (
                client.put(
                    f"/api/v1/model_registry/artifacts/c_model/{version}", auth=AUTH, content=archive
                ).status_code
                == 200
            )
    assert _registered(app, "c_model", "v1")[1] == first
    assert _registered(app, "c_model", "v1.tar")[1] == second


def test_a_crash_inside_a_forced_commit_leaves_the_version_consistent(tmp_path):
    data_dir = tmp_path / "srv"
    old = _archive({"model.joblib": b"old", "model.json": b"{}"})
    new = _archive({"model.joblib": b"new" * 10, "model.json": b"{}"})
    script = f"""
import os, sys
from starlette.testclient import TestClient
from mls_async.server import ServerConfig, create_app
app = create_app(ServerConfig({str(data_dir)!r}, {{"{USER}": "{PASSWORD}"}}))
with TestClient(app) as client:
    assert client.put("/api/v1/model_registry/artifacts/k_model/v1", auth=("{USER}", "{PASSWORD}"),
                      content={old!r}).status_code == 200
    app.state.mls.storage.update = lambda *a, **k: os._exit(9)  # killed at the commit point
    client.put("/api/v1/model_registry/artifacts/k_model/v1", params={{"force": "true"}},
               auth=("{USER}", "{PASSWORD}"), content={new!r})
"""
    killed = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert killed.returncode == 9, killed.stderr
    app = create_app(ServerConfig(data_dir, {USER: PASSWORD}))
    info, archive = _registered(app, "k_model", "v1")
    assert archive == old and info["size"] == len(old)  # record, archive and files agree: the old version
    version_dir = app.state.mls.artifacts.version_dir(info["sha256"])
    assert (version_dir / "model.joblib").read_bytes() == b"old"
    objects = list((data_dir / "registry" / ".objects").iterdir())
    assert [o.name for o in objects] == [info["sha256"]]  # the half-committed object was dropped at start


async def test_failed_logins_pause_that_address_for_that_account_only(tmp_path):
    app = create_app(ServerConfig(tmp_path / "srv", {USER: PASSWORD, "other": "other-pass"}, login_attempts=3))
    async with (
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app, client=("10.0.0.9", 1)), base_url="http://mls"
        ) as attacker,
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app, client=("10.0.0.1", 1)), base_url="http://mls"
        ) as owner,
    ):
        statuses = [(await attacker.get("/api/v1/models", auth=(USER, f"guess{i}"))).status_code for i in range(5)]
        assert statuses == [401, 401, 401, 429, 429]
        paused = await attacker.get("/api/v1/models", auth=AUTH)  # even the right password waits
        assert paused.status_code == 429 and int(paused.headers["retry-after"]) >= 1
        assert (await owner.get("/api/v1/models", auth=AUTH)).status_code == 200  # no lock-out elsewhere
        assert (await attacker.get("/api/v1/models", auth=("other", "other-pass"))).status_code == 200


async def test_settings_and_handlers_need_an_admin(tmp_path):
    app = create_app(ServerConfig(tmp_path / "srv", {USER: PASSWORD, "boss": "boss-pass"}, admins={"boss"}))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://mls") as http:
        refused = await http.put("/api/v1/settings/feature_latency", auth=AUTH, params={"seconds": 10})
        assert refused.status_code == 403 and "needs an admin account" in refused.json()["error"]
        handler = await http.post(
            "/api/v1/models/1/automl_online_prediction", auth=AUTH, json={"handler": "import os\nos.system('true')\n"}
        )
        assert handler.status_code == 403
        allowed = await http.put("/api/v1/settings/feature_latency", auth=("boss", "boss-pass"), params={"seconds": 0})
        assert allowed.status_code == 200
    with pytest.raises(ValueError, match=r"admins \['ghost'\] are not accounts"):
        ServerConfig(tmp_path / "x", {USER: PASSWORD}, admins={"ghost"})


async def test_a_dataset_upload_streams_to_disk_instead_of_memory(app):
    import tracemalloc

    from mls_async._schemas import UploadDatasetRequest

    rows = 1_000_000
    csv = ("a,b,label\n" + "".join(f"{i},{i * 0.5},{i % 2}\n" for i in range(rows))).encode()

    async def body():
        for start in range(0, len(csv), 1 << 16):
            yield csv[start : start + (1 << 16)]

    async def small():
        yield b"a,label\n1,0\n"

    store = app.state.mls.datasets
    await store.upload(UploadDatasetRequest(name="warm_ds", label="label"), small(), USER)  # imports pandas once
    query = UploadDatasetRequest(name="big_ds", label="label")
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        baseline = tracemalloc.get_traced_memory()[0]
        doc = await store.upload(query, body(), USER)
        peak = tracemalloc.get_traced_memory()[1] - baseline
    finally:
        tracemalloc.stop()
    assert doc["num_rows"] == rows and doc["columns"] == ["a", "b", "label"]
    assert peak < len(csv) / 4  # never the whole body, nor a frame of it, in memory at once


def test_profile_reads_of_more_ids_than_one_sqlite_query_holds(tmp_path):
    storage = create_app(ServerConfig(tmp_path / "srv", {USER: PASSWORD})).state.mls.storage
    storage.merge_profiles("users", "7", {f"u{i}": {"a": i} for i in range(40_000)})
    found = storage.get_profiles("users", "7", [f"u{i}" for i in range(40_000)])
    assert len(found) == 40_000 and found["u39999"] == {"a": 39999}
