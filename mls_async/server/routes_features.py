"""Routes: the feature (profile) API and its benchmark settings."""

from __future__ import annotations

from typing import Any

from fastapi import Depends, Path, Query, Request
from starlette.responses import Response

from mls_async._protocol import PROFILES_PATH, SETTINGS_PATH
from mls_async._schemas import FeatureBatchRequest
from mls_async.server.auth import authorize_profile_reader, require_admin, require_profile_reader, require_user
from mls_async.server.errors import InvalidRequest, NotFound, envelope
from mls_async.server.middleware.shortcuts import answered_before_routing
from mls_async.server.openapi import envelope_response, path_parameter
from mls_async.server.routers import PrefixedRouter
from mls_async.server.state import get_state

# -- feature (profile) API ----------------------------------------------------------------
profiles = PrefixedRouter(prefix=PROFILES_PATH, tags=["profiles"])
_KIND = "^(users|items)$"


def _pick(found: dict[str, Any], f: list[str] | None) -> dict[str, Any]:
    return found if not f else {k: found[k] for k in f if k in found}


_PROFILE_QUERY = [
    {
        "name": "f",
        "in": "query",
        "required": False,
        "schema": {"type": "array", "items": {"type": "string"}},
        "style": "form",
        "explode": True,
        "description": "feature names to return (all when absent)",
    },
    {
        "name": "mode",
        "in": "query",
        "required": False,
        "schema": {"type": "string"},
        "description": "sent as test by the original SDK off the MMS runtime; accepted and ignored",
    },
]


def _profile_read_doc(*parameters: dict[str, Any]) -> dict[str, Any]:
    """The OpenAPI of a profile read, whose endpoint reads its parameters itself."""
    return {
        "parameters": [path_parameter("client_id"), path_parameter("profile_id"), *parameters, *_PROFILE_QUERY],
        "security": [{"HTTPBasic": []}, {"apikey": []}],
        "responses": {"200": envelope_response("The profile's values")},
    }


# The two profile reads are the hot path of online inference: answered before routing, and
# reading their own parameters (FastAPI's parameter machinery cost more than the read itself).
@profiles.get(
    "",
    summary="A profile's values for an id (as a user, else as an item)",
    openapi_extra=_profile_read_doc({"name": "id", "in": "query", "required": True, "schema": {"type": "string"}}),
)
@answered_before_routing()
async def read_integrated_profile(request: Request) -> Response:
    """``GET /v1/{client_id}/profiles/{profile_id}?id=...``: ``id`` as a user, or else as an item."""
    client_id, profile_id = request.path_params["client_id"], request.path_params["profile_id"]
    await authorize_profile_reader(request, client_id)
    target_id = request.query_params.get("id")
    if not target_id:
        raise InvalidRequest("invalid request: query.id: Field required")
    store = get_state(request).profile_store
    await store.delay()
    for kind in ("users", "items"):
        found = store.get(kind, profile_id, target_id)
        if found is not None:
            return envelope(_pick(found, request.query_params.getlist("f")))
    raise NotFound(f"no profile {target_id!r} in profile {profile_id!r}")


@profiles.get(
    "/{kind}/{target_id}",
    summary="One user's or item's values",
    openapi_extra=_profile_read_doc(path_parameter("kind", enum=["users", "items"]), path_parameter("target_id")),
)
@answered_before_routing()
async def read_profile(request: Request) -> Response:
    """``GET /v1/{client_id}/profiles/{profile_id}/{users|items}/{id}``; ``f`` picks features, ``mode`` is ignored."""
    params = request.path_params
    kind, profile_id, target_id = params["kind"], params["profile_id"], params["target_id"]
    if kind not in ("users", "items"):
        raise NotFound(f"no route for {request.url.path}: the kind is 'users' or 'items'")
    await authorize_profile_reader(request, params["client_id"])
    store = get_state(request).profile_store
    await store.delay()
    found = store.get(kind, profile_id, target_id)
    if found is None:
        raise NotFound(f"no {kind[:-1]} {target_id!r} in profile {profile_id!r}")
    return envelope(_pick(found, request.query_params.getlist("f")))


@profiles.post("/{kind}/batch")
async def get_profiles(
    request: Request,
    client_id: str,
    profile_id: str,
    body: FeatureBatchRequest,
    kind: str = Path(..., pattern=_KIND),
    user: str = Depends(require_profile_reader),
) -> Response:
    """Many targets in one request: ``{id: values}``; unknown ids are left out (announced: profile-batch)."""
    state = get_state(request)
    if not state.config.profile_batch:
        raise NotFound("this server has no profile batch route")
    await state.profile_store.delay()
    found = state.profile_store.get_many(kind, profile_id, list(dict.fromkeys(body.ids)))
    if body.keys is not None:
        found = {tid: {k: values[k] for k in body.keys if k in values} for tid, values in found.items()}
    return envelope(found)


@profiles.put("/{kind}")
def put_profiles(
    request: Request,
    client_id: str,
    profile_id: str,
    body: dict[str, dict[str, Any]],
    kind: str = Path(..., pattern=_KIND),
    user: str = Depends(require_user),
) -> Response:
    """Load feature data: ``{target_id: {feature: value}}``, merged into what is stored."""
    return envelope({"count": get_state(request).profile_store.merge(kind, profile_id, body)})


settings = PrefixedRouter(prefix=SETTINGS_PATH, tags=["settings"])


@settings.put("/feature_latency")
def set_feature_latency(
    request: Request, seconds: float = Query(..., ge=0, le=10), user: str = Depends(require_admin)
) -> Response:
    """Inject latency into every feature lookup, for everyone (benchmarks; admin accounts only)."""
    get_state(request).config.feature_latency = seconds
    return envelope({"seconds": seconds})


ROUTERS = (
    profiles,
    settings,
)  # what the app mounts from this module
