# Generated from tests/_async/test_trainable.py by scripts/unasync.py. Do not edit: edit the source and regenerate.
"""MLSTrainable with real AutoGluon fits on small data, registered and reloaded."""

from __future__ import annotations

import pytest

from mls_async import ModelRegistry
from mls_async.models import MLSModelError, MLSTrainable
from mls_async.models.contrib import GenericLogicModel
from tests import trained

pytestmark = pytest.mark.slow


def make_model(name: str, predict_fn: str) -> GenericLogicModel:
    return GenericLogicModel(
        model=None, model_name=name, model_version="v1", features=trained.TRAIN_FEATURES, predict_fn=predict_fn
    )


def test_classification_fit_selects_top_k_and_survives_the_registry(client_kwargs, sync_transport, tmp_path):
    df = trained.frame()
    train_data, test_data = df.iloc[:180], df.iloc[180:]
    my_model_v1 = make_model("trainable_clf_model", "predict_proba")
    work = tmp_path / "work"
    my_model_v1.fit(
        train_data=train_data,
        test_data=test_data,
        label="label",
        non_training_features=["segment"],
        k=3,
        time_limit=30,
        hyperparameters=trained.FAST_GBM,
        progress=False,
        work_dir=work,
    )
    assert len(list(work.iterdir())) == 1  # the first fit (all features) is gone, the final one stays
    assert my_model_v1.model_lib == "autogluon"
    assert len(my_model_v1.features) == 4 and my_model_v1.features[-1] == "segment"
    assert set(my_model_v1.features[:3]) <= {f"f{i}" for i in range(6)}
    assert "f0" in my_model_v1.features  # the strongest signal survives the selection
    assert set(my_model_v1.feature_importance) == set(my_model_v1.features[:3])
    assert {"roc_auc", "accuracy"} <= set(my_model_v1.performance) and my_model_v1.performance["roc_auc"] > 0.8
    assert my_model_v1.evaluate(test_data)["roc_auc"] == pytest.approx(my_model_v1.performance["roc_auc"])
    importance = my_model_v1.get_feature_importance(test_data)
    assert list(importance.index) != [] and importance.index[0] in my_model_v1.features

    rows = [test_data.iloc[i][my_model_v1.features].tolist() for i in range(5)]
    before = [my_model_v1.predict(row) for row in rows]
    with ModelRegistry(**client_kwargs, transport=sync_transport, model_dir=tmp_path / "m") as registry:
        meta = registry.save(my_model_v1)
        assert meta["model_lib"] == "autogluon" and meta["performance"]["roc_auc"] > 0.8
        info = registry.info("trainable_clf_model", "v1")
        assert any(path.startswith("autogluon/") for path in info["files"])
        loaded = registry.load("trainable_clf_model", "v1")
    assert [loaded.predict(row) for row in rows] == before
    assert [loaded.predict(row) for row in rows] == before
    del my_model_v1
    import gc

    gc.collect()
    assert list(work.iterdir()) == []  # training files go with the model object
    assert not (tmp_path / "models" / ".training").exists()  # nothing under the model dir
    loaded.persist_models()
    assert loaded.get_model_names_persisted() == [loaded.model_info["best_model"]]
    loaded.unpersist_models()
    assert loaded.get_model_names_persisted() == []


def test_regression_fit_and_metric_checks():
    df = trained.frame(regression=True)
    model = make_model("trainable_reg_model", "predict")
    with pytest.raises(MLSModelError, match="does not fit this regression problem"):
        model.fit(df.iloc[:180], df.iloc[180:], label="label", eval_metric="roc_auc")
    model.fit(
        df.iloc[:180],
        df.iloc[180:],
        label="label",
        eval_metric="root_mean_squared_error",
        k=20,
        time_limit=30,
        hyperparameters=trained.FAST_GBM,
        progress=False,
    )
    assert model.features == trained.TRAIN_FEATURES  # 7 features <= k: no selection
    assert set(model.feature_importance) == set(trained.TRAIN_FEATURES)
    assert "root_mean_squared_error" in model.performance
    row = df.iloc[200][trained.TRAIN_FEATURES].tolist()
    score = (model.predict(row))["items"][0]["props"]["score"]
    assert isinstance(score, float)


def test_misuse_is_a_clear_error():
    class Orphan(MLSTrainable):
        pass

    with pytest.raises(MLSModelError, match="without MLSModel"):
        Orphan().fit(None, None, label="y")
    model = make_model("untrained_model", "predict")
    with pytest.raises(MLSModelError, match="call fit"):
        model.evaluate(trained.frame())
    with pytest.raises(MLSModelError, match="label 'nope' is not a column"):
        model.fit(trained.frame(), trained.frame(), label="nope")
