"""Meta tables and items against the local server (in-process)."""

from __future__ import annotations

import pandas as pd
import pytest
import pytest_asyncio

from mls_async import DoesNotExist, MLSConflictError, MLSValidationError
from mls_async.meta_tables import AsyncMetaTableClient, MetaItem, MetaTable

SCHEMA = {"product_grp_id": {"type": "string"}, "mfact_nm": {"type": "string"}}


@pytest_asyncio.fixture
async def client(client_kwargs, async_transport):
    async with AsyncMetaTableClient(**client_kwargs, transport=async_transport) as client:
        yield client


async def test_a_table_is_created_found_updated_and_deleted(client):
    created = await client.create_meta_table("devices", SCHEMA, description="device catalogue")
    assert isinstance(created, MetaTable) and created.items == [] and created.schema == SCHEMA
    assert await client.meta_table_exists(name="devices") and not await client.meta_table_exists(name="nope")
    found = await client.get_meta_table(name="devices")
    assert found.id == created.id and found.description == "device catalogue"

    updated = await client.update_meta_table(found, name="phones")
    assert updated is found and found.name == "phones" and found.schema == SCHEMA
    assert (await client.get_meta_table(id=created.id)).name == "phones"

    await client.delete_meta_table(found)
    with pytest.raises(DoesNotExist):
        await client.get_meta_table(id=created.id)


async def test_items_one_by_one_and_in_bulk(client):
    table = await client.create_meta_table("devices", SCHEMA)
    item = await client.create_meta_item(table, "A2FY", {"product_grp_id": "000004552", "mfact_nm": "삼성전자"})
    assert isinstance(item, MetaItem) and item.name == "A2FY"
    with pytest.raises(MLSConflictError):
        await client.create_meta_item(table, "A2FY", {"product_grp_id": "x", "mfact_nm": "y"})

    bulk = await client.create_meta_items(
        table,
        {
            "A1G6": {"product_grp_id": "000003972", "mfact_nm": "Apple"},
            "A2FY": {"product_grp_id": "000004552", "mfact_nm": "Samsung"},
        },
    )
    assert sorted(i.name for i in bulk) == ["A1G6", "A2FY"]
    fetched = await client.get_meta_table(id=table.id)
    assert fetched.item_values() == {
        "A2FY": {"product_grp_id": "000004552", "mfact_nm": "Samsung"},
        "A1G6": {"product_grp_id": "000003972", "mfact_nm": "Apple"},
    }

    apple = await client.get_meta_item(table, name="A1G6")
    await client.update_meta_item(table, apple, item_dict={"product_grp_id": "000003973", "mfact_nm": "Apple"})
    assert (await client.get_meta_item(table, id=apple.id)).values["product_grp_id"] == "000003973"
    await client.delete_meta_item(table, apple)
    assert [i.name for i in await client.list_meta_items(table)] == ["A2FY"]


async def test_a_dataframe_becomes_items_and_comes_back(client):
    table = await client.create_meta_table("devices", SCHEMA)
    frame = pd.DataFrame({"eqp_mdl_cd": ["A", "B"], "product_grp_id": ["1", "2"], "mfact_nm": ["Apple", "LG"]})
    await client.create_meta_items_by_dataframe(table, frame, "eqp_mdl_cd")
    assert list(frame.columns) == ["eqp_mdl_cd", "product_grp_id", "mfact_nm"]  # the caller's frame is untouched
    back = await client.get_meta_table_dataframe(name="devices")
    assert back.to_dict(orient="records") == [
        {"name": "A", "product_grp_id": "1", "mfact_nm": "Apple"},
        {"name": "B", "product_grp_id": "2", "mfact_nm": "LG"},
    ]


async def test_bad_calls_say_what_is_wrong(client):
    table = await client.create_meta_table("devices", SCHEMA)
    with pytest.raises(MLSValidationError, match="id=... or name="):
        await client.get_meta_table()
    with pytest.raises(MLSValidationError, match="at most 1000"):
        await client.create_meta_items(table, {str(i): {} for i in range(1001)})
    with pytest.raises(MLSValidationError, match="not a column"):
        await client.create_meta_items_by_dataframe(table, pd.DataFrame({"a": [1]}), "b")
    with pytest.raises(MLSConflictError):
        await client.create_meta_table("devices", SCHEMA)
