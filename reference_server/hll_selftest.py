"""PFSELFTEST: the checks Redis runs on its HLL code, run on ours.

Redis sets every register 1000 times and adds ten million elements; in Python that would take minutes, so the
same checks run on fewer rounds and elements (the command must answer in well under a second).
"""
from __future__ import annotations

import math
import random

from .hll import (DENSE_SIZE, HEADER_SIZE, REGISTER_MAX, REGISTERS, SPARSE, HllEditor, cardinality,
                  dense_get, dense_set, new_hll)

_REGISTER_ROUNDS = 3
_LAST_CHECKPOINT = 1000


def _registers_round_trip(rng: random.Random) -> str | None:
    """Setting every register keeps its value and leaves its neighbours alone."""
    regs = bytearray(DENSE_SIZE - HEADER_SIZE)
    for _ in range(_REGISTER_ROUNDS):
        wanted = [rng.randrange(REGISTER_MAX + 1) for _ in range(REGISTERS)]
        for i, v in enumerate(wanted):
            dense_set(regs, i, v)
        for i, v in enumerate(wanted):
            got = dense_get(regs, i)
            if got != v:
                return "TESTFAILED Register %d should be %d but is %d" % (i, v, got)
    return None


def _estimates(rng: random.Random, sparse_max_bytes: int) -> str | None:
    """Dense and sparse HLLs fed the same elements agree, and stay within six standard errors."""
    dense = new_hll()
    dense_editor = HllEditor(dense, sparse_max_bytes)
    dense_editor.to_dense()
    sparse = new_hll()
    sparse_editor = HllEditor(sparse, sparse_max_bytes)
    relative_error = 1.04 / math.sqrt(REGISTERS)
    seed = rng.getrandbits(64)
    checkpoint = 1
    for j in range(1, _LAST_CHECKPOINT + 1):
        element = (j ^ seed).to_bytes(8, "little")
        dense_editor.add(element)
        sparse_editor.add(element)
        if j != checkpoint:
            continue
        sparse_editor.flush()
        if j < sparse_max_bytes // 2 and sparse[4] != SPARSE:
            return "TESTFAILED sparse encoding not used"
        estimate = cardinality(dense)
        if estimate != cardinality(sparse):
            return "TESTFAILED dense/sparse disagree"
        allowed = 1 if j == 10 else math.ceil(relative_error * 6 * checkpoint)
        if abs(checkpoint - estimate) > allowed:
            return "TESTFAILED Too big error. card:%d abserr:%d" % (checkpoint, abs(checkpoint - estimate))
        checkpoint *= 10
    return None


def self_test(rng: random.Random, sparse_max_bytes: int) -> str | None:
    """None when every check passes, else the error text Redis would send."""
    return _registers_round_trip(rng) or _estimates(rng, sparse_max_bytes)
