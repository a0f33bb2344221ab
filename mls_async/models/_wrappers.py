"""The library wrappers: LightGBM, XGBoost, CatBoost and PyTorch (each imported lazily)."""

from __future__ import annotations

import io
from typing import Any, cast

from mls_async.models._base import MLSModelError
from mls_async.models._library import _LibraryModel
from mls_async.models._threads import one_thread, xgboost_single_thread
from mls_async.models.extension import runtime_cache

__all__ = ["MLSLightGBMModel", "MLSXGBoostModel", "MLSCatBoostModel", "MLSPyTorchModel"]


class MLSLightGBMModel(_LibraryModel):
    """A LightGBM ``Booster`` or sklearn-API model; predicts with ``Booster.predict`` on numpy."""

    model_lib_name = "lightgbm"

    def __init__(self, model: Any, model_name: str, model_version: str, features: list[str] | None = None) -> None:
        super().__init__(model, model_name, model_version, features)

    def _check_model(self, model: Any) -> None:
        import lightgbm

        if not isinstance(model, (lightgbm.Booster, lightgbm.LGBMModel)):
            raise MLSModelError(f"MLSLightGBMModel needs a lightgbm.Booster or LGBMModel, got {type(model).__name__}")

    def _default_features(self, model: Any) -> list[str] | None:
        booster = model.booster_ if hasattr(model, "booster_") else model
        return cast("list[str] | None", booster.feature_name())


    def _predict_matrix(self, matrix: Any) -> Any:
        model = self.models[0]
        booster = runtime_cache(self, "_cache_booster", lambda: model.booster_ if hasattr(model, "booster_") else model)
        if one_thread("lightgbm", len(matrix)):  # see _threads: the same scores, without waking OpenMP
            return booster.predict(matrix, num_threads=1)
        return booster.predict(matrix)


class MLSXGBoostModel(_LibraryModel):
    """An XGBoost ``Booster`` or sklearn-API model; predicts with ``Booster.inplace_predict``."""

    model_lib_name = "xgboost"

    def _check_model(self, model: Any) -> None:
        import xgboost

        if not isinstance(model, (xgboost.Booster, xgboost.XGBModel)):
            raise MLSModelError(f"MLSXGBoostModel needs an xgboost.Booster or XGBModel, got {type(model).__name__}")


    def _predict_matrix(self, matrix: Any) -> Any:
        model = self.models[0]
        booster = runtime_cache(self, "_cache_booster",
                                lambda: model.get_booster() if hasattr(model, "get_booster") else model)
        if one_thread("xgboost", len(matrix)):  # see _threads: a copy of the booster with nthread=1
            booster = runtime_cache(self, "_cache_single_thread_booster", lambda: xgboost_single_thread(booster))
        return booster.inplace_predict(matrix)


class MLSCatBoostModel(_LibraryModel):
    """A CatBoost model; classifiers score with the probability (of the positive class if binary)."""

    model_lib_name = "catboost"

    def _check_model(self, model: Any) -> None:
        import catboost

        if not isinstance(model, catboost.CatBoost):
            raise MLSModelError(f"MLSCatBoostModel needs a catboost model, got {type(model).__name__}")

    def _library_version(self) -> str:
        import catboost

        return cast("str", catboost.__version__)

    def _predict_matrix(self, matrix: Any) -> Any:
        import catboost

        model = self.models[0]
        # See _threads: one thread for a small batch, CatBoost's default (all cores) for a large one.
        threads = {"thread_count": 1} if one_thread("catboost", len(matrix)) else {}
        if isinstance(model, catboost.CatBoostClassifier):
            probabilities = model.predict(matrix, prediction_type="Probability", **threads)
            return probabilities[:, 1] if probabilities.shape[1] == 2 else probabilities
        return model.predict(matrix, **threads)


class MLSPyTorchModel(_LibraryModel):
    """A ``torch.jit.ScriptModule`` taking a float32 batch; pickled through ``torch.jit.save``.

    It runs on torch's own intra-op threads, which are process-wide and left to the service
    (``torch.set_num_threads(1)`` at start-up for small batches at a steady rate; see _threads).
    """

    model_lib_name = "pytorch"

    def _check_model(self, model: Any) -> None:
        import torch

        if not isinstance(model, torch.jit.ScriptModule):
            raise MLSModelError(
                f"MLSPyTorchModel needs a torch.jit.ScriptModule, got {type(model).__name__}; "
                "convert it with torch.jit.script(module) or torch.jit.trace(module, example)"
            )


    def _predict_matrix(self, matrix: Any) -> Any:
        import numpy as np
        import torch

        with torch.inference_mode():
            output = self.models[0](torch.from_numpy(matrix.astype(np.float32))).numpy()
        return output.reshape(-1) if output.ndim == 2 and output.shape[1] == 1 else output

    def __getstate__(self) -> dict[str, Any]:
        import torch

        state = super().__getstate__()
        buffer = io.BytesIO()
        torch.jit.save(self.models[0], buffer)
        state["models"] = None
        state["_torchscript"] = buffer.getvalue()
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        import torch

        script = state.pop("_torchscript", None)
        self.__dict__.update(state)
        if script is not None:  # None: saved by the original SDK, whose TorchScript file sits beside model.joblib
            self.models = [torch.jit.load(io.BytesIO(script), map_location="cpu")]  # serving hosts may have no GPU
