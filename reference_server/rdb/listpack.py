"""Listpacks and intsets, byte for byte as Redis lays them out, and their strict decoders.

A listpack is a 6-byte header (total bytes, element count, little endian), entries, and 0xFF. Each entry is an
encoding byte (7-bit uint, 6/12/32-bit string length, 13/16/24/32/64-bit int), its data, and its own length
written backwards (7 bits per byte) so the list can be walked from the end. Strings that read as integers are
stored as integers, as lpAppend does.
"""
from __future__ import annotations

import struct

from ..util import string2ll

Element = bytes | int
_EOF = 0xFF
_HEADER = 6
_UNKNOWN_COUNT = 0xFFFF


class Malformed(ValueError):
    """The bytes are not a well-formed structure of the expected kind."""


# -- encoding ------------------------------------------------------------------------------------------------------
def _encode_int(v: int) -> bytes:
    if 0 <= v <= 127:
        return bytes([v])
    if -4096 <= v <= 4095:
        v &= 0x1FFF
        return bytes([0xC0 | v >> 8, v & 0xFF])
    if -32768 <= v <= 32767:
        return b"\xf1" + struct.pack("<h", v)
    if -8388608 <= v <= 8388607:
        return b"\xf2" + (v & 0xFFFFFF).to_bytes(3, "little")
    if -2147483648 <= v <= 2147483647:
        return b"\xf3" + struct.pack("<i", v)
    return b"\xf4" + struct.pack("<q", v)


def _encode_str(s: bytes) -> bytes:
    n = len(s)
    if n < 64:
        return bytes([0x80 | n]) + s
    if n < 4096:
        return bytes([0xE0 | n >> 8, n & 0xFF]) + s
    return b"\xf0" + struct.pack("<I", n) + s


def _backlen(n: int) -> bytes:
    """The entry length written backwards; sizes switch at 127 / 16383 / 2097151 / 268435455 as in Redis."""
    size = 1 if n <= 127 else 2 if n < 16383 else 3 if n < 2097151 else 4 if n < 268435455 else 5
    # the first byte (read last when walking backwards) holds the highest bits and no continuation flag
    return bytes([n >> 7 * (size - 1) & 127] + [(n >> 7 * i) & 127 | 128 for i in range(size - 2, -1, -1)])


def encode_entry(element: Element) -> bytes:
    if isinstance(element, int):
        body = _encode_int(element)
    else:
        as_int = string2ll(element)
        body = _encode_int(as_int) if as_int is not None else _encode_str(element)
    return body + _backlen(len(body))


def encode(elements: list[Element]) -> bytes:
    body = b"".join(map(encode_entry, elements))
    total = _HEADER + len(body) + 1
    count = min(len(elements), _UNKNOWN_COUNT)
    return struct.pack("<IH", total, count) + body + bytes([_EOF])


# -- decoding ------------------------------------------------------------------------------------------------------
def _read_entry(lp: bytes, p: int, end: int) -> tuple[Element, int]:
    """(element, size of its encoding + data) at offset p."""
    b = lp[p]
    if b < 0x80:
        return b, 1
    if b & 0xC0 == 0x80:
        n = b & 0x3F
        return lp[p + 1:p + 1 + n], 1 + n
    if b & 0xE0 == 0xC0:
        v = (b & 0x1F) << 8 | lp[p + 1]
        return (v - 0x2000 if v >= 0x1000 else v), 2
    if b & 0xF0 == 0xE0:
        n = (b & 0x0F) << 8 | lp[p + 1]
        return lp[p + 2:p + 2 + n], 2 + n
    if b == 0xF0:
        n = struct.unpack_from("<I", lp, p + 1)[0]
        return lp[p + 5:p + 5 + n], 5 + n
    ints = {0xF1: ("<h", 2), 0xF3: ("<i", 4), 0xF4: ("<q", 8)}
    if b in ints:
        fmt, size = ints[b]
        return struct.unpack_from(fmt, lp, p + 1)[0], 1 + size
    if b == 0xF2:
        v = int.from_bytes(lp[p + 1:p + 4], "little")
        return (v - (1 << 24) if v >= 1 << 23 else v), 4
    raise Malformed("bad listpack entry encoding")


def decode(lp: bytes) -> list[Element]:
    """Every element; Malformed unless the header, each entry, its back-length and the end marker agree."""
    if len(lp) < _HEADER + 1 or lp[-1] != _EOF:
        raise Malformed("listpack too short or unterminated")
    total, count = struct.unpack_from("<IH", lp)
    if total != len(lp):
        raise Malformed("listpack size mismatch")
    out: list[Element] = []
    p, end = _HEADER, len(lp) - 1
    try:
        while p < end:
            element, size = _read_entry(lp, p, end)
            back = _backlen(size)
            if p + size + len(back) > end or lp[p + size:p + size + len(back)] != back:
                raise Malformed("listpack back-length mismatch")
            out.append(element)
            p += size + len(back)
    except (IndexError, struct.error) as exc:
        raise Malformed("listpack entry out of bounds") from exc
    if count != _UNKNOWN_COUNT and count != len(out):
        raise Malformed("listpack element count mismatch")
    return out


def as_bytes(element: Element) -> bytes:
    return b"%d" % element if isinstance(element, int) else bytes(element)


# -- intsets -------------------------------------------------------------------------------------------------------
_INT_FORMATS = {2: "h", 4: "i", 8: "q"}


def intset_width(v: int) -> int:
    """Bytes per member of the narrowest intset encoding holding v."""
    if -32768 <= v <= 32767:
        return 2
    return 4 if -2147483648 <= v <= 2147483647 else 8


def encode_intset(values: list[int], width: int) -> bytes:
    ordered = sorted(values)
    return struct.pack("<II", width, len(ordered)) + struct.pack("<%d%s" % (len(ordered), _INT_FORMATS[width]),
                                                                *ordered)


def decode_intset(blob: bytes) -> tuple[list[int], int]:
    """(members in order, width); Malformed on a bad encoding, size, order or duplicate."""
    if len(blob) < 8:
        raise Malformed("intset too short")
    width, count = struct.unpack_from("<II", blob)
    if width not in _INT_FORMATS or len(blob) != 8 + width * count:
        raise Malformed("intset size mismatch")
    values = list(struct.unpack_from("<%d%s" % (count, _INT_FORMATS[width]), blob, 8))
    if any(a >= b for a, b in zip(values, values[1:])):
        raise Malformed("intset out of order")
    return values, width
