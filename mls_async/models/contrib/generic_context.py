"""``GenericContextModel``: one model's score picks a product (by logic) and the product's context."""

from __future__ import annotations

import random
from calendar import monthrange
from datetime import datetime
from typing import Any, cast
from zoneinfo import ZoneInfo

from mls_async.logic import LogicProcessor
from mls_async.models import libraries
from mls_async.models._base import MLSModelError
from mls_async.models._generic import MLSGenericModel
from mls_async.models.contrib._logic_steps import check_logic
from mls_async.models.contrib._rows import (
    check_conversion_formulas,
    check_embeddings,
    convert,
    fill_defaults,
    pick_embeddings,
    require,
)

__all__ = ["GenericContextModel", "REALTIME_FEATURES"]

REALTIME_FEATURES = ("weekday", "day_ratio")
_SEOUL = ZoneInfo("Asia/Seoul")
_OWNER = "GenericContextModel"


class GenericContextModel(MLSGenericModel):
    """Score a row with one model, choose a product with ``product_selection_logic``, then its context.

    ``x`` holds the model features, the embedding features and the context features, in
    that order. Missing model features take ``default_model_feature_values``; embeddings
    are reduced to ``emb_feature_indices``; ``conversion_formulas`` make values numeric;
    ``realtime_features`` (``weekday``, ``day_ratio``, Seoul time) are appended. The
    selection logic sees the model features, the context features and ``y``; a product's
    context is the first (or a random, with ``random_context``) of its context features
    whose value is ``"Y"``, else ``default_context_value``.
    """

    def __init__(
        self,
        model: Any,
        model_name: str,
        model_version: str,
        model_features: list[str],
        default_model_feature_values: list[Any],
        default_context_value: str,
        products: dict[str, Any],
        product_selection_logic: dict[str, Any],
        conversion_formulas: dict[str, dict[str, Any]] | None = None,
        emb_features: list[str] | None = None,
        default_emb_feature_values: list[list[Any]] | None = None,
        emb_feature_indices: list[list[int]] | None = None,
        context_features: list[str] | None = None,
        context_values: list[Any] | None = None,
        realtime_features: list[str] | None = None,
        include_y: bool = False,
        y_key: str = "score",
    ) -> None:
        conversion_formulas = {} if conversion_formulas is None else conversion_formulas
        emb_features = [] if emb_features is None else emb_features
        default_emb_feature_values = [] if default_emb_feature_values is None else default_emb_feature_values
        emb_feature_indices = [] if emb_feature_indices is None else emb_feature_indices
        context_features = [] if context_features is None else context_features
        context_values = [] if context_values is None else context_values
        realtime_features = [] if realtime_features is None else realtime_features
        require(
            isinstance(model_features, list)
            and isinstance(default_model_feature_values, list)
            and len(model_features) == len(default_model_feature_values),
            _OWNER,
            "`model_features` and `default_model_feature_values` must be lists of one length",
        )
        require(None not in default_model_feature_values, _OWNER, "`default_model_feature_values` holds None")
        check_embeddings(emb_features, default_emb_feature_values, emb_feature_indices, _OWNER)
        require(isinstance(context_features, list), _OWNER, "`context_features` must be a list")
        require(
            isinstance(context_values, list) and len(context_values) == len(context_features),
            _OWNER,
            "`context_features` and `context_values` must be lists of one length",
        )
        require(
            isinstance(realtime_features, list) and set(realtime_features) <= set(REALTIME_FEATURES),
            _OWNER,
            f"`realtime_features` may hold only {', '.join(REALTIME_FEATURES)}",
        )
        check_conversion_formulas(conversion_formulas, _OWNER)
        require(isinstance(products, dict), _OWNER, "`products` must be a dict")
        check_logic(product_selection_logic, "product_selection_logic")
        used = {f for product in products.values() for f in product.get("context_features", [])}
        require(
            used <= set(context_features),
            _OWNER,
            f"`products` name context features not in `context_features`: {sorted(used - set(context_features))}",
        )
        super().__init__([model], model_name, model_version, model_features + emb_features + context_features)
        self.default_model_feature_values = default_model_feature_values
        self.default_context_value = default_context_value
        self.products = products
        self.product_selection_logic = product_selection_logic
        self.conversion_formulas = conversion_formulas
        self.default_emb_feature_values = default_emb_feature_values
        self.emb_feature_indices = emb_feature_indices
        self.context_values = context_values
        self.realtime_features = realtime_features
        self.include_y = include_y
        self.y_key = y_key

    # x = [model features..., embeddings..., contexts...]
    def _split(self, x: list[Any]) -> tuple[list[Any], list[Any], list[Any]]:
        n_context, n_emb = len(self.context_values), len(self.default_emb_feature_values)
        end_emb = len(x) - n_context
        model_x = fill_defaults(list(x[: end_emb - n_emb]), self.default_model_feature_values)
        return model_x, list(x[end_emb - n_emb : end_emb]), list(x[end_emb:])

    def _model_row(self, model_x: list[Any], emb_x: list[Any]) -> list[Any]:
        embeddings = pick_embeddings(emb_x, self.default_emb_feature_values, self.emb_feature_indices, _OWNER)
        names = list(self.features or [])
        try:
            row = convert(model_x, names, self.conversion_formulas) + embeddings
        except Exception as exc:
            raise MLSModelError(f"{_OWNER}: feature conversion failed: {type(exc).__name__}: {exc}") from exc
        now = datetime.now(_SEOUL)
        for feature in self.realtime_features:
            row.append(now.weekday() + 1 if feature == "weekday" else now.day / monthrange(now.year, now.month)[1])
        return row

    def _score(self, row: list[Any]) -> float:
        import numpy as np

        try:
            scores = libraries.predict(self.models[0], "predict", np.array([row], dtype=np.float32))
            return cast("float", scores.flatten().tolist()[0])
        except Exception as exc:
            raise MLSModelError(f"{_OWNER}: prediction failed: {type(exc).__name__}: {exc}") from exc

    async def predict_async(self, x: list[Any], **kwargs: Any) -> dict[str, Any]:
        if not isinstance(x, (list, tuple)) or len(x) != len(self.features or []):
            raise MLSModelError(f"{_OWNER}: x must hold {len(self.features or [])} values, one per feature")
        model_x, emb_x, context_x = self._split(list(x))
        y = self._score(self._model_row(model_x, emb_x))
        return {"items": await self._items(model_x, context_x, y)}

    async def _items(self, model_x: list[Any], context_x: list[Any], y: float) -> list[dict[str, Any]]:
        names = list(self.features or [])
        context_names = names[len(names) - len(self.context_values) :]
        values = dict(zip(names, model_x))
        values.update(zip(context_names, context_x))
        values["y"] = y
        processor = LogicProcessor(cache=self.__dict__.setdefault("_cache_logic", {}))
        try:
            product_id = await processor.evaluate(self.product_selection_logic, values)
            if not product_id:
                return []
            product = self.products[product_id]
        except Exception as exc:
            raise MLSModelError(f"{_OWNER}: the product selection failed: {type(exc).__name__}: {exc}") from exc
        try:
            chosen = [f for f in product.get("context_features", []) if values[f] == "Y"]
            if chosen:
                by_feature = dict(zip(context_names, self.context_values))
                contexts = [by_feature[f] for f in chosen]
                context_id = random.choice(contexts) if product.get("random_context", False) else contexts[0]
            else:
                context_id = self.default_context_value
        except Exception as exc:
            raise MLSModelError(f"{_OWNER}: choosing the context failed: {type(exc).__name__}: {exc}") from exc
        item = {"id": product_id, "name": product["name"], "type": product["type"], "props": {"context_id": context_id}}
        if self.include_y:
            item["props"][self.y_key] = round(y, 4)
        return [item]
