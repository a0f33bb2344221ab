"""Routes: the feature (profile) API and its benchmark settings."""

from __future__ import annotations

import re
from typing import Any

import anyio.to_thread
from fastapi import Depends, Path, Query, Request
from starlette.responses import Response
from starlette.routing import Route

from mls_async._protocol import PROFILES_PATH, SETTINGS_PATH
from mls_async._schemas import (
    FeatureBatchRequest,
)
from mls_async.server.errors import InvalidRequest, NotFound, ServiceError, envelope, service_error_response
from mls_async.server.routers import PrefixedRouter
from mls_async.server.state import (
    authorize_profile_reader,
    get_state,
    require_admin,
    require_profile_reader,
    require_user,
)

# -- feature (profile) API ----------------------------------------------------------------
profiles = PrefixedRouter(prefix=PROFILES_PATH, tags=["profiles"])
_KIND = "^(users|items)$"


async def _latency(request: Request) -> None:
    latency = get_state(request).feature_delay.seconds()
    if latency:
        await anyio.sleep(latency)


def _pick(found: dict[str, Any], f: list[str] | None) -> dict[str, Any]:
    return found if not f else {k: found[k] for k in f if k in found}


async def read_integrated_profile(request: Request) -> Response:
    """``GET /v1/{client_id}/profiles/{profile_id}?id=...``: ``id`` as a user, or else as an item.

    The two profile reads are plain Starlette endpoints: they are the hot path of online
    inference, and FastAPI's parameter machinery cost more than the read itself.
    """
    client_id, profile_id = request.path_params["client_id"], request.path_params["profile_id"]
    await authorize_profile_reader(request, client_id)
    target_id = request.query_params.get("id")
    if not target_id:
        raise InvalidRequest("invalid request: query.id: Field required")
    await _latency(request)
    storage = get_state(request).storage
    for kind in ("users", "items"):
        found = storage.get_profiles(kind, profile_id, [target_id]).get(target_id)
        if found is not None:
            return envelope(_pick(found, request.query_params.getlist("f")))
    raise NotFound(f"no profile {target_id!r} in profile {profile_id!r}")


async def read_profile(request: Request) -> Response:
    """``GET /v1/{client_id}/profiles/{profile_id}/{users|items}/{id}``; ``f`` picks features, ``mode`` is ignored."""
    params = request.path_params
    kind, profile_id, target_id = params["kind"], params["profile_id"], params["target_id"]
    if kind not in ("users", "items"):
        raise NotFound(f"no route for {request.url.path}: the kind is 'users' or 'items'")
    await authorize_profile_reader(request, params["client_id"])
    await _latency(request)
    found = get_state(request).storage.get_profiles(kind, profile_id, [target_id]).get(target_id)
    if found is None:
        raise NotFound(f"no {kind[:-1]} {target_id!r} in profile {profile_id!r}")
    return envelope(_pick(found, request.query_params.getlist("f")))


profile_reads = [
    Route(PROFILES_PATH, read_integrated_profile, methods=["GET"]),
    Route(PROFILES_PATH + "/{kind}/{target_id}", read_profile, methods=["GET"]),
]
_PROFILE_READ = re.compile(r"^/v1/(?P<client_id>[^/]+)/profiles/(?P<profile_id>[^/]+)"
                           r"(?:/(?P<kind>[^/]+)/(?P<target_id>[^/]+))?$")


async def answer_profile_read(scope: dict[str, Any], receive: Any, send: Any) -> bool:
    """Answer a profile read at once, before routing and the middleware stack; False if ``scope`` is not one.

    The same endpoints as :data:`profile_reads` (which stay for the API docs): the hot path
    of online inference spent most of its server time passing through the stack.
    """
    if scope["method"] != "GET":
        return False
    match = _PROFILE_READ.match(scope["path"])
    if match is None:
        return False
    params = {name: value for name, value in match.groupdict().items() if value is not None}
    request = Request({**scope, "path_params": params}, receive)
    try:
        response = await (read_profile(request) if "kind" in params else read_integrated_profile(request))
    except ServiceError as exc:
        response = service_error_response(exc)
    await response(scope, receive, send)
    return True


@profiles.post("/{kind}/batch")
async def get_profiles(request: Request, client_id: str, profile_id: str, body: FeatureBatchRequest,
                       kind: str = Path(..., pattern=_KIND),
                       user: str = Depends(require_profile_reader)) -> Response:
    """Many targets in one request: ``{id: values}``; unknown ids are left out (announced: profile-batch)."""
    if not get_state(request).config.profile_batch:
        raise NotFound("this server has no profile batch route")
    await _latency(request)
    found = get_state(request).storage.get_profiles(kind, profile_id, list(dict.fromkeys(body.ids)))
    if body.keys is not None:
        found = {tid: {k: values[k] for k in body.keys if k in values} for tid, values in found.items()}
    return envelope(found)


@profiles.put("/{kind}")
def put_profiles(request: Request, client_id: str, profile_id: str, body: dict[str, dict[str, Any]],
                 kind: str = Path(..., pattern=_KIND), user: str = Depends(require_user)) -> Response:
    """Load feature data: ``{target_id: {feature: value}}``, merged into what is stored."""
    return envelope({"count": get_state(request).storage.merge_profiles(kind, profile_id, body)})


settings = PrefixedRouter(prefix=SETTINGS_PATH, tags=["settings"])


@settings.put("/feature_latency")
def set_feature_latency(request: Request, seconds: float = Query(..., ge=0, le=10),
                        user: str = Depends(require_admin)) -> Response:
    """Inject latency into every feature lookup, for everyone (benchmarks; admin accounts only)."""
    get_state(request).config.feature_latency = seconds
    return envelope({"seconds": seconds})


ROUTERS = (profiles, settings,)  # what the app mounts from this module
FIRST_ROUTES = profile_reads  # mounted before every router: the hot path of online inference
