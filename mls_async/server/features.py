"""The in-process profile reader that the server hands to models as ``pf_client``.

It is a :class:`mls_async._profiles.ProfileReader`, as the profile API client is.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import anyio

from mls_async._exceptions import DoesNotExist
from mls_async._profiles import ProfileReader
from mls_async.server.storage import SQLiteStorage

if TYPE_CHECKING:
    from mls_async.server.state import ServerConfig


class FeatureDelay:
    """The latency injected into a feature read: the configured one, or the tail's for a share of reads.

    Reads from the HTTP API and from the in-process reader draw from one seeded generator,
    so a benchmark's slow reads are the same from run to run.
    """

    def __init__(self, config: ServerConfig) -> None:
        self._config = config
        self._random = random.Random(config.feature_seed)

    def seconds(self) -> float:
        config = self._config
        if config.feature_tail and self._random.random() < config.feature_tail:
            return config.feature_tail_latency
        return config.feature_latency

__all__ = ["FeatureDelay", "LocalProfileClient"]


class LocalProfileClient(ProfileReader):
    """Reads profiles straight from storage, with the same injected latency as the HTTP API."""

    def __init__(self, storage: SQLiteStorage, latency: Callable[[], float]) -> None:
        self._storage = storage
        self._latency = latency

    async def _get(self, kind: str, profile_id: str, target_id: str, keys: list[str] | None) -> dict[str, Any]:
        latency = self._latency()
        if latency:
            await anyio.sleep(latency)
        found = self._storage.get_profiles(kind, profile_id, [target_id]).get(target_id)
        if found is None:
            raise DoesNotExist(f"no {kind[:-1]} {target_id!r} in profile {profile_id!r}")
        return found if keys is None else {k: found[k] for k in keys if k in found}

    async def get_user_profile(self, profile_id: str, user_id: str, keys: list[str] | None = None) -> dict[str, Any]:
        return await self._get("users", profile_id, user_id, keys)

    async def get_item_profile(self, profile_id: str, item_id: str, keys: list[str] | None = None) -> dict[str, Any]:
        return await self._get("items", profile_id, item_id, keys)

    async def get_profile(self, profile_id: str, id: str, keys: list[str] | None = None) -> dict[str, Any]:
        """The integrated route: ``id`` as a user, or else as an item."""
        try:
            return await self._get("users", profile_id, id, keys)
        except DoesNotExist:
            return await self._get("items", profile_id, id, keys)
