"""A cancelled registry transfer or batch job leaves no orphan work: nothing still sending or writing, no files."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import tempfile
import threading
import types

import anyio
import pytest

import mls_async._async.registry as registry_module
from mls_async import AsyncModelRegistry
from mls_async.models import MLSRuleModel
from mls_async.server import create_app
from tests.conftest import PASSWORD, USER, serve

BLOB = 6 << 20  # several upload chunks


class Weighty(MLSRuleModel):
    def __init__(self, model_name: str, model_version: str, features: list[str], blob: bytes = b"") -> None:
        super().__init__(model_name, model_version, features)
        self.blob = blob

    def predict(self, x, **kwargs):
        return {"items": [{"id": "w", "name": "w", "type": "t", "props": {"n": len(self.blob)}}]}


def _left_in(directory) -> list[str]:
    """Files under ``directory`` but the version locks (kept, empty, like the original's lock files)."""
    return sorted(
        str(p.relative_to(directory)) for p in directory.rglob("*") if p.is_file() and not p.name.endswith(".lock")
    )


def _other_tasks() -> set[asyncio.Task]:
    return {task for task in asyncio.all_tasks() if task is not asyncio.current_task()}


@pytest.fixture
def temp_dir(tmp_path, monkeypatch):
    """The system temporary directory, as seen by the code under test, inside tmp_path."""
    directory = tmp_path / "system_tmp"
    directory.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(directory))
    return directory


class HeldUploads:
    """The local server, holding each upload after its first body chunk until ``release`` is set."""

    def __init__(self, app) -> None:
        self.app, self.arrived, self.release = app, threading.Event(), threading.Event()

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or scope["method"] != "PUT":
            return await self.app(scope, receive, send)
        await receive()
        self.arrived.set()
        while not self.release.is_set():
            await anyio.sleep(0.005)
        while (message := await receive())["type"] == "http.request" and message.get("more_body"):
            pass
        await send({"type": "http.response.start", "status": 503, "headers": []})
        await send({"type": "http.response.body", "body": b""})


@pytest.mark.parametrize("transport", ["aiohttp", "httpx"])
async def test_a_save_cancelled_mid_upload_stops_sending_and_leaves_no_files(
    transport, server_config, tmp_path, temp_dir, monkeypatch
):
    closed = []
    chunks = registry_module._chunks

    async def observed(path):
        try:
            async with contextlib.aclosing(chunks(path)) as inner:
                async for chunk in inner:
                    yield chunk
        finally:
            closed.append(path)

    monkeypatch.setattr(registry_module, "_chunks", observed)
    server = HeldUploads(create_app(server_config))
    model_dir = tmp_path / "models"
    with serve(server) as url:
        async with AsyncModelRegistry(
            "LOCAL", username=USER, password=PASSWORD, base_url=url, transport=transport, model_dir=model_dir
        ) as registry:
            saving = asyncio.create_task(registry.save(Weighty("weighty_model", "v1", ["x"], os.urandom(BLOB))))
            await anyio.to_thread.run_sync(server.arrived.wait, 10)
            saving.cancel()
            with pytest.raises(asyncio.CancelledError):
                await saving
            server.release.set()
            await asyncio.sleep(0)  # one turn for the transport's own tasks to see their cancellation
            assert closed and _other_tasks() == set()
            assert _left_in(model_dir) == [] and os.listdir(temp_dir) == []
            assert await registry.info("weighty_model", "v1") is None  # nothing half-registered


async def test_a_save_cancelled_while_packing_removes_its_archive(
    async_transport, client_kwargs, tmp_path, temp_dir, monkeypatch
):
    packing, go_on = threading.Event(), threading.Event()
    pack = registry_module.pack_version_dir

    def slow_pack(*args):
        packing.set()
        go_on.wait(10)
        return pack(*args)

    monkeypatch.setattr(registry_module, "pack_version_dir", slow_pack)
    model_dir = tmp_path / "models"
    async with AsyncModelRegistry(**client_kwargs, transport=async_transport, model_dir=model_dir) as registry:
        saving = asyncio.create_task(registry.save(Weighty("packed_model", "v1", ["x"], b"x" * 1000)))
        await anyio.to_thread.run_sync(packing.wait, 10)
        saving.cancel()
        go_on.set()  # the archive is written after the cancellation reached the save
        with pytest.raises(asyncio.CancelledError):
            await saving
        assert _left_in(model_dir) == [] and os.listdir(temp_dir) == []
        assert await registry.info("packed_model", "v1") is None


@pytest.mark.parametrize("transport", ["aiohttp", "httpx"])
@pytest.mark.parametrize("how", ["task", "scope"])
async def test_a_load_cancelled_mid_download_leaves_no_files_and_the_version_loadable(
    how, transport, live_server, tmp_path, monkeypatch
):
    model_dir = tmp_path / "models"
    async with AsyncModelRegistry(
        "LOCAL",
        username=USER,
        password=PASSWORD,
        base_url=live_server,
        transport=transport,
        model_dir=model_dir / "saver",
    ) as saver:
        await saver.save(Weighty("fetched_model", "v1", ["x"], os.urandom(BLOB)))

    cancel = []

    class Digest:
        """sha256 that cancels the load once the first chunk has arrived."""

        def __init__(self) -> None:
            self.inner = hashlib.sha256()

        def update(self, chunk: bytes) -> None:
            self.inner.update(chunk)
            while cancel:
                cancel.pop()()

        def hexdigest(self) -> str:
            return self.inner.hexdigest()

    async with AsyncModelRegistry(
        "LOCAL",
        username=USER,
        password=PASSWORD,
        base_url=live_server,
        transport=transport,
        model_dir=model_dir / "loader",
    ) as registry:
        with monkeypatch.context() as patch:
            patch.setattr(registry_module, "hashlib", types.SimpleNamespace(sha256=Digest))
            if how == "task":
                loading = asyncio.create_task(registry.load("fetched_model", "v1"))
                cancel.append(loading.cancel)
                with pytest.raises(asyncio.CancelledError):
                    await loading
            else:
                with anyio.CancelScope() as scope:
                    cancel.append(scope.cancel)
                    await registry.load("fetched_model", "v1")
                assert scope.cancelled_caught
        assert not cancel  # it was cancelled mid-download
        await asyncio.sleep(0)
        assert _other_tasks() == set()
        assert _left_in(model_dir / "loader") == []
        loaded = await registry.load("fetched_model", "v1")  # the lock and the connection were handed back
        assert (await loaded.predict_async([1]))["items"][0]["props"] == {"n": BLOB}


async def test_a_cancelled_batch_job_stops_its_table_write_before_it_returns(
    tmp_path, client_kwargs, sync_transport, monkeypatch
):
    pd = pytest.importorskip("pandas")
    from mls_async._sync.dynamodb_client import DynamoDBClient
    from mls_async.batch import TableSink, run_batch_async

    path = tmp_path / "source.parquet"
    pd.DataFrame({"user_id": [f"u{i}" for i in range(300)], "x": range(300)}).to_parquet(path, index=False)
    sending, go_on, uploads = threading.Event(), threading.Event(), []
    upload_items = DynamoDBClient.upload_items

    def held_first_upload(self, table, items):
        uploads.append(len(items))
        if len(uploads) == 1:
            sending.set()
            go_on.wait(10)
        return upload_items(self, table, items)

    monkeypatch.setattr(DynamoDBClient, "upload_items", held_first_upload)
    ended = threading.Event()
    write = TableSink.write

    def watched(self, index, frame):
        try:
            write(self, index, frame)
        finally:
            ended.set()

    monkeypatch.setattr(TableSink, "write", watched)
    sink = TableSink("cancelled_scores", "user_id", {**client_kwargs, "transport": sync_transport}, chunk_rows=20)
    job = asyncio.create_task(
        run_batch_async(
            Weighty("batch_model", "v1", ["x"]), path, sink, key="user_id", features=["x"], partition_rows=100
        )
    )
    await anyio.to_thread.run_sync(sending.wait, 10)
    job.cancel()
    go_on.set()  # the chunk in flight completes; the partition's next chunks must not be sent
    with pytest.raises(asyncio.CancelledError):
        await job
    assert ended.is_set()  # the job returned only once its write had ended
    assert uploads == [20]
    with DynamoDBClient(**client_kwargs, transport=sync_transport) as tables:
        assert not tables.is_table_active("cancelled_scores")  # held: never made active by a cancelled job
