"""``_LibraryModel``: shared behaviour of the wrappers around one trained library model.

``x`` is one row of feature values in ``features`` order, or a list of such rows. It
is converted straight to a numpy matrix (no pandas on the hot path) and handed to the
library's fastest predict. Up to ``inline_max_rows`` rows run inline, where a thread
hop would cost more than the prediction. Larger batches run in a worker thread, so they
do not stall other requests on the event loop, unless this model's measured cost per
row says the batch takes less than ``offload_above_seconds``: a 10k-row batch of a small
network or CatBoost model takes about as long as the hop itself (see
benchmarks/bench_predict.py for both measurements).
"""

from __future__ import annotations

import time
from typing import Any, ClassVar

import anyio.to_thread

from mls_async._libraries import import_library
from mls_async.models._base import MLSModel, MLSModelError
from mls_async.models.libraries import Library, for_lib

__all__ = ["_LibraryModel", "check_features"]


def check_features(features: Any, model_name: str) -> list[str]:
    if not features:
        raise MLSModelError(f"{model_name}: `features` is empty; pass the feature names in the order of x")
    if not isinstance(features, (list, tuple)) or not all(isinstance(f, str) for f in features):
        raise MLSModelError(f"{model_name}: `features` must be a list of str, got {features!r:.80}")
    return list(features)


class _LibraryModel(MLSModel):
    model_lib_name: ClassVar[str] = ""
    inline_max_rows: ClassVar[int] = 64
    offload_above_seconds: ClassVar[float] = 0.005

    def __init__(self, model: Any, model_name: str, model_version: str, features: list[str] | None) -> None:
        super().__init__(model_name, model_version)
        import_library(self.model_lib_name)  # a missing library says which extra installs it
        self._check_model(model)
        self.models = [model]
        self.features = check_features(features if features is not None else self._default_features(model), model_name)
        self.model_lib = self.model_lib_name
        self.model_lib_version = self._library_version()

    # -- what each library defines (its object in mls_async.models.libraries) ---------------
    def _rules(self) -> Library:
        return for_lib(self.model_lib_name)

    def _check_model(self, model: Any) -> None:
        if model is None:
            raise MLSModelError(f"{type(self).__name__} needs a trained model, got None")
        self._rules().check_model(model)

    def _default_features(self, model: Any) -> list[str] | None:
        return self._rules().default_features(model)

    def _library_version(self) -> str:
        return self._rules().version()

    def _predict_matrix(self, matrix: Any) -> Any:
        return self._rules().predict_matrix(self, matrix)

    # -- rows in, scores out ---------------------------------------------------------------
    def _matrix(self, x: Any) -> tuple[Any, bool]:
        """``x`` as a 2-D float matrix, and whether it was a single row."""
        import numpy as np

        if not isinstance(x, (list, tuple)) and not hasattr(x, "shape"):
            raise MLSModelError(
                f"{self.model_name}: x must be a list of feature values or a list of rows, got {type(x).__name__}"
            )
        if len(x) == 0:
            raise MLSModelError(f"{self.model_name}: x is empty")
        if hasattr(x, "ndim"):  # an ndarray (or alike): one row when it is 1-D
            single = x.ndim == 1
        else:
            single = not isinstance(x[0], (list, tuple)) and getattr(x[0], "ndim", 0) == 0
        rows = [x] if single else x
        try:
            matrix = np.asarray(rows, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise MLSModelError(f"{self.model_name}: x must hold numbers (None for missing): {exc}") from exc
        if matrix.ndim != 2 or matrix.shape[1] != len(self.features or ()):
            self._check_row_length(list(rows[0]))
            raise MLSModelError(f"{self.model_name}: every row of x needs {len(self.features or ())} values")
        return matrix, single

    def predict_scores(self, x: Any) -> Any:
        """The library's raw prediction for ``x`` as a numpy array (one entry per row)."""
        return self._predict_matrix(self._matrix(x)[0])

    async def predict_scores_async(self, x: Any) -> Any:
        """:meth:`predict_scores`, offloaded to a thread when the batch is large."""
        matrix, _ = self._matrix(x)
        rows = len(matrix)
        if rows <= self.inline_max_rows:
            return self._predict_matrix(matrix)
        per_row = self.__dict__.get("_cache_seconds_per_row")
        if per_row is not None and rows * per_row <= self.offload_above_seconds:
            return self._measured_predict(matrix)
        return await anyio.to_thread.run_sync(self._measured_predict, matrix)

    def _measured_predict(self, matrix: Any) -> Any:
        """:meth:`_predict_matrix`, remembering its cost per row (what decides the next offload)."""
        started = time.perf_counter()
        scores = self._predict_matrix(matrix)
        self._cache_seconds_per_row = (time.perf_counter() - started) / len(matrix)
        return scores

    def _items(self, scores: Any) -> dict[str, Any]:
        values = scores.tolist()
        return {
            "items": [
                {"id": self.model_name, "name": self.model_name, "type": self.model_lib, "props": {"score": value}}
                for value in values
            ]
        }

    async def predict_async(self, x: Any, **kwargs: Any) -> dict[str, Any]:
        """One item per row, its ``props.score`` the model's prediction. Override to shape items."""
        if type(self).predict is not _LibraryModel.predict:  # a subclass written for the original: its sync predict
            return await anyio.to_thread.run_sync(lambda: self.predict(x, **kwargs))
        return self._items(await self.predict_scores_async(x))

    def predict(self, x: Any, **kwargs: Any) -> dict[str, Any]:
        if type(self).predict_async is _LibraryModel.predict_async:
            return self._items(self.predict_scores(x))  # no event loop needed for the built-in path
        return super().predict(x, **kwargs)
