"""mls_async: an async-first SDK for the MLS machine-learning serving platform.

``import mls_async`` stays light: model libraries (lightgbm, xgboost, catboost,
torch, autogluon) and pandas load only when a model class that needs them is used.
"""

import mls_async.compat  # noqa: F401  (installs how the registry unpickles a model)
from mls_async._async.base_client import AsyncMLSClient
from mls_async._async.client import AsyncMLS
from mls_async._async.profile_client import AsyncMLSProfileAPIClient
from mls_async._async.registry import AsyncModelRegistry
from mls_async._config import MLSENV, MLSRuntimeENV
from mls_async._exceptions import (
    DoesNotExist,
    MLSAPIStatusError,
    MLSBadRequestError,
    MLSClientError,
    MLSConfigError,
    MLSConflictError,
    MLSConnectionError,
    MLSForbiddenError,
    MLSNotFoundError,
    MLSRateLimitError,
    MLSServerError,
    MLSTimeoutError,
    MLSUnauthorizedError,
    MLSUnprocessableEntityError,
    MLSValidationError,
    ModelRegistryError,
)
from mls_async._hedging import HedgingPolicy, LookupStats
from mls_async._response import MLSResponse
from mls_async._retry import RetryPolicy
from mls_async._sync.base_client import MLSClient
from mls_async._sync.client import MLS
from mls_async._sync.profile_client import MLSProfileAPIClient
from mls_async._sync.registry import ModelRegistry

__version__ = "0.1.0"

__all__ = [
    "AsyncMLS",
    "AsyncMLSClient",
    "AsyncMLSProfileAPIClient",
    "AsyncModelRegistry",
    "DoesNotExist",
    "HedgingPolicy",
    "LookupStats",
    "MLS",
    "MLSAPIStatusError",
    "MLSBadRequestError",
    "MLSClient",
    "MLSClientError",
    "MLSConfigError",
    "MLSConflictError",
    "MLSConnectionError",
    "MLSENV",
    "MLSForbiddenError",
    "MLSNotFoundError",
    "MLSProfileAPIClient",
    "MLSRateLimitError",
    "MLSResponse",
    "MLSRuntimeENV",
    "MLSServerError",
    "MLSTimeoutError",
    "MLSUnauthorizedError",
    "MLSUnprocessableEntityError",
    "MLSValidationError",
    "ModelRegistry",
    "ModelRegistryError",
    "RetryPolicy",
]
