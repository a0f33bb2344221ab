"""Routing of the local server: routers rule themselves out by prefix, and answers stay those of FastAPI."""

from __future__ import annotations

import httpx
import pytest_asyncio
from starlette.routing import Match

from mls_async.server.routers import PrefixedRouter
from tests.conftest import PASSWORD, USER


@pytest_asyncio.fixture
async def http(async_transport):
    async with httpx.AsyncClient(transport=async_transport, base_url="http://mls", auth=(USER, PASSWORD)) as client:
        yield client


async def test_a_router_rules_out_paths_outside_its_prefix_without_trying_its_routes():
    from fastapi import FastAPI
    from fastapi.routing import APIRoute

    tried: list[str] = []

    class CountingRoute(APIRoute):
        def matches(self, scope):
            tried.append(self.path)
            return super().matches(scope)

    profiles = PrefixedRouter(prefix="/v1/{client_id}/profiles", route_class=CountingRoute)
    models = PrefixedRouter(prefix="/api/v1/models", route_class=CountingRoute)

    @profiles.get("/{profile_id}")
    def read(client_id: str, profile_id: str) -> dict:
        return {"profile": profile_id}

    @models.get("/{model_id}")
    def get(model_id: int) -> dict:
        return {"model": model_id}

    app = FastAPI()
    app.include_router(profiles)
    app.include_router(models)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://app") as client:
        assert (await client.get("/api/v1/models/7")).json() == {"model": 7}
        assert "/v1/{client_id}/profiles/{profile_id}" not in tried  # ruled out by its prefix alone
        assert (await client.get("/v1/c/profiles/p")).json() == {"profile": "p"}
    assert profiles.matches({"type": "http", "path": "/api/v1/models/1", "method": "GET"}) == (Match.NONE, {})


async def test_every_router_still_answers_its_routes_and_the_app_its_own(http):
    for path in ("/api/v1/models", "/api/v1/components", "/api/v1/meta_tables", "/v1/vertices?vertex_type=user"):
        assert (await http.get(path)).status_code == 200, path
    invalid = await http.get("/api/v1/model_registry/artifacts/info")  # routed: its parameters are missing
    assert invalid.status_code == 400 and "Field required" in invalid.json()["error"]
    assert (await http.get("/health")).status_code == 200  # after every router


async def test_unknown_paths_and_methods_are_answered_as_before(http):
    missing = await http.get("/api/v1/no-such-resource")
    assert missing.status_code == 404
    wrong_method = await http.request("PATCH", "/api/v1/models")
    assert wrong_method.status_code == 405  # the route exists: a partial match, not "not found"
    assert (await http.get("/api/v1/models/1234567")).status_code == 404  # routed, then not found


def test_every_router_of_the_server_rules_itself_out_by_prefix():
    from mls_async.server.app import route_modules

    for module in route_modules():
        for router in module.ROUTERS:
            assert isinstance(router, PrefixedRouter), f"{module.__name__}: {router.prefix} is a plain APIRouter"
