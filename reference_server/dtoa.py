"""Doubles printed exactly as Redis prints them in replies: its d2string, which uses fpconv's Grisu2.

Grisu2 is not always the shortest form (about 1 double in 1500 gets one digit more than Python's repr), so the
algorithm is reproduced step by step on 64-bit unsigned integers rather than approximated from repr().
"""
from __future__ import annotations

import functools
import math
import struct

_MASK = (1 << 64) - 1
_FRAC_MASK = (1 << 52) - 1
_HIDDEN = 1 << 52
_EXP_BIAS = 1023 + 52
_FIRST_POWER, _STEP_POWERS, _NPOWERS = -348, 8, 87
_EXP_MIN, _EXP_MAX = -60, -32
_TENS = [10 ** (19 - i) for i in range(20)]  # 10**19 … 10**0, as fpconv's table
_LL_HALF = float(((1 << 63) - 1) // 2)


def _cached_power(k: int) -> tuple[int, int]:
    """10**k as a 64-bit significand (rounded to nearest) and its binary exponent."""
    exp = math.floor(k * math.log2(10)) - 63
    while True:
        num, den = (10 ** k, 1) if k >= 0 else (1, 10 ** -k)
        num, den = (num, den << exp) if exp >= 0 else (num << -exp, den)
        frac = (2 * num + den) // (2 * den)
        if frac >= 1 << 64:
            exp += 1
        elif frac < 1 << 63:
            exp -= 1
        else:
            return frac, exp


_POWERS = [_cached_power(_FIRST_POWER + i * _STEP_POWERS) for i in range(_NPOWERS)]


def _multiply(a: tuple[int, int], b: tuple[int, int]) -> tuple[int, int]:
    """fpconv's 64x64 -> high 64 bits product, rounding the discarded half up."""
    lo = 0xFFFFFFFF
    ah, al, bh, bl = a[0] >> 32, a[0] & lo, b[0] >> 32, b[0] & lo
    ah_bl, al_bh, al_bl, ah_bh = ah * bl, al * bh, al * bl, ah * bh
    tmp = (ah_bl & lo) + (al_bh & lo) + (al_bl >> 32) + (1 << 31)
    return (ah_bh + (ah_bl >> 32) + (al_bh >> 32) + (tmp >> 32)) & _MASK, a[1] + b[1] + 64


def _boundaries(frac: int, exp: int) -> tuple[tuple[int, int], tuple[int, int]]:
    upper_f, upper_e = (frac << 1) + 1, exp - 1
    while not upper_f & (_HIDDEN << 1):
        upper_f, upper_e = upper_f << 1, upper_e - 1
    upper_f, upper_e = upper_f << 10, upper_e - 10
    shift = 2 if frac == _HIDDEN else 1
    lower_f, lower_e = (frac << shift) - 1, exp - shift
    lower_f <<= lower_e - upper_e
    return (lower_f & _MASK, upper_e), (upper_f & _MASK, upper_e)


def _find_cached_power(exp: int) -> tuple[tuple[int, int], int]:
    approx = int(-(exp + _NPOWERS) * 0.30102999566398114)
    idx = int((approx - _FIRST_POWER) / _STEP_POWERS)
    while True:
        current = exp + _POWERS[idx][1] + 64
        if current < _EXP_MIN:
            idx += 1
        elif current > _EXP_MAX:
            idx -= 1
        else:
            return _POWERS[idx], _FIRST_POWER + idx * _STEP_POWERS


def _round_digit(digits: list[int], delta: int, rem: int, kappa: int, frac: int) -> None:
    while rem < frac and delta - rem >= kappa and (rem + kappa < frac or frac - rem > rem + kappa - frac):
        digits[-1] -= 1
        rem = (rem + kappa) & _MASK


def _generate(w: int, upper: tuple[int, int], lower: int) -> tuple[list[int], int]:
    wfrac, delta = (upper[0] - w) & _MASK, (upper[0] - lower) & _MASK
    shift = -upper[1]
    one = 1 << shift
    part1, part2 = upper[0] >> shift, upper[0] & (one - 1)
    digits: list[int] = []
    kappa = 10
    for div in _TENS[10:]:
        digit = part1 // div
        if digit or digits:
            digits.append(digit)
        part1 -= digit * div
        kappa -= 1
        tmp = (part1 << shift) + part2
        if tmp <= delta:
            _round_digit(digits, delta, tmp, div << shift, wfrac)
            return digits, kappa
        if kappa == 0:
            break
    unit = 18
    while True:
        part2, delta, kappa = (part2 * 10) & _MASK, (delta * 10) & _MASK, kappa - 1
        digit = part2 >> shift
        if digit or digits:
            digits.append(digit)
        part2 &= one - 1
        if part2 < delta:
            _round_digit(digits, delta, part2, one, (wfrac * _TENS[unit]) & _MASK)
            return digits, kappa
        unit -= 1


def grisu2(d: float) -> tuple[str, int]:
    """(digits, K) with |d| ~= int(digits) * 10**K, for a finite non-zero d."""
    bits = struct.unpack("<Q", struct.pack("<d", d))[0]
    frac, exp = bits & _FRAC_MASK, (bits >> 52) & 0x7FF
    frac, exp = (frac + _HIDDEN, exp - _EXP_BIAS) if exp else (frac, 1 - _EXP_BIAS)
    lower, upper = _boundaries(frac, exp)
    while not frac & _HIDDEN:
        frac, exp = frac << 1, exp - 1
    w = (frac << 11, exp - 11)
    power, k = _find_cached_power(upper[1])
    w, upper, lower = _multiply(w, power), _multiply(upper, power), _multiply(lower, power)
    digits, kappa = _generate(w[0], ((upper[0] - 1) & _MASK, upper[1]), (lower[0] + 1) & _MASK)
    return "".join(map(str, digits)), kappa - k


def _layout(digits: str, k: int, negative: bool) -> str:
    """fpconv's emit_digits: plain integer, plain decimal, or d.ddde±x."""
    n = len(digits)
    exp = abs(k + n - 1)
    if k >= 0 and exp < n + 7:
        return digits + "0" * k
    if k < 0 and (k > -7 or exp < 4):
        point = n + k
        if point <= 0:
            return "0." + "0" * -point + digits
        return digits[:point] + "." + digits[point:]
    n = min(n, 18 - negative)
    head = digits[0] + ("." + digits[1:n] if n > 1 else "")
    return f"{head}e{'-' if k + n - 1 < 0 else '+'}{exp}"


_TEXTS: dict[float, bytes] = {}  # non-zero, non-NaN doubles already formatted (the two zeros compare equal)
_TEXTS_LIMIT = 1 << 16


def d2string(d: float) -> bytes:
    """Redis's d2string: nan, inf, -inf, -0, integers below 2**62 as integers, else fpconv_dtoa."""
    text = _TEXTS.get(d)
    if text is not None:
        return text
    text = _d2string(d)
    if d and d == d and len(_TEXTS) < _TEXTS_LIMIT:  # replies repeat the same scores
        _TEXTS[float(d)] = text
    return text


def _d2string(d: float) -> bytes:
    if math.isnan(d):
        return b"nan"
    if math.isinf(d):
        return b"inf" if d > 0 else b"-inf"
    if d == 0:
        return b"-0" if math.copysign(1.0, d) < 0 else b"0"
    if -_LL_HALF <= d <= _LL_HALF and d == int(d):
        return b"%d" % int(d)
    return _fraction_string(d)


@functools.lru_cache(maxsize=1 << 16)
def _fraction_string(d: float) -> bytes:
    """Grisu2 is slow in Python and replies repeat the same scores: cached. (Never called for zero, whose two
    signs compare equal and would share an entry.)"""
    digits, k = grisu2(abs(d))
    return (("-" if d < 0 else "") + _layout(digits, k, d < 0)).encode()
