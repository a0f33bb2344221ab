"""Fixtures for the contrib models: each case runs sync and async, reading profiles from the local server.

The original's tests patch the profile client to answer ``{"test_dimension": 300}``;
here the local server holds that profile, and the model reads it for real.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from mls_async import AsyncMLSProfileAPIClient, MLSProfileAPIClient
from mls_async.models.contrib._logic_steps import logic_inputs, processor_for

ITEM_PROFILES = {"test_profile": {"1": {"test_dimension": 300}}}


def returning(value: Any) -> Callable[..., Any]:
    """A stand-in for a library's predict that answers ``value`` (what the original's tests mock)."""
    return lambda *args, **kwargs: value


@pytest.fixture
def _profiles(app, sync_transport, client_kwargs) -> None:
    with MLSProfileAPIClient(**client_kwargs, transport=sync_transport) as client:
        for profile_id, items in ITEM_PROFILES.items():
            client.put_item_profiles(profile_id, items)


@pytest.fixture(params=["sync", "async"])
def predict(request, app, sync_transport, client_kwargs, _profiles) -> Callable[..., dict]:
    """``predict(model, x, **kwargs)``: ``model.predict`` or ``model.predict_async``, with a real pf_client."""

    def run_sync(model: Any, *args: Any, **kwargs: Any) -> dict:
        with MLSProfileAPIClient(**client_kwargs, transport=sync_transport) as client:
            return model.predict(*args, pf_client=client, **kwargs)

    def run_async(model: Any, *args: Any, **kwargs: Any) -> dict:
        async def main() -> dict:
            async with AsyncMLSProfileAPIClient(**client_kwargs, transport=httpx.ASGITransport(app=app)) as client:
                return await model.predict_async(*args, pf_client=client, **kwargs)

        return asyncio.run(main())

    return run_sync if request.param == "sync" else run_async


@pytest.fixture
def preprocess(app, client_kwargs, _profiles) -> Callable[..., Any]:
    """What ``logic`` gives for ``x`` and ``keys`` as the model's preprocessing sees them."""

    def run(model: Any, logic: Any, x: list, keys: list, **extra: Any) -> Any:
        async def main() -> Any:
            async with AsyncMLSProfileAPIClient(**client_kwargs, transport=httpx.ASGITransport(app=app)) as client:
                data = logic_inputs("test", list(model.features), x, keys, {})
                data.update(extra)
                data.update(model.data)
                return await processor_for(model, {"pf_client": client}).evaluate(logic, data)

        return asyncio.run(main())

    return run
