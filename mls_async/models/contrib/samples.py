"""The original's sample models: one per base class, each a worked example of the items contract."""

from __future__ import annotations

from typing import Any, cast

from mls_async.models import libraries
from mls_async.models._base import MLSModelError
from mls_async.models._generic import MLSGenericModel, MLSRuleModel
from mls_async.models._wrappers import MLSLightGBMModel, MLSPyTorchModel

__all__ = ["SampleGenericModel", "SampleModel", "SamplePyTorchModel", "SampleRuleModel"]


def _sample_item(score: float) -> dict[str, Any]:
    return {
        "id": "SAMPLE001",
        "name": "샘플상품",
        "props": {"context": "샘플컨텍스트", "score": score},
        "type": "샘플타입",
    }


def _first_score(model: Any, x: list[Any]) -> float:
    import numpy as np

    return cast("float", libraries.predict(model, "predict", np.array([x])).flatten().tolist()[0])


class SampleModel(MLSLightGBMModel):
    """One LightGBM model: an item when its score is at least 0.2 (no item if it cannot score ``x``)."""

    async def predict_async(self, x: Any, **kwargs: Any) -> dict[str, Any]:
        if not self.models:
            return {"items": []}
        try:
            y = _first_score(self.models[0], x)
        except Exception:
            return {"items": []}
        return {"items": [] if y < 0.2 else [_sample_item(y)]}


class SampleGenericModel(MLSGenericModel):
    """Two models on the same features: an item when their scores add up to at least 1.0."""

    async def predict_async(self, x: Any, **kwargs: Any) -> dict[str, Any]:
        if not self.models:
            return {"items": []}
        try:
            y = _first_score(self.models[0], x) + _first_score(self.models[1], x)
        except Exception:
            return {"items": []}
        return {"items": [] if y < 1.0 else [_sample_item(y)]}


class SampleRuleModel(MLSRuleModel):
    """A rule on age, YouTube traffic and subscription period (``x`` in that order)."""

    async def predict_async(self, x: Any, **kwargs: Any) -> dict[str, Any]:
        if len(self.features or []) != len(x):
            raise MLSModelError("The length of input is different from features on model.json")
        age, app_use_traffic_youtube, svc_scrb_period = x[0], x[1], x[2]
        if svc_scrb_period < 100 or age < 19 or age > 60 or app_use_traffic_youtube < 10:
            return {"items": []}
        return {
            "items": [{"id": "NA00006538", "name": "T플랜 스페셜", "props": {"percent_rk": "0.5755"}, "type": "fee"}]
        }


class SamplePyTorchModel(MLSPyTorchModel):
    """A ``torch.jit.ScriptModule`` whose first output for ``x`` is the item's score."""

    async def predict_async(self, x: Any, **kwargs: Any) -> dict[str, Any]:
        import torch

        if len(self.features or []) != len(x):
            raise MLSModelError("`x` and `features` differ in length")
        with torch.inference_mode():
            score = float(self.models[0](torch.tensor(x)).detach().numpy()[0])
        return {
            "items": [
                {"id": "SAMPLE001", "name": "PyTorch샘플모델", "type": "PyTorch샘플타입", "props": {"score": score}}
            ]
        }
