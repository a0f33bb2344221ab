"""A registered model version on disk: ``model.joblib`` + ``model.json`` + extra files.

The registry moves a version as one tar archive with a sha256, so a version is
uploaded, stored and downloaded whole or not at all.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tarfile
import tempfile
from pathlib import Path
from typing import Any, cast

import orjson

from mls_async._exceptions import ModelRegistryError
from mls_async._safe_tar import MAX_UNPACKED_BYTES, UnsafeArchive, extract_archive

__all__ = [
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
]

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


def pack_version_dir(directory: Path) -> tuple[Path, str]:
    """Archive ``directory``'s contents into a temporary tar file; return it and its sha256."""
    handle, name = tempfile.mkstemp(suffix=".tar")
    os.close(handle)
    path = Path(name)
    with tarfile.open(path, "w") as archive:
        for child in sorted(directory.iterdir()):
            archive.add(child, arcname=child.name)
    return path, sha256_file(path)


def unpack_archive(archive_path: Path, destination: Path, *, max_bytes: int = MAX_UNPACKED_BYTES) -> None:
    """Extract a version archive into ``destination`` with our own checks (see :mod:`mls_async._safe_tar`)."""
    try:
        extract_archive(archive_path, destination, max_bytes=max_bytes)
    except UnsafeArchive as exc:
        raise ModelRegistryError(f"the model archive is damaged or unsafe: {exc}") from exc
    if not (destination / MODEL_BINARY_NAME).is_file():
        raise ModelRegistryError(f"the model archive has no {MODEL_BINARY_NAME}")


def replace_dir(staging: Path, target: Path) -> None:
    """Move ``staging`` to ``target``, replacing what was there (same filesystem: a rename)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        trash = target.with_name(f".{target.name}.old-{os.getpid()}-{id(staging)}")
        target.rename(trash)
        staging.rename(target)
        shutil.rmtree(trash, ignore_errors=True)
    else:
        staging.rename(target)


def load_version_dir(directory: Path) -> Any:
    """Unpickle the model in ``directory`` (ours, or one the original SDK saved) and let it restore its files."""
    from mls_async.compat import load_sktmls

    model = load_sktmls(directory / MODEL_BINARY_NAME)
    after_load = getattr(model, "after_load", None)  # a model of the original SDK's own classes has none
    if after_load is not None:
        after_load(directory)
    return model
