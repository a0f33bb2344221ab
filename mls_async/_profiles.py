"""``ProfileReader``: what a model reads its features through (``pf_client=``).

Two implementations answer it: the profile API client (``AsyncMLSProfileAPIClient``, over
HTTP, merging concurrent lookups) and the local server's in-process reader, which hands
models their features straight from storage during online predictions. The logic DSL's
``pf`` asks for nothing more. A reader that also offers ``lookup``/``lookup_values``
(:class:`MergingProfileReader`) lets a prediction register its lookups without a
coroutine each: the profile client does.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any, Protocol, runtime_checkable

__all__ = ["ProfileReader", "MergingProfileReader"]


@runtime_checkable
class ProfileReader(Protocol):
    """Reads one user's or item's features of one profile; a missing one raises ``DoesNotExist``."""

    async def get_user_profile(
        self, profile_id: str, user_id: str, keys: list[str] | None = None
    ) -> dict[str, Any]: ...

    async def get_item_profile(
        self, profile_id: str, item_id: str, keys: list[str] | None = None
    ) -> dict[str, Any]: ...

    async def get_profile(self, profile_id: str, id: str, keys: list[str] | None = None) -> dict[str, Any]:
        """The integrated read: ``id`` as a user, or else as an item."""
        ...


@runtime_checkable
class MergingProfileReader(ProfileReader, Protocol):
    """A reader whose lookups start at once and are merged with their concurrent peers."""

    def lookup(
        self, api_type: str, profile_id: str, target_id: Any, keys: list[str] | None = None
    ) -> Awaitable[dict[str, Any]]: ...

    def lookup_values(self, api_type: str, profile_id: str, target_id: Any, keys: list[str]) -> Any: ...
