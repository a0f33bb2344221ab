"""``AsyncMLModelClient``: AutoML models, manual models (model deployments), readiness, AutoML servers."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any, cast

from mls_async._async.base_client import AsyncMLSClient
from mls_async._entities import AutoMLModel, Component, Dataset, ManualModel
from mls_async._exceptions import DoesNotExist, MLSNotFoundError, MLSValidationError
from mls_async._protocol import ARTIFACT_INFO_PATH, CAP_META_MERGE, MODELS_PATH, TABLES_PATH
from mls_async._response import MLSResponse
from mls_async._schemas import (
    MANUAL_MODEL_FIELDS,
    MODEL_LIBS,
    MODEL_NAME_PATTERN,
    MODEL_VERSION_PATTERN,
    CreateModelRequest,
    UpdateModelRequest,
)
from mls_async._validation import build_body, check_handler_source, check_lookup, check_type

__all__ = ["AsyncMLModelClient", "MODELS_PATH", "TABLES_PATH", "ARTIFACT_INFO_PATH"]

_MANUAL_FIELDS = MANUAL_MODEL_FIELDS


def _check_manual_args(model_lib: Any, model_meta: Any, features: Any, components: Any, **strings: Any) -> None:
    for name, value in strings.items():
        check_type(value, str, name, optional=True)
    if model_lib is not None and model_lib not in MODEL_LIBS:
        raise MLSValidationError(f"model_lib={model_lib!r} is not allowed; use one of: {', '.join(MODEL_LIBS)}")
    check_type(model_meta, dict, "model_meta", optional=True)
    if isinstance(features, list):
        raise MLSValidationError(
            f"features must be a comma-separated str, got a list; pass features={','.join(map(str, features))!r}"
        )
    check_type(features, str, "features", optional=True)
    if components is not None:
        check_type(components, list, "components", hint="Pass a list of Component objects.")
        for index, component in enumerate(components):
            check_type(
                component,
                Component,
                f"components[{index}]",
                hint="Get one with ComponentClient.get_component(name=...).",
            )


def _check_model_name(name: str, version: str) -> None:
    if not MODEL_NAME_PATTERN.match(name):
        raise MLSValidationError(
            f"name={name!r} cannot name a registered model: use letters, digits and '_', "
            f"ending in '_model' (e.g. {re.sub(r'[^A-Za-z0-9_]', '_', name).lower()}_model)"
        )
    if not MODEL_VERSION_PATTERN.match(version):
        raise MLSValidationError(f"version={version!r} is not valid: use letters, digits and '_' (e.g. 'v1')")


def _component_names(components: list[Component] | None) -> list[str] | None:
    return None if components is None else [c.name for c in components if c.name is not None]


def _manual(model: Any, arg: str) -> ManualModel:
    if isinstance(model, AutoMLModel):
        raise MLSValidationError(
            f"{arg} must be a ManualModel, got the AutoML model {model.name!r}; "
            "this call works on manual models (model deployments) only"
        )
    check_type(model, ManualModel, arg, hint="Get one with get_manual_model(...).")
    if model.id is None:
        raise MLSValidationError(f"{arg} has no id; fetch it from the server with get_manual_model(...) first")
    return cast("ManualModel", model)


def _automl(model: Any, arg: str = "model") -> AutoMLModel:
    if isinstance(model, ManualModel):
        raise MLSValidationError(
            f"{arg} must be an AutoMLModel, got the manual model {model.name!r}; "
            "AutoML model servers exist for AutoML models only"
        )
    check_type(model, AutoMLModel, arg, hint="Get one with get_automl_model(...).")
    if model.id is None:
        raise MLSValidationError(f"{arg} has no id; fetch it from the server with get_automl_model(...) first")
    return cast("AutoMLModel", model)


def _one_of(primary: Any, alias: Any, primary_name: str, alias_name: str) -> Any:
    if primary is not None and alias is not None:
        raise MLSValidationError(f"pass {primary_name}= or {alias_name}=, not both")
    if primary is None and alias is None:
        raise MLSValidationError(f"{primary_name}= is required")
    return primary if primary is not None else alias


def _filters(
    model_type: str,
    id: int | None,
    name: str | None,
    version: str | None,
    query: str | None,
    page: int | None,
    page_size: int | None,
) -> dict[str, Any]:
    """The query of a model listing (None values are left out when sent)."""
    return {
        "id": id,
        "name": name,
        "version": version,
        "query": query,
        "page": page,
        "page_size": page_size,
        "model_type": model_type,
    }


class AsyncMLModelClient(AsyncMLSClient):
    """Manage AutoML and manual models on MLS.

    Example:
        async with AsyncMLModelClient(env=MLSENV.LOCAL, username="u", password="p") as client:
            model = await client.get_manual_model(name="my_model", version="v1")
    """

    # -- create -------------------------------------------------------------------------
    async def create_automl_model(
        self, dataset: Dataset, name: str, version: str, description: str | None = None
    ) -> AutoMLModel:
        """Create an AutoML model; the platform trains it from ``dataset`` in the background."""
        check_type(dataset, Dataset, "dataset", hint="Get one with DatasetClient.get_dataset(name=...).")
        if dataset.id is None:
            raise MLSValidationError("dataset has no id; fetch it with DatasetClient.get_dataset(...) first")
        check_type(name, str, "name")
        check_type(version, str, "version")
        check_type(description, str, "description", optional=True)
        body = build_body(
            CreateModelRequest,
            model_type="automl",
            name=name,
            version=version,
            description=description,
            dataset_id=dataset.id,
        )
        # the original always sends "description", null included
        json = {**body.model_dump(exclude_none=True), "description": description}
        created = await self._request("POST", MODELS_PATH, json=json, idempotent=True)
        return await self.get_automl_model(id=created.results["id"])

    async def create_manual_model(
        self,
        name: str,
        version: str,
        description: str | None = None,
        creator: str | None = None,
        model_lib: str | None = None,
        model_data: str | None = None,
        model_meta: dict[str, Any] | None = None,
        features: str | None = None,
        table: str | None = None,
        components: list[Component] | None = None,
    ) -> ManualModel:
        """Create a manual model (a model deployment) and return it as stored.

        Empty values (``""``, ``{}``, ``[]``) are left out of the request, as the original does.
        The name and version must be ones the model classes accept (``*_model``, and
        letters, digits and ``_``), so that the deployment can serve a registered model.
        """
        check_type(name, str, "name")
        check_type(version, str, "version")
        _check_model_name(name, version)
        _check_manual_args(
            model_lib,
            model_meta,
            features,
            components,
            description=description,
            creator=creator,
            model_data=model_data,
            table=table,
        )
        body = build_body(
            CreateModelRequest,
            model_type="manual",
            name=name,
            version=version,
            description=description or None,
            creator=creator or None,
            model_lib=model_lib or None,
            model_data=model_data or None,
            model_meta=model_meta or None,
            features=features or None,
            table=table or None,
            components=_component_names(components) or None,
        )
        created = await self._request("POST", MODELS_PATH, json=body.model_dump(exclude_none=True), idempotent=True)
        return await self.get_manual_model(id=created.results["id"])

    async def create_model_deployment(
        self,
        name: str,
        version: str,
        description: str | None = None,
        creator: str | None = None,
        model_lib: str | None = None,
        model_data: str | None = None,
        model_meta: dict[str, Any] | None = None,
        features: str | None = None,
        table: str | None = None,
        components: list[Component] | None = None,
    ) -> ManualModel:
        """Same as :meth:`create_manual_model`."""
        return await self.create_manual_model(
            name, version, description, creator, model_lib, model_data, model_meta, features, table, components
        )

    # -- read ---------------------------------------------------------------------------
    async def _get_model(
        self, model_type: str, id: int | None, name: str | None, version: str | None
    ) -> dict[str, Any]:
        check_lookup(id, name, version, f"get_{model_type}_model")
        if id is None:
            matches = (
                await self._request(
                    "GET", MODELS_PATH, params={"model_type": model_type, "name": name, "version": version}
                )
            ).results
            if not matches:
                raise DoesNotExist(f"no {model_type} model named {name!r} with version {version!r}")
            id = matches[0]["id"]
        try:
            found = (await self._request("GET", f"{MODELS_PATH}/{id}")).results
        except MLSNotFoundError as exc:
            raise DoesNotExist(f"no {model_type} model with id {id}") from exc
        if found.get("model_type") != model_type:
            other = "get_manual_model" if model_type == "automl" else "get_automl_model"
            raise MLSValidationError(f"model {id} is a {found.get('model_type')} model; use {other}(id={id})")
        return cast("dict[str, Any]", found)

    async def get_automl_model(
        self, id: int | None = None, name: str | None = None, version: str | None = None
    ) -> AutoMLModel:
        """Fetch an AutoML model by ``id`` or by ``name`` and ``version``."""
        return AutoMLModel(**await self._get_model("automl", id, name, version))

    async def get_manual_model(
        self, id: int | None = None, name: str | None = None, version: str | None = None
    ) -> ManualModel:
        """Fetch a manual model by ``id`` or by ``name`` and ``version``."""
        return ManualModel(**await self._get_model("manual", id, name, version))

    async def get_model_deployment(
        self, id: int | None = None, name: str | None = None, version: str | None = None
    ) -> ManualModel:
        """Same as :meth:`get_manual_model`."""
        return await self.get_manual_model(id=id, name=name, version=version)

    async def list_automl_models(
        self,
        *,
        id: int | None = None,
        name: str | None = None,
        version: str | None = None,
        query: str | None = None,
        page: int | None = None,
        page_size: int | None = None,
    ) -> list[AutoMLModel]:
        """One page of the AutoML models matching every filter given."""
        return await self._list(MODELS_PATH, AutoMLModel, _filters("automl", id, name, version, query, page, page_size))

    async def list_manual_models(
        self,
        *,
        id: int | None = None,
        name: str | None = None,
        version: str | None = None,
        query: str | None = None,
        page: int | None = None,
        page_size: int | None = None,
    ) -> list[ManualModel]:
        """One page of the manual models matching every filter given."""
        return await self._list(MODELS_PATH, ManualModel, _filters("manual", id, name, version, query, page, page_size))

    async def list_model_deployments(
        self,
        *,
        id: int | None = None,
        name: str | None = None,
        version: str | None = None,
        query: str | None = None,
        page: int | None = None,
        page_size: int | None = None,
    ) -> list[ManualModel]:
        """Same as :meth:`list_manual_models`."""
        return await self.list_manual_models(
            id=id, name=name, version=version, query=query, page=page, page_size=page_size
        )

    async def iter_automl_models(
        self,
        *,
        id: int | None = None,
        name: str | None = None,
        version: str | None = None,
        query: str | None = None,
        page_size: int | None = None,
    ) -> AsyncIterator[AutoMLModel]:
        """Every AutoML model matching the filters, across all pages."""
        async for model in self._paginate(
            MODELS_PATH, AutoMLModel, _filters("automl", id, name, version, query, None, page_size)
        ):
            yield model

    async def iter_manual_models(
        self,
        *,
        id: int | None = None,
        name: str | None = None,
        version: str | None = None,
        query: str | None = None,
        page_size: int | None = None,
    ) -> AsyncIterator[ManualModel]:
        """Every manual model matching the filters, across all pages."""
        async for model in self._paginate(
            MODELS_PATH, ManualModel, _filters("manual", id, name, version, query, None, page_size)
        ):
            yield model

    # -- update -------------------------------------------------------------------------
    async def update_manual_model(
        self,
        manual_model: ManualModel | None = None,
        name: str | None = None,
        version: str | None = None,
        description: str | None = None,
        creator: str | None = None,
        model_lib: str | None = None,
        model_data: str | None = None,
        model_meta: dict[str, Any] | None = None,
        features: str | None = None,
        table: str | None = None,
        components: list[Component] | None = None,
        *,
        model_deployment: ManualModel | None = None,
    ) -> ManualModel:
        """Replace a manual model's fields; unchanged fields are sent as they are.

        Updates ``manual_model`` in place with what the server stored and returns it.
        """
        model = _manual(_one_of(manual_model, model_deployment, "manual_model", "model_deployment"), "manual_model")
        check_type(name, str, "name", optional=True)
        check_type(version, str, "version", optional=True)
        _check_manual_args(
            model_lib,
            model_meta,
            features,
            components,
            description=description,
            creator=creator,
            model_data=model_data,
            table=table,
        )
        current = {field: getattr(model, field) for field in _MANUAL_FIELDS}
        overrides = dict(
            zip(_MANUAL_FIELDS, (description, creator, model_lib, model_data, model_meta, features, table), strict=True)
        )
        merged = {**current, **{k: v for k, v in overrides.items() if v is not None}}
        body = build_body(
            UpdateModelRequest,
            name=name or model.name,
            version=version or model.version,
            components=_component_names(components if components is not None else model.components),
            **merged,
        )
        updated = await self._request("PUT", f"{MODELS_PATH}/{model.id}", json=body.model_dump(exclude_none=True))
        fresh = await self.get_manual_model(id=updated.results["id"])
        return model.reset(**fresh.get())

    async def update_model_deployment(
        self,
        model_deployment: ManualModel,
        name: str | None = None,
        version: str | None = None,
        description: str | None = None,
        creator: str | None = None,
        model_lib: str | None = None,
        model_data: str | None = None,
        model_meta: dict[str, Any] | None = None,
        features: str | None = None,
        table: str | None = None,
        components: list[Component] | None = None,
    ) -> ManualModel:
        """Same as :meth:`update_manual_model`."""
        return await self.update_manual_model(
            model_deployment,
            name,
            version,
            description,
            creator,
            model_lib,
            model_data,
            model_meta,
            features,
            table,
            components,
        )

    async def update_manual_model_meta(
        self,
        manual_model: ManualModel | None = None,
        model_meta: dict[str, Any] | None = None,
        partial_update: bool = False,
        *,
        model_deployment: ManualModel | None = None,
    ) -> ManualModel:
        """Replace the model meta, or merge ``model_meta`` into it with ``partial_update=True``.

        The merge happens on the server when it announces ``model-meta-merge`` (the local
        server does), so that concurrent partial updates keep every key; elsewhere it is
        the original's read-merge-write.
        """
        model = _manual(_one_of(manual_model, model_deployment, "manual_model", "model_deployment"), "manual_model")
        if not isinstance(model_meta, dict):
            raise MLSValidationError(f"model_meta must be a dict, got {type(model_meta).__name__}; pass {{}} to clear")
        check_type(partial_update, bool, "partial_update")
        if partial_update and self.supports(CAP_META_MERGE):
            # The server merges in one transaction: concurrent partial updates all keep their keys.
            await self._request("PATCH", f"{MODELS_PATH}/{model.id}/model_meta", json={"model_meta": model_meta})
            return model.reset(**(await self.get_manual_model(id=model.id)).get())
        meta = {**(model.model_meta or {}), **model_meta} if partial_update else dict(model_meta)
        body = build_body(
            UpdateModelRequest,
            name=model.name,
            version=model.version,
            components=_component_names(model.components),
            **{field: getattr(model, field) for field in _MANUAL_FIELDS if field != "model_meta"},
            model_meta=meta,
        )
        updated = await self._request("PUT", f"{MODELS_PATH}/{model.id}", json=body.model_dump(exclude_none=True))
        fresh = await self.get_manual_model(id=updated.results["id"])
        return model.reset(**fresh.get())

    async def update_model_deployment_meta(
        self, model_deployment: ManualModel, model_meta: dict[str, Any], partial_update: bool = False
    ) -> ManualModel:
        """Same as :meth:`update_manual_model_meta`."""
        return await self.update_manual_model_meta(
            model_deployment=model_deployment, model_meta=model_meta, partial_update=partial_update
        )

    async def update_manual_model_components(
        self,
        manual_model: ManualModel | None = None,
        components: list[Component] | None = None,
        *,
        model_deployment: ManualModel | None = None,
    ) -> ManualModel:
        """Replace the model's components; ``[]`` clears them."""
        model = _one_of(manual_model, model_deployment, "manual_model", "model_deployment")
        if components is None:
            raise MLSValidationError("components= is required; pass [] to clear the components")
        return await self.update_manual_model(manual_model=model, components=components)

    async def update_model_deployment_components(
        self, model_deployment: ManualModel, components: list[Component]
    ) -> ManualModel:
        """Same as :meth:`update_manual_model_components`."""
        return await self.update_manual_model_components(model_deployment=model_deployment, components=components)

    # -- delete -------------------------------------------------------------------------
    async def delete_model(self, model: AutoMLModel | ManualModel, delete_table: bool = False) -> MLSResponse:
        """Delete a model; with ``delete_table=True`` also its batch prediction table."""
        check_type(model, (AutoMLModel, ManualModel), "model")
        check_type(delete_table, bool, "delete_table")
        if model.id is None:
            raise MLSValidationError("model has no id; fetch it from the server first")
        if delete_table and isinstance(model, AutoMLModel):
            raise MLSValidationError("delete_table=True applies to manual models only; AutoML models have no table")
        response = await self._request("DELETE", f"{MODELS_PATH}/{model.id}")
        if delete_table and model.table:
            try:
                await self._request("DELETE", f"{TABLES_PATH}/{model.table}")
            except MLSNotFoundError:
                pass  # already gone: the wanted end state
        return response

    async def delete_model_deployment(self, model_deployment: ManualModel, delete_table: bool = False) -> MLSResponse:
        """Same as :meth:`delete_model`, for manual models."""
        return await self.delete_model(_manual(model_deployment, "model_deployment"), delete_table=delete_table)

    # -- readiness ----------------------------------------------------------------------
    async def is_batch_prediction_ready(self, manual_model: ManualModel) -> bool:
        """True when the model's batch table exists, is active and has finished loading."""
        model = _manual(manual_model, "manual_model")
        if not model.table:
            raise DoesNotExist(
                f"manual model {model.name}/{model.version} has no batch prediction table; "
                "set one with update_manual_model(manual_model, table=...)"
            )
        try:
            active = (await self._request("GET", f"{TABLES_PATH}/{model.table}/is_active")).results
        except MLSNotFoundError:
            return False
        if not active.get("is_active"):
            return False
        loading = (await self._request("GET", f"{TABLES_PATH}/{model.table}/is_loading")).results
        return not loading.get("is_loading")

    async def is_online_prediction_ready(self, manual_model: ManualModel) -> bool:
        """True when the model's artifact (model.joblib) is in the model registry."""
        model = _manual(manual_model, "manual_model")
        results = (
            await self._request(
                "GET", ARTIFACT_INFO_PATH, params={"model_name": model.name, "model_version": model.version}
            )
        ).results
        return bool((results or {}).get("info"))

    # -- AutoML model servers -----------------------------------------------------------
    async def start_automl_model_server(self, model: AutoMLModel) -> MLSResponse:
        """Start serving a trained AutoML model."""
        return await self._request("POST", f"{MODELS_PATH}/{_automl(model).id}/automl_model_server", idempotent=True)

    async def stop_automl_model_server(self, model: AutoMLModel) -> MLSResponse:
        """Stop an AutoML model server."""
        return await self._request("DELETE", f"{MODELS_PATH}/{_automl(model).id}/automl_model_server")

    async def get_automl_model_server_status(self, model: AutoMLModel) -> str:
        """``RUNNING``, ``STOPPED``, ``FAILED`` or ``UNKNOWN``."""
        results = (await self._request("GET", f"{MODELS_PATH}/{_automl(model).id}/automl_model_server")).results
        return cast("str", (results or {}).get("status", "UNKNOWN"))

    async def get_automl_model_server_handler(self, model: AutoMLModel) -> str:
        """The Python source that post-processes the AutoML server's predictions."""
        results = (await self._request("GET", f"{MODELS_PATH}/{_automl(model).id}/automl_online_prediction")).results
        return cast("str", results["handler"])

    async def update_automl_model_server_handler(self, model: AutoMLModel, handler: str) -> MLSResponse:
        """Replace the handler; its syntax is checked locally before anything is sent."""
        model = _automl(model)
        check_handler_source(handler)
        return await self._request(
            "POST", f"{MODELS_PATH}/{model.id}/automl_online_prediction", json={"handler": handler}, idempotent=True
        )

    # -- online predictions (beyond the original SDK) -----------------------------------
    async def predict(
        self, model: AutoMLModel | ManualModel, x: list[Any] | dict[str, Any], **kwargs: Any
    ) -> dict[str, Any]:
        """Ask the platform for an online prediction.

        A manual model answers through its registered ``MLSModel.predict_async(x, **kwargs)``;
        a running AutoML model server answers through its handler (``x`` is one row, a
        list of feature values or a dict of column to value).
        """
        check_type(model, (AutoMLModel, ManualModel), "model")
        check_type(x, (list, dict), "x", hint="Pass the feature values in the model's features order.")
        if model.id is None:
            raise MLSValidationError("model has no id; fetch it from the server first")
        if isinstance(model, AutoMLModel):
            path = f"{MODELS_PATH}/{model.id}/automl_model_server/predict"
        else:
            path = f"{MODELS_PATH}/{model.id}/predict"
        prediction: dict[str, Any] = (
            await self._request("POST", path, json={"x": x, "kwargs": kwargs}, idempotent=True)
        ).results
        return prediction
