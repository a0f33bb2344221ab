"""Scoring one partition: a library model on its matrix at once, any other model row by row, concurrently.

Library wrappers (LightGBM, XGBoost, CatBoost, PyTorch) whose ``predict_async`` is the
built-in one score a whole partition in one library call and answer a ``score`` column.
Every other ``MLSModel`` (logic models with feature lookups among them) answers through
``predict_async``, at most ``concurrency`` rows at a time, in an ``items`` column (JSON).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

import orjson

from mls_async.models._base import MLSModelError
from mls_async.models._library import _LibraryModel

__all__ = ["score_frame", "vectorized"]


def vectorized(model: Any) -> bool:
    """Whether ``model`` scores a matrix in one call (a library wrapper not reshaping its items)."""
    return (
        isinstance(model, _LibraryModel)
        and type(model).predict_async is _LibraryModel.predict_async
        and type(model).predict is _LibraryModel.predict
    )


def _feature_columns(model: Any, frame: Any, features: list[str] | None) -> list[str]:
    wanted = list(features if features is not None else model.features or [])
    missing = [name for name in wanted if name not in frame.columns]
    if missing:
        raise MLSModelError(f"the batch source lacks the model's features {missing[:10]}")
    return wanted


async def score_frame(
    model: Any,
    frame: Any,
    *,
    key: str,
    features: list[str] | None = None,
    concurrency: int = 256,
    predict_kwargs: Mapping[str, Any] | None = None,
) -> Any:
    """A DataFrame of ``key`` and ``score`` (library models) or ``items`` (JSON text) for ``frame``."""
    import pandas as pd

    if key not in frame.columns:
        raise MLSModelError(f"the batch source has no key column {key!r}")
    columns = _feature_columns(model, frame, features)
    keys = frame[key].to_numpy()
    if vectorized(model):
        scores = await model.predict_scores_async(frame[columns].to_numpy(dtype="float64"))
        values = list(scores) if getattr(scores, "ndim", 1) > 1 else scores
        return pd.DataFrame({key: keys, "score": values})
    rows = frame[columns].astype(object).where(frame[columns].notna(), None).values.tolist()
    kwargs = dict(predict_kwargs or {})
    items: list[str] = [""] * len(rows)
    positions = iter(range(len(rows)))

    async def worker() -> None:
        # A fixed pool of workers pulling rows: no task per row, and no semaphore, whose
        # wake-ups scan every waiter (quadratic at tens of thousands of rows).
        for position in positions:
            result = await model.predict_async(rows[position], **kwargs)
            items[position] = orjson.dumps(result.get("items", []), option=orjson.OPT_SERIALIZE_NUMPY).decode()

    await asyncio.gather(*(worker() for _ in range(max(1, min(concurrency, len(rows))))))
    return pd.DataFrame({key: keys, "items": items})
