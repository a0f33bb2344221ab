"""Meta tables: named tables of named items, each item a dict of values."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mls_async._schemas import MetaTableRequest
from mls_async.server.errors import Conflicting, NotFound
from mls_async.server.storage import Conflict, SQLiteStorage

__all__ = ["MetaTableService"]

_TABLE, _ITEM = "meta_table", "meta_item"


def _item(doc: dict[str, Any]) -> dict[str, Any]:
    return {"id": doc["id"], "name": doc["name"], "values": doc["values"]}


def _with_values(values: dict[str, Any]) -> Callable[[dict[str, Any]], dict[str, Any]]:
    return lambda current: {**current, "values": values}


class MetaTableService:
    def __init__(self, storage: SQLiteStorage) -> None:
        self.storage = storage

    # -- tables -------------------------------------------------------------------------------
    def _items(self, table_id: int, filters: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        return [_item(doc) for doc in self.storage.query(_ITEM, subkind=str(table_id), filters=filters)]

    def _table(self, doc: dict[str, Any]) -> dict[str, Any]:
        return {**doc, "items": self._items(doc["id"])}

    def _existing_table(self, table_id: int) -> dict[str, Any]:
        doc = self.storage.get(_TABLE, table_id)
        if doc is None:
            raise NotFound(f"no meta table with id {table_id}")
        return doc

    def find(self, *, id: int | None, name: str | None) -> list[dict[str, Any]]:
        return [self._table(doc) for doc in self.storage.query(_TABLE, filters={"id": id, "name": name})]

    def create(self, body: MetaTableRequest, user: str) -> dict[str, Any]:
        fields = {**body.model_dump(by_alias=True), "user": user}
        try:
            doc = self.storage.insert(_TABLE, fields, subkind="", name=body.name, version="")
        except Conflict:
            raise Conflicting(f"a meta table named {body.name!r} exists") from None
        return {**doc, "items": []}

    def update(self, table_id: int, body: MetaTableRequest) -> dict[str, Any]:
        try:
            doc = self.storage.update(
                _TABLE, table_id, lambda current: {**current, **body.model_dump(by_alias=True)}, name=body.name
            )
        except Conflict:
            raise Conflicting(f"a meta table named {body.name!r} exists") from None
        if doc is None:
            raise NotFound(f"no meta table with id {table_id}")
        return self._table(doc)

    def delete(self, table_id: int) -> None:
        self._existing_table(table_id)
        for item in self.storage.query(_ITEM, subkind=str(table_id)):
            self.storage.delete(_ITEM, item["id"])
        self.storage.delete(_TABLE, table_id)

    # -- items --------------------------------------------------------------------------------
    def check_table(self, table_id: int) -> None:
        """Refuse (404) a table that does not exist: before a write's idempotency key is taken."""
        self._existing_table(table_id)

    def _existing_item(self, table_id: int, item_id: int) -> dict[str, Any]:
        doc = self.storage.get(_ITEM, item_id)
        if doc is None or doc.get("table_id") != table_id:
            raise NotFound(f"no meta item with id {item_id} in meta table {table_id}")
        return doc

    def _insert_item(self, table_id: int, name: str, values: dict[str, Any]) -> dict[str, Any]:
        return self.storage.insert(
            _ITEM, {"name": name, "values": values, "table_id": table_id}, subkind=str(table_id), name=name, version=""
        )

    def find_items(self, table_id: int, *, id: int | None, name: str | None) -> list[dict[str, Any]]:
        self._existing_table(table_id)
        return self._items(table_id, {"id": id, "name": name})

    def create_item(self, table_id: int, name: str, values: dict[str, Any]) -> dict[str, Any]:
        try:
            return _item(self._insert_item(table_id, name, values))
        except Conflict:
            raise Conflicting(f"meta table {table_id} has an item named {name!r}") from None

    def update_item(self, table_id: int, item_id: int, name: str, values: dict[str, Any]) -> dict[str, Any]:
        self._existing_item(table_id, item_id)
        try:
            doc = self.storage.update(
                _ITEM, item_id, lambda current: {**current, "name": name, "values": values}, name=name
            )
        except Conflict:
            raise Conflicting(f"meta table {table_id} has an item named {name!r}") from None
        if doc is None:
            raise NotFound(f"no meta item with id {item_id} in meta table {table_id}")
        return _item(doc)

    def delete_item(self, table_id: int, item_id: int) -> None:
        self._existing_item(table_id, item_id)
        self.storage.delete(_ITEM, item_id)

    def put_items(self, table_id: int, items: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
        """Add items; an item whose name exists gets the new values."""
        existing = {doc["name"]: doc["id"] for doc in self.storage.query(_ITEM, subkind=str(table_id))}
        written = []
        for name, values in items.items():
            if name in existing:
                doc = self.storage.update(_ITEM, existing[name], _with_values(values))
                if doc is not None:
                    written.append(_item(doc))
            else:
                written.append(_item(self._insert_item(table_id, name, values)))
        return written
