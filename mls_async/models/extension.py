"""What a model class may rely on beyond pickling: artifact hooks and runtime caches.

Registering a model pickles it (``model.joblib``). Two conventions cover what pickle
cannot or should not hold:

- **Artifact hooks** (:class:`ModelArtifacts`): ``write_artifacts(directory)`` writes files
  beside ``model.joblib`` before it is pickled (an AutoGluon predictor's folder, a custom
  ``predict_async`` source), and ``after_load(directory)`` restores them once unpickled
  from that directory, by the registry, the server or ``ModelRegistry.load``. Every
  ``MLSModel`` has both; an override calls ``super()`` first, so that mixins compose.
- **Runtime caches** (:func:`runtime_cache`): attributes named ``_cache...`` hold what a
  process builds from the model (a booster handle, a micro-batcher bound to an event
  loop, compiled logic). They are never pickled; a loaded model rebuilds them on use.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from mls_async._artifacts import ModelArtifacts

__all__ = ["ModelArtifacts", "RUNTIME_CACHE_PREFIX", "runtime_cache", "without_runtime_caches"]

RUNTIME_CACHE_PREFIX = "_cache"
T = TypeVar("T")


def runtime_cache(model: object, name: str, build: Callable[[], T]) -> T:
    """``model``'s runtime cache ``name`` (``_cache...``), built by ``build`` on first use in this process."""
    if not name.startswith(RUNTIME_CACHE_PREFIX):
        raise ValueError(f"runtime cache names start with {RUNTIME_CACHE_PREFIX!r}, got {name!r}")
    found = model.__dict__.get(name)
    if found is None:
        found = model.__dict__[name] = build()
    return found


def without_runtime_caches(state: dict[str, Any]) -> dict[str, Any]:
    """A pickled state without its runtime caches."""
    return {key: value for key, value in state.items() if not key.startswith(RUNTIME_CACHE_PREFIX)}
