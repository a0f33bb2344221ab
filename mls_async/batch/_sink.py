"""Where scores go: Parquet part files, or a batch table of the MLS. Both take a partition twice safely.

- :class:`ParquetSink` writes ``part-{index:05d}.parquet`` under a directory, each file
  complete or absent (written aside, then renamed); a rerun skips the parts it finds.
- :class:`TableSink` loads rows into a batch table keyed by ``key``: loading a row again
  replaces it. The table is held in loading state for the whole job and made active at
  its end (``begin``/``end``), so ``is_batch_prediction_ready`` turns true only then. It
  needs a server that announces ``table-loads`` (as ``mls-async server`` does).

Sinks are plain picklable values: Dask workers get them as they are.

A job that is cancelled stops the partition it is writing: :func:`write_partition` runs a
sink's ``write`` with a stop signal that :func:`stop_requested` reads, and a sink that
writes in steps (``TableSink``, chunk by chunk) ends at the next step once it is set.
"""

from __future__ import annotations

import contextvars
import os
import threading
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["ParquetSink", "Sink", "TableSink", "stop_requested", "write_partition"]

_STOP: contextvars.ContextVar[threading.Event | None] = contextvars.ContextVar("mls_batch_stop", default=None)


def write_partition(sink: Sink, index: int, frame: Any, stop: threading.Event) -> None:
    """``sink.write(index, frame)``, told through :func:`stop_requested` once ``stop`` is set (for a worker thread)."""
    token = _STOP.set(stop)
    try:
        sink.write(index, frame)
    finally:
        _STOP.reset(token)


def stop_requested() -> bool:
    """Whether the job writing this partition was cancelled: a sink writing in steps stops at the next one."""
    stop = _STOP.get()
    return stop is not None and stop.is_set()


class Sink:
    def begin(self) -> None:
        """Before the first partition (the driver calls it once)."""

    def done(self, index: int) -> bool:
        """Whether partition ``index`` was written by an earlier run."""
        return False

    def write(self, index: int, frame: Any) -> None:
        raise NotImplementedError

    def end(self) -> None:
        """After the last partition (the driver calls it once)."""


@dataclass(frozen=True)
class ParquetSink(Sink):
    directory: str

    def _part(self, index: int) -> Path:
        return Path(self.directory) / f"part-{index:05d}.parquet"

    def begin(self) -> None:
        Path(self.directory).mkdir(parents=True, exist_ok=True)

    def done(self, index: int) -> bool:
        return self._part(index).is_file()

    def write(self, index: int, frame: Any) -> None:
        target = self._part(index)
        target.parent.mkdir(parents=True, exist_ok=True)
        aside = target.with_name(f".{target.name}.{uuid.uuid4().hex}")
        try:
            frame.to_parquet(aside, index=False)
            os.replace(aside, target)  # atomic: a reader or a rerun sees all of it or nothing
        finally:
            aside.unlink(missing_ok=True)


@dataclass(frozen=True)
class TableSink(Sink):
    """A batch table of the MLS (created if missing), loaded in chunks of ``chunk_rows``."""

    table: str
    key: str
    client_kwargs: dict[str, Any] = field(default_factory=dict)
    chunk_rows: int = 5000

    def _client(self) -> Any:
        from mls_async._sync.dynamodb_client import DynamoDBClient

        return DynamoDBClient(**self.client_kwargs)

    def begin(self) -> None:
        from mls_async._exceptions import MLSConfigError, MLSNotFoundError
        from mls_async._protocol import CAP_TABLE_LOADS

        with self._client() as client:
            try:
                client.is_table_loading(self.table)  # answers 404 for a table that does not exist
                exists = True
            except MLSNotFoundError:
                exists = False
            if not client.supports(CAP_TABLE_LOADS):
                raise MLSConfigError(
                    f"the server at {client.base_url} does not announce {CAP_TABLE_LOADS!r} (batch "
                    "tables loaded through its API, as `mls-async server` does); write Parquet "
                    "with ParquetSink instead"
                )
            if not exists:
                client.create_table(self.table, key=self.key)
            client.hold_table(self.table)

    def write(self, index: int, frame: Any) -> None:
        rows = _records(frame, self.key)
        with self._client() as client:
            for start in range(0, len(rows), self.chunk_rows):
                if stop_requested():  # the table stays held: a rerun loads this partition again
                    return
                client.upload_items(self.table, rows[start : start + self.chunk_rows])

    def end(self) -> None:
        with self._client() as client:
            client.release_table(self.table)


def _records(frame: Any, key: str) -> list[dict[str, Any]]:
    """Scored rows as JSON-ready dicts: items decoded, numpy values made plain."""
    import orjson

    records = []
    for row in frame.to_dict(orient="records"):
        if isinstance(row.get("items"), str):
            row["items"] = orjson.loads(row["items"])
        for name in ("score", key):
            value = row.get(name)
            if hasattr(value, "tolist"):
                row[name] = value.tolist()
        records.append(row)
    return records
