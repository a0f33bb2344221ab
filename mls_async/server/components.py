"""Components: the named, versioned parts a manual model lists."""

from __future__ import annotations

from typing import Any

import orjson

from mls_async._schemas import ComponentRequest
from mls_async.server.errors import NotFound
from mls_async.server.paging import Page
from mls_async.server.storage import SQLiteStorage

__all__ = ["ComponentService"]


class ComponentService:
    def __init__(self, storage: SQLiteStorage) -> None:
        self.storage = storage

    def find(
        self,
        *,
        id: int | None,
        name: str | None,
        info: str | None,
        is_latest: bool | None,
        query: str | None,
        window: Page,
    ) -> list[dict[str, Any]]:
        docs = self.storage.query("component", filters={"id": id, "name": name}, search=query)
        if is_latest is not None:
            docs = [d for d in docs if bool(d.get("is_latest")) == is_latest]
        if info is not None:
            docs = [d for d in docs if info in (str(d.get("info")), orjson.dumps(d.get("info")).decode())]
        end = None if window.limit is None else window.offset + window.limit
        return docs[window.offset : end]

    def create(self, body: ComponentRequest, user: str) -> dict[str, Any]:
        return self.storage.insert("component", {**body.model_dump(), "user": user}, name=body.name)

    def get(self, component_id: int) -> dict[str, Any]:
        doc = self.storage.get("component", component_id)
        if doc is None:
            raise NotFound(f"no component with id {component_id}")
        return doc

    def update(self, component_id: int, body: ComponentRequest) -> dict[str, Any]:
        updated = self.storage.update(
            "component", component_id, lambda current: {**current, **body.model_dump()}, name=body.name
        )
        if updated is None:
            raise NotFound(f"no component with id {component_id}")
        return updated

    def delete(self, component_id: int) -> None:
        if not self.storage.delete("component", component_id):
            raise NotFound(f"no component with id {component_id}")
