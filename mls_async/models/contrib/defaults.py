"""Models registered only for their binaries: their prediction returns no items, as in the original."""

from __future__ import annotations

from typing import Any

from mls_async.models._generic import MLSGenericModel
from mls_async.models._wrappers import MLSCatBoostModel, MLSLightGBMModel, MLSXGBoostModel

__all__ = ["DefaultCatBoostModel", "DefaultGenericModel", "DefaultLightGBMModel", "DefaultXGBoostModel"]


class DefaultLightGBMModel(MLSLightGBMModel):
    """A LightGBM model stored in the registry without online inference."""

    async def predict_async(self, x: Any, **kwargs: Any) -> dict[str, Any]:
        return {"items": []}


class DefaultXGBoostModel(MLSXGBoostModel):
    """An XGBoost model stored in the registry without online inference."""

    async def predict_async(self, x: Any, **kwargs: Any) -> dict[str, Any]:
        return {"items": []}


class DefaultCatBoostModel(MLSCatBoostModel):
    """A CatBoost model stored in the registry without online inference."""

    async def predict_async(self, x: Any, **kwargs: Any) -> dict[str, Any]:
        return {"items": []}


class DefaultGenericModel(MLSGenericModel):
    """Any list of models stored in the registry without online inference."""

    async def predict_async(self, x: Any, **kwargs: Any) -> dict[str, Any]:
        return {"items": []}
