"""The server's layers: routes answered before routing are defined once, as routes; middlewares do one thing each."""

from __future__ import annotations

import logging

import httpx
import pytest_asyncio
from fastapi import FastAPI, Request
from starlette.responses import Response

from mls_async import AsyncModelRegistry
from mls_async.models import AsyncMLModelClient
from mls_async.server import ServerConfig
from mls_async.server.errors import NotFound, envelope
from mls_async.server.middleware import (
    BodyCapMiddleware,
    ErrorMiddleware,
    HeadersMiddleware,
    ShortcutMiddleware,
    answered_before_routing,
    shortcut_routes,
)
from mls_async.server.routers import PrefixedRouter
from tests.conftest import PASSWORD, USER
from tests.test_server_faults import Echo

AUTH = (USER, PASSWORD)


@pytest_asyncio.fixture
async def http(app):
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://mls") as client:
        yield client


def test_every_route_answered_before_routing_is_in_the_document_from_its_own_definition(app):
    paths = app.openapi()["paths"]
    routes = shortcut_routes(app.router.routes)
    assert {route.path_format for route, _ in routes} == {
        "/v1/{client_id}/profiles/{profile_id}",
        "/v1/{client_id}/profiles/{profile_id}/{kind}/{target_id}",
        "/api/v1/models/{model_id}/predict",
    }
    for route, _ in routes:
        for method in route.methods:
            operation = paths[route.path_format][method.lower()]
            assert operation["operationId"]
            assert operation["responses"]["401"]["content"]["application/json"]["schema"] == {
                "$ref": "#/components/schemas/Envelope"
            }
    read = paths["/v1/{client_id}/profiles/{profile_id}/{kind}/{target_id}"]["get"]
    assert [(p["name"], p["in"]) for p in read["parameters"]] == [
        ("client_id", "path"),
        ("profile_id", "path"),
        ("kind", "path"),
        ("target_id", "path"),
        ("f", "query"),
        ("mode", "query"),
    ]
    assert read["security"] == [{"HTTPBasic": []}, {"apikey": []}]
    assert read["responses"]["200"]["description"] == "The profile's values"
    predict = paths["/api/v1/models/{model_id}/predict"]["post"]
    body_schema = predict["requestBody"]["content"]["application/json"]["schema"]
    assert body_schema == {"$ref": "#/components/schemas/PredictRequest"}


async def test_a_profile_read_answers_head_as_get_and_its_allow_says_so(http):
    assert (await http.put("/v1/c/profiles/p/users", auth=AUTH, json={"u1": {"a": 1}})).status_code == 200
    head = await http.head("/v1/c/profiles/p/users/u1", auth=AUTH)
    assert head.status_code == 200 and head.headers["x-request-id"]
    refused = await http.post("/v1/c/profiles/p", auth=AUTH)
    assert refused.status_code == 405 and refused.headers["allow"] == "GET, HEAD"
    assert refused.json()["code"] == 405


async def test_a_warm_prediction_with_a_bad_body_is_answered_by_the_route_with_the_whole_body(app, http, tmp_path):
    kwargs = {
        "env": "LOCAL",
        "username": USER,
        "password": PASSWORD,
        "base_url": "http://mls",
        "transport": httpx.ASGITransport(app=app),
    }
    async with (
        AsyncModelRegistry(**kwargs, model_dir=tmp_path / "m") as registry,
        AsyncMLModelClient(**kwargs) as ml_model_client,
    ):
        deployment = await registry.save_and_deploy(Echo("layer_model", "v1", ["x"]), ml_model_client)
        assert (await ml_model_client.predict(deployment, [1]))["items"][0]["props"] == {"x": [1]}
    assert app.state.mls.models.warm(deployment.id) is not None
    path = f"/api/v1/models/{deployment.id}/predict"
    wrong = await http.post(path, auth=AUTH, json={"x": [1], "kwargs": "not a dict"})
    assert wrong.status_code == 400 and wrong.json()["error"].startswith("invalid request: kwargs")
    unauthenticated = await http.post(path, content=b"{not json")
    assert unauthenticated.status_code == 401  # the credentials first, as the route's dependency would
    answered = await http.post(path, auth=AUTH, json={"x": [2]})
    assert answered.status_code == 200 and answered.json()["results"]["items"][0]["props"] == {"x": [2]}
    not_a_number = await http.post("/api/v1/models/abc/predict", auth=AUTH, json={"x": [2]})
    assert not_a_number.status_code == 400  # handed on: the route's own validation answers


def _small_app(config: ServerConfig, body_seen: list[bytes]) -> FastAPI:
    """An app of the server's middlewares around a router with one shortcut route that hands on."""
    app = FastAPI()
    router = PrefixedRouter(prefix="/things")

    async def read_only_even(request: Request) -> Response | None:
        thing = request.path_params["thing"]
        if thing == "missing":
            raise NotFound("no such thing")
        await request.body()
        return envelope({"shortcut": thing}) if int(thing) % 2 == 0 else None

    @router.post("/{thing}")
    @answered_before_routing(read_only_even)
    async def thing(request: Request) -> Response:
        body_seen.append(await request.body())
        return envelope({"routed": request.path_params["thing"]})

    @router.get("/boom/now")
    async def boom() -> Response:
        raise RuntimeError("secret detail")

    app.include_router(router)
    app.add_middleware(ShortcutMiddleware)
    app.add_middleware(BodyCapMiddleware, config=config)
    app.add_middleware(ErrorMiddleware)
    app.add_middleware(HeadersMiddleware, config=config)
    return app


async def test_the_middlewares_each_do_their_part_around_any_app(tmp_path, caplog):
    config = ServerConfig(tmp_path, {USER: PASSWORD}, max_json_bytes=100)
    body_seen: list[bytes] = []
    app = _small_app(config, body_seen)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://mls") as http:
        even = await http.post("/things/2", content=b"abc", headers={"x-request-id": "mine"})
        assert even.json()["results"] == {"shortcut": "2"} and even.headers["x-request-id"] == "mine"
        odd = await http.post("/things/3", content=b"the whole body")
        assert odd.json()["results"] == {"routed": "3"} and body_seen == [b"the whole body"]
        missing = await http.post("/things/missing")
        assert missing.status_code == 404 and missing.json()["error"] == "no such thing"
        too_big = await http.post("/things/3", content=b"x" * 101)
        assert too_big.status_code == 413 and too_big.headers["x-request-id"]

        async def chunks():
            yield b"x" * 60
            yield b"x" * 60

        chunked = await http.post("/things/3", content=chunks())
        assert chunked.status_code == 413 and "limited to 100 bytes" in chunked.json()["error"]
        with caplog.at_level(logging.ERROR, logger="mls_async.server"):
            failed = await http.get("/things/boom/now", headers={"x-request-id": "req-7"})
        assert failed.status_code == 500 and "secret detail" not in failed.text
        assert "request id req-7" in failed.json()["error"] and failed.headers["x-request-id"] == "req-7"
        assert "req-7" in caplog.text
    assert body_seen == [b"the whole body"]  # neither the 413s nor the shortcut reached the route
