"""CatBoost: classifiers score with the probability (of the positive class if binary)."""

from __future__ import annotations

from typing import Any, cast

from mls_async._exceptions import MLSModelError
from mls_async.models._threads import one_thread
from mls_async.models.libraries import Library

__all__ = ["LIBRARY"]


class CatBoost(Library):
    model_types = ("catboost", ("CatBoost",))

    def check_model(self, model: Any) -> None:
        import catboost

        if not isinstance(model, catboost.CatBoost):
            raise MLSModelError(f"MLSCatBoostModel needs a catboost model, got {type(model).__name__}")

    def version(self) -> str:
        import catboost

        return cast("str", catboost.__version__)

    def predict_matrix(self, wrapper: Any, matrix: Any) -> Any:
        import catboost

        model = wrapper.models[0]
        # See _threads: one thread for a small batch, CatBoost's default (all cores) for a large one.
        threads = {"thread_count": 1} if one_thread("catboost", len(matrix)) else {}
        if isinstance(model, catboost.CatBoostClassifier):
            probabilities = model.predict(matrix, prediction_type="Probability", **threads)
            return probabilities[:, 1] if probabilities.shape[1] == 2 else probabilities
        return model.predict(matrix, **threads)

    def call(self, model: Any, method: str, matrix: Any) -> Any:
        if one_thread("catboost", len(matrix)):
            return getattr(model, method)(matrix, thread_count=1)
        return getattr(model, method)(matrix)


LIBRARY = CatBoost("catboost")
