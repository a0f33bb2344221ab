"""``MLSRuleModel`` and ``MLSGenericModel``: models whose logic is code, not one library model."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

from mls_async._artifacts import default_model_dir
from mls_async._libraries import LibraryMissing, library_version
from mls_async.logic._deadline import within_deadline
from mls_async.models._base import MLSModel, MLSModelError
from mls_async.models._library import check_features

__all__ = ["MLSRuleModel", "MLSGenericModel", "CUSTOM_PREDICT_FILE"]

CUSTOM_PREDICT_FILE = "predict_async.py"


class MLSRuleModel(MLSModel):
    """A rule-based model: subclasses implement ``predict_async`` (or a sync ``predict``)."""

    def __init__(self, model_name: str, model_version: str, features: list[str]) -> None:
        super().__init__(model_name, model_version)
        self.features = check_features(features, model_name)
        self.model_lib = "rule"
        self.model_lib_version = "N/A"


def _version_of(model_lib: str) -> str:
    try:
        return library_version(model_lib)
    except LibraryMissing as exc:
        raise MLSModelError(str(exc)) from exc


def _load_predict_source(source: str, origin: str) -> Callable[..., Any]:
    namespace: dict[str, Any] = {"__name__": "mls_custom_predict", "__file__": origin}
    try:
        exec(compile(source, origin, "exec"), namespace)
    except Exception as exc:
        raise MLSModelError(f"{origin} failed to load: {type(exc).__name__}: {exc}") from exc
    function = namespace.get("predict_async")
    if function is None:
        raise MLSModelError(f"{origin} defines no predict_async; add `async def predict_async(x, **kwargs)`")
    if not inspect.iscoroutinefunction(function):
        raise MLSModelError(f"{origin}: predict_async must be `async def predict_async(x, **kwargs)`")
    return cast("Callable[..., Any]", function)


class MLSGenericModel(MLSModel):
    """A model over a list of arbitrary ``models`` with custom async prediction logic.

    ``custom_predict_async`` is a coroutine function ``async def predict_async(x, **kwargs)``
    (it also gets ``model=`` this object if it declares that parameter), or the path of
    a Python file defining one; a file's source travels with the registered model.
    """

    def __init__(
        self,
        models: list[Any],
        model_name: str,
        model_version: str,
        features: list[str],
        custom_predict_async: str | Path | Callable[..., Any] | None = None,
    ) -> None:
        super().__init__(model_name, model_version)
        if not isinstance(models, list):
            raise MLSModelError(
                f"{model_name}: `models` must be a list, got {type(models).__name__}; wrap a single model as [model]"
            )
        self.models = models
        self.features = check_features(features, model_name)
        self.model_lib = "etc"
        self.model_lib_version = "N/A"
        self.custom_predict_async: Callable[..., Any] | None = None
        self._custom_source: str | None = None
        if isinstance(custom_predict_async, (str, Path)):
            self.load_custom_predict_async(custom_predict_async)
        elif custom_predict_async is not None:
            if not inspect.iscoroutinefunction(custom_predict_async):
                raise MLSModelError(
                    f"{model_name}: custom_predict_async must be an `async def` function "
                    "or a path to a .py file defining one"
                )
            self.custom_predict_async = custom_predict_async

    def set_model_lib(self, model_lib: str) -> None:
        """Record the library the models come from, and its installed version."""
        if not isinstance(model_lib, str):
            raise MLSModelError(f"model_lib must be a str, got {type(model_lib).__name__}")
        self.model_lib_version = _version_of(model_lib)
        self.model_lib = model_lib

    def load_custom_predict_async(self, file_path: str | Path | None = None) -> Callable[..., Any]:
        """Load ``predict_async`` from ``file_path`` (default: the model's registry directory)."""
        path = (
            Path(file_path)
            if file_path is not None
            else (default_model_dir() / self.model_name / self.model_version / CUSTOM_PREDICT_FILE)
        )
        try:
            source = path.read_text()
        except OSError as exc:
            raise MLSModelError(f"custom predict file {str(path)!r} cannot be read: {exc.strerror}") from exc
        self.custom_predict_async = _load_predict_source(source, str(path))
        self._custom_source = source
        return self.custom_predict_async

    async def predict_async(self, x: list[Any], **kwargs: Any) -> dict[str, Any]:
        """The custom ``predict_async``; ``deadline=`` (seconds) bounds it, its profile lookups included."""
        deadline = kwargs.pop("deadline", None)
        if deadline is not None:
            # this method again, without the deadline, as a subclass calling it would run it
            return await within_deadline(
                deadline, f"{self.model_name} prediction", MLSGenericModel.predict_async(self, x, **kwargs)
            )
        custom = getattr(self, "custom_predict_async", None)
        if custom is not None:
            if "model" in inspect.signature(custom).parameters:
                kwargs["model"] = self
            return cast("dict[str, Any]", await custom(x, **kwargs))
        if type(self).predict is not MLSModel.predict:
            return await super().predict_async(x, **kwargs)
        return {"items": []}

    def write_artifacts(self, directory: Path) -> None:
        super().write_artifacts(directory)
        if self._custom_source is not None:
            (directory / CUSTOM_PREDICT_FILE).write_text(self._custom_source)

    def __getstate__(self) -> dict[str, Any]:
        state = dict(super().__getstate__())
        if state.get("_custom_source") is not None:
            state["custom_predict_async"] = None  # rebuilt from the source on load
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self.__dict__.setdefault("_custom_source", None)  # absent from models the original SDK saved
        source = state.get("_custom_source")
        if source is not None:
            self.custom_predict_async = _load_predict_source(source, CUSTOM_PREDICT_FILE)
