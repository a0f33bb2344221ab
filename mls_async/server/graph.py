"""The graph: vertices and edges, each with an id, a label and properties."""

from __future__ import annotations

from typing import Any

from mls_async.server.errors import Conflicting, NotFound
from mls_async.server.storage import Conflict, SQLiteStorage

__all__ = ["EDGE", "VERTEX", "GraphService"]

VERTEX, EDGE = "vertex", "edge"


def _entity(doc: dict[str, Any]) -> dict[str, Any]:
    return {"id": doc["id_"], "label": doc["label"], "properties": doc["properties"]}


def _matches(entity: dict[str, Any], filters: dict[str, list[str]]) -> bool:
    for key, wanted in filters.items():
        value = entity.get(key) if key in ("id", "label", "from", "to") else entity["properties"].get(key)
        if value is None or str(value) not in wanted:
            return False
    return True


class GraphService:
    """Filters match ``id``, ``label`` (and ``from``/``to`` for edges) or any property; a key's values match any."""

    def __init__(self, storage: SQLiteStorage) -> None:
        self.storage = storage

    def _find(self, kind: str, filters: dict[str, list[str]]) -> list[dict[str, Any]]:
        return [doc for doc in self.storage.query(kind, subkind="") if _matches({**doc, "id": doc["id_"]}, filters)]

    def _one(self, kind: str, entity_id: str) -> dict[str, Any]:
        found = self.storage.query(kind, subkind="", filters={"name": entity_id})
        if not found:
            raise NotFound(f"no {kind} {entity_id!r}")
        return found[0]

    def _drop(self, kind: str, docs: list[dict[str, Any]]) -> int:
        dropped = 0
        for doc in docs:
            if kind == VERTEX:  # a vertex takes its edges with it
                for edge in self.storage.query(EDGE, subkind=""):
                    if doc["id_"] in (edge["from"], edge["to"]):
                        self.storage.delete(EDGE, edge["id"])
            dropped += self.storage.delete(kind, doc["id"])
        return dropped

    def find(self, kind: str, filters: dict[str, list[str]], limit: int | None) -> list[dict[str, Any]]:
        docs = self._find(kind, filters)
        return [_entity(doc) for doc in (docs if limit is None else docs[:limit])]

    def get(self, kind: str, entity_id: str) -> dict[str, Any]:
        return _entity(self._one(kind, entity_id))

    def add_vertex(self, vertex_id: str, label: str, properties: dict[str, Any]) -> dict[str, Any]:
        fields = {"id_": vertex_id, "label": label, "properties": properties}
        try:
            doc = self.storage.insert(VERTEX, fields, subkind="", name=vertex_id, version="")
        except Conflict:
            raise Conflicting(f"vertex {vertex_id!r} exists") from None
        return _entity(doc)

    def add_edge(self, frm: str, label: str, to: str, properties: dict[str, Any]) -> dict[str, Any]:
        for end in (frm, to):
            self._one(VERTEX, end)
        edge_id = f"{frm}_{label}_{to}"
        fields = {"id_": edge_id, "label": label, "from": frm, "to": to, "properties": properties}
        try:
            doc = self.storage.insert(EDGE, fields, subkind="", name=edge_id, version="")
        except Conflict:
            raise Conflicting(f"edge {edge_id!r} exists") from None
        return _entity(doc)

    def merge_properties(self, kind: str, entity_id: str, properties: dict[str, Any]) -> dict[str, Any]:
        doc = self._one(kind, entity_id)
        updated = self.storage.update(
            kind, doc["id"], lambda current: {**current, "properties": {**current["properties"], **properties}}
        )
        if updated is None:
            raise NotFound(f"no {kind} {entity_id!r}")
        return _entity(updated)

    def drop(self, kind: str, entity_id: str) -> int:
        return self._drop(kind, [self._one(kind, entity_id)])

    def drop_matching(self, kind: str, filters: dict[str, list[str]]) -> int:
        return self._drop(kind, self._find(kind, filters))
