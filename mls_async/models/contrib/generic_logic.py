"""``GenericLogicModel``: a model driven by declarative pre- and post-processing logic.

The logic is data (the JSON-logic dialect of :mod:`mls_async.logic`), stored in
model.json-safe form; it may read features from profiles (``pf``) during inference,
concurrently. Between the two steps the model's ``predict_fn`` runs on the
preprocessed row. Trainable with AutoGluon through ``MLSTrainable.fit``.
"""

from __future__ import annotations

import asyncio
from typing import Any, cast

import anyio.to_thread

from mls_async.logic import LogicProcessor
from mls_async.logic._deadline import within_deadline
from mls_async.logic._node import Finish, PendingNode
from mls_async.logic.processor import StartInto, on_asyncio
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
from mls_async.models.libraries import for_lib

__all__ = ["GenericLogicModel", "PREDICT_FNS", "check_logic", "default_postprocess"]


def default_postprocess() -> dict[str, Any]:
    """One item whose props hold the score ``y`` (id, name and type from features of those names)."""
    return {
        "list": [{"dict": ["id", "id", "name", "name", "type", "type", "props", {"dict": ["score", {"var": "y"}]}]}]
    }


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

    def __init__(
        self,
        model_name: str,
        model_version: str,
        features: list[str],
        model: Any = None,
        preprocess_logic: dict[str, Any] | None = None,
        postprocess_logic: dict[str, Any] | None = None,
        predict_fn: str = "predict",
        data: dict[str, Any] | None = None,
    ) -> None:
        if not isinstance(features, list):
            raise MLSModelError(f"features must be a list, got {type(features).__name__}")
        check_predict_fn(predict_fn)
        if data is not None and not isinstance(data, dict):
            raise MLSModelError(f"data must be a dict, got {type(data).__name__}")
        preprocess_logic = (
            preprocess_logic if preprocess_logic is not None else {"merge": [{"var": f} for f in features]}
        )
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
            if not on_asyncio():
                return await self._portable_output(row)
            return await self._model_output(row)
        except MLSModelError:
            raise
        except Exception as exc:
            raise self._model_failure(exc) from exc

    def _model_output(self, row: Any) -> asyncio.Future[Any]:
        """The model's output for ``row``, as a future: batched with concurrent single rows, else done now."""
        if self.predict_fn == "none" and not for_lib(self.model_lib).calls_model:
            return _done(None)
        if not self._model_ready():
            raise MLSModelError(f"{self.model_name}: models[0] has no {self.predict_fn}(); pass model=... or fit()")
        answer: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._answer_row(row, answer)
        return answer

    def _model_ready(self) -> bool:
        """Whether a row would go to ``models[0]`` (a ``predict_fn`` other than none, and a model having it)."""
        if self.predict_fn == "none" and not for_lib(self.model_lib).calls_model:
            return False
        model = self.models[0] if self.models else None
        return model is not None and (for_lib(self.model_lib).calls_model or hasattr(model, self.predict_fn))

    def _answer_row(self, row: Any, answer: asyncio.Future[Any]) -> None:
        """Set ``answer`` to the model's output for ``row``: in the next batch, or now for several rows."""
        if row and isinstance(row[0], list):  # the logic built several rows: one call for them
            try:
                output = self._predict_rows(row)
                y = output.tolist() if hasattr(output, "tolist") else list(output)
            except Exception as exc:
                answer.set_exception(exc)
            else:
                answer.set_result(y[0] if len(y) == 1 else y)
            return
        self._batcher().add(row, answer)  # concurrent single rows share one call

    def _model_call_node(
        self, size: int, finish: Finish | None, processor: LogicProcessor, data: dict[str, Any]
    ) -> _ModelCall:
        """The node of the preprocessing logic's arguments, as a model call (see :class:`_ModelCall`)."""
        return _ModelCall(self, size, finish, processor, data)

    def _model_call(self, start_into: StartInto, processor: LogicProcessor, data: dict[str, Any]) -> _ModelCall:
        """Start preprocessing (``start_into`` of its logic) into a model call: the row joins a batch once known."""
        call = _ModelCall(self, 1, _only_value, processor, data)
        try:
            start_into(processor, data, call, 0)
        except BaseException:
            call.cancel()
            raise
        call.started()
        return call

    def _model_failure(self, exc: Exception) -> MLSModelError:
        """A model call's error as the original words it (errors of ours pass through the caller)."""
        return MLSModelError(f"GenericLogicModel: the model's {self.predict_fn} failed: {type(exc).__name__}: {exc}")

    def _batcher(self) -> MicroBatcher:
        batcher = self.__dict__.get("_cache_batcher")
        if batcher is None:
            # a library whose predict costs milliseconds of CPU (AutoGluon) runs off the event loop
            offload = 0 if for_lib(self.model_lib).always_offload else _LibraryModel.inline_max_rows
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

    async def _predict_portable(self, processor: LogicProcessor, data: dict[str, Any]) -> dict[str, Any]:
        """:meth:`predict_async` off asyncio (trio): the same steps, the model called on this row alone."""
        row = await run_logic(processor, self.preprocess_logic, data, "GenericLogicModel", "preprocessing")
        data["y"] = await self._ml_predict(row)
        items = await run_logic(processor, self.postprocess_logic, data, "GenericLogicModel", "postprocessing")
        return {"items": items or []}

    async def _portable_output(self, row: Any) -> Any:
        """:meth:`_model_output` off asyncio: no batching with other callers; heavy calls in a worker thread."""
        if self.predict_fn == "none" and not for_lib(self.model_lib).calls_model:
            return None
        if not self._model_ready():
            raise MLSModelError(f"{self.model_name}: models[0] has no {self.predict_fn}(); pass model=... or fit()")
        several = bool(row) and isinstance(row[0], list)
        rows = row if several else [row]
        if for_lib(self.model_lib).always_offload or len(rows) > _LibraryModel.inline_max_rows:
            outputs = await anyio.to_thread.run_sync(self._predict_plain_rows, rows)
        else:
            outputs = self._predict_plain_rows(rows)
        if not several:
            return outputs[0]
        return outputs[0] if len(outputs) == 1 else outputs

    async def predict_y_async(self, x: list[Any], **kwargs: Any) -> Any:
        """Only the model's output for ``x`` (after preprocessing), without postprocessing."""
        return (await self._preprocess_and_predict(x, kwargs))[2]

    async def predict_async(self, x: list[Any], **kwargs: Any) -> dict[str, Any]:
        """Predict for ``x``; ``pf_client=`` reads the features, ``deadline=`` (seconds) bounds the whole prediction.

        Past the deadline the prediction fails with ``MLSTimeoutError`` naming the lookups
        still pending; they are cancelled (their requests aborted).
        """
        deadline = kwargs.pop("deadline", None)
        if deadline is not None:
            # this method again, without the deadline, as a subclass calling it would run it
            return await within_deadline(
                deadline, f"{self.model_name} prediction", GenericLogicModel.predict_async(self, x, **kwargs)
            )
        # The steps inline (no run_logic or _ml_predict coroutines): thousands of predictions
        # may wait at once, and each holds only what it needs.
        processor = processor_for(self, kwargs)
        data = logic_inputs(
            "GenericLogicModel",
            self.features or [],
            x,
            kwargs.get("keys"),
            self.data,
            keys_read=reads_keys(processor, self.preprocess_logic, self.postprocess_logic),
        )
        if not on_asyncio():
            return await self._predict_portable(processor, data)
        output: asyncio.Future[Any] | None = None
        try:
            compiled = processor.compiled(self.preprocess_logic)
            start_node, start_into = compiled.start_node, compiled.start_into
            # The row goes to the model the moment preprocessing has it: one wake-up, with y.
            if start_node is not None and self._model_ready():
                output = start_node(self._model_call_node, processor, data)
            elif start_into is not None and self._model_ready():
                output = self._model_call(start_into, processor, data)
            else:
                row = compiled.run(processor, data)
                if compiled.is_async:
                    row = await row
        except Exception as exc:
            raise _preprocessing_failure(exc) from exc
        try:
            data["y"] = await (output if output is not None else self._model_output(row))
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


class _ModelCall(PendingNode):
    """One prediction's preprocessing and model call in flight, as one future of ``y``.

    Slot 0 takes the preprocessed row as the preprocessing logic delivers it; the row
    then joins the model's next batch at once. The caller waits once and wakes with the
    model's output: no future, await and wake-up of its own for the model step, which at
    ten thousand predictions in flight were objects for the garbage collector to scan.
    """

    __slots__ = ("_model",)

    def __init__(
        self,
        model: GenericLogicModel,
        size: int,
        finish: Finish | None,
        processor: LogicProcessor,
        data: dict[str, Any],
    ) -> None:
        super().__init__(size, finish, processor, data)
        self._model = model

    def _complete(self) -> None:
        error = self._error
        if error is None:
            try:
                row = self.finished()
            except Exception as exc:
                self._failed_preprocessing(exc)
                return
            self._model._answer_row(row, self)
        elif isinstance(error, Exception):
            self._failed_preprocessing(error)
        else:  # cancelled: as the caller would see it
            self.set_exception(error)

    def _failed_preprocessing(self, error: Exception) -> None:
        """Worded here, with its step: the caller's one await cannot tell the steps apart."""
        failure = _preprocessing_failure(error)
        failure.__cause__ = error
        self.set_exception(failure)


def _only_value(processor: Any, values: list[Any], data: Any) -> Any:
    return values[0]


def _preprocessing_failure(exc: Exception) -> MLSModelError:
    return MLSModelError(f"GenericLogicModel: preprocessing failed: {type(exc).__name__}: {exc}")


def _done(value: Any) -> asyncio.Future[Any]:
    future = asyncio.get_running_loop().create_future()
    future.set_result(value)
    return future
