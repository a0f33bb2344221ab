# Generated from mls_async/_async/client.py by scripts/unasync.py. Do not edit: edit the source and regenerate.
"""``MLS``: one client for the whole platform, every resource an attribute on one pool.

``mls.models``, ``mls.components``, ``mls.profiles``, ... are the resource clients
(``MLModelClient``, ``ComponentClient``, ...), built on first use from this
client's settings and sharing its connection pool, in-flight limit, retries and account.
The resources are found, not listed: every client module in this package whose class
names itself with ``resource = "..."`` is one.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
from typing import TYPE_CHECKING, Any, Self

import httpx

from mls_async._sync.base_client import (
    DEFAULT_LIMITS,
    DEFAULT_TIMEOUT,
    Connection,
    MLSClient,
    ClientOptions,
)
from mls_async._config import MLSENV, MLSRuntimeENV
from mls_async._retry import RetryPolicy

if TYPE_CHECKING:
    from mls_async._sync.automl_prediction_client import AutoMLBatchPredictionClient
    from mls_async._sync.component_client import ComponentClient
    from mls_async._sync.dataset_client import DatasetClient
    from mls_async._sync.dynamodb_client import DynamoDBClient
    from mls_async._sync.graph_client import MLSGraphAPIClient
    from mls_async._sync.meta_table_client import MetaTableClient
    from mls_async._sync.model_client import MLModelClient
    from mls_async._sync.profile_client import MLSProfileAPIClient
    from mls_async._sync.registry import ModelRegistry

__all__ = ["MLS", "resource_classes"]


@functools.cache
def resource_classes() -> dict[str, type[MLSClient]]:
    """``{attribute: client class}`` of every resource of this package (importing its modules once)."""
    package = importlib.import_module(__package__ or "mls_async._sync")
    for module in pkgutil.iter_modules(package.__path__):
        importlib.import_module(f"{package.__name__}.{module.name}")
    return dict(sorted(MLSClient._resources.items()))


class MLS:
    """The MLS platform: one connection pool and account for every resource.

    Args:
        env, runtime_env, username, password, base_url, timeout, max_retries, retry,
            limits, transport, auth: as for every client (see :class:`MLSClient`);
            hosts are resolved per API (the profile and graph APIs have their own).
        **resource_options: what single resources take: ``client_id``, ``apikey`` and
            ``coalesce_window`` (``profiles``), ``model_dir`` (``registry``). An unknown
            name is a TypeError.

    Example::

        with MLS(env="LOCAL", username="me", password="...") as mls:
            model = mls.models.get_manual_model(name="churn_model", version="v1")
            mls.registry.save_and_deploy(wrapped)
    """

    models: MLModelClient
    components: ComponentClient
    datasets: DatasetClient
    dynamodb: DynamoDBClient
    registry: ModelRegistry
    profiles: MLSProfileAPIClient
    graph: MLSGraphAPIClient
    meta_tables: MetaTableClient
    batch_predictions: AutoMLBatchPredictionClient

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
        transport: httpx.BaseTransport | str | None = None,
        auth: str = "basic",
        **resource_options: Any,
    ) -> None:
        accepted = {name for cls in resource_classes().values() for name in cls.root_options}
        unknown = sorted(set(resource_options) - accepted)
        if unknown:
            raise TypeError(f"{type(self).__name__}() got unexpected keyword arguments {unknown}; "
                            f"resource options are {sorted(accepted)}")
        self._options = ClientOptions.resolve(env, runtime_env, username, password, base_url, timeout, max_retries,
                                              retry, auth, resource_options)
        self._connection = Connection(timeout=timeout, limits=limits, transport=transport)
        self._owns_connection = True

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        cls = resource_classes().get(name)
        if cls is None:
            raise AttributeError(f"{type(self).__name__} has no resource {name!r}; "
                                 f"it has {', '.join(resource_classes())}")
        client = cls._from_options(self._options, self._connection)
        self.__dict__[name] = client  # built once: later lookups find it without __getattr__
        return client

    def __dir__(self) -> list[str]:
        return sorted({*super().__dir__(), *resource_classes()})

    def __repr__(self) -> str:
        options = self._options
        return f"{type(self).__name__}(env={options.env!r}, base_url={options.base_url!r})"

    def with_options(self, *, timeout: float | httpx.Timeout | None = None, max_retries: int | None = None) -> Self:
        """A new root client with other per-call defaults on this one's connection pool (it does not own it)."""
        clone = object.__new__(type(self))
        clone._options = self._options.with_defaults(timeout, max_retries)
        clone._connection = self._connection
        clone._owns_connection = False
        return clone

    def close(self) -> None:
        """Close the connection pool (every resource's), if this client opened it."""
        if self._owns_connection:
            self._connection.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
