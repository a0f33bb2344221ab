"""Routes: the graph API (``/v1/vertices``, ``/v1/edges``) that logic models query with ``graph``.

Like the platform's graph API, it takes requests without credentials (the original
client sends none); credentials that are sent must be valid. ``mode`` is accepted and
ignored. Listings filter on ``id``, ``label`` (and ``from``/``to`` for edges) or on
any property; a repeated parameter matches any of its values.
"""

from __future__ import annotations

from typing import Any

from fastapi import Depends, Request
from fastapi.security import HTTPBasicCredentials
from starlette.responses import Response

from mls_async._protocol import GRAPH_PATH
from mls_async._schemas import EdgeRequest, PropertiesRequest, VertexRequest
from mls_async.server.errors import Conflicting, InvalidRequest, NotFound, envelope
from mls_async.server.routers import PrefixedRouter
from mls_async.server.state import basic_credentials, get_state, require_user
from mls_async.server.storage import Conflict, SQLiteStorage

graph = PrefixedRouter(prefix=GRAPH_PATH, tags=["graph"])

_VERTEX, _EDGE = "vertex", "edge"
_CONTROL = ("mode", "limit")  # query parameters that are not filters


async def graph_caller(request: Request,
                       credentials: HTTPBasicCredentials | None = Depends(basic_credentials)) -> str | None:
    """No credentials, as the original sends; any that are sent are checked."""
    if credentials is None and "authorization" not in request.headers:
        return None
    return await require_user(request, credentials)


def _entity(doc: dict[str, Any]) -> dict[str, Any]:
    return {"id": doc["id_"], "label": doc["label"], "properties": doc["properties"]}


def _matches(entity: dict[str, Any], filters: dict[str, list[str]]) -> bool:
    for key, wanted in filters.items():
        value = entity.get(key) if key in ("id", "label", "from", "to") else entity["properties"].get(key)
        if value is None or str(value) not in wanted:
            return False
    return True


def _find(storage: SQLiteStorage, kind: str, request: Request) -> list[dict[str, Any]]:
    filters: dict[str, list[str]] = {}
    for key, value in request.query_params.multi_items():
        if key not in _CONTROL:
            filters.setdefault(key, []).append(value)
    return [doc for doc in storage.query(kind, subkind="") if _matches({**doc, "id": doc["id_"]}, filters)]


def _limit(request: Request) -> int | None:
    raw = request.query_params.get("limit")
    if raw is None:
        return None
    if not raw.isdigit():
        raise InvalidRequest(f"limit must be a non-negative integer, got {raw!r}")
    return int(raw)


def _one(storage: SQLiteStorage, kind: str, entity_id: str) -> dict[str, Any]:
    found = storage.query(kind, subkind="", filters={"name": entity_id})
    if not found:
        raise NotFound(f"no {kind} {entity_id!r}")
    return found[0]


def _listing(storage: SQLiteStorage, kind: str, request: Request) -> list[dict[str, Any]]:
    docs = _find(storage, kind, request)
    limit = _limit(request)
    return [_entity(doc) for doc in (docs if limit is None else docs[:limit])]


def _merge_properties(storage: SQLiteStorage, kind: str, entity_id: str, properties: dict[str, Any]) -> dict[str, Any]:
    doc = _one(storage, kind, entity_id)
    updated = storage.update(kind, doc["id"], lambda current: {
        **current, "properties": {**current["properties"], **properties}})
    if updated is None:
        raise NotFound(f"no {kind} {entity_id!r}")
    return _entity(updated)


def _drop(storage: SQLiteStorage, kind: str, docs: list[dict[str, Any]]) -> int:
    dropped = 0
    for doc in docs:
        if kind == _VERTEX:  # a vertex takes its edges with it
            for edge in storage.query(_EDGE, subkind=""):
                if doc["id_"] in (edge["from"], edge["to"]):
                    storage.delete(_EDGE, edge["id"])
        dropped += storage.delete(kind, doc["id"])
    return dropped


# -- vertices -----------------------------------------------------------------------------
@graph.get("/vertices")
async def list_vertices(request: Request, caller: str | None = Depends(graph_caller)) -> Response:
    return envelope({"vertices": _listing(get_state(request).storage, _VERTEX, request)})


@graph.post("/vertices")
def add_vertex(request: Request, body: VertexRequest, caller: str | None = Depends(graph_caller)) -> Response:
    fields = {"id_": body.id, "label": body.label, "properties": body.properties}
    try:
        doc = get_state(request).storage.insert(_VERTEX, fields, subkind="", name=body.id, version="")
    except Conflict:
        raise Conflicting(f"vertex {body.id!r} exists") from None
    return envelope({"vertices": [_entity(doc)]})


@graph.delete("/vertices")
def drop_vertices(request: Request, caller: str | None = Depends(graph_caller)) -> Response:
    storage = get_state(request).storage
    return envelope({"dropped": _drop(storage, _VERTEX, _find(storage, _VERTEX, request))})


@graph.get("/vertices/{vertex_id}")
async def get_vertex(request: Request, vertex_id: str, caller: str | None = Depends(graph_caller)) -> Response:
    return envelope({"vertices": [_entity(_one(get_state(request).storage, _VERTEX, vertex_id))]})


@graph.patch("/vertices/{vertex_id}")
def update_vertex(request: Request, vertex_id: str, body: PropertiesRequest,
                  caller: str | None = Depends(graph_caller)) -> Response:
    return envelope({"vertices": [_merge_properties(get_state(request).storage, _VERTEX, vertex_id,
                                                    body.properties)]})


@graph.delete("/vertices/{vertex_id}")
def drop_vertex(request: Request, vertex_id: str, caller: str | None = Depends(graph_caller)) -> Response:
    storage = get_state(request).storage
    return envelope({"dropped": _drop(storage, _VERTEX, [_one(storage, _VERTEX, vertex_id)])})


# -- edges --------------------------------------------------------------------------------
@graph.get("/edges")
async def list_edges(request: Request, caller: str | None = Depends(graph_caller)) -> Response:
    return envelope({"edges": _listing(get_state(request).storage, _EDGE, request)})


@graph.post("/edges")
def add_edge(request: Request, body: EdgeRequest, caller: str | None = Depends(graph_caller)) -> Response:
    storage = get_state(request).storage
    for end in (body.frm, body.to):
        _one(storage, _VERTEX, end)
    edge_id = f"{body.frm}_{body.label}_{body.to}"
    fields = {"id_": edge_id, "label": body.label, "from": body.frm, "to": body.to, "properties": body.properties}
    try:
        doc = storage.insert(_EDGE, fields, subkind="", name=edge_id, version="")
    except Conflict:
        raise Conflicting(f"edge {edge_id!r} exists") from None
    return envelope({"edges": [_entity(doc)]})


@graph.delete("/edges")
def drop_edges(request: Request, caller: str | None = Depends(graph_caller)) -> Response:
    storage = get_state(request).storage
    return envelope({"dropped": _drop(storage, _EDGE, _find(storage, _EDGE, request))})


@graph.get("/edges/{edge_id}")
async def get_edge(request: Request, edge_id: str, caller: str | None = Depends(graph_caller)) -> Response:
    return envelope({"edges": [_entity(_one(get_state(request).storage, _EDGE, edge_id))]})


@graph.patch("/edges/{edge_id}")
def update_edge(request: Request, edge_id: str, body: PropertiesRequest,
                caller: str | None = Depends(graph_caller)) -> Response:
    return envelope({"edges": [_merge_properties(get_state(request).storage, _EDGE, edge_id, body.properties)]})


@graph.delete("/edges/{edge_id}")
def drop_edge(request: Request, edge_id: str, caller: str | None = Depends(graph_caller)) -> Response:
    storage = get_state(request).storage
    return envelope({"dropped": _drop(storage, _EDGE, [_one(storage, _EDGE, edge_id)])})


ROUTERS = (graph,)  # what the app mounts from this module
