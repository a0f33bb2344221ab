# Generated from mls_async/_async/meta_table_client.py by scripts/unasync.py. Do not edit: edit the source and regenerate.
"""``MetaTableClient``: meta tables, the named lookup tables models read (device catalogues, ...).

The requests are the original SDK's (``/api/v1/meta_tables``): tables and items are
found by listing with ``id``/``name`` filters, items are written one by one or in
bulk (at most 1,000 per request).
"""

from __future__ import annotations

from typing import Any, cast

from mls_async._sync.base_client import MLSClient
from mls_async._entities import MetaItem, MetaTable
from mls_async._exceptions import DoesNotExist, MLSConflictError, MLSValidationError
from mls_async._protocol import META_TABLES_PATH
from mls_async._response import MLSResponse
from mls_async._validation import check_type

__all__ = ["MetaTableClient", "META_TABLES_PATH", "MAX_BULK_ITEMS"]

MAX_BULK_ITEMS = 1000


def _saved_table(meta_table: Any) -> MetaTable:
    check_type(meta_table, MetaTable, "meta_table", hint="Get one with get_meta_table(name=...).")
    if meta_table.id is None:
        raise MLSValidationError("meta_table has no id; fetch it with get_meta_table(...) first")
    return cast("MetaTable", meta_table)


def _saved_item(meta_item: Any) -> MetaItem:
    check_type(meta_item, MetaItem, "meta_item", hint="Get one with get_meta_item(meta_table, name=...).")
    if meta_item.id is None:
        raise MLSValidationError("meta_item has no id; fetch it with get_meta_item(...) first")
    return cast("MetaItem", meta_item)


def _need_id_or_name(id: int | None, name: str | None, what: str) -> None:
    if not id and not name:
        raise MLSValidationError(f"{what} needs id=... or name=...")


class MetaTableClient(MLSClient):
    """Create, find, update and delete meta tables and their items."""

    # -- tables -----------------------------------------------------------------------
    def create_meta_table(
        self, name: str, schema: dict[str, dict[str, Any]], description: str | None = None
    ) -> MetaTable:
        """Create a table; ``schema`` maps each value name to its spec (``{"type": "string"}``, ...)."""
        check_type(name, str, "name")
        check_type(schema, dict, "schema")
        data: dict[str, Any] = {"name": name, "schema": schema}
        if description:
            data["description"] = description
        return MetaTable(**(self._request("POST", META_TABLES_PATH, json=data, idempotent=True)).results)

    def update_meta_table(
        self,
        meta_table: MetaTable,
        name: str | None = None,
        schema: dict[str, dict[str, Any]] | None = None,
        description: str | None = None,
    ) -> MetaTable:
        """Rename it or change its schema or description; updates ``meta_table`` in place and returns it."""
        meta_table = _saved_table(meta_table)
        data: dict[str, Any] = {"name": meta_table.name, "schema": meta_table.schema}
        if meta_table.description is not None:
            data["description"] = meta_table.description
        if name:
            data["name"] = name
        if schema:
            data["schema"] = schema
        if description is not None:
            data["description"] = description
        updated = (self._request("PUT", f"{META_TABLES_PATH}/{meta_table.id}", json=data)).results
        return meta_table.reset(**updated)

    def list_meta_tables(
        self, *, id: int | None = None, name: str | None = None, query: str | None = None, page: int | None = None
    ) -> list[MetaTable]:
        """Tables matching every filter given, each with its items."""
        return self._list(META_TABLES_PATH, MetaTable, {"id": id, "name": name, "query": query, "page": page})

    def get_meta_table(self, id: int | None = None, name: str | None = None) -> MetaTable:
        """The one table with this id or name; ``DoesNotExist`` if none, 409 if several."""
        _need_id_or_name(id, name, "get_meta_table")
        tables = self.list_meta_tables(id=id, name=name)
        if not tables:
            raise DoesNotExist(f"no meta table with id={id!r}, name={name!r}")
        if len(tables) > 1:
            raise MLSConflictError(409, f"{len(tables)} meta tables match id={id!r}, name={name!r}")
        return tables[0]

    def get_meta_table_dataframe(self, id: int | None = None, name: str | None = None) -> Any:
        """The table's items as a DataFrame: a ``name`` column, then one column per value; None if empty."""
        import pandas as pd

        items = (self.get_meta_table(id=id, name=name)).items
        if not items:
            return None
        frame = pd.DataFrame.from_records(items)
        return pd.concat([frame["name"], pd.DataFrame.from_records(list(frame["values"]))], axis=1)

    def meta_table_exists(self, id: int | None = None, name: str | None = None) -> bool:
        _need_id_or_name(id, name, "meta_table_exists")
        return bool(self.list_meta_tables(id=id, name=name))

    def delete_meta_table(self, meta_table: MetaTable) -> MLSResponse:
        """Delete a table and its items."""
        return self._request("DELETE", f"{META_TABLES_PATH}/{_saved_table(meta_table).id}")

    # -- items ------------------------------------------------------------------------
    def _items_path(self, meta_table: MetaTable) -> str:
        return f"{META_TABLES_PATH}/{_saved_table(meta_table).id}/meta_items"

    def create_meta_item(self, meta_table: MetaTable, item_name: str, item_dict: dict[str, Any]) -> MetaItem:
        """Add the item ``item_name`` with ``item_dict`` as its values."""
        check_type(item_name, str, "item_name")
        check_type(item_dict, dict, "item_dict")
        data = {"name": item_name, "values": item_dict}
        return MetaItem(
            **(self._request("POST", self._items_path(meta_table), json=data, idempotent=True)).results
        )

    def update_meta_item(
        self,
        meta_table: MetaTable,
        meta_item: MetaItem,
        item_name: str | None = None,
        item_dict: dict[str, Any] | None = None,
    ) -> MetaItem:
        """Rename an item or replace its values; updates ``meta_item`` in place and returns it."""
        meta_item = _saved_item(meta_item)
        data: dict[str, Any] = {"id": meta_item.id, "name": meta_item.name, "values": meta_item.values}
        if item_name:
            data["name"] = item_name
        if item_dict:
            data["values"] = item_dict
        updated = (self._request("PUT", f"{self._items_path(meta_table)}/{meta_item.id}", json=data)).results
        return meta_item.reset(**updated)

    def list_meta_items(
        self,
        meta_table: MetaTable,
        *,
        id: int | None = None,
        name: str | None = None,
        query: str | None = None,
        page: int | None = None,
    ) -> list[MetaItem]:
        """Items of a table matching every filter given."""
        return self._list(
            self._items_path(meta_table), MetaItem, {"id": id, "name": name, "query": query, "page": page}
        )

    def get_meta_item(self, meta_table: MetaTable, id: int | None = None, name: str | None = None) -> MetaItem:
        """The one item with this id or name; ``DoesNotExist`` if none, 409 if several."""
        _need_id_or_name(id, name, "get_meta_item")
        items = self.list_meta_items(meta_table, id=id, name=name)
        if not items:
            raise DoesNotExist(f"no meta item with id={id!r}, name={name!r} in meta table {meta_table.name!r}")
        if len(items) > 1:
            raise MLSConflictError(409, f"{len(items)} meta items match id={id!r}, name={name!r}")
        return items[0]

    def delete_meta_item(self, meta_table: MetaTable, meta_item: MetaItem) -> MLSResponse:
        return self._request("DELETE", f"{self._items_path(meta_table)}/{_saved_item(meta_item).id}")

    def create_meta_items(self, meta_table: MetaTable, items_dict: dict[str, dict[str, Any]]) -> list[MetaItem]:
        """Add or replace up to 1,000 items at once: ``{item name: values}``."""
        check_type(items_dict, dict, "items_dict")
        if len(items_dict) > MAX_BULK_ITEMS:
            raise MLSValidationError(
                f"create_meta_items takes at most {MAX_BULK_ITEMS} items per call, got {len(items_dict)}; split them"
            )
        path = f"{META_TABLES_PATH}/{_saved_table(meta_table).id}/bulk"
        results = (self._request("POST", path, json={"items": items_dict}, idempotent=True)).results
        return [MetaItem(**item) for item in results or []]

    def create_meta_items_by_dataframe(
        self, meta_table: MetaTable, meta_items: Any, item_name: str
    ) -> list[MetaItem]:
        """:meth:`create_meta_items` from a DataFrame whose ``item_name`` column names each item.

        Unlike the original, the frame passed in is left as it was.
        """
        import pandas as pd

        check_type(meta_items, pd.DataFrame, "meta_items")
        if item_name not in meta_items.columns:
            raise MLSValidationError(f"item_name={item_name!r} is not a column of meta_items")
        return self.create_meta_items(meta_table, meta_items.set_index(item_name).to_dict(orient="index"))
