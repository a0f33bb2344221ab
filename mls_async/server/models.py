"""Models: manual and AutoML model records, and the registered models that manual models serve."""

from __future__ import annotations

from typing import Any

import anyio.to_thread

from mls_async._artifacts import load_version_dir
from mls_async._schemas import CreateModelRequest, UpdateModelRequest
from mls_async.server.artifact_store import LocalArtifactStore
from mls_async.server.automl import AutoMLService
from mls_async.server.datasets import DatasetStore
from mls_async.server.errors import Conflicting, InvalidRequest, NotFound, PredictionFailed, ServiceFailed
from mls_async.server.features import LocalProfileClient
from mls_async.server.paging import Page
from mls_async.server.storage import Conflict, SQLiteStorage
from mls_async.server.tables import TableService

__all__ = ["ModelService"]

_LOAD_ATTEMPTS = 5  # loads of a version that forced re-uploads keep replacing


class ModelService:
    """Model records in storage, and the online predictions of the manual ones.

    A deployment is warm once its registered model is loaded: while no write reached the
    storage since (its generation), a prediction reads no record at all.
    """

    def __init__(
        self,
        storage: SQLiteStorage,
        artifacts: LocalArtifactStore,
        datasets: DatasetStore,
        tables: TableService,
        automl: AutoMLService,
        profiles: LocalProfileClient,
    ) -> None:
        self.storage, self.artifacts, self.datasets = storage, artifacts, datasets
        self.tables, self.automl, self.profiles = tables, automl, profiles
        self._loaded: dict[tuple[str, str, str], Any] = {}  # (name, version, sha256) -> model
        self._deployments: dict[int, tuple[tuple[int, int], Any]] = {}  # id -> (storage generation, model)

    # -- records ----------------------------------------------------------------------------
    def present(self, doc: dict[str, Any]) -> dict[str, Any]:
        """The wire form of a stored model: live components, derived status for manual models."""
        model = dict(doc)
        model.pop("handler", None)
        if model.get("model_type") == "manual":
            components = [self.storage.get("component", cid) for cid in model.get("component_ids", [])]
            model["components"] = [c for c in components if c is not None]
            servable = self.artifacts.info(model["name"], model["version"]) is not None or (
                bool(model.get("table")) and self.tables.is_active(model["table"])
            )
            model["status"] = "IN_USE" if servable else "NOT_IN_USE"
            model["is_enabled"] = servable
        model.pop("component_ids", None)
        return model

    def get(self, model_id: int) -> dict[str, Any]:
        doc = self.storage.get("model", model_id)
        if doc is None:
            raise NotFound(f"no model with id {model_id}")
        return doc

    def get_automl(self, model_id: int) -> dict[str, Any]:
        doc = self.get(model_id)
        if doc.get("model_type") != "automl":
            raise InvalidRequest(
                f"model {model_id} is a manual model; AutoML model servers exist for AutoML models only"
            )
        return doc

    def find(
        self,
        *,
        model_type: str | None,
        id: int | None,
        name: str | None,
        version: str | None,
        query: str | None,
        window: Page,
    ) -> list[dict[str, Any]]:
        docs = self.storage.query(
            "model",
            subkind=model_type,
            filters={"id": id, "name": name, "version": version},
            search=query,
            offset=window.offset,
            limit=window.limit,
        )
        return [self.present(doc) for doc in docs]

    def _component_ids(self, names: list[str] | None) -> list[int]:
        ids = []
        for name in names or []:
            matches = self.storage.query("component", filters={"name": name})
            if not matches:
                raise NotFound(f"no component named {name!r}; create it first")
            latest = [c for c in matches if c.get("is_latest")] or matches
            ids.append(latest[-1]["id"])
        return ids

    def create(self, body: CreateModelRequest, user: str) -> int:
        doc = body.model_dump(exclude={"components"})
        doc["creator"] = doc.get("creator") or user
        if body.model_type == "automl":
            if body.dataset_id is None:
                raise InvalidRequest("an AutoML model needs dataset_id")
            dataset = self.datasets.get(body.dataset_id)
            doc.update(status="TRAINING", dataset_name=dataset["name"], automl_model_info={}, model_meta={})
        else:
            doc.pop("dataset_id", None)
            doc["component_ids"] = self._component_ids(body.components)
        try:
            created = self.storage.insert("model", doc, subkind=body.model_type, name=body.name, version=body.version)
        except Conflict:
            raise Conflicting(f"a {body.model_type} model {body.name}/{body.version} exists already") from None
        if body.model_type == "automl":
            self.automl.submit_training(created["id"])
        return int(created["id"])

    def update(self, model_id: int, body: UpdateModelRequest) -> None:
        doc = self.get(model_id)
        if doc.get("model_type") != "manual" or body.model_type != "manual":
            raise InvalidRequest(f"model {model_id} is an AutoML model; only manual models can be updated")
        component_ids = self._component_ids(body.components)

        def change(current: dict[str, Any]) -> dict[str, Any]:
            fields = body.model_dump(exclude={"components"})
            return {**current, **fields, "component_ids": component_ids}

        try:
            self.storage.update("model", model_id, change, name=body.name, version=body.version)
        except Conflict:
            raise Conflicting(f"a manual model {body.name}/{body.version} exists already") from None

    def merge_meta(self, model_id: int, meta: dict[str, Any]) -> None:
        """Merge keys into a manual model's meta in one transaction, so concurrent partial updates all stay."""
        doc = self.get(model_id)
        if doc.get("model_type") != "manual":
            raise InvalidRequest(f"model {model_id} is an AutoML model; only manual models have an editable meta")
        self.storage.update(
            "model", model_id, lambda current: {**current, "model_meta": {**(current.get("model_meta") or {}), **meta}}
        )

    def delete(self, model_id: int) -> None:
        doc = self.get(model_id)
        if doc.get("model_type") == "automl":
            self.automl.forget(model_id)
        self.storage.delete("model", model_id)

    # -- online predictions -------------------------------------------------------------------
    def warm(self, model_id: int) -> Any:
        """The model a deployment serves if it is loaded and current (one stat, no database read), else None."""
        warm = self._deployments.get(model_id)
        return warm[1] if warm is not None and warm[0] == self.storage.generation() else None

    async def deployment(self, model_id: int) -> Any:
        """The model a manual model serves: the warm one, else loaded from the registry (and then warm)."""
        model = self.warm(model_id)
        if model is None:
            generation = self.storage.generation()  # taken before the reads: a write meanwhile is seen next time
            model = await self._load(model_id)
            self._deployments[model_id] = (generation, model)
        return model

    async def _load(self, model_id: int) -> Any:
        """The registered model a manual model serves (reads its records; unpickles it once per version)."""
        doc = self.get(model_id)
        if doc.get("model_type") != "manual":
            raise InvalidRequest(f"model {model_id} is an AutoML model; predict through its AutoML model server")
        for _ in range(_LOAD_ATTEMPTS):
            info = self.artifacts.info(doc["name"], doc["version"])
            if info is None:
                raise Conflicting(
                    f"{doc['name']}/{doc['version']} has no artifact in the model registry; save it first"
                )
            key = (doc["name"], doc["version"], info["sha256"])
            model: Any = self._loaded.get(key)
            if model is not None:
                return model
            try:
                model = await anyio.to_thread.run_sync(load_version_dir, self.artifacts.version_dir(info["sha256"]))
            except Exception as exc:
                current = self.artifacts.info(doc["name"], doc["version"])
                if current is not None and current["sha256"] != info["sha256"]:
                    continue  # a forced re-upload replaced (and removed) the version while it loaded: load the new one
                raise ServiceFailed(f"the registered model could not be loaded: {exc!r}") from exc
            self._loaded = {k: v for k, v in self._loaded.items() if k[:2] != key[:2]}
            self._loaded[key] = model
            return model
        raise ServiceFailed(f"{doc['name']}/{doc['version']} kept being replaced while it loaded; retry")

    async def predict(self, model: Any, x: Any, kwargs: dict[str, Any]) -> Any:
        """``model.predict_async(x, pf_client=..., dynamodb_client=..., **kwargs)``; its failure is a 422."""
        try:
            return await model.predict_async(
                x, **{"pf_client": self.profiles, "dynamodb_client": self.tables, **kwargs}
            )
        except Exception as exc:
            raise PredictionFailed(f"prediction failed: {type(exc).__name__}: {exc}") from exc
