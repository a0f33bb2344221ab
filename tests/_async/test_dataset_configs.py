"""AutoML datasets the original's way: label data from a table or an imported file, feature groups, column specs."""

from __future__ import annotations

import pytest
import pytest_asyncio

from mls_async import MLSValidationError
from mls_async._exceptions import MLSBadRequestError
from mls_async.datasets import AsyncDatasetClient, DatasetError, FeatureStoreConf, LabelDataConf, ProblemType
from mls_async.dynamodb import AsyncDynamoDBClient


@pytest_asyncio.fixture
async def clients(client_kwargs, async_transport):
    async with (
        AsyncDatasetClient(**client_kwargs, transport=async_transport) as datasets,
        AsyncDynamoDBClient(**client_kwargs, transport=async_transport) as dynamodb,
    ):
        yield datasets, dynamodb


async def test_dataset_from_an_imported_file_with_column_specs(clients, server_config):
    datasets, _ = clients
    imports = server_config.data_dir / "imports"
    imports.mkdir(parents=True)
    (imports / "labels.csv").write_text("user_id,city,age,label\nu1,seoul,31,1\nu2,busan,45,0\nu3,seoul,22,1\n")
    dataset = await datasets.create_dataset(
        "file_ds",
        ProblemType.CLASSIFICATION,
        FeatureStoreConf(enabled=False),
        LabelDataConf(source_type="file", source_path="labels.csv"),
    )
    assert dataset.problem_type is ProblemType.CLASSIFICATION and dataset.num_rows == 3
    assert dataset.label_data_conf.source_type == "file" and dataset.feature_store_conf.enabled is False
    columns = await datasets.list_features(name="file_ds")
    assert columns == [
        {"name": "user_id", "include": True, "type_code": "CATEGORY"},
        {"name": "city", "include": True, "type_code": "CATEGORY"},
        {"name": "age", "include": True, "type_code": "FLOAT64"},
        {"name": "label", "include": True, "type_code": "FLOAT64"},
    ]
    await datasets.update_column_specs(
        id=dataset.id, column_specs={"user_id": {"include": False}, "age": {"type_code": "CATEGORY"}}
    )
    specs = {c["name"]: c for c in await datasets.list_features(id=dataset.id)}
    assert specs["user_id"]["include"] is False and specs["age"]["type_code"] == "CATEGORY"

    from mls_async.server import create_app

    frame = create_app(server_config).state.mls.datasets.frame(dataset.id)  # what AutoML trains on
    assert list(frame.columns) == ["city", "age", "label"] and str(frame["age"].dtype) == "category"


async def test_dataset_from_a_table_joined_with_feature_groups(clients, client_kwargs, async_transport):
    from mls_async import AsyncMLSProfileAPIClient

    datasets, dynamodb = clients
    await dynamodb.create_table("labels", key="svc_mgmt_num")
    await dynamodb.upload_items("labels", [{"svc_mgmt_num": "a", "label": 1}, {"svc_mgmt_num": "b", "label": 0}])
    async with AsyncMLSProfileAPIClient(**client_kwargs, transport=async_transport) as profiles:
        await profiles.put_user_profiles("3", {"a": {"age": 30}, "b": {"age": 40}})
        await profiles.put_user_profiles("4", {"a": {"spend": 1.5}})
    while await dynamodb.is_table_loading("labels"):
        pass
    dataset = await datasets.create_dataset(
        "joined", "score", FeatureStoreConf(True, [3, 4], 1.5), LabelDataConf("table", "labels")
    )
    assert dataset.feature_store_conf.feature_group_id_list == [3, 4]
    assert dataset.feature_store_conf.n_label_ratio == 1.5
    assert [c["name"] for c in await datasets.list_features(name="joined")] == ["svc_mgmt_num", "label", "age", "spend"]


async def test_bad_dataset_requests_say_what_to_fix(clients):
    datasets, _ = clients
    with pytest.raises(ValueError, match="source_type='s3' is not valid"):
        LabelDataConf(source_type="s3", source_path="x")
    with pytest.raises(MLSBadRequestError, match="table 'nope' does not exist or is empty"):
        await datasets.create_dataset("d", "regression", FeatureStoreConf(False), LabelDataConf("table", "nope"))
    with pytest.raises(MLSBadRequestError, match="not a file under the server's imports folder"):
        await datasets.create_dataset(
            "d", "regression", FeatureStoreConf(False), LabelDataConf("file", "../../etc/passwd")
        )
    with pytest.raises(MLSValidationError, match="problem_type='ranking' is not valid"):
        await datasets.create_dataset("d", "ranking", FeatureStoreConf(False), LabelDataConf("file", "x.csv"))
    with pytest.raises(DatasetError, match="no dataset with name='ghost'"):
        await datasets.get_dataset(name="ghost")
    with pytest.raises(MLSValidationError, match="column_specs must be dict"):
        await datasets.update_column_specs(name="ghost", column_specs=["age"])  # type: ignore[arg-type]
