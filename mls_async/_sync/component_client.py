# Generated from mls_async/_async/component_client.py by scripts/unasync.py. Do not edit: edit the source and regenerate.
"""``ComponentClient``: the components that manual models reference by name."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, cast

from mls_async._sync.base_client import MLSClient
from mls_async._entities import Component
from mls_async._exceptions import DoesNotExist, MLSConflictError, MLSValidationError
from mls_async._protocol import COMPONENTS_PATH
from mls_async._response import MLSResponse
from mls_async._schemas import ComponentRequest
from mls_async._validation import build_body, check_type

__all__ = ["ComponentClient", "COMPONENTS_PATH"]


def _saved(component: Any) -> Component:
    check_type(component, Component, "component", hint="Get one with get_component(name=...).")
    if component.id is None:
        raise MLSValidationError("component has no id; fetch it with get_component(...) first")
    return cast("Component", component)


def _is_whole(results: Any) -> bool:
    """Whether a create/update answer holds the whole component (the platform's) or only its id."""
    return isinstance(results, dict) and "name" in results


class ComponentClient(MLSClient):
    """Create, find, update and delete components."""

    def create_component(self, name: str, info: Any = None, is_latest: bool = True) -> Component:
        """Create a component and return it as stored."""
        check_type(name, str, "name")
        check_type(is_latest, bool, "is_latest")
        body = build_body(ComponentRequest, name=name, info=info, is_latest=is_latest)
        created = (self._request("POST", COMPONENTS_PATH, json=body.model_dump(), idempotent=True)).results
        if _is_whole(created):
            return Component(**created)
        return self.get_component(id=created["id"])

    def list_components(
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
        return self._list(
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

    def iter_components(
        self,
        *,
        id: int | None = None,
        name: str | None = None,
        info: Any = None,
        is_latest: bool | None = None,
        query: str | None = None,
        page_size: int | None = None,
    ) -> Iterator[Component]:
        """Every component matching the filters, across all pages."""
        for component in self._paginate(
            COMPONENTS_PATH,
            Component,
            {"id": id, "name": name, "info": info, "is_latest": is_latest, "query": query, "page_size": page_size},
        ):
            yield component

    def get_component(
        self, id: int | None = None, name: str | None = None, info: Any = None, is_latest: bool | None = True
    ) -> Component:
        """The one component matching the filters; 404 if none, 409 if several."""
        if id is None and name is None and info is None:
            raise MLSValidationError("get_component needs id=..., name=... or info=...")
        check_type(id, int, "id", optional=True)
        check_type(name, str, "name", optional=True)
        if id is not None:
            return Component(**(self._request("GET", f"{COMPONENTS_PATH}/{id}")).results)
        matches = (
            self._request("GET", COMPONENTS_PATH, params={"name": name, "info": info, "is_latest": is_latest})
        ).results or []
        wanted = f"name={name!r}" if info is None else f"name={name!r}, info={info!r}"
        if not matches:
            raise DoesNotExist(f"no component with {wanted}" + (" marked latest" if is_latest else ""))
        if len(matches) > 1:
            raise MLSConflictError(409, f"{len(matches)} components match {wanted}; pass id=... to pick one")
        return Component(**(self._request("GET", f"{COMPONENTS_PATH}/{matches[0]['id']}")).results)

    def update_component(self, component: Component, is_latest: bool) -> Component:
        """Set ``is_latest``; updates ``component`` in place and returns it."""
        component = _saved(component)
        check_type(is_latest, bool, "is_latest")
        body = build_body(ComponentRequest, name=component.name or "", info=component.info, is_latest=is_latest)
        updated = (self._request("PUT", f"{COMPONENTS_PATH}/{component.id}", json=body.model_dump())).results
        if not _is_whole(updated):
            updated = (self._request("GET", f"{COMPONENTS_PATH}/{component.id}")).results
        return component.reset(**updated)

    def delete_component(self, component: Component) -> MLSResponse:
        """Delete a component."""
        return self._request("DELETE", f"{COMPONENTS_PATH}/{_saved(component).id}")
