"""Thread counts of library predictions: one thread for small batches, the library's default for large ones,
with the same answers to the bit."""

from __future__ import annotations

import functools
import json
import threading

import numpy as np
import pytest

from mls_async.models import MLSCatBoostModel, MLSLightGBMModel, MLSPyTorchModel, MLSXGBoostModel, _threads, libraries
from tests import trained

ROWS = np.random.default_rng(1).normal(size=(max(_threads.THREADED_ROWS.values()) + 7, len(trained.FEATURES)))


def sizes(library: str) -> list[int]:
    """A single row, a small batch, and a batch at and above the library's threshold."""
    return [1, 16, _threads.THREADED_ROWS[library], len(ROWS)]


def same_bits(actual, expected) -> None:
    actual, expected = np.asarray(actual), np.asarray(expected)
    assert actual.dtype == expected.dtype and actual.shape == expected.shape
    assert actual.tobytes() == expected.tobytes()


def nthread(booster) -> str:
    return json.loads(booster.save_config())["learner"]["generic_param"]["nthread"]


@functools.cache
def lightgbm_model():
    import lightgbm

    x, y = trained.data()
    return lightgbm.LGBMClassifier(n_estimators=30, num_leaves=15, verbose=-1).fit(x, y)


@functools.cache
def xgboost_model(**params):
    import xgboost

    x, y = trained.data()
    return xgboost.XGBClassifier(n_estimators=30, max_depth=4, **params).fit(x, y)


@functools.cache
def catboost_model():
    import catboost

    x, y = trained.data()
    return catboost.CatBoostClassifier(iterations=30, depth=4, verbose=False, allow_writing_files=False).fit(x, y)


# -- the wrappers ------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", sizes("lightgbm"))
def test_lightgbm_wrapper_answers_as_the_library_with_its_default_threads(size):
    clf = lightgbm_model()
    model = MLSLightGBMModel(clf, "threads_model", "v1", trained.FEATURES)
    rows = ROWS[:size]
    same_bits(model.predict_scores(rows), clf.booster_.predict(rows))
    same_bits(model.predict_scores(rows), clf.predict_proba(rows)[:, 1])


@pytest.mark.parametrize("n_jobs", [None, 1])
@pytest.mark.parametrize("size", sizes("xgboost"))
def test_xgboost_wrapper_answers_as_the_library_with_its_default_threads(size, n_jobs):
    clf = xgboost_model(n_jobs=n_jobs)
    model = MLSXGBoostModel(clf, "threads_model", "v1", trained.FEATURES)
    rows = ROWS[:size]
    same_bits(model.predict_scores(rows), clf.get_booster().inplace_predict(rows))
    same_bits(model.predict_scores(rows), clf.predict_proba(rows)[:, 1])


@pytest.mark.parametrize("size", sizes("catboost"))
def test_catboost_wrapper_answers_as_the_library_with_its_default_threads(size):
    clf = catboost_model()
    model = MLSCatBoostModel(clf, "threads_model", "v1", trained.FEATURES)
    rows = ROWS[:size]
    same_bits(model.predict_scores(rows), clf.predict_proba(rows)[:, 1])


@pytest.mark.parametrize("size", [1, 16, 4096])
def test_pytorch_wrapper_answers_as_the_module_and_leaves_torchs_threads_alone(size):
    import torch

    net = trained.torch_model()
    model = MLSPyTorchModel(net, "threads_model", "v1", trained.FEATURES)
    threads = torch.get_num_threads()
    rows = np.random.default_rng(2).normal(size=(size, len(trained.FEATURES)))
    with torch.inference_mode():
        expected = net(torch.from_numpy(rows.astype(np.float32))).numpy().reshape(-1)
    same_bits(model.predict_scores(rows), expected)
    assert torch.get_num_threads() == threads


def test_lightgbm_wrapper_asks_for_one_thread_below_the_threshold_only():
    import lightgbm

    calls: list[dict] = []

    class RecordingBooster(lightgbm.Booster):
        def predict(self, data, *args, **kwargs):
            calls.append(kwargs)
            return super().predict(data, *args, **kwargs)

    booster = RecordingBooster(model_str=lightgbm_model().booster_.model_to_string())
    model = MLSLightGBMModel(booster, "threads_model", "v1", trained.FEATURES)
    threshold = _threads.THREADED_ROWS["lightgbm"]
    model.predict_scores(ROWS[0])
    model.predict_scores(ROWS[: threshold - 1])
    model.predict_scores(ROWS[:threshold])
    assert calls == [{"num_threads": 1}, {"num_threads": 1}, {}]


def test_xgboost_wrapper_predicts_small_batches_on_a_single_thread_copy_and_leaves_the_model_alone():
    clf = xgboost_model()
    model = MLSXGBoostModel(clf, "threads_model", "v1", trained.FEATURES)
    model.predict_scores(ROWS[: _threads.THREADED_ROWS["xgboost"]])
    assert "_cache_single_thread_booster" not in model.__dict__  # a large batch: the model's own booster

    model.predict_scores(ROWS[0])
    single = model.__dict__["_cache_single_thread_booster"]
    assert single is not clf.get_booster()
    assert nthread(single) == "1"
    assert nthread(clf.get_booster()) == "0"  # the user's booster keeps its own setting


def test_an_xgboost_model_trained_on_one_thread_is_its_own_single_thread_copy():
    clf = xgboost_model(n_jobs=1)
    assert _threads.xgboost_single_thread(clf) is clf
    assert _threads.xgboost_single_thread(clf.get_booster()) is clf.get_booster()


@pytest.mark.parametrize(
    ("wrapper", "make"),
    [(MLSLightGBMModel, lightgbm_model), (MLSXGBoostModel, xgboost_model), (MLSCatBoostModel, catboost_model)],
)
def test_a_wrapper_answers_the_same_from_concurrent_threads(wrapper, make):
    clf = make()
    model = wrapper(clf, "threads_model", "v1", trained.FEATURES)
    batches = [ROWS[:1], ROWS[:16], ROWS[: _threads.THREADED_ROWS[model.model_lib]]]
    expected = [clf.predict_proba(rows)[:, 1] for rows in batches]
    failures: list[str] = []

    def work(index: int) -> None:
        for _ in range(5):
            for rows, scores in zip(batches, expected):
                if model.predict_scores(rows).tobytes() != scores.tobytes():
                    failures.append(f"thread {index}: {len(rows)} rows differ")

    threads = [threading.Thread(target=work, args=(index,)) for index in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert failures == []


def test_catboost_wrapper_asks_for_one_thread_below_the_threshold_only():
    import catboost

    calls: list[dict] = []

    class RecordingClassifier(catboost.CatBoostClassifier):
        def predict(self, data, *args, **kwargs):
            calls.append({key: value for key, value in kwargs.items() if key == "thread_count"})
            return super().predict(data, *args, **kwargs)

    x, y = trained.data()
    clf = RecordingClassifier(iterations=10, depth=3, verbose=False, allow_writing_files=False).fit(x, y)
    model = MLSCatBoostModel(clf, "threads_model", "v1", trained.FEATURES)
    calls.clear()
    threshold = _threads.THREADED_ROWS["catboost"]
    model.predict_scores(ROWS[0])
    model.predict_scores(ROWS[:threshold])
    assert calls == [{"thread_count": 1}, {}]


# -- models called by name (GenericLogicModel, the contrib models) -----------------------------------


@pytest.mark.parametrize("method", ["predict", "predict_proba"])
@pytest.mark.parametrize("make", [lightgbm_model, xgboost_model, catboost_model])
def test_a_library_model_called_by_name_answers_as_called_directly(make, method):
    clf = make()
    library = libraries.library_of(clf)
    assert library is not None
    for size in sizes(library.name):
        rows = ROWS[:size]
        same_bits(libraries.predict(clf, method, rows), getattr(clf, method)(rows))


def test_a_lightgbm_booster_called_by_name_answers_as_called_directly():
    booster = lightgbm_model().booster_
    for size in sizes("lightgbm"):
        same_bits(libraries.predict(booster, "predict", ROWS[:size]), booster.predict(ROWS[:size]))


def test_models_of_other_libraries_are_called_as_they_are():
    from sklearn.linear_model import LogisticRegression

    x, y = trained.data()
    clf = LogisticRegression().fit(x, y)
    assert libraries.library_of(clf) is None
    same_bits(libraries.predict(clf, "predict_proba", ROWS[:1]), clf.predict_proba(ROWS[:1]))


def test_libraries_are_told_apart_by_their_model_classes():
    import catboost
    import lightgbm
    import xgboost

    assert libraries.library_of(lightgbm.LGBMRegressor()) is libraries.for_lib("lightgbm")
    assert libraries.library_of(xgboost.XGBRegressor()) is libraries.for_lib("xgboost")
    assert libraries.library_of(catboost.CatBoostRegressor()) is libraries.for_lib("catboost")
    assert libraries.library_of(object()) is None


def test_lightgbm_called_by_name_asks_for_one_thread_below_the_threshold_only():
    import lightgbm

    calls: list[dict] = []

    class RecordingClassifier(lightgbm.LGBMClassifier):
        def predict_proba(self, X, *args, **kwargs):
            calls.append(kwargs)
            return super().predict_proba(X, *args, **kwargs)

    x, y = trained.data()
    clf = RecordingClassifier(n_estimators=5, verbose=-1).fit(x, y)
    libraries.predict(clf, "predict_proba", ROWS[:1])
    libraries.predict(clf, "predict_proba", ROWS[: _threads.THREADED_ROWS["lightgbm"]])
    assert calls == [{"num_threads": 1}, {}]


def test_an_xgboost_model_refit_in_place_answers_with_its_new_trees():
    import xgboost

    x, y = trained.data()
    clf = xgboost.XGBClassifier(n_estimators=10, max_depth=3).fit(x, y)
    before = libraries.predict(clf, "predict_proba", ROWS[:1])
    clf.fit(x, 1 - y)  # a new booster: its own single-thread copy
    after = libraries.predict(clf, "predict_proba", ROWS[:1])
    same_bits(after, clf.predict_proba(ROWS[:1]))
    assert after.tobytes() != before.tobytes()


def test_an_xgboost_model_and_its_booster_each_get_a_single_thread_copy_of_their_own_kind():
    import xgboost

    clf = xgboost_model()
    booster_copy = _threads.xgboost_single_thread(clf.get_booster())
    model_copy = _threads.xgboost_single_thread(clf)
    assert isinstance(booster_copy, xgboost.Booster) and nthread(booster_copy) == "1"
    assert isinstance(model_copy, xgboost.XGBClassifier) and nthread(model_copy.get_booster()) == "1"
    same_bits(model_copy.predict_proba(ROWS[:16]), clf.predict_proba(ROWS[:16]))
