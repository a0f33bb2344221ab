"""``AsyncMLS``: one client for the whole platform, every resource an attribute on one pool.

``mls.models``, ``mls.components``, ``mls.profiles``, ... are the resource clients
(``AsyncMLModelClient``, ``AsyncComponentClient``, ...), built on first use from this
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

from mls_async._async.base_client import (
    DEFAULT_LIMITS,
    DEFAULT_TIMEOUT,
    AsyncConnection,
    AsyncMLSClient,
    ClientOptions,
)
from mls_async._config import MLSENV, MLSRuntimeENV
from mls_async._hedging import HedgingPolicy
from mls_async._retry import RetryPolicy

if TYPE_CHECKING:
    from mls_async._async.automl_prediction_client import AsyncAutoMLBatchPredictionClient
    from mls_async._async.component_client import AsyncComponentClient
    from mls_async._async.dataset_client import AsyncDatasetClient
    from mls_async._async.dynamodb_client import AsyncDynamoDBClient
    from mls_async._async.graph_client import AsyncMLSGraphAPIClient
    from mls_async._async.meta_table_client import AsyncMetaTableClient
    from mls_async._async.model_client import AsyncMLModelClient
    from mls_async._async.profile_client import AsyncMLSProfileAPIClient
    from mls_async._async.registry import AsyncModelRegistry

__all__ = ["AsyncMLS"]

C = TypeVar("C", bound=AsyncMLSClient)


class AsyncMLS:
    """The MLS platform: one connection pool and account for every resource.

    Args:
        env, runtime_env, username, password, base_url, timeout, max_retries, retry,
            limits, transport, auth: as for every client (see :class:`AsyncMLSClient`);
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

        async with AsyncMLS(env="LOCAL", username="me", password="...") as mls:
            model = await mls.models.get_manual_model(name="churn_model", version="v1")
            await mls.registry.save_and_deploy(wrapped)
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
        transport: httpx.AsyncBaseTransport | str | None = None,
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
        self._connection = AsyncConnection(timeout=timeout, limits=limits, transport=transport)
        self._owns_connection = True

    def _build(self, cls: type[C]) -> C:
        """``cls`` on this client's connection, with its options and account."""
        return cls._from_options(self._options, self._connection)

    # -- the resources, one property each ---------------------------------------------
    @cached_property
    def models(self) -> AsyncMLModelClient:
        """Manual and AutoML models, their predictions."""
        from mls_async._async.model_client import AsyncMLModelClient

        return self._build(AsyncMLModelClient)

    @cached_property
    def components(self) -> AsyncComponentClient:
        """Components that models are built from."""
        from mls_async._async.component_client import AsyncComponentClient

        return self._build(AsyncComponentClient)

    @cached_property
    def datasets(self) -> AsyncDatasetClient:
        """Dataset configurations."""
        from mls_async._async.dataset_client import AsyncDatasetClient

        return self._build(AsyncDatasetClient)

    @cached_property
    def dynamodb(self) -> AsyncDynamoDBClient:
        """DynamoDB-style item reads and writes."""
        from mls_async._async.dynamodb_client import AsyncDynamoDBClient

        return self._build(AsyncDynamoDBClient)

    @cached_property
    def registry(self) -> AsyncModelRegistry:
        """The model registry, with its local copy under ``model_dir``."""
        from mls_async._async.registry import AsyncModelRegistry

        options = self._options
        return AsyncModelRegistry(
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
    def profiles(self) -> AsyncMLSProfileAPIClient:
        """The profile API (user and item profiles, lookups)."""
        from mls_async._async.profile_client import AsyncMLSProfileAPIClient

        # the profile client builds itself from these options (it keeps the account off an apikey's requests)
        options = dataclasses.replace(self._options, extra=self._profile_options)
        return AsyncMLSProfileAPIClient._from_options(options, self._connection)

    @cached_property
    def graph(self) -> AsyncMLSGraphAPIClient:
        """The graph API."""
        from mls_async._async.graph_client import AsyncMLSGraphAPIClient

        return self._build(AsyncMLSGraphAPIClient)

    @cached_property
    def meta_tables(self) -> AsyncMetaTableClient:
        """Meta tables and their items."""
        from mls_async._async.meta_table_client import AsyncMetaTableClient

        return self._build(AsyncMetaTableClient)

    @cached_property
    def batch_predictions(self) -> AsyncAutoMLBatchPredictionClient:
        """AutoML batch predictions."""
        from mls_async._async.automl_prediction_client import AsyncAutoMLBatchPredictionClient

        return self._build(AsyncAutoMLBatchPredictionClient)

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

    async def aclose(self) -> None:
        """Close the connection pool (every resource's), if this client opened it."""
        if self._owns_connection:
            await self._connection.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()
