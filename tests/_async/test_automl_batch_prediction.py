"""AutoML batch prediction jobs: the original's request, and jobs the local server runs on the batch engine."""

from __future__ import annotations

import time

import pandas as pd
import pytest
import respx

from mls_async import MLSValidationError
from mls_async.datasets import AsyncDatasetClient
from mls_async.models import AsyncMLModelClient, AutoMLModel, MLModelStatus
from mls_async.models.automl import (
    AsyncAutoMLBatchPredictionClient,
    AutoMLPredictionError,
    CustomFeatureSourceConfig,
    EDDChannelConfig,
    EmailChannelConfig,
    ScoreExportOption,
)
from tests import trained

ENVELOPE = {"code": 0, "error": None}


def _dataset(problem: str) -> dict:
    return {**ENVELOPE, "results": [{"id": 7, "name": "ds", "data_type": problem, "label": "label"}]}


async def test_the_request_is_the_originals_and_the_channel_can_be_used_again(client_kwargs):
    model = AutoMLModel(id=3, name="m", version="v1", dataset_id=7)
    channel = EDDChannelConfig("a1234567", "db_1", "scores")
    async with AsyncAutoMLBatchPredictionClient(**client_kwargs) as client:
        with respx.mock(base_url="http://mls.local") as mock:
            mock.get("/api/v1/datasets", params={"id": "7"}).respond(json=_dataset("score"))
            route = mock.post("/api/v1/models/3/predictions").respond(
                json={
                    **ENVELOPE,
                    "results": {"id": 11, "name": "EDD", "status": "RUNNING", "created_at": "2026-11-26T00:00:00"},
                }
            )
            with pytest.raises(AutoMLPredictionError, match="score_export_option"):
                await client.predict(model, channel)
            for _ in range(2):  # the original deletes `channel` from the config object: a second call failed
                job = await client.predict(
                    model,
                    channel,
                    ScoreExportOption(True, 100),
                    period="202611",
                    custom_feature_source_config=CustomFeatureSourceConfig("table", "t1"),
                )
            assert (job.id, job.channel, job.status, str(job)) == (11, "EDD", "RUNNING", "11")
    import orjson

    assert orjson.loads(route.calls.last.request.content) == {
        "channel": "EDD",
        "edd_channel_config": {"username": "a1234567", "database": "db_1", "table": "scores"},
        "score_export_option": {"sort": True, "target_limit": 100},
        "period": "202611",
        "custom_feature_source_config": {"source_type": "table", "source_path": "t1"},
    }


def test_the_options_check_what_the_original_asserts():
    with pytest.raises(MLSValidationError, match="target_limit"):
        ScoreExportOption(True)
    with pytest.raises(MLSValidationError, match="at most"):
        ScoreExportOption(True, 10_000_001)
    assert ScoreExportOption(False, 5).value() == {"sort": False}
    with pytest.raises(MLSValidationError, match="EDD account"):
        EDDChannelConfig("bad", "db", "t")
    with pytest.warns(DeprecationWarning):
        assert CustomFeatureSourceConfig("ye", "t").source_type == "table"
    with pytest.raises(MLSValidationError, match="source_type"):
        CustomFeatureSourceConfig("s3", "x")


@pytest.mark.slow
async def test_a_job_scores_the_dataset_or_a_custom_source_and_exports_the_best(
    client_kwargs, async_transport, server_config
):
    async with (
        AsyncDatasetClient(**client_kwargs, transport=async_transport) as datasets,
        AsyncMLModelClient(**client_kwargs, transport=async_transport) as models,
        AsyncAutoMLBatchPredictionClient(**client_kwargs, transport=async_transport) as predictions,
    ):
        dataset = await datasets.upload_dataset("batch_ds", "classification", trained.frame(), label="label")
        model = await models.create_automl_model(dataset=dataset, name="batch_automl", version="v1")
        deadline = time.monotonic() + 120
        while model.status is MLModelStatus.AUTOML_TRAINING:
            assert time.monotonic() < deadline, "training did not finish"
            time.sleep(0.2)
            model = await models.get_automl_model(id=model.id)
        assert model.status is MLModelStatus.AUTOML_DONE, model.get_error()

        async def finished(job):
            deadline = time.monotonic() + 60
            while job.status == "RUNNING":
                assert time.monotonic() < deadline, "the job did not finish"
                time.sleep(0.1)
                job = await predictions.get_batch_prediction(model, job)
            return job

        job = await finished(
            await predictions.predict(model, EmailChannelConfig("me@example.com"), ScoreExportOption(True, 50))
        )
        assert job.status == "DONE" and job.channel == "EMAIL", job.get()
        export = pd.read_parquet(server_config.data_dir / "exports" / f"prediction-{job.id}.parquet")
        assert len(export) == 50 and export["score"].is_monotonic_decreasing
        assert export["score"].between(0, 1).all() and export["row"].is_unique

        imports = server_config.data_dir / "imports"
        imports.mkdir(exist_ok=True)
        trained.frame().drop(columns="label").head(30).assign(user_id=[f"u{i}" for i in range(30)]).to_parquet(
            imports / "rows.parquet", index=False
        )
        custom = await finished(
            await predictions.predict(
                model,
                EmailChannelConfig("me@example.com"),
                custom_feature_source_config=CustomFeatureSourceConfig("file", "rows.parquet"),
            )
        )
        scored = pd.read_parquet(server_config.data_dir / "exports" / f"prediction-{custom.id}.parquet")
        assert custom.status == "DONE" and list(scored["user_id"]) == [f"u{i}" for i in range(30)]
