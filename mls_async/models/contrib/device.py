"""Device recommendation models: ``LightGBMDeviceModel``, ``CatboostDeviceModel``, ``CommbotCatboostDeviceModel``.

Each reads a row of ``[fixed user features..., model features..., embeddings...]``
(the fixed ones: ``eqp_mdl_cd`` and ``age``; for Commbot ``user_id`` first), scores
the device classes with its model and ranks devices, never recommending the user's own.
``device_meta`` is a ``MetaTable`` of devices keyed by model code.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from mls_async.models import libraries
from mls_async.models._base import MLSModelError
from mls_async.models._wrappers import MLSCatBoostModel, MLSLightGBMModel
from mls_async.models.contrib._rows import (
    check_conversion_formulas,
    check_device_meta,
    check_embeddings,
    check_model_defaults,
    context_for_age,
    convert,
    fill_defaults,
    pick_embeddings,
    require,
)

__all__ = [
    "CatboostDeviceModel",
    "CommbotCatboostDeviceModel",
    "DEFAULT_USER_ID",
    "HIGH_RANK_WORDS",
    "LightGBMDeviceModel",
]

HIGH_RANK_WORDS = ("Plus", "플러스", "울트라", "Ultra", "Max", "맥스", "Pro", "프로")
DEFAULT_USER_ID = hashlib.sha256(b"default").hexdigest()  # the anonymous user of Commbot requests
_CONTEXT_COLUMNS = ("ContextId", "ItemNm", "Text ID", "T world text")


class _DeviceRows:
    """Turning a request row into the model's row: defaults, conversion, embeddings."""

    features: list[str] | None
    default_model_feature_values: list[Any]
    default_emb_feature_values: list[list[Any]]
    emb_feature_indices: list[list[int]]
    conversion_formulas: dict[str, dict[str, Any]]
    fixed_features: int = 2

    def _init_rows(
        self,
        default_model_feature_values: list[Any],
        conversion_formulas: dict[str, Any],
        default_emb_feature_values: list[list[Any]],
        emb_feature_indices: list[list[int]],
    ) -> None:
        self.default_model_feature_values = default_model_feature_values
        self.conversion_formulas = conversion_formulas
        self.default_emb_feature_values = default_emb_feature_values
        self.emb_feature_indices = emb_feature_indices

    def _model_row(self, x: list[Any]) -> list[Any]:
        owner = type(self).__name__
        features = list(self.features or [])
        if len(x) != len(features) - self.fixed_features:
            raise MLSModelError(f"{owner}: x needs {len(features)} values, one per feature")
        n_emb = len(self.default_emb_feature_values)
        split = len(x) - n_emb
        model_x = fill_defaults(list(x[:split]), self.default_model_feature_values)
        embeddings = pick_embeddings(
            list(x[split:]), self.default_emb_feature_values, self.emb_feature_indices, owner, lists_only=True
        )
        names = features[self.fixed_features : len(features) - n_emb]
        return convert(model_x, names, self.conversion_formulas, numeric=True) + embeddings


def _check_common(
    owner: str,
    model_features: Any,
    default_model_feature_values: Any,
    fixed: list[str],
    emb_features: Any,
    default_emb_feature_values: Any,
    emb_feature_indices: Any,
    conversion_formulas: Any,
    device_meta: Any,
) -> dict[str, dict[str, Any]]:
    require(
        isinstance(model_features, list) and model_features[: len(fixed)] == fixed,
        owner,
        f"`model_features` must be a list starting with {', '.join(fixed)}",
    )
    check_model_defaults(model_features, default_model_feature_values, owner, fixed=len(fixed))
    check_embeddings(emb_features, default_emb_feature_values, emb_feature_indices, owner)
    check_conversion_formulas(conversion_formulas, owner)
    return check_device_meta(device_meta, owner)


def _check_context_meta(context_meta: Any, owner: str) -> Any:
    import pandas as pd

    require(
        isinstance(context_meta, pd.DataFrame) and len(context_meta) > 0,
        owner,
        "`context_meta` must be a non-empty DataFrame",
    )
    missing = [c for c in _CONTEXT_COLUMNS if c not in context_meta.columns]
    require(not missing, owner, f"`context_meta` lacks the columns {missing}")
    return context_meta[context_meta["ItemNm"] == "device nm"]


def _context_text(context_meta: Any, context_id: str) -> tuple[Any, Any]:
    rows = context_meta[context_meta["ContextId"] == context_id]
    if len(rows) == 0:
        return "", ""
    return rows["Text ID"].values[0], rows["T world text"].values[0]


class LightGBMDeviceModel(_DeviceRows, MLSLightGBMModel):
    """Device classes scored by a multiclass LightGBM booster, each class a list of products.

    A product's score is its class probability times its ``device_weight``; the user's
    own product group and high-rank variants of the user's device score 0, and an
    Apple user gets Apple devices first. The ``num_pick`` best are answered.
    """

    def __init__(
        self,
        model: Any,
        model_name: str,
        model_version: str,
        model_features: list[str],
        default_model_feature_values: list[Any],
        label_indices: dict[str, int],
        product_classes: dict[str, Any],
        products: dict[str, Any],
        device_meta: Any,
        conversion_formulas: dict[str, dict[str, Any]] | None = None,
        emb_features: list[str] | None = None,
        default_emb_feature_values: list[list[Any]] | None = None,
        emb_feature_indices: list[list[int]] | None = None,
        default_context_value: str = "context_default",
        num_pick: int = 3,
        high_rank_word: list[str] | None = None,
    ) -> None:
        owner = type(self).__name__
        conversion_formulas = {} if conversion_formulas is None else conversion_formulas
        emb_features = [] if emb_features is None else emb_features
        default_emb_feature_values = [] if default_emb_feature_values is None else default_emb_feature_values
        emb_feature_indices = [] if emb_feature_indices is None else emb_feature_indices
        high_rank_word = list(HIGH_RANK_WORDS) if high_rank_word is None else high_rank_word
        booster = model.booster_ if hasattr(model, "booster_") else model
        names = booster.feature_name()
        embedded = [i for i, name in enumerate(names) if name.startswith("emb")]
        plain = [i for i, name in enumerate(names) if not name.startswith("emb")]
        require(
            not embedded or not plain or plain[-1] < embedded[0],
            owner,
            "the model's embedding features (emb*) must come after its other features",
        )
        meta = _check_common(
            owner,
            model_features,
            default_model_feature_values,
            ["eqp_mdl_cd", "age"],
            emb_features,
            default_emb_feature_values,
            emb_feature_indices,
            conversion_formulas,
            device_meta,
        )
        for name, value in (
            ("label_indices", label_indices),
            ("product_classes", product_classes),
            ("products", products),
        ):
            require(isinstance(value, dict) and len(value) > 0, owner, f"`{name}` must be a non-empty dict")
        require(isinstance(high_rank_word, list), owner, "`high_rank_word` must be a list")
        super().__init__(model, model_name, model_version, model_features + emb_features)
        self._init_rows(
            default_model_feature_values, conversion_formulas, default_emb_feature_values, emb_feature_indices
        )
        self.index_labels = {index: label for label, index in label_indices.items() if label in product_classes}
        self.product_classes = product_classes
        self.products = products
        self.device_meta = meta
        self.default_context_value = default_context_value
        self.num_pick = num_pick
        self.high_rank_word = high_rank_word

    async def predict_async(self, x: Any, **kwargs: Any) -> dict[str, Any]:
        import numpy as np

        row = self._model_row(list(x)[2:])
        y = libraries.predict(self.models[0], "predict", np.array([row]))[0].tolist()
        return {"items": self._rank(y, x[0], x[1])}

    def _rank(self, y: list[float], user_model_code: str, user_age: Any) -> list[dict[str, Any]]:
        user = self.device_meta.get(user_model_code, {})
        user_group, user_group_name = user.get("product_grp_id", ""), user.get("product_grp_nm", "")
        user_maker = user.get("mfact_nm", "")
        scored: list[dict[str, Any]] = []
        for index, label in self.index_labels.items():
            try:
                scored.extend({**product, "score": y[index]} for product in self.product_classes[label])
            except (KeyError, IndexError, TypeError) as exc:
                raise MLSModelError(
                    f"{type(self).__name__}: label {label!r} (index {index}) has no score or no products: {exc!r}"
                ) from exc
        items = []
        for product in scored:
            base_name = re.sub("5G|Re", "", product["product_grp_nm"])
            high_ranks = [(base_name + " " + word).replace("  ", " ") for word in self.high_rank_word]
            if product["product_grp_id"] == user_group:
                score = 0.0
            elif user_maker == "Apple" and product["mfact_nm"] == "Apple":
                score = 50 * product["device_weight"]
            elif user_group_name in high_ranks:
                score = 0.0
            else:
                score = product["score"] * product["device_weight"]
            contexts = self.products.get(product["product_grp_id"], {}).get("context_features", [])
            items.append(
                {
                    "id": product["product_grp_id"],
                    "name": product["product_grp_nm"],
                    "score": score,
                    "props": {"context_id": context_for_age(contexts, user_age, self.default_context_value)},
                    "type": "device",
                }
            )
        best = sorted(items, key=lambda item: item["score"], reverse=True)[: self.num_pick]
        return [{key: value for key, value in item.items() if key != "score"} for item in best]


class _CatboostDevices(_DeviceRows, MLSCatBoostModel):
    """What the two CatBoost device models share: class probabilities over ``target_prod_id``."""

    target_prod_id: list[str]
    products_meta: dict[str, Any]
    products: dict[str, Any]
    context_meta: Any
    default_context_value: str
    num_pick: int

    def _probabilities(self, x: list[Any]) -> list[float]:
        import numpy as np

        owner = type(self).__name__
        try:
            row = self._model_row(x[self.fixed_features :])
        except Exception as exc:
            raise MLSModelError(f"{owner}: preprocessing failed: {exc}") from exc
        try:
            y = libraries.predict(self.models[0], "predict_proba", np.array([row]))
            if len(y) == 1:
                y = y[0]
            return y.tolist() if hasattr(y, "tolist") else list(y)
        except Exception as exc:
            raise MLSModelError(f"{owner}: the model's predict_proba failed: {type(exc).__name__}: {exc}") from exc

    def _top(self, y: list[float]) -> list[str]:
        import numpy as np

        order = np.argsort(y)[::-1].tolist()
        return [self.target_prod_id[label] for label in order[: min(self.num_pick, len(y))]]

    def _context(self, product_id: str, user_age: Any) -> tuple[Any, Any]:
        contexts = self.products.get(product_id, {}).get("context_features", [])
        return _context_text(self.context_meta, context_for_age(contexts, user_age, self.default_context_value))


def _check_catalogue(owner: str, target_prod_id: Any, products_meta: Any, products: Any) -> None:
    require(
        isinstance(target_prod_id, list) and len(target_prod_id) > 0, owner, "`target_prod_id` must be a non-empty list"
    )
    require(
        isinstance(products_meta, dict) and len(products_meta) > 0, owner, "`products_meta` must be a non-empty dict"
    )
    require(isinstance(products, dict) and len(products) > 0, owner, "`products` must be a non-empty dict")


class CatboostDeviceModel(_CatboostDevices):
    """T direct shop devices: the ``num_pick`` most probable, Apple first for Apple users."""

    def __init__(
        self,
        model: Any,
        model_name: str,
        model_version: str,
        model_features: list[str],
        default_model_feature_values: list[Any],
        target_prod_id: list[str],
        products_meta: dict[str, Any],
        products: dict[str, Any],
        context_meta: Any,
        device_meta: Any,
        conversion_formulas: dict[str, dict[str, Any]] | None = None,
        emb_features: list[str] | None = None,
        default_emb_feature_values: list[list[Any]] | None = None,
        emb_feature_indices: list[list[int]] | None = None,
        default_context_value: str = "context_default",
        num_pick: int = 3,
    ) -> None:
        owner = type(self).__name__
        conversion_formulas = {} if conversion_formulas is None else conversion_formulas
        emb_features = [] if emb_features is None else emb_features
        default_emb_feature_values = [] if default_emb_feature_values is None else default_emb_feature_values
        emb_feature_indices = [] if emb_feature_indices is None else emb_feature_indices
        meta = _check_common(
            owner,
            model_features,
            default_model_feature_values,
            ["eqp_mdl_cd", "age"],
            emb_features,
            default_emb_feature_values,
            emb_feature_indices,
            conversion_formulas,
            device_meta,
        )
        _check_catalogue(owner, target_prod_id, products_meta, products)
        context_rows = _check_context_meta(context_meta, owner)
        super().__init__(model, model_name, model_version, model_features + emb_features)
        self._init_rows(
            default_model_feature_values, conversion_formulas, default_emb_feature_values, emb_feature_indices
        )
        self.target_prod_id = target_prod_id
        self.device_meta = meta
        self.context_meta = context_rows
        self.products_meta = products_meta
        self.products = products
        self.default_context_value = default_context_value
        self.num_pick = num_pick

    async def predict_async(self, x: Any, **kwargs: Any) -> dict[str, Any]:
        row = list(x)
        y = self._probabilities(row)
        try:
            return {"items": self._ranked(y, row[0], row[1])}
        except MLSModelError:
            raise
        except Exception as exc:
            raise MLSModelError(f"{type(self).__name__}: postprocessing failed: {exc!r}") from exc

    def _ranked(self, y: list[float], user_model_code: str, user_age: Any) -> list[dict[str, Any]]:
        user = self.device_meta.get(user_model_code, {})
        if user.get("product_grp_id", "") in self.target_prod_id:
            y[self.target_prod_id.index(user["product_grp_id"])] = 0
        top = self._top(y)
        makers = [self.products_meta[product_id]["mfact_nm"] for product_id in top]
        if user.get("mfact_nm", "") == "Apple" and "Apple" in makers:
            top = [p for p, m in zip(top, makers) if m == "Apple"] + [p for p, m in zip(top, makers) if m != "Apple"]
        items = []
        for product_id in top:
            text_id, text_value = self._context(product_id, user_age)
            meta = self.products_meta[product_id]
            items.append(
                {
                    "id": product_id,
                    "name": meta["product_grp_nm"],
                    "props": {"text_id": text_id, "text_value": text_value, "network_type": meta["eqp_mdl_ntwk"]},
                    "type": "tds_device",
                }
            )
        return items


class CommbotCatboostDeviceModel(_CatboostDevices):
    """Commbot devices: popular devices for the anonymous user, else the most probable.

    ``keys[1]`` of a request may list preferred maker codes (``mfact_cd``): devices of
    other makers are left out or ranked after them.
    """

    fixed_features = 3

    def __init__(
        self,
        model: Any,
        model_name: str,
        model_version: str,
        model_features: list[str],
        default_model_feature_values: list[Any],
        target_prod_id: list[str],
        popular_devices: list[str],
        products_meta: dict[str, Any],
        products: dict[str, Any],
        device_meta: Any,
        context_meta: Any,
        conversion_formulas: dict[str, dict[str, Any]] | None = None,
        emb_features: list[str] | None = None,
        default_emb_feature_values: list[list[Any]] | None = None,
        emb_feature_indices: list[list[int]] | None = None,
        default_context_value: str = "context_default",
        num_pick: int = 3,
    ) -> None:
        owner = type(self).__name__
        conversion_formulas = {} if conversion_formulas is None else conversion_formulas
        emb_features = [] if emb_features is None else emb_features
        default_emb_feature_values = [] if default_emb_feature_values is None else default_emb_feature_values
        emb_feature_indices = [] if emb_feature_indices is None else emb_feature_indices
        meta = _check_common(
            owner,
            model_features,
            default_model_feature_values,
            ["user_id", "eqp_mdl_cd", "age"],
            emb_features,
            default_emb_feature_values,
            emb_feature_indices,
            conversion_formulas,
            device_meta,
        )
        _check_catalogue(owner, target_prod_id, products_meta, products)
        context_rows = _check_context_meta(context_meta, owner)
        require(
            isinstance(popular_devices, list) and len(popular_devices) > 0,
            owner,
            "`popular_devices` must be a non-empty list",
        )
        super().__init__(model, model_name, model_version, model_features + emb_features)
        self._init_rows(
            default_model_feature_values, conversion_formulas, default_emb_feature_values, emb_feature_indices
        )
        self.target_prod_id = target_prod_id
        self.device_meta = meta
        self.context_meta = context_rows
        self.products_meta = products_meta
        self.products = products
        self.default_context_value = default_context_value
        self.popular_devices = popular_devices
        self.num_pick = num_pick

    async def predict_async(self, x: Any, user_id: str = DEFAULT_USER_ID, **kwargs: Any) -> dict[str, Any]:
        row = list(x)
        y = self._probabilities(row)
        try:
            return {"items": self._ranked(y, row[0], row[1], row[2], kwargs.get("keys", [[], []]))}
        except MLSModelError:
            raise
        except Exception as exc:
            raise MLSModelError(f"{type(self).__name__}: postprocessing failed: {exc!r}") from exc

    def _ranked(
        self, y: list[float], user_id: str, user_model_code: str, user_age: Any, keys: Any
    ) -> list[dict[str, Any]]:
        num_pick = min(self.num_pick, len(y))
        preferred = keys[1] if len(keys) > 1 and isinstance(keys[1], list) else []
        if user_id == DEFAULT_USER_ID:
            if preferred:
                first = [p for p in self.popular_devices if self.products_meta[p]["mfact_cd"] in preferred]
                rest = [p for p in self.popular_devices if self.products_meta[p]["mfact_cd"] not in preferred]
                top = (first + rest)[:num_pick]
            else:
                top = self.popular_devices[:num_pick]
        else:
            user_group = self.device_meta.get(user_model_code, {}).get("product_grp_id", "")
            if user_group in self.target_prod_id:
                y[self.target_prod_id.index(user_group)] = 0
            if preferred:
                for index, product_id in enumerate(self.target_prod_id):
                    if self.products_meta[product_id]["mfact_cd"] not in preferred:
                        y[index] = 0
            top = self._top(y)
        items = []
        for product_id in top:
            text_id, text_value = self._context(product_id, user_age)
            meta = self.products_meta[product_id]
            items.append(
                {
                    "id": product_id,
                    "name": meta["product_grp_nm"],
                    "props": {
                        "network_type": meta["eqp_mdl_ntwk"],
                        "product_id": meta["product_id"],
                        "color_hex": meta["color_hex"],
                        "color_nm": meta["color_nm"],
                        "text_id": text_id,
                        "text_value": text_value,
                    },
                    "type": "commbot_device",
                }
            )
        return items
