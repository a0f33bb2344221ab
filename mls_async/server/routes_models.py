"""Routes: bearer tokens, models (manual and AutoML), online predictions, AutoML model servers."""

from __future__ import annotations

from fastapi import Depends, Query, Request
from fastapi.security import HTTPBasicCredentials
from pydantic import ValidationError
from starlette.responses import Response

from mls_async._protocol import AUTH_PATH, MODELS_PATH
from mls_async._schemas import (
    BatchPredictionRequest,
    CreateModelRequest,
    HandlerRequest,
    MetaMergeRequest,
    PredictRequest,
    UpdateModelRequest,
)
from mls_async.server.auth import basic_credentials, require_admin, require_user
from mls_async.server.errors import NotFound, Unauthenticated, envelope
from mls_async.server.idempotency import idempotent
from mls_async.server.middleware.shortcuts import answered_before_routing
from mls_async.server.paging import Page, paging
from mls_async.server.routers import PrefixedRouter
from mls_async.server.state import get_state

# -- tokens (optional; Basic auth works everywhere) ---------------------------------------
auth = PrefixedRouter(prefix=AUTH_PATH, tags=["auth"])


@auth.post("/token")
async def issue_token(
    request: Request, credentials: HTTPBasicCredentials | None = Depends(basic_credentials)
) -> Response:
    """Exchange Basic credentials for a bearer token valid ``token_ttl`` seconds."""
    state = get_state(request)
    if request.headers.get("authorization", "").lower().startswith("bearer "):
        raise Unauthenticated("log in with HTTP Basic credentials, not a token")
    user = await require_user(request, credentials)
    token = state.tokens.issue(user, state.config.token_ttl)
    return envelope({"token": token, "token_type": "bearer", "expires_in": state.config.token_ttl})


# -- models -------------------------------------------------------------------------------
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
    return envelope(
        get_state(request).models.find(
            model_type=model_type, id=id, name=name, version=version, query=query, window=window
        )
    )


@models.post("")
def create_model(request: Request, body: CreateModelRequest, user: str = Depends(require_user)) -> Response:
    service = get_state(request).models
    return idempotent(request, user, lambda: envelope({"id": service.create(body, user)}))


# Reads are coroutines: a SQLite read takes microseconds, far less than a hop to the thread pool.
@models.get("/{model_id}")
async def get_model(request: Request, model_id: int, user: str = Depends(require_user)) -> Response:
    service = get_state(request).models
    return envelope(service.present(service.get(model_id)))


@models.put("/{model_id}")
def update_model(
    request: Request, model_id: int, body: UpdateModelRequest, user: str = Depends(require_user)
) -> Response:
    get_state(request).models.update(model_id, body)
    return envelope({"id": model_id})


@models.patch("/{model_id}/model_meta")
def merge_model_meta(
    request: Request, model_id: int, body: MetaMergeRequest, user: str = Depends(require_user)
) -> Response:
    """Merge keys into a manual model's meta in one transaction, so concurrent partial updates all stay."""
    state = get_state(request)
    if not state.config.meta_merge:
        raise NotFound("this server has no partial meta update route")
    state.models.merge_meta(model_id, body.model_meta)
    return envelope({"id": model_id})


@models.delete("/{model_id}")
def delete_model(request: Request, model_id: int, user: str = Depends(require_user)) -> Response:
    get_state(request).models.delete(model_id)
    return envelope({"id": model_id})


async def warm_prediction(request: Request) -> Response | None:
    """A prediction of a warm model, answered before routing; None for the route to answer (cold, or a bad body).

    Credentials are checked before the body is read, as the route's dependency would.
    """
    model_id = request.path_params["model_id"]
    service = get_state(request).models
    model = service.warm(int(model_id)) if model_id.isdigit() else None
    if model is None:
        return None
    await require_user(request, await basic_credentials(request))
    try:
        body = PredictRequest.model_validate_json(await _body(request))
    except ValidationError:
        return None
    return envelope(await service.predict(model, body.x, body.kwargs))


async def _body(request: Request) -> bytes:
    """The request's body, read straight from ``receive`` (Starlette's stream costs more than this path's model)."""
    chunks = []
    while True:
        message = await request.receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


@models.post("/{model_id}/predict")
@answered_before_routing(warm_prediction)
async def predict_manual(
    request: Request, model_id: int, body: PredictRequest, user: str = Depends(require_user)
) -> Response:
    """Online prediction: the registered MLSModel's ``predict_async(x, pf_client=..., **kwargs)``."""
    service = get_state(request).models
    return envelope(await service.predict(await service.deployment(model_id), body.x, body.kwargs))


@models.post("/{model_id}/automl_model_server")
def start_automl_server(request: Request, model_id: int, user: str = Depends(require_user)) -> Response:
    state = get_state(request)
    return envelope({"status": state.automl.start(state.models.get_automl(model_id))})


@models.delete("/{model_id}/automl_model_server")
def stop_automl_server(request: Request, model_id: int, user: str = Depends(require_user)) -> Response:
    state = get_state(request)
    return envelope({"status": state.automl.stop(state.models.get_automl(model_id)["id"])})


@models.get("/{model_id}/automl_model_server")
def automl_server_status(request: Request, model_id: int, user: str = Depends(require_user)) -> Response:
    state = get_state(request)
    return envelope({"status": state.automl.status(state.models.get_automl(model_id)["id"])})


@models.post("/{model_id}/automl_model_server/predict")
async def predict_automl(
    request: Request, model_id: int, body: PredictRequest, user: str = Depends(require_user)
) -> Response:
    state = get_state(request)
    doc = state.models.get_automl(model_id)
    return envelope(await state.automl.predict(doc, body.x))


@models.post("/{model_id}/predictions")
def create_batch_prediction(
    request: Request, model_id: int, body: BatchPredictionRequest, user: str = Depends(require_user)
) -> Response:
    """Start an AutoML batch prediction job; it runs on the batch engine and exports under the data dir."""
    state = get_state(request)
    doc = state.models.get_automl(model_id)
    fields = body.model_dump(exclude_none=True)
    return idempotent(request, user, lambda: envelope(state.predictions.submit(doc, fields, user)))


@models.get("/{model_id}/predictions/{prediction_id}")
def get_batch_prediction(
    request: Request, model_id: int, prediction_id: int, user: str = Depends(require_user)
) -> Response:
    """A batch prediction job's state (beyond the original protocol: the local server's)."""
    state = get_state(request)
    state.models.get_automl(model_id)
    return envelope(state.predictions.get(model_id, prediction_id))


@models.get("/{model_id}/automl_online_prediction")
def get_handler(request: Request, model_id: int, user: str = Depends(require_user)) -> Response:
    state = get_state(request)
    return envelope({"handler": state.automl.handler_source(state.models.get_automl(model_id))})


@models.post("/{model_id}/automl_online_prediction")
def update_handler(
    request: Request, model_id: int, body: HandlerRequest, user: str = Depends(require_admin)
) -> Response:
    """Replace an AutoML server's handler: Python the server runs, so admin accounts only."""
    state = get_state(request)
    doc = state.models.get_automl(model_id)
    state.automl.set_handler(doc, body.handler)
    return envelope({"id": model_id})


ROUTERS = (
    auth,
    models,
)  # what the app mounts from this module
