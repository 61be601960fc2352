"""Redis's HyperLogLog, byte for byte: HLLs are strings, and clients may GET, SET and copy their bytes.

    +------+---+-----+----------+------------------------------------------+
    | HYLL | E | N/U | Cardin.  | registers (sparse opcodes or dense)      |
    +------+---+-----+----------+------------------------------------------+
     4      1   3     8 bytes

E is the encoding (0 dense, 1 sparse). The cardinality is a little-endian cache, valid while the top bit of its
last byte is clear. Dense registers are 16384 six-bit counters packed from the least significant bit of each byte
(12288 bytes); the sparse encoding is in hll_sparse.py. An element is hashed with MurmurHash64A (seed 0xadc83b19):
the low 14 bits choose the register, and the position of the first set bit in the rest (plus one) is its count.
The estimate is Ertl's improved estimator over the histogram of register values.
"""
from __future__ import annotations

import math
import struct
from typing import Iterable

from . import hll_sparse
from .hll_sparse import REGISTERS, Corrupted, Promote, SparseEditor

MAGIC = b"HYLL"
HEADER_SIZE = 16
DENSE, SPARSE = 0, 1
REGISTER_BITS = 6
REGISTER_MAX = (1 << REGISTER_BITS) - 1
DENSE_SIZE = HEADER_SIZE + REGISTERS * REGISTER_BITS // 8
P = 14
Q = 64 - P
SEED = 0xADC83B19
ALPHA_INF = 0.721347520444481703680  # 0.5 / ln(2)

_M64 = (1 << 64) - 1
_MURMUR_M = 0xC6A4A7935BD1E995
_CARD = slice(8, 16)
_STALE = 0x80  # in the last cardinality byte

__all__ = ["Corrupted", "HllEditor", "cardinality", "is_hll", "merge_registers", "new_hll", "pattern"]


# -- hashing ---------------------------------------------------------------------------------------------------------
def murmurhash64a(data: bytes, seed: int = SEED) -> int:
    """MurmurHash2, 64-bit version, reading 8-byte blocks little-endian (as Redis does on every platform)."""
    n = len(data)
    h = (seed ^ (n * _MURMUR_M)) & _M64
    whole = n - n % 8
    for (k,) in struct.iter_unpack("<Q", data[:whole]):
        k = (k * _MURMUR_M) & _M64
        k ^= k >> 47
        h ^= (k * _MURMUR_M) & _M64
        h = (h * _MURMUR_M) & _M64
    if n % 8:
        h = ((h ^ int.from_bytes(data[whole:], "little")) * _MURMUR_M) & _M64
    h ^= h >> 47
    h = (h * _MURMUR_M) & _M64
    return h ^ (h >> 47)


def pattern(element: bytes) -> tuple[int, int]:
    """(register index, count): the count is the length of the 00..01 run after the index bits, at most Q + 1."""
    h = murmurhash64a(element)
    rest = (h >> P) | (1 << Q)
    return h & (REGISTERS - 1), (rest & -rest).bit_length()


# -- the header ------------------------------------------------------------------------------------------------------
def is_hll(value) -> bool:
    """Redis's isHLLObjectOrReply on a string: the magic, a known encoding, and the exact dense size."""
    if len(value) < HEADER_SIZE or value[:4] != MAGIC or value[4] > SPARSE:
        return False
    return value[4] != DENSE or len(value) == DENSE_SIZE


def new_hll() -> bytearray:
    """An empty sparse HLL: XZERO opcodes covering every register, cardinality 0 cached."""
    return bytearray(MAGIC + bytes((SPARSE,)) + bytes(11) + hll_sparse.encode([hll_sparse.zeros(REGISTERS)]))


def encoding(value) -> int:
    return value[4]


def cached_cardinality(value) -> int | None:
    if value[15] & _STALE:
        return None
    return int.from_bytes(value[_CARD], "little")


def store_cardinality(value: bytearray, card: int) -> None:
    value[_CARD] = card.to_bytes(8, "little")


def invalidate_cache(value: bytearray) -> None:
    value[15] |= _STALE


# -- dense registers -------------------------------------------------------------------------------------------------
def dense_get(regs, index: int, base: int = 0) -> int:
    """Register `index` of the six-bit registers packed from `regs[base]`; a read past the end sees zeros (Redis's
    NUL terminator)."""
    byte, shift = base + (index * REGISTER_BITS >> 3), index * REGISTER_BITS & 7
    b0 = regs[byte]
    b1 = regs[byte + 1] if byte + 1 < len(regs) else 0
    return ((b0 >> shift) | (b1 << (8 - shift))) & REGISTER_MAX


def dense_set(regs: bytearray, index: int, value: int, base: int = 0) -> None:
    byte, shift = base + (index * REGISTER_BITS >> 3), index * REGISTER_BITS & 7
    regs[byte] = (regs[byte] & ~(REGISTER_MAX << shift) & 0xFF) | ((value << shift) & 0xFF)
    if byte + 1 < len(regs):
        spill = 8 - shift
        regs[byte + 1] = (regs[byte + 1] & ~(REGISTER_MAX >> spill) & 0xFF) | (value >> spill)


def dense_registers(regs) -> list[int]:
    """All registers: every three bytes hold four of them."""
    out: list[int] = []
    append = out.append
    for i in range(0, len(regs) - 2, 3):
        b0, b1, b2 = regs[i], regs[i + 1], regs[i + 2]
        append(b0 & 63)
        append((b0 >> 6 | b1 << 2) & 63)
        append((b1 >> 4 | b2 << 4) & 63)
        append(b2 >> 2)
    return out


def pack_dense(registers: list[int]) -> bytearray:
    out = bytearray(REGISTERS * REGISTER_BITS // 8)
    for i in range(0, REGISTERS, 4):
        r0, r1, r2, r3 = registers[i:i + 4]
        j = i // 4 * 3
        out[j] = r0 | (r1 << 6) & 0xFF
        out[j + 1] = r1 >> 2 | (r2 << 4) & 0xFF
        out[j + 2] = r2 >> 4 | r3 << 2
    return out


# -- reading: registers and the estimate -----------------------------------------------------------------------------
def registers(value) -> list[int]:
    """All register values of a valid HLL; Corrupted for a sparse one that does not cover 16384 registers."""
    if value[4] == DENSE:
        return dense_registers(value[HEADER_SIZE:])
    return hll_sparse.registers_of(hll_sparse.decode(value[HEADER_SIZE:]))


def merge_registers(maxima: list[int], value) -> None:
    """maxima[i] = max(maxima[i], register i of the HLL), as PFCOUNT and PFMERGE combine their inputs."""
    for i, reg in enumerate(registers(value)):
        if reg > maxima[i]:
            maxima[i] = reg


def cardinality(value) -> int:
    """The estimate computed from the registers (the cache is not consulted); Corrupted for a bad sparse HLL."""
    if value[4] == DENSE:
        return estimate(histogram_of(dense_registers(value[HEADER_SIZE:])))
    counts, covers = hll_sparse.histogram(hll_sparse.decode(value[HEADER_SIZE:]))
    if not covers:
        raise Corrupted()
    return estimate(counts)


def histogram_of(regs: Iterable[int]) -> list[int]:
    counts = [0] * 64
    for r in regs:
        counts[r] += 1
    return counts


def _sigma(x: float) -> float:
    if x == 1.0:
        return math.inf
    y, z = 1.0, x
    while True:
        x *= x
        previous = z
        z += x * y
        y += y
        if previous == z:
            return z


def _tau(x: float) -> float:
    if x == 0.0 or x == 1.0:
        return 0.0
    y, z = 1.0, 1 - x
    while True:
        x = math.sqrt(x)
        previous = z
        y *= 0.5
        z -= (1 - x) ** 2 * y
        if previous == z:
            return z / 3


def estimate(counts: list[int]) -> int:
    """Ertl's estimator ("New cardinality estimation algorithms for HyperLogLog sketches"), rounded half away
    from zero as llroundl does."""
    m = float(REGISTERS)
    z = m * _tau((m - counts[Q + 1]) / m)
    for j in range(Q, 0, -1):
        z += counts[j]
        z *= 0.5
    z += m * _sigma(counts[0] / m)
    e = ALPHA_INF * m * m / z
    whole = math.floor(e)
    return int(whole + 1 if e - whole >= 0.5 else whole)


# -- writing ---------------------------------------------------------------------------------------------------------
def _to_dense_bytes(value) -> bytearray:
    """The same HLL in the dense encoding (header and cache kept); Corrupted for a bad sparse one."""
    if value[4] == DENSE:
        return bytearray(value)
    regs = hll_sparse.registers_of(hll_sparse.decode(value[HEADER_SIZE:]))
    header = bytearray(value[:HEADER_SIZE])
    header[4] = DENSE
    return header + pack_dense(regs)


class HllEditor:
    """Sets registers of the HLL stored in `value` (a bytearray the key owns), promoting a sparse HLL to dense as
    Redis does; `flush` writes the result back into `value`."""

    def __init__(self, value: bytearray, sparse_max_bytes: int) -> None:
        self.value = value
        self.sparse = None
        if value[4] == SPARSE:
            self.sparse = SparseEditor(bytes(value[HEADER_SIZE:]), HEADER_SIZE, sparse_max_bytes)

    def add(self, element: bytes) -> bool:
        return self.set(*pattern(element))

    def set(self, index: int, count: int) -> bool:
        """Raise register `index` to `count`: True when it changed; Corrupted for a bad sparse HLL."""
        if self.sparse is not None:
            try:
                return self.sparse.set(index, count)
            except Promote:
                self.to_dense()
        if dense_get(self.value, index, HEADER_SIZE) >= count:
            return False
        dense_set(self.value, index, count, HEADER_SIZE)
        return True

    def to_dense(self) -> bool:
        """Convert a sparse HLL now: True if it was sparse."""
        if self.sparse is None:
            return False
        self.flush()
        self.value[:] = _to_dense_bytes(self.value)
        self.sparse = None
        return True

    def flush(self) -> None:
        if self.sparse is not None:
            self.value[HEADER_SIZE:] = self.sparse.to_bytes()
