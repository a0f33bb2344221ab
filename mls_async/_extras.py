"""Optional dependencies: which install extra brings which module, and one error that says so.

The base install is the client alone; the server, batch scoring, AutoGluon training and
each model library come with an extra (``pip install 'mls-async[server]'``). Code that
needs one imports it inside :func:`needs_extra`, so that a missing module becomes a
:class:`MissingExtra` naming the extra to install instead of a bare ``ModuleNotFoundError``.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType

from mls_async._exceptions import MLSClientError

__all__ = ["EXTRA_MODULES", "MissingExtra", "install_command", "needs_extra", "require"]

# The top-level modules each extra installs, as far as our code imports them.
EXTRA_MODULES: dict[str, frozenset[str]] = {
    "server": frozenset({"fastapi", "starlette", "uvicorn", "pandas", "pyarrow"}),
    "batch": frozenset({"distributed", "dask", "pandas", "pyarrow", "tqdm"}),
    "autogluon": frozenset({"autogluon", "pandas", "sklearn", "tqdm"}),
    "lightgbm": frozenset({"lightgbm", "sklearn", "numpy"}),
    "xgboost": frozenset({"xgboost", "numpy"}),
    "catboost": frozenset({"catboost", "numpy"}),
    "torch": frozenset({"torch", "numpy"}),
}
EXTRA_MODULES["all"] = frozenset().union(*EXTRA_MODULES.values())


class MissingExtra(MLSClientError, ImportError):
    """Something needs an optional dependency that is not installed; the message says what to install."""

    def __init__(self, msg: str, *, extra: str, module: str) -> None:
        super().__init__(None, msg)
        self.extra = extra
        self.module = module


def install_command(extra: str) -> str:
    """The command that installs ``extra``."""
    return f"pip install 'mls-async[{extra}]'"


def _missing(extra: str, purpose: str, module: str) -> MissingExtra:
    return MissingExtra(
        f"{purpose} needs {module}, which is not installed: {install_command(extra)}", extra=extra, module=module
    )


@contextmanager
def needs_extra(extra: str, purpose: str) -> Iterator[None]:
    """Turn a missing module of ``extra`` raised inside the block into a :class:`MissingExtra`.

    Only modules the extra installs are translated: a missing module of anything else is
    a different problem and propagates unchanged.
    """
    if extra not in EXTRA_MODULES:
        raise ValueError(f"unknown extra {extra!r}; known: {sorted(EXTRA_MODULES)}")
    try:
        yield
    except ModuleNotFoundError as exc:
        top = (exc.name or "").partition(".")[0]
        if top not in EXTRA_MODULES[extra]:
            raise
        raise _missing(extra, purpose, top) from exc


def require(module: str, *, extra: str, purpose: str) -> ModuleType:
    """Import ``module`` or raise a :class:`MissingExtra` that names ``extra``."""
    with needs_extra(extra, purpose):
        return importlib.import_module(module)
