"""The model libraries, in one table: the platform's ``model_lib`` name, the module, the install extra, the rules.

Everything that needs to know a library reads it here: the allowed ``model_lib`` values
of the model API, ``model_lib_version`` (the module's ``__version__``), the message that
says what to install when a library is missing, and the module of the library's object
(``rules``: how models check, predict with, thread, pickle and restore its models; see
:mod:`mls_async.models.libraries`). A library is added by its row here and that module.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from types import ModuleType

from mls_async._exceptions import MLSClientError
from mls_async._extras import install_command

__all__ = ["ModelLibrary", "LIBRARIES", "MODEL_LIBS", "library", "import_library", "library_version"]


@dataclass(frozen=True)
class ModelLibrary:
    """One ``model_lib`` of the platform: ``module`` is None for models without a library."""

    name: str
    module: str | None
    extra: str | None  # ``pip install 'mls-async[extra]'`` installs it
    rules: str | None = None  # the module whose ``LIBRARY`` holds what models do for it (None: nothing apart)

    def install_hint(self) -> str:
        if self.extra is not None:
            return install_command(self.extra)
        return f"pip install {self.module}" if self.module else "nothing to install"


_RULES = "mls_async.models.libraries"
LIBRARIES: tuple[ModelLibrary, ...] = (
    ModelLibrary("sklearn", "sklearn", None),  # comes with the lightgbm and autogluon extras
    ModelLibrary("xgboost", "xgboost", "xgboost", f"{_RULES}.xgboost"),
    ModelLibrary("lightgbm", "lightgbm", "lightgbm", f"{_RULES}.lightgbm"),
    ModelLibrary("catboost", "catboost", "catboost", f"{_RULES}.catboost"),
    ModelLibrary("rule", None, None),
    ModelLibrary("etc", None, None),
    ModelLibrary("pytorch", "torch", "torch", f"{_RULES}.pytorch"),
    ModelLibrary("autogluon", "autogluon.tabular", "autogluon", f"{_RULES}.autogluon"),
)
MODEL_LIBS: tuple[str, ...] = tuple(entry.name for entry in LIBRARIES)
_BY_NAME = {entry.name: entry for entry in LIBRARIES}


class LibraryMissing(MLSClientError, ImportError):
    """A model needs a library that is not installed; the message says what to install."""

    def __init__(self, msg: str) -> None:
        super().__init__(None, msg)


def library(name: str) -> ModelLibrary | None:
    """The table's entry for ``model_lib`` ``name`` (None for a name the platform does not know)."""
    return _BY_NAME.get(name)


def import_library(name: str) -> ModuleType:
    """The module of ``model_lib`` ``name``, or an error that says which extra installs it."""
    entry = _BY_NAME.get(name)
    if entry is None or entry.module is None:
        raise LookupError(f"model_lib={name!r} has no library module")
    try:
        return importlib.import_module(entry.module)
    except ImportError as exc:
        raise LibraryMissing(
            f"model_lib={name!r} needs {entry.module}, which is not installed ({exc}); {entry.install_hint()}"
        ) from exc


def library_version(name: str) -> str:
    """``model_lib_version`` for ``name``: its module's ``__version__``, "N/A" without a library."""
    entry = _BY_NAME.get(name)
    if entry is None or entry.module is None:
        return "N/A"
    return str(getattr(import_library(name), "__version__", "N/A"))
