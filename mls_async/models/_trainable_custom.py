"""``MLSTrainableCustom``: ``MLSTrainable`` with AutoGluon's presets, as the original's Eureka models train.

Where ``MLSTrainable`` trains CatBoost alone, this trains AutoGluon's preset model zoo
(``medium_quality_faster_train``, or ``good_quality_faster_inference_only_refit`` with
``ensemble=True``) less ``excluded_model_types``, keeping the top ``k`` (30) features.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mls_async.models._base import MLSModelError
from mls_async.models._trainable import MLSTrainable

__all__ = ["EXCLUDED_MODEL_TYPES", "MLSTrainableCustom"]

EXCLUDED_MODEL_TYPES = ("FASTTEXT", "AG_TEXT_NN", "TRANSF", "custom")


class MLSTrainableCustom(MLSTrainable):
    """Train with AutoGluon's presets; ``batch_prediction`` scores a whole frame."""

    def fit(  # type: ignore[override]
        self,
        train_data: Any,
        test_data: Any,
        label: str,
        non_training_features: list[str] | None = None,
        eval_metric: str = "roc_auc",
        k: int = 30,
        time_limit: float | None = None,
        ensemble: bool = False,
        num_trials: int = 5,
        search_strategy: str = "auto",
        excluded_model_types: list[str] | None = None,
        *,
        hyperparameters: dict[str, Any] | None = None,
        verbose: bool = False,
        progress: bool = True,
        work_dir: str | Path | None = None,
    ) -> None:
        """As :meth:`MLSTrainable.fit`, on AutoGluon's presets.

        ``num_trials`` and ``search_strategy`` are recorded on the model, as the original
        does (it does not tune with them either). ``hyperparameters`` narrows the model zoo.
        """
        self.num_trials = num_trials
        self.search_strategy = search_strategy
        self.excluded_model_types = list(EXCLUDED_MODEL_TYPES if excluded_model_types is None else excluded_model_types)
        super().fit(
            train_data,
            test_data,
            label,
            non_training_features,
            eval_metric,
            hyperparameters,
            k,
            time_limit,
            ensemble,
            verbose=verbose,
            progress=progress,
            work_dir=work_dir,
        )

    def _fit_arguments(self, hyperparameters: dict[str, Any] | None, ensemble: bool) -> dict[str, Any]:
        arguments: dict[str, Any] = {
            "presets": "good_quality_faster_inference_only_refit" if ensemble else "medium_quality_faster_train",
            "excluded_model_types": list(getattr(self, "excluded_model_types", EXCLUDED_MODEL_TYPES)),
        }
        if hyperparameters is not None:
            arguments["hyperparameters"] = hyperparameters
        return arguments

    def batch_prediction(self, batch_data: Any) -> Any:
        """``predict`` or ``predict_proba`` (the model's ``predict_fn``) of the predictor on a DataFrame."""
        predict_fn = getattr(self, "predict_fn", None)
        if predict_fn not in ("predict", "predict_proba"):
            raise MLSModelError(f"batch_prediction needs predict_fn 'predict' or 'predict_proba', got {predict_fn!r}")
        return getattr(self._predictor(), predict_fn)(batch_data)
