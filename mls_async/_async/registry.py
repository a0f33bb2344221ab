"""``AsyncModelRegistry``: save, list, load and delete registered model versions.

A save writes ``{model_dir}/{name}/{version}/`` (model.joblib, model.json and any files
the model adds) and uploads it to the MLS registry as one archive with its sha256.
A load downloads the archive, verifies the sha256, unpacks it and unpickles the model.
Unpickling runs code: load only what trusted users registered.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from collections.abc import AsyncGenerator
from pathlib import Path
from typing import Any, cast

import anyio
import httpx

from mls_async._artifacts import (
    CHUNK,
    AsyncCancelShield,
    ModelArtifacts,
    VersionLock,
    default_model_dir,
    load_version_dir,
    pack_version_dir,
    replace_dir,
    unpack_archive,
    write_version_dir,
)
from mls_async._async.base_client import DEFAULT_LIMITS, DEFAULT_TIMEOUT, AsyncConnection, AsyncMLSClient
from mls_async._async.model_client import AsyncMLModelClient
from mls_async._config import MLSENV, MLSRuntimeENV
from mls_async._entities import ManualModel
from mls_async._exceptions import (
    MLSClientError,
    MLSConflictError,
    MLSConnectionError,
    MLSNotFoundError,
    ModelRegistryError,
)
from mls_async._protocol import ARTIFACTS_PATH, CHECKSUM_HEADER
from mls_async._retry import RetryPolicy
from mls_async._synchronization import to_thread
from mls_async._validation import check_type

__all__ = ["AsyncModelRegistry", "ARTIFACTS_PATH", "CHECKSUM_HEADER"]


async def _chunks(path: Path) -> AsyncGenerator[bytes, None]:
    # Plain reads: a 1 MiB local read is shorter than a thread hop.
    with open(path, "rb") as file:
        while chunk := file.read(CHUNK):
            yield chunk


class _Upload:
    """An archive's request bodies, one per attempt, all closed by the save (sent, failed or cancelled).

    A body the transport left unfinished (its request cancelled mid-way) is closed here,
    so that its file is closed at once and no finalizer task is left behind for it.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.bodies: list[AsyncGenerator[bytes, None]] = []

    def __call__(self) -> AsyncGenerator[bytes, None]:
        body = _chunks(self.path)
        self.bodies.append(body)
        return body

    async def aclose(self) -> None:
        for body in self.bodies:
            await body.aclose()


def _check_name(model_name: Any, model_version: Any) -> None:
    check_type(model_name, str, "model_name")
    check_type(model_version, str, "model_version")


class AsyncModelRegistry(AsyncMLSClient):
    """The MLS model registry, with a local copy under ``model_dir`` (``$MLS_MODEL_DIR`` or ``~/models``)."""

    def __init__(
        self,
        env: MLSENV | str | None = None,
        runtime_env: MLSRuntimeENV | str | None = None,
        username: str | None = None,
        password: str | None = None,
        *,
        base_url: str | None = None,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        max_retries: int = 2,
        retry: RetryPolicy | None = None,
        limits: httpx.Limits = DEFAULT_LIMITS,
        transport: httpx.AsyncBaseTransport | str | None = None,
        auth: str = "basic",
        credentials_required: bool = False,
        connection: AsyncConnection | None = None,
        model_dir: str | Path | None = None,
    ) -> None:
        super().__init__(
            env,
            runtime_env,
            username,
            password,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            retry=retry,
            limits=limits,
            transport=transport,
            auth=auth,
            credentials_required=credentials_required,
            connection=connection,
        )
        self.model_dir = Path(model_dir) if model_dir is not None else default_model_dir()

    def _version_path(self, model_name: str, model_version: str) -> str:
        return f"{ARTIFACTS_PATH}/{model_name}/{model_version}"

    async def save(self, mls_model: Any, force: bool = False) -> dict[str, Any]:
        """Register ``mls_model``; an existing version is refused unless ``force``. Returns model.json."""
        if not isinstance(mls_model, ModelArtifacts):
            raise ModelRegistryError(f"save() takes an MLSModel, got {type(mls_model).__name__}")
        check_type(force, bool, "force")
        name, version = mls_model.model_name, mls_model.model_version
        self.model_dir.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{name}-{version}-", dir=self.model_dir))
        # named here, not by the packing thread: a save cancelled while it packs still removes it
        packed = staging.with_name(f"{staging.name}.tar")
        try:
            meta = await to_thread(write_version_dir, mls_model, staging)
            _, digest = await to_thread(pack_version_dir, staging, packed)
            upload = _Upload(packed)
            try:
                await self._request(
                    "PUT",
                    self._version_path(name, version),
                    params={"force": force},
                    content=upload,
                    headers={CHECKSUM_HEADER: digest, "Content-Type": "application/x-tar"},
                )
            except MLSConflictError as exc:
                raise ModelRegistryError(
                    f"{name}/{version} is registered already; pass force=True to replace it", code=409
                ) from exc
            finally:
                await upload.aclose()
            lock = await self._hold(name, version)
            try:
                await to_thread(replace_dir, staging, self.model_dir / name / version)
            finally:
                lock.release()
            return meta
        finally:
            shutil.rmtree(staging, ignore_errors=True)
            packed.unlink(missing_ok=True)

    async def save_and_deploy(
        self, mls_model: Any, ml_model_client: AsyncMLModelClient | None = None, force: bool = False
    ) -> ManualModel:
        """Register ``mls_model`` and create (or with ``force``, update) its manual model.

        The manual model is written through ``ml_model_client``, by default a model client
        on this registry's connection and account.
        """
        if ml_model_client is None:
            ml_model_client = self._sibling(AsyncMLModelClient)
        meta = await self.save(mls_model, force=force)
        fields = {
            "model_lib": meta["model_lib"],
            "model_data": meta["model_data"],
            "features": ",".join(meta["features"]),
            "model_meta": {
                key: meta[key]
                for key in ("name", "version", "model_lib", "model_lib_version", "model_data", "features")
            },
        }
        try:
            return await ml_model_client.create_manual_model(name=meta["name"], version=meta["version"], **fields)
        except MLSClientError:
            if not force:
                raise
        existing = await ml_model_client.get_manual_model(name=meta["name"], version=meta["version"])
        return await ml_model_client.update_manual_model(existing, **fields)

    async def info(self, model_name: str, model_version: str) -> dict[str, Any] | None:
        """The registry's record of a version (sha256, size, files, model.json), or None."""
        _check_name(model_name, model_version)
        results = (
            await self._request(
                "GET", f"{ARTIFACTS_PATH}/info", params={"model_name": model_name, "model_version": model_version}
            )
        ).results
        return (results or {}).get("info")

    async def list_models(self) -> list[str]:
        """Names of the registered models."""
        return cast("list[str]", (await self._request("GET", ARTIFACTS_PATH)).results)

    async def list_versions(self, model_name: str) -> list[str]:
        """Registered versions of ``model_name``."""
        check_type(model_name, str, "model_name")
        return cast(
            "list[str]", (await self._request("GET", ARTIFACTS_PATH, params={"model_name": model_name})).results
        )

    async def load(self, model_name: str, model_version: str) -> Any:
        """Download, verify and unpickle a registered version (trusted registries only).

        Loads of one version into one ``model_dir`` take turns, whether they come from tasks,
        threads or processes, and the local copy is replaced whole: a load never sees
        another's half-written files.
        """
        _check_name(model_name, model_version)
        self.model_dir.mkdir(parents=True, exist_ok=True)
        lock = await self._hold(model_name, model_version)
        staging: Path | None = None
        try:
            staging = Path(tempfile.mkdtemp(prefix=f".{model_name}-{model_version}-", dir=self.model_dir))
            archive = staging / "archive.tar"
            expected, digest = await self._download(model_name, model_version, archive)
            if expected and expected != digest.hexdigest():
                raise ModelRegistryError(
                    f"{model_name}/{model_version}: checksum mismatch (expected {expected}, got {digest.hexdigest()})"
                )
            unpacked = staging / "version"
            await to_thread(unpack_archive, archive, unpacked)
            target = self.model_dir / model_name / model_version
            await to_thread(replace_dir, unpacked, target)
            return await to_thread(load_version_dir, target)
        finally:
            if staging is not None:
                shutil.rmtree(staging, ignore_errors=True)
            lock.release()

    async def _hold(self, model_name: str, model_version: str) -> VersionLock:
        """Wait for this version's local copy to be free (see :class:`VersionLock`), then hold it."""
        lock = VersionLock(self.model_dir, model_name, model_version)
        delay = 0.002
        while not lock.try_acquire():
            await anyio.sleep(delay)  # polled: waiting blocks no thread, and a cancelled wait leaves nothing behind
            delay = min(delay * 2, 0.05)
        return lock

    async def _download(self, model_name: str, model_version: str, archive: Path) -> tuple[str | None, Any]:
        """Stream the archive to ``archive``; a connection broken mid-body is retried like any read."""
        attempt = 0
        while True:
            try:
                response = await self._stream("GET", self._version_path(model_name, model_version))
            except MLSNotFoundError as exc:
                raise ModelRegistryError(f"{model_name}/{model_version} is not registered", code=404) from exc
            digest = hashlib.sha256()
            try:
                with open(archive, "wb") as file:
                    async for chunk in response.aiter_bytes():
                        digest.update(chunk)
                        file.write(chunk)
            except httpx.TransportError as exc:
                error = MLSConnectionError(None, f"downloading {model_name}/{model_version} broke off: {exc!r}")
                if attempt >= self._retry.max_retries:
                    raise error from exc
                attempt += 1
                await anyio.sleep(self._retry.backoff(attempt - 1))
                continue
            finally:
                with AsyncCancelShield():  # a cancelled load still hands its connection back
                    await response.aclose()
            return response.headers.get(CHECKSUM_HEADER), digest

    async def delete(self, model_name: str, model_version: str) -> None:
        """Remove a version from the registry and the local copy."""
        _check_name(model_name, model_version)
        try:
            await self._request("DELETE", self._version_path(model_name, model_version))
        except MLSNotFoundError as exc:
            raise ModelRegistryError(f"{model_name}/{model_version} is not registered", code=404) from exc
        lock = await self._hold(model_name, model_version)
        try:
            shutil.rmtree(self.model_dir / model_name / model_version, ignore_errors=True)
        finally:
            lock.release()
