"""The contrib models the original ships without tests: defaults and samples, on real small models."""

from __future__ import annotations

import numpy as np
import pytest

from mls_async.models import MLSModelError
from mls_async.models.contrib import (
    DefaultCatBoostModel,
    DefaultGenericModel,
    DefaultLightGBMModel,
    DefaultXGBoostModel,
    SampleGenericModel,
    SampleModel,
    SamplePyTorchModel,
    SampleRuleModel,
)


@pytest.fixture(scope="module")
def regressors():
    """Two LightGBM regressors on three features; their outputs are what the samples score."""
    import lightgbm

    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 3))
    y = x[:, 0] * 0.5 + 0.5
    params = {"objective": "regression", "verbose": -1, "min_data_in_leaf": 5}
    return [
        lightgbm.train(params, lightgbm.Dataset(x, y), num_boost_round=5),
        lightgbm.train(params, lightgbm.Dataset(x, y + 1), num_boost_round=5),
    ]


def test_default_models_register_binaries_and_answer_nothing(regressors, predict):
    import catboost
    import xgboost

    x = np.array([[0.0, 1.0, 2.0], [1.0, 0.0, 1.0]])
    models = [
        DefaultLightGBMModel(regressors[0], "default_model", "v1", ["a", "b", "c"]),
        DefaultXGBoostModel(
            xgboost.train({}, xgboost.DMatrix(x, label=[0, 1]), 2), "default_model", "v1", ["a", "b", "c"]
        ),
        DefaultCatBoostModel(
            catboost.CatBoostRegressor(iterations=2, verbose=False).fit(x, [0.0, 1.0]),
            "default_model",
            "v1",
            ["a", "b", "c"],
        ),
        DefaultGenericModel(regressors, "default_model", "v1", ["a", "b", "c"]),
    ]
    for model in models:
        assert predict(model, [0.0, 1.0, 2.0]) == {"items": []}
    assert [m.model_lib for m in models] == ["lightgbm", "xgboost", "catboost", "etc"]


def test_sample_model_answers_from_a_score_of_0_2(regressors, predict):
    model = SampleModel(regressors[0], "sample_model", "v1", ["a", "b", "c"])
    high, low = [2.0, 0.0, 0.0], [-2.0, 0.0, 0.0]
    score = float(regressors[0].predict(np.array([high]))[0])
    assert predict(model, high) == {
        "items": [
            {
                "id": "SAMPLE001",
                "name": "샘플상품",
                "type": "샘플타입",
                "props": {"context": "샘플컨텍스트", "score": score},
            }
        ]
    }
    assert regressors[0].predict(np.array([low]))[0] < 0.2 and predict(model, low) == {"items": []}
    assert predict(model, ["not", "a", "number"]) == {"items": []}  # the original answers nothing too


def test_sample_generic_model_adds_two_scores(regressors, predict):
    model = SampleGenericModel(regressors, "sample_model", "v1", ["a", "b", "c"])
    row = [2.0, 0.0, 0.0]
    total = float(regressors[0].predict(np.array([row]))[0] + regressors[1].predict(np.array([row]))[0])
    assert predict(model, row)["items"][0]["props"]["score"] == pytest.approx(total)
    assert predict(model, [-5.0, 0.0, 0.0]) == {"items": []}


def test_sample_rule_model(predict):
    model = SampleRuleModel("sample_rule_model", "v1", ["age", "app_use_traffic_youtube", "svc_scrb_period"])
    assert predict(model, [30, 20, 200]) == {
        "items": [{"id": "NA00006538", "name": "T플랜 스페셜", "props": {"percent_rk": "0.5755"}, "type": "fee"}]
    }
    assert predict(model, [30, 20, 50]) == {"items": []}
    with pytest.raises(MLSModelError):
        predict(model, [30, 20])


def test_sample_pytorch_model(predict):
    import torch

    module = torch.nn.Linear(3, 1)
    script = torch.jit.trace(module, torch.zeros(3))
    model = SamplePyTorchModel(script, "sample_model", "v1", ["a", "b", "c"])
    expected = float(module(torch.tensor([1.0, 2.0, 3.0])).detach().numpy()[0])
    items = predict(model, [1.0, 2.0, 3.0])["items"]
    assert items == [
        {
            "id": "SAMPLE001",
            "name": "PyTorch샘플모델",
            "type": "PyTorch샘플타입",
            "props": {"score": pytest.approx(expected)},
        }
    ]
