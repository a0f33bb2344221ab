"""AsyncMLModelClient against the local server, in-process: the reference's examples as written."""

from __future__ import annotations

import time

import pytest
import pytest_asyncio

from mls_async import DoesNotExist, MLSClientError, MLSConflictError, MLSValidationError
from mls_async.components import AsyncComponentClient
from mls_async.dynamodb import AsyncDynamoDBClient
from mls_async.models import AsyncMLModelClient, AutoMLModel, ManualModel, MLModelStatus


@pytest_asyncio.fixture
async def clients(client_kwargs, async_transport):
    async with (
        AsyncMLModelClient(**client_kwargs, transport=async_transport) as ml_model_client,
        AsyncComponentClient(**client_kwargs, transport=async_transport) as component_client,
    ):
        yield ml_model_client, component_client


async def test_reference_examples_create_get_update(clients):
    """create/get/update/meta/components examples of the reference run with only imports changed."""
    ml_model_client, component_client = clients
    await component_client.create_component(name="test_component_1", info={"k": 1})
    await component_client.create_component(name="test_component_2", info="two")
    await component_client.create_component(name="test_component", info=None)

    component_1 = await component_client.get_component(name="test_component_1")
    component_2 = await component_client.get_component(name="test_component_2")
    manual_model = await ml_model_client.create_manual_model(
        name="manual_test_model",
        version="v1",
        description="test_model",
        creator="mls_user",
        model_lib="lightgbm",
        model_data="/models/manual_test_model/v1/model.joblib",
        model_meta={
            "name": "manual_test_model",
            "version": "v1",
            "model_lib": "lightgbm",
            "model_lib_version": "2.3.1",
            "model_data": "/models/manual_test_model/v1/model.joblib",
            "features": ["age", "app_use_traffic_youtube", "svc_scrb_period"],
        },
        features="age,app_use_traffic_youtube,svc_scrb_period",
        table="test_model_table",
        components=[component_1, component_2],
    )
    assert isinstance(manual_model, ManualModel)
    assert [c.name for c in manual_model.components] == ["test_component_1", "test_component_2"]
    assert manual_model.status is MLModelStatus.NOT_IN_USE
    assert manual_model.created_at is not None and manual_model.created_at.tzinfo is not None

    manual_model_by_id = await ml_model_client.get_manual_model(id=manual_model.id)
    manual_model_by_name_and_version = await ml_model_client.get_manual_model(name="manual_test_model", version="v1")
    assert manual_model_by_id.get() == manual_model_by_name_and_version.get()
    model_deployment_by_id = await ml_model_client.get_model_deployment(id=manual_model.id)
    assert model_deployment_by_id.features == "age,app_use_traffic_youtube,svc_scrb_period"

    manual_model = await ml_model_client.get_manual_model(name="manual_test_model", version="v1")
    manual_model = await ml_model_client.update_manual_model(
        manual_model=manual_model,
        name="my_new_manual_model",
        description="updated manual model",
        model_data="/models/my_new_manual_model/v1/model.joblib",
    )
    assert manual_model.name == "my_new_manual_model"
    assert manual_model.description == "updated manual model"
    assert manual_model.model_lib == "lightgbm"  # untouched fields survive
    assert len(manual_model.components) == 2  # existing components are kept (the original crashed here)

    manual_model = await ml_model_client.update_manual_model_meta(
        manual_model=manual_model,
        model_meta={"model_lib": "xgboost", "model_lib_version": "1.2.0"},
        partial_update=True,
    )
    assert manual_model.model_meta["model_lib"] == "xgboost"
    assert manual_model.model_meta["name"] == "manual_test_model"  # merged, not replaced
    model_deployment = manual_model
    manual_model_deployment_without_meta = await ml_model_client.update_manual_model_meta(
        model_deployment=model_deployment,
        model_meta={},
    )
    assert manual_model_deployment_without_meta.model_meta == {}

    component = await component_client.get_component(name="test_component")
    updated_manual_model = await ml_model_client.update_manual_model_components(
        manual_model=manual_model,
        components=[component],
    )
    assert [c.name for c in updated_manual_model.components] == ["test_component"]
    no_component_manual_model = await ml_model_client.update_model_deployment_components(
        model_deployment=manual_model,
        components=[],
    )
    assert no_component_manual_model.components == []
    stored = await ml_model_client.get_manual_model(id=manual_model.id)
    assert stored.components == [] and stored.model_meta == {}


async def test_list_and_iterate_across_pages(clients):
    ml_model_client, _ = clients
    for index in range(7):
        await ml_model_client.create_model_deployment(name=f"paged_{index}_model", version="v1")
    first_page = await ml_model_client.list_manual_models(page=1, page_size=3)
    assert [m.name for m in first_page] == ["paged_0_model", "paged_1_model", "paged_2_model"]
    everything = [m.name async for m in ml_model_client.iter_manual_models(page_size=3)]
    assert everything == [f"paged_{index}_model" for index in range(7)]
    assert await ml_model_client.list_automl_models() == []
    found = await ml_model_client.list_model_deployments(query="paged_4")
    assert [m.name for m in found] == ["paged_4_model"]


async def test_batch_readiness_and_delete_with_table(clients, client_kwargs, async_transport):
    ml_model_client, _ = clients
    manual_model = await ml_model_client.create_manual_model(name="batch_model", version="v1", table="batch_table")
    assert await ml_model_client.is_batch_prediction_ready(manual_model=manual_model) is False
    async with AsyncDynamoDBClient(**client_kwargs, transport=async_transport) as dynamodb:
        await dynamodb.create_table("batch_table", key="user_id")
        await dynamodb.upload_items("batch_table", [{"user_id": str(i), "score": i / 10} for i in range(50)])
        deadline = time.monotonic() + 10
        while not await ml_model_client.is_batch_prediction_ready(manual_model=manual_model):
            assert time.monotonic() < deadline
        assert (await dynamodb.get_item("batch_table", {"user_id": "7"}))["item"]["score"] == 0.7
        my_model = await ml_model_client.get_manual_model(name="batch_model", version="v1")
        assert my_model.status is MLModelStatus.IN_USE

        await ml_model_client.delete_model(model=my_model, delete_table=True)
        with pytest.raises(DoesNotExist):
            await ml_model_client.get_manual_model(id=my_model.id)
        assert await dynamodb.is_table_active("batch_table") is False


async def test_batch_readiness_needs_a_table(clients):
    ml_model_client, _ = clients
    no_table = await ml_model_client.create_manual_model(name="no_table_model", version="v1")
    with pytest.raises(DoesNotExist, match="no batch prediction table"):
        await ml_model_client.is_batch_prediction_ready(manual_model=no_table)


async def test_missing_and_conflicting_models(clients):
    ml_model_client, _ = clients
    with pytest.raises(DoesNotExist):
        await ml_model_client.get_manual_model(name="nothing_model", version="v9")
    with pytest.raises(DoesNotExist):
        await ml_model_client.get_automl_model(id=424242)
    await ml_model_client.create_manual_model(name="dup_model", version="v1")
    with pytest.raises(MLSConflictError) as info:
        await ml_model_client.create_manual_model(name="dup_model", version="v1")
    assert info.value.status == 409 and "exists already" in info.value.msg
    manual = await ml_model_client.get_manual_model(name="dup_model", version="v1")
    with pytest.raises(MLSValidationError, match="use get_manual_model"):
        await ml_model_client.get_automl_model(id=manual.id)


async def test_bad_input_fails_before_any_request(clients):
    ml_model_client, _ = clients
    manual = ManualModel(id=1, name="m", version="v1")
    automl = AutoMLModel(id=2, name="a", version="v1")
    with pytest.raises(MLSValidationError, match="needs id=... or both name=... and version"):
        await ml_model_client.get_manual_model(name="only_name")
    with pytest.raises(MLSValidationError, match="id must be int"):
        await ml_model_client.get_manual_model(id="3")
    with pytest.raises(MLSValidationError, match="model_lib='tensorflow' is not allowed"):
        await ml_model_client.create_manual_model(name="x_model", version="v1", model_lib="tensorflow")
    with pytest.raises(MLSValidationError, match="comma-separated"):
        await ml_model_client.create_manual_model(name="x_model", version="v1", features=["a", "b"])
    with pytest.raises(MLSValidationError, match="components\\[0\\] must be Component"):
        await ml_model_client.create_manual_model(name="x_model", version="v1", components=["name"])
    with pytest.raises(MLSValidationError, match="must be a ManualModel, got the AutoML model"):
        await ml_model_client.update_manual_model(automl, description="x")
    with pytest.raises(MLSValidationError, match="must be an AutoMLModel, got the manual model"):
        await ml_model_client.start_automl_model_server(model=manual)
    with pytest.raises(MLSValidationError, match="syntax error at line 2"):
        await ml_model_client.update_automl_model_server_handler(model=automl, handler="x = 1\ndef f(:\n")
    with pytest.raises(MLSValidationError, match="delete_table=True applies to manual models only"):
        await ml_model_client.delete_model(automl, delete_table=True)
    with pytest.raises(MLSClientError):
        await ml_model_client.create_manual_model(name="bad/name", version="v1")


async def test_token_auth_against_the_server(client_kwargs, async_transport, app):
    async with AsyncMLModelClient(**client_kwargs, transport=async_transport, auth="token") as client:
        await client.create_manual_model(name="token_model", version="v1")
        app.state.mls.tokens.rotate()  # every token the server issued is void: the client logs in again
        assert [m.name for m in await client.list_manual_models()] == ["token_model"]
    async with AsyncMLModelClient(
        **{**client_kwargs, "password": "wrong"}, transport=async_transport, auth="token"
    ) as client:
        with pytest.raises(MLSClientError, match="login refused"):
            await client.list_manual_models()


async def test_names_the_model_classes_reject_are_refused_up_front(client_kwargs, async_transport):
    async with AsyncMLModelClient(**client_kwargs, transport=async_transport) as ml_model_client:
        with pytest.raises(MLSValidationError, match="name='MyModel' cannot name a registered model.*mymodel_model"):
            await ml_model_client.create_manual_model(name="MyModel", version="v1")
        with pytest.raises(MLSValidationError, match="version='v1.0' is not valid"):
            await ml_model_client.create_model_deployment("my_model", "v1.0")
