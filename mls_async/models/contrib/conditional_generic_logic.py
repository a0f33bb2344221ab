"""``ConditionalGenericLogicModel``: several ``GenericLogicModel`` pipelines, one chosen per request by logic."""

from __future__ import annotations

from typing import Any

from mls_async.logic._deadline import within_deadline
from mls_async.models._base import MLSModelError
from mls_async.models._generic import MLSGenericModel
from mls_async.models.contrib._logic_steps import (
    check_logic,
    check_predict_fn,
    logic_inputs,
    model_output,
    processor_for,
    run_logic,
)

__all__ = ["ConditionalGenericLogicModel"]

_OWNER = "ConditionalGenericLogicModel"


class ConditionalGenericLogicModel(MLSGenericModel):
    """``model_selection_logic`` picks an index into ``models`` (or answers items itself).

    The chosen index ``i`` runs ``preprocess_logics[i]`` -> ``models[i].<predict_fns[i]>``
    -> ``postprocess_logics[i]``, as ``GenericLogicModel`` does; both logics also see
    ``model_index``. When the selection logic gives a list, that list is the answer.
    """

    def __init__(
        self,
        model_name: str,
        model_version: str,
        features: list[str],
        models: list[Any],
        preprocess_logics: list[dict[str, Any]],
        postprocess_logics: list[dict[str, Any]],
        predict_fns: list[str],
        model_selection_logic: dict[str, Any] | None = None,
        data: dict[str, Any] | None = None,
    ) -> None:
        model_selection_logic = {"abs": 0} if model_selection_logic is None else model_selection_logic
        data = {} if data is None else data
        if not isinstance(features, list):
            raise MLSModelError(f"{_OWNER}: features must be a list, got {type(features).__name__}")
        for name, value in (
            ("models", models),
            ("preprocess_logics", preprocess_logics),
            ("postprocess_logics", postprocess_logics),
            ("predict_fns", predict_fns),
        ):
            if not isinstance(value, list):
                raise MLSModelError(f"{_OWNER}: {name} must be a list, got {type(value).__name__}")
        if not len(models) == len(preprocess_logics) == len(postprocess_logics) == len(predict_fns):
            raise MLSModelError(
                f"{_OWNER}: models, preprocess_logics, postprocess_logics and predict_fns need one entry per model"
            )
        check_logic(model_selection_logic, "model_selection_logic")
        for index, (pre, post, fn) in enumerate(zip(preprocess_logics, postprocess_logics, predict_fns)):
            check_logic(pre, f"preprocess_logics[{index}]")
            check_logic(post, f"postprocess_logics[{index}]")
            check_predict_fn(fn, f"predict_fns[{index}]")
        if not isinstance(data, dict):
            raise MLSModelError(f"{_OWNER}: data must be a dict, got {type(data).__name__}")
        super().__init__(models, model_name, model_version, features)
        self.preprocess_logics = preprocess_logics
        self.postprocess_logics = postprocess_logics
        self.predict_fns = predict_fns
        self.model_selection_logic = model_selection_logic
        self.data = data

    async def predict_async(self, x: list[Any], **kwargs: Any) -> dict[str, Any]:
        """Predict for ``x``; ``pf_client=`` reads the features, ``deadline=`` (seconds) bounds the whole prediction."""
        deadline = kwargs.pop("deadline", None)
        if deadline is not None:
            return await within_deadline(
                deadline,
                f"{self.model_name} prediction",
                ConditionalGenericLogicModel.predict_async(self, x, **kwargs),
            )
        processor = processor_for(self, kwargs)
        data = logic_inputs(_OWNER, list(self.features or []), x, kwargs.get("keys"), self.data)
        chosen = await run_logic(processor, self.model_selection_logic, data, _OWNER, "model selection")
        if isinstance(chosen, list):
            return {"items": chosen}
        if not isinstance(chosen, int):  # True and False are 1 and 0, as in the original
            raise MLSModelError(
                f"{_OWNER}: model_selection_logic must give a model index or a list of items, got {chosen!r}"
            )
        if not 0 <= chosen < len(self.models):
            raise MLSModelError(f"{_OWNER}: model index {chosen} is not valid for {len(self.models)} models")
        data = {**data, "model_index": chosen, **self.data}
        row = await run_logic(processor, self.preprocess_logics[chosen], data, _OWNER, "preprocessing")
        data["y"] = model_output(self, chosen, self.predict_fns[chosen], row, _OWNER)
        data.update(self.data)
        items = await run_logic(processor, self.postprocess_logics[chosen], data, _OWNER, "postprocessing")
        return {"items": items or []}
