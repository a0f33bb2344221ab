"""The app's state: the services over one data dir, built once per server process."""

from __future__ import annotations

from typing import cast

from starlette.requests import HTTPConnection

from mls_async.server.artifact_store import LocalArtifactStore
from mls_async.server.automl import AutoMLService
from mls_async.server.batch_predictions import BatchPredictionService
from mls_async.server.components import ComponentService
from mls_async.server.config import ServerConfig
from mls_async.server.datasets import DatasetStore
from mls_async.server.features import FeatureDelay, LocalProfileClient, ProfileStore
from mls_async.server.graph import GraphService
from mls_async.server.meta_tables import MetaTableService
from mls_async.server.models import ModelService
from mls_async.server.scratch import sweep_asides
from mls_async.server.storage import SQLiteStorage
from mls_async.server.tables import TableService
from mls_async.server.throttle import LoginThrottle
from mls_async.server.tokens import TOKEN_SECRET_FILE, TokenSigner

__all__ = ["State", "get_state"]

_ASIDES = (TOKEN_SECRET_FILE, "generation", "generated-password")  # files of the data dir replaced whole


class State:
    """Every service of the server, each over the one storage; routes reach them with :func:`get_state`."""

    def __init__(self, config: ServerConfig) -> None:
        config.data_dir.mkdir(parents=True, exist_ok=True)
        sweep_asides(config.data_dir, _ASIDES)  # files a crash left before renaming them into place
        self.config = config
        self.storage = SQLiteStorage(config.data_dir / "mls.sqlite3")
        self.storage.release_all_pending()  # idempotency reservations of requests a crash cut short
        self.artifacts = LocalArtifactStore(
            config.data_dir / "registry",
            self.storage,
            max_bytes=config.max_upload_bytes,
            max_unpacked_bytes=config.max_unpacked_bytes,
        )
        self.datasets = DatasetStore(config.data_dir / "datasets", self.storage, max_bytes=config.max_upload_bytes)
        self.tables = TableService(self.storage)
        self.components = ComponentService(self.storage)
        self.meta_tables = MetaTableService(self.storage)
        self.graph = GraphService(self.storage)
        self.feature_delay = FeatureDelay(config)
        self.profile_store = ProfileStore(self.storage, self.feature_delay.seconds)
        self.profiles = LocalProfileClient(self.storage, self.feature_delay.seconds)  # models' pf_client
        self.automl = AutoMLService(
            self.storage,
            self.datasets,
            config.data_dir / "automl",
            time_limit=config.automl_time_limit,
            profiles=self.profiles,
        )
        self.predictions = BatchPredictionService(
            self.storage, self.datasets, config.data_dir / "automl", config.data_dir / "exports"
        )
        self.models = ModelService(self.storage, self.artifacts, self.datasets, self.tables, self.automl, self.profiles)
        self.tokens = TokenSigner(config.data_dir / TOKEN_SECRET_FILE)
        self.logins = LoginThrottle(config.login_attempts)


def get_state(request: HTTPConnection) -> State:
    return cast("State", request.app.state.mls)
