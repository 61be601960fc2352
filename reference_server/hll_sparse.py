"""The sparse HyperLogLog encoding: run-length opcodes over the 16384 registers, edited as Redis edits them.

Three opcodes, most significant bits first:

    00xxxxxx            ZERO   1 to 64 registers at zero
    01xxxxxx yyyyyyyy   XZERO  1 to 16384 registers at zero (14-bit length, big-endian)
    1vvvvvxx            VAL    1 to 4 registers holding the value 1 to 32

Redis edits the bytes in place: it splits the opcode covering a register into at most three, then merges equal
neighbouring VAL opcodes in a five-opcode window. That window makes the bytes depend on the order registers were
set in, so the same steps are followed here, on a decoded opcode list (with each opcode's first register, found
by bisection) instead of on the bytes.
"""
from __future__ import annotations

from bisect import bisect_right

REGISTERS = 1 << 14
ZERO, XZERO, VAL = 0, 1, 2
ZERO_MAX_LEN, XZERO_MAX_LEN = 64, 16384
VAL_MAX_VALUE, VAL_MAX_LEN = 32, 4
_MERGE_WINDOW = 5


class Corrupted(Exception):
    """The opcodes do not cover exactly the 16384 registers."""


class Promote(Exception):
    """The register needs the dense encoding: a value over 32, or bytes over hll-sparse-max-bytes."""


def decode(data: bytes) -> list[tuple[int, int, int]]:
    """(kind, value, run length) opcodes; a trailing half XZERO reads its missing byte as the zero after it."""
    ops, i, n = [], 0, len(data)
    while i < n:
        b = data[i]
        if b & 0x80:
            ops.append((VAL, ((b >> 2) & 0x1F) + 1, (b & 3) + 1))
            i += 1
        elif b & 0x40:
            low = data[i + 1] if i + 1 < n else 0
            ops.append((XZERO, 0, (((b & 0x3F) << 8) | low) + 1))
            i += 2
        else:
            ops.append((ZERO, 0, (b & 0x3F) + 1))
            i += 1
    return ops


def encode(ops: list[tuple[int, int, int]]) -> bytes:
    out = bytearray()
    for kind, value, run in ops:
        if kind == VAL:
            out.append(0x80 | (value - 1) << 2 | (run - 1))
        elif kind == XZERO:
            out += bytes((0x40 | (run - 1) >> 8, (run - 1) & 0xFF))
        else:
            out.append(run - 1)
    return bytes(out)


def op_size(op: tuple[int, int, int]) -> int:
    return 2 if op[0] == XZERO else 1


def zeros(run: int) -> tuple[int, int, int]:
    """The opcode for a run of zero registers: ZERO while it fits, XZERO beyond."""
    return (XZERO if run > ZERO_MAX_LEN else ZERO, 0, run)


def registers_of(ops: list[tuple[int, int, int]]) -> list[int]:
    """All 16384 register values; Corrupted unless the opcodes cover them exactly."""
    regs, index = [0] * REGISTERS, 0
    for kind, value, run in ops:
        if kind == VAL:
            if index + run > REGISTERS:
                raise Corrupted()
            regs[index:index + run] = [value] * run
        index += run
    if index != REGISTERS:
        raise Corrupted()
    return regs


def histogram(ops: list[tuple[int, int, int]]) -> tuple[list[int], bool]:
    """Register value counts, and whether the opcodes cover exactly 16384 registers."""
    counts, index = [0] * 64, 0
    for _, value, run in ops:
        counts[value] += run
        index += run
    return counts, index == REGISTERS


class SparseEditor:
    """The opcodes of one sparse HLL while a command sets registers in it."""

    def __init__(self, data: bytes, header_size: int, max_bytes: int) -> None:
        self.ops = decode(data)
        self.firsts, first = [], 0
        for op in self.ops:
            self.firsts.append(first)
            first += op[2]
        self.size = header_size + len(data)  # the whole string's length, as Redis compares it to the limit
        self.max_bytes = max_bytes
        # a corrupted string may end in the first half of an XZERO: while untouched, it is written back as it was
        self.half_last = self.ops[-1] if self.ops and len(encode(self.ops)) > len(data) else None

    def to_bytes(self) -> bytes:
        data = encode(self.ops)
        return data[:-1] if self.half_last is not None and self.ops[-1] is self.half_last else data

    def set(self, index: int, count: int) -> bool:
        """Raise the register to `count`: True when it changed. Promote when the sparse form cannot hold it,
        Corrupted when no opcode covers the register."""
        if count > VAL_MAX_VALUE:
            raise Promote()
        pos = bisect_right(self.firsts, index) - 1
        if pos < 0:  # no opcodes at all
            raise Corrupted()
        kind, value, run = self.ops[pos]
        first = self.firsts[pos]
        if index >= first + run:
            raise Corrupted()
        if kind == VAL and value >= count:
            return False
        if run == 1 and kind in (VAL, ZERO):
            self.ops[pos] = (VAL, count, 1)
        else:
            self._split(pos, index, count)
        self._merge_from(max(pos - 1, 0))
        return True

    def _split(self, pos: int, index: int, count: int) -> None:
        kind, value, run = self.ops[pos]
        first = self.firsts[pos]
        last = first + run - 1
        piece = zeros if kind != VAL else (lambda n: (VAL, value, n))
        seq, starts = [], []
        if index != first:
            seq.append(piece(index - first))
            starts.append(first)
        seq.append((VAL, count, 1))
        starts.append(index)
        if index != last:
            seq.append(piece(last - index))
            starts.append(index + 1)
        growth = sum(map(op_size, seq)) - op_size(self.ops[pos])
        if growth > 0 and self.size + growth > self.max_bytes:
            raise Promote()
        self.ops[pos:pos + 1] = seq
        self.firsts[pos:pos + 1] = starts
        self.size += growth

    def _merge_from(self, pos: int) -> None:
        """Redis's step 4: up to five opcodes from `pos`, merging equal adjacent VALs that fit one opcode."""
        ops = self.ops
        budget = _MERGE_WINDOW
        while pos < len(ops) and budget > 0:
            budget -= 1
            kind, value, run = ops[pos]
            if kind != VAL:
                pos += 1
                continue
            if pos + 1 < len(ops):
                nkind, nvalue, nrun = ops[pos + 1]
                if nkind == VAL and nvalue == value and run + nrun <= VAL_MAX_LEN:
                    ops[pos] = (VAL, value, run + nrun)
                    del ops[pos + 1]
                    del self.firsts[pos + 1]
                    self.size -= 1
                    continue  # the merged opcode may merge again with the one after it
            pos += 1
