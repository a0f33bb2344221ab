"""The two sides of the parity suite: the original ``sktmls`` and ``mls_async`` (sync and async).

A side bundles the clients of one SDK (models, components, datasets, dynamodb, meta
tables, graph)
and its entity classes, so that one scenario runs unchanged on every side. Each
client is wrapped to note which public methods the scenario called.
"""

from __future__ import annotations

import asyncio
import inspect
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from tests.parity.recording import Recorder

USER, PASSWORD = "parity", "parity-pass"
KINDS = ("models", "components", "datasets", "dynamodb", "meta_tables", "graph", "predictions")


def original_automl_prediction() -> Any:
    """The original's ``sktmls/models/automl/automl_prediction.py``, unchanged, without its package.

    Its package ``__init__`` also imports BigQuery and Vault clients that the batch
    prediction client does not use; the module itself needs only sktmls.
    """
    import importlib.util
    import sys
    from pathlib import Path

    import sktmls

    name = "sktmls_automl_prediction"
    if name not in sys.modules:
        path = Path(sktmls.__file__).parent / "models" / "automl" / "automl_prediction.py"
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


class Tracked:
    """Forwards to ``target``, noting ``Kind.method`` for every public method called."""

    def __init__(self, target: Any, kind: str, called: set[str], call: Callable[[Any], Any] = lambda r: r) -> None:
        self._target, self._kind, self._called, self._call = target, kind, called, call

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._target, name)
        if name.startswith("_") or not callable(attribute):
            return attribute

        def method(*args: Any, **kwargs: Any) -> Any:
            self._called.add(f"{self._kind}.{name}")
            return self._call(attribute(*args, **kwargs))

        return method


class LoopThread:
    """An event loop in a thread: async clients live on it, calls block until done."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._thread.start()

    def run(self, result: Any) -> Any:
        if inspect.isawaitable(result):
            return asyncio.run_coroutine_threadsafe(_awaited(result), self.loop).result(120)
        return result

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)


async def _awaited(awaitable: Any) -> Any:
    return await awaitable


@dataclass
class Side:
    name: str
    recorder: Recorder
    models: Any
    components: Any
    datasets: Any
    dynamodb: Any
    meta_tables: Any
    graph: Any
    predictions: Any
    types: SimpleNamespace
    called: set[str] = field(default_factory=set)
    close: Callable[[], None] = lambda: None


def original_side(url: str, recorder: Recorder) -> Side:
    """The real ``sktmls`` 2026.10.7, unchanged, its LOCAL host table pointed at ``url``."""
    import sktmls.config
    from sktmls import MLSENV, MLSRuntimeENV
    from sktmls.apis import MLSGraphAPIClient
    from sktmls.components import Component, ComponentClient
    from sktmls.datasets import Dataset, DatasetClient, FeatureStoreConf, LabelDataConf, ProblemType
    from sktmls.dynamodb import DynamoDBClient
    from sktmls.meta_tables import MetaTableClient
    from sktmls.models import AutoMLModel, ManualModel, MLModelClient

    sktmls.config.CONFIG["LOCAL"]["MLS_AB_API_URL"]["local"] = url
    sktmls.config.CONFIG["LOCAL"]["MLS_GRAPH_API_URL"]["local"] = url
    kwargs = {"env": MLSENV.LOCAL, "runtime_env": MLSRuntimeENV.LOCAL, "username": USER, "password": PASSWORD}
    called: set[str] = set()
    automl = original_automl_prediction()
    types = SimpleNamespace(
        Component=Component,
        ManualModel=ManualModel,
        AutoMLModel=AutoMLModel,
        Dataset=Dataset,
        ProblemType=ProblemType,
        FeatureStoreConf=FeatureStoreConf,
        LabelDataConf=LabelDataConf,
        pandas=__import__("pandas"),
        EmailChannelConfig=automl.EmailChannelConfig,
        ScoreExportOption=automl.ScoreExportOption,
    )
    return Side(
        "sktmls",
        recorder,
        Tracked(MLModelClient(**kwargs), "models", called),
        Tracked(ComponentClient(**kwargs), "components", called),
        Tracked(DatasetClient(**kwargs), "datasets", called),
        Tracked(DynamoDBClient(**kwargs), "dynamodb", called),
        Tracked(MetaTableClient(**kwargs), "meta_tables", called),
        Tracked(MLSGraphAPIClient(env=MLSENV.LOCAL, runtime_env=MLSRuntimeENV.LOCAL), "graph", called),
        Tracked(automl.AutoMLBatchPredictionClient(**kwargs), "predictions", called),
        types,
        called,
    )


def _our_types() -> SimpleNamespace:
    from mls_async.components import Component
    from mls_async.datasets import Dataset, FeatureStoreConf, LabelDataConf, ProblemType
    from mls_async.models import AutoMLModel, ManualModel
    from mls_async.models.automl import EmailChannelConfig, ScoreExportOption

    return SimpleNamespace(
        Component=Component,
        ManualModel=ManualModel,
        AutoMLModel=AutoMLModel,
        Dataset=Dataset,
        ProblemType=ProblemType,
        FeatureStoreConf=FeatureStoreConf,
        LabelDataConf=LabelDataConf,
        pandas=__import__("pandas"),
        EmailChannelConfig=EmailChannelConfig,
        ScoreExportOption=ScoreExportOption,
    )


def sync_side(url: str, recorder: Recorder) -> Side:
    """Our generated sync clients, configured as a migrating user would (``env=LOCAL`` + ``base_url``)."""
    from mls_async import MLSENV
    from mls_async.apis import MLSGraphAPIClient
    from mls_async.components import ComponentClient
    from mls_async.datasets import DatasetClient
    from mls_async.dynamodb import DynamoDBClient
    from mls_async.meta_tables import MetaTableClient
    from mls_async.models import MLModelClient
    from mls_async.models.automl import AutoMLBatchPredictionClient

    kwargs = {"env": MLSENV.LOCAL, "username": USER, "password": PASSWORD, "base_url": url}
    clients = [
        MLModelClient(**kwargs),
        ComponentClient(**kwargs),
        DatasetClient(**kwargs),
        DynamoDBClient(**kwargs),
        MetaTableClient(**kwargs),
        MLSGraphAPIClient(env=MLSENV.LOCAL, base_url=url),
        AutoMLBatchPredictionClient(**kwargs),
    ]
    called: set[str] = set()
    kinds = KINDS
    tracked = [Tracked(c, kind, called) for c, kind in zip(clients, kinds)]
    return Side(
        "mls_async sync", recorder, *tracked, _our_types(), called, close=lambda: [c.close() for c in clients] and None
    )


def async_side(url: str, recorder: Recorder) -> Side:
    """Our async clients, every coroutine run to completion on one background loop."""
    from mls_async import MLSENV
    from mls_async.apis import AsyncMLSGraphAPIClient
    from mls_async.components import AsyncComponentClient
    from mls_async.datasets import AsyncDatasetClient
    from mls_async.dynamodb import AsyncDynamoDBClient
    from mls_async.meta_tables import AsyncMetaTableClient
    from mls_async.models import AsyncMLModelClient
    from mls_async.models.automl import AsyncAutoMLBatchPredictionClient

    loop = LoopThread()
    kwargs = {"env": MLSENV.LOCAL, "username": USER, "password": PASSWORD, "base_url": url}
    clients = [
        AsyncMLModelClient(**kwargs),
        AsyncComponentClient(**kwargs),
        AsyncDatasetClient(**kwargs),
        AsyncDynamoDBClient(**kwargs),
        AsyncMetaTableClient(**kwargs),
        AsyncMLSGraphAPIClient(env=MLSENV.LOCAL, base_url=url),
        AsyncAutoMLBatchPredictionClient(**kwargs),
    ]
    called: set[str] = set()
    kinds = KINDS
    tracked = [Tracked(c, kind, called, loop.run) for c, kind in zip(clients, kinds)]

    def close() -> None:
        for client in clients:
            loop.run(client.aclose())
        loop.stop()

    return Side("mls_async async", recorder, *tracked, _our_types(), called, close=close)
