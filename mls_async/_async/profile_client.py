"""``AsyncMLSProfileAPIClient``: the feature (profile) API that models read during inference.

Concurrent lookups of one profile are coalesced into one batched request within a
short window (``coalesce_window``), so many concurrent ``predict_async`` calls cost
one round trip per profile instead of one each.
"""

from __future__ import annotations

import typing
from collections.abc import Hashable, Mapping
from typing import Any

from mls_async._async.base_client import AsyncMLSClient
from mls_async._coalesce import AsyncRequestCoalescer
from mls_async._config import MLSENV, MLSRuntimeENV
from mls_async._exceptions import DoesNotExist, MLSNotFoundError
from mls_async._hosts import API
from mls_async._validation import check_type

__all__ = ["AsyncMLSProfileAPIClient", "PROFILES_PATH"]

PROFILES_PATH = "/v1/{client_id}/profiles/{profile_id}/{kind}"
_KINDS = {"user": "users", "item": "items"}


class AsyncMLSProfileAPIClient(AsyncMLSClient):
    """Read and load user and item profiles (feature groups).

    Args:
        client_id: the profile API client id (``mls-mms`` on the MMS runtime).
        apikey: sent as the ``apikey`` header when given.
        coalesce_window: seconds to gather concurrent lookups of one profile into one
            batch; ``None`` sends every lookup on its own.
    """

    _api = API.PROFILE

    def __init__(
        self,
        env: MLSENV | str | None = None,
        runtime_env: MLSRuntimeENV | str | None = None,
        client_id: str | None = None,
        apikey: str | None = None,
        *,
        username: str | None = None,
        password: str | None = None,
        coalesce_window: float | None = 0.002,
        **kwargs: Any,
    ) -> None:
        super().__init__(env, runtime_env, username, password, credentials_required=False, **kwargs)
        self.client_id = client_id or "mls-mms"
        if apikey:
            self._http.headers["apikey"] = apikey
        self._coalescer = AsyncRequestCoalescer(self._fetch_one, self._fetch_many, window=coalesce_window)

    def _path(self, kind: str, profile_id: str) -> str:
        check_type(profile_id, str, "profile_id")
        return PROFILES_PATH.format(client_id=self.client_id, profile_id=profile_id, kind=kind)

    async def _fetch_one(self, group: Hashable, target_id: str, keys: list[str] | None) -> dict[str, Any]:
        kind, profile_id = typing.cast(tuple[str, str], group)
        try:
            response = await self._request(
                "GET", f"{self._path(kind, profile_id)}/{target_id}", params={"f": keys} if keys else None
            )
        except MLSNotFoundError as exc:
            raise DoesNotExist(f"no {kind[:-1]} {target_id!r} in profile {profile_id!r}") from exc
        return response.results or {}

    async def _fetch_many(self, group: Hashable, target_ids: list[str], keys: list[str] | None) -> dict[str, Any]:
        kind, profile_id = typing.cast(tuple[str, str], group)
        response = await self._request(
            "POST", f"{self._path(kind, profile_id)}/batch", json={"ids": target_ids, "keys": keys}
        )
        return response.results or {}

    @staticmethod
    def _check(target_id: Any, keys: Any, name: str) -> None:
        check_type(target_id, str, name)
        if keys is not None:
            check_type(keys, list, "keys", hint="Pass a list of feature names, or None for all.")

    async def get_user_profile(self, profile_id: str, user_id: str, keys: list[str] | None = None) -> dict[str, Any]:
        """Feature values of one user in ``profile_id`` (only ``keys`` when given)."""
        self._check(user_id, keys, "user_id")
        return await self._coalescer.get(("users", profile_id), user_id, keys)

    async def get_item_profile(self, profile_id: str, item_id: str, keys: list[str] | None = None) -> dict[str, Any]:
        """Feature values of one item in ``profile_id`` (only ``keys`` when given)."""
        self._check(item_id, keys, "item_id")
        return await self._coalescer.get(("items", profile_id), item_id, keys)

    async def get_profile(self, profile_id: str, target_id: str, keys: list[str] | None = None,
                          kind: str = "user") -> dict[str, Any]:
        """Either kind by name: ``kind="user"`` or ``kind="item"``."""
        if kind not in _KINDS:
            raise ValueError(f"kind={kind!r} is not valid; use 'user' or 'item'")
        self._check(target_id, keys, "target_id")
        return await self._coalescer.get((_KINDS[kind], profile_id), target_id, keys)

    async def get_user_profiles(self, profile_id: str, user_ids: list[str],
                                keys: list[str] | None = None) -> dict[str, dict[str, Any]]:
        """Many users in one request: ``{user_id: values}``, unknown ids left out."""
        check_type(user_ids, list, "user_ids")
        return await self._fetch_many(("users", profile_id), user_ids, keys)

    async def get_item_profiles(self, profile_id: str, item_ids: list[str],
                                keys: list[str] | None = None) -> dict[str, dict[str, Any]]:
        """Many items in one request: ``{item_id: values}``, unknown ids left out."""
        check_type(item_ids, list, "item_ids")
        return await self._fetch_many(("items", profile_id), item_ids, keys)

    async def put_user_profiles(self, profile_id: str, profiles: Mapping[str, Mapping[str, Any]]) -> int:
        """Load ``{user_id: {feature: value}}`` into the profile (merged per user); returns the count."""
        check_type(profiles, Mapping, "profiles")
        return (await self._request("PUT", self._path("users", profile_id), json=dict(profiles))).results["count"]

    async def put_item_profiles(self, profile_id: str, profiles: Mapping[str, Mapping[str, Any]]) -> int:
        """Load ``{item_id: {feature: value}}`` into the profile (merged per item); returns the count."""
        check_type(profiles, Mapping, "profiles")
        return (await self._request("PUT", self._path("items", profile_id), json=dict(profiles))).results["count"]
