"""``GenericLogicModel``: a model driven by declarative pre- and post-processing logic.

The logic is data (the JSON-logic dialect of :mod:`mls_async.logic`), stored in
model.json-safe form; it may read features from profiles (``pf``) during inference,
concurrently. Between the two steps the model's ``predict_fn`` runs on the
preprocessed row. Trainable with AutoGluon through ``MLSTrainable.fit``.
"""

from __future__ import annotations

from typing import Any

from mls_async.logic import ALLOWED_TOP_LEVEL, LogicError, LogicProcessor, validate_logic
from mls_async.models._base import MLSModelError
from mls_async.models._batching import MicroBatcher
from mls_async.models._generic import MLSGenericModel
from mls_async.models._library import _LibraryModel
from mls_async.models._trainable import MLSTrainable

__all__ = ["GenericLogicModel", "PREDICT_FNS"]

PREDICT_FNS = ("predict", "predict_proba", "none")


def _default_postprocess() -> dict:
    return {"list": [{"dict": ["id", "id", "name", "name", "type", "type", "props",
                               {"dict": ["score", {"var": "y"}]}]}]}


def _check_logic(logic: Any, name: str) -> None:
    if not isinstance(logic, dict):
        raise MLSModelError(f"{name} must be a dict logic such as {{'merge': [...]}}, got {type(logic).__name__}")
    unknown = [key for key in logic if key not in ALLOWED_TOP_LEVEL]
    if unknown:
        raise MLSModelError(f"{name} has unknown top-level operators {unknown}")
    try:
        validate_logic(logic, name)
    except LogicError as exc:
        raise MLSModelError(str(exc)) from exc


class GenericLogicModel(MLSGenericModel, MLSTrainable):
    """Preprocess logic -> ``models[0].<predict_fn>`` -> postprocess logic -> ``{"items": ...}``.

    Args:
        model_name, model_version, features: as for every ``MLSModel``.
        model: a trained model with ``predict``/``predict_proba``, or None to train with ``fit``.
        preprocess_logic: turns the feature values (``{"var": name}``) into the model's row;
            default: the features in order.
        postprocess_logic: turns ``y`` (the prediction) and the features into the items list.
        predict_fn: ``"predict"``, ``"predict_proba"`` or ``"none"`` (no model call, ``y`` is None).
        data: static values available to both logics (they override feature values).
    """

    def __init__(self, model_name: str, model_version: str, features: list[str], model: Any = None,
                 preprocess_logic: dict | None = None, postprocess_logic: dict | None = None,
                 predict_fn: str = "predict", data: dict | None = None) -> None:
        if not isinstance(features, list):
            raise MLSModelError(f"features must be a list, got {type(features).__name__}")
        if predict_fn not in PREDICT_FNS:
            raise MLSModelError(f"predict_fn={predict_fn!r} is not valid; use one of: {', '.join(PREDICT_FNS)}")
        if data is not None and not isinstance(data, dict):
            raise MLSModelError(f"data must be a dict, got {type(data).__name__}")
        preprocess_logic = preprocess_logic if preprocess_logic is not None else {
            "merge": [{"var": f} for f in features]}
        postprocess_logic = postprocess_logic if postprocess_logic is not None else _default_postprocess()
        _check_logic(preprocess_logic, "preprocess_logic")
        _check_logic(postprocess_logic, "postprocess_logic")
        super().__init__([model], model_name, model_version, features)
        self.preprocess_logic = preprocess_logic
        self.postprocess_logic = postprocess_logic
        self.predict_fn = predict_fn
        self.data = dict(data or {})

    def _inputs(self, x: list[Any], kwargs: dict[str, Any]) -> dict[str, Any]:
        if not isinstance(x, (list, tuple)):
            raise MLSModelError(f"{self.model_name}: x must be a list of feature values, got {type(x).__name__}")
        self._check_row_length(list(x))
        data = {name: value for name, value in zip(self.features or [], x)
                if value is not None and not (isinstance(value, list) and not value)}  # None and [] use defaults
        data["additional_keys"] = kwargs.get("keys", [])
        data.update(self.data)
        return data

    async def _preprocess_and_predict(self, x: list[Any], kwargs: dict[str, Any]) -> tuple[LogicProcessor, dict, Any]:
        processor = LogicProcessor(kwargs.get("pf_client"), kwargs.get("graph_client"), kwargs.get("dynamodb_client"),
                                   cache=self.__dict__.setdefault("_cache_logic", {}))
        data = self._inputs(x, kwargs)
        try:
            row = await processor.evaluate(self.preprocess_logic, data)
        except Exception as exc:
            raise MLSModelError(f"GenericLogicModel: preprocessing failed: {type(exc).__name__}: {exc}") from exc
        try:
            y = await self._ml_predict(row)
        except MLSModelError:
            raise
        except Exception as exc:
            raise MLSModelError(f"GenericLogicModel: the model's {self.predict_fn} failed: "
                                f"{type(exc).__name__}: {exc}") from exc
        return processor, data, y

    async def _ml_predict(self, row: Any) -> Any:
        if self.predict_fn == "none":
            return None
        model = self.models[0] if self.models else None
        if model is None or not hasattr(model, self.predict_fn):
            raise MLSModelError(f"{self.model_name}: models[0] has no {self.predict_fn}(); pass model=... or fit()")
        if row and isinstance(row[0], list):  # the logic built several rows: one call for them
            output = self._predict_rows(row)
            y = output.tolist() if hasattr(output, "tolist") else list(output)
            return y[0] if len(y) == 1 else y
        output = await self._batcher().predict(row)  # concurrent single rows share one call
        return output.tolist() if hasattr(output, "tolist") else output

    def _batcher(self) -> MicroBatcher:
        batcher = self.__dict__.get("_cache_batcher")
        if batcher is None:
            # AutoGluon's predict costs milliseconds of CPU: always off the event loop.
            offload = 0 if self.model_lib == "autogluon" else _LibraryModel.inline_max_rows
            batcher = self._cache_batcher = MicroBatcher(self._predict_rows, offload_above=offload)
        return batcher

    def _predict_rows(self, rows: list[Any]) -> Any:
        """The model's ``predict_fn`` on ``rows``: one output per row."""
        method = getattr(self.models[0], self.predict_fn)
        if self.model_lib == "autogluon":
            import pandas as pd

            columns = list(getattr(self, "training_features", None) or self.features or [])
            return method(pd.DataFrame(rows, columns=columns), as_pandas=False)
        import numpy as np

        return method(np.asarray(rows))

    async def predict_y_async(self, x: list[Any], **kwargs: Any) -> Any:
        """Only the model's output for ``x`` (after preprocessing), without postprocessing."""
        return (await self._preprocess_and_predict(x, kwargs))[2]

    async def predict_async(self, x: list[Any], **kwargs: Any) -> dict[str, Any]:
        processor, data, y = await self._preprocess_and_predict(x, kwargs)
        data["y"] = y
        try:
            items = await processor.evaluate(self.postprocess_logic, data)
        except Exception as exc:
            raise MLSModelError(f"GenericLogicModel: postprocessing failed: {type(exc).__name__}: {exc}") from exc
        return {"items": items or []}
