"""The list value's two-part storage (head pushes kept apart until read) behaves as one ordered list."""
from __future__ import annotations

import random

from reference_server.datatypes.list import QUICKLIST, ListValue


def _check(value: ListValue, model: list[bytes]) -> None:
    assert len(value) == len(model)
    if value.nodes is not None:
        assert sum(node.count for node in value.nodes) == len(model)
    assert value.items == model


def test_mixed_end_operations_keep_order_and_node_counts():
    rng = random.Random(7)
    value, model = ListValue(), []
    for step in range(4000):
        op = rng.random()
        element = b"e%d" % step
        if op < 0.3:
            value.push([element], head=True, fill=4)
            model.insert(0, element)
        elif op < 0.6:
            value.push([element], head=False, fill=4)
            model.append(element)
        elif op < 0.8:
            assert value.pop(2, head=True, fill=4) == model[:2]
            del model[:2]
        else:
            taken = value.pop(2, head=False, fill=4)
            assert taken == model[-1:-3:-1]
            del model[-2:]
        if step % 97 == 0:  # reading merges the head pushes in: later operations must still line up
            _check(value, model)
    _check(value, model)


def test_tail_pops_reach_elements_pushed_at_the_head():
    value = ListValue()
    value.push([b"a", b"b", b"c"], head=True, fill=-2)
    assert value.pop(2, head=False, fill=-2) == [b"a", b"b"]
    assert value.items == [b"c"]


def test_head_pushes_grow_a_quicklist_node_by_node():
    value = ListValue()
    value.push([b"x"] * 10, head=True, fill=4)
    assert value.encoding() == QUICKLIST
    assert [node.count for node in value.nodes] == [2, 4, 4]
    assert value.items == [b"x"] * 10
