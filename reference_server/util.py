"""Number parsing and formatting exactly as Redis does it (string2ll, string2ld, long double printing)."""
from __future__ import annotations

import math
import re

LLONG_MAX = (1 << 63) - 1
LLONG_MIN = -(1 << 63)


def c_string(arg: bytes) -> bytes:
    """What C's %s prints of an argument: everything before the first NUL byte (Redis formats errors that way)."""
    nul = arg.find(b"\0")
    return arg if nul < 0 else arg[:nul]


def as_text(value: bytes) -> str:
    """An argument as str for error texts and names: bytes that are not UTF-8 survive the round trip back."""
    return value.decode("utf-8", "surrogateescape")


def string2ll(s: bytes) -> int | None:
    """Redis's strict integer parser: optional '-', no '+', no leading zeros, no spaces, fits in 64 bits."""
    n = len(s)
    if n == 0 or n > 20:
        return None
    if n == 1 and s[0] == 48:
        return 0
    neg = s[0] == 45
    digits = s[1:] if neg else s
    if not digits or not (49 <= digits[0] <= 57):
        return None
    for b in digits:
        if not 48 <= b <= 57:
            return None
    v = int(digits)
    if neg:
        v = -v
        return v if v >= LLONG_MIN else None
    return v if v <= LLONG_MAX else None


_FLOAT_RE = re.compile(rb"^[ \t\n\r\v\f]*[+-]?(\d+\.?\d*([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?|inf|infinity|nan)$", re.I)


def _hex_double(s: bytes) -> float | None:
    """strtod of a hexadecimal float; None where it sets ERANGE (overflow, or underflow to zero)."""
    try:
        value = float.fromhex(s.decode())
    except (ValueError, OverflowError):
        return None
    if value == 0 and any(c not in b"0.xX+-" for c in s.lower().split(b"p")[0]):
        return None
    return value


def string2d(s: bytes) -> float | None:
    """Redis's getDoubleFromObject/strtod rules: no trailing space, no empty, 'inf' allowed, NaN refused."""
    if not s or len(s) > 5000 or s[-1:].isspace() or s[:1].isspace():
        return None
    if not _FLOAT_RE.match(s):
        if s.lower().startswith((b"0x", b"-0x", b"+0x")):
            return _hex_double(s)
        return None
    v = float(s)
    if math.isnan(v):
        return None
    return v
