"""The single-precision arithmetic of Redis's vector sets: L2 normalisation, Q8 and binary quantisation, the three
distance functions and the random projection of REDUCE.

Redis computes in C `float`s; every operation here rounds its result to the nearest float32 (a product or sum of
two float32 values is exact in a double, so rounding once gives the value C computes), in the order the C
expressions evaluate, so VEMB and VSIM scores come out bit for bit. The scalar code paths are the ones reproduced:
Redis builds that may pick AVX2/AVX-512 for float vectors of 16 or more components (NOQUANT) sum in another order and
can differ in the last bits; Q8 sums are integers and binary distances popcounts, exact whatever the path.
"""
from __future__ import annotations

import math
import struct

_F32 = struct.Struct("<f")
FLT_MAX = 3.4028234663852886e38


def f32(x: float) -> float:
    """x rounded to the nearest float32, overflowing to infinity as a C cast does."""
    try:
        return _F32.unpack(_F32.pack(x))[0]
    except OverflowError:
        return math.copysign(math.inf, x)


def from_blob(blob: bytes) -> list[float]:
    """An FP32 blob (little-endian floats) as values."""
    return [v for (v,) in _F32.iter_unpack(blob)]


def to_blob(values: list[float]) -> bytes:
    return b"".join(_F32.pack(v) for v in values)


def normalize(vec: list[float]) -> tuple[list[float], float | None]:
    """Divide by the L2 norm as hnsw_normalize_vector does (sum of squares four at a time); None for a zero norm,
    in which case the vector is left as it is."""
    l2 = 0.0
    n = len(vec)
    i = 0
    while i + 3 < n:
        a, b, c, d = vec[i:i + 4]
        part = f32(f32(f32(f32(a * a) + f32(b * b)) + f32(c * c)) + f32(d * d))
        l2 = f32(l2 + part)
        i += 4
    for x in vec[i:]:
        l2 = f32(l2 + f32(x * x))
    if l2 == 0:
        return list(vec), None
    l2 = f32(math.sqrt(l2))
    return [_divide(x, l2) for x in vec], l2


def _divide(a: float, b: float) -> float:
    if b == 0:
        return math.nan if a == 0 or a != a else math.copysign(math.inf, a) * math.copysign(1.0, b)
    if math.isinf(b):
        return math.nan if math.isinf(a) or a != a else math.copysign(0.0, a) * math.copysign(1.0, b)
    return f32(a / b)


def _roundf(x: float) -> float:
    """C roundf: halfway cases away from zero."""
    if not math.isfinite(x):
        return x
    return math.copysign(math.floor(abs(x) + 0.5), x)


def _to_int8(x: float) -> int:
    """(int8_t)roundf(x) on x86: out-of-range floats convert to INT_MIN, whose low byte is 0."""
    r = _roundf(x)
    if not math.isfinite(r) or abs(r) >= 2 ** 31:
        return 0
    v = int(r) & 0xFF
    return v - 256 if v >= 128 else v


def quantize_q8(vec: list[float]) -> tuple[list[int], float]:
    """Per-vector int8 quantisation: components scaled by 127 / max|x|; the range returned is max|x|."""
    max_abs = 0.0
    for x in vec:
        if x > max_abs:
            max_abs = x
        if -x > max_abs:
            max_abs = -x
    if max_abs == 0:
        return [0] * len(vec), 0.0
    scale = _divide(127.0, max_abs)
    return [_to_int8(f32(x * scale)) for x in vec], max_abs


def quantize_bin(vec: list[float]) -> int:
    """One bit per component, set when it is positive; bit j of the integer is component j."""
    bits = 0
    for j, x in enumerate(vec):
        if x > 0:
            bits |= 1 << j
    return bits


def bin_bytes(bits: int, dim: int) -> bytes:
    return bits.to_bytes((dim + 63) // 64 * 8, "little")


def dequantize_q8(quants: list[int], qrange: float) -> list[float]:
    return [f32(f32(q * qrange) / 127.0) for q in quants]


def distance_float(x: list[float], y: list[float]) -> float:
    """1 - dot product of two normalised float vectors, with the scalar loop's two accumulators."""
    dot0 = dot1 = 0.0
    n = len(x)
    i = 0
    while i + 7 < n:
        p = [f32(x[i + k] * y[i + k]) for k in range(8)]
        dot0 = f32(dot0 + f32(f32(f32(p[0] + p[1]) + p[2]) + p[3]))
        dot1 = f32(dot1 + f32(f32(f32(p[4] + p[5]) + p[6]) + p[7]))
        i += 8
    while i < n:
        dot0 = f32(dot0 + f32(x[i] * y[i]))
        i += 1
    return f32(1.0 - f32(dot0 + dot1))


def distance_q8(x: list[int], y: list[int], range_a: float, range_b: float) -> float:
    if range_a == 0 or range_b == 0:
        return 1.0
    scale = f32(f32(range_a / 127.0) * f32(range_b / 127.0))
    dot = sum(a * b for a, b in zip(x, y))
    distance = f32(1.0 - f32(f32(dot) * scale))
    if distance < 0:
        return 0.0
    return 2.0 if distance > 2 else distance


def distance_bin(x: int, y: int, dim: int) -> float:
    opposite = bin(x ^ y).count("1")
    return f32(f32(opposite * 2.0) / f32(dim))


def projection_matrix(input_dim: int, output_dim: int) -> list[list[float]]:
    """REDUCE's deterministic Hadamard-pattern matrix: +-1/sqrt(input_dim), the sign from the parity of i & j."""
    scale = f32(1.0 / math.sqrt(input_dim))
    return [[scale if bin(i & j).count("1") % 2 == 0 else -scale for j in range(input_dim)]
            for i in range(output_dim)]


def project(vec: list[float], matrix: list[list[float]]) -> list[float]:
    out = []
    for row in matrix:
        total = 0.0
        for w, x in zip(row, vec):
            total = f32(total + f32(w * x))
        out.append(total)
    return out


def similarity(distance: float) -> float:
    """VSIM's score: 1 - distance/2 in double precision."""
    return 1.0 - distance / 2.0
