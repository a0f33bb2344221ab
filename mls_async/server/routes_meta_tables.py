"""Routes: meta tables and their items (``/api/v1/meta_tables``), as the original client calls them.

A table's name is unique, and so is an item's name within its table. A table is
answered with its items (``{"id", "name", "values"}``), which is how models read it.
"""

from __future__ import annotations

from fastapi import Depends, Request
from starlette.responses import Response

from mls_async._protocol import META_TABLES_PATH
from mls_async._schemas import MetaItemRequest, MetaItemsBulkRequest, MetaTableRequest
from mls_async.server.auth import require_user
from mls_async.server.errors import envelope
from mls_async.server.idempotency import idempotent
from mls_async.server.routers import PrefixedRouter
from mls_async.server.state import get_state

meta_tables = PrefixedRouter(prefix=META_TABLES_PATH, tags=["meta tables"])


@meta_tables.get("")
async def list_meta_tables(
    request: Request, id: int | None = None, name: str | None = None, user: str = Depends(require_user)
) -> Response:
    return envelope(get_state(request).meta_tables.find(id=id, name=name))


@meta_tables.post("")
def create_meta_table(request: Request, body: MetaTableRequest, user: str = Depends(require_user)) -> Response:
    service = get_state(request).meta_tables
    return idempotent(request, user, lambda: envelope(service.create(body, user)))


@meta_tables.put("/{table_id}")
def update_meta_table(
    request: Request, table_id: int, body: MetaTableRequest, user: str = Depends(require_user)
) -> Response:
    return envelope(get_state(request).meta_tables.update(table_id, body))


@meta_tables.delete("/{table_id}")
def delete_meta_table(request: Request, table_id: int, user: str = Depends(require_user)) -> Response:
    get_state(request).meta_tables.delete(table_id)
    return envelope({"id": table_id})


@meta_tables.get("/{table_id}/meta_items")
async def list_meta_items(
    request: Request, table_id: int, id: int | None = None, name: str | None = None, user: str = Depends(require_user)
) -> Response:
    return envelope(get_state(request).meta_tables.find_items(table_id, id=id, name=name))


@meta_tables.post("/{table_id}/meta_items")
def create_meta_item(
    request: Request, table_id: int, body: MetaItemRequest, user: str = Depends(require_user)
) -> Response:
    service = get_state(request).meta_tables
    service.check_table(table_id)
    return idempotent(request, user, lambda: envelope(service.create_item(table_id, body.name, body.values)))


@meta_tables.put("/{table_id}/meta_items/{item_id}")
def update_meta_item(
    request: Request, table_id: int, item_id: int, body: MetaItemRequest, user: str = Depends(require_user)
) -> Response:
    return envelope(get_state(request).meta_tables.update_item(table_id, item_id, body.name, body.values))


@meta_tables.delete("/{table_id}/meta_items/{item_id}")
def delete_meta_item(request: Request, table_id: int, item_id: int, user: str = Depends(require_user)) -> Response:
    get_state(request).meta_tables.delete_item(table_id, item_id)
    return envelope({"id": item_id})


@meta_tables.post("/{table_id}/bulk")
def create_meta_items(
    request: Request, table_id: int, body: MetaItemsBulkRequest, user: str = Depends(require_user)
) -> Response:
    """Add up to 1,000 items; an item whose name exists gets the new values."""
    service = get_state(request).meta_tables
    service.check_table(table_id)
    return idempotent(request, user, lambda: envelope(service.put_items(table_id, body.items)))


ROUTERS = (meta_tables,)  # what the app mounts from this module
