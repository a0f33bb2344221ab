"""Partial meta updates merge on the server when it announces it: concurrent updates keep every key."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from mls_async.models import AsyncMLModelClient, MLModelClient


async def test_concurrent_async_partial_meta_updates_keep_every_key(client_kwargs, async_transport):
    async with AsyncMLModelClient(**client_kwargs, transport=async_transport) as client:
        created = await client.create_manual_model("meta_model", "v1", model_meta={"base": 0})
        copies = [await client.get_manual_model(id=created.id) for _ in range(20)]
        await asyncio.gather(
            *(client.update_manual_model_meta(copy, {f"k{i}": i}, partial_update=True) for i, copy in enumerate(copies))
        )
        stored = await client.get_manual_model(id=created.id)
    assert stored.model_meta == {"base": 0, **{f"k{i}": i for i in range(20)}}


def test_threads_sharing_a_sync_client_keep_every_key(client_kwargs, live_server):
    kwargs = {**client_kwargs, "base_url": live_server}
    with MLModelClient(**kwargs) as client:
        created = client.create_manual_model("threads_model", "v1")
        copies = [client.get_manual_model(id=created.id) for _ in range(30)]
        with ThreadPoolExecutor(max_workers=10) as pool:
            list(
                pool.map(
                    lambda pair: client.update_manual_model_meta(
                        pair[1], {f"k{pair[0]}": pair[0]}, partial_update=True
                    ),
                    enumerate(copies),
                )
            )
        assert client.get_manual_model(id=created.id).model_meta == {f"k{i}": i for i in range(30)}
