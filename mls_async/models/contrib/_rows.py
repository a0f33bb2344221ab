"""Row preparation shared by the context and device models, with the original's semantics.

A row is ``[model features..., embedding features..., (context features...)]``:
missing model features take their defaults, each embedding vector is replaced by its
default when empty and reduced to the picked indices, and conversion formulas turn
values into numbers (``map``: a lookup with a default; ``conditions``: the value if
every ``[op, operand]`` holds, else the default; otherwise ``Y``/``N`` become 1/0).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from mls_async.models._base import MLSModelError

__all__ = [
    "check_conversion_formulas",
    "check_device_meta",
    "check_embeddings",
    "check_model_defaults",
    "context_for_age",
    "convert",
    "fill_defaults",
    "pick_embeddings",
    "require",
]

_YN = {"Y": 1, "N": 0}
_AGE_CONTEXT = re.compile(r"^context_age[0-9]{2}")
_HOLDS: dict[str, Callable[[Any, Any], bool]] = {
    "==": lambda f, v: f == v,
    "!=": lambda f, v: f != v,
    "<": lambda f, v: f < v,
    "<=": lambda f, v: f <= v,
    ">": lambda f, v: f > v,
    ">=": lambda f, v: f >= v,
}


def require(condition: bool, owner: str, message: str) -> None:
    """The original's constructor assertions, as an ``MLSModelError`` naming the class."""
    if not condition:
        raise MLSModelError(f"{owner}: {message}")


def check_model_defaults(features: Any, defaults: Any, owner: str, fixed: int = 0) -> None:
    require(isinstance(features, list), owner, "`model_features` must be a list")
    require(isinstance(defaults, list), owner, "`default_model_feature_values` must be a list")
    require(
        len(features) - fixed == len(defaults),
        owner,
        f"`default_model_feature_values` needs one value per model feature"
        f"{f' after the first {fixed}' if fixed else ''} ({len(features) - fixed}), got {len(defaults)}",
    )
    require(None not in defaults, owner, "`default_model_feature_values` holds None")


def check_embeddings(features: Any, defaults: Any, indices: Any, owner: str) -> None:
    require(isinstance(features, list), owner, "`emb_features` must be a list")
    require(
        isinstance(defaults, list) and None not in defaults,
        owner,
        "`default_emb_feature_values` must be a list of lists without None",
    )
    require(
        isinstance(indices, list) and None not in indices,
        owner,
        "`emb_feature_indices` must be a list of lists without None",
    )
    require(
        len(features) == len(defaults) == len(indices),
        owner,
        "`emb_features`, `default_emb_feature_values` and `emb_feature_indices` differ in length",
    )
    for default, picked in zip(defaults, indices):
        require(
            isinstance(picked, list) and isinstance(default, list),
            owner,
            "every element of `emb_feature_indices` and `default_emb_feature_values` must be a list",
        )
        require(len(picked) <= len(default), owner, "an `emb_feature_indices` entry is longer than its embedding")
        require(None not in default, owner, "a `default_emb_feature_values` entry holds None")
        for index in picked:
            require(isinstance(index, int), owner, "embedding indices must be ints")
            require(index < len(default), owner, f"embedding index {index} is beyond its embedding's length")


def check_conversion_formulas(formulas: Any, owner: str) -> None:
    require(isinstance(formulas, dict), owner, "`conversion_formulas` must be a dict")
    for name, formula in formulas.items():
        require(isinstance(name, str), owner, "`conversion_formulas` keys must be feature names (str)")
        require(isinstance(formula, dict), owner, f"the conversion formula of {name!r} must be a dict")
        require(
            "map" in formula or "conditions" in formula,
            owner,
            f"the conversion formula of {name!r} needs 'map' or 'conditions'",
        )
        require("default" in formula, owner, f"the conversion formula of {name!r} needs 'default'")


def check_device_meta(device_meta: Any, owner: str) -> dict[str, dict[str, Any]]:
    """``{eqp_mdl_cd: values}`` of a ``MetaTable`` (ours or the original's) of devices."""
    items = getattr(device_meta, "items", None)
    require(isinstance(items, list) and len(items) > 0, owner, "`device_meta` must be a MetaTable with items")
    meta: dict[str, dict[str, Any]] = {}
    for item in items or []:
        name, values = item.get("name"), item.get("values")
        require(bool(name) and bool(values), owner, "every `device_meta` item needs a `name` and `values`")
        require(isinstance(name, str), owner, "a `device_meta` item's `name` must be a str")
        require(isinstance(values, dict), owner, "a `device_meta` item's `values` must be a dict")
        require(
            {"product_grp_id", "product_grp_nm", "mfact_nm"} <= values.keys(),
            owner,
            "`device_meta` item values need `product_grp_id`, `product_grp_nm` and `mfact_nm`",
        )
        meta[name] = values
    return meta


def fill_defaults(values: list[Any], defaults: list[Any]) -> list[Any]:
    return [value if value is not None else default for value, default in zip(values, defaults)]


def pick_embeddings(
    vectors: list[Any], defaults: list[list[Any]], indices: list[list[int]], owner: str, *, lists_only: bool = False
) -> list[Any]:
    """Each vector (its default when empty) reduced to its indices, missing values defaulted, concatenated."""
    picked: list[Any] = []
    for vector, default, wanted in zip(vectors, defaults, indices):
        if not vector:
            vector = default
        elif lists_only and not isinstance(vector, list):
            raise MLSModelError(f"{owner}: an embedding feature must be a list, got {type(vector).__name__}")
        elif len(vector) != len(default):
            raise MLSModelError(f"{owner}: an embedding has {len(vector)} values, its default {len(default)}")
        picked.extend(vector[j] if vector[j] is not None else default[j] for j in wanted)
    return picked


def _yes_no(value: Any, numeric: bool) -> Any:
    converted = _YN.get(value, value)
    if not numeric:
        return converted
    try:
        return float(converted)
    except (TypeError, ValueError):
        return converted


def convert(
    values: list[Any], names: list[str], formulas: dict[str, dict[str, Any]], *, numeric: bool = False
) -> list[Any]:
    """Apply the conversion formulas to ``values`` (named by ``names``); ``numeric`` casts the rest to float."""
    converted = []
    for value, name in zip(values, names):
        formula = formulas.get(name)
        if not formula:
            converted.append(_yes_no(value, numeric))
        elif "map" in formula:
            converted.append(formula["map"].get(value, formula["default"]))
        else:
            holds = all(_HOLDS[op](value, operand) if op in _HOLDS else True for op, operand in formula["conditions"])
            converted.append(value if holds else formula["default"])
    return converted


def context_for_age(context_features: list[str], age: Any, default: str) -> str:
    """The first context that applies: an age-band context (``context_age20...``) only for that band."""
    for feature in context_features:
        if not _AGE_CONTEXT.match(feature):
            return feature
        try:
            if int(age) // 10 * 10 == int(feature.split("_")[1][3:5]):
                return feature
        except (TypeError, ValueError, IndexError):
            return default
    return default
