"""XGBoost: a ``Booster`` or an sklearn-API model, predicting with ``Booster.inplace_predict``."""

from __future__ import annotations

from typing import Any

from mls_async._exceptions import MLSModelError
from mls_async.models._threads import one_thread, xgboost_single_thread
from mls_async.models.extension import runtime_cache
from mls_async.models.libraries import Library

__all__ = ["LIBRARY"]


class XGBoost(Library):
    model_types = ("xgboost", ("Booster", "XGBModel"))

    def check_model(self, model: Any) -> None:
        import xgboost

        if not isinstance(model, (xgboost.Booster, xgboost.XGBModel)):
            raise MLSModelError(f"MLSXGBoostModel needs an xgboost.Booster or XGBModel, got {type(model).__name__}")

    def predict_matrix(self, wrapper: Any, matrix: Any) -> Any:
        model = wrapper.models[0]
        booster = runtime_cache(
            wrapper, "_cache_booster", lambda: model.get_booster() if hasattr(model, "get_booster") else model
        )
        if one_thread("xgboost", len(matrix)):  # see _threads: a copy of the booster with nthread=1
            booster = runtime_cache(wrapper, "_cache_single_thread_booster", lambda: xgboost_single_thread(booster))
        return booster.inplace_predict(matrix)

    def call(self, model: Any, method: str, matrix: Any) -> Any:
        if one_thread("xgboost", len(matrix)):
            return getattr(xgboost_single_thread(model), method)(matrix)
        return getattr(model, method)(matrix)


LIBRARY = XGBoost("xgboost")
