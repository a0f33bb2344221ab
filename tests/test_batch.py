"""Batch scoring: partitions in, Parquet parts or a batch table out, once each, in process and on Dask."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import time

import numpy as np
import pandas as pd
import pytest

from mls_async import AsyncMLSProfileAPIClient, MLSProfileAPIClient
from mls_async.batch import ParquetSink, TableSink, open_source, run_batch, run_batch_async
from mls_async.dynamodb import DynamoDBClient
from mls_async.models import MLSLightGBMModel, MLSRuleModel
from mls_async.models.contrib import GenericLogicModel
from tests import trained


def _source(tmp_path, rows: int, kind: str = "parquet"):
    rng = np.random.default_rng(3)
    frame = pd.DataFrame(rng.normal(size=(rows, len(trained.FEATURES))), columns=trained.FEATURES)
    frame.insert(0, "user_id", [f"u{i}" for i in range(rows)])
    path = tmp_path / f"source.{kind}"
    frame.to_parquet(path, index=False) if kind == "parquet" else frame.to_csv(path, index=False)
    return path, frame


def _parts(directory) -> pd.DataFrame:
    return pd.concat([pd.read_parquet(p) for p in sorted(directory.glob("part-*.parquet"))], ignore_index=True)


@pytest.mark.parametrize("kind", ["parquet", "csv"])
def test_a_library_model_scores_every_row_once_and_a_rerun_skips_written_parts(kind, tmp_path):
    path, frame = _source(tmp_path, 1050, kind)
    model = MLSLightGBMModel(trained.lightgbm_model(), "batch_model", "v1", trained.FEATURES)
    result = run_batch(model, path, ParquetSink(str(tmp_path / "out")), key="user_id", partition_rows=200)
    assert (result.partitions, result.rows, result.skipped) == (6, 1050, 0)
    scored = _parts(tmp_path / "out")
    assert list(scored["user_id"]) == list(frame["user_id"])
    expected = model.predict_scores(frame[trained.FEATURES].to_numpy())
    assert np.allclose(scored["score"].to_numpy(), expected)

    (tmp_path / "out" / "part-00002.parquet").unlink()  # as if a crash came before this part
    again = run_batch(model, path, ParquetSink(str(tmp_path / "out")), key="user_id", partition_rows=200)
    assert (again.rows, again.skipped) == (200, 5)
    assert _parts(tmp_path / "out").equals(scored)


async def test_a_logic_model_reads_profiles_and_fills_a_table_active_only_at_the_end(
    tmp_path, client_kwargs, async_transport, sync_transport
):
    path, frame = _source(tmp_path, 300)
    with MLSProfileAPIClient(**client_kwargs, transport=sync_transport) as profiles:
        profiles.put_user_profiles("usage", {f"u{i}": {"plan": f"p{i % 3}"} for i in range(0, 300, 2)})
    model = GenericLogicModel(
        "batch_logic_model",
        "v1",
        ["user_id", "age"],
        predict_fn="none",
        preprocess_logic={"merge": [{"var": "age"}]},
        postprocess_logic={
            "list": [
                {
                    "dict": [
                        "id",
                        {"var": "user_id"},
                        "name",
                        "n",
                        "type",
                        "t",
                        "props",
                        {"dict": ["plan", {"get": [{"pf": ["user", "usage", {"var": "user_id"}, ["plan"]]}, 0]}]},
                    ]
                }
            ]
        },
    )
    sink = TableSink("batch_scores", "user_id", {**client_kwargs, "transport": sync_transport}, chunk_rows=70)
    states = []
    original_write = TableSink.write

    def watched(self, index, scored):
        original_write(self, index, scored)
        with DynamoDBClient(**client_kwargs, transport=sync_transport) as tables:
            states.append(tables.is_table_active("batch_scores"))

    TableSink.write = watched
    try:
        async with AsyncMLSProfileAPIClient(**client_kwargs, transport=async_transport) as client:
            result = await run_batch_async(
                model,
                path,
                sink,
                key="user_id",
                features=["user_id", "age"],
                partition_rows=100,
                predict_kwargs={"pf_client": client},
            )
    finally:
        TableSink.write = original_write
    assert result.rows == 300 and states == [False, False, False]  # held while the job ran
    with DynamoDBClient(**client_kwargs, transport=sync_transport) as tables:
        deadline = time.monotonic() + 10
        while not tables.is_table_active("batch_scores") and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        assert tables.is_table_active("batch_scores")
        item = tables.get_item("batch_scores", {"user_id": "u4"})["item"]
        assert item["items"] == [{"id": "u4", "name": "n", "type": "t", "props": {"plan": "p1"}}]
        assert tables.get_item("batch_scores", {"user_id": "u5"})["item"]["items"][0]["props"]["plan"] is None


def test_the_source_is_described_without_reading_it(tmp_path):
    path, _ = _source(tmp_path, 10, "csv")
    source = open_source(path)
    assert (source.format, source.num_rows, source.partitions(3)) == ("csv", 10, 4)
    assert list(source.read(3, 3)["user_id"]) == ["u9"]
    with pytest.raises(FileNotFoundError):
        open_source(tmp_path / "nope.parquet")


class SlowRule(MLSRuleModel):
    """A rule model slow enough to kill a worker while it scores."""

    async def predict_async(self, x, **kwargs):
        await asyncio.sleep(0.002)
        return {"items": [{"id": "r", "name": "r", "type": "rule", "props": {"score": round(x[0] * 2, 6)}}]}


@pytest.mark.slow
def test_on_a_local_dask_cluster_the_output_is_the_in_process_output(tmp_path):
    pytest.importorskip("distributed")
    path, _ = _source(tmp_path, 2000)
    model = MLSLightGBMModel(trained.lightgbm_model(), "batch_model", "v1", trained.FEATURES)
    run_batch(model, path, ParquetSink(str(tmp_path / "local")), key="user_id", partition_rows=250)
    result = run_batch(
        model, path, ParquetSink(str(tmp_path / "dask")), key="user_id", partition_rows=250, scheduler="local"
    )
    assert result.rows == 2000
    assert _parts(tmp_path / "dask").equals(_parts(tmp_path / "local"))


@pytest.mark.slow
def test_a_killed_worker_loses_and_duplicates_nothing(tmp_path):
    distributed = pytest.importorskip("distributed")
    path, frame = _source(tmp_path, 3000)
    model = SlowRule("slow_rule_model", "v1", ["age"])
    with (
        distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster,
        distributed.Client(cluster) as client,
    ):
        pids = client.run(os.getpid)
        victim = sorted(pids.values())[0]

        def kill_soon() -> None:  # once the job is under way: the first part written
            deadline = time.monotonic() + 60
            while not list((tmp_path / "out").glob("part-*.parquet")) and time.monotonic() < deadline:
                time.sleep(0.01)
            os.kill(victim, signal.SIGKILL)

        import threading

        killer = threading.Thread(target=kill_soon)
        killer.start()
        result = run_batch(
            model,
            path,
            ParquetSink(str(tmp_path / "out")),
            key="user_id",
            features=["age"],
            partition_rows=150,
            concurrency=16,
            scheduler=client,
        )
        killer.join()
        assert victim not in client.run(os.getpid).values()  # the kill happened during the job
    scored = _parts(tmp_path / "out")
    assert result.partitions == 20 and len(scored) == 3000
    assert scored["user_id"].is_unique and list(scored["user_id"]) == list(frame["user_id"])
    first = json.loads(scored["items"][0])[0]["props"]["score"]
    assert first == round(frame["age"][0] * 2, 6)


@pytest.mark.e2e
def test_the_cli_scores_a_registered_version(tmp_path, live_server, capsys):
    from mls_async import ModelRegistry
    from mls_async.cli import main
    from tests.conftest import PASSWORD, USER

    path, frame = _source(tmp_path, 500)
    kwargs = {"env": "LOCAL", "username": USER, "password": PASSWORD, "base_url": live_server}
    model = MLSLightGBMModel(trained.lightgbm_model(), "cli_batch_model", "v1", trained.FEATURES)
    with ModelRegistry(**kwargs, model_dir=tmp_path / "models") as registry:
        registry.save(model)
    args = [
        "batch-predict",
        "cli_batch_model",
        "v1",
        str(path),
        "--output",
        str(tmp_path / "out"),
        "--partition-rows",
        "200",
        "--quiet",
        "--env",
        "LOCAL",
        "--base-url",
        live_server,
        "--username",
        USER,
        "--password",
        PASSWORD,
    ]
    assert main(args) == 0
    assert "500 rows scored" in capsys.readouterr().out
    assert np.allclose(_parts(tmp_path / "out")["score"], model.predict_scores(frame[trained.FEATURES].to_numpy()))
    assert main([*args[:1], "nope_model", *args[2:]]) == 1
    assert "nope_model" in capsys.readouterr().err


def test_a_table_sink_needs_a_server_that_announces_table_loads(tmp_path):
    import respx

    from mls_async import MLSConfigError

    path, _ = _source(tmp_path, 10)
    model = MLSLightGBMModel(trained.lightgbm_model(), "batch_model", "v1", trained.FEATURES)
    kwargs = {"env": "LOCAL", "username": "u", "password": "p", "base_url": "http://platform.mock"}
    with respx.mock(base_url="http://platform.mock") as mock:  # a server with tables but no such announcement
        mock.get("/api/v1/dynamodb/tables/t/is_loading").respond(
            json={"code": 0, "error": None, "results": {"is_loading": False}}
        )
        with pytest.raises(MLSConfigError, match="table-loads"):
            run_batch(model, path, TableSink("t", "user_id", kwargs), key="user_id")
        assert [call.request.method for call in mock.calls] == ["GET"]  # nothing written
