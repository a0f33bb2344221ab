"""Datasets (``sktmls.datasets``): the ``Dataset`` entity, its configs and its clients."""

from mls_async._async.dataset_client import AsyncDatasetClient
from mls_async._entities import Dataset, FeatureStoreConf, LabelDataConf, ProblemType
from mls_async._exceptions import DatasetError
from mls_async._sync.dataset_client import DatasetClient

__all__ = [
    "AsyncDatasetClient",
    "Dataset",
    "DatasetClient",
    "DatasetError",
    "FeatureStoreConf",
    "LabelDataConf",
    "ProblemType",
]
