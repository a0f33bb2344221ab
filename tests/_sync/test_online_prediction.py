# Generated from tests/_async/test_online_prediction.py by scripts/unasync.py. Do not edit: edit the source and regenerate.
"""A registered model served by the local server: online prediction with feature fetches."""

from __future__ import annotations

import pytest

from mls_async import MLSProfileAPIClient, ModelRegistry, MLSClientError, MLSUnprocessableEntityError
from mls_async.models import MLModelClient
from mls_async.models.contrib import GenericLogicModel
from tests import trained


def test_save_deploy_and_predict_online(client_kwargs, sync_transport, tmp_path):
    raw = trained.lightgbm_model()
    model = GenericLogicModel(
        model_name="online_test_model",
        model_version="v1",
        features=["user_id", "age", "period"],
        model=raw,
        preprocess_logic={
            "merge": [
                {"var": "age"},
                {"pf": ["user", "usage", {"var": "user_id"}, ["traffic"]]},
                {"var": "period"},
                0.5,
            ]
        },
        postprocess_logic={
            "list": [
                {
                    "dict": [
                        "id",
                        {"var": "user_id"},
                        "name",
                        "churn",
                        "type",
                        "score",
                        "props",
                        {"dict": ["score", {"round": [{"var": "y.1"}, 6]}]},
                    ]
                }
            ]
        },
        predict_fn="predict_proba",
    )
    model.set_model_lib("lightgbm")
    with (
        MLModelClient(**client_kwargs, transport=sync_transport) as ml_model_client,
        ModelRegistry(**client_kwargs, transport=sync_transport, model_dir=tmp_path / "m") as registry,
        MLSProfileAPIClient(**client_kwargs, transport=sync_transport) as profiles,
    ):
        profiles.put_user_profiles("usage", {"u1": {"traffic": 1.25}})
        deployment = registry.save_and_deploy(model, ml_model_client)
        assert deployment.features == "user_id,age,period" and deployment.model_lib == "lightgbm"
        assert ml_model_client.is_online_prediction_ready(manual_model=deployment) is True
        assert (ml_model_client.get_manual_model(id=deployment.id)).status.value == "IN_USE"

        result = ml_model_client.predict(deployment, ["u1", 0.3, -0.2])
        expected = raw.predict_proba([[0.3, 1.25, -0.2, 0.5]])[0][1]
        assert result["items"][0]["id"] == "u1"
        assert result["items"][0]["props"]["score"] == pytest.approx(round(expected, 6))

        with pytest.raises(MLSUnprocessableEntityError, match="x has 2 values") as failed:
            ml_model_client.predict(deployment, ["u1", 0.3])  # the model's failure, in its words: a 422
        assert failed.value.status == 422
        with pytest.raises(MLSClientError, match="registered already"):
            registry.save_and_deploy(model, ml_model_client)
        redeployed = registry.save_and_deploy(model, ml_model_client, force=True)
        assert redeployed.id == deployment.id
