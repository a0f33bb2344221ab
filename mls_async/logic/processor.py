"""``LogicProcessor``: evaluates the JSON-logic dialect of the original SDK, asynchronously.

A logic node is ``{"op": args}``; anything else is a literal. ``pf`` (profile lookups)
and ``dynamodb`` await their clients, and sibling arguments that contain lookups are
evaluated concurrently, so a logic that reads several feature groups costs one round
trip, not one per group. Clients may be async or sync (the original SDK's).
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, cast

import anyio

from mls_async._exceptions import MLSModelError, MLSNotFoundError
from mls_async.logic._node import NestedNode, NodeSlots, PendingNode
from mls_async.logic.operations import OPERATIONS, make_dict

__all__ = [
    "LogicProcessor",
    "LogicError",
    "ALLOWED_TOP_LEVEL",
    "Compiled",
    "NodeFactory",
    "StartInto",
    "compile_logic",
    "on_asyncio",
]

SPECIAL = ("var", "missing", "missing_some", "pf", "graph", "dynamodb", "if", "with", "for")
ALLOWED_TOP_LEVEL = frozenset({"var", "missing", "missing_some", "pf", "with", "for", "if", *OPERATIONS})


class LogicError(MLSModelError, ValueError):
    """A logic is malformed, or an operator failed on its arguments (the message names both)."""


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


Run = Callable[["LogicProcessor", dict[str, Any]], Any]
StartInto = Callable[["LogicProcessor", dict[str, Any], NodeSlots, int], None]
NodeFactory = Callable[
    [int, Callable[[Any, list[Any], Any], Any] | None, "LogicProcessor", dict[str, Any]], PendingNode
]


@dataclass(frozen=True)
class Compiled:
    """A logic node turned into a function of (processor, data).

    ``is_async`` is False for pure subtrees: ``run`` returns the value itself, with no
    coroutine or task. Otherwise ``run`` returns an awaitable; only lookups and the
    nodes above them are async.
    """

    run: Run
    is_async: bool
    # run() starts every lookup beneath it at once; its awaitable only collects the answers.
    eager: bool = False
    # An eager subtree that can answer straight into a node's slot: (processor, data, node, index).
    start_into: StartInto | None = None
    # The names of ``data`` this subtree may read (a dotted path's first part); None: any name.
    reads: frozenset[str] | None = frozenset()
    # A literal: ``run`` returns the same value whatever the data.
    literal: bool = False
    # An eager node's ``run`` with the awaited node built by the given factory: (make, processor, data).
    start_node: Callable[[NodeFactory, LogicProcessor, dict[str, Any]], PendingNode] | None = None
    # An async node's evaluation off asyncio (trio): a coroutine function of (processor, data), see ``_portable``.
    portable: Callable[[LogicProcessor, dict[str, Any]], Awaitable[Any]] | None = None


def _arguments(raw: Any) -> list[Any]:
    return list(raw) if isinstance(raw, (list, tuple)) else [raw]


Finish = Callable[["LogicProcessor", list[Any], dict[str, Any]], Any]


def _fill(node: NodeSlots, children: list[Compiled], processor: LogicProcessor, data: dict[str, Any]) -> None:
    """Run every argument of ``node`` now: pure ones into their slots, the rest answering into them later."""
    values = node.values
    index = 0
    for child in children:
        if not child.is_async:
            values[index] = child.run(processor, data)
        elif child.start_into is not None:
            child.start_into(processor, data, node, index)
        else:
            node.watch(index, child.run(processor, data))
        index += 1


def _start_eager(
    children: list[Compiled],
    finish: Finish | None,
    processor: LogicProcessor,
    data: dict[str, Any],
    make: NodeFactory = PendingNode,
) -> PendingNode:
    """The node a caller awaits: every argument runs now, the lookups beneath answer into it (see ``_node``).

    ``make`` builds the node (a :class:`PendingNode` subclass that does more once complete, say).
    """
    node = make(len(children), finish, processor, data)
    try:
        _fill(node, children, processor, data)
    except BaseException:
        node.cancel()
        raise
    return node.started()


def _start_nested(
    children: list[Compiled],
    finish: Finish | None,
    processor: LogicProcessor,
    data: dict[str, Any],
    parent: NodeSlots,
    index: int,
) -> None:
    """An eager node beneath another: its value goes into the parent's slot ``index`` (no future of its own)."""
    nested = NestedNode(len(children), finish, processor, data, parent, index)
    try:
        _fill(nested, children, processor, data)
    except BaseException:
        nested.cancel_arguments()
        raise
    if nested.pending == 0:  # every argument was pure: the value is here already, as a pure argument's
        parent.values[index] = nested.finished()
    else:
        parent.values[index] = nested  # reachable for cancelling while it waits
        parent.pending += 1


def _eager_node(children: list[Compiled], finish: Finish | None) -> Compiled:
    def start_node(make: NodeFactory, processor: LogicProcessor, data: dict[str, Any]) -> PendingNode:
        return _start_eager(children, finish, processor, data, make)

    return Compiled(
        functools.partial(_start_eager, children, finish),
        True,
        True,
        functools.partial(_start_nested, children, finish),
        start_node=start_node,
        portable=functools.partial(_portable_start, children, finish),
    )


def _values(children: list[Compiled], processor: LogicProcessor, data: dict[str, Any]) -> Awaitable[list[Any]]:
    """Evaluate arguments: pure ones inline, the async ones concurrently (sibling lookups in parallel)."""
    return _start(children, None, processor, data)


def _start(
    children: list[Compiled], finish: Finish | None, processor: LogicProcessor, data: dict[str, Any]
) -> Awaitable[Any]:
    """Run every argument now (each lookup beneath starts at once), then collect them in one coroutine.

    Plain loops, no comprehensions: thousands of predictions wait in :func:`_collect` at
    once, and what its frame holds meanwhile is what the garbage collector scans.
    """
    values: list[Any] = []
    try:
        for child in children:
            values.append(child.run(processor, data))
    except BaseException:
        _abandon(values)
        raise
    return _collect(children, values, finish, processor, data)


async def _collect(
    children: list[Compiled], values: list[Any], finish: Finish | None, processor: LogicProcessor, data: dict[str, Any]
) -> Any:
    """Await the started arguments in turn (their lookups are in flight together); lazy ones concurrently."""
    try:
        lazy = 0
        for child in children:
            if child.is_async and not child.eager:
                lazy += 1
        if lazy > 1:  # subtrees that start only when run (if/with/for): run them concurrently
            indexes, awaitables = [], []
            for index, child in enumerate(children):
                if child.is_async and not child.eager:
                    indexes.append(index)
                    awaitables.append(values[index])
            done = await asyncio.gather(*awaitables)
            for index, value in zip(indexes, done):
                values[index] = value
        index = 0
        while index < len(children):
            if children[index].is_async and (lazy <= 1 or children[index].eager):
                values[index] = await values[index]
            index += 1
    except BaseException:
        _abandon(values)
        raise
    return values if finish is None else finish(processor, values, data)


def _abandon(values: list[Any]) -> None:
    """Close what a failed node started and will not await: no 'never awaited' warnings, no lost errors."""
    for value in values:
        if asyncio.iscoroutine(value):
            value.close()
        elif asyncio.isfuture(value) and not value.done():
            value.cancel()
        elif asyncio.isfuture(value) and not value.cancelled():
            value.exception()  # retrieved: its error is the failure being raised, or beside it


def _eager(children: list[Compiled]) -> bool:
    return all(child.eager for child in children if child.is_async)


def _pure_values(children: list[Compiled]) -> Callable[[LogicProcessor, dict[str, Any]], list[Any]]:
    """The values of pure arguments as a function: literals are taken once, here; the rest run each time."""
    template = [_literal_value(child) if child.literal else None for child in children]
    computed = [(index, child.run) for index, child in enumerate(children) if not child.literal]

    def values(processor: LogicProcessor, data: dict[str, Any]) -> list[Any]:
        filled = template.copy()
        for index, run in computed:
            filled[index] = run(processor, data)
        return filled

    return values


def _literal_value(child: Compiled) -> Any:
    return child.run(LogicProcessor(), {})  # a literal reads neither


def _with_values(children: list[Compiled], finish: Finish) -> Compiled:
    """A node whose arguments are all evaluated first, then combined by ``finish``."""
    if not any(child.is_async for child in children):
        values = _pure_values(children)
        return Compiled(lambda p, d: finish(p, values(p, d), d), False)
    if _eager(children):
        return _eager_node(children, finish)
    return Compiled(
        functools.partial(_start, children, finish), True, portable=functools.partial(_portable_start, children, finish)
    )


def _lookup(
    children: list[Compiled],
    method: Callable[[LogicProcessor, list[Any]], Awaitable[Any]],
    portable_method: Callable[[LogicProcessor, list[Any]], Awaitable[Any]] | None = None,
) -> Compiled:
    async def run(processor: LogicProcessor, data: dict[str, Any]) -> Any:
        return await method(processor, await _values(children, processor, data))

    off_asyncio = portable_method or method

    async def portable(processor: LogicProcessor, data: dict[str, Any]) -> Any:
        return await off_asyncio(processor, await _portable_values(children, processor, data))

    return Compiled(run, True, portable=portable)


def _profile_lookup(children: list[Compiled]) -> Compiled:
    """``pf``: started as soon as its arguments are known, through :meth:`LogicProcessor.pf`."""
    if any(child.is_async for child in children):
        return _lookup(
            children, lambda p, values: cast("Awaitable[Any]", p.pf(values)), lambda p, values: p._pf_read(values)
        )

    def start(processor: LogicProcessor, data: dict[str, Any]) -> Awaitable[Any]:
        arguments = []
        for child in children:
            arguments.append(child.run(processor, data))
        return cast("Awaitable[Any]", processor.pf(arguments))

    def start_into(processor: LogicProcessor, data: dict[str, Any], node: NodeSlots, index: int) -> None:
        arguments = []
        for child in children:
            arguments.append(child.run(processor, data))
        processor.pf(arguments, node, index)

    async def portable(processor: LogicProcessor, data: dict[str, Any]) -> Any:
        return await processor._pf_read([child.run(processor, data) for child in children])

    return Compiled(start, True, True, _known_profile_lookup(children) or start_into, portable=portable)


def _known_profile_lookup(children: list[Compiled]) -> Callable[..., None] | None:
    """``start_into`` of a ``pf`` whose type, profile and keys are literals (the usual form): only the id is run."""
    if len(children) != 4 or not all(children[i].literal for i in (0, 1, 3)) or children[2].is_async:
        return None
    api_type, profile_id, keys = (_literal_value(children[i]) for i in (0, 1, 3))
    if api_type not in ("user", "item") or not isinstance(keys, list):
        return None  # keys that are no list fail where the lookup runs, as in the original
    target = children[2].run

    def start_into(processor: LogicProcessor, data: dict[str, Any], node: NodeSlots, index: int) -> None:
        processor.lookup(api_type, profile_id, target(processor, data), keys, node, index)

    return start_into


def _if(children: list[Compiled]) -> Compiled:
    conditions = children[0:-1:2]
    branches = children[1::2]
    otherwise = children[-1] if len(children) % 2 == 1 else None
    if not any(child.is_async for child in children):

        def run(processor: LogicProcessor, data: dict[str, Any]) -> Any:
            for condition, branch in zip(conditions, branches):
                if condition.run(processor, data):
                    return branch.run(processor, data)
            return otherwise.run(processor, data) if otherwise is not None else None

        return Compiled(run, False)

    def make(evaluated: Evaluated) -> Callable[[LogicProcessor, dict[str, Any]], Awaitable[Any]]:
        async def run_async(processor: LogicProcessor, data: dict[str, Any]) -> Any:
            for condition, branch in zip(conditions, branches):
                if await evaluated(condition, processor, data):
                    return await evaluated(branch, processor, data)
            return await evaluated(otherwise, processor, data) if otherwise is not None else None

        return run_async

    return Compiled(make(_evaluated), True, portable=make(_portable_evaluated))


async def _evaluated(compiled: Compiled, processor: LogicProcessor, data: dict[str, Any]) -> Any:
    result = compiled.run(processor, data)
    return await result if compiled.is_async else result


async def _portable_evaluated(compiled: Compiled, processor: LogicProcessor, data: dict[str, Any]) -> Any:
    """:func:`_evaluated` off asyncio (trio): async nodes run their ``portable`` form."""
    if not compiled.is_async:
        return compiled.run(processor, data)
    assert compiled.portable is not None, "every async node has a portable form"
    return await compiled.portable(processor, data)


Evaluated = Callable[[Compiled, "LogicProcessor", dict[str, Any]], Awaitable[Any]]


async def _portable_values(children: list[Compiled], processor: LogicProcessor, data: dict[str, Any]) -> list[Any]:
    """Evaluate arguments off asyncio: pure ones inline, async ones concurrently (sibling lookups in parallel).

    As on asyncio, every argument runs to its end and the first failed one (by position) is the error.
    """
    values: list[Any] = [None] * len(children)
    waiting = [index for index, child in enumerate(children) if child.is_async]
    for index, child in enumerate(children):
        if not child.is_async:
            values[index] = child.run(processor, data)
    if len(waiting) == 1:
        values[waiting[0]] = await _portable_evaluated(children[waiting[0]], processor, data)
    elif waiting:
        errors: dict[int, Exception] = {}

        async def one(index: int) -> None:
            try:
                values[index] = await _portable_evaluated(children[index], processor, data)
            except Exception as exc:
                errors[index] = exc

        async with anyio.create_task_group() as group:
            for index in waiting:
                group.start_soon(one, index)
        if errors:
            raise errors[min(errors)]
    return values


async def _portable_start(
    children: list[Compiled], finish: Finish | None, processor: LogicProcessor, data: dict[str, Any]
) -> Any:
    values = await _portable_values(children, processor, data)
    return values if finish is None else finish(processor, values, data)


def on_asyncio() -> bool:
    """Whether the running event loop is asyncio's (or uvloop's): else (trio) logic takes its portable form."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def _with(children: list[Compiled]) -> Compiled:
    if len(children) % 2 == 0:
        raise LogicError("'with' takes name/value pairs and then a body: an odd number of arguments")
    names, expressions, body = children[0:-1:2], children[1:-1:2], children[-1]

    # As in the original, the names are removed afterwards (an outer binding of the same name too).
    if not any(child.is_async for child in children):

        def run(processor: LogicProcessor, data: dict[str, Any]) -> Any:
            bound = [name.run(processor, data) for name in names]
            try:
                for name, expression in zip(bound, expressions):
                    data[name] = expression.run(processor, data)
                return body.run(processor, data)
            finally:
                for name in bound:
                    data.pop(name, None)

        return Compiled(run, False)

    def make(evaluated: Evaluated) -> Callable[[LogicProcessor, dict[str, Any]], Awaitable[Any]]:
        async def run_async(processor: LogicProcessor, data: dict[str, Any]) -> Any:
            bound = [name.run(processor, data) for name in names]
            try:
                for name, expression in zip(bound, expressions):
                    data[name] = await evaluated(expression, processor, data)
                return await evaluated(body, processor, data)
            finally:
                for name in bound:
                    data.pop(name, None)

        return run_async

    return Compiled(make(_evaluated), True, portable=make(_portable_evaluated))


_LOOP_NAMES = ("i", "k", "v")


def _iterable(value: Any) -> Any:
    if value is None or not hasattr(value, "__iter__"):
        raise LogicError(f"'for' needs a list or dict to loop over, got {value!r}")
    return value


def _for(children: list[Compiled]) -> Compiled:
    if len(children) != 2:
        raise LogicError("'for' takes an iterable and a body: two arguments")
    source, body = children

    def bind(data: dict[str, Any], iterable: Any, element: Any) -> None:
        data["i"] = element
        if isinstance(iterable, dict):
            data["k"], data["v"] = element, iterable[element]

    def unbind(data: dict[str, Any]) -> None:  # as in the original: removed afterwards, outer ones too
        for name in _LOOP_NAMES:
            data.pop(name, None)

    if not any(child.is_async for child in children):

        def run(processor: LogicProcessor, data: dict[str, Any]) -> list[Any]:
            iterable = source.run(processor, data)
            results = []
            try:
                for element in _iterable(iterable):
                    bind(data, iterable, element)
                    results.append(body.run(processor, data))
            finally:
                unbind(data)
            return results

        return Compiled(run, False)

    def make(evaluated: Evaluated) -> Callable[[LogicProcessor, dict[str, Any]], Awaitable[list[Any]]]:
        async def run_async(processor: LogicProcessor, data: dict[str, Any]) -> list[Any]:
            iterable = await evaluated(source, processor, data)
            results = []
            try:
                for element in _iterable(iterable):
                    bind(data, iterable, element)
                    results.append(await evaluated(body, processor, data))
            finally:
                unbind(data)
            return results

        return run_async

    return Compiled(make(_evaluated), True, portable=make(_portable_evaluated))


def _operation(op: str, children: list[Compiled]) -> Compiled:
    function = OPERATIONS.get(op)
    if function is None:
        raise LogicError(f"unknown operator {op!r}")

    def call(values: list[Any]) -> Any:
        try:
            return function(*values)
        except Exception as exc:
            raise LogicError(f"operator {op!r} failed on {_shown(values)}: {type(exc).__name__}: {exc}") from exc

    if not any(child.is_async for child in children):
        values = _pure_values(children)
        return Compiled(lambda p, d: call(values(p, d)), False)
    if _eager(children):
        return _eager_node(children, lambda p, values, d: call(values))
    return Compiled(
        functools.partial(_start, children, lambda p, values, d: call(values)),
        True,
        portable=functools.partial(_portable_start, children, lambda p, values, d: call(values)),
    )


def _shown(values: list[Any]) -> str:
    text = repr(values)
    return text if len(text) <= 200 else text[:200] + "...]"


def compile_logic(node: Any) -> Compiled:
    """Turn a logic node into a :class:`Compiled` function, once.

    As in the original SDK, anything but a dict is a literal (a list is returned as it
    is, logic inside it unevaluated) and a dict's first key is its operator.
    """
    if not isinstance(node, dict) or not node:
        return Compiled(lambda p, d: node, False, literal=True)
    op = next(iter(node))
    children = [compile_logic(argument) for argument in _arguments(node[op])]
    compiled = _compile_operator(op, node, children)
    return dataclasses.replace(compiled, reads=_reads(op, _arguments(node[op]), children))


def _reads(op: str, arguments: list[Any], children: list[Compiled]) -> frozenset[str] | None:
    """The data names a node may read: its own (``var``, ``missing``, ``missing_some``) and its children's.

    A name computed by logic could be any name: None. Names are taken as the evaluator
    takes them, ``str(name)`` up to the first dot.
    """
    names: set[str] = set()
    for child in children:
        if child.reads is None:
            return None
        names |= child.reads
    if op == "var":
        read = arguments[:1]
    elif op == "missing":
        read = arguments[0] if arguments and isinstance(arguments[0], list) else arguments
    elif op == "missing_some":
        read = arguments[1] if len(arguments) > 1 and isinstance(arguments[1], list) else [None]
    else:
        read = []
    for name in read:
        if not isinstance(name, (str, int, float)) or isinstance(name, bool):
            return None
        names.add(str(name).split(".", 1)[0])
    return frozenset(names)


def _compile_operator(op: str, node: dict[str, Any], children: list[Compiled]) -> Compiled:
    if op == "if":
        return _if(children)
    if op == "with":
        return _with(children)
    if op == "for":
        return _for(children)
    if op == "var":
        if 1 <= len(children) <= 2 and all(child.literal for child in children):
            return _literal_var(*(_literal_value(child) for child in children))
        return _with_values(children, lambda p, values, data: p._var(values, data))
    if op == "missing":
        return _with_values(
            children,
            lambda p, values, data: [name for name in _names(values) if p._var([name, _ABSENT], data) is _ABSENT],
        )
    if op == "missing_some":
        return _with_values(children, lambda p, values, data: _missing_some(p, values, data))
    if op == "pf":
        return _profile_lookup(children)
    if op == "graph":
        return _lookup(children, lambda p, values: p._graph(values))
    if op == "dynamodb":
        return _lookup(children, lambda p, values: p._dynamodb(values))
    return _operation(op, children)


def _literal_var(name: Any, default: Any = None) -> Compiled:
    """``{"var": name}`` (or ``[name, default]``) with a literal name: the path is split once, here."""
    parts = str(name).split(".")
    if len(parts) == 1:  # the common {"var": "feature"}: one dict lookup
        key = parts[0]
        return Compiled(lambda p, d: d.get(key, default), False)
    return Compiled(lambda p, d: _path_var(d, parts, default), False)


def _path_var(data: dict[str, Any], parts: list[str], default: Any) -> Any:
    """What :meth:`LogicProcessor._var` answers for a path already split."""
    current: Any = data
    try:
        for key in parts:
            try:
                current = current[key]
            except TypeError:
                current = current[int(key)]
    except (KeyError, TypeError, ValueError, IndexError):
        return default
    return current


_ABSENT = object()  # what "missing" looks for: a present None is present


def _pf_keys(keys: Any) -> list[Any]:
    """A ``pf``'s keys: a list of feature names, or an error as the original's client gives."""
    if not isinstance(keys, list):
        raise LogicError(f"'pf' takes its keys as a list of feature names, got {keys!r}")
    return keys


def _missing_some(processor: LogicProcessor, values: list[Any], data: dict[str, Any]) -> list[Any]:
    needed, names = values[0], values[1]
    if needed < 1:
        return []
    found, missing = 0, []
    for name in names:
        if processor._var([name, _ABSENT], data) is _ABSENT:
            missing.append(name)
        else:
            found += 1
            if found >= needed:
                return []
    return missing


class LogicProcessor:
    """Evaluate logic against ``data`` with optional ``pf_client``/``graph_client``/``dynamodb_client``.

    Each logic node is compiled once (:func:`compile_logic`); a model passes one
    ``cache`` for all its predictions, so that a prediction only runs functions.
    """

    def __init__(
        self,
        pf_client: Any = None,
        graph_client: Any = None,
        dynamodb_client: Any = None,
        *,
        cache: dict[int, tuple[Any, Compiled]] | None = None,
    ) -> None:
        self.pf_client = pf_client
        self.graph_client = graph_client
        self.dynamodb_client = dynamodb_client
        # Looked up once: a processor serves every prediction of a model with these clients.
        self._lookup_values = getattr(pf_client, "lookup_values", None)
        self._lookup_into = getattr(pf_client, "lookup_into", None)
        # Compiled logic keyed by id(node); the entry holds the node, so its id cannot be reused.
        self._cache = cache if cache is not None else {}

    def compiled(self, node: Any) -> Compiled:
        entry = self._cache.get(id(node))
        if entry is None or entry[0] is not node:
            entry = self._cache[id(node)] = (node, compile_logic(node))
        return entry[1]

    @classmethod
    async def apply(
        cls,
        logic: Any,
        data: dict[str, Any] | None = None,
        pf_client: Any = None,
        graph_client: Any = None,
        dynamodb_client: Any = None,
    ) -> Any:
        """Evaluate ``logic`` once (the original SDK's entry point)."""
        return await cls(pf_client, graph_client, dynamodb_client).evaluate(logic, data if data is not None else {})

    async def evaluate(self, node: Any, data: dict[str, Any]) -> Any:
        """``node``'s value for ``data``; on asyncio, uvloop and trio alike."""
        evaluated = _evaluated if on_asyncio() else _portable_evaluated
        return await evaluated(self.compiled(node), self, data)

    @staticmethod
    def _var(values: list[Any], data: dict[str, Any]) -> Any:
        """``var``: a dotted path into ``data`` (list parts as indexes); its value, None included.

        What is not found gives the default (second argument). As in the original, ints
        are not keys of dicts (``"a.1"`` does not find ``{"a": {1: ...}}``).
        """
        if not values or len(values) > 2:
            raise LogicError(f"'var' takes a name and an optional default, got {_shown(values)}")
        return _path_var(data, str(values[0]).split("."), values[1] if len(values) > 1 else None)

    def pf(self, values: list[Any], node: NodeSlots | None = None, index: int = 0) -> Awaitable[Any] | None:
        """The ``pf`` lookup of ``values`` (``[api_type, profile_id, target_id, keys]``), started now.

        What every ``pf`` node runs. A ``user``/``item`` lookup's keys must be a list (a
        :class:`LogicError` otherwise, as the original's client fails); it goes on through
        :meth:`lookup`. Any other form is read through the client's ``get_profile``.
        """
        if len(values) == 4 and values[0] in ("user", "item"):
            return self.lookup(values[0], values[1], values[2], _pf_keys(values[3]), node, index)
        return _answer(asyncio.ensure_future(self._read(values)), node, index)

    def lookup(
        self,
        api_type: str,
        profile_id: Any,
        target_id: Any,
        keys: list[Any],
        node: NodeSlots | None = None,
        index: int = 0,
    ) -> Awaitable[Any] | None:
        """The one way to a profile: ``[value per key]``, or None when nothing is found (or there is no client).

        With ``node`` the answer goes into its slot ``index`` (and None is returned), else
        an awaitable is. Our async profile client takes the lookup itself (``lookup_into``,
        ``lookup_values``): it merges it with its peers (single flight, and one batch request
        where the server announces its batch route), answers straight into the node's slot,
        and withdraws it when the node's caller is cancelled (:mod:`mls_async._coalesce`).
        Other clients, sync or async, are read through ``get_user_profile``/``get_item_profile``
        (:meth:`_read`), in a task the node cancels with its caller.
        """
        into = self._lookup_into
        if node is not None and into is not None and into(api_type, profile_id, target_id, keys, node, index):
            node.pending += 1
            return None
        start = self._lookup_values
        answer: Awaitable[Any]
        if start is not None:
            answer = start(api_type, profile_id, target_id, keys)
            if not asyncio.isfuture(answer):  # a sync client answered at once
                answer = _done(answer)
        else:
            answer = asyncio.ensure_future(self._read([api_type, profile_id, target_id, keys]))
        return _answer(answer, node, index)

    async def _pf_read(self, values: list[Any]) -> Any:
        """:meth:`pf` off asyncio (trio): the same checks, then the client's public reads."""
        if len(values) == 4 and values[0] in ("user", "item"):
            _pf_keys(values[3])
        return await self._read(values)

    async def _read(self, values: list[Any]) -> Any:
        """A ``pf`` through the client's public reads, with the original's keyword names (its clients work too)."""
        if self.pf_client is None or len(values) != 4:
            return None
        api_type, profile_id, target_id, keys = values
        keys = _pf_keys(keys)
        client = self.pf_client
        try:  # the target id goes as it is
            if api_type == "user":
                profile = await _maybe_await(
                    client.get_user_profile(profile_id=profile_id, user_id=target_id, keys=keys)
                )
            elif api_type == "item":
                profile = await _maybe_await(
                    client.get_item_profile(profile_id=profile_id, item_id=target_id, keys=keys)
                )
            else:
                profile = await _maybe_await(client.get_profile(profile_id=profile_id, id=target_id, keys=keys))
        except Exception as exc:
            if _not_found(exc):  # a missing profile reads as None, like a missing var
                return None
            raise
        return [profile.get(key) for key in keys]

    async def _graph(self, values: list[Any]) -> Any:
        if self.graph_client is None or not values:
            return None
        request_type, params = values[0], make_dict(*values[1:])
        if request_type not in ("vertex", "edge"):
            return None
        try:
            method = self.graph_client.list_vertices if request_type == "vertex" else self.graph_client.list_edges
            entities = await _maybe_await(method(params))
        except Exception as exc:
            if _not_found(exc):
                return None
            raise
        return [e.get() if hasattr(e, "get") else e for e in entities]

    async def _dynamodb(self, values: list[Any]) -> Any:
        if self.dynamodb_client is None or len(values) < 2:
            return None
        request_type, table, body = values[0], values[1], make_dict(*values[2:])
        client = self.dynamodb_client
        try:
            if request_type == "get":
                return (await _maybe_await(client.get_item(table_name=table, key=body)))["item"]
            if request_type == "put":
                return await _maybe_await(client.put_item(table_name=table, item=body))
            if request_type == "update":
                return await _maybe_await(client.update_item(table_name=table, item=body))
            return None
        except Exception as exc:
            if _not_found(exc):
                return None
            raise


def _done(value: Any) -> asyncio.Future[Any]:
    done = asyncio.get_running_loop().create_future()
    done.set_result(value)
    return done


def _answer(answer: Awaitable[Any], node: NodeSlots | None, index: int) -> Awaitable[Any] | None:
    """``answer`` for the caller, or into ``node``'s slot ``index`` (the node cancels it with its caller)."""
    if node is None:
        return answer
    node.watch(index, answer)
    return None


def _not_found(exc: BaseException) -> bool:
    """A lookup that found nothing: ours (``MLSNotFoundError``) or any client error with code 404."""
    return isinstance(exc, MLSNotFoundError) or getattr(exc, "code", None) == 404 or getattr(exc, "status", None) == 404


def _names(values: list[Any]) -> list[Any]:
    return values[0] if values and isinstance(values[0], list) else values
