"""Where a wrapper's batch runs: inline when small or measured cheap, in a worker thread otherwise."""

from __future__ import annotations

import threading

import numpy as np

from mls_async.models import MLSLightGBMModel
from tests import trained


def _wrapped() -> tuple[MLSLightGBMModel, list[int]]:
    """A real small LightGBM wrapper that records the thread of each library call."""
    model = MLSLightGBMModel(trained.lightgbm_model(), "offload_model", "v1", trained.FEATURES)
    threads: list[int] = []
    predict_matrix = model._predict_matrix

    def recording(matrix):
        threads.append(threading.get_ident())
        return predict_matrix(matrix)

    model._predict_matrix = recording  # type: ignore[method-assign]
    return model, threads


async def test_small_batches_run_inline_and_large_ones_in_a_thread_until_measured_cheap():
    model, threads = _wrapped()
    rows = np.random.default_rng(0).normal(size=(500, len(trained.FEATURES)))
    loop_thread = threading.get_ident()

    await model.predict_scores_async(rows[:8])
    assert threads[-1] == loop_thread

    first = await model.predict_scores_async(rows)  # cost unknown: off the loop, and measured
    assert threads[-1] != loop_thread
    assert model._cache_seconds_per_row > 0

    model.offload_above_seconds = 3600.0  # measured far below the bound: the next batch stays inline
    again = await model.predict_scores_async(rows)
    assert threads[-1] == loop_thread
    np.testing.assert_array_equal(first, again)

    model.offload_above_seconds = 0.0  # measured above the bound: off the loop again
    await model.predict_scores_async(rows)
    assert threads[-1] != loop_thread


def test_the_measured_cost_is_not_pickled():
    import pickle

    model = MLSLightGBMModel(trained.lightgbm_model(), "offload_model", "v1", trained.FEATURES)
    model._measured_predict(np.zeros((100, len(trained.FEATURES))))
    assert model._cache_seconds_per_row > 0
    assert "_cache_seconds_per_row" not in pickle.loads(pickle.dumps(model)).__dict__
