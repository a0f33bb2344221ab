"""``LogicProcessor``: evaluates the JSON-logic dialect of the original SDK, asynchronously.

A logic node is ``{"op": args}``; anything else is a literal. ``pf`` (profile lookups)
and ``dynamodb`` await their clients, and sibling arguments that contain lookups are
evaluated concurrently, so a logic that reads several feature groups costs one round
trip, not one per group. Clients may be async or sync (the original SDK's).
"""

from __future__ import annotations

import asyncio
import inspect
from typing import Any

from mls_async.logic.operations import OPERATIONS

__all__ = ["LogicProcessor", "LogicError", "ALLOWED_TOP_LEVEL"]

SPECIAL = ("var", "missing", "missing_some", "pf", "graph", "dynamodb", "if", "with", "for")
IO_OPERATORS = frozenset({"pf", "graph", "dynamodb"})
ALLOWED_TOP_LEVEL = frozenset({"var", "missing", "missing_some", "pf", "with", "for", "if", *OPERATIONS})


class LogicError(ValueError):
    """A logic is malformed (unknown operator, wrong arity)."""


def _operator(node: Any) -> str | None:
    if isinstance(node, dict) and len(node) == 1:
        return next(iter(node))
    return None


def _has_io(node: Any) -> bool:
    if isinstance(node, dict):
        op = _operator(node)
        if op in IO_OPERATORS:
            return True
        return any(_has_io(v) for v in node.values())
    if isinstance(node, (list, tuple)):
        return any(_has_io(v) for v in node)
    return False


def validate_logic(logic: Any, name: str) -> None:
    """Check every operator of ``logic`` exists; raise ``LogicError`` naming the first that does not."""
    if isinstance(logic, dict):
        for op, args in logic.items():
            if op not in SPECIAL and op not in OPERATIONS:
                raise LogicError(f"{name}: unknown operator {op!r}")
            validate_logic(args, name)
    elif isinstance(logic, (list, tuple)):
        for item in logic:
            validate_logic(item, name)


async def _maybe_await(value: Any) -> Any:
    return await value if inspect.isawaitable(value) else value


class LogicProcessor:
    """Evaluate logic against ``data`` with optional ``pf_client``/``graph_client``/``dynamodb_client``."""

    def __init__(self, pf_client: Any = None, graph_client: Any = None, dynamodb_client: Any = None,
                 *, io_cache: dict[int, tuple[Any, bool]] | None = None) -> None:
        self.pf_client = pf_client
        self.graph_client = graph_client
        self.dynamodb_client = dynamodb_client
        # Whether a logic node contains lookups, keyed by id(node); the entry holds the node, so
        # its id cannot be reused. A model passes one cache for all its predictions.
        self._io_cache = io_cache if io_cache is not None else {}

    def _io(self, node: Any) -> bool:
        entry = self._io_cache.get(id(node))
        if entry is None or entry[0] is not node:
            entry = self._io_cache[id(node)] = (node, _has_io(node))
        return entry[1]

    @classmethod
    async def apply(cls, logic: Any, data: dict | None = None, pf_client: Any = None, graph_client: Any = None,
                    dynamodb_client: Any = None) -> Any:
        """Evaluate ``logic`` once (the original SDK's entry point)."""
        return await cls(pf_client, graph_client, dynamodb_client).evaluate(logic, data if data is not None else {})

    async def evaluate(self, node: Any, data: dict) -> Any:
        if isinstance(node, (list, tuple)):
            return [await self.evaluate(v, data) for v in node] if not self._io(node) else list(
                await asyncio.gather(*(self.evaluate(v, data) for v in node)))
        op = _operator(node)
        if op is None:
            return node
        raw = node[op]
        args = list(raw) if isinstance(raw, (list, tuple)) else [raw]
        if op == "if":
            return await self._if(args, data)
        if op == "with":
            return await self._with(args, data)
        if op == "for":
            return await self._for(args, data)
        if self._io(raw):
            values = list(await asyncio.gather(*(self.evaluate(a, data) for a in args)))
        else:
            values = [await self.evaluate(a, data) for a in args]
        if op == "var":
            return self._var(values, data)
        if op == "missing":
            return [name for name in _names(values) if self._var([name, None], data) is None]
        if op == "missing_some":
            needed, names = values[0], values[1]
            missing = [name for name in names if self._var([name, None], data) is None]
            return missing if len(names) - len(missing) < needed else []
        if op == "pf":
            return await self._pf(values)
        if op == "graph":
            return await self._graph(values)
        if op == "dynamodb":
            return await self._dynamodb(values)
        function = OPERATIONS.get(op)
        if function is None:
            raise LogicError(f"unknown operator {op!r}")
        return function(*values)

    @staticmethod
    def _var(values: list, data: dict) -> Any:
        if not values:
            return data
        path, default = values[0], values[1] if len(values) > 1 else None
        if path is None or path == "":
            return data
        current: Any = data
        for part in str(path).split("."):
            if isinstance(current, dict) and part in current:
                current = current[part]
                continue
            try:
                current = current[int(part)]
            except (ValueError, TypeError, IndexError, KeyError):
                return default
        return default if current is None else current

    async def _if(self, args: list, data: dict) -> Any:
        for i in range(0, len(args) - 1, 2):
            if await self.evaluate(args[i], data):
                return await self.evaluate(args[i + 1], data)
        return await self.evaluate(args[-1], data) if len(args) % 2 == 1 else None

    async def _with(self, args: list, data: dict) -> Any:
        if len(args) % 2 == 0:
            raise LogicError("'with' takes name/value pairs and then a body: an odd number of arguments")
        names = args[:-1:2]
        saved = {name: data[name] for name in names if name in data}
        try:
            for name, expression in zip(args[:-1:2], args[1:-1:2]):
                data[name] = await self.evaluate(expression, data)
            return await self.evaluate(args[-1], data)
        finally:
            for name in names:
                data.pop(name, None)
            data.update(saved)

    async def _for(self, args: list, data: dict) -> list:
        iterable, body = await self.evaluate(args[0], data), args[1]
        saved = {name: data[name] for name in ("i", "k", "v") if name in data}
        results = []
        try:
            for element in iterable or []:
                data["i"] = element
                if isinstance(iterable, dict):
                    data["k"], data["v"] = element, iterable[element]
                results.append(await self.evaluate(body, data))
        finally:
            for name in ("i", "k", "v"):
                data.pop(name, None)
            data.update(saved)
        return results

    async def _pf(self, values: list) -> Any:
        if self.pf_client is None or len(values) != 4:
            return None
        api_type, profile_id, target_id, keys = values
        keys = keys if isinstance(keys, list) else [keys]
        try:
            if api_type == "user":
                profile = await _maybe_await(self.pf_client.get_user_profile(profile_id, str(target_id), keys))
            elif api_type == "item":
                profile = await _maybe_await(self.pf_client.get_item_profile(profile_id, str(target_id), keys))
            else:
                profile = await _maybe_await(self.pf_client.get_profile(profile_id, str(target_id), keys))
        except Exception:  # a missing profile reads as None, like a missing var
            return None
        return [profile.get(key) for key in keys]

    async def _graph(self, values: list) -> Any:
        if self.graph_client is None or not values:
            return None
        request_type, params = values[0], _make_params(values[1:])
        try:
            method = self.graph_client.list_vertices if request_type == "vertex" else self.graph_client.list_edges
            entities = await _maybe_await(method(params))
        except Exception:
            return None
        return [e.get() if hasattr(e, "get") else e for e in entities]

    async def _dynamodb(self, values: list) -> Any:
        if self.dynamodb_client is None or len(values) < 2:
            return None
        request_type, table, body = values[0], values[1], _make_params(values[2:])
        try:
            if request_type == "get":
                return (await _maybe_await(self.dynamodb_client.get_item(table, body)))["item"]
            method = self.dynamodb_client.put_item if request_type == "put" else self.dynamodb_client.update_item
            return await _maybe_await(method(table, body))
        except Exception:
            return None


def _names(values: list) -> list:
    return values[0] if len(values) == 1 and isinstance(values[0], list) else values


def _make_params(pairs: list) -> dict:
    return dict(zip(pairs[0::2], pairs[1::2]))
