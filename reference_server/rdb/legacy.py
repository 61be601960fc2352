"""Decoders for the encodings older Redis versions wrote and RESTORE still accepts: ziplists (Redis < 7.0 lists,
hashes and sorted sets) and zipmaps (hashes before 2.6).

Ziplist: zlbytes (4), zltail (4), zllen (2), entries, 0xFF. Each entry: the previous entry's length (1 byte, or
0xFE and 4 bytes), an encoding (6/14/32-bit string length, or 8/16/24/32/64-bit int, or a 4-bit immediate 0-12),
and its data. Zipmap: a count byte, then length/key, length/free/value/padding pairs, and 0xFF.
"""
from __future__ import annotations

import struct

from .listpack import Element, Malformed

_ZL_HEADER = 10
_ZL_END = 0xFF
_ZL_INTS = {0xC0: ("<h", 2), 0xD0: ("<i", 4), 0xE0: ("<q", 8), 0xFE: ("<b", 1)}


def _ziplist_entry(zl: bytes, p: int) -> tuple[Element, int]:
    """(element, bytes of encoding + data) at p, just past the prevlen field."""
    b = zl[p]
    kind = b >> 6
    if kind == 0:
        n = b & 0x3F
        return zl[p + 1:p + 1 + n], 1 + n
    if kind == 1:
        n = (b & 0x3F) << 8 | zl[p + 1]
        return zl[p + 2:p + 2 + n], 2 + n
    if b == 0x80:
        n = struct.unpack_from(">I", zl, p + 1)[0]
        return zl[p + 5:p + 5 + n], 5 + n
    if b in _ZL_INTS:
        fmt, size = _ZL_INTS[b]
        return struct.unpack_from(fmt, zl, p + 1)[0], 1 + size
    if b == 0xF0:
        v = int.from_bytes(zl[p + 1:p + 4], "little")
        return (v - (1 << 24) if v >= 1 << 23 else v), 4
    if 0xF1 <= b <= 0xFD:
        return (b & 0x0F) - 1, 1
    raise Malformed("bad ziplist entry encoding")


def decode_ziplist(zl: bytes) -> list[Element]:
    if len(zl) < _ZL_HEADER + 1 or zl[-1] != _ZL_END:
        raise Malformed("ziplist too short or unterminated")
    total, _tail, count = struct.unpack_from("<IIH", zl)
    if total != len(zl):
        raise Malformed("ziplist size mismatch")
    out: list[Element] = []
    p, end, prev = _ZL_HEADER, len(zl) - 1, 0
    try:
        while p < end:
            start = p
            stored_prev, p = (zl[p], p + 1) if zl[p] < 0xFE else (struct.unpack_from("<I", zl, p + 1)[0], p + 5)
            if stored_prev != prev:
                raise Malformed("ziplist prevlen mismatch")
            element, size = _ziplist_entry(zl, p)
            p += size
            if p > end:
                raise Malformed("ziplist entry out of bounds")
            out.append(element)
            prev = p - start
    except (IndexError, struct.error) as exc:
        raise Malformed("ziplist entry out of bounds") from exc
    if count != 0xFFFF and count != len(out):
        raise Malformed("ziplist element count mismatch")
    return out


def _zipmap_len(zm: bytes, p: int) -> tuple[int, int]:
    if zm[p] < 254:
        return zm[p], p + 1
    if zm[p] == 254:
        return struct.unpack_from("<I", zm, p + 1)[0], p + 5
    raise Malformed("bad zipmap length")


def decode_zipmap(zm: bytes) -> list[tuple[bytes, bytes]]:
    pairs = []
    p = 1
    try:
        while zm[p] != 0xFF:
            klen, p = _zipmap_len(zm, p)
            key, p = zm[p:p + klen], p + klen
            vlen, p = _zipmap_len(zm, p)
            free, p = zm[p], p + 1
            value, p = zm[p:p + vlen], p + vlen + free
            if p >= len(zm):
                raise Malformed("zipmap entry out of bounds")
            pairs.append((key, value))
    except (IndexError, struct.error) as exc:
        raise Malformed("zipmap entry out of bounds") from exc
    if p != len(zm) - 1:
        raise Malformed("zipmap trailing bytes")
    return pairs
