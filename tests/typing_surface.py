"""What a type checker sees of the public surface: checked by mypy in tests/test_package.py, never run."""

from __future__ import annotations

from typing import assert_type

from mls_async import MLS, AsyncMLS, AsyncMLSProfileAPIClient, AsyncModelRegistry, MLSProfileAPIClient
from mls_async._profiles import MergingProfileReader, ProfileReader
from mls_async.components import AsyncComponentClient, Component
from mls_async.models import AsyncMLModelClient, ManualModel, MLModelClient
from mls_async.server.features import LocalProfileClient


async def async_surface() -> None:
    async with AsyncMLModelClient() as client:
        assert_type(client, AsyncMLModelClient)
        assert_type(client.with_options(timeout=5), AsyncMLModelClient)
        assert_type(await client.list_manual_models(name="m"), list[ManualModel])
    async with AsyncMLS() as mls:
        assert_type(mls, AsyncMLS)
        assert_type(mls.models, AsyncMLModelClient)
        assert_type(mls.profiles, AsyncMLSProfileAPIClient)
        assert_type(mls.with_options(max_retries=0).components, AsyncComponentClient)
        assert_type(mls.registry, AsyncModelRegistry)
        _ = mls.not_a_resource  # type: ignore[attr-defined]  # a typo is an error (--strict flags an unused ignore)
        async for component in mls.components.iter_components(name="c"):
            assert_type(component, Component)


def sync_surface() -> None:
    with MLModelClient() as client:
        assert_type(client, MLModelClient)
    with MLS() as mls:
        assert_type(mls.profiles, MLSProfileAPIClient)
        assert_type(mls.models.get_manual_model(id=1), ManualModel)


def profile_readers(profiles: AsyncMLSProfileAPIClient, local: LocalProfileClient) -> None:
    merging: MergingProfileReader = profiles  # the profile API client is a reader that merges lookups
    reader: ProfileReader = local  # the server's in-process reader answers the same interface
    assert_type(merging, MergingProfileReader)
    assert_type(reader, ProfileReader)
