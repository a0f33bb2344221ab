"""Routes: the feature (profile) API and its benchmark settings."""

from __future__ import annotations

from typing import Any

import anyio.to_thread
from fastapi import APIRouter, Depends, Path, Query, Request
from starlette.responses import Response

from mls_async._schemas import (
    FeatureBatchRequest,
)
from mls_async.server.errors import APIError, envelope
from mls_async.server.state import (
    get_state,
    require_profile_reader,
    require_user,
)

# -- feature (profile) API ----------------------------------------------------------------
profiles = APIRouter(prefix="/v1/{client_id}/profiles/{profile_id}", tags=["profiles"])
_KIND = "^(users|items)$"


async def _latency(request: Request) -> None:
    latency = get_state(request).config.feature_latency
    if latency:
        await anyio.sleep(latency)


def _pick(found: dict[str, Any], f: list[str] | None) -> dict[str, Any]:
    return found if not f else {k: found[k] for k in f if k in found}


@profiles.get("")
async def get_integrated_profile(request: Request, client_id: str, profile_id: str, id: str,
                                 f: list[str] | None = Query(None), mode: str | None = None,
                                 user: str = Depends(require_profile_reader)) -> Response:
    """The integrated route: ``id``'s values in the profile, as a user or else as an item."""
    await _latency(request)
    storage = get_state(request).storage
    for kind in ("users", "items"):
        found = storage.get_profiles(kind, profile_id, [id]).get(id)
        if found is not None:
            return envelope(_pick(found, f))
    raise APIError(404, f"no profile {id!r} in profile {profile_id!r}")


@profiles.get("/{kind}/{target_id}")
async def get_profile(request: Request, client_id: str, profile_id: str, target_id: str,
                      kind: str = Path(..., pattern=_KIND), f: list[str] | None = Query(None),
                      mode: str | None = None, user: str = Depends(require_profile_reader)) -> Response:
    """One user's or item's values (``f`` picks features; ``mode=test`` is accepted as the platform does)."""
    await _latency(request)
    found = get_state(request).storage.get_profiles(kind, profile_id, [target_id]).get(target_id)
    if found is None:
        raise APIError(404, f"no {kind[:-1]} {target_id!r} in profile {profile_id!r}")
    return envelope(_pick(found, f))


@profiles.post("/{kind}/batch")
async def get_profiles(request: Request, client_id: str, profile_id: str, body: FeatureBatchRequest,
                       kind: str = Path(..., pattern=_KIND),
                       user: str = Depends(require_profile_reader)) -> Response:
    """Many targets in one request: ``{id: values}``; unknown ids are left out (announced: profile-batch)."""
    if not get_state(request).config.profile_batch:
        raise APIError(404, "this server has no profile batch route")
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


settings = APIRouter(prefix="/api/v1/settings", tags=["settings"])


@settings.put("/feature_latency")
def set_feature_latency(request: Request, seconds: float = Query(..., ge=0, le=10),
                        user: str = Depends(require_user)) -> Response:
    """Inject latency into every feature lookup (for benchmarks)."""
    get_state(request).config.feature_latency = seconds
    return envelope({"seconds": seconds})
