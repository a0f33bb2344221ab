"""EurekaModel: the original's (uncollected) Eureka cases, and its profile postprocessing, sync and async."""

from __future__ import annotations

import numpy as np
import pytest

from mls_async import MLSProfileAPIClient
from mls_async.models import MLSModelError
from mls_async.models.contrib import EurekaModel
from tests.contrib.conftest import returning

FEATURES = ["feature1", "feature2", "feature3", "emb_feature1", "context_feature1", "context_feature2"]


def handler_000(data=None):
    if data:
        return {"id": "prod_id", "name": "prod_nm", "type": "vas", "props": {"class": "sub", "score": data["y"][1]}}
    return []


def handler_001(data=None):
    score = data["y"][1] if data else "None"
    return {"id": "prod_id", "name": "prod_nm", "type": "vas", "props": {"class": "sub", "score": score}}


@pytest.mark.parametrize(
    ("handler", "x"), [(handler_000, [9.0, 10.0, 2.0, 4.0, None, "Y"]), (handler_001, [9.0, 10.0, 10.0, 2.0, "Y", 1.0])]
)
def test_a_handler_postprocesses(handler, x, monkeypatch, predict, preprocess):
    monkeypatch.setattr(EurekaModel, "_ml_predict", returning(np.array([0, 1])))
    model = EurekaModel(
        model_name="test_model",
        model_version="test_version",
        features=FEATURES,
        postprocess_logic=handler,
        predict_fn="predict",
        use_logic_processer="N",
    )
    expected_row = [value for value in x]
    assert preprocess(model, model.preprocess_logic, x, [1]) == expected_row
    assert predict(model, x) == {
        "items": [{"id": "prod_id", "name": "prod_nm", "type": "vas", "props": {"class": "sub", "score": 1}}]
    }


class Postprocessing:
    """A Handler on a class, as the original expects (a module works the same)."""

    @staticmethod
    def Handler(data):  # noqa: N802 - the original's name
        if data["grade"] == "gold":
            return {"id": data["plan"], "name": "plan", "type": "fee", "props": {"price": data["price"]}}
        return None


@pytest.fixture
def _eureka_profiles(sync_transport, client_kwargs):
    with MLSProfileAPIClient(**client_kwargs, transport=sync_transport) as client:
        client.put_user_profiles(
            "members", {"u1": {"grade": "gold", "plan": "P100"}, "u2": {"grade": "silver", "plan": "P200"}}
        )
        client.put_item_profiles("plans", {"P100": {"price": 100}, "P200": {"price": 200}})


def test_a_handler_reads_user_and_item_profiles(_eureka_profiles, predict):
    model = EurekaModel(
        "eureka_model",
        "v1",
        ["user_id", "age"],
        predict_fn="none",
        use_logic_processer="N",
        postprocess_logic=Postprocessing,
        postprocessing_user_profile={"members": ["grade", "plan"]},
        postprocessing_item_profile={"plans": {"x.plan": ["price"]}},
    )
    assert predict(model, ["u1", 30]) == {
        "items": [{"id": "P100", "name": "plan", "type": "fee", "props": {"price": 100}}]
    }
    assert predict(model, ["u2", 30]) == {"items": []}
    assert model.postprocessing_item_profile == {"plans": {"x.plan": ["price"]}}  # left as it was


def test_logic_postprocessing_is_the_default(predict):
    model = EurekaModel("eureka_model", "v1", ["a"], predict_fn="none")  # the original's literal default item
    assert predict(model, [1]) == {"items": [{"id": "id", "name": "name", "type": "type", "props": {"score": None}}]}


def test_bad_handlers_and_answers_are_named():
    with pytest.raises(MLSModelError, match="Handler"):
        EurekaModel("eureka_model", "v1", ["a"], postprocess_logic={"not": "callable"}, use_logic_processer="N")
    model = EurekaModel(
        "eureka_model",
        "v1",
        ["a"],
        predict_fn="none",
        use_logic_processer="N",
        postprocess_logic=lambda data: {"id": 1},
    )
    with pytest.raises(MLSModelError, match="exactly id, name, type, props"):
        model.predict([1])
