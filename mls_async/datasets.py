"""Datasets (``sktmls.datasets``): the ``Dataset`` entity and its clients."""

from mls_async._async.dataset_client import AsyncDatasetClient
from mls_async._entities import Dataset, ProblemType
from mls_async._sync.dataset_client import DatasetClient

__all__ = [
    "AsyncDatasetClient",
    "Dataset",
    "DatasetClient",
    "ProblemType",
]
