"""The exact requests (method, path, query, JSON body) of every AsyncMLModelClient method."""

from __future__ import annotations

import httpx
import orjson
import pytest
import respx

from mls_async.components import Component
from mls_async.datasets import Dataset
from mls_async.models import AsyncMLModelClient, AutoMLModel, ManualModel

BASE = "http://mls.wire"
MANUAL = {
    "id": 3,
    "name": "m_model",
    "version": "v1",
    "model_type": "manual",
    "table": "t1",
    "model_lib": "lightgbm",
    "features": "a,b",
    "description": "d",
    "creator": "u",
    "model_data": "/models/m_model/v1/model.joblib",
    "model_meta": {"a": 1},
    "components": [{"id": 9, "name": "c1"}],
    "status": "IN_USE",
}
AUTOML = {"id": 4, "name": "a_model", "version": "v1", "model_type": "automl", "dataset_id": 2, "status": "DONE"}
HANDLER = "def handler(x, y):\n    return {'items': []}\n"


def fake_server(request: httpx.Request) -> httpx.Response:
    path, method = request.url.path, request.method
    params = dict(request.url.params)
    if path == "/api/v1/models" and method == "GET":
        results = [MANUAL] if params.get("model_type") == "manual" else [AUTOML]
    elif path == "/api/v1/models" and method == "POST":
        results = {"id": 3 if orjson.loads(request.content)["model_type"] == "manual" else 4}
    elif path.endswith("/automl_model_server"):
        results = {"status": "RUNNING"}
    elif path.endswith("/automl_online_prediction"):
        results = {"handler": HANDLER} if method == "GET" else {"id": 4}
    elif path.startswith("/api/v1/models/"):
        model_id = int(path.rsplit("/", 1)[1])
        results = (MANUAL if model_id == 3 else AUTOML) if method == "GET" else {"id": model_id}
    elif path.endswith("/is_active"):
        results = {"is_active": True}
    elif path.endswith("/is_loading"):
        results = {"is_loading": False}
    elif path == "/api/v1/model_registry/artifacts/info":
        results = {"info": {"sha256": "abc"}}
    else:
        results = {"table_name": "t1"}
    return httpx.Response(200, json={"code": 0, "error": None, "results": results})


def seen(router: respx.Router) -> list[tuple]:
    out = []
    for call in router.calls:
        request = call.request
        body = orjson.loads(request.content) if request.content else None
        out.append((request.method, request.url.path, dict(request.url.params), body))
    return out


MANUAL_BODY = {
    "model_type": "manual",
    "name": "m_model",
    "version": "v1",
    "description": "d",
    "creator": "u",
    "model_lib": "lightgbm",
    "model_data": "/models/m_model/v1/model.joblib",
    "model_meta": {"a": 1},
    "features": "a,b",
    "table": "t1",
    "components": ["c1"],
}
GET_MANUAL = ("GET", "/api/v1/models/3", {}, None)
GET_AUTOML = ("GET", "/api/v1/models/4", {}, None)

CASES = {
    "create_automl_model": (
        lambda c: c.create_automl_model(
            dataset=Dataset(id=2, name="ds"), name="a_model", version="v1", description="x"
        ),
        [
            (
                "POST",
                "/api/v1/models",
                {},
                {"model_type": "automl", "name": "a_model", "version": "v1", "description": "x", "dataset_id": 2},
            ),
            GET_AUTOML,
        ],
    ),
    "create_manual_model": (
        lambda c: c.create_manual_model(
            name="m_model", version="v1", model_lib="lightgbm", features="a,b", components=[Component(id=9, name="c1")]
        ),
        [
            (
                "POST",
                "/api/v1/models",
                {},
                {
                    "model_type": "manual",
                    "name": "m_model",
                    "version": "v1",
                    "model_lib": "lightgbm",
                    "features": "a,b",
                    "components": ["c1"],
                },
            ),
            GET_MANUAL,
        ],
    ),
    "create_model_deployment": (
        lambda c: c.create_model_deployment(name="m_model", version="v1", table="t1"),
        [
            ("POST", "/api/v1/models", {}, {"model_type": "manual", "name": "m_model", "version": "v1", "table": "t1"}),
            GET_MANUAL,
        ],
    ),
    "get_automl_model": (
        lambda c: c.get_automl_model(name="a_model", version="v1"),
        [("GET", "/api/v1/models", {"model_type": "automl", "name": "a_model", "version": "v1"}, None), GET_AUTOML],
    ),
    "get_manual_model": (lambda c: c.get_manual_model(id=3), [GET_MANUAL]),
    "get_model_deployment": (
        lambda c: c.get_model_deployment(name="m_model", version="v1"),
        [("GET", "/api/v1/models", {"model_type": "manual", "name": "m_model", "version": "v1"}, None), GET_MANUAL],
    ),
    "list_automl_models": (
        lambda c: c.list_automl_models(query="q", page=2),
        [("GET", "/api/v1/models", {"query": "q", "page": "2", "model_type": "automl"}, None)],
    ),
    "list_manual_models": (
        lambda c: c.list_manual_models(name="m_model"),
        [("GET", "/api/v1/models", {"name": "m_model", "model_type": "manual"}, None)],
    ),
    "list_model_deployments": (
        lambda c: c.list_model_deployments(id=3),
        [("GET", "/api/v1/models", {"id": "3", "model_type": "manual"}, None)],
    ),
    "update_manual_model": (
        lambda c: c.update_manual_model(ManualModel(**MANUAL), description="new"),
        [("PUT", "/api/v1/models/3", {}, {**MANUAL_BODY, "description": "new"}), GET_MANUAL],
    ),
    "update_model_deployment": (
        lambda c: c.update_model_deployment(ManualModel(**MANUAL), name="n_model", version="v2"),
        [("PUT", "/api/v1/models/3", {}, {**MANUAL_BODY, "name": "n_model", "version": "v2"}), GET_MANUAL],
    ),
    "update_manual_model_meta": (
        lambda c: c.update_manual_model_meta(ManualModel(**MANUAL), {"b": 2}, partial_update=True),
        [("PUT", "/api/v1/models/3", {}, {**MANUAL_BODY, "model_meta": {"a": 1, "b": 2}}), GET_MANUAL],
    ),
    "update_model_deployment_meta": (
        lambda c: c.update_model_deployment_meta(ManualModel(**MANUAL), {"b": 2}),
        [("PUT", "/api/v1/models/3", {}, {**MANUAL_BODY, "model_meta": {"b": 2}}), GET_MANUAL],
    ),
    "update_manual_model_components": (
        lambda c: c.update_manual_model_components(ManualModel(**MANUAL), [Component(id=8, name="c0")]),
        [("PUT", "/api/v1/models/3", {}, {**MANUAL_BODY, "components": ["c0"]}), GET_MANUAL],
    ),
    "update_model_deployment_components": (
        lambda c: c.update_model_deployment_components(ManualModel(**MANUAL), []),
        [("PUT", "/api/v1/models/3", {}, {**MANUAL_BODY, "components": []}), GET_MANUAL],
    ),
    "delete_model": (
        lambda c: c.delete_model(ManualModel(**MANUAL), delete_table=True),
        [("DELETE", "/api/v1/models/3", {}, None), ("DELETE", "/api/v1/dynamodb/tables/t1", {}, None)],
    ),
    "delete_model_deployment": (
        lambda c: c.delete_model_deployment(ManualModel(**MANUAL)),
        [("DELETE", "/api/v1/models/3", {}, None)],
    ),
    "is_batch_prediction_ready": (
        lambda c: c.is_batch_prediction_ready(ManualModel(**MANUAL)),
        [
            ("GET", "/api/v1/dynamodb/tables/t1/is_active", {}, None),
            ("GET", "/api/v1/dynamodb/tables/t1/is_loading", {}, None),
        ],
    ),
    "is_online_prediction_ready": (
        lambda c: c.is_online_prediction_ready(ManualModel(**MANUAL)),
        [("GET", "/api/v1/model_registry/artifacts/info", {"model_name": "m_model", "model_version": "v1"}, None)],
    ),
    "start_automl_model_server": (
        lambda c: c.start_automl_model_server(AutoMLModel(**AUTOML)),
        [("POST", "/api/v1/models/4/automl_model_server", {}, None)],
    ),
    "stop_automl_model_server": (
        lambda c: c.stop_automl_model_server(AutoMLModel(**AUTOML)),
        [("DELETE", "/api/v1/models/4/automl_model_server", {}, None)],
    ),
    "get_automl_model_server_status": (
        lambda c: c.get_automl_model_server_status(AutoMLModel(**AUTOML)),
        [("GET", "/api/v1/models/4/automl_model_server", {}, None)],
    ),
    "get_automl_model_server_handler": (
        lambda c: c.get_automl_model_server_handler(AutoMLModel(**AUTOML)),
        [("GET", "/api/v1/models/4/automl_online_prediction", {}, None)],
    ),
    "update_automl_model_server_handler": (
        lambda c: c.update_automl_model_server_handler(AutoMLModel(**AUTOML), HANDLER),
        [("POST", "/api/v1/models/4/automl_online_prediction", {}, {"handler": HANDLER})],
    ),
}


@pytest.mark.parametrize("method", sorted(CASES))
async def test_exact_requests(method):
    call, expected = CASES[method]
    with respx.mock(base_url=BASE, assert_all_called=False) as router:
        router.route().mock(side_effect=fake_server)
        async with AsyncMLModelClient(env="LOCAL", username="u", password="p", base_url=BASE) as client:
            await call(client)
        assert seen(router) == expected


def test_every_reference_method_is_pinned():
    public = {name for name in dir(AsyncMLModelClient) if not name.startswith("_")} - {
        "get_env",
        "get_runtime_env",
        "get_username",
        "base_url",
        "aclose",
        "close",
        "iter_automl_models",
        "iter_manual_models",
        "predict",
        "with_options",
        "supports",
        "announced",
        "resource",
        "root_options",
    }
    assert public == set(CASES)


async def test_results_are_typed():
    with respx.mock(base_url=BASE) as router:
        router.route().mock(side_effect=fake_server)
        async with AsyncMLModelClient(env="LOCAL", username="u", password="p", base_url=BASE) as client:
            manual = await client.get_manual_model(id=3)
            automl = await client.get_automl_model(id=4)
            status = await client.get_automl_model_server_status(automl)
            handler = await client.get_automl_model_server_handler(automl)
    assert isinstance(manual.components[0], Component) and manual.components[0].name == "c1"
    assert manual.status.value == "IN_USE" and automl.status.value == "DONE"
    assert status == "RUNNING" and handler == HANDLER
