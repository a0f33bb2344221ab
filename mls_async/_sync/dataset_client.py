# Generated from mls_async/_async/dataset_client.py by scripts/unasync.py. Do not edit: edit the source and regenerate.
"""``DatasetClient``: AutoML datasets, described by configs or uploaded as CSV/Parquet."""

from __future__ import annotations

import io
from collections.abc import Iterator
from enum import Enum
from pathlib import Path
from typing import Any, cast

from mls_async._sync.base_client import MLSClient
from mls_async._entities import Dataset, FeatureStoreConf, LabelDataConf, ProblemType
from mls_async._exceptions import DatasetError, MLSValidationError
from mls_async._protocol import DATASET_UPLOAD_PATH as UPLOAD_PATH
from mls_async._protocol import DATASETS_PATH
from mls_async._response import MLSResponse
from mls_async._schemas import UploadDatasetRequest
from mls_async._validation import build_body, check_type

__all__ = ["DatasetClient", "DATASETS_PATH", "UPLOAD_PATH"]

_CONTENT_TYPES = {"csv": "text/csv", "parquet": "application/vnd.apache.parquet"}


def _dataset_bytes(data: Any, data_format: str | None) -> tuple[bytes, str]:
    """Serialize ``data`` (DataFrame, path, or bytes) and tell its format."""
    if isinstance(data, (str, Path)):
        path = Path(data)
        if not path.is_file():
            raise MLSValidationError(f"data={str(path)!r} is not a file")
        fmt = data_format or ("parquet" if path.suffix.lower() in (".parquet", ".pq") else "csv")
        return path.read_bytes(), fmt
    if isinstance(data, bytes):
        return data, data_format or "csv"
    if type(data).__name__ == "DataFrame" and hasattr(data, "to_csv"):
        if data_format == "parquet":
            buffer = io.BytesIO()
            data.to_parquet(buffer, index=False)
            return buffer.getvalue(), "parquet"
        return data.to_csv(index=False).encode(), "csv"
    raise MLSValidationError(
        f"data must be a pandas DataFrame, a path to a .csv/.parquet file, or bytes; got {type(data).__name__}"
    )


class DatasetClient(MLSClient):
    """Create, find and delete AutoML datasets, and edit their column specs."""

    def create_dataset(
        self,
        name: str,
        problem_type: ProblemType | str,
        feature_store_conf: FeatureStoreConf,
        label_data_conf: LabelDataConf,
    ) -> Dataset:
        """Create an AutoML dataset described by its feature store and label data configs.

        The platform (or the local server) prepares the data from ``label_data_conf``'s
        table or file, joined with the feature groups of ``feature_store_conf``.
        """
        check_type(name, str, "name")
        problem = _problem_type(problem_type)
        check_type(
            feature_store_conf,
            FeatureStoreConf,
            "feature_store_conf",
            hint="Pass FeatureStoreConf(enabled=..., feature_group_id_list=[...]).",
        )
        check_type(
            label_data_conf,
            LabelDataConf,
            "label_data_conf",
            hint="Pass LabelDataConf(source_type='table' or 'file', source_path=...).",
        )
        body = {
            "name": name,
            "type": problem.value,
            "base_feature_conf": feature_store_conf.model_dump(),
            "label_data_conf": label_data_conf.model_dump(),
        }
        created = (self._request("POST", DATASETS_PATH, json=body, idempotent=True)).results
        if isinstance(created, dict) and "data_type" in created:
            return Dataset(**created)
        return Dataset(**(self._request("GET", f"{DATASETS_PATH}/{created['id']}")).results)

    def upload_dataset(
        self,
        name: str,
        problem_type: ProblemType | str,
        data: Any,
        label: str,
        data_format: str | None = None,
    ) -> Dataset:
        """Upload ``data`` (a DataFrame, a CSV/Parquet path, or bytes) as a dataset in one request.

        Beyond the original protocol: served by ``mls-async server``.
        """
        check_type(name, str, "name")
        check_type(label, str, "label")
        problem = _problem_type(problem_type)
        if data_format is not None and data_format not in _CONTENT_TYPES:
            raise MLSValidationError(f"data_format={data_format!r} is not valid; use 'csv' or 'parquet'")
        content, fmt = _dataset_bytes(data, data_format)
        query = build_body(UploadDatasetRequest, name=name, type=problem.value, label=label, data_format=fmt)
        created = self._request(
            "POST",
            UPLOAD_PATH,
            params=query.model_dump(),
            content=content,
            headers={"Content-Type": _CONTENT_TYPES[fmt]},
            idempotent=True,
        )
        return Dataset(**(self._request("GET", f"{DATASETS_PATH}/{created.results['id']}")).results)

    def list_datasets(
        self,
        *,
        id: int | None = None,
        name: str | None = None,
        query: str | None = None,
        page: int | None = None,
        page_size: int | None = None,
    ) -> list[Dataset]:
        """One page of the datasets matching every filter given."""
        return self._list(
            DATASETS_PATH, Dataset, {"id": id, "name": name, "query": query, "page": page, "page_size": page_size}
        )

    def iter_datasets(
        self, *, id: int | None = None, name: str | None = None, query: str | None = None, page_size: int | None = None
    ) -> Iterator[Dataset]:
        """Every dataset matching the filters, across all pages."""
        for dataset in self._paginate(
            DATASETS_PATH, Dataset, {"id": id, "name": name, "query": query, "page_size": page_size}
        ):
            yield dataset

    def get_dataset(self, name: str | None = None, id: int | None = None) -> Dataset:
        """The first dataset matching ``name`` and/or ``id``; ``DatasetError`` when there is none."""
        if id is None and not name:
            raise MLSValidationError("get_dataset needs name=... or id=...")
        check_type(id, int, "id", optional=True)
        check_type(name, str, "name", optional=True)
        found = self.list_datasets(name=name, id=id)
        if not found:
            raise DatasetError(f"no dataset with {'id=' + str(id) if id is not None else 'name=' + repr(name)}")
        return found[0]

    def delete_dataset(self, name: str | None = None, id: int | None = None) -> MLSResponse:
        """Delete a dataset by ``name`` or ``id``."""
        dataset = self.get_dataset(name=name, id=id)
        return self._request("DELETE", f"{DATASETS_PATH}/{dataset.id}")

    def list_features(self, name: str | None = None, id: int | None = None) -> list[dict[str, Any]]:
        """The dataset's column specs: ``[{"name", "type_code", "include"}, ...]``."""
        dataset = self.get_dataset(name=name, id=id)
        results = (self._request("GET", f"{DATASETS_PATH}/{dataset.id}/columns")).results
        return cast("list[dict[str, Any]]", (results or {}).get("columns", []))

    def update_column_specs(
        self, name: str | None = None, id: int | None = None, column_specs: dict[str, dict[str, Any]] | None = None
    ) -> None:
        """Edit column specs, e.g. ``{"age": {"include": False}, "city": {"type_code": "CATEGORY"}}``.

        ``include`` says whether training uses the column; ``type_code`` is
        ``"FLOAT64"`` or ``"CATEGORY"``.
        """
        check_type(column_specs, dict, "column_specs", hint='Pass {"column": {"include": False}}.')
        dataset = self.get_dataset(name=name, id=id)
        self._request("PUT", f"{DATASETS_PATH}/{dataset.id}/columnspecs", json={"edit_columns": column_specs})


def _problem_type(problem_type: Any) -> ProblemType:
    try:
        return ProblemType(problem_type.value if isinstance(problem_type, Enum) else problem_type)
    except ValueError:
        valid = ", ".join(p.value for p in ProblemType)
        raise MLSValidationError(f"problem_type={problem_type!r} is not valid; use one of: {valid}") from None
