"""``AsyncComponentClient``: the components that manual models reference by name."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any, cast

from mls_async._async.base_client import AsyncMLSClient
from mls_async._entities import Component
from mls_async._exceptions import DoesNotExist, MLSConflictError, MLSValidationError
from mls_async._protocol import COMPONENTS_PATH
from mls_async._response import MLSResponse
from mls_async._schemas import ComponentRequest
from mls_async._validation import build_body, check_type

__all__ = ["AsyncComponentClient", "COMPONENTS_PATH"]


def _saved(component: Any) -> Component:
    check_type(component, Component, "component", hint="Get one with get_component(name=...).")
    if component.id is None:
        raise MLSValidationError("component has no id; fetch it with get_component(...) first")
    return cast("Component", component)


def _is_whole(results: Any) -> bool:
    """Whether a create/update answer holds the whole component (the platform's) or only its id."""
    return isinstance(results, dict) and "name" in results


class AsyncComponentClient(AsyncMLSClient):
    """Create, find, update and delete components."""

    async def create_component(self, name: str, info: Any = None, is_latest: bool = True) -> Component:
        """Create a component and return it as stored."""
        check_type(name, str, "name")
        check_type(is_latest, bool, "is_latest")
        body = build_body(ComponentRequest, name=name, info=info, is_latest=is_latest)
        created = (await self._request("POST", COMPONENTS_PATH, json=body.model_dump(), idempotent=True)).results
        if _is_whole(created):
            return Component(**created)
        return await self.get_component(id=created["id"])

    async def list_components(
        self,
        *,
        id: int | None = None,
        name: str | None = None,
        info: Any = None,
        is_latest: bool | None = None,
        query: str | None = None,
        page: int | None = None,
        page_size: int | None = None,
    ) -> list[Component]:
        """One page of the components matching every filter given."""
        return await self._list(
            COMPONENTS_PATH,
            Component,
            {
                "id": id,
                "name": name,
                "info": info,
                "is_latest": is_latest,
                "query": query,
                "page": page,
                "page_size": page_size,
            },
        )

    async def iter_components(
        self,
        *,
        id: int | None = None,
        name: str | None = None,
        info: Any = None,
        is_latest: bool | None = None,
        query: str | None = None,
        page_size: int | None = None,
    ) -> AsyncIterator[Component]:
        """Every component matching the filters, across all pages."""
        async for component in self._paginate(
            COMPONENTS_PATH,
            Component,
            {"id": id, "name": name, "info": info, "is_latest": is_latest, "query": query, "page_size": page_size},
        ):
            yield component

    async def get_component(
        self, id: int | None = None, name: str | None = None, info: Any = None, is_latest: bool | None = True
    ) -> Component:
        """The one component matching the filters; 404 if none, 409 if several."""
        if id is None and name is None and info is None:
            raise MLSValidationError("get_component needs id=..., name=... or info=...")
        check_type(id, int, "id", optional=True)
        check_type(name, str, "name", optional=True)
        if id is not None:
            return Component(**(await self._request("GET", f"{COMPONENTS_PATH}/{id}")).results)
        matches = (
            await self._request("GET", COMPONENTS_PATH, params={"name": name, "info": info, "is_latest": is_latest})
        ).results or []
        wanted = f"name={name!r}" if info is None else f"name={name!r}, info={info!r}"
        if not matches:
            raise DoesNotExist(f"no component with {wanted}" + (" marked latest" if is_latest else ""))
        if len(matches) > 1:
            raise MLSConflictError(409, f"{len(matches)} components match {wanted}; pass id=... to pick one")
        return Component(**(await self._request("GET", f"{COMPONENTS_PATH}/{matches[0]['id']}")).results)

    async def update_component(self, component: Component, is_latest: bool) -> Component:
        """Set ``is_latest``; updates ``component`` in place and returns it."""
        component = _saved(component)
        check_type(is_latest, bool, "is_latest")
        body = build_body(ComponentRequest, name=component.name or "", info=component.info, is_latest=is_latest)
        updated = (await self._request("PUT", f"{COMPONENTS_PATH}/{component.id}", json=body.model_dump())).results
        if not _is_whole(updated):
            updated = (await self._request("GET", f"{COMPONENTS_PATH}/{component.id}")).results
        return component.reset(**updated)

    async def delete_component(self, component: Component) -> MLSResponse:
        """Delete a component."""
        return await self._request("DELETE", f"{COMPONENTS_PATH}/{_saved(component).id}")
