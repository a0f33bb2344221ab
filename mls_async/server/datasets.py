"""Datasets of the local server: AutoML training tables with a label column.

A dataset is made either the original way, from configs (label data from a batch
table or a file under the data dir's ``imports/``, joined with feature groups of the
local profile store), or by uploading a CSV/Parquet file. Either way it is stored
as a file, with column specs (``include``, ``type_code``) that training honours.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import anyio.to_thread

from mls_async._schemas import ColumnSpecsRequest, CreateDatasetRequest, UploadDatasetRequest
from mls_async.server.errors import Conflicting, InvalidRequest, NotFound, TooLarge
from mls_async.server.scratch import scratch_file, sweep
from mls_async.server.storage import Conflict, SQLiteStorage

if TYPE_CHECKING:
    from mls_async.server.paging import Page

__all__ = ["DatasetStore", "read_table", "LABEL_COLUMN", "KEY_COLUMNS"]

KIND = "dataset"
LABEL_COLUMN = "label"
KEY_COLUMNS = ("svc_mgmt_num", "user_id", "id")  # the label data column that feature groups join on


def read_table(path: Path, data_format: str) -> Any:
    """Read a stored dataset file into a pandas DataFrame."""
    import pandas as pd

    if data_format == "parquet":
        return pd.read_parquet(path)
    return pd.read_csv(path)


def _type_code(series: Any) -> str:
    import pandas as pd

    numeric = pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)
    return "FLOAT64" if numeric else "CATEGORY"


def _column_specs(frame: Any) -> dict[str, dict[str, Any]]:
    return {str(c): {"include": True, "type_code": _type_code(frame[c])} for c in frame.columns}


_UPLOAD, _CREATE = ".upload-", ".create-"  # scratch files of a dataset being received or made
_SAMPLE_ROWS = 20_000  # rows read at a time while inspecting an upload: memory stays bounded


def _inspect(path: Path, data_format: str) -> tuple[list[str], int, dict[str, dict[str, Any]]]:
    """Columns, row count and column specs of an uploaded file, read in bounded pieces."""
    import pandas as pd

    try:
        if data_format == "parquet":
            import pyarrow.parquet as pq

            parquet = pq.ParquetFile(path)
            first = next(parquet.iter_batches(batch_size=_SAMPLE_ROWS)).to_pandas()
            return [str(c) for c in first.columns], parquet.metadata.num_rows, _column_specs(first)
        rows, first = 0, None
        for chunk in pd.read_csv(path, chunksize=_SAMPLE_ROWS):
            first = chunk if first is None else first
            rows += len(chunk)
    except (StopIteration, Exception) as exc:
        raise InvalidRequest(f"the body is not a readable {data_format} table: {type(exc).__name__}: {exc}") from exc
    if first is None:
        raise InvalidRequest("the CSV has no rows")
    return [str(c) for c in first.columns], rows, _column_specs(first)


def apply_column_specs(frame: Any, specs: dict[str, dict[str, Any]], label: str) -> Any:
    """Drop excluded columns (never the label) and cast each column to its type code."""
    import pandas as pd

    keep = [c for c in frame.columns if c == label or specs.get(str(c), {}).get("include", True)]
    frame = frame[keep].copy()
    for column in keep:
        if column == label:
            continue
        code = specs.get(str(column), {}).get("type_code")
        if code == "CATEGORY":
            frame[column] = frame[column].astype("category")
        elif code == "FLOAT64":
            frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("float64")
    return frame


class DatasetStore:
    """Files at ``{root}/{id}.{format}``, records in storage."""

    def __init__(self, root: Path, storage: SQLiteStorage, *, max_bytes: int) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        sweep(root, (_UPLOAD, _CREATE))  # files of uploads and creates a crash cut short
        self._storage = storage
        self._max_bytes = max_bytes

    def path(self, doc: dict[str, Any]) -> Path:
        return self.root / f"{doc['id']}.{doc['data_format']}"

    async def upload(self, query: UploadDatasetRequest, chunks: AsyncIterator[bytes], user: str) -> dict[str, Any]:
        """Stream the body to a file (never whole in memory), inspect it in pieces, then keep it."""
        with scratch_file(self.root, _UPLOAD) as (file, temp):
            size = 0
            with file:
                async for chunk in chunks:
                    size += len(chunk)
                    if size > self._max_bytes:
                        raise TooLarge(f"datasets are limited to {self._max_bytes} bytes")
                    file.write(chunk)
            if not size:
                raise InvalidRequest("the dataset body is empty: send the CSV or Parquet file as the request body")
            columns, rows, specs = await anyio.to_thread.run_sync(_inspect, temp, query.data_format)
            if query.label not in columns:
                raise InvalidRequest(f"label column {query.label!r} is not in the data; columns are {columns}")
            body = {
                "name": query.name,
                "data_type": query.type,
                "label": query.label,
                "data_format": query.data_format,
                "columns": columns,
                "column_specs": specs,
                "num_rows": rows,
                "status": "READY",
                "setup_conf": {},
                "user": user,
            }
            return self._store(body, temp)

    def _store(self, body: dict[str, Any], file: Path) -> dict[str, Any]:
        """Record the dataset and move its file into place."""
        try:
            doc = self._storage.insert(KIND, body, subkind="", name=body["name"], version="")
        except Conflict:
            raise Conflicting(f"a dataset named {body['name']!r} exists already") from None
        os.replace(file, self.path(doc))
        return doc

    def create(self, request: CreateDatasetRequest, user: str) -> dict[str, Any]:
        """Materialize a dataset from the original's configs: label data joined with feature groups."""
        import pandas as pd

        label_conf, feature_conf = request.label_data_conf, request.base_feature_conf
        frame = self._label_data(label_conf.source_type, label_conf.source_path)
        if LABEL_COLUMN not in frame.columns:
            raise InvalidRequest(f"the label data needs a {LABEL_COLUMN!r} column; it has {list(frame.columns)}")
        if feature_conf.enabled and feature_conf.feature_group_id_list:
            frame = self._join_feature_groups(frame, feature_conf.feature_group_id_list)
        setup_conf = {"base_feature_conf": feature_conf.model_dump(), "label_data_conf": label_conf.model_dump()}
        body = {
            "name": request.name,
            "data_type": request.type,
            "label": LABEL_COLUMN,
            "data_format": "parquet",
            "columns": [str(c) for c in frame.columns],
            "column_specs": _column_specs(frame),
            "num_rows": len(frame),
            "status": "READY",
            "setup_conf": setup_conf,
            "user": user,
        }
        with scratch_file(self.root, _CREATE) as (file, temp):
            file.close()
            pd.DataFrame(frame).to_parquet(temp, index=False)
            return self._store(body, temp)

    def _label_data(self, source_type: str | None, source_path: str | None) -> Any:
        import pandas as pd

        if not source_path:
            raise InvalidRequest("label_data_conf.source_path is required")
        if source_type == "table":
            items = self._storage.table_items(source_path)
            if not items:
                raise InvalidRequest(
                    f"label data table {source_path!r} does not exist or is empty; "
                    "load it with DynamoDBClient.upload_items first"
                )
            return pd.DataFrame(items)
        if source_type == "file":
            imports = (self.root.parent / "imports").resolve()
            path = (imports / source_path).resolve()
            if not path.is_relative_to(imports) or not path.is_file():
                raise InvalidRequest(
                    f"label data file {source_path!r} is not a file under the server's imports "
                    "folder (<data-dir>/imports)"
                )
            fmt = "parquet" if path.suffix.lower() in (".parquet", ".pq") else "csv"
            try:
                return read_table(path, fmt)
            except Exception as exc:
                raise InvalidRequest(f"label data file {source_path!r} is not a readable {fmt} table: {exc}") from exc
        raise InvalidRequest(f"label_data_conf.source_type={source_type!r} is not valid; use 'table' or 'file'")

    def _join_feature_groups(self, frame: Any, group_ids: list[int]) -> Any:
        """Add the feature values of each group (the local profile ``str(group_id)``) for each row's key."""
        import pandas as pd

        key = next((c for c in KEY_COLUMNS if c in frame.columns), None)
        if key is None:
            raise InvalidRequest(f"joining feature groups needs a key column in the label data: one of {KEY_COLUMNS}")
        ids = [str(v) for v in frame[key]]
        for group_id in group_ids:
            found = self._storage.get_profiles("users", str(group_id), list(dict.fromkeys(ids)))
            features = pd.DataFrame([found.get(i, {}) for i in ids], index=frame.index)
            features = features[[c for c in features.columns if c not in frame.columns]]
            frame = pd.concat([frame, features], axis=1)
        return frame

    def columns(self, dataset_id: int) -> list[dict[str, Any]]:
        """The dataset's columns with their specs, in order."""
        doc = self.get(dataset_id)
        specs = doc.get("column_specs") or {}
        return [{"name": c, **specs.get(c, {"include": True, "type_code": None})} for c in doc["columns"]]

    def update_column_specs(self, dataset_id: int, request: ColumnSpecsRequest) -> dict[str, Any]:
        doc = self.get(dataset_id)
        unknown = sorted(set(request.edit_columns) - set(doc["columns"]))
        if unknown:
            raise InvalidRequest(f"columns {unknown} are not in dataset {dataset_id}; its columns are {doc['columns']}")
        label_spec = request.edit_columns.get(doc["label"])
        if label_spec is not None and label_spec.include is False:
            raise InvalidRequest(f"the label column {doc['label']!r} cannot be excluded")

        def change(current: dict[str, Any]) -> dict[str, Any]:
            specs = dict(current.get("column_specs") or {})
            for column, spec in request.edit_columns.items():
                specs[column] = {**specs.get(column, {}), **spec.model_dump(exclude_none=True)}
            return {**current, "column_specs": specs}

        return self._storage.update(KIND, dataset_id, change) or doc

    def get(self, dataset_id: int) -> dict[str, Any]:
        doc = self._storage.get(KIND, dataset_id)
        if doc is None:
            raise NotFound(f"no dataset with id {dataset_id}")
        return doc

    def list(self, *, id: int | None, name: str | None, query: str | None, window: Page) -> list[dict[str, Any]]:
        return self._storage.query(
            KIND, filters={"id": id, "name": name}, search=query, offset=window.offset, limit=window.limit
        )

    def delete(self, dataset_id: int) -> None:
        doc = self.get(dataset_id)
        self._storage.delete(KIND, dataset_id)
        self.path(doc).unlink(missing_ok=True)

    def source_frame(self, source_type: str | None, source_path: str | None) -> Any:
        """Rows of a batch table or of a file under ``<data-dir>/imports`` (label data, batch sources)."""
        return self._label_data(source_type, source_path)

    def rows(self, dataset_id: int) -> Any:
        """The stored table as it is (every column, its key among them)."""
        doc = self.get(dataset_id)
        return read_table(self.path(doc), doc["data_format"])

    def frame(self, dataset_id: int) -> Any:
        """The training table: stored data with the column specs applied."""
        doc = self.get(dataset_id)
        return apply_column_specs(
            read_table(self.path(doc), doc["data_format"]), doc.get("column_specs") or {}, doc["label"]
        )
