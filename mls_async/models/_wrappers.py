"""The library wrappers: LightGBM, XGBoost, CatBoost and PyTorch (each imported lazily).

Each is a name for pickles and users; what it does for its library is the library's
object in :mod:`mls_async.models.libraries`, found by ``model_lib_name``.
"""

from __future__ import annotations

from typing import Any

from mls_async.models._library import _LibraryModel

__all__ = ["MLSLightGBMModel", "MLSXGBoostModel", "MLSCatBoostModel", "MLSPyTorchModel"]


class MLSLightGBMModel(_LibraryModel):
    """A LightGBM ``Booster`` or sklearn-API model; predicts with ``Booster.predict`` on numpy."""

    model_lib_name = "lightgbm"

    def __init__(self, model: Any, model_name: str, model_version: str, features: list[str] | None = None) -> None:
        super().__init__(model, model_name, model_version, features)


class MLSXGBoostModel(_LibraryModel):
    """An XGBoost ``Booster`` or sklearn-API model; predicts with ``Booster.inplace_predict``."""

    model_lib_name = "xgboost"


class MLSCatBoostModel(_LibraryModel):
    """A CatBoost model; classifiers score with the probability (of the positive class if binary)."""

    model_lib_name = "catboost"


class MLSPyTorchModel(_LibraryModel):
    """A ``torch.jit.ScriptModule`` taking a float32 batch; pickled through ``torch.jit.save``.

    It runs on torch's own intra-op threads, which are process-wide and left to the service
    (``torch.set_num_threads(1)`` at start-up for small batches at a steady rate; see _threads).
    """

    model_lib_name = "pytorch"

    def __getstate__(self) -> dict[str, Any]:
        return self._rules().pickled(self, super().__getstate__())

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(self._rules().unpickled(state))
