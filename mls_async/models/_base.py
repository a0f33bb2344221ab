"""``MLSModel``: the root of every model registered in the MLS model registry.

``predict_async(x, **kwargs)`` is the primary path: a model can await the feature
lookups it needs (``pf_client=...``) concurrently. ``predict`` is its sync wrapper,
usable with or without a running event loop.
"""

from __future__ import annotations

import typing
from pathlib import Path
from typing import Any

import anyio.to_thread

from mls_async._config import MLSENV, MLSRuntimeENV
from mls_async._exceptions import MLSModelError
from mls_async._schemas import MODEL_NAME_PATTERN, MODEL_VERSION_PATTERN
from mls_async.models._runner import run_sync
from mls_async.models.extension import without_runtime_caches

__all__ = ["MLSModel", "MLSModelError", "MODEL_NAME_PATTERN", "MODEL_VERSION_PATTERN"]


class MLSModel:
    """Base of registered models.

    Subclasses implement ``async def predict_async(self, x, **kwargs) -> dict`` returning
    ``{"items": [{"id", "name", "type", "props"}]}``. Subclasses written for the
    original SDK that implement only a sync ``predict`` still work: ``predict_async``
    then runs it in a worker thread.
    """

    def __init__(self, model_name: str, model_version: str) -> None:
        if not isinstance(model_name, str) or not MODEL_NAME_PATTERN.match(model_name):
            raise MLSModelError(
                f"model_name={model_name!r} is not valid: use letters, digits and '_' ending in '_model', "
                "e.g. 'churn_model'"
            )
        if not isinstance(model_version, str) or not MODEL_VERSION_PATTERN.match(model_version):
            raise MLSModelError(f"model_version={model_version!r} is not valid: use letters, digits and '_', e.g. 'v1'")
        self.models: Any = None
        self.model_name = model_name
        self.model_version = model_version
        self.model_lib: str | None = None
        self.model_lib_version: str | None = None
        self.features: list[str] | None = None

    # -- prediction -----------------------------------------------------------------------
    async def predict_async(self, x: list[Any], **kwargs: Any) -> dict[str, Any]:
        """Predict for ``x`` (feature values in ``features`` order). Override this."""
        if type(self).predict is not MLSModel.predict:
            return await anyio.to_thread.run_sync(lambda: self.predict(x, **kwargs))
        raise NotImplementedError(f"{type(self).__name__} must implement async def predict_async(self, x, **kwargs)")

    def predict(self, x: list[Any], **kwargs: Any) -> dict[str, Any]:
        """Sync wrapper of :meth:`predict_async`; works inside a running event loop too."""
        return run_sync(self.predict_async(x, **kwargs))

    def _check_row_length(self, row: list[Any]) -> None:
        if self.features is not None and len(row) != len(self.features):
            raise MLSModelError(
                f"{self.model_name}: x has {len(row)} values but the model has {len(self.features)} features "
                f"({', '.join(self.features[:8])}{', ...' if len(self.features) > 8 else ''}); "
                "pass the values in features order"
            )

    # -- registry -------------------------------------------------------------------------
    def save(
        self,
        env: MLSENV | None = None,
        runtime_env: MLSRuntimeENV | None = None,
        force: bool = False,
        **client_kwargs: Any,
    ) -> dict[str, Any]:
        """Register model.joblib + model.json in the MLS model registry (as ``ModelRegistry.save``)."""
        from mls_async._sync.registry import ModelRegistry

        with ModelRegistry(env, runtime_env, **client_kwargs) as registry:
            return registry.save(self, force=force)

    async def save_async(
        self,
        env: MLSENV | None = None,
        runtime_env: MLSRuntimeENV | None = None,
        force: bool = False,
        **client_kwargs: Any,
    ) -> dict[str, Any]:
        """Async :meth:`save`."""
        from mls_async._async.registry import AsyncModelRegistry

        async with AsyncModelRegistry(env, runtime_env, **client_kwargs) as registry:
            return await registry.save(self, force=force)

    # The artifact hooks (see mls_async.models.extension.ModelArtifacts). Cooperative:
    # mixins after MLSModel in the MRO (MLSTrainable) get their turn.
    def write_artifacts(self, directory: Path) -> None:
        """Write files beside model.joblib that the model needs after a load."""
        parent = getattr(super(), "write_artifacts", None)
        if parent is not None:
            parent(directory)

    def after_load(self, directory: Path) -> None:
        """Restore what ``write_artifacts`` wrote, after unpickling from ``directory``."""
        parent = getattr(super(), "after_load", None)
        if parent is not None:
            parent(directory)

    def __getstate__(self) -> dict[str, Any]:
        """Pickle without runtime caches (``_cache*``: boosters, batchers bound to a loop)."""
        return without_runtime_caches(typing.cast(dict[str, Any], super().__getstate__()))

    def __repr__(self) -> str:
        return f"{type(self).__name__}(model_name={self.model_name!r}, model_version={self.model_version!r})"
