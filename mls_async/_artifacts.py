"""A registered model version on disk: ``model.joblib`` + ``model.json`` + extra files.

The registry moves a version as one tar archive with a sha256, so a version is
uploaded, stored and downloaded whole or not at all.
"""

from __future__ import annotations

import ctypes
import errno
import hashlib
import os
import shutil
import sys
import tarfile
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol, cast, runtime_checkable

import anyio
import orjson

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

from mls_async._exceptions import ModelRegistryError
from mls_async._safe_tar import MAX_UNPACKED_BYTES, UnsafeArchive, extract_archive

__all__ = [
    "ModelArtifacts",
    "AsyncCancelShield",
    "CancelShield",
    "MODEL_BINARY_NAME",
    "MODEL_META_NAME",
    "default_model_dir",
    "build_meta",
    "write_version_dir",
    "pack_version_dir",
    "unpack_archive",
    "load_version_dir",
    "replace_dir",
    "sha256_file",
    "VersionLock",
    "set_model_loader",
]


@runtime_checkable
class ModelArtifacts(Protocol):
    """A model that the registry can save: it names itself and keeps its own files."""

    model_name: str
    model_version: str

    def write_artifacts(self, directory: Path) -> None:
        """Write the files the model needs after a load into ``directory`` (before it is pickled)."""

    def after_load(self, directory: Path) -> None:
        """Restore what :meth:`write_artifacts` wrote, once unpickled from ``directory``."""


MODEL_BINARY_NAME = "model.joblib"
MODEL_META_NAME = "model.json"
CHUNK = 1 << 20


def default_model_dir() -> Path:
    """``$MLS_MODEL_DIR``, else ``~/models`` (the original SDK's local registry)."""
    return Path(os.environ.get("MLS_MODEL_DIR") or Path.home() / "models")


def build_meta(model: Any) -> dict[str, Any]:
    """The model.json content for ``model``."""
    name, version = model.model_name, model.model_version
    return {
        "name": name,
        "version": version,
        "model_lib": model.model_lib,
        "model_lib_version": model.model_lib_version,
        "model_data": f"/models/{name}/{version}/{MODEL_BINARY_NAME}",
        "features": list(model.features or []),
        "class": type(model).__name__,
        "metric": getattr(model, "metric", None),
        "performance": getattr(model, "performance", None),
        "feature_importance": getattr(model, "feature_importance", None),
        "model_info": getattr(model, "model_info", None),
    }


def write_version_dir(model: Any, directory: Path) -> dict[str, Any]:
    """Write the model's files into ``directory`` (created) and return its meta."""
    import joblib

    directory.mkdir(parents=True, exist_ok=True)
    model.write_artifacts(directory)
    try:
        joblib.dump(model, directory / MODEL_BINARY_NAME)
    except Exception as exc:
        raise ModelRegistryError(
            f"{model.model_name}/{model.model_version}: the model could not be pickled ({exc!r}). "
            "Functions it holds must be importable (defined in a module, not a notebook cell); "
            "for custom_predict_async pass a path to a .py file instead."
        ) from exc
    meta = build_meta(model)
    payload = orjson.dumps(meta, option=orjson.OPT_INDENT_2 | orjson.OPT_SERIALIZE_NUMPY, default=str)
    (directory / MODEL_META_NAME).write_bytes(payload)
    return cast("dict[str, Any]", orjson.loads(payload))


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        while chunk := file.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def pack_version_dir(directory: Path, into: Path | None = None) -> tuple[Path, str]:
    """Archive ``directory``'s contents into ``into`` (a new temporary file by default); return it and its sha256.

    A caller that may be cancelled names ``into`` itself, so that it can remove the file
    whether or not this returned to it.
    """
    if into is None:
        handle, name = tempfile.mkstemp(suffix=".tar")
        os.close(handle)
        into = Path(name)
    with tarfile.open(into, "w") as archive:
        for child in sorted(directory.iterdir()):
            archive.add(child, arcname=child.name)
    return into, sha256_file(into)


class AsyncCancelShield:
    """Cleanup that must run to its end in a cancelled task (closing a response): no cancellation reaches it."""

    def __enter__(self) -> None:
        self._scope = anyio.CancelScope(shield=True)
        self._scope.__enter__()

    def __exit__(self, *exc_info: Any) -> bool | None:
        return self._scope.__exit__(*exc_info)


class CancelShield:
    """The sync twin of :class:`AsyncCancelShield`: sync code is cancelled by no one."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc_info: Any) -> None:
        return None


def unpack_archive(archive_path: Path, destination: Path, *, max_bytes: int = MAX_UNPACKED_BYTES) -> None:
    """Extract a version archive into ``destination`` with our own checks (see :mod:`mls_async._safe_tar`)."""
    try:
        extract_archive(archive_path, destination, max_bytes=max_bytes)
    except UnsafeArchive as exc:
        raise ModelRegistryError(f"the model archive is damaged or unsafe: {exc}") from exc
    if not (destination / MODEL_BINARY_NAME).is_file():
        raise ModelRegistryError(f"the model archive has no {MODEL_BINARY_NAME}")


def replace_dir(staging: Path, target: Path) -> None:
    """Move ``staging`` to ``target``, replacing what was there (same filesystem).

    Where the system can swap two directories in one step (Linux), ``target`` never stops
    existing: a reader sees the old version or the new one, whole. Elsewhere the old one
    is moved aside first, under a name no other replace uses.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        staging.rename(target)  # no target yet (or an empty one)
        return
    except OSError as exc:
        if exc.errno not in (errno.ENOTEMPTY, errno.EEXIST):
            raise
    if _exchange(staging, target):
        shutil.rmtree(staging, ignore_errors=True)  # it holds the old version now
        return
    trash = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
    target.rename(trash)
    staging.rename(target)
    shutil.rmtree(trash, ignore_errors=True)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(first: Path, second: Path) -> bool:
    """Swap two paths atomically (``renameat2`` with ``RENAME_EXCHANGE``); False where that is not supported."""
    if not sys.platform.startswith("linux"):
        return False
    renameat2 = getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)
    if renameat2 is None:  # a C library older than glibc 2.28
        return False
    renameat2.argtypes = (ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint)
    renameat2.restype = ctypes.c_int
    if renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):  # an old kernel, or a filesystem without it
        return False
    raise OSError(code, os.strerror(code), str(first), None, str(second))


class VersionLock:
    """An exclusive hold on one version of a model dir, for threads and processes alike.

    A ``flock`` on ``{model_dir}/{name}/.{version}.lock``, taken on a descriptor of its own:
    two threads of one process exclude each other as two processes do, and a process that
    dies lets go. Where there is no ``flock`` (Windows), a lock per path in this process.
    """

    _local: dict[Path, threading.Lock] = {}
    _local_guard = threading.Lock()

    def __init__(self, model_dir: Path, model_name: str, model_version: str) -> None:
        self.path = model_dir / model_name / f".{model_version}.lock"
        self._fd: int | None = None
        self._thread_lock: threading.Lock | None = None

    def try_acquire(self) -> bool:
        """Take the hold if nobody has it; never waits."""
        if fcntl is None:  # pragma: no cover - Windows
            with self._local_guard:
                lock = self._local.setdefault(self.path, threading.Lock())
            if not lock.acquire(blocking=False):
                return False
            self._thread_lock = lock
            return True
        if self._fd is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def release(self) -> None:
        """Let go (closing the descriptor drops the ``flock``); safe to call when not held."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
        if self._thread_lock is not None:
            self._thread_lock.release()
            self._thread_lock = None


ModelLoader = Callable[[Path], Any]
_model_loader: ModelLoader | None = None


def set_model_loader(loader: ModelLoader) -> None:
    """Install how a version's ``model.joblib`` is unpickled (:mod:`mls_async.compat` installs its loader).

    The loader knows the model classes (ours and the original SDK's names for them); this
    module, and the registry above it, stay below the model packages and import none of them.
    """
    global _model_loader
    _model_loader = loader


def load_version_dir(directory: Path) -> Any:
    """Unpickle the model in ``directory`` (ours, or one the original SDK saved) and let it restore its files."""
    if _model_loader is None:
        raise ModelRegistryError("no model loader is installed; import mls_async.compat")
    model = _model_loader(directory / MODEL_BINARY_NAME)
    after_load = getattr(model, "after_load", None)  # a model of the original SDK's own classes has none
    if after_load is not None:
        after_load(directory)
    return model
