"""The graph API client against the local server (in-process), and the DSL's ``graph`` reading it."""

from __future__ import annotations

import pytest
import pytest_asyncio

from mls_async import DoesNotExist, MLSRuntimeENV
from mls_async.apis import AsyncMLSGraphAPIClient, Edge, Vertex


@pytest_asyncio.fixture
async def graph(client_kwargs, async_transport):
    async with AsyncMLSGraphAPIClient(
        env="LOCAL", base_url=client_kwargs["base_url"], transport=async_transport
    ) as client:
        yield client


async def test_vertices_and_edges_round_trip_without_credentials(graph):
    user = await graph.add_vertex("u1", "user", {"age": 30})
    assert isinstance(user, Vertex) and user.get() == {"id": "u1", "label": "user", "properties": {"age": 30}}
    await graph.add_vertex("p1", "product", {"price": 10})
    await graph.add_vertex("p2", "product", {"price": 20})
    edge = await graph.add_edge("u1", "p1", "bought", {"count": 2})
    assert isinstance(edge, Edge) and edge.id == "u1_bought_p1"

    assert [v.id for v in await graph.list_vertices({"label": "product"})] == ["p1", "p2"]
    assert [v.id for v in await graph.list_vertices({"id": ["p2", "u1"]})] == ["u1", "p2"]
    assert [v.id for v in await graph.list_vertices({"price": "20"})] == ["p2"]
    assert (await graph.update_vertex("u1", {"region": "seoul"})).properties == {"age": 30, "region": "seoul"}
    assert (await graph.update_edge("u1_bought_p1", {"count": 3})).properties == {"count": 3}
    assert [e.id for e in await graph.list_edges({"from": "u1"})] == ["u1_bought_p1"]

    await graph.drop_vertex("p1")  # its edge goes with it
    assert await graph.list_edges() == []
    with pytest.raises(DoesNotExist):
        await graph.get_vertex("p1")
    await graph.drop_vertices({"label": "product"})
    assert [v.id for v in await graph.list_vertices()] == ["u1"]


async def test_requests_carry_the_originals_query(graph):
    import respx

    with respx.mock(base_url="http://mls.local") as mock:
        route = mock.get("/v1/vertices").respond(json={"code": 0, "error": None, "results": {"vertices": []}})
        await graph.list_vertices({"label": "user"})
    assert dict(route.calls.last.request.url.params) == {"label": "user", "limit": "300", "mode": "test"}
    assert "authorization" not in route.calls.last.request.headers


async def test_the_mms_runtime_sends_no_test_mode(client_kwargs, async_transport):
    import respx

    async with AsyncMLSGraphAPIClient(
        env="LOCAL", runtime_env=MLSRuntimeENV.MMS, base_url=client_kwargs["base_url"], transport=async_transport
    ) as client:
        with respx.mock(base_url="http://mls.local") as mock:
            route = mock.delete("/v1/edges").respond(json={"code": 0, "error": None, "results": {}})
            await client.drop_edges({"label": "x"})
    assert dict(route.calls.last.request.url.params) == {"label": "x"}
