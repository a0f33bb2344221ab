"""``GenericLogicModel``: a model driven by declarative pre- and post-processing logic.

The logic is data (the JSON-logic dialect of :mod:`mls_async.logic`), stored in
model.json-safe form; it may read features from profiles (``pf``) during inference,
concurrently. Between the two steps the model's ``predict_fn`` runs on the
preprocessed row. Trainable with AutoGluon through ``MLSTrainable.fit``.
"""

from __future__ import annotations

import asyncio
from typing import Any, cast

from mls_async.models._base import MLSModelError
from mls_async.models._batching import MicroBatcher
from mls_async.models._generic import MLSGenericModel
from mls_async.models._library import _LibraryModel
from mls_async.models._trainable import MLSTrainable
from mls_async.models.contrib._logic_steps import (
    PREDICT_FNS,
    check_logic,
    check_predict_fn,
    logic_inputs,
    predict_rows,
    processor_for,
    reads_keys,
    run_logic,
)

__all__ = ["GenericLogicModel", "PREDICT_FNS", "check_logic", "default_postprocess"]


def default_postprocess() -> dict[str, Any]:
    """One item whose props hold the score ``y`` (id, name and type from features of those names)."""
    return {"list": [{"dict": ["id", "id", "name", "name", "type", "type", "props",
                               {"dict": ["score", {"var": "y"}]}]}]}


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
                 preprocess_logic: dict[str, Any] | None = None, postprocess_logic: dict[str, Any] | None = None,
                 predict_fn: str = "predict", data: dict[str, Any] | None = None) -> None:
        if not isinstance(features, list):
            raise MLSModelError(f"features must be a list, got {type(features).__name__}")
        check_predict_fn(predict_fn)
        if data is not None and not isinstance(data, dict):
            raise MLSModelError(f"data must be a dict, got {type(data).__name__}")
        preprocess_logic = preprocess_logic if preprocess_logic is not None else {
            "merge": [{"var": f} for f in features]}
        postprocess_logic = postprocess_logic if postprocess_logic is not None else default_postprocess()
        check_logic(preprocess_logic, "preprocess_logic")
        check_logic(postprocess_logic, "postprocess_logic")
        super().__init__([model], model_name, model_version, features)
        self.preprocess_logic = preprocess_logic
        self.postprocess_logic = postprocess_logic
        self.predict_fn = predict_fn
        self.data = dict(data or {})

    async def _preprocess_and_predict(self, x: list[Any], kwargs: dict[str, Any]) -> tuple[Any, dict[str, Any], Any]:
        processor = processor_for(self, kwargs)
        data = logic_inputs("GenericLogicModel", list(self.features or []), x, kwargs.get("keys"), self.data)
        row = await run_logic(processor, self.preprocess_logic, data, "GenericLogicModel", "preprocessing")
        return processor, data, await self._ml_predict(row)

    async def _ml_predict(self, row: Any) -> Any:
        try:
            return await self._model_output(row)
        except MLSModelError:
            raise
        except Exception as exc:
            raise self._model_failure(exc) from exc

    def _model_output(self, row: Any) -> asyncio.Future[Any]:
        """The model's output for ``row``, as a future: batched with concurrent single rows, else done now."""
        if self.predict_fn == "none" and self.model_lib != "pytorch":
            return _done(None)
        model = self.models[0] if self.models else None
        if model is None or (self.model_lib != "pytorch" and not hasattr(model, self.predict_fn)):
            raise MLSModelError(f"{self.model_name}: models[0] has no {self.predict_fn}(); pass model=... or fit()")
        if row and isinstance(row[0], list):  # the logic built several rows: one call for them
            answer = asyncio.get_running_loop().create_future()
            try:
                output = self._predict_rows(row)
                y = output.tolist() if hasattr(output, "tolist") else list(output)
            except Exception as exc:
                answer.set_exception(exc)
            else:
                answer.set_result(y[0] if len(y) == 1 else y)
            return answer
        return self._batcher().submit(row)  # concurrent single rows share one call

    def _model_failure(self, exc: Exception) -> MLSModelError:
        """A model call's error as the original words it (errors of ours pass through the caller)."""
        return MLSModelError(f"GenericLogicModel: the model's {self.predict_fn} failed: {type(exc).__name__}: {exc}")

    def _batcher(self) -> MicroBatcher:
        batcher = self.__dict__.get("_cache_batcher")
        if batcher is None:
            # AutoGluon's predict costs milliseconds of CPU: always off the event loop.
            offload = 0 if self.model_lib == "autogluon" else _LibraryModel.inline_max_rows
            batcher = self._cache_batcher = MicroBatcher(self._predict_plain_rows, offload_above=offload)
        return batcher

    def _predict_plain_rows(self, rows: list[Any]) -> list[Any]:
        """:meth:`_predict_rows` as plain Python (one list or number per row), converted once per batch."""
        outputs = self._predict_rows(rows)
        if hasattr(outputs, "tolist"):
            return cast("list[Any]", outputs.tolist())
        return [output.tolist() if hasattr(output, "tolist") else output for output in outputs]

    def _predict_rows(self, rows: list[Any]) -> Any:
        """The model's ``predict_fn`` on ``rows``: one output per row."""
        columns = list(getattr(self, "training_features", None) or self.features or [])
        return predict_rows(self.models[0], self.model_lib, self.predict_fn, rows, columns)

    async def predict_y_async(self, x: list[Any], **kwargs: Any) -> Any:
        """Only the model's output for ``x`` (after preprocessing), without postprocessing."""
        return (await self._preprocess_and_predict(x, kwargs))[2]

    async def predict_async(self, x: list[Any], **kwargs: Any) -> dict[str, Any]:
        # The steps inline (no run_logic or _ml_predict coroutines): each object less is less
        # for the garbage collector to scan while thousands of predictions wait.
        processor = processor_for(self, kwargs)
        data = logic_inputs("GenericLogicModel", self.features or [], x, kwargs.get("keys"), self.data,
                            keys_read=reads_keys(processor, self.preprocess_logic, self.postprocess_logic))
        del kwargs  # not needed past here: one object less per prediction waiting for its features
        try:
            compiled = processor.compiled(self.preprocess_logic)
            row = compiled.run(processor, data)
            if compiled.is_async:
                row = await row
        except Exception as exc:
            raise MLSModelError(f"GenericLogicModel: preprocessing failed: {type(exc).__name__}: {exc}") from exc
        try:
            data["y"] = await self._model_output(row)
        except MLSModelError:
            raise
        except Exception as exc:
            raise self._model_failure(exc) from exc
        try:
            compiled = processor.compiled(self.postprocess_logic)
            items = compiled.run(processor, data)
            if compiled.is_async:
                items = await items
        except Exception as exc:
            raise MLSModelError(f"GenericLogicModel: postprocessing failed: {type(exc).__name__}: {exc}") from exc
        return {"items": items or []}


def _done(value: Any) -> asyncio.Future[Any]:
    future = asyncio.get_running_loop().create_future()
    future.set_result(value)
    return future
