"""The sorted-set building blocks: the blocked sorted index against a plain sorted list, and Redis's double format."""
from __future__ import annotations

import bisect
import random

import pytest

from reference_server.datatypes.sorted_index import SortedIndex
from reference_server.dtoa import d2string


def test_sorted_index_matches_a_sorted_list():
    rng = random.Random(1)
    index, model = SortedIndex(), []
    for step in range(20000):
        if model and rng.random() < 0.4:
            item = rng.choice(model)
            model.remove(item)
            index.remove(item)
        else:
            item = (float(rng.randint(0, 50)), b"m%d" % rng.randint(0, 3000))
            if item in model:
                continue
            bisect.insort(model, item)
            index.add(item)
        if step % 499 == 0:
            assert list(index) == model and list(reversed(index)) == model[::-1]
            probe = (float(rng.randint(0, 50)), b"m%d" % rng.randint(0, 3000))
            assert index.bisect_left(probe) == bisect.bisect_left(model, probe)
            assert index.bisect_right(probe) == bisect.bisect_right(model, probe)
            if model:
                a, b = rng.randrange(len(model)), rng.randrange(len(model) + 3)
                assert index[a] == model[a]
                assert index.slice(a, b) == model[a:b]
                assert index.slice(a, b, reverse=True) == model[::-1][a:b]


def test_sorted_index_remove_missing_raises():
    index = SortedIndex([(1.0, b"a")])
    with pytest.raises(KeyError):
        index.remove((2.0, b"a"))


@pytest.mark.parametrize("value,text", [
    (1e21, b"1e+21"), (1.5e-7, b"1.5e-7"), (0.1, b"0.1"), (123456789012345678.0, b"123456789012345680"),
    (-0.0, b"-0"), (0.0, b"0"), (1e-5, b"0.00001"), (1e-7, b"1e-7"), (33333333.3333333, b"3.33333333333333e+7"),
    (1.2345678901234568e21, b"1234567890123456800000"), (float("inf"), b"inf"), (float("-inf"), b"-inf"),
    (-2.767812163830921e78, b"-2.7678121638309208e+78"),  # Grisu2 is not always shortest
    (-4.2874017110381797e-156, b"-4.2874017110381796e-156"), (5e-324, b"5e-324"), (4611686018427387904.0,
                                                                                  b"4611686018427387904"),
])
def test_d2string_as_redis_prints(value, text):
    assert d2string(value) == text
