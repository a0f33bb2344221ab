"""Feature (profile) data: the store the profile API reads and writes, the latency injected
into every read, and the in-process reader the server hands to models as ``pf_client``
(a :class:`mls_async._profiles.ProfileReader`, as the profile API client is).
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
    from mls_async.server.config import ServerConfig

__all__ = ["FeatureDelay", "LocalProfileClient", "ProfileStore"]


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


class ProfileStore:
    """Profile values by (kind, profile id, target id), each read after the injected latency."""

    def __init__(self, storage: SQLiteStorage, latency: Callable[[], float]) -> None:
        self._storage = storage
        self._latency = latency

    async def delay(self) -> None:
        """Wait as a feature read of the real platform would (one draw of the injected latency)."""
        latency = self._latency()
        if latency:
            await anyio.sleep(latency)

    def get(self, kind: str, profile_id: str, target_id: str) -> dict[str, Any] | None:
        return self._storage.get_profiles(kind, profile_id, [target_id]).get(target_id)

    def get_many(self, kind: str, profile_id: str, target_ids: list[str]) -> dict[str, dict[str, Any]]:
        return self._storage.get_profiles(kind, profile_id, target_ids)

    def merge(self, kind: str, profile_id: str, rows: dict[str, dict[str, Any]]) -> int:
        """Merge ``{target_id: {feature: value}}`` into what is stored; the count of targets written."""
        return self._storage.merge_profiles(kind, profile_id, rows)
