"""Datasets of the local server: uploaded CSV/Parquet files with a label column."""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import anyio.to_thread

from mls_async._schemas import CreateDatasetRequest
from mls_async.server.errors import APIError
from mls_async.server.storage import Conflict, SQLiteStorage

if TYPE_CHECKING:
    from mls_async.server.state import Page

__all__ = ["DatasetStore", "read_table"]

KIND = "dataset"


def read_table(path: Path, data_format: str) -> Any:
    """Read a stored dataset file into a pandas DataFrame."""
    import pandas as pd

    if data_format == "parquet":
        return pd.read_parquet(path)
    return pd.read_csv(path)


def _inspect(raw: bytes, data_format: str) -> tuple[list[str], int]:
    import pandas as pd

    try:
        frame = pd.read_parquet(io.BytesIO(raw)) if data_format == "parquet" else pd.read_csv(io.BytesIO(raw))
    except Exception as exc:
        raise APIError(400, f"the body is not a readable {data_format} table: {exc}") from exc
    return [str(c) for c in frame.columns], len(frame)


class DatasetStore:
    """Files at ``{root}/{id}.{format}``, records in storage."""

    def __init__(self, root: Path, storage: SQLiteStorage, *, max_bytes: int) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self._storage = storage
        self._max_bytes = max_bytes

    def path(self, doc: dict) -> Path:
        return self.root / f"{doc['id']}.{doc['data_format']}"

    async def create(self, query: CreateDatasetRequest, chunks: AsyncIterator[bytes], user: str) -> dict:
        parts, size = [], 0
        async for chunk in chunks:
            size += len(chunk)
            if size > self._max_bytes:
                raise APIError(413, f"datasets are limited to {self._max_bytes} bytes")
            parts.append(chunk)
        raw = b"".join(parts)
        if not raw:
            raise APIError(400, "the dataset body is empty: send the CSV or Parquet file as the request body")
        columns, rows = await anyio.to_thread.run_sync(_inspect, raw, query.data_format)
        if query.label not in columns:
            raise APIError(400, f"label column {query.label!r} is not in the data; columns are {columns}")
        body = {"name": query.name, "data_type": query.type, "label": query.label, "data_format": query.data_format,
                "columns": columns, "num_rows": rows, "status": "READY", "setup_conf": {}, "user": user}
        try:
            doc = self._storage.insert(KIND, body, subkind="", name=query.name, version="")
        except Conflict:
            raise APIError(409, f"a dataset named {query.name!r} exists already") from None
        handle, temp = tempfile.mkstemp(dir=self.root)
        with os.fdopen(handle, "wb") as file:
            file.write(raw)
        os.replace(temp, self.path(doc))
        return doc

    def get(self, dataset_id: int) -> dict:
        doc = self._storage.get(KIND, dataset_id)
        if doc is None:
            raise APIError(404, f"no dataset with id {dataset_id}")
        return doc

    def list(self, *, id: int | None, name: str | None, query: str | None, window: Page) -> list[dict]:
        return self._storage.query(KIND, filters={"id": id, "name": name}, search=query, offset=window.offset,
                                   limit=window.limit)

    def delete(self, dataset_id: int) -> None:
        doc = self.get(dataset_id)
        self._storage.delete(KIND, dataset_id)
        self.path(doc).unlink(missing_ok=True)

    def frame(self, dataset_id: int) -> Any:
        doc = self.get(dataset_id)
        return read_table(self.path(doc), doc["data_format"])
