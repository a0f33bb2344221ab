# Generated from mls_async/_async/graph_client.py by scripts/unasync.py. Do not edit: edit the source and regenerate.
"""``MLSGraphAPIClient``: the graph API (vertices and edges) that logic models may query.

It sends what the original SDK sends: ``/v1/vertices`` and ``/v1/edges`` on the graph
host, ``limit=300`` on listings, ``mode=test`` on every runtime but MMS, and no
credentials. Every method is a coroutine; the original's ``*_async`` twins, which fail
there (they a response's attribute), are these same coroutines.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mls_async._sync.base_client import MLSClient
from mls_async._config import MLSENV, MLSRuntimeENV
from mls_async._entities import Edge, Vertex
from mls_async._exceptions import DoesNotExist, MLSConfigError, MLSNotFoundError
from mls_async._hosts import API
from mls_async._protocol import GRAPH_PATH
from mls_async._validation import check_type

__all__ = ["MLSGraphAPIClient", "GRAPH_PATH", "LIST_LIMIT", "edge_id"]

LIST_LIMIT = 300  # what the original asks for on every listing


def edge_id(frm: str, label: str, to: str) -> str:
    """The id the graph API gives the edge ``frm -label-> to``."""
    return f"{frm}_{label}_{to}"


class MLSGraphAPIClient(MLSClient):
    """List, add, update and drop the graph's vertices and edges.

    Args:
        env, runtime_env: as in the original (the EDD runtime has no graph API).
        username, password: sent only when given (the platform's graph API takes none;
            ``mls-async server`` accepts either).
    """

    _api = API.GRAPH

    def __init__(
        self,
        env: MLSENV | str | None = None,
        runtime_env: MLSRuntimeENV | str | None = None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(env, runtime_env, username, password, credentials_required=False, **kwargs)
        if self.get_runtime_env() is MLSRuntimeENV.EDD:
            raise MLSConfigError("the graph API is not reachable from the EDD runtime")
        self._mms = self.get_runtime_env() is MLSRuntimeENV.MMS

    def _params(self, params: Mapping[str, Any] | None = None) -> dict[str, Any]:
        query = dict(params or {})
        if not self._mms:
            query["mode"] = "test"
        return query

    def _call(
        self,
        method: str,
        path: str,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        missing: str | None = None,
    ) -> Any:
        try:
            response = self._request(method, f"{GRAPH_PATH}/{path}", params=self._params(params), json=json)
        except MLSNotFoundError as exc:
            if missing is None:
                raise
            raise DoesNotExist(missing) from exc
        return response.results

    @staticmethod
    def _query(query_params: Mapping[str, Any] | None) -> dict[str, Any]:
        if query_params is not None:
            check_type(query_params, Mapping, "query_params", hint="e.g. {'label': 'user', 'id': ['a', 'b']}")
        return dict(query_params or {})

    # -- vertices ---------------------------------------------------------------------
    def list_vertices(self, query_params: Mapping[str, Any] | None = None) -> list[Vertex]:
        """Vertices matching ``query_params`` (``id``, ``label`` or property values; lists match any)."""
        results = self._call("GET", "vertices", {**self._query(query_params), "limit": LIST_LIMIT})
        return [Vertex(**vertex) for vertex in results["vertices"]]

    def get_vertex(self, vertex_id: str) -> Vertex:
        check_type(vertex_id, str, "vertex_id")
        results = self._call("GET", f"vertices/{vertex_id}", missing=f"no vertex {vertex_id!r}")
        return Vertex(**results["vertices"][0])

    def add_vertex(self, vertex_id: str, label: str, properties: Mapping[str, Any] | None = None) -> Vertex:
        check_type(vertex_id, str, "vertex_id")
        check_type(label, str, "label")
        self._call(
            "POST", "vertices", json={"id": vertex_id, "label": label, "properties": dict(properties or {})}
        )
        return self.get_vertex(vertex_id)

    def update_vertex(self, vertex_id: str, properties: Mapping[str, Any] | None = None) -> Vertex:
        """Merge ``properties`` into the vertex's."""
        check_type(vertex_id, str, "vertex_id")
        self._call(
            "PATCH",
            f"vertices/{vertex_id}",
            json={"properties": dict(properties or {})},
            missing=f"no vertex {vertex_id!r}",
        )
        return self.get_vertex(vertex_id)

    def drop_vertex(self, vertex_id: str) -> None:
        """Drop the vertex and its edges."""
        check_type(vertex_id, str, "vertex_id")
        self._call("DELETE", f"vertices/{vertex_id}", missing=f"no vertex {vertex_id!r}")

    def drop_vertices(self, query_params: Mapping[str, Any] | None = None) -> None:
        """Drop every vertex matching ``query_params`` (all of them when empty), with their edges."""
        self._call("DELETE", "vertices", self._query(query_params))

    # -- edges ------------------------------------------------------------------------
    def list_edges(self, query_params: Mapping[str, Any] | None = None) -> list[Edge]:
        """Edges matching ``query_params`` (``id``, ``label``, ``from``, ``to`` or property values)."""
        results = self._call("GET", "edges", {**self._query(query_params), "limit": LIST_LIMIT})
        return [Edge(**edge) for edge in results["edges"]]

    def get_edge(self, edge_id: str) -> Edge:
        check_type(edge_id, str, "edge_id")
        results = self._call("GET", f"edges/{edge_id}", missing=f"no edge {edge_id!r}")
        return Edge(**results["edges"][0])

    def add_edge(self, frm: str, to: str, label: str, properties: Mapping[str, Any] | None = None) -> Edge:
        """Add the edge ``frm -label-> to`` between two existing vertices."""
        for value, name in ((frm, "frm"), (to, "to"), (label, "label")):
            check_type(value, str, name)
        self._call(
            "POST", "edges", json={"from": frm, "to": to, "label": label, "properties": dict(properties or {})}
        )
        return self.get_edge(edge_id(frm, label, to))

    def update_edge(self, edge_id: str, properties: Mapping[str, Any] | None = None) -> Edge:
        """Merge ``properties`` into the edge's."""
        check_type(edge_id, str, "edge_id")
        self._call(
            "PATCH", f"edges/{edge_id}", json={"properties": dict(properties or {})}, missing=f"no edge {edge_id!r}"
        )
        return self.get_edge(edge_id)

    def drop_edge(self, edge_id: str) -> None:
        check_type(edge_id, str, "edge_id")
        self._call("DELETE", f"edges/{edge_id}", missing=f"no edge {edge_id!r}")

    def drop_edges(self, query_params: Mapping[str, Any] | None = None) -> None:
        """Drop every edge matching ``query_params`` (all of them when empty)."""
        self._call("DELETE", "edges", self._query(query_params))
