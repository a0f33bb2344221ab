"""Routes: bearer tokens, models (manual and AutoML), online predictions, AutoML model servers."""

from __future__ import annotations

import re
from typing import Any

import anyio.to_thread
from fastapi import Depends, Query, Request
from fastapi.security import HTTPBasicCredentials
from pydantic import ValidationError
from starlette.responses import Response

from mls_async._artifacts import load_version_dir
from mls_async._protocol import AUTH_PATH, MODELS_PATH
from mls_async._schemas import (
    BatchPredictionRequest,
    CreateModelRequest,
    HandlerRequest,
    MetaMergeRequest,
    PredictRequest,
    UpdateModelRequest,
)
from mls_async.server.errors import (
    Conflicting,
    InvalidRequest,
    NotFound,
    PredictionFailed,
    ServiceError,
    ServiceFailed,
    Unauthenticated,
    envelope,
    service_error_response,
)
from mls_async.server.routers import PrefixedRouter
from mls_async.server.state import (
    Page,
    State,
    basic_credentials,
    get_state,
    idempotent,
    paging,
    require_admin,
    require_user,
)
from mls_async.server.storage import Conflict

# -- tokens (optional; Basic auth works everywhere) ---------------------------------------
auth = PrefixedRouter(prefix=AUTH_PATH, tags=["auth"])


@auth.post("/token")
async def issue_token(request: Request,
                      credentials: HTTPBasicCredentials | None = Depends(basic_credentials)) -> Response:
    """Exchange Basic credentials for a bearer token valid ``token_ttl`` seconds."""
    state = get_state(request)
    if request.headers.get("authorization", "").lower().startswith("bearer "):
        raise Unauthenticated("log in with HTTP Basic credentials, not a token")
    user = await require_user(request, credentials)
    token = state.tokens.issue(user, state.config.token_ttl)
    return envelope({"token": token, "token_type": "bearer", "expires_in": state.config.token_ttl})


# -- models -------------------------------------------------------------------------------
def present_model(state: State, doc: dict[str, Any]) -> dict[str, Any]:
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


def _component_ids(state: State, names: list[str] | None) -> list[int]:
    ids = []
    for name in names or []:
        matches = state.storage.query("component", filters={"name": name})
        if not matches:
            raise NotFound(f"no component named {name!r}; create it first")
        latest = [c for c in matches if c.get("is_latest")] or matches
        ids.append(latest[-1]["id"])
    return ids


def _model_or_404(state: State, model_id: int) -> dict[str, Any]:
    doc = state.storage.get("model", model_id)
    if doc is None:
        raise NotFound(f"no model with id {model_id}")
    return doc


def _automl_or_400(state: State, model_id: int) -> dict[str, Any]:
    doc = _model_or_404(state, model_id)
    if doc.get("model_type") != "automl":
        raise InvalidRequest(f"model {model_id} is a manual model; AutoML model servers exist for AutoML models only")
    return doc


models = PrefixedRouter(prefix=MODELS_PATH, tags=["models"])


@models.get("")
async def list_models(
    request: Request,
    model_type: str | None = Query(None, pattern="^(automl|manual)$"),
    id: int | None = None,
    name: str | None = None,
    version: str | None = None,
    query: str | None = None,
    window: Page = Depends(paging),
    user: str = Depends(require_user),
) -> Response:
    state = get_state(request)
    docs = state.storage.query("model", subkind=model_type, filters={"id": id, "name": name, "version": version},
                               search=query, offset=window.offset, limit=window.limit)
    return envelope([present_model(state, doc) for doc in docs])


@models.post("")
def create_model(request: Request, body: CreateModelRequest, user: str = Depends(require_user)) -> Response:
    state = get_state(request)

    def produce() -> Response:
        doc = body.model_dump(exclude={"components"})
        doc["creator"] = doc.get("creator") or user
        if body.model_type == "automl":
            if body.dataset_id is None:
                raise InvalidRequest("an AutoML model needs dataset_id")
            dataset = state.datasets.get(body.dataset_id)
            doc.update(status="TRAINING", dataset_name=dataset["name"], automl_model_info={}, model_meta={})
        else:
            doc.pop("dataset_id", None)
            doc["component_ids"] = _component_ids(state, body.components)
        try:
            created = state.storage.insert("model", doc, subkind=body.model_type, name=body.name,
                                           version=body.version)
        except Conflict:
            raise Conflicting(f"a {body.model_type} model {body.name}/{body.version} exists already") from None
        if body.model_type == "automl":
            state.automl.submit_training(created["id"])
        return envelope({"id": created["id"]})

    return idempotent(request, user, produce)


# Reads are coroutines: a SQLite read takes microseconds, far less than a hop to the thread pool.
@models.get("/{model_id}")
async def get_model(request: Request, model_id: int, user: str = Depends(require_user)) -> Response:
    state = get_state(request)
    return envelope(present_model(state, _model_or_404(state, model_id)))


@models.put("/{model_id}")
def update_model(request: Request, model_id: int, body: UpdateModelRequest,
                 user: str = Depends(require_user)) -> Response:
    state = get_state(request)
    doc = _model_or_404(state, model_id)
    if doc.get("model_type") != "manual" or body.model_type != "manual":
        raise InvalidRequest(f"model {model_id} is an AutoML model; only manual models can be updated")
    component_ids = _component_ids(state, body.components)

    def change(current: dict[str, Any]) -> dict[str, Any]:
        fields = body.model_dump(exclude={"components"})
        return {**current, **fields, "component_ids": component_ids}

    try:
        state.storage.update("model", model_id, change, name=body.name, version=body.version)
    except Conflict:
        raise Conflicting(f"a manual model {body.name}/{body.version} exists already") from None
    return envelope({"id": model_id})


@models.patch("/{model_id}/model_meta")
def merge_model_meta(request: Request, model_id: int, body: MetaMergeRequest,
                     user: str = Depends(require_user)) -> Response:
    """Merge keys into a manual model's meta in one transaction, so concurrent partial updates all stay."""
    state = get_state(request)
    if not state.config.meta_merge:
        raise NotFound("this server has no partial meta update route")
    doc = _model_or_404(state, model_id)
    if doc.get("model_type") != "manual":
        raise InvalidRequest(f"model {model_id} is an AutoML model; only manual models have an editable meta")
    state.storage.update("model", model_id,
                         lambda current: {**current, "model_meta": {**(current.get("model_meta") or {}),
                                                                    **body.model_meta}})
    return envelope({"id": model_id})


@models.delete("/{model_id}")
def delete_model(request: Request, model_id: int, user: str = Depends(require_user)) -> Response:
    state = get_state(request)
    doc = _model_or_404(state, model_id)
    if doc.get("model_type") == "automl":
        state.automl.forget(model_id)
    state.storage.delete("model", model_id)
    return envelope({"id": model_id})


async def _load_deployment(state: State, model_id: int) -> Any:
    """The registered model a manual model serves (reads its records; unpickles it once per version)."""
    doc = _model_or_404(state, model_id)
    if doc.get("model_type") != "manual":
        raise InvalidRequest(f"model {model_id} is an AutoML model; predict through its AutoML model server")
    for _ in range(_LOAD_ATTEMPTS):
        info = state.artifacts.info(doc["name"], doc["version"])
        if info is None:
            raise Conflicting(f"{doc['name']}/{doc['version']} has no artifact in the model registry; save it first")
        key = (doc["name"], doc["version"], info["sha256"])
        model: Any = state.model_cache.get(key)
        if model is not None:
            return model
        try:
            model = await anyio.to_thread.run_sync(load_version_dir, state.artifacts.version_dir(info["sha256"]))
        except Exception as exc:
            current = state.artifacts.info(doc["name"], doc["version"])
            if current is not None and current["sha256"] != info["sha256"]:
                continue  # a forced re-upload replaced (and removed) the version while it loaded: load the new one
            raise ServiceFailed(f"the registered model could not be loaded: {exc!r}") from exc
        state.model_cache = {k: v for k, v in state.model_cache.items() if k[:2] != key[:2]}
        state.model_cache[key] = model
        return model
    raise ServiceFailed(f"{doc['name']}/{doc['version']} kept being replaced while it loaded; retry")


_LOAD_ATTEMPTS = 5  # loads of a version that forced re-uploads keep replacing


@models.post("/{model_id}/predict")
async def predict_manual(request: Request, model_id: int, body: PredictRequest,
                         user: str = Depends(require_user)) -> Response:
    """Online prediction: the registered MLSModel's ``predict_async(x, pf_client=..., **kwargs)``."""
    state = get_state(request)
    model = _warm(state, model_id)
    if model is None:
        generation = state.storage.generation()  # taken before the reads: a write meanwhile is seen next time
        model = await _load_deployment(state, model_id)
        state.deployments[model_id] = (generation, model)
    return envelope(await _predicted(state, model, body))


def _warm(state: State, model_id: int) -> Any:
    """The model a deployment serves if it is loaded and current (one stat, no database read), else None."""
    warm = state.deployments.get(model_id)
    return warm[1] if warm is not None and warm[0] == state.storage.generation() else None


async def _predicted(state: State, model: Any, body: PredictRequest) -> Any:
    kwargs = {"pf_client": state.profiles, "dynamodb_client": state.tables, **body.kwargs}
    try:
        return await model.predict_async(body.x, **kwargs)
    except Exception as exc:
        raise PredictionFailed(f"prediction failed: {type(exc).__name__}: {exc}") from exc


_PREDICT = re.compile(r"^/api/v1/models/(?P<model_id>[0-9]+)/predict$")


async def answer_warm_prediction(scope: dict[str, Any], receive: Any, send: Any) -> tuple[bool, Any]:
    """Answer an online prediction of a warm model before routing; else hand the request on.

    Returns whether it answered, and the ``receive`` to go on with (the body it read is
    replayed, so the routed endpoint sees the request whole: a cold model, a body to reject).
    """
    if scope["method"] != "POST":
        return False, receive
    match = _PREDICT.match(scope["path"])
    if match is None:
        return False, receive
    state: State = scope["app"].state.mls
    model = _warm(state, int(match["model_id"]))
    if model is None:
        return False, receive
    request = Request(scope, receive)
    try:
        await require_user(request, await basic_credentials(request))
    except ServiceError as exc:
        await service_error_response(exc)(scope, receive, send)
        return True, receive
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            break
    raw = b"".join(chunks)
    try:
        body = PredictRequest.model_validate_json(raw)
    except ValidationError:
        return False, _replay(raw)  # the endpoint answers it with its own 400
    try:
        response = envelope(await _predicted(state, model, body))
    except ServiceError as exc:
        response = service_error_response(exc)
    await response(scope, receive, send)
    return True, receive


def _replay(body: bytes) -> Any:
    sent = False

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


@models.post("/{model_id}/automl_model_server")
def start_automl_server(request: Request, model_id: int, user: str = Depends(require_user)) -> Response:
    state = get_state(request)
    return envelope({"status": state.automl.start(_automl_or_400(state, model_id))})


@models.delete("/{model_id}/automl_model_server")
def stop_automl_server(request: Request, model_id: int, user: str = Depends(require_user)) -> Response:
    state = get_state(request)
    return envelope({"status": state.automl.stop(_automl_or_400(state, model_id)["id"])})


@models.get("/{model_id}/automl_model_server")
def automl_server_status(request: Request, model_id: int, user: str = Depends(require_user)) -> Response:
    state = get_state(request)
    return envelope({"status": state.automl.status(_automl_or_400(state, model_id)["id"])})


@models.post("/{model_id}/automl_model_server/predict")
async def predict_automl(request: Request, model_id: int, body: PredictRequest,
                         user: str = Depends(require_user)) -> Response:
    state = get_state(request)
    doc = _automl_or_400(state, model_id)
    return envelope(await state.automl.predict(doc, body.x))


@models.post("/{model_id}/predictions")
def create_batch_prediction(request: Request, model_id: int, body: BatchPredictionRequest,
                            user: str = Depends(require_user)) -> Response:
    """Start an AutoML batch prediction job; it runs on the batch engine and exports under the data dir."""
    state = get_state(request)
    doc = _automl_or_400(state, model_id)
    fields = body.model_dump(exclude_none=True)
    return idempotent(request, user, lambda: envelope(state.predictions.submit(doc, fields, user)))


@models.get("/{model_id}/predictions/{prediction_id}")
def get_batch_prediction(request: Request, model_id: int, prediction_id: int,
                         user: str = Depends(require_user)) -> Response:
    """A batch prediction job's state (beyond the original protocol: the local server's)."""
    state = get_state(request)
    _automl_or_400(state, model_id)
    return envelope(state.predictions.get(model_id, prediction_id))


@models.get("/{model_id}/automl_online_prediction")
def get_handler(request: Request, model_id: int, user: str = Depends(require_user)) -> Response:
    state = get_state(request)
    return envelope({"handler": state.automl.handler_source(_automl_or_400(state, model_id))})


@models.post("/{model_id}/automl_online_prediction")
def update_handler(request: Request, model_id: int, body: HandlerRequest,
                   user: str = Depends(require_admin)) -> Response:
    """Replace an AutoML server's handler: Python the server runs, so admin accounts only."""
    state = get_state(request)
    doc = _automl_or_400(state, model_id)
    state.automl.set_handler(doc, body.handler)
    return envelope({"id": model_id})


ROUTERS = (auth, models,)  # what the app mounts from this module
