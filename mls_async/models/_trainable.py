"""``MLSTrainable``: train a model's predictor with AutoGluon, keeping the top-k features.

A mixin for an ``MLSModel`` subclass (``GenericLogicModel``): ``fit`` stores a
``TabularPredictor`` as ``models[0]``. The predictor's files travel with the
registered model (``autogluon/`` beside model.joblib) and are loaded back after the
model is unpickled, so predictions after a reload equal those before.
"""

from __future__ import annotations

import shutil
import tempfile
import time
import typing
import weakref
from pathlib import Path
from typing import Any

from mls_async._artifacts import default_model_dir
from mls_async._extras import needs_extra
from mls_async._libraries import library_version
from mls_async.models._base import MLSModel, MLSModelError

__all__ = ["MLSTrainable", "CLASSIFICATION_METRICS", "REGRESSION_METRICS", "PREDICTOR_DIR"]

PREDICTOR_DIR = "autogluon"
CLASSIFICATION_METRICS = frozenset(
    {
        "accuracy",
        "balanced_accuracy",
        "f1",
        "f1_macro",
        "f1_micro",
        "f1_weighted",
        "roc_auc",
        "average_precision",
        "precision",
        "precision_macro",
        "precision_micro",
        "precision_weighted",
        "recall",
        "recall_macro",
        "recall_micro",
        "recall_weighted",
        "log_loss",
        "pac_score",
    }
)
REGRESSION_METRICS = frozenset(
    {
        "root_mean_squared_error",
        "mean_squared_error",
        "mean_absolute_error",
        "median_absolute_error",
        "r2",
    }
)
_BINARY_ONLY = frozenset({"roc_auc", "average_precision", "f1", "precision", "recall"})


class _PredictorOnDisk:
    """Stands in for the predictor inside model.joblib; the files are in ``autogluon/``."""

    def __repr__(self) -> str:
        return "<AutoGluon predictor, loaded from the model directory>"


def _is_predictor(model: Any) -> bool:
    """An AutoGluon predictor (a LightGBM booster also has ``feature_importance``: not enough)."""
    return type(model).__module__.startswith("autogluon.") and hasattr(model, "path")


def _check_metric(metric: str, problem_type: str) -> None:
    if problem_type == "regression":
        if metric not in REGRESSION_METRICS:
            raise MLSModelError(
                f"eval_metric={metric!r} does not fit this regression problem; use one of: "
                f"{', '.join(sorted(REGRESSION_METRICS))}"
            )
    elif metric not in CLASSIFICATION_METRICS:
        raise MLSModelError(
            f"eval_metric={metric!r} does not fit this {problem_type} problem; use one of: "
            f"{', '.join(sorted(CLASSIFICATION_METRICS))}"
        )
    elif problem_type == "multiclass" and metric in _BINARY_ONLY:
        raise MLSModelError(
            f"eval_metric={metric!r} needs a binary label; for {problem_type} use e.g. accuracy, f1_macro or log_loss"
        )


class _Progress:
    """A tqdm bar (notebook-aware) over the fit's steps, silent when ``show`` is False."""

    def __init__(self, total: int, show: bool, name: str) -> None:
        self._bar = None
        if show:
            from tqdm.auto import tqdm

            self._bar = tqdm(total=total, desc=f"fit {name}", unit="step", leave=True)

    def step(self, label: str) -> None:
        if self._bar is not None:
            self._bar.set_postfix_str(label)
            self._bar.update(1)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


class MLSTrainable:
    """AutoGluon training for an ``MLSModel`` subclass (mix in after it)."""

    # Provided by the MLSModel this is mixed into.
    models: Any
    features: Any
    model_name: str
    model_version: str
    model_lib: Any
    model_lib_version: Any

    def _require_model(self) -> None:
        if not isinstance(self, MLSModel):
            raise MLSModelError(
                f"{type(self).__name__} mixes in MLSTrainable without MLSModel; "
                "declare it as class MyModel(MLSGenericModel, MLSTrainable)"
            )

    def _predictor(self) -> Any:
        self._require_model()
        models = getattr(self, "models", None)
        predictor = models[0] if models else None
        if not _is_predictor(predictor):
            raise MLSModelError(f"{self.model_name}: no trained predictor; call fit(...) first")
        return predictor

    def _training_frame(self, data: Any, name: str) -> Any:
        import pandas as pd

        if not isinstance(data, pd.DataFrame):
            raise MLSModelError(f"{name} must be a pandas DataFrame, got {type(data).__name__}")
        columns = [*self.training_features, self.label]
        missing = [c for c in columns if c not in data.columns]
        if missing:
            raise MLSModelError(f"{name} lacks the columns {missing}")
        return data[columns]

    def fit(
        self,
        train_data: Any,
        test_data: Any,
        label: str,
        non_training_features: list[str] | None = None,
        eval_metric: str = "roc_auc",
        hyperparameters: dict[str, Any] | None = None,
        k: int = 20,
        time_limit: float | None = None,
        ensemble: bool = False,
        *,
        verbose: bool = False,
        progress: bool = True,
        work_dir: str | Path | None = None,
    ) -> None:
        """Train, rank features on ``test_data``, keep the top ``k`` and retrain on them.

        ``time_limit`` (seconds) is shared by every fit. Features in
        ``non_training_features`` stay in ``features`` (for post-processing) but are not
        trained on. ``ensemble=False`` keeps inference to one model. The predictors are
        written under ``work_dir`` (default: the system's temporary directory); the
        intermediate one is removed at once, the final one when this model object goes
        away (``save`` copies it into the version).
        """
        self._require_model()
        self._cache_work_dir = str(work_dir) if work_dir is not None else None
        with needs_extra("autogluon", f"{type(self).__name__}.fit"):
            import pandas as pd
            from autogluon.core.utils import infer_problem_type

        non_training = list(non_training_features or [])
        for name, frame in (("train_data", train_data), ("test_data", test_data)):
            if not isinstance(frame, pd.DataFrame):
                raise MLSModelError(f"{name} must be a pandas DataFrame, got {type(frame).__name__}")
            if label not in frame.columns:
                raise MLSModelError(f"label {label!r} is not a column of {name}")
        if not isinstance(k, int) or k < 1:
            raise MLSModelError(f"k must be a positive int, got {k!r}")
        features = list(self.features or [])
        training = [f for f in features if f not in non_training]
        missing = [f for f in training if f not in train_data.columns]
        if missing:
            raise MLSModelError(f"train_data lacks the features {missing}")
        problem_type = infer_problem_type(train_data[label], silent=True)
        _check_metric(eval_metric, problem_type)

        self.label, self.metric, self.non_training_features = label, eval_metric, non_training
        self.problem_type = problem_type
        self.training_features = training
        deadline = None if time_limit is None else time.monotonic() + time_limit
        refit = len(training) > k
        bar = _Progress(total=4 if refit else 2, show=progress, name=self.model_name)
        try:
            share = None if time_limit is None else (time_limit / 2 if refit else time_limit)
            predictor = self._fit_once(train_data, hyperparameters, share, ensemble, verbose)
            bar.step("trained on all features")
            importance = self._importance(predictor, test_data, deadline)
            bar.step("ranked features")
            if refit:
                self.training_features = training = list(importance.index[:k])
                left = None if deadline is None else max(1.0, deadline - time.monotonic())
                retrained = self._fit_once(train_data, hyperparameters, left, ensemble, verbose)
                shutil.rmtree(predictor.path, ignore_errors=True)
                predictor = retrained
                bar.step(f"retrained on the top {k} features")
                importance = self._importance(predictor, test_data, deadline)
                bar.step("ranked again")
        finally:
            bar.close()
        self.features = training + non_training
        if hasattr(self, "preprocess_logic"):
            self.preprocess_logic = {"merge": [{"var": f} for f in training]}
        self.models = [predictor]
        self.model_lib = "autogluon"
        self.model_lib_version = library_version("autogluon")
        self.feature_importance = {str(k_): float(v) for k_, v in importance.items()}
        self.performance = self.evaluate(test_data)
        self.model_info = {
            "best_model": predictor.model_best,
            "problem_type": problem_type,
            "num_training_features": len(training),
            "eval_metric": eval_metric,
        }

    def _fit_once(
        self,
        train_data: Any,
        hyperparameters: dict[str, Any] | None,
        time_limit: float | None,
        ensemble: bool,
        verbose: bool,
    ) -> Any:
        from autogluon.tabular import TabularPredictor

        path = tempfile.mkdtemp(prefix=f"mls-training-{self.model_name}-", dir=self._training_dir())
        weakref.finalize(self, shutil.rmtree, path, True)  # also at exit: training files never linger
        predictor = TabularPredictor(
            label=self.label,
            eval_metric=self.metric,
            path=path,
            problem_type=self.problem_type,
            verbosity=2 if verbose else 0,
        )
        predictor.fit(
            self._training_frame(train_data, "train_data"),
            time_limit=time_limit,
            **self._fit_arguments(hyperparameters, ensemble),
        )
        if not ensemble:
            predictor.delete_models(models_to_keep="best", dry_run=False)
        return predictor

    def _fit_arguments(self, hyperparameters: dict[str, Any] | None, ensemble: bool) -> dict[str, Any]:
        """What ``TabularPredictor.fit`` gets besides the data and the time limit."""
        return {
            "hyperparameters": hyperparameters if hyperparameters is not None else {"CAT": {}},
            "fit_weighted_ensemble": ensemble,
            "num_bag_folds": 0,
            "num_stack_levels": 0,
        }

    def _importance(self, predictor: Any, test_data: Any, deadline: float | None) -> Any:
        left = None if deadline is None else max(1.0, deadline - time.monotonic())
        frame = predictor.feature_importance(
            self._training_frame(test_data, "test_data"), silent=True, time_limit=left, num_shuffle_sets=3
        )
        return frame["importance"].sort_values(ascending=False)

    def _training_dir(self) -> str | None:
        work_dir = self.__dict__.get("_cache_work_dir")
        if work_dir is not None:
            Path(work_dir).mkdir(parents=True, exist_ok=True)
        return work_dir

    def evaluate(self, test_data: Any) -> dict[str, float]:
        """Metrics of the trained predictor on ``test_data``."""
        predictor = self._predictor()
        scores = predictor.evaluate(self._training_frame(test_data, "test_data"), silent=True)
        return {name: float(value) for name, value in scores.items()}

    def get_feature_importance(self, test_data: Any) -> Any:
        """Permutation importance of each training feature on ``test_data`` (a pandas Series)."""
        return self._importance(self._predictor(), test_data, None)

    # -- persistence ---------------------------------------------------------------------
    def persist_models(self) -> None:
        """Keep the predictor's models in memory (faster predictions)."""
        self._predictor().persist(models="all")

    def unpersist_models(self) -> None:
        """Release the models kept in memory."""
        self._predictor().unpersist()

    def get_model_names_persisted(self) -> list[str]:
        return list(self._predictor().model_names(persisted=True))

    def set_local_path(self, path: str | Path | None = None) -> None:
        """Load the predictor from a model directory (default ``{model_dir}/{name}/{version}``)."""
        directory = Path(path) if path is not None else (default_model_dir() / self.model_name / self.model_version)
        self._load_predictor(directory)

    def set_mms_path(self) -> None:
        """Load the predictor from the serving runtime's layout, ``/models/{name}/{version}``."""
        self._load_predictor(Path("/models") / self.model_name / self.model_version)

    def _load_predictor(self, directory: Path) -> None:
        with needs_extra("autogluon", f"loading {type(self).__name__}'s AutoGluon predictor"):
            from autogluon.tabular import TabularPredictor

        source = directory / PREDICTOR_DIR
        if not source.is_dir():
            raise MLSModelError(f"no AutoGluon predictor at {source}")
        self.models = [TabularPredictor.load(str(source), verbosity=0, require_py_version_match=False)]

    def _trained(self) -> bool:
        models = getattr(self, "models", None) or []
        return bool(models) and _is_predictor(models[0])

    def write_artifacts(self, directory: Path) -> None:
        parent = getattr(super(), "write_artifacts", None)
        if parent is not None:
            parent(directory)
        if self._trained():
            shutil.copytree(self.models[0].path, directory / PREDICTOR_DIR)

    def after_load(self, directory: Path) -> None:
        parent = getattr(super(), "after_load", None)
        if parent is not None:
            parent(directory)
        if (directory / PREDICTOR_DIR).is_dir():
            self._load_predictor(directory)

    def __getstate__(self) -> dict[str, Any]:
        state = dict(typing.cast(dict[str, Any], super().__getstate__()))
        if self._trained():
            state["models"] = [_PredictorOnDisk(), *state["models"][1:]]
        return state
