# Generated from mls_async/_async/dataset_client.py by scripts/unasync.py. Do not edit: edit the source and regenerate.
"""``DatasetClient``: tabular training data (CSV or Parquet) with a label column."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from mls_async._sync.base_client import MLSClient
from mls_async._entities import Dataset, ProblemType
from mls_async._exceptions import DoesNotExist, MLSValidationError
from mls_async._response import MLSResponse
from mls_async._schemas import CreateDatasetRequest
from mls_async._validation import build_body, check_type

__all__ = ["DatasetClient", "DATASETS_PATH"]

DATASETS_PATH = "/api/v1/datasets"
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
    """Upload, find and delete datasets."""

    def create_dataset(
        self,
        name: str,
        problem_type: ProblemType | str,
        data: Any,
        label: str,
        data_format: str | None = None,
    ) -> Dataset:
        """Upload ``data`` (a DataFrame, a CSV/Parquet path, or bytes) as a dataset in one request."""
        check_type(name, str, "name")
        check_type(label, str, "label")
        try:
            problem = ProblemType(problem_type)
        except ValueError:
            valid = ", ".join(p.value for p in ProblemType)
            raise MLSValidationError(f"problem_type={problem_type!r} is not valid; use one of: {valid}") from None
        if data_format is not None and data_format not in _CONTENT_TYPES:
            raise MLSValidationError(f"data_format={data_format!r} is not valid; use 'csv' or 'parquet'")
        content, fmt = _dataset_bytes(data, data_format)
        query = build_body(CreateDatasetRequest, name=name, type=problem.value, label=label, data_format=fmt)  # type: ignore[arg-type]
        created = self._request(
            "POST", DATASETS_PATH, params=query.model_dump(), content=content,
            headers={"Content-Type": _CONTENT_TYPES[fmt]}, idempotent=True,
        )
        return self.get_dataset(id=created.results["id"])

    def list_datasets(self, **kwargs: Any) -> list[Dataset]:
        """One page of datasets; filters ``id``, ``name``, ``query``, ``page``."""
        results = (self._request("GET", DATASETS_PATH, params=kwargs)).results
        return [Dataset(**item) for item in results or []]

    def iter_datasets(self, **kwargs: Any) -> Iterator[Dataset]:
        """Every dataset matching the filters, across all pages."""
        for item in self._paginate(DATASETS_PATH, kwargs):
            yield Dataset(**item)

    def _dataset_id(self, name: str | None, id: int | None) -> int:
        if id is not None:
            check_type(id, int, "id")
            return id
        if name is None:
            raise MLSValidationError("pass name=... or id=...")
        check_type(name, str, "name")
        matches = (self._request("GET", DATASETS_PATH, params={"name": name})).results
        if not matches:
            raise DoesNotExist(f"no dataset named {name!r}")
        return matches[0]["id"]

    def get_dataset(self, name: str | None = None, id: int | None = None) -> Dataset:
        """Fetch a dataset by ``name`` or ``id``."""
        dataset_id = self._dataset_id(name, id)
        return Dataset(**(self._request("GET", f"{DATASETS_PATH}/{dataset_id}")).results)

    def delete_dataset(self, name: str | None = None, id: int | None = None) -> MLSResponse:
        """Delete a dataset by ``name`` or ``id``."""
        return self._request("DELETE", f"{DATASETS_PATH}/{self._dataset_id(name, id)}")

    def list_features(self, name: str | None = None, id: int | None = None) -> list[str]:
        """The dataset's column names."""
        dataset_id = self._dataset_id(name, id)
        return (self._request("GET", f"{DATASETS_PATH}/{dataset_id}/columns")).results["columns"]
