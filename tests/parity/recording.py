"""A recording front for the local server: every request it gets, as comparable facts.

Wraps the ASGI app, so the same recorder serves a real uvicorn on loopback (the
original SDK's requests) and our clients' requests alike.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

import orjson

from tests.conftest import serve

__all__ = ["Recorder", "Seen", "serve"]


@dataclass(frozen=True)
class Seen:
    """One request: method, path, query pairs, JSON body (or raw bytes), Authorization and apikey headers."""

    method: str
    path: str
    query: tuple[tuple[str, str], ...]
    body: Any
    authorization: str | None
    apikey: str | None = None

    def __str__(self) -> str:
        query = "&".join(f"{k}={v}" for k, v in self.query)
        body = orjson.dumps(self.body, option=orjson.OPT_SORT_KEYS).decode() if self.body is not None else ""
        return f"{self.method} {self.path}{'?' + query if query else ''} {body}"


def _decode(raw: bytes, content_type: str) -> Any:
    if not raw:
        return None
    if "json" in content_type:
        return orjson.loads(raw)
    return ("bytes", len(raw))


@dataclass
class Recorder:
    """ASGI middleware that records requests while ``recording`` is on."""

    app: Any
    seen: list[Seen] = field(default_factory=list)
    recording: bool = True
    _lock: threading.Lock = field(default_factory=threading.Lock)

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or not self.recording:
            return await self.app(scope, receive, send)
        chunks: list[bytes] = []
        more = True
        while more:
            message = await receive()
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        raw = b"".join(chunks)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        query = tuple(sorted(parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True)))
        with self._lock:
            self.seen.append(
                Seen(
                    scope["method"],
                    scope["path"],
                    query,
                    _decode(raw, headers.get("content-type", "")),
                    headers.get("authorization"),
                    headers.get("apikey"),
                )
            )
        replayed = False

        async def replay() -> dict:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": raw, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    def take(self) -> list[Seen]:
        with self._lock:
            taken, self.seen = self.seen, []
        return taken

    @contextmanager
    def paused(self) -> Iterator[None]:
        """Requests made inside (set-up, polling) are not recorded."""
        self.recording = False
        try:
            yield
        finally:
            self.recording = True
