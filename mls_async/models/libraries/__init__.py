"""One object per model library: what a model does differently for the library it wraps.

Each library the platform names (``model_lib``) has a row in :mod:`mls_async._libraries`
(its module and install extra) and, where models treat it apart, a module here defining
one :class:`Library` object (``LIBRARY``), which the row names. The object holds every
rule of its library: checking a trained model, its default feature names and version,
the wrappers' predict on a matrix, the logic models' predict on rows (``predict_fn``), the
thread policy of a call, pickling, files beside ``model.joblib`` and the offloading rule.
Adding a library is its module here and its row in the table.

Library modules import their library only inside their methods: importing them is cheap.
"""

from __future__ import annotations

import functools
import importlib
import sys
from pathlib import Path
from typing import Any, ClassVar

from mls_async._exceptions import MLSModelError
from mls_async._libraries import LIBRARIES, library, library_version

__all__ = ["Library", "for_lib", "library_of", "predict"]


class Library:
    """What models do for ``model_lib`` ``name``: the defaults here fit a library with no rule of its own."""

    calls_model: ClassVar[bool] = False  # the logic models call the model itself on a tensor, whatever predict_fn
    always_offload: ClassVar[bool] = False  # every batch of the logic models runs in a worker thread
    model_types: ClassVar[tuple[str, tuple[str, ...]] | None] = None  # (module, class names) of its models

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r})"

    # -- the library wrappers (MLSLightGBMModel, ...) ----------------------------------------
    def check_model(self, model: Any) -> None:
        """Raise ``MLSModelError`` unless ``model`` is a trained model of this library."""

    def default_features(self, model: Any) -> list[str] | None:
        """The feature names a trained model knows, for a wrapper given none."""
        return None

    def version(self) -> str:
        """``model_lib_version``."""
        return library_version(self.name)

    def predict_matrix(self, wrapper: Any, matrix: Any) -> Any:
        """A wrapper's scores for a float64 matrix (its model is ``wrapper.models[0]``)."""
        raise NotImplementedError(f"{self.name} has no library wrapper")

    # -- the logic models (GenericLogicModel, ...) ------------------------------------------
    def predict_rows(self, model: Any, predict_fn: str, rows: list[Any], columns: list[str] | None) -> Any:
        """``predict_fn`` of ``model`` on ``rows``: one output per row."""
        import numpy as np

        method = getattr(model, predict_fn, None)
        if method is None:
            raise MLSModelError(f"the model has no {predict_fn}(); pass a trained model or fit() first")
        return predict(model, predict_fn, np.asarray(rows))  # the threads of the model's own library

    # -- thread policy -----------------------------------------------------------------------
    def call(self, model: Any, method: str, matrix: Any) -> Any:
        """``model.<method>(matrix)`` on the threads this library should use for the batch (see ``_threads``)."""
        return getattr(model, method)(matrix)

    # -- pickling and files beside model.joblib ----------------------------------------------
    def pickled(self, wrapper: Any, state: dict[str, Any]) -> dict[str, Any]:
        """A wrapper's state to pickle (the models in a form pickle keeps)."""
        return state

    def unpickled(self, state: dict[str, Any]) -> dict[str, Any]:
        """A pickled wrapper's state, its models restored."""
        return state

    def restore(self, model: Any, directory: Path) -> None:
        """Restore what a model of the original SDK kept beside its model.joblib in ``directory``."""


@functools.cache
def for_lib(model_lib: str | None) -> Library:
    """The object of ``model_lib``: its module's ``LIBRARY``, or a plain :class:`Library` for one without rules."""
    entry = library(model_lib) if model_lib is not None else None
    if entry is None or entry.rules is None:
        return Library(model_lib or "")
    found: Library = importlib.import_module(entry.rules).LIBRARY
    return found


_by_type: dict[type, Library | None] = {}


def library_of(model: Any) -> Library | None:
    """The library whose model class ``model`` is an instance of, among those already imported, else None.

    A model of a library that is not loaded cannot exist, so no library is imported here.
    """
    kind = type(model)
    if kind in _by_type:
        return _by_type[kind]
    found = None
    for entry in LIBRARIES:
        rules = for_lib(entry.name)
        if rules.model_types is None:
            continue
        module_name, class_names = rules.model_types
        module = sys.modules.get(module_name)
        if module is not None and isinstance(model, tuple(getattr(module, name) for name in class_names)):
            found = rules
            break
    _by_type[kind] = found
    return found


def predict(model: Any, method: str, matrix: Any) -> Any:
    """``model.<method>(matrix)``, on the threads the model's library should use for the batch's size.

    Models of other libraries (scikit-learn, a user's own class) are called as they are.
    """
    rules = library_of(model)
    if rules is None:
        return getattr(model, method)(matrix)
    return rules.call(model, method, matrix)
