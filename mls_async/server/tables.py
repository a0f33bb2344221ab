"""Batch prediction tables ("dynamodb tables") of the local server.

A table is loading while an upload of rows runs (in a worker thread), then active.
The service doubles as the ``dynamodb_client`` handed to models during prediction.
"""

from __future__ import annotations

import threading
from typing import Any, cast

from mls_async.server.errors import Conflicting, InvalidRequest, NotFound
from mls_async.server.storage import Conflict, SQLiteStorage, Unstorable, dumps_storable

__all__ = ["TableService"]

KIND = "table"


class TableService:
    def __init__(self, storage: SQLiteStorage) -> None:
        self._storage = storage
        self._threads: set[threading.Thread] = set()
        self._loads: dict[str, int] = {}  # table -> loads still writing
        self._loads_lock = threading.Lock()
        self._recover()

    def _recover(self) -> None:
        """A table left LOADING by a crash was cut short: it is FAILED, not loading forever."""
        for doc in self._storage.query(KIND, subkind=""):
            if doc.get("status") == "LOADING":
                self._storage.update(
                    KIND,
                    doc["id"],
                    lambda current: {
                        **current,
                        "status": "FAILED",
                        "error": "the server stopped while rows were loading; load again",
                    },
                )

    def _doc(self, name: str) -> dict[str, Any] | None:
        rows = self._storage.query(KIND, subkind="", filters={"name": name})
        return rows[0] if rows else None

    def _doc_or_404(self, name: str) -> dict[str, Any]:
        doc = self._doc(name)
        if doc is None:
            raise NotFound(f"no table named {name!r}")
        return doc

    def create(self, name: str, key: str) -> dict[str, Any]:
        try:
            doc = self._storage.insert(
                KIND,
                {"table_name": name, "key": key, "status": "ACTIVE", "item_count": 0},
                subkind="",
                name=name,
                version="",
            )
        except Conflict:
            raise Conflicting(f"a table named {name!r} exists already") from None
        return doc

    def describe(self, name: str) -> dict[str, Any]:
        return self._doc_or_404(name)

    def is_active(self, name: str) -> bool:
        doc = self._doc(name)
        return doc is not None and doc["status"] == "ACTIVE"

    def is_loading(self, name: str) -> bool:
        return cast("bool", self._doc_or_404(name)["status"] == "LOADING")

    def load(self, name: str, items: list[dict[str, Any]]) -> dict[str, Any]:
        """Start writing ``items``; the table is LOADING until every row is stored."""
        doc = self._doc_or_404(name)
        key = doc["key"]
        missing = [i for i, item in enumerate(items) if key not in item]
        if missing:
            raise InvalidRequest(f"rows {missing[:5]} have no key column {key!r}")
        rows = []  # serialized once, now: what cannot be stored is refused before the 200
        for index, item in enumerate(items):
            try:
                rows.append((str(item[key]), dumps_storable(item)))
            except Unstorable as exc:
                raise InvalidRequest(f"row {index} cannot be stored: {exc}") from None

        def set_status(status: str, count: int | None = None) -> None:
            def change(current: dict[str, Any]) -> dict[str, Any]:
                extra = {} if count is None else {"item_count": current.get("item_count", 0) + count}
                return {**current, "status": status, **extra}

            self._storage.update(KIND, doc["id"], change)

        with self._loads_lock:
            self._loads[name] = self._loads.get(name, 0) + 1
        set_status("LOADING")

        def run() -> None:
            failed = False
            try:
                for start in range(0, len(rows), 1000):
                    self._storage.put_items(name, rows[start : start + 1000])
            except Exception:
                failed = True
            finally:
                with self._loads_lock:  # ACTIVE only when the last overlapping load is written
                    self._loads[name] -= 1
                    last = self._loads[name] == 0
                    if last:
                        del self._loads[name]
                    if failed:
                        set_status("FAILED")
                    elif last and not (self._doc(name) or {}).get("held"):
                        set_status("ACTIVE", len(items))
                    else:
                        set_status("LOADING", len(items))
                self._threads.discard(thread)

        thread = threading.Thread(target=run, name=f"load-{name}", daemon=True)
        self._threads.add(thread)
        thread.start()
        return {"table_name": name, "status": "LOADING", "rows": len(items)}

    def hold(self, name: str) -> dict[str, Any]:
        """Keep the table loading across many loads (a batch job's), until :meth:`release`."""
        doc = self._doc_or_404(name)
        return (
            self._storage.update(KIND, doc["id"], lambda current: {**current, "held": True, "status": "LOADING"}) or doc
        )

    def release(self, name: str) -> dict[str, Any]:
        """End a hold: the table is active now, or when the loads still writing are done."""
        doc = self._doc_or_404(name)
        with self._loads_lock:
            writing = bool(self._loads.get(name))

            def change(current: dict[str, Any]) -> dict[str, Any]:
                status = current["status"] if writing or current["status"] == "FAILED" else "ACTIVE"
                return {**current, "held": False, "status": status}

            return self._storage.update(KIND, doc["id"], change) or doc

    def delete(self, name: str) -> None:
        doc = self._doc_or_404(name)
        self._storage.delete(KIND, doc["id"])
        self._storage.drop_items(name)

    def item_request(self, kind: str, table: str, body: dict[str, Any]) -> Any:
        doc = self._doc_or_404(table)
        key = doc["key"]
        if key not in body:
            raise InvalidRequest(f"the body needs the table's key {key!r}")
        pk = str(body[key])
        if kind == "get":
            item = self._storage.get_item(table, pk)
            if item is None:
                raise NotFound(f"no item {pk!r} in table {table!r}")
            return {"item": item}
        if kind == "put":
            self._storage.put_items(table, [(pk, body)])
            return {"item": body}
        if kind == "update":
            merged = {**(self._storage.get_item(table, pk) or {}), **body}
            self._storage.put_items(table, [(pk, merged)])
            return {"item": merged}
        if not self._storage.delete_item(table, pk):
            raise NotFound(f"no item {pk!r} in table {table!r}")
        return {"deleted": pk}

    # -- the dynamodb_client interface that models use --------------------------------------
    async def get_item(self, table_name: str, key: dict[str, Any]) -> dict[str, Any]:
        return cast("dict[str, Any]", self.item_request("get", table_name, key))
