"""Routes: components, datasets and batch prediction tables."""

from __future__ import annotations

from typing import Any

from fastapi import Depends, HTTPException, Request
from starlette.responses import Response

from mls_async._protocol import COMPONENTS_PATH, DATASETS_PATH, DYNAMODB_PATH
from mls_async._schemas import (
    ColumnSpecsRequest,
    ComponentRequest,
    CreateDatasetRequest,
    CreateTableRequest,
    DynamoDBRequest,
    UploadDatasetRequest,
)
from mls_async.server.auth import require_user
from mls_async.server.errors import envelope
from mls_async.server.idempotency import idempotent, idempotent_async
from mls_async.server.names import check_name
from mls_async.server.paging import Page, paging
from mls_async.server.routers import PrefixedRouter
from mls_async.server.state import get_state

# -- components ---------------------------------------------------------------------------
components = PrefixedRouter(prefix=COMPONENTS_PATH, tags=["components"])


@components.get("")
async def list_components(
    request: Request,
    id: int | None = None,
    name: str | None = None,
    info: str | None = None,
    is_latest: bool | None = None,
    query: str | None = None,
    window: Page = Depends(paging),
    user: str = Depends(require_user),
) -> Response:
    return envelope(
        get_state(request).components.find(id=id, name=name, info=info, is_latest=is_latest, query=query, window=window)
    )


@components.post("")
def create_component(request: Request, body: ComponentRequest, user: str = Depends(require_user)) -> Response:
    service = get_state(request).components
    return idempotent(request, user, lambda: envelope(service.create(body, user)))


@components.get("/{component_id}")
async def get_component(request: Request, component_id: int, user: str = Depends(require_user)) -> Response:
    return envelope(get_state(request).components.get(component_id))


@components.put("/{component_id}")
def update_component(
    request: Request, component_id: int, body: ComponentRequest, user: str = Depends(require_user)
) -> Response:
    return envelope(get_state(request).components.update(component_id, body))


@components.delete("/{component_id}")
def delete_component(request: Request, component_id: int, user: str = Depends(require_user)) -> Response:
    get_state(request).components.delete(component_id)
    return envelope({"id": component_id})


# -- datasets -----------------------------------------------------------------------------
datasets = PrefixedRouter(prefix=DATASETS_PATH, tags=["datasets"])


@datasets.get("")
async def list_datasets(
    request: Request,
    id: int | None = None,
    name: str | None = None,
    query: str | None = None,
    window: Page = Depends(paging),
    user: str = Depends(require_user),
) -> Response:
    return envelope(get_state(request).datasets.list(id=id, name=name, query=query, window=window))


@datasets.post("")
def create_dataset(request: Request, body: CreateDatasetRequest, user: str = Depends(require_user)) -> Response:
    """The original's create: label data (a batch table or an imported file) joined with feature groups."""
    state = get_state(request)
    return idempotent(request, user, lambda: envelope(state.datasets.create(body, user)))


@datasets.post("/upload")
async def upload_dataset(
    request: Request, query: UploadDatasetRequest = Depends(), user: str = Depends(require_user)
) -> Response:
    """Upload a CSV or Parquet file as the request body; name, type, label and format in the query."""
    state = get_state(request)

    async def produce() -> Response:
        return envelope({"id": (await state.datasets.upload(query, request.stream(), user))["id"]})

    return await idempotent_async(request, user, produce)


@datasets.api_route("/upload", methods=["GET", "DELETE"], include_in_schema=False)
async def upload_other_methods() -> Response:
    """``/upload`` is a route of its own, POST only: other methods are a 405, not a dataset id to look up."""
    raise HTTPException(405)


@datasets.get("/{dataset_id}")
async def get_dataset(request: Request, dataset_id: int, user: str = Depends(require_user)) -> Response:
    return envelope(get_state(request).datasets.get(dataset_id))


@datasets.get("/{dataset_id}/columns")
def dataset_columns(request: Request, dataset_id: int, user: str = Depends(require_user)) -> Response:
    return envelope({"columns": get_state(request).datasets.columns(dataset_id)})


@datasets.put("/{dataset_id}/columnspecs")
def update_column_specs(
    request: Request, dataset_id: int, body: ColumnSpecsRequest, user: str = Depends(require_user)
) -> Response:
    """Edit column specs: ``{"edit_columns": {column: {"include": bool, "type_code": str}}}``."""
    return envelope(get_state(request).datasets.update_column_specs(dataset_id, body))


@datasets.delete("/{dataset_id}")
def delete_dataset(request: Request, dataset_id: int, user: str = Depends(require_user)) -> Response:
    get_state(request).datasets.delete(dataset_id)
    return envelope({"id": dataset_id})


# -- batch prediction tables --------------------------------------------------------------
tables = PrefixedRouter(prefix=DYNAMODB_PATH, tags=["tables"])


@tables.post("/tables")
def create_table(request: Request, body: CreateTableRequest, user: str = Depends(require_user)) -> Response:
    return envelope(get_state(request).tables.create(body.table_name, body.key))


@tables.get("/tables/{table_name}")
def get_table(request: Request, table_name: str, user: str = Depends(require_user)) -> Response:
    return envelope(get_state(request).tables.describe(check_name(table_name, "table name")))


@tables.put("/tables/{table_name}/items")
def load_table(
    request: Request, table_name: str, items: list[dict[str, Any]], user: str = Depends(require_user)
) -> Response:
    """Upload rows; the table reports is_loading until they are all written."""
    return envelope(get_state(request).tables.load(check_name(table_name, "table name"), items))


@tables.delete("/tables/{table_name}")
def delete_table(request: Request, table_name: str, user: str = Depends(require_user)) -> Response:
    get_state(request).tables.delete(check_name(table_name, "table name"))
    return envelope({"table_name": table_name})


@tables.put("/tables/{table_name}/hold")
def hold_table(request: Request, table_name: str, user: str = Depends(require_user)) -> Response:
    """Keep the table loading across several loads until the hold is released (batch jobs)."""
    return envelope(get_state(request).tables.hold(check_name(table_name, "table name")))


@tables.delete("/tables/{table_name}/hold")
def release_table(request: Request, table_name: str, user: str = Depends(require_user)) -> Response:
    return envelope(get_state(request).tables.release(check_name(table_name, "table name")))


@tables.get("/tables/{table_name}/is_active")
def table_is_active(request: Request, table_name: str, user: str = Depends(require_user)) -> Response:
    return envelope({"is_active": get_state(request).tables.is_active(table_name)})


@tables.get("/tables/{table_name}/is_loading")
def table_is_loading(request: Request, table_name: str, user: str = Depends(require_user)) -> Response:
    return envelope({"is_loading": get_state(request).tables.is_loading(table_name)})


@tables.post("")
def table_item(request: Request, body: DynamoDBRequest, user: str = Depends(require_user)) -> Response:
    return envelope(get_state(request).tables.item_request(body.type, body.table_name, body.body))


ROUTERS = (
    components,
    datasets,
    tables,
)  # what the app mounts from this module
