"""Metadata storage of the local server: SQLite in WAL mode behind a small interface.

``Storage`` is what the app needs; ``SQLiteStorage`` implements it. Another backend
(PostgreSQL) implements the same methods. Every write runs in one transaction under
one lock, so read-modify-write updates from concurrent requests never lose a change.
"""

from __future__ import annotations

import math
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol, cast

import orjson

__all__ = ["check_storable", "dumps_storable", "Storage", "SQLiteStorage", "Conflict", "Unstorable", "now_iso"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    kind TEXT NOT NULL,
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    subkind TEXT,
    name TEXT,
    version TEXT,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS documents_unique ON documents(kind, subkind, name, version);
CREATE INDEX IF NOT EXISTS documents_kind ON documents(kind, id);
CREATE TABLE IF NOT EXISTS table_items (
    table_name TEXT NOT NULL, pk TEXT NOT NULL, item TEXT NOT NULL, PRIMARY KEY (table_name, pk)
);
CREATE TABLE IF NOT EXISTS profiles (
    kind TEXT NOT NULL, profile_id TEXT NOT NULL, target_id TEXT NOT NULL, profile TEXT NOT NULL,
    PRIMARY KEY (kind, profile_id, target_id)
);
CREATE TABLE IF NOT EXISTS idempotency (
    username TEXT NOT NULL, key TEXT NOT NULL, status INTEGER NOT NULL, body BLOB NOT NULL,
    created_at TEXT NOT NULL, PRIMARY KEY (username, key)
);
"""


class Conflict(Exception):
    """A unique constraint refused the write."""


class Unstorable(ValueError):
    """A value cannot be stored as JSON (an integer beyond 64 bits, say)."""


_IN_CHUNK = 10_000  # ids per "IN (...)" query, below SQLite's limit on variables
MAX_DEPTH = 64  # nesting of stored JSON: answers wrap it in a few more levels, far below orjson's limit


def check_storable(value: Any, depth: int = 0) -> None:
    """Refuse what JSON storage would lose or could not answer with: deep nesting, NaN and Infinity."""
    if depth > MAX_DEPTH:
        raise Unstorable(f"a value is nested deeper than {MAX_DEPTH} levels")
    if isinstance(value, float):
        if not math.isfinite(value):
            raise Unstorable(f"{value} is not a JSON number; send null or a finite number")
    elif isinstance(value, dict):
        for item in value.values():
            check_storable(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            check_storable(item, depth + 1)


def dumps_storable(value: Any) -> str:
    """``value`` as stored JSON, or ``Unstorable`` saying why it cannot be."""
    check_storable(value)
    try:
        return orjson.dumps(value).decode()
    except TypeError as exc:
        raise Unstorable(f"a value cannot be stored: {exc}") from exc


_SQLITE_INT = range(-(2**63), 2**63)


def _storable(value: Any) -> bool:
    """False for ints SQLite cannot hold: such an id matches nothing rather than failing."""
    return not isinstance(value, int) or value in _SQLITE_INT


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _unencodable(exc: UnicodeEncodeError) -> Unstorable:
    """What SQLite cannot take: text that is no UTF-8 (a lone surrogate, which JSON escapes can spell)."""
    return Unstorable(
        f"text with a lone surrogate ({exc.object[exc.start : exc.end]!a}) cannot be stored or "
        "looked up: send valid UTF-8"
    )


def now_iso() -> str:
    return datetime.now(UTC).isoformat()


class Storage(Protocol):
    def insert(
        self,
        kind: str,
        body: dict[str, Any],
        *,
        subkind: str | None = None,
        name: str | None = None,
        version: str | None = None,
    ) -> dict[str, Any]: ...
    def get(self, kind: str, id: int) -> dict[str, Any] | None: ...
    def query(
        self,
        kind: str,
        *,
        subkind: str | None = None,
        filters: dict[str, Any] | None = None,
        search: str | None = None,
        offset: int = 0,
        limit: int | None = None,
    ) -> list[dict[str, Any]]: ...
    def update(
        self, kind: str, id: int, change: Callable[[dict[str, Any]], dict[str, Any]]
    ) -> dict[str, Any] | None: ...
    def delete(self, kind: str, id: int) -> bool: ...


# Kinds whose writes change what an online prediction serves: each bumps the generation.
SERVING_KINDS = frozenset({"model", "artifact"})


class SQLiteStorage:
    """Documents (models, components, datasets, tables, artifacts), table items, profiles.

    The ``generation`` file next to the database is replaced (a new inode) after every
    committed write of a model or registry record, so every server process (``--workers``)
    learns with one ``stat`` whether what it cached for serving is still current.
    """

    def __init__(self, path: Path | str) -> None:
        self._generation_file = Path(path).with_name("generation")
        self._connection = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._connection.row_factory = sqlite3.Row
        self._lock = threading.RLock()
        with self._lock:
            self._connection.execute("PRAGMA journal_mode=WAL")
            self._connection.execute("PRAGMA synchronous=NORMAL")
            self._connection.executescript(_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._connection.close()

    # -- the serving generation -----------------------------------------------------------
    def generation(self) -> tuple[int, int]:
        """A stamp that changes whenever a model or registry record is written (by any process)."""
        try:
            info = os.stat(self._generation_file)
        except FileNotFoundError:
            return (0, 0)
        return (info.st_ino, info.st_mtime_ns)

    def _bump(self, kind: str) -> None:
        if kind not in SERVING_KINDS:
            return
        aside = self._generation_file.with_name(f".generation-{os.getpid()}-{threading.get_ident()}")
        aside.write_text(f"{time.time_ns()}\n")
        os.replace(aside, self._generation_file)  # a new inode: the stamp differs even within one tick

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction; the lock also serializes this process's writers."""
        with self._lock:
            self._connection.execute("BEGIN IMMEDIATE")
            try:
                yield self._connection
            except UnicodeEncodeError as exc:
                self._connection.execute("ROLLBACK")
                raise _unencodable(exc) from None
            except BaseException:
                self._connection.execute("ROLLBACK")
                raise
            else:
                self._connection.execute("COMMIT")

    def _read(self, sql: str, params: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        with self._lock:
            try:
                return self._connection.execute(sql, params).fetchall()
            except UnicodeEncodeError as exc:
                raise _unencodable(exc) from None

    @staticmethod
    def _document(row: sqlite3.Row) -> dict[str, Any]:
        body = orjson.loads(row["body"])
        body.update(id=row["id"], created_at=row["created_at"], updated_at=row["updated_at"])
        return cast("dict[str, Any]", body)

    # -- documents ------------------------------------------------------------------------
    def insert(
        self,
        kind: str,
        body: dict[str, Any],
        *,
        subkind: str | None = None,
        name: str | None = None,
        version: str | None = None,
    ) -> dict[str, Any]:
        stamp = now_iso()
        try:
            with self.transaction() as db:
                cursor = db.execute(
                    "INSERT INTO documents(kind, subkind, name, version, body, created_at, updated_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (kind, subkind, name, version, dumps_storable(body), stamp, stamp),
                )
                new_id = cursor.lastrowid
        except sqlite3.IntegrityError as exc:
            raise Conflict(str(exc)) from exc
        self._bump(kind)
        return {**body, "id": new_id, "created_at": stamp, "updated_at": stamp}

    def get(self, kind: str, id: int) -> dict[str, Any] | None:
        if not _storable(id):
            return None
        rows = self._read("SELECT * FROM documents WHERE kind = ? AND id = ?", (kind, id))
        return self._document(rows[0]) if rows else None

    def query(
        self,
        kind: str,
        *,
        subkind: str | None = None,
        filters: dict[str, Any] | None = None,
        search: str | None = None,
        offset: int = 0,
        limit: int | None = None,
    ) -> list[dict[str, Any]]:
        """Documents of ``kind`` whose columns (id, name, version) equal ``filters``; newest last.

        A filter whose value is None matches anything.
        """
        filters = {column: value for column, value in (filters or {}).items() if value is not None}
        if not all(_storable(v) for v in filters.values()) or not _storable(offset):
            return []
        sql = ["SELECT * FROM documents WHERE kind = ?"]
        params: list[Any] = [kind]
        if subkind is not None:
            sql.append("AND subkind = ?")
            params.append(subkind)
        for column, value in filters.items():
            if column not in ("id", "name", "version"):
                raise ValueError(f"cannot filter on {column}")
            sql.append(f"AND {column} = ?")
            params.append(value)
        if search:
            sql.append("AND (name LIKE ? OR body LIKE ?)")
            params.extend([f"%{search}%", f"%{search}%"])
        sql.append("ORDER BY id")
        if limit is not None:
            sql.append("LIMIT ? OFFSET ?")
            params.extend([limit, offset])
        return [self._document(row) for row in self._read(" ".join(sql), tuple(params))]

    def update(
        self,
        kind: str,
        id: int,
        change: Callable[[dict[str, Any]], dict[str, Any]],
        *,
        name: str | None = None,
        version: str | None = None,
    ) -> dict[str, Any] | None:
        """Apply ``change`` to the stored body atomically; None when there is no such document."""
        if not _storable(id):
            return None
        try:
            with self.transaction() as db:
                rows = db.execute("SELECT * FROM documents WHERE kind = ? AND id = ?", (kind, id)).fetchall()
                if not rows:
                    return None
                current = self._document(rows[0])
                body = change({k: v for k, v in current.items() if k not in ("id", "created_at", "updated_at")})
                stamp = now_iso()
                db.execute(
                    "UPDATE documents SET body = ?, updated_at = ?, name = COALESCE(?, name),"
                    " version = COALESCE(?, version) WHERE kind = ? AND id = ?",
                    (dumps_storable(body), stamp, name, version, kind, id),
                )
        except sqlite3.IntegrityError as exc:
            raise Conflict(str(exc)) from exc
        self._bump(kind)
        return {**body, "id": id, "created_at": current["created_at"], "updated_at": stamp}

    def delete(self, kind: str, id: int) -> bool:
        if not _storable(id):
            return False
        with self.transaction() as db:
            deleted = db.execute("DELETE FROM documents WHERE kind = ? AND id = ?", (kind, id)).rowcount > 0
        self._bump(kind)
        return deleted

    # -- batch table items ----------------------------------------------------------------
    def put_items(self, table: str, items: Sequence[tuple[str, dict[str, Any] | str]]) -> None:
        """Write items by key; an item may come already serialized by :func:`dumps_storable`."""
        with self.transaction() as db:
            db.executemany(
                "INSERT OR REPLACE INTO table_items(table_name, pk, item) VALUES (?, ?, ?)",
                [(table, pk, item if isinstance(item, str) else dumps_storable(item)) for pk, item in items],
            )

    def get_item(self, table: str, pk: str) -> dict[str, Any] | None:
        rows = self._read("SELECT item FROM table_items WHERE table_name = ? AND pk = ?", (table, pk))
        return orjson.loads(rows[0]["item"]) if rows else None

    def table_items(self, table: str) -> list[dict[str, Any]]:
        """Every item of ``table``, in key order."""
        rows = self._read("SELECT item FROM table_items WHERE table_name = ? ORDER BY pk", (table,))
        return [orjson.loads(row["item"]) for row in rows]

    def delete_item(self, table: str, pk: str) -> bool:
        with self.transaction() as db:
            return db.execute("DELETE FROM table_items WHERE table_name = ? AND pk = ?", (table, pk)).rowcount > 0

    def drop_items(self, table: str) -> None:
        with self.transaction() as db:
            db.execute("DELETE FROM table_items WHERE table_name = ?", (table,))

    # -- profiles -------------------------------------------------------------------------
    def merge_profiles(self, kind: str, profile_id: str, profiles: dict[str, dict[str, Any]]) -> int:
        with self.transaction() as db:
            for target_id, values in profiles.items():
                row = db.execute(
                    "SELECT profile FROM profiles WHERE kind = ? AND profile_id = ? AND target_id = ?",
                    (kind, profile_id, target_id),
                ).fetchone()
                merged = {**(orjson.loads(row["profile"]) if row else {}), **values}
                db.execute(
                    "INSERT OR REPLACE INTO profiles(kind, profile_id, target_id, profile) VALUES (?, ?, ?, ?)",
                    (kind, profile_id, target_id, dumps_storable(merged)),
                )
        return len(profiles)

    def get_profiles(self, kind: str, profile_id: str, target_ids: list[str]) -> dict[str, dict[str, Any]]:
        target_ids = [t for t in target_ids if _encodable(t)]  # a lone surrogate names nothing stored
        if not target_ids or not _encodable(profile_id):
            return {}
        found: dict[str, dict[str, Any]] = {}
        for start in range(0, len(target_ids), _IN_CHUNK):  # SQLite caps the variables of one query
            chunk = target_ids[start : start + _IN_CHUNK]
            rows = self._read(
                "SELECT target_id, profile FROM profiles WHERE kind = ? AND profile_id = ? "
                f"AND target_id IN ({','.join('?' * len(chunk))})",
                (kind, profile_id, *chunk),
            )
            found.update({row["target_id"]: orjson.loads(row["profile"]) for row in rows})
        return found

    # -- idempotency keys -----------------------------------------------------------------
    # A key is reserved (status 0) before its request runs, atomically, so a repeat cannot
    # run it a second time; then the answer is remembered, or the reservation released.
    def reserve(self, username: str, key: str) -> bool:
        """Reserve ``key``; False when another request holds or answered it already."""
        with self.transaction() as db:
            cursor = db.execute(
                "INSERT OR IGNORE INTO idempotency(username, key, status, body, created_at) VALUES (?, ?, 0, ?, ?)",
                (username, key, b"", now_iso()),
            )
            return cursor.rowcount == 1

    def remembered(self, username: str, key: str) -> tuple[int, bytes] | None:
        """The answer kept for ``key``: ``(0, b"")`` while its request still runs; None when unknown."""
        rows = self._read("SELECT status, body FROM idempotency WHERE username = ? AND key = ?", (username, key))
        return (rows[0]["status"], rows[0]["body"]) if rows else None

    def remember(self, username: str, key: str, status: int, body: bytes) -> None:
        with self.transaction() as db:
            db.execute(
                "UPDATE idempotency SET status = ?, body = ? WHERE username = ? AND key = ?",
                (status, body, username, key),
            )

    def release(self, username: str, key: str) -> None:
        """Drop the reservation of a request that failed, so that a retry may run it."""
        with self.transaction() as db:
            db.execute("DELETE FROM idempotency WHERE username = ? AND key = ? AND status = 0", (username, key))

    def release_all_pending(self) -> None:
        """At start-up: reservations of requests that a crash cut short."""
        with self.transaction() as db:
            db.execute("DELETE FROM idempotency WHERE status = 0")
