"""The local MLS server: an ASGI app speaking the MLS REST protocol.

Everything but ``/health``, ``/ready`` and the API docs requires HTTP Basic auth.
Loading a registered model unpickles it, which runs code: only trusted users may
write to the registry, and registry writes are always authenticated.
"""

from __future__ import annotations

import hmac
import re
import secrets
import time
import uuid
from collections.abc import Callable
from pathlib import Path as FilePath
from typing import Any

import anyio.to_thread
import orjson
from fastapi import APIRouter, Depends, FastAPI, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.security import HTTPBasic, HTTPBasicCredentials
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response, StreamingResponse

from mls_async._artifacts import load_version_dir
from mls_async._schemas import (
    NAME_PATTERN,
    ComponentRequest,
    CreateDatasetRequest,
    CreateModelRequest,
    CreateTableRequest,
    DynamoDBRequest,
    FeatureBatchRequest,
    HandlerRequest,
    PredictRequest,
    UpdateModelRequest,
)
from mls_async.server.artifact_store import LocalArtifactStore
from mls_async.server.automl import AutoMLService
from mls_async.server.datasets import DatasetStore
from mls_async.server.errors import APIError, envelope, error_response
from mls_async.server.features import LocalProfileClient
from mls_async.server.storage import Conflict, SQLiteStorage, Unstorable
from mls_async.server.tables import TableService

__all__ = ["create_app", "ServerConfig"]

PAGE_SIZE = 50
_basic = HTTPBasic(auto_error=False)


class ServerConfig:
    """Where the server keeps its data and who may use it."""

    def __init__(
        self,
        data_dir: FilePath | str,
        accounts: dict[str, str],
        *,
        feature_latency: float = 0.0,
        automl_time_limit: int = 60,
        max_upload_bytes: int = 2 << 30,
        max_json_bytes: int = 32 << 20,
        token_ttl: float = 3600.0,
    ) -> None:
        if not accounts:
            raise ValueError("the server needs at least one account")
        self.data_dir = FilePath(data_dir)
        self.accounts = dict(accounts)
        self.feature_latency = feature_latency
        self.automl_time_limit = automl_time_limit
        self.max_upload_bytes = max_upload_bytes
        self.max_json_bytes = max_json_bytes
        self.token_ttl = token_ttl


class _State:
    def __init__(self, config: ServerConfig) -> None:
        config.data_dir.mkdir(parents=True, exist_ok=True)
        self.config = config
        self.storage = SQLiteStorage(config.data_dir / "mls.sqlite3")
        self.artifacts = LocalArtifactStore(config.data_dir / "registry", self.storage,
                                            max_bytes=config.max_upload_bytes)
        self.datasets = DatasetStore(config.data_dir / "datasets", self.storage, max_bytes=config.max_upload_bytes)
        self.tables = TableService(self.storage)
        self.profiles = LocalProfileClient(self.storage, lambda: self.config.feature_latency)
        self.automl = AutoMLService(self.storage, self.datasets, config.data_dir / "automl",
                                    time_limit=config.automl_time_limit, profiles=self.profiles)
        self.model_cache: dict[tuple[str, str, str], Any] = {}
        self.tokens: dict[str, tuple[str, float]] = {}  # bearer token -> (user, expiry)


def _state(request: Request) -> _State:
    return request.app.state.mls


def _bearer_user(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if not header.lower().startswith("bearer "):
        return None
    entry = _state(request).tokens.get(header[7:].strip())
    if entry is None or entry[1] < time.monotonic():
        raise APIError(401, "the bearer token is unknown or expired; log in again",
                       headers={"WWW-Authenticate": 'Bearer realm="mls"'})
    return entry[0]


def require_user(request: Request, credentials: HTTPBasicCredentials | None = Depends(_basic)) -> str:
    """HTTP Basic auth against the configured accounts, or a bearer token from /api/v1/auth/token."""
    bearer = _bearer_user(request)
    if bearer is not None:
        return bearer
    accounts = _state(request).config.accounts
    if credentials is not None:
        expected = accounts.get(credentials.username)
        if expected is not None and hmac.compare_digest(expected.encode(), credentials.password.encode()):
            return credentials.username
    raise APIError(401, "authentication required: send HTTP Basic credentials of a server account",
                   headers={"WWW-Authenticate": 'Basic realm="mls"'})


def _idempotent(request: Request, user: str, produce: Callable[[], Response]) -> Response:
    """Answer a repeated POST (same Idempotency-Key) with the first answer instead of redoing it."""
    key = request.headers.get("idempotency-key")
    storage = _state(request).storage
    if key:
        remembered = storage.remembered(user, key)
        if remembered is not None:
            return Response(remembered[1], status_code=remembered[0], media_type="application/json")
    response = produce()
    if key and response.status_code < 400:
        storage.remember(user, key, response.status_code, bytes(response.body))
    return response


def _page(page: int | None, page_size: int | None) -> tuple[int, int | None]:
    if page is None:
        return 0, None
    size = page_size or PAGE_SIZE
    return (page - 1) * size, size


def _check_name(value: str, what: str) -> str:
    if not re.fullmatch(NAME_PATTERN, value) or len(value) > 200:
        raise APIError(400, f"{what} {value!r} is not allowed: use letters, digits, '_', '-' and '.', "
                            "not starting with '.'")
    return value


# -- tokens (optional; Basic auth works everywhere) ---------------------------------------
auth = APIRouter(prefix="/api/v1/auth", tags=["auth"])


@auth.post("/token")
def issue_token(request: Request, credentials: HTTPBasicCredentials | None = Depends(_basic)) -> Response:
    """Exchange Basic credentials for a bearer token valid ``token_ttl`` seconds."""
    state = _state(request)
    if request.headers.get("authorization", "").lower().startswith("bearer "):
        raise APIError(401, "log in with HTTP Basic credentials, not a token")
    user = require_user(request, credentials)
    now = time.monotonic()
    state.tokens = {t: entry for t, entry in state.tokens.items() if entry[1] > now}
    token = secrets.token_urlsafe(32)
    state.tokens[token] = (user, now + state.config.token_ttl)
    return envelope({"token": token, "token_type": "bearer", "expires_in": state.config.token_ttl})


# -- models -------------------------------------------------------------------------------
def present_model(state: _State, doc: dict) -> dict:
    """The wire form of a stored model: live components, derived status for manual models."""
    model = dict(doc)
    model.pop("handler", None)
    if model.get("model_type") == "manual":
        components = [state.storage.get("component", cid) for cid in model.get("component_ids", [])]
        model["components"] = [c for c in components if c is not None]
        servable = state.artifacts.info(model["name"], model["version"]) is not None or (
            bool(model.get("table")) and state.tables.is_active(model["table"])
        )
        model["status"] = "IN_USE" if servable else "NOT_IN_USE"
        model["is_enabled"] = servable
    model.pop("component_ids", None)
    return model


def _component_ids(state: _State, names: list[str] | None) -> list[int]:
    ids = []
    for name in names or []:
        matches = state.storage.query("component", filters={"name": name})
        if not matches:
            raise APIError(404, f"no component named {name!r}; create it first")
        latest = [c for c in matches if c.get("is_latest")] or matches
        ids.append(latest[-1]["id"])
    return ids


def _model_or_404(state: _State, model_id: int) -> dict:
    doc = state.storage.get("model", model_id)
    if doc is None:
        raise APIError(404, f"no model with id {model_id}")
    return doc


def _automl_or_400(state: _State, model_id: int) -> dict:
    doc = _model_or_404(state, model_id)
    if doc.get("model_type") != "automl":
        raise APIError(400, f"model {model_id} is a manual model; AutoML model servers exist for AutoML models only")
    return doc


models = APIRouter(prefix="/api/v1/models", tags=["models"])


@models.get("")
def list_models(
    request: Request,
    model_type: str | None = Query(None, pattern="^(automl|manual)$"),
    id: int | None = None,
    name: str | None = None,
    version: str | None = None,
    query: str | None = None,
    page: int | None = Query(None, ge=1),
    page_size: int | None = Query(None, ge=1, le=500),
    user: str = Depends(require_user),
) -> Response:
    state = _state(request)
    offset, limit = _page(page, page_size)
    filters = {k: v for k, v in {"id": id, "name": name, "version": version}.items() if v is not None}
    docs = state.storage.query("model", subkind=model_type, filters=filters, search=query, offset=offset,
                               limit=limit)
    return envelope([present_model(state, doc) for doc in docs])


@models.post("")
def create_model(request: Request, body: CreateModelRequest, user: str = Depends(require_user)) -> Response:
    state = _state(request)

    def produce() -> Response:
        doc = body.model_dump(exclude={"components"})
        doc["creator"] = doc.get("creator") or user
        if body.model_type == "automl":
            if body.dataset_id is None:
                raise APIError(400, "an AutoML model needs dataset_id")
            dataset = state.datasets.get(body.dataset_id)
            doc.update(status="TRAINING", dataset_name=dataset["name"], automl_model_info={}, model_meta={})
        else:
            doc.pop("dataset_id", None)
            doc["component_ids"] = _component_ids(state, body.components)
        try:
            created = state.storage.insert("model", doc, subkind=body.model_type, name=body.name,
                                           version=body.version)
        except Conflict:
            raise APIError(409, f"a {body.model_type} model {body.name}/{body.version} exists already") from None
        if body.model_type == "automl":
            state.automl.submit_training(created["id"])
        return envelope({"id": created["id"]})

    return _idempotent(request, user, produce)


@models.get("/{model_id}")
def get_model(request: Request, model_id: int, user: str = Depends(require_user)) -> Response:
    state = _state(request)
    return envelope(present_model(state, _model_or_404(state, model_id)))


@models.put("/{model_id}")
def update_model(request: Request, model_id: int, body: UpdateModelRequest,
                 user: str = Depends(require_user)) -> Response:
    state = _state(request)
    doc = _model_or_404(state, model_id)
    if doc.get("model_type") != "manual" or body.model_type != "manual":
        raise APIError(400, f"model {model_id} is an AutoML model; only manual models can be updated")
    component_ids = _component_ids(state, body.components)

    def change(current: dict) -> dict:
        fields = body.model_dump(exclude={"components"})
        return {**current, **fields, "component_ids": component_ids}

    try:
        state.storage.update("model", model_id, change, name=body.name, version=body.version)
    except Conflict:
        raise APIError(409, f"a manual model {body.name}/{body.version} exists already") from None
    return envelope({"id": model_id})


@models.delete("/{model_id}")
def delete_model(request: Request, model_id: int, user: str = Depends(require_user)) -> Response:
    state = _state(request)
    doc = _model_or_404(state, model_id)
    if doc.get("model_type") == "automl":
        state.automl.forget(model_id)
    state.storage.delete("model", model_id)
    return envelope({"id": model_id})


@models.post("/{model_id}/predict")
async def predict_manual(request: Request, model_id: int, body: PredictRequest,
                         user: str = Depends(require_user)) -> Response:
    """Online prediction: the registered MLSModel's ``predict_async(x, pf_client=..., **kwargs)``."""
    state = _state(request)
    doc = _model_or_404(state, model_id)
    if doc.get("model_type") != "manual":
        raise APIError(400, f"model {model_id} is an AutoML model; predict through its AutoML model server")
    info = state.artifacts.info(doc["name"], doc["version"])
    if info is None:
        raise APIError(409, f"{doc['name']}/{doc['version']} has no artifact in the model registry; save it first")
    key = (doc["name"], doc["version"], info["sha256"])
    model: Any = state.model_cache.get(key)
    if model is None:
        directory = state.artifacts.version_dir(doc["name"], doc["version"])
        try:
            model = await anyio.to_thread.run_sync(load_version_dir, directory)
        except Exception as exc:
            raise APIError(500, f"the registered model could not be loaded: {exc!r}") from exc
        state.model_cache = {k: v for k, v in state.model_cache.items() if k[:2] != key[:2]}
        state.model_cache[key] = model
    kwargs = {"pf_client": state.profiles, "dynamodb_client": state.tables, **body.kwargs}
    try:
        result = await model.predict_async(body.x, **kwargs)
    except Exception as exc:
        raise APIError(400, f"prediction failed: {type(exc).__name__}: {exc}") from exc
    return envelope(result)


@models.post("/{model_id}/automl_model_server")
def start_automl_server(request: Request, model_id: int, user: str = Depends(require_user)) -> Response:
    state = _state(request)
    return envelope({"status": state.automl.start(_automl_or_400(state, model_id))})


@models.delete("/{model_id}/automl_model_server")
def stop_automl_server(request: Request, model_id: int, user: str = Depends(require_user)) -> Response:
    state = _state(request)
    return envelope({"status": state.automl.stop(_automl_or_400(state, model_id)["id"])})


@models.get("/{model_id}/automl_model_server")
def automl_server_status(request: Request, model_id: int, user: str = Depends(require_user)) -> Response:
    state = _state(request)
    return envelope({"status": state.automl.status(_automl_or_400(state, model_id)["id"])})


@models.post("/{model_id}/automl_model_server/predict")
async def predict_automl(request: Request, model_id: int, body: PredictRequest,
                         user: str = Depends(require_user)) -> Response:
    state = _state(request)
    doc = _automl_or_400(state, model_id)
    return envelope(await state.automl.predict(doc, body.x))


@models.get("/{model_id}/automl_online_prediction")
def get_handler(request: Request, model_id: int, user: str = Depends(require_user)) -> Response:
    state = _state(request)
    return envelope({"handler": state.automl.handler_source(_automl_or_400(state, model_id))})


@models.post("/{model_id}/automl_online_prediction")
def update_handler(request: Request, model_id: int, body: HandlerRequest,
                   user: str = Depends(require_user)) -> Response:
    state = _state(request)
    doc = _automl_or_400(state, model_id)
    state.automl.set_handler(doc, body.handler)
    return envelope({"id": model_id})


# -- components ---------------------------------------------------------------------------
components = APIRouter(prefix="/api/v1/components", tags=["components"])


@components.get("")
def list_components(
    request: Request,
    id: int | None = None,
    name: str | None = None,
    info: str | None = None,
    is_latest: bool | None = None,
    query: str | None = None,
    page: int | None = Query(None, ge=1),
    page_size: int | None = Query(None, ge=1, le=500),
    user: str = Depends(require_user),
) -> Response:
    state = _state(request)
    filters = {k: v for k, v in {"id": id, "name": name}.items() if v is not None}
    docs = state.storage.query("component", filters=filters, search=query)
    if is_latest is not None:
        docs = [d for d in docs if bool(d.get("is_latest")) == is_latest]
    if info is not None:
        docs = [d for d in docs if info in (str(d.get("info")), orjson.dumps(d.get("info")).decode())]
    offset, limit = _page(page, page_size)
    return envelope(docs[offset:offset + limit] if limit is not None else docs)


@components.post("")
def create_component(request: Request, body: ComponentRequest, user: str = Depends(require_user)) -> Response:
    state = _state(request)

    def produce() -> Response:
        doc = state.storage.insert("component", {**body.model_dump(), "user": user}, name=body.name)
        return envelope({"id": doc["id"]})

    return _idempotent(request, user, produce)


@components.get("/{component_id}")
def get_component(request: Request, component_id: int, user: str = Depends(require_user)) -> Response:
    doc = _state(request).storage.get("component", component_id)
    if doc is None:
        raise APIError(404, f"no component with id {component_id}")
    return envelope(doc)


@components.put("/{component_id}")
def update_component(request: Request, component_id: int, body: ComponentRequest,
                     user: str = Depends(require_user)) -> Response:
    updated = _state(request).storage.update(
        "component", component_id, lambda current: {**current, **body.model_dump()}, name=body.name
    )
    if updated is None:
        raise APIError(404, f"no component with id {component_id}")
    return envelope({"id": component_id})


@components.delete("/{component_id}")
def delete_component(request: Request, component_id: int, user: str = Depends(require_user)) -> Response:
    if not _state(request).storage.delete("component", component_id):
        raise APIError(404, f"no component with id {component_id}")
    return envelope({"id": component_id})


# -- datasets -----------------------------------------------------------------------------
datasets = APIRouter(prefix="/api/v1/datasets", tags=["datasets"])


@datasets.get("")
def list_datasets(
    request: Request,
    id: int | None = None,
    name: str | None = None,
    query: str | None = None,
    page: int | None = Query(None, ge=1),
    page_size: int | None = Query(None, ge=1, le=500),
    user: str = Depends(require_user),
) -> Response:
    offset, limit = _page(page, page_size)
    return envelope(_state(request).datasets.list(id=id, name=name, query=query, offset=offset, limit=limit))


@datasets.post("")
async def create_dataset(request: Request, query: CreateDatasetRequest = Depends(),
                         user: str = Depends(require_user)) -> Response:
    """Upload a CSV or Parquet file as the request body; name, type, label and format in the query."""
    state = _state(request)
    key = request.headers.get("idempotency-key")
    if key and (remembered := state.storage.remembered(user, key)) is not None:
        return Response(remembered[1], status_code=remembered[0], media_type="application/json")
    doc = await state.datasets.create(query, request.stream(), user)
    response = envelope({"id": doc["id"]})
    if key:
        state.storage.remember(user, key, 200, bytes(response.body))
    return response


@datasets.get("/{dataset_id}")
def get_dataset(request: Request, dataset_id: int, user: str = Depends(require_user)) -> Response:
    return envelope(_state(request).datasets.get(dataset_id))


@datasets.get("/{dataset_id}/columns")
def dataset_columns(request: Request, dataset_id: int, user: str = Depends(require_user)) -> Response:
    return envelope({"columns": _state(request).datasets.get(dataset_id)["columns"]})


@datasets.delete("/{dataset_id}")
def delete_dataset(request: Request, dataset_id: int, user: str = Depends(require_user)) -> Response:
    _state(request).datasets.delete(dataset_id)
    return envelope({"id": dataset_id})


# -- batch prediction tables --------------------------------------------------------------
tables = APIRouter(prefix="/api/v1/dynamodb", tags=["tables"])


@tables.post("/tables")
def create_table(request: Request, body: CreateTableRequest, user: str = Depends(require_user)) -> Response:
    return envelope(_state(request).tables.create(body.table_name, body.key))


@tables.get("/tables/{table_name}")
def get_table(request: Request, table_name: str, user: str = Depends(require_user)) -> Response:
    return envelope(_state(request).tables.describe(_check_name(table_name, "table name")))


@tables.put("/tables/{table_name}/items")
def load_table(request: Request, table_name: str, items: list[dict[str, Any]],
               user: str = Depends(require_user)) -> Response:
    """Upload rows; the table reports is_loading until they are all written."""
    return envelope(_state(request).tables.load(_check_name(table_name, "table name"), items))


@tables.delete("/tables/{table_name}")
def delete_table(request: Request, table_name: str, user: str = Depends(require_user)) -> Response:
    _state(request).tables.delete(_check_name(table_name, "table name"))
    return envelope({"table_name": table_name})


@tables.get("/tables/{table_name}/is_active")
def table_is_active(request: Request, table_name: str, user: str = Depends(require_user)) -> Response:
    return envelope({"is_active": _state(request).tables.is_active(table_name)})


@tables.get("/tables/{table_name}/is_loading")
def table_is_loading(request: Request, table_name: str, user: str = Depends(require_user)) -> Response:
    return envelope({"is_loading": _state(request).tables.is_loading(table_name)})


@tables.post("")
def table_item(request: Request, body: DynamoDBRequest, user: str = Depends(require_user)) -> Response:
    return envelope(_state(request).tables.item_request(body.type, body.table_name, body.body))


# -- model registry -----------------------------------------------------------------------
registry = APIRouter(prefix="/api/v1/model_registry/artifacts", tags=["model registry"])


@registry.get("/info")
def artifact_info(request: Request, model_name: str, model_version: str,
                  user: str = Depends(require_user)) -> Response:
    return envelope({"info": _state(request).artifacts.info(model_name, model_version)})


@registry.get("")
def list_artifacts(request: Request, model_name: str | None = None, user: str = Depends(require_user)) -> Response:
    store = _state(request).artifacts
    return envelope(store.list_versions(model_name) if model_name else store.list_models())


@registry.put("/{model_name}/{model_version}")
async def upload_artifact(request: Request, model_name: str, model_version: str, force: bool = False,
                          user: str = Depends(require_user)) -> Response:
    """Register a version: the body is a tar of its directory, ``X-Content-SHA256`` its checksum."""
    _check_name(model_name, "model name")
    _check_name(model_version, "model version")
    info = await _state(request).artifacts.receive(
        model_name, model_version, request.stream(), sha256=request.headers.get("x-content-sha256"), force=force
    )
    return envelope({"info": info})


@registry.get("/{model_name}/{model_version}")
def download_artifact(request: Request, model_name: str, model_version: str,
                      user: str = Depends(require_user)) -> Response:
    store = _state(request).artifacts
    info = store.info(_check_name(model_name, "model name"), _check_name(model_version, "model version"))
    if info is None:
        raise APIError(404, f"{model_name}/{model_version} is not registered")
    path = store.archive_path(model_name, model_version)

    def chunks():
        with open(path, "rb") as file:
            while chunk := file.read(1 << 20):
                yield chunk

    return StreamingResponse(chunks(), media_type="application/x-tar",
                             headers={"X-Content-SHA256": info["sha256"], "Content-Length": str(info["size"])})


@registry.delete("/{model_name}/{model_version}")
def delete_artifact(request: Request, model_name: str, model_version: str,
                    user: str = Depends(require_user)) -> Response:
    if not _state(request).artifacts.delete(_check_name(model_name, "model name"),
                                            _check_name(model_version, "model version")):
        raise APIError(404, f"{model_name}/{model_version} is not registered")
    return envelope({"name": model_name, "version": model_version})


# -- feature (profile) API ----------------------------------------------------------------
profiles = APIRouter(prefix="/v1/{client_id}/profiles/{profile_id}", tags=["profiles"])
_KIND = "^(users|items)$"


async def _latency(request: Request) -> None:
    latency = _state(request).config.feature_latency
    if latency:
        await anyio.sleep(latency)


@profiles.get("/{kind}/{target_id}")
async def get_profile(request: Request, client_id: str, profile_id: str, target_id: str,
                      kind: str = Path(..., pattern=_KIND), f: list[str] | None = Query(None),
                      user: str = Depends(require_user)) -> Response:
    await _latency(request)
    found = _state(request).storage.get_profiles(kind, profile_id, [target_id]).get(target_id)
    if found is None:
        raise APIError(404, f"no {kind[:-1]} {target_id!r} in profile {profile_id!r}")
    return envelope(found if not f else {k: found[k] for k in f if k in found})


@profiles.post("/{kind}/batch")
async def get_profiles(request: Request, client_id: str, profile_id: str, body: FeatureBatchRequest,
                       kind: str = Path(..., pattern=_KIND), user: str = Depends(require_user)) -> Response:
    """Many targets in one request: ``{id: values}``; unknown ids are left out."""
    await _latency(request)
    found = _state(request).storage.get_profiles(kind, profile_id, list(dict.fromkeys(body.ids)))
    if body.keys is not None:
        found = {tid: {k: values[k] for k in body.keys if k in values} for tid, values in found.items()}
    return envelope(found)


@profiles.put("/{kind}")
def put_profiles(request: Request, client_id: str, profile_id: str, body: dict[str, dict[str, Any]],
                 kind: str = Path(..., pattern=_KIND), user: str = Depends(require_user)) -> Response:
    """Load feature data: ``{target_id: {feature: value}}``, merged into what is stored."""
    return envelope({"count": _state(request).storage.merge_profiles(kind, profile_id, body)})


settings = APIRouter(prefix="/api/v1/settings", tags=["settings"])


@settings.put("/feature_latency")
def set_feature_latency(request: Request, seconds: float = Query(..., ge=0, le=10),
                        user: str = Depends(require_user)) -> Response:
    """Inject latency into every feature lookup (for benchmarks)."""
    _state(request).config.feature_latency = seconds
    return envelope({"seconds": seconds})


# -- app ----------------------------------------------------------------------------------
class _Guard:
    """Pure ASGI middleware: request ids on every answer, and a size cap on JSON bodies."""

    def __init__(self, app: Any, max_json_bytes: int) -> None:
        self.app = app
        self.max_json_bytes = max_json_bytes

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = dict(scope["headers"])
        request_id = headers.get(b"x-request-id", b"").decode("latin-1")[:64] or uuid.uuid4().hex
        length = headers.get(b"content-length")
        content_type = headers.get(b"content-type", b"")
        if length and content_type.startswith(b"application/json"):
            try:
                too_big = int(length) > self.max_json_bytes
            except ValueError:
                too_big = True
            if too_big:
                response = error_response(413, f"JSON bodies are limited to {self.max_json_bytes} bytes",
                                          headers={"x-request-id": request_id})
                return await response(scope, receive, send)

        async def send_with_id(message: dict) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", request_id.encode("latin-1"))]
            await send(message)

        await self.app(scope, receive, send_with_id)


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for error in exc.errors()[:5]:
        where = ".".join(str(p) for p in error.get("loc", ()) if p != "body") or "body"
        parts.append(f"{where}: {error.get('msg')}")
    return "invalid request: " + "; ".join(parts)


def create_app(config: ServerConfig) -> FastAPI:
    """Build the ASGI app over ``config.data_dir``."""
    app = FastAPI(title="MLS local server", version="1", description=__doc__)
    app.state.mls = _State(config)
    for router in (auth, models, components, datasets, tables, registry, profiles, settings):
        app.include_router(router)

    @app.get("/health", tags=["health"])
    def health() -> Response:
        return envelope({"status": "ok"})

    @app.get("/ready", tags=["health"])
    def ready() -> Response:
        app.state.mls.storage.query("model", limit=1)
        return envelope({"status": "ready"})

    @app.exception_handler(APIError)
    async def api_error(request: Request, exc: APIError) -> Response:
        return error_response(exc.status, exc.message, headers=exc.headers)

    @app.exception_handler(Unstorable)
    async def unstorable(request: Request, exc: Unstorable) -> Response:
        return error_response(400, str(exc))

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        return error_response(400, _validation_message(exc))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        return error_response(exc.status_code, str(exc.detail), headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        return error_response(500, f"internal error: {type(exc).__name__}: {exc}")

    app.add_middleware(_Guard, max_json_bytes=config.max_json_bytes)
    return app


def random_password() -> str:
    return secrets.token_urlsafe(18)
