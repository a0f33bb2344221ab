"""Routes: meta tables and their items (``/api/v1/meta_tables``), as the original client calls them.

A table's name is unique, and so is an item's name within its table. A table is
answered with its items (``{"id", "name", "values"}``), which is how models read it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import Depends, Request
from starlette.responses import Response

from mls_async._protocol import META_TABLES_PATH
from mls_async._schemas import MetaItemRequest, MetaItemsBulkRequest, MetaTableRequest
from mls_async.server.errors import Conflicting, NotFound, envelope
from mls_async.server.routers import PrefixedRouter
from mls_async.server.state import get_state, idempotent, require_user
from mls_async.server.storage import Conflict, SQLiteStorage

meta_tables = PrefixedRouter(prefix=META_TABLES_PATH, tags=["meta tables"])

_TABLE, _ITEM = "meta_table", "meta_item"


def _item(doc: dict[str, Any]) -> dict[str, Any]:
    return {"id": doc["id"], "name": doc["name"], "values": doc["values"]}


def _items(storage: SQLiteStorage, table_id: int, filters: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    return [_item(doc) for doc in storage.query(_ITEM, subkind=str(table_id), filters=filters)]


def _table(storage: SQLiteStorage, doc: dict[str, Any]) -> dict[str, Any]:
    return {**doc, "items": _items(storage, doc["id"])}


def _existing_table(storage: SQLiteStorage, table_id: int) -> dict[str, Any]:
    doc = storage.get(_TABLE, table_id)
    if doc is None:
        raise NotFound(f"no meta table with id {table_id}")
    return doc


def _existing_item(storage: SQLiteStorage, table_id: int, item_id: int) -> dict[str, Any]:
    doc = storage.get(_ITEM, item_id)
    if doc is None or doc.get("table_id") != table_id:
        raise NotFound(f"no meta item with id {item_id} in meta table {table_id}")
    return doc


@meta_tables.get("")
async def list_meta_tables(request: Request, id: int | None = None, name: str | None = None,
                           user: str = Depends(require_user)) -> Response:
    storage = get_state(request).storage
    return envelope([_table(storage, doc) for doc in storage.query(_TABLE, filters={"id": id, "name": name})])


@meta_tables.post("")
def create_meta_table(request: Request, body: MetaTableRequest, user: str = Depends(require_user)) -> Response:
    storage = get_state(request).storage

    def produce() -> Response:
        fields = {**body.model_dump(by_alias=True), "user": user}
        try:
            doc = storage.insert(_TABLE, fields, subkind="", name=body.name, version="")
        except Conflict:
            raise Conflicting(f"a meta table named {body.name!r} exists") from None
        return envelope({**doc, "items": []})

    return idempotent(request, user, produce)


@meta_tables.put("/{table_id}")
def update_meta_table(request: Request, table_id: int, body: MetaTableRequest,
                      user: str = Depends(require_user)) -> Response:
    storage = get_state(request).storage
    try:
        doc = storage.update(_TABLE, table_id, lambda current: {**current, **body.model_dump(by_alias=True)},
                             name=body.name)
    except Conflict:
        raise Conflicting(f"a meta table named {body.name!r} exists") from None
    if doc is None:
        raise NotFound(f"no meta table with id {table_id}")
    return envelope(_table(storage, doc))


@meta_tables.delete("/{table_id}")
def delete_meta_table(request: Request, table_id: int, user: str = Depends(require_user)) -> Response:
    storage = get_state(request).storage
    _existing_table(storage, table_id)
    for item in storage.query(_ITEM, subkind=str(table_id)):
        storage.delete(_ITEM, item["id"])
    storage.delete(_TABLE, table_id)
    return envelope({"id": table_id})


@meta_tables.get("/{table_id}/meta_items")
async def list_meta_items(request: Request, table_id: int, id: int | None = None, name: str | None = None,
                          user: str = Depends(require_user)) -> Response:
    storage = get_state(request).storage
    _existing_table(storage, table_id)
    return envelope(_items(storage, table_id, {"id": id, "name": name}))


def _insert_item(storage: SQLiteStorage, table_id: int, name: str, values: dict[str, Any]) -> dict[str, Any]:
    return storage.insert(_ITEM, {"name": name, "values": values, "table_id": table_id}, subkind=str(table_id),
                          name=name, version="")


@meta_tables.post("/{table_id}/meta_items")
def create_meta_item(request: Request, table_id: int, body: MetaItemRequest,
                     user: str = Depends(require_user)) -> Response:
    storage = get_state(request).storage
    _existing_table(storage, table_id)

    def produce() -> Response:
        try:
            return envelope(_item(_insert_item(storage, table_id, body.name, body.values)))
        except Conflict:
            raise Conflicting(f"meta table {table_id} has an item named {body.name!r}") from None

    return idempotent(request, user, produce)


@meta_tables.put("/{table_id}/meta_items/{item_id}")
def update_meta_item(request: Request, table_id: int, item_id: int, body: MetaItemRequest,
                     user: str = Depends(require_user)) -> Response:
    storage = get_state(request).storage
    _existing_item(storage, table_id, item_id)
    try:
        doc = storage.update(_ITEM, item_id, lambda current: {**current, "name": body.name, "values": body.values},
                             name=body.name)
    except Conflict:
        raise Conflicting(f"meta table {table_id} has an item named {body.name!r}") from None
    if doc is None:
        raise NotFound(f"no meta item with id {item_id} in meta table {table_id}")
    return envelope(_item(doc))


@meta_tables.delete("/{table_id}/meta_items/{item_id}")
def delete_meta_item(request: Request, table_id: int, item_id: int, user: str = Depends(require_user)) -> Response:
    storage = get_state(request).storage
    _existing_item(storage, table_id, item_id)
    storage.delete(_ITEM, item_id)
    return envelope({"id": item_id})


def _with_values(values: dict[str, Any]) -> Callable[[dict[str, Any]], dict[str, Any]]:
    return lambda current: {**current, "values": values}


@meta_tables.post("/{table_id}/bulk")
def create_meta_items(request: Request, table_id: int, body: MetaItemsBulkRequest,
                      user: str = Depends(require_user)) -> Response:
    """Add up to 1,000 items; an item whose name exists gets the new values."""
    storage = get_state(request).storage
    _existing_table(storage, table_id)

    def produce() -> Response:
        existing = {doc["name"]: doc["id"] for doc in storage.query(_ITEM, subkind=str(table_id))}
        written = []
        for name, values in body.items.items():
            if name in existing:
                doc = storage.update(_ITEM, existing[name], _with_values(values))
                if doc is not None:
                    written.append(_item(doc))
            else:
                written.append(_item(_insert_item(storage, table_id, name, values)))
        return envelope(written)

    return idempotent(request, user, produce)


ROUTERS = (meta_tables,)  # what the app mounts from this module
