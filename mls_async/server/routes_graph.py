"""Routes: the graph API (``/v1/vertices``, ``/v1/edges``) that logic models query with ``graph``.

Like the platform's graph API, it takes requests without credentials (the original
client sends none); credentials that are sent must be valid. ``mode`` is accepted and
ignored. Listings filter on ``id``, ``label`` (and ``from``/``to`` for edges) or on
any property; a repeated parameter matches any of its values.
"""

from __future__ import annotations

from fastapi import Depends, Request
from fastapi.security import HTTPBasicCredentials
from starlette.responses import Response

from mls_async._protocol import GRAPH_PATH
from mls_async._schemas import EdgeRequest, PropertiesRequest, VertexRequest
from mls_async.server.auth import authenticates, basic_credentials, require_user
from mls_async.server.errors import InvalidRequest, envelope
from mls_async.server.graph import EDGE, VERTEX
from mls_async.server.routers import PrefixedRouter
from mls_async.server.state import get_state

graph = PrefixedRouter(prefix=GRAPH_PATH, tags=["graph"])

_CONTROL = ("mode", "limit")  # query parameters that are not filters


@authenticates
async def graph_caller(
    request: Request, credentials: HTTPBasicCredentials | None = Depends(basic_credentials)
) -> str | None:
    """No credentials, as the original sends; any that are sent are checked."""
    if credentials is None and "authorization" not in request.headers:
        return None
    return await require_user(request, credentials)


def _filters(request: Request) -> dict[str, list[str]]:
    filters: dict[str, list[str]] = {}
    for key, value in request.query_params.multi_items():
        if key not in _CONTROL:
            filters.setdefault(key, []).append(value)
    return filters


def _limit(request: Request) -> int | None:
    raw = request.query_params.get("limit")
    if raw is None:
        return None
    if not raw.isdigit():
        raise InvalidRequest(f"limit must be a non-negative integer, got {raw!r}")
    return int(raw)


# -- vertices -----------------------------------------------------------------------------
@graph.get("/vertices")
async def list_vertices(request: Request, caller: str | None = Depends(graph_caller)) -> Response:
    return envelope({"vertices": get_state(request).graph.find(VERTEX, _filters(request), _limit(request))})


@graph.post("/vertices")
def add_vertex(request: Request, body: VertexRequest, caller: str | None = Depends(graph_caller)) -> Response:
    return envelope({"vertices": [get_state(request).graph.add_vertex(body.id, body.label, body.properties)]})


@graph.delete("/vertices")
def drop_vertices(request: Request, caller: str | None = Depends(graph_caller)) -> Response:
    return envelope({"dropped": get_state(request).graph.drop_matching(VERTEX, _filters(request))})


@graph.get("/vertices/{vertex_id}")
async def get_vertex(request: Request, vertex_id: str, caller: str | None = Depends(graph_caller)) -> Response:
    return envelope({"vertices": [get_state(request).graph.get(VERTEX, vertex_id)]})


@graph.patch("/vertices/{vertex_id}")
def update_vertex(
    request: Request, vertex_id: str, body: PropertiesRequest, caller: str | None = Depends(graph_caller)
) -> Response:
    return envelope({"vertices": [get_state(request).graph.merge_properties(VERTEX, vertex_id, body.properties)]})


@graph.delete("/vertices/{vertex_id}")
def drop_vertex(request: Request, vertex_id: str, caller: str | None = Depends(graph_caller)) -> Response:
    return envelope({"dropped": get_state(request).graph.drop(VERTEX, vertex_id)})


# -- edges --------------------------------------------------------------------------------
@graph.get("/edges")
async def list_edges(request: Request, caller: str | None = Depends(graph_caller)) -> Response:
    return envelope({"edges": get_state(request).graph.find(EDGE, _filters(request), _limit(request))})


@graph.post("/edges")
def add_edge(request: Request, body: EdgeRequest, caller: str | None = Depends(graph_caller)) -> Response:
    return envelope({"edges": [get_state(request).graph.add_edge(body.frm, body.label, body.to, body.properties)]})


@graph.delete("/edges")
def drop_edges(request: Request, caller: str | None = Depends(graph_caller)) -> Response:
    return envelope({"dropped": get_state(request).graph.drop_matching(EDGE, _filters(request))})


@graph.get("/edges/{edge_id}")
async def get_edge(request: Request, edge_id: str, caller: str | None = Depends(graph_caller)) -> Response:
    return envelope({"edges": [get_state(request).graph.get(EDGE, edge_id)]})


@graph.patch("/edges/{edge_id}")
def update_edge(
    request: Request, edge_id: str, body: PropertiesRequest, caller: str | None = Depends(graph_caller)
) -> Response:
    return envelope({"edges": [get_state(request).graph.merge_properties(EDGE, edge_id, body.properties)]})


@graph.delete("/edges/{edge_id}")
def drop_edge(request: Request, edge_id: str, caller: str | None = Depends(graph_caller)) -> Response:
    return envelope({"dropped": get_state(request).graph.drop(EDGE, edge_id)})


ROUTERS = (graph,)  # what the app mounts from this module
