"""Each wrapper trained on small data, saved to the registry, loaded back: same predictions."""

from __future__ import annotations

import numpy as np
import pytest
import pytest_asyncio

from mls_async import AsyncModelRegistry, ModelRegistryError
from mls_async.models import (
    MLSCatBoostModel,
    MLSGenericModel,
    MLSLightGBMModel,
    MLSModelError,
    MLSPyTorchModel,
    MLSRuleModel,
    MLSXGBoostModel,
)
from mls_async.models._generic import CUSTOM_PREDICT_FILE
from tests import trained

WRAPPERS = {
    "lightgbm": (MLSLightGBMModel, trained.lightgbm_model),
    "xgboost": (MLSXGBoostModel, trained.xgboost_model),
    "catboost": (MLSCatBoostModel, trained.catboost_model),
    "pytorch": (MLSPyTorchModel, trained.torch_model),
}


@pytest_asyncio.fixture
async def registry(client_kwargs, async_transport, tmp_path):
    async with AsyncModelRegistry(
        **client_kwargs, transport=async_transport, model_dir=tmp_path / "local_models"
    ) as registry:
        yield registry


@pytest.mark.parametrize("kind", sorted(WRAPPERS))
async def test_wrapper_round_trip_through_registry(kind, registry):
    wrapper_class, train = WRAPPERS[kind]
    raw = train()
    model = wrapper_class(raw, f"{kind}_test_model", "v1", trained.FEATURES)
    assert model.model_lib == kind and model.model_lib_version not in (None, "N/A")
    rows, _ = trained.data()
    expected = trained.raw_scores(kind, raw, rows[:25])

    single = await model.predict_async(rows[0].tolist())
    assert single["items"][0]["props"]["score"] == pytest.approx(float(expected[0]), rel=1e-5)
    assert await model.predict_async(rows[0]) == single  # a 1-D ndarray is one row too
    assert await model.predict_async(rows[:3]) == await model.predict_async(rows[:3].tolist())
    many = await model.predict_async(rows[:25].tolist())
    assert [item["props"]["score"] for item in many["items"]] == pytest.approx(expected.tolist(), rel=1e-5)

    meta = await registry.save(model)
    assert meta["class"] == wrapper_class.__name__ and meta["features"] == trained.FEATURES
    assert meta["model_data"] == f"/models/{kind}_test_model/v1/model.joblib"
    assert (await registry.info(f"{kind}_test_model", "v1"))["sha256"]
    loaded = await registry.load(f"{kind}_test_model", "v1")
    assert type(loaded) is wrapper_class
    again = await loaded.predict_async(rows[:25].tolist())
    assert [item["props"]["score"] for item in again["items"]] == pytest.approx(expected.tolist(), rel=1e-5)
    assert loaded.predict(rows[:25].tolist()) == again  # the sync path agrees


async def test_registry_refuses_overwrite_unless_forced(registry):
    model = MLSLightGBMModel(trained.lightgbm_model(), "guarded_model", "v1", trained.FEATURES)
    await registry.save(model)
    with pytest.raises(ModelRegistryError, match="registered already; pass force=True"):
        await registry.save(model)
    await registry.save(model, force=True)
    assert await registry.list_models() == ["guarded_model"]
    assert await registry.list_versions("guarded_model") == ["v1"]
    await registry.delete("guarded_model", "v1")
    assert await registry.info("guarded_model", "v1") is None
    with pytest.raises(ModelRegistryError, match="not registered"):
        await registry.load("guarded_model", "v1")


async def test_generic_model_with_custom_predict_file(registry, tmp_path):
    source = tmp_path / CUSTOM_PREDICT_FILE
    source.write_text(trained.CUSTOM_PREDICT_SOURCE)
    model = MLSGenericModel([], "generic_test_model", "v1", ["a", "b"], custom_predict_async=str(source))
    assert (await model.predict_async([1, 2], boost=1))["items"][0]["props"]["score"] == 4
    await registry.save(model)
    loaded = await registry.load("generic_test_model", "v1")
    assert (await loaded.predict_async([1, 2]))["items"][0]["name"] == "generic_test_model"
    assert (registry.model_dir / "generic_test_model" / "v1" / CUSTOM_PREDICT_FILE).read_text() == source.read_text()


class CountryRule(MLSRuleModel):
    async def predict_async(self, x, **kwargs):
        return {"items": [{"id": x[0], "name": x[0], "type": "rule", "props": {"context_id": "c"}}]}


class LegacySyncRule(MLSRuleModel):
    def predict(self, x, **kwargs):
        return {"items": [{"id": "legacy", "name": "legacy", "type": "rule", "props": {"n": len(x)}}]}


async def test_rule_models_async_and_legacy_sync():
    assert (await CountryRule("country_model", "v1", ["country"]).predict_async(["kr"]))["items"][0]["id"] == "kr"
    legacy = LegacySyncRule("legacy_model", "v1", ["a", "b"])
    assert (await legacy.predict_async([1, 2]))["items"][0]["props"]["n"] == 2


def test_constructor_checks_say_what_to_fix():
    raw = trained.lightgbm_model()
    with pytest.raises(MLSModelError, match="ending in '_model'"):
        MLSLightGBMModel(raw, "badname", "v1", trained.FEATURES)
    with pytest.raises(MLSModelError, match="model_version='v 1' is not valid"):
        MLSLightGBMModel(raw, "ok_model", "v 1", trained.FEATURES)
    with pytest.raises(MLSModelError, match="`features` is empty"):
        MLSXGBoostModel(trained.xgboost_model(), "ok_model", "v1", [])
    with pytest.raises(MLSModelError, match="torch.jit.ScriptModule"):
        MLSPyTorchModel(raw, "ok_model", "v1", trained.FEATURES)
    with pytest.raises(MLSModelError, match="must be a list"):
        MLSGenericModel(raw, "ok_model", "v1", ["a"])
    with pytest.raises(MLSModelError, match="cannot be read"):
        MLSGenericModel([], "ok_model", "v1", ["a"], custom_predict_async="/nonexistent/predict_async.py")
    model = MLSLightGBMModel(raw, "ok_model", "v1", trained.FEATURES)
    with pytest.raises(MLSModelError, match="x has 2 values but the model has 4 features"):
        model.predict([1, 2])
    with pytest.raises(MLSModelError, match="must hold numbers"):
        model.predict(["a", "b", "c", "d"])


def test_set_model_lib_updates_the_version():
    model = MLSGenericModel([], "lib_model", "v1", ["a"])
    model.set_model_lib("lightgbm")
    import lightgbm

    assert (model.model_lib, model.model_lib_version) == ("lightgbm", lightgbm.__version__)
    model.set_model_lib("rule")
    assert model.model_lib_version == "N/A"  # the original left the previous version here


def test_lightgbm_features_default_to_the_booster_names():
    model = MLSLightGBMModel(trained.lightgbm_model(), "named_model", "v1")
    assert model.features == [f"Column_{i}" for i in range(4)]
    assert np.isfinite(model.predict_scores([0.0, 0.1, 0.2, 0.3])).all()
