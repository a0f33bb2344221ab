"""AutoML on the local server: dataset upload, real training, model server, handler."""

from __future__ import annotations

import time

import pytest

from mls_async import MLSClientError
from mls_async.datasets import AsyncDatasetClient
from mls_async.models import AsyncMLModelClient, MLModelStatus
from tests import trained

pytestmark = pytest.mark.slow

HANDLER = """
def handler(x, y):
    return {"items": [{"id": "x", "name": "clf", "type": "automl", "props": {"score": round(y[1], 4),
                       "f0": x["f0"]}}]}
"""


async def test_automl_model_trained_and_served(client_kwargs, async_transport, server_config, tmp_path):
    async with (
        AsyncDatasetClient(**client_kwargs, transport=async_transport) as dataset_client,
        AsyncMLModelClient(**client_kwargs, transport=async_transport) as ml_model_client,
    ):
        dataset = await dataset_client.upload_dataset("churn_ds", "classification", trained.frame(), label="label")
        assert dataset.num_rows == 240
        assert "label" in [c["name"] for c in await dataset_client.list_features(name="churn_ds")]

        automl_model = await ml_model_client.create_automl_model(
            dataset=dataset, name="automl_test_model", version="v1", description="test_model"
        )
        assert automl_model.status is MLModelStatus.AUTOML_TRAINING
        with pytest.raises(MLSClientError, match="still training"):
            await ml_model_client.start_automl_model_server(model=automl_model)
        deadline = time.monotonic() + 120
        while automl_model.status is MLModelStatus.AUTOML_TRAINING:
            assert time.monotonic() < deadline, "training did not finish"
            time.sleep(0.2)
            automl_model = await ml_model_client.get_automl_model(id=automl_model.id)
        assert automl_model.status is MLModelStatus.AUTOML_DONE, automl_model.get_error()
        assert not (tmp_path / "models" / ".training").exists()  # the server trains under its data dir
        assert (server_config.data_dir / "automl" / ".training").is_dir()
        assert automl_model.get_error() is None
        assert automl_model.automl_model_info["performance"]["roc_auc"] > 0.8
        assert automl_model.dataset_name == "churn_ds"

        assert await ml_model_client.get_automl_model_server_status(model=automl_model) == "STOPPED"
        await ml_model_client.start_automl_model_server(model=automl_model)
        assert await ml_model_client.get_automl_model_server_status(model=automl_model) == "RUNNING"
        row = trained.frame().iloc[0].drop("label").to_dict()
        default = await ml_model_client.predict(automl_model, row)
        assert 0.0 <= default["items"][0]["props"]["score"] <= 1.0

        await ml_model_client.update_automl_model_server_handler(model=automl_model, handler=HANDLER)
        assert await ml_model_client.get_automl_model_server_handler(model=automl_model) == HANDLER
        custom = await ml_model_client.predict(automl_model, row)
        assert custom["items"][0]["props"]["f0"] == row["f0"]
        assert custom["items"][0]["props"]["score"] == round(default["items"][0]["props"]["score"], 4)

        await ml_model_client.stop_automl_model_server(model=automl_model)
        assert await ml_model_client.get_automl_model_server_status(model=automl_model) == "STOPPED"
        await ml_model_client.delete_model(model=automl_model)
        assert await ml_model_client.list_automl_models() == []
