"""A pending logic node: its lookups answer into its slots; errors by position; cancelling reaches its children."""

from __future__ import annotations

import asyncio

import pytest

from mls_async.logic._node import PendingNode


def _merge(processor, values, data):
    return [processor, *values, data]


async def test_slots_fill_in_any_order_and_the_node_finishes_once():
    node = PendingNode(3, _merge, "p", "d")
    node.values[0] = "pure"
    node.pending += 2
    node.started()
    node.deliver(2, "second")
    assert not node.done()
    node.deliver(1, "first")
    assert await node == ["p", "pure", "first", "second", "d"]
    node.deliver(1, "late")  # a late answer changes nothing
    assert node.result() == ["p", "pure", "first", "second", "d"]


async def test_the_first_failed_argument_by_position_is_the_error():
    node = PendingNode(3, None, None, None)
    node.pending += 3
    node.started()
    node.fail(2, KeyError("third"))
    node.fail(0, ValueError("first"))
    assert not node.done()  # waits for every argument, as awaiting them in order would
    node.deliver(1, "fine")
    with pytest.raises(ValueError, match="first"):
        await node


async def test_a_node_without_pending_arguments_completes_at_once_and_finish_errors_are_its_own():
    assert await PendingNode(1, None, None, None).started() == [None]

    def broken(processor, values, data):
        raise TypeError("finish failed")

    with pytest.raises(TypeError, match="finish failed"):
        await PendingNode(0, broken, None, None).started()


async def test_watched_futures_fill_slots_and_cancelling_the_node_cancels_them():
    loop = asyncio.get_running_loop()
    quick, slow = loop.create_future(), loop.create_future()
    node = PendingNode(2, None, None, None)
    node.watch(0, quick)
    node.watch(1, slow)
    node.started()
    quick.set_result(1)
    await asyncio.sleep(0)
    assert node.values[0] == 1 and not node.done()
    node.cancel()
    assert slow.cancelled() and node.cancelled()


async def test_a_cancelled_watched_future_cancels_the_node():
    future = asyncio.get_running_loop().create_future()
    node = PendingNode(1, None, None, None)
    node.watch(0, future)
    node.started()
    future.cancel()
    with pytest.raises(asyncio.CancelledError):
        await node


async def test_a_nested_node_delivers_into_its_parents_slot_without_a_future_of_its_own():
    from mls_async.logic._node import NestedNode

    root = PendingNode(2, _merge, "p", "d")
    root.values[0] = "pure"
    nested = NestedNode(2, lambda processor, values, data: sum(values), None, None, root, 1)
    root.values[1] = nested
    root.pending += 1
    nested.pending += 2
    root.started()
    nested.deliver(0, 1)
    assert not root.done() and not nested.done()
    nested.deliver(1, 2)  # the nested node completes: its sum lands in the root's slot at once
    assert root.done() and await root == ["p", "pure", 3, "d"]
    assert nested.done()  # done with the node awaited above it: later answers change nothing


async def test_a_nested_nodes_failure_is_its_parents_argument_error_by_position():
    from mls_async.logic._node import NestedNode

    root = PendingNode(2, None, None, None)
    first = NestedNode(1, None, None, None, root, 0)
    second = NestedNode(1, None, None, None, root, 1)
    root.values[:] = [first, second]
    root.pending, first.pending, second.pending = 2, 1, 1
    root.started()
    second.fail(0, KeyError("second"))
    first.fail(0, ValueError("first"))
    with pytest.raises(ValueError, match="first"):
        await root


def _root_over_a_nested_lookup():
    """A root node whose one argument is a nested node watching one pending lookup."""
    from mls_async.logic._node import NestedNode

    lookup = asyncio.get_running_loop().create_future()
    root = PendingNode(1, None, None, None)
    nested = NestedNode(1, None, None, None, root, 0)
    root.values[0] = nested
    root.pending += 1
    nested.watch(0, lookup)
    root.started()
    return root, nested, lookup


async def test_cancelling_the_root_reaches_futures_watched_by_nested_nodes():
    root, nested, lookup = _root_over_a_nested_lookup()
    root.cancel()
    assert lookup.cancelled() and root.cancelled() and nested.done()


async def test_a_cancelled_future_watched_by_a_nested_node_cancels_the_root():
    root, _, lookup = _root_over_a_nested_lookup()
    lookup.cancel()
    with pytest.raises(asyncio.CancelledError):
        await root


async def test_a_nested_node_whose_arguments_are_all_pure_answers_its_slot_at_once():
    from mls_async.logic.processor import LogicProcessor, _start_nested, compile_logic

    parent = PendingNode(1, None, None, None)
    _start_nested(
        [compile_logic(1), compile_logic({"var": "a"})],
        lambda p, values, d: values[0] + values[1],
        LogicProcessor(),
        {"a": 2},
        parent,
        0,
    )
    assert parent.values == [3] and parent.pending == 0
    assert await parent.started() == [3]


async def test_looked_up_values_wait_as_tuples_and_reach_the_logic_as_lists():
    import gc

    seen = []

    def keep(processor, values, data):
        seen.append(values)
        return values

    node = PendingNode(3, keep, None, None)
    node.values[2] = "pure"
    node.pending += 2
    node.started()
    node.deliver_values(0, (1.5, None))
    gc.collect()
    assert not gc.is_tracked(node.values[0])  # a tuple of plain values: nothing for the collector to scan
    node.deliver_values(1, (2.5,))
    assert await node == [[1.5, None], [2.5], "pure"] and type(seen[0][0]) is list
    assert node.values == []  # a complete node lets go of its arguments
