"""Vector sets on the engine: float32 quantisation and distances, the FILTER language, and the graph's invariants
(links are bidirectional, within their limits, and survive deletions)."""
from __future__ import annotations

import random

import pytest

from reference_server.datatypes import vector_math as vm
from reference_server.datatypes.vectorset import VectorSet
from reference_server.datatypes.vset_filter import FilterSyntaxError, compile_filter, extract_field, run_filter
from reference_server.replies import Err


# -- float32 arithmetic ------------------------------------------------------------------------------------------
def test_f32_rounds_and_overflows_like_a_c_cast():
    assert vm.f32(0.1) == 0.10000000149011612
    assert vm.f32(1e39) == float("inf") and vm.f32(-1e39) == float("-inf")


def test_q8_quantisation_of_a_normalised_vector():
    normal, l2 = vm.normalize([0.5, 0.2, -0.3])
    quants, qrange = vm.quantize_q8(normal)
    assert quants == [127, 51, -76]
    assert (l2, qrange) == (0.6164413690567017, 0.8111071586608887)
    assert [vm.f32(v * l2) for v in vm.dequantize_q8(quants, qrange)] == [0.5, 0.20078742504119873,
                                                                           -0.29921257495880127]


def test_zero_vector_keeps_no_norm_and_is_at_distance_one():
    normal, l2 = vm.normalize([0.0, 0.0])
    assert l2 is None and normal == [0.0, 0.0]
    quants, qrange = vm.quantize_q8(normal)
    assert vm.distance_q8(quants, [127, 0], qrange, 1.0) == 1.0


def test_binary_distance_counts_opposite_signs():
    assert vm.distance_bin(vm.quantize_bin([1, -1, 1]), vm.quantize_bin([1, 1, 1]), 3) == vm.f32(2 / 3)


def test_projection_matrix_signs():
    matrix = vm.projection_matrix(4, 2)
    half = vm.f32(0.5)
    assert matrix == [[half, half, half, half], [half, -half, half, -half]]


# -- FILTER -------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text,position", [(b"1 @ 2", 2), (b"1 = 1", 3), (b"1e-3", 2), (b"(1", 0), (b"1 2", 0),
                                           (b"[1 2]", 3), (b"!!1", 0)])
def test_filter_syntax_error_positions(text, position):
    with pytest.raises(FilterSyntaxError) as info:
        compile_filter(text)
    assert info.value.position == position


@pytest.mark.parametrize("text,expected", [
    (b"2 ** 3 ** 2 == 512", True), (b"1 + 2 * 3 == 7", True), (b"not 0 and 1", True), (b".year > 1980", True),
    (b".year > 1980 or .nosuch", False), (b"'Mat' in .name", True), (b".tags", True), (b"'x' in .tags", True),
    (b".none == null", True), (b".name == 'The Matrix'", True),
])
def test_filter_runs_against_json(text, expected):
    attributes = b'{"year": 1984, "name": "The Matrix", "tags": ["x", 2], "none": null}'
    assert run_filter(compile_filter(text), attributes) is expected


def test_json_fields_are_top_level_only():
    doc = b'{"a": {"b": 1}, "s": "x\\ty", "n": -1.5e2, "t": true}'
    assert extract_field(doc, b"a") is None
    assert extract_field(doc, b"b") is None
    assert extract_field(doc, b"s").value == b"x\ty"
    assert extract_field(doc, b"n").value == -150.0
    assert extract_field(doc, b"t").value == 1.0


# -- the graph ------------------------------------------------------------------------------------------------------
def _check_links(vset: VectorSet) -> None:
    for node in vset.nodes.values():
        for layer, linked in enumerate(node.links):
            assert node not in linked
            assert len(linked) <= (vset.m * 2 if layer == 0 else vset.m)
            for other in linked:
                assert node in other.links[layer], (node.item, other.item, layer)


def test_graph_links_stay_bidirectional_through_inserts_and_removals():
    rng = random.Random(7)
    vset = VectorSet(4, "int8", 4, 0, rng)
    for i in range(120):
        vset.insert(b"e%d" % i, [rng.uniform(-1, 1) for _ in range(4)], None, 50)
    _check_links(vset)
    for i in range(0, 120, 3):
        assert vset.remove(b"e%d" % i)
    _check_links(vset)
    assert vset.entry is not None and vset.entry.item in vset.nodes
    assert vset.max_level == vset.entry.level == max(n.level for n in vset.nodes.values())
    assert all(any(layer) for node in vset.nodes.values() for layer in node.links[:1])


def test_search_is_exhaustive_and_ordered(run):
    for i in range(40):
        run("VADD", "k", "VALUES", 2, 1, i / 10, f"e{i}")
    found = run("VSIM", "k", "VALUES", 2, 1, 0, "COUNT", 40)
    assert found[:3] == [b"e0", b"e1", b"e2"] and len(found) == 40


def test_vrandmember_walks_for_large_counts(run):
    for i in range(10):
        run("VADD", "k", "VALUES", 1, i + 1, f"e{i}")
    picked = run("VRANDMEMBER", "k", 8)
    assert len(set(picked)) == 8


def test_arity_errors_name_the_module_command(run):
    assert run("vsim", "k") == Err("ERR wrong number of arguments for 'VSIM' command")
