"""The x87 80-bit `long double` that INCRBYFLOAT and HINCRBYFLOAT compute with, emulated exactly.

Redis parses with strtold, adds in long double (64-bit significand, 15-bit exponent) and prints with "%.17Lf",
trailing zeros trimmed (its "human friendly" form: never an exponent, so 1e300 prints all 301 digits). Python's
float has only 53 bits, so values are kept as exact `Fraction`s rounded to the long double grid after every
operation; infinities are the float ones. This is not the reply-double format (`replies.format_double`).
"""
from __future__ import annotations

import math
import re
from fractions import Fraction

LongDouble = Fraction | float  # float only for +-inf

_SIGNIFICAND_BITS = 64
_MIN_NORMAL_EXP = -16382  # smallest normal value is 2**-16382
_MIN_QUANTUM_EXP = _MIN_NORMAL_EXP - (_SIGNIFICAND_BITS - 1)  # the smallest subnormal: 2**-16445
_OVERFLOW = Fraction(2) ** 16384  # values that round to this or beyond are infinite
_MAX_CHARS = 5 * 1024  # Redis's MAX_LONG_DOUBLE_CHARS: longer input is refused
_CHUNK = 4000  # decimal digits converted at once (Python limits int<->str conversions to 4300 digits)

_DECIMAL = re.compile(rb"([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?")
_HEX = re.compile(rb"([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?(?:[pP]([+-]?\d+))?")
_INFINITY = re.compile(rb"([+-]?)(?:inf|infinity)", re.I)


def round_to_long_double(exact: Fraction) -> LongDouble:
    """The nearest long double (ties to even), with subnormals and overflow to infinity."""
    if exact == 0:
        return Fraction(0)
    magnitude = abs(exact)
    exponent = magnitude.numerator.bit_length() - magnitude.denominator.bit_length()
    if Fraction(2) ** exponent > magnitude:
        exponent -= 1
    quantum = max(exponent - (_SIGNIFICAND_BITS - 1), _MIN_QUANTUM_EXP)
    steps = round(magnitude / Fraction(2) ** quantum)  # round() on a Fraction ties to even
    rounded = steps * Fraction(2) ** quantum
    if rounded >= _OVERFLOW:
        return math.inf if exact > 0 else -math.inf
    return rounded if exact > 0 else -rounded


def _int_from_digits(digits: bytes) -> int:
    """int() of a long decimal text, in chunks: Python refuses conversions over 4300 digits at once."""
    value = 0
    for start in range(0, len(digits), _CHUNK):
        part = digits[start:start + _CHUNK]
        value = value * 10 ** len(part) + int(part)
    return value


def _digits_of(n: int) -> bytes:
    """The decimal text of a non-negative int of any size (see _int_from_digits)."""
    if n < 10 ** _CHUNK:
        return b"%d" % n
    high, low = divmod(n, 10 ** _CHUNK)
    return _digits_of(high) + (b"%d" % low).rjust(_CHUNK, b"0")


def _exact_decimal(m: re.Match) -> Fraction | None:
    whole, frac, exp = m.group(2), m.group(3) or b"", m.group(4)
    if not whole and not frac:
        return None
    significant = (whole + frac).lstrip(b"0")
    if not significant:
        return Fraction(0)
    power = int(exp or b"0") - len(frac)
    scale = len(significant) + power  # roughly log10 of the value: huge exponents must not be computed
    if scale > 4940:
        return Fraction(10) ** 4940 * 10  # certainly beyond the long double range: overflows when rounded
    if scale < -4960:
        return Fraction(1, 10 ** 4980)  # certainly below half the smallest subnormal: underflows to zero
    return _int_from_digits(significant) * Fraction(10) ** power


def _exact_hex(m: re.Match) -> Fraction | None:
    whole, frac, exp = m.group(2), m.group(3) or b"", m.group(4)
    if not whole and not frac:
        return None
    digits = int(whole + frac or b"0", 16)
    if digits == 0:
        return Fraction(0)
    power = int(exp or b"0") - 4 * len(frac)
    scale = digits.bit_length() + power
    if scale > 16400:
        return _OVERFLOW * 2
    if scale < -16500:
        return Fraction(1, 2 ** 16500)
    return digits * Fraction(2) ** power


def parse_long_double(s: bytes) -> LongDouble | None:
    """Redis's string2ld: the whole text must be a strtold number; NaN, overflow and underflow to 0 are refused."""
    if not s or len(s) >= _MAX_CHARS or s[:1].isspace():
        return None
    if m := _INFINITY.fullmatch(s):
        return -math.inf if m.group(1) == b"-" else math.inf
    m = _HEX.fullmatch(s)
    exact = _exact_hex(m) if m else None
    if m is None and (m := _DECIMAL.fullmatch(s)):
        exact = _exact_decimal(m)
    if exact is None:
        return None
    if m.group(1) == b"-":
        exact = -exact
    value = round_to_long_double(exact)
    if isinstance(value, float) or (value == 0 and exact != 0):
        return None  # strtold's ERANGE cases that Redis rejects
    return value


def add_long_double(a: LongDouble, b: LongDouble) -> LongDouble:
    """a + b rounded once, as the FPU does; an infinity absorbs any finite value (which may be beyond a Python
    float's range, so it is never converted), and inf - inf is NaN."""
    if isinstance(a, float) or isinstance(b, float):
        return (a if isinstance(a, float) else 0.0) + (b if isinstance(b, float) else 0.0)
    return round_to_long_double(a + b)


def is_finite(value: LongDouble) -> bool:
    return not isinstance(value, float)


def format_long_double_human(value: LongDouble) -> bytes:
    """printf("%.17Lf") with trailing zeros (and a bare '.') removed, "-0" shown as "0" (Redis's LD_STR_HUMAN)."""
    if isinstance(value, float):
        return b"nan" if math.isnan(value) else (b"inf" if value > 0 else b"-inf")
    scaled = round(abs(value) * 10 ** 17)  # glibc prints the exact value rounded half to even
    whole, frac = divmod(scaled, 10 ** 17)
    text = (_digits_of(whole) + b".%017d" % frac).rstrip(b"0").rstrip(b".")
    if value < 0 and text != b"0":
        text = b"-" + text
    return text
