# Generated from tests/_async/test_graph_client.py by scripts/unasync.py. Do not edit: edit the source and regenerate.
"""The graph API client against the local server (in-process), and the DSL's ``graph`` reading it."""

from __future__ import annotations

import pytest

from mls_async import DoesNotExist, MLSRuntimeENV
from mls_async.apis import MLSGraphAPIClient, Edge, Vertex


@pytest.fixture
def graph(client_kwargs, sync_transport):
    with MLSGraphAPIClient(
        env="LOCAL", base_url=client_kwargs["base_url"], transport=sync_transport
    ) as client:
        yield client


def test_vertices_and_edges_round_trip_without_credentials(graph):
    user = graph.add_vertex("u1", "user", {"age": 30})
    assert isinstance(user, Vertex) and user.get() == {"id": "u1", "label": "user", "properties": {"age": 30}}
    graph.add_vertex("p1", "product", {"price": 10})
    graph.add_vertex("p2", "product", {"price": 20})
    edge = graph.add_edge("u1", "p1", "bought", {"count": 2})
    assert isinstance(edge, Edge) and edge.id == "u1_bought_p1"

    assert [v.id for v in graph.list_vertices({"label": "product"})] == ["p1", "p2"]
    assert [v.id for v in graph.list_vertices({"id": ["p2", "u1"]})] == ["u1", "p2"]
    assert [v.id for v in graph.list_vertices({"price": "20"})] == ["p2"]
    assert (graph.update_vertex("u1", {"region": "seoul"})).properties == {"age": 30, "region": "seoul"}
    assert (graph.update_edge("u1_bought_p1", {"count": 3})).properties == {"count": 3}
    assert [e.id for e in graph.list_edges({"from": "u1"})] == ["u1_bought_p1"]

    graph.drop_vertex("p1")  # its edge goes with it
    assert graph.list_edges() == []
    with pytest.raises(DoesNotExist):
        graph.get_vertex("p1")
    graph.drop_vertices({"label": "product"})
    assert [v.id for v in graph.list_vertices()] == ["u1"]


def test_requests_carry_the_originals_query(graph):
    import respx

    with respx.mock(base_url="http://mls.local") as mock:
        route = mock.get("/v1/vertices").respond(json={"code": 0, "error": None, "results": {"vertices": []}})
        graph.list_vertices({"label": "user"})
    assert dict(route.calls.last.request.url.params) == {"label": "user", "limit": "300", "mode": "test"}
    assert "authorization" not in route.calls.last.request.headers


def test_the_mms_runtime_sends_no_test_mode(client_kwargs, sync_transport):
    import respx

    with MLSGraphAPIClient(
        env="LOCAL", runtime_env=MLSRuntimeENV.MMS, base_url=client_kwargs["base_url"], transport=sync_transport
    ) as client:
        with respx.mock(base_url="http://mls.local") as mock:
            route = mock.delete("/v1/edges").respond(json={"code": 0, "error": None, "results": {}})
            client.drop_edges({"label": "x"})
    assert dict(route.calls.last.request.url.params) == {"label": "x"}
