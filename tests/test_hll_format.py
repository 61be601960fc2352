"""The HyperLogLog format against values read from live Redis 8.2.3: register index and count per element, the exact
sparse bytes after a series of adds, estimates, and the sparse/dense register codecs against each other."""
from __future__ import annotations

import hashlib
import random

import pytest

from reference_server import hll, hll_sparse
from reference_server.hll import HllEditor

# (element, (register, count)) as PFDEBUG GETREG showed them on Redis 8.2.3 after adding the element alone
PATTERNS = [(b"a", (12711, 2)), (b"", (5938, 2)), (b"hello", (9216, 1)), (b"12345678", (10579, 3)),
            (b"123456789", (9293, 2)), (b"\x00\xff", (3937, 1)), (b"redis", (9467, 2)), (b"x" * 40, (6901, 1))]

# GET of an HLL after PFADD of k0..k59 in one command, on Redis 8.2.3
SPARSE_60 = (b'HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80@\xcf\x80C\xbc\x84@\xaf\x98@\x86\x84A&\x80A\x1e'
             b'\x88C<\x80@\xc7\x8c@\xdb\x88A$\x84@C\xa4A\x0c\x8cA\xd5\x80A\x16\x84A\xad\x88@L\x80@\xb2\x80@\xb8\x88"'
             b'\x88\x0f\x84B\xd4\x80@\xc9\x84@C\x80D\xc9\x80B\xb5\x88@p\x90Bb\x80<\x80A\xc7\x84@\xea\x84(\x80AH\x80A'
             b'I\x8c\x0c\x84\x06\x80\r\x80\x1c\x88@\x91\x80@\x8f\x80@\xc6\x802\x80"\x88@o\x84=\x80\x07\x80A\x99\x80@'
             b'\x92\x80Br\x84C\x1f\x84@\xf9\x80\x1f\x85@e\x80A\x15\x90@f\x84A\x1f\x80@I\x8cC\x97\x8cA.\x84@\x9f\x88A6')
DENSE_3000_SHA256 = "73b013e5f4c10a7de9d75d14d9b695c5775502c0a87604e828570dd84c56e962"


def filled(elements: list[bytes], sparse_max_bytes: int = 3000) -> bytearray:
    value = hll.new_hll()
    editor = HllEditor(value, sparse_max_bytes)
    for element in elements:
        editor.add(element)
    editor.flush()
    hll.invalidate_cache(value)
    return value


@pytest.mark.parametrize("element,expected", PATTERNS, ids=[repr(e[:8]) for e, _ in PATTERNS])
def test_pattern_matches_redis(element, expected):
    assert hll.pattern(element) == expected


def test_new_hll_is_one_xzero():
    assert hll.new_hll() == b"HYLL\x01" + bytes(11) + b"\x7f\xff"
    assert hll.is_hll(hll.new_hll())


def test_sparse_bytes_match_redis():
    value = filled([b"k%d" % i for i in range(60)])
    assert bytes(value) == SPARSE_60
    assert hll.cardinality(value) == 60


def test_dense_bytes_and_estimate_match_redis():
    value = filled([b"k%d" % i for i in range(3000)])
    assert hll.encoding(value) == hll.DENSE
    assert hll.cardinality(value) == 2988
    hll.store_cardinality(value, 2988)  # as the PFCOUNT before Redis's GET left it
    assert hashlib.sha256(bytes(value)).hexdigest() == DENSE_3000_SHA256


def test_sparse_and_dense_agree():
    rng = random.Random(3)
    elements = [rng.randbytes(rng.randrange(1, 12)) for _ in range(700)]
    sparse = filled(elements, sparse_max_bytes=100000)
    dense = filled(elements, sparse_max_bytes=0)
    assert hll.encoding(sparse) == hll.SPARSE and hll.encoding(dense) == hll.DENSE
    assert hll.registers(sparse) == hll.registers(dense)
    assert hll.cardinality(sparse) == hll.cardinality(dense)


def test_dense_register_codec_round_trips():
    rng = random.Random(5)
    regs = [rng.randrange(64) for _ in range(hll.REGISTERS)]
    packed = hll.pack_dense(regs)
    assert hll.dense_registers(packed) == regs
    assert [hll.dense_get(packed, i) for i in range(0, hll.REGISTERS, 97)] == regs[::97]


def test_sparse_opcodes_round_trip():
    ops = [(hll_sparse.XZERO, 0, 7292), (hll_sparse.VAL, 1, 1), (hll_sparse.ZERO, 0, 64), (hll_sparse.VAL, 32, 4),
           (hll_sparse.XZERO, 0, 16384 - 7292 - 1 - 64 - 4)]
    assert hll_sparse.decode(hll_sparse.encode(ops)) == ops
    assert hll_sparse.registers_of(ops)[7292:7294] == [1, 0]


def test_corrupted_sparse_is_reported():
    with pytest.raises(hll.Corrupted):
        hll.cardinality(bytearray(b"HYLL\x01" + bytes(11) + b"\x7f\xfe"))
    editor = HllEditor(bytearray(b"HYLL\x01" + bytes(11) + b"\x40\x00"), 3000)
    with pytest.raises(hll.Corrupted):
        editor.add(b"a")


def test_cache_flag():
    value = hll.new_hll()
    assert hll.cached_cardinality(value) == 0
    hll.invalidate_cache(value)
    assert hll.cached_cardinality(value) is None
    hll.store_cardinality(value, 42)
    assert hll.cached_cardinality(value) == 42


def test_estimate_of_empty_and_full_histograms():
    assert hll.estimate(hll.histogram_of([0] * hll.REGISTERS)) == 0
    assert hll.estimate(hll.histogram_of([1] * hll.REGISTERS)) > hll.REGISTERS
