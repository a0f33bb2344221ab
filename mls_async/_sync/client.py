# Generated from mls_async/_async/client.py by scripts/unasync.py. Do not edit: edit the source and regenerate.
"""``MLS``: one client for the whole platform, every resource an attribute on one pool.

``mls.models``, ``mls.components``, ``mls.profiles``, ... are the resource clients
(``MLModelClient``, ``ComponentClient``, ...), built on first use from this
client's settings and sharing its connection pool, in-flight limit, retries and account.
Each resource is one typed ``cached_property`` below: adding a resource means adding its
client module and one property here. A resource's module is imported when the resource
is first used, so ``import mls_async`` stays light.
"""

from __future__ import annotations

import dataclasses
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Self, TypeVar

import httpx

from mls_async._sync.base_client import (
    DEFAULT_LIMITS,
    DEFAULT_TIMEOUT,
    Connection,
    MLSClient,
    ClientOptions,
)
from mls_async._config import MLSENV, MLSRuntimeENV
from mls_async._hedging import HedgingPolicy
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

__all__ = ["MLS"]

C = TypeVar("C", bound=MLSClient)


class MLS:
    """The MLS platform: one connection pool and account for every resource.

    Args:
        env, runtime_env, username, password, base_url, timeout, max_retries, retry,
            limits, transport, auth: as for every client (see :class:`MLSClient`);
            hosts are resolved per API (the profile and graph APIs have their own).
        client_id, apikey: the profile API's credentials (``mls.profiles``); with an
            ``apikey`` the account's username and password stay off its requests.
        coalesce_window: seconds ``mls.profiles`` gathers concurrent lookups of one
            profile; ``None`` sends each distinct lookup on its own.
        hedging: when ``mls.profiles`` sends a second copy of a slow lookup (a
            ``HedgingPolicy``; ``None``: never).
        model_dir: the registry's local copy (``mls.registry``); ``$MLS_MODEL_DIR`` or
            ``~/models`` by default.

    Example::

        with MLS(env="LOCAL", username="me", password="...") as mls:
            model = mls.models.get_manual_model(name="churn_model", version="v1")
            mls.registry.save_and_deploy(wrapped)
    """

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
        client_id: str | None = None,
        apikey: str | None = None,
        coalesce_window: float | None = 0.002,
        hedging: HedgingPolicy | None = HedgingPolicy(),
        model_dir: str | Path | None = None,
    ) -> None:
        self._options = ClientOptions.resolve(
            env, runtime_env, username, password, base_url, timeout, max_retries, retry, auth
        )
        self._profile_options = {
            "client_id": client_id,
            "apikey": apikey,
            "coalesce_window": coalesce_window,
            "hedging": hedging,
        }
        self._model_dir = model_dir
        self._connection = Connection(timeout=timeout, limits=limits, transport=transport)
        self._owns_connection = True

    def _build(self, cls: type[C]) -> C:
        """``cls`` on this client's connection, with its options and account."""
        return cls._from_options(self._options, self._connection)

    # -- the resources, one property each ---------------------------------------------
    @cached_property
    def models(self) -> MLModelClient:
        """Manual and AutoML models, their predictions."""
        from mls_async._sync.model_client import MLModelClient

        return self._build(MLModelClient)

    @cached_property
    def components(self) -> ComponentClient:
        """Components that models are built from."""
        from mls_async._sync.component_client import ComponentClient

        return self._build(ComponentClient)

    @cached_property
    def datasets(self) -> DatasetClient:
        """Dataset configurations."""
        from mls_async._sync.dataset_client import DatasetClient

        return self._build(DatasetClient)

    @cached_property
    def dynamodb(self) -> DynamoDBClient:
        """DynamoDB-style item reads and writes."""
        from mls_async._sync.dynamodb_client import DynamoDBClient

        return self._build(DynamoDBClient)

    @cached_property
    def registry(self) -> ModelRegistry:
        """The model registry, with its local copy under ``model_dir``."""
        from mls_async._sync.registry import ModelRegistry

        options = self._options
        return ModelRegistry(
            env=options.env,
            runtime_env=options.runtime_env,
            username=options.username,
            password=options.password,
            base_url=options.base_url,
            timeout=options.timeout,
            retry=options.retry,
            auth=options.auth,
            connection=self._connection,
            model_dir=self._model_dir,
        )

    @cached_property
    def profiles(self) -> MLSProfileAPIClient:
        """The profile API (user and item profiles, lookups)."""
        from mls_async._sync.profile_client import MLSProfileAPIClient

        # the profile client builds itself from these options (it keeps the account off an apikey's requests)
        options = dataclasses.replace(self._options, extra=self._profile_options)
        return MLSProfileAPIClient._from_options(options, self._connection)

    @cached_property
    def graph(self) -> MLSGraphAPIClient:
        """The graph API."""
        from mls_async._sync.graph_client import MLSGraphAPIClient

        return self._build(MLSGraphAPIClient)

    @cached_property
    def meta_tables(self) -> MetaTableClient:
        """Meta tables and their items."""
        from mls_async._sync.meta_table_client import MetaTableClient

        return self._build(MetaTableClient)

    @cached_property
    def batch_predictions(self) -> AutoMLBatchPredictionClient:
        """AutoML batch predictions."""
        from mls_async._sync.automl_prediction_client import AutoMLBatchPredictionClient

        return self._build(AutoMLBatchPredictionClient)

    # -----------------------------------------------------------------------------------
    def __repr__(self) -> str:
        options = self._options
        return f"{type(self).__name__}(env={options.env!r}, base_url={options.base_url!r})"

    def with_options(self, *, timeout: float | httpx.Timeout | None = None, max_retries: int | None = None) -> Self:
        """A new root client with other per-call defaults on this one's connection pool (it does not own it)."""
        clone = object.__new__(type(self))
        clone._options = self._options.with_defaults(timeout, max_retries)
        clone._profile_options = self._profile_options
        clone._model_dir = self._model_dir
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
