"""``AsyncDynamoDBClient``: batch prediction tables and their items."""

from __future__ import annotations

from typing import Any, cast

from mls_async._async.base_client import AsyncMLSClient
from mls_async._async.model_client import TABLES_PATH
from mls_async._protocol import DYNAMODB_PATH
from mls_async._response import MLSResponse
from mls_async._schemas import CreateTableRequest, DynamoDBRequest
from mls_async._validation import build_body, check_type

__all__ = ["AsyncDynamoDBClient", "DYNAMODB_PATH"]


class AsyncDynamoDBClient(AsyncMLSClient):
    """Items of batch tables (``get_item``, ``put_item``, ...) and the tables themselves."""

    async def _item(self, kind: str, table_name: str, body: dict[str, Any]) -> MLSResponse:
        check_type(table_name, str, "table_name")
        check_type(body, dict, "key" if kind in ("get", "delete") else "item")
        request = build_body(DynamoDBRequest, type=kind, table_name=table_name, body=body)
        return await self._request("POST", DYNAMODB_PATH, json=request.model_dump())

    async def get_item(self, table_name: str, key: dict[str, Any]) -> dict[str, Any]:
        """``{"item": {...}}`` for ``key``; a missing item raises ``MLSNotFoundError``."""
        return cast("dict[str, Any]", (await self._item("get", table_name, key)).results)

    async def put_item(self, table_name: str, item: dict[str, Any]) -> dict[str, Any]:
        """Write ``item`` whole."""
        return cast("dict[str, Any]", (await self._item("put", table_name, item)).results)

    async def update_item(self, table_name: str, item: dict[str, Any]) -> dict[str, Any]:
        """Merge ``item`` into the stored one."""
        return cast("dict[str, Any]", (await self._item("update", table_name, item)).results)

    async def delete_item(self, table_name: str, key: dict[str, Any]) -> MLSResponse:
        return await self._item("delete", table_name, key)

    async def create_table(self, table_name: str, key: str = "id") -> dict[str, Any]:
        """Create an empty, active table whose items are keyed by the ``key`` field."""
        body = build_body(CreateTableRequest, table_name=table_name, key=key)
        return cast("dict[str, Any]", (await self._request("POST", TABLES_PATH, json=body.model_dump())).results)

    async def upload_items(self, table_name: str, items: list[dict[str, Any]]) -> dict[str, Any]:
        """Start loading ``items``; the table reports ``is_loading`` until they are written."""
        check_type(items, list, "items")
        return cast(
            "dict[str, Any]", (await self._request("PUT", f"{TABLES_PATH}/{table_name}/items", json=items)).results
        )

    async def hold_table(self, table_name: str) -> dict[str, Any]:
        """Keep the table loading across several :meth:`upload_items` until :meth:`release_table` (the local server)."""
        return cast("dict[str, Any]", (await self._request("PUT", f"{TABLES_PATH}/{table_name}/hold")).results)

    async def release_table(self, table_name: str) -> dict[str, Any]:
        """End a hold: the table turns active once its loads are written."""
        return cast("dict[str, Any]", (await self._request("DELETE", f"{TABLES_PATH}/{table_name}/hold")).results)

    async def is_table_active(self, table_name: str) -> bool:
        return cast("bool", (await self._request("GET", f"{TABLES_PATH}/{table_name}/is_active")).results["is_active"])

    async def is_table_loading(self, table_name: str) -> bool:
        return cast(
            "bool", (await self._request("GET", f"{TABLES_PATH}/{table_name}/is_loading")).results["is_loading"]
        )

    async def delete_table(self, table_name: str) -> MLSResponse:
        return await self._request("DELETE", f"{TABLES_PATH}/{table_name}")
