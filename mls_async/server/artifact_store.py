"""Model registry storage of the local server: version archives and their unpacked copies.

An upload is streamed to a temporary file, hashed, checked against the client's
sha256, unpacked into a temporary directory and only then renamed into place, so a
client killed mid-upload leaves no partial version. Records live in ``Storage``.
"""

from __future__ import annotations

import functools
import hashlib
import os
import shutil
import tempfile
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, BinaryIO

import anyio.to_thread
import orjson

from mls_async._artifacts import MODEL_META_NAME, unpack_archive
from mls_async._exceptions import ModelRegistryError
from mls_async._safe_tar import MAX_UNPACKED_BYTES
from mls_async.server.errors import Conflicting, InvalidRequest, ServiceFailed, TooLarge
from mls_async.server.scratch import remove_unless_held, scratch_dir, scratch_file, sweep
from mls_async.server.storage import SQLiteStorage

__all__ = ["LocalArtifactStore"]

KIND = "artifact"
_OPEN_ATTEMPTS = 20  # records read while opening an archive that forced re-uploads keep replacing


class LocalArtifactStore:
    """Versions stored by content: ``{root}/.objects/{sha256}/`` holds ``archive.tar`` and ``version/``.

    A commit is one SQLite write: the object directory is complete (renamed into place)
    before the record points to it, and an old object is removed only after. A crash at
    any point leaves the record, archive and directory of a version consistent; at start
    the objects no record points to (and uploads cut short) are removed. Paths never
    depend on the version string, so ``v1`` and ``v1.tar`` cannot collide.
    """

    def __init__(
        self,
        root: Path,
        storage: SQLiteStorage,
        *,
        max_bytes: int = 2 << 30,
        max_unpacked_bytes: int = MAX_UNPACKED_BYTES,
    ) -> None:
        self.root = root
        self.root.mkdir(parents=True, exist_ok=True)
        self._tmp = root / ".tmp"
        self._tmp.mkdir(exist_ok=True)
        sweep(self._tmp, ("",))  # uploads a crash cut short (never committed); live ones of other workers stay
        self._storage = storage
        self._max_bytes = max_bytes
        self._max_unpacked_bytes = max_unpacked_bytes  # what an archive may unpack to, whatever it compresses to
        self._lock = threading.Lock()
        self._objects = root / ".objects"
        self._objects.mkdir(exist_ok=True)
        self._recover()

    def version_dir(self, sha256: str) -> Path:
        """The unpacked version of the archive with this checksum."""
        return self._objects / sha256 / "version"

    def archive_path(self, sha256: str) -> Path:
        return self._objects / sha256 / "archive.tar"

    def _recover(self) -> None:
        """Adopt versions of the older layout, then drop objects that no record points to."""
        referenced = set()
        for record in self._storage.query(KIND, subkind=""):
            sha = record["sha256"]
            referenced.add(sha)
            legacy_dir = self.root / record["name"] / record["version"]
            legacy_archive = self.root / record["name"] / f"{record['version']}.tar"
            if not (self._objects / sha).exists() and legacy_dir.is_dir() and legacy_archive.is_file():
                staging = Path(tempfile.mkdtemp(dir=self._tmp))
                legacy_dir.rename(staging / "version")
                legacy_archive.rename(staging / "archive.tar")
                staging.rename(self._objects / sha)
        for entry in self._objects.iterdir():
            if entry.name not in referenced:
                remove_unless_held(entry)  # held: an upload of another worker, between its rename and its record

    def _record(self, name: str, version: str) -> dict[str, Any] | None:
        rows = self._storage.query(KIND, subkind="", filters={"name": name, "version": version})
        return rows[0] if rows else None

    def info(self, name: str, version: str) -> dict[str, Any] | None:
        record = self._record(name, version)
        if record is None:
            return None
        return {
            key: record[key]
            for key in ("name", "version", "sha256", "size", "files", "meta", "created_at", "updated_at")
        }

    def open_archive(self, name: str, version: str) -> tuple[dict[str, Any] | None, BinaryIO | None]:
        """The version's record and its archive opened for reading; ``(None, None)`` if not registered.

        A forced re-upload or a delete may remove the object between reading the record and
        opening its file: then the record is read again (it names the new object, or none).
        Objects are named by their checksum, so the opened file always matches the record.
        """
        for _ in range(_OPEN_ATTEMPTS):
            info = self.info(name, version)
            if info is None:
                return None, None
            try:
                return info, open(self.archive_path(info["sha256"]), "rb")  # noqa: SIM115 - the caller closes it
            except FileNotFoundError:
                continue
        raise ServiceFailed(f"{name}/{version}: its archive kept changing while it was opened; retry")

    def list_models(self) -> list[str]:
        return sorted({record["name"] for record in self._storage.query(KIND, subkind="")})

    def list_versions(self, name: str) -> list[str]:
        return [record["version"] for record in self._storage.query(KIND, subkind="", filters={"name": name})]

    async def receive(
        self, name: str, version: str, chunks: AsyncIterator[bytes], *, sha256: str | None, force: bool
    ) -> dict[str, Any]:
        """Store an uploaded version archive all-or-nothing; 409 if it exists and not ``force``."""
        if not force and self._record(name, version) is not None:
            raise Conflicting(f"{name}/{version} is registered already; upload with force=true to replace it")
        with scratch_file(self._tmp, "upload-", ".tar") as (file, temp), scratch_dir(self._tmp, "staging-") as staging:
            digest = hashlib.sha256()
            size = 0
            with file:
                async for chunk in chunks:
                    size += len(chunk)
                    if size > self._max_bytes:
                        raise TooLarge(f"the archive is larger than the limit of {self._max_bytes} bytes")
                    digest.update(chunk)
                    file.write(chunk)
            if sha256 and sha256 != digest.hexdigest():
                raise InvalidRequest(f"checksum mismatch: header says {sha256}, body is {digest.hexdigest()}")
            unpacked = staging / "version"
            try:
                await anyio.to_thread.run_sync(
                    functools.partial(unpack_archive, temp, unpacked, max_bytes=self._max_unpacked_bytes)
                )
                meta = orjson.loads((unpacked / MODEL_META_NAME).read_bytes())
            except (ModelRegistryError, OSError, orjson.JSONDecodeError) as exc:
                raise InvalidRequest(f"not a model version archive: {exc}") from exc
            files = sorted(str(p.relative_to(unpacked)) for p in unpacked.rglob("*") if p.is_file())
            os.replace(temp, staging / "archive.tar")
            return await anyio.to_thread.run_sync(
                self._commit,
                name,
                version,
                staging,
                force,
                {
                    "name": name,
                    "version": version,
                    "sha256": digest.hexdigest(),
                    "size": size,
                    "files": files,
                    "meta": meta,
                },
            )

    def _commit(self, name: str, version: str, staging: Path, force: bool, record: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            existing = self._record(name, version)
            if existing is not None and not force:
                raise Conflicting(f"{name}/{version} is registered already; upload with force=true to replace it")
            target = self._objects / record["sha256"]
            if not target.exists():
                staging.rename(target)  # complete before anything points to it
            if existing is None:  # the commit point: one transaction
                self._storage.insert(KIND, record, subkind="", name=name, version=version)
            else:
                self._storage.update(KIND, existing["id"], lambda _: record)
                self._forget(existing["sha256"])
        return self.info(name, version) or record

    def _forget(self, sha256: str) -> None:
        """Remove an object once no record points to it (identical uploads share one)."""
        if not any(r["sha256"] == sha256 for r in self._storage.query(KIND, subkind="")):
            shutil.rmtree(self._objects / sha256, ignore_errors=True)

    def delete(self, name: str, version: str) -> bool:
        with self._lock:
            record = self._record(name, version)
            if record is None:
                return False
            self._storage.delete(KIND, record["id"])
            self._forget(record["sha256"])
            return True
