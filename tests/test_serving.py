"""Online serving: a warm model reads no records per prediction; several worker processes stay consistent."""

from __future__ import annotations

import socket
import subprocess
import sys
import time

import httpx
import pytest

from mls_async import ModelRegistry
from mls_async.models import MLModelClient, MLSRuleModel
from tests.conftest import PASSWORD, USER


class Scored(MLSRuleModel):
    """Answers a fixed score: which version served a prediction shows in it."""

    def __init__(self, score: float) -> None:
        super().__init__("served_model", "v1", ["a"])
        self.score = score

    async def predict_async(self, x, **kwargs):
        return {"items": [{"id": "s", "name": "s", "type": "rule", "props": {"score": self.score}}]}


def test_a_warm_model_reads_no_records_and_a_new_version_is_served_at_once(
    app, sync_transport, client_kwargs, tmp_path
):
    state = app.state.mls
    with (
        MLModelClient(**client_kwargs, transport=sync_transport) as models,
        ModelRegistry(**client_kwargs, transport=sync_transport, model_dir=tmp_path / "m") as registry,
    ):
        deployment = registry.save_and_deploy(Scored(1.0), models)
        assert models.predict(deployment, [0])["items"][0]["props"]["score"] == 1.0
        reads = []
        for name in ("get", "query"):
            original = getattr(state.storage, name)

            def counted(*args, _original=original, _name=name, **kwargs):
                reads.append(_name)
                return _original(*args, **kwargs)

            setattr(state.storage, name, counted)
        for _ in range(5):
            assert models.predict(deployment, [0])["items"][0]["props"]["score"] == 1.0
        assert reads == []  # warm: no model record, no registry record read per prediction
        registry.save(Scored(2.0), force=True)
        assert models.predict(deployment, [0])["items"][0]["props"]["score"] == 2.0


def test_tokens_are_signed_and_checked_by_any_process(app):
    state = app.state.mls
    token = state.tokens.issue("tester", 60)
    assert state.tokens.verify(token) == "tester"
    assert state.tokens.verify(token[:-1] + ("0" if token[-1] != "0" else "1")) is None
    assert state.tokens.verify(state.tokens.issue("tester", -1)) is None
    assert state.tokens.verify("garbage") is None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.e2e
@pytest.mark.slow
def test_two_workers_serve_the_same_models_and_see_every_write(tmp_path):
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "mls_async.server",
            "--port",
            str(port),
            "--data-dir",
            str(tmp_path / "data"),
            "--user",
            f"{USER}:{PASSWORD}",
            "--workers",
            "2",
            "--log-level",
            "warning",
        ],
        stdout=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline and server.poll() is None, "the server did not start"
            time.sleep(0.2)
        kwargs = {"env": "LOCAL", "username": USER, "password": PASSWORD, "base_url": url}
        with (
            MLModelClient(**kwargs) as models,
            MLModelClient(**kwargs, auth="token") as tokened,
            ModelRegistry(**kwargs, model_dir=tmp_path / "m") as registry,
        ):
            deployment = registry.save_and_deploy(Scored(1.0), models)
            for round_, score in ((0, 1.0), (1, 2.0), (2, 3.0)):
                if round_:
                    registry.save(Scored(score), force=True)
                for _ in range(12):  # new connections land on either worker
                    with MLModelClient(**kwargs) as fresh:
                        assert fresh.predict(deployment, [0])["items"][0]["props"]["score"] == score
            for _ in range(6):  # a token issued by one worker is good on the other
                assert tokened.get_manual_model(id=deployment.id).name == "served_model"
    finally:
        server.terminate()
        server.wait(30)


def test_the_warm_path_checks_credentials_and_bodies_as_the_routed_endpoint(
    app, sync_transport, client_kwargs, tmp_path
):
    from starlette.testclient import TestClient

    with (
        MLModelClient(**client_kwargs, transport=sync_transport) as models,
        ModelRegistry(**client_kwargs, transport=sync_transport, model_dir=tmp_path / "m") as registry,
    ):
        deployment = registry.save_and_deploy(Scored(1.0), models)
        models.predict(deployment, [0])  # warm
    path = f"/api/v1/models/{deployment.id}/predict"
    with TestClient(app) as http:
        assert http.post(path, json={"x": [0]}, auth=(USER, "wrong")).status_code == 401
        assert http.post(path, json={"x": [0]}).status_code == 401
        bad = http.post(path, json={"y": 1}, auth=(USER, PASSWORD))  # replayed to the endpoint: its own 400
        assert bad.status_code == 400 and "x" in bad.json()["error"]
        good = http.post(path, json={"x": [0]}, auth=(USER, PASSWORD))
        assert good.status_code == 200 and good.json()["results"]["items"][0]["props"]["score"] == 1.0
        assert good.headers["x-request-id"] and good.headers["mls-capabilities"]
