"""LightGBM: a ``Booster`` or an sklearn-API model, predicting on numpy with ``Booster.predict``."""

from __future__ import annotations

from typing import Any, cast

from mls_async._exceptions import MLSModelError
from mls_async.models._threads import one_thread
from mls_async.models.extension import runtime_cache
from mls_async.models.libraries import Library

__all__ = ["LIBRARY"]


class LightGBM(Library):
    model_types = ("lightgbm", ("Booster", "LGBMModel"))

    def check_model(self, model: Any) -> None:
        import lightgbm

        if not isinstance(model, (lightgbm.Booster, lightgbm.LGBMModel)):
            raise MLSModelError(f"MLSLightGBMModel needs a lightgbm.Booster or LGBMModel, got {type(model).__name__}")

    def default_features(self, model: Any) -> list[str] | None:
        booster = model.booster_ if hasattr(model, "booster_") else model
        return cast("list[str] | None", booster.feature_name())

    def predict_matrix(self, wrapper: Any, matrix: Any) -> Any:
        model = wrapper.models[0]
        booster = runtime_cache(
            wrapper, "_cache_booster", lambda: model.booster_ if hasattr(model, "booster_") else model
        )
        if one_thread("lightgbm", len(matrix)):  # see _threads: the same scores, without waking OpenMP
            return booster.predict(matrix, num_threads=1)
        return booster.predict(matrix)

    def call(self, model: Any, method: str, matrix: Any) -> Any:
        if one_thread("lightgbm", len(matrix)):  # applied for the duration of the call (see _threads)
            return getattr(model, method)(matrix, num_threads=1)
        return getattr(model, method)(matrix)


LIBRARY = LightGBM("lightgbm")
