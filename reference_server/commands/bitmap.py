"""Bitmap group: SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP. BITFIELD and BITFIELD_RO are in bitfield.py.

Bitmaps are plain strings. Bit 0 is the most significant bit of the first byte. A string a bit command writes
becomes a `bytearray` the key owns (Redis's "raw" encoding), even when no bit changes.
"""
from __future__ import annotations

from .. import errors
from ..errors import CommandError
from ..notify import notify
from ..util import string2ll
from . import command
from .strings import STRING_TYPES, c_string, parse_integer, read_string

_INT64_MASK = (1 << 64) - 1


# -- helpers shared with bitfield.py ---------------------------------------------------------------------------------
def parse_bit_offset(engine, arg: bytes, bits: int = 0) -> int:
    """A bit offset as Redis's getBitOffsetFromArgument reads it; with `bits`, "#N" means N * bits."""
    by_width = bits > 0 and arg[:1] == b"#"
    offset = string2ll(arg[1:] if by_width else arg)
    if offset is None:
        raise CommandError(errors.BIT_OFFSET)
    if by_width:  # a 64-bit multiplication: it wraps as Redis's does
        offset = ((offset * bits + (1 << 63)) & _INT64_MASK) - (1 << 63)
    if offset < 0 or (offset >> 3) >= engine.config.get_int("proto-max-bulk-len"):
        raise CommandError(errors.BIT_OFFSET)
    return offset


def unshare(db, key: bytes, value) -> bytearray:
    """The key's string as a bytearray it owns; swapping the object is not a change WATCH sees (Redis's
    dbUnshareStringValue)."""
    if type(value) is not bytearray:
        value = bytearray(value)
        db.data[key] = value
    return value


def bits_for_write(engine, client, key: bytes, max_bit: int) -> tuple[bytearray, bool]:
    """The string at `key`, created or zero-padded so that `max_bit` exists (lookupStringForBitCommand); the flag
    says whether it was created or grew."""
    db = engine.db(client)
    value = db.get_typed(key, STRING_TYPES)
    size = (max_bit >> 3) + 1
    if value is None:
        value = bytearray(size)
        db.set(key, value)
        return value, True
    value = unshare(db, key, value)
    grew = len(value) < size
    if grew:
        value.extend(bytes(size - len(value)))
    return value, grew


def parse_index_unit(arg: bytes) -> bool:
    """BIT or BYTE (True for BIT); anything else is a syntax error."""
    unit = c_string(arg)
    if unit not in (b"bit", b"byte"):
        raise CommandError(errors.SYNTAX)
    return unit == b"bit"


# -- SETBIT / GETBIT -------------------------------------------------------------------------------------------------
@command("setbit")
def setbit(engine, client, argv):
    offset = parse_bit_offset(engine, argv[2])
    on = string2ll(argv[3])
    if on is None or on & ~1:
        raise CommandError(errors.BIT_VALUE)
    value, grew = bits_for_write(engine, client, argv[1], offset)
    byte, mask = offset >> 3, 0x80 >> (offset & 7)
    was = 1 if value[byte] & mask else 0
    if grew or was != on:
        value[byte] = (value[byte] | mask) if on else (value[byte] & ~mask)
        engine.db(client).signal(argv[1])
        notify(engine, client.db, "$", "setbit", argv[1])
    return was


@command("getbit")
def getbit(engine, client, argv):
    offset = parse_bit_offset(engine, argv[2])
    value = read_string(engine, client, argv[1])
    byte = offset >> 3
    if value is None or byte >= len(value):
        return 0
    return 1 if value[byte] & (0x80 >> (offset & 7)) else 0


# -- ranges: BITCOUNT / BITPOS ---------------------------------------------------------------------------------------
def _byte_range(start: int, end: int, size: int, in_bits: bool) -> tuple[int, int, int, int]:
    """Normalise a [start, end] range as Redis does: (first byte, last byte, bits to ignore at the start of the
    first byte, bits to ignore at the end of the last byte). An empty range has first > last."""
    total = size * 8 if in_bits else size
    start = max(start + total if start < 0 else start, 0)
    end = max(end + total if end < 0 else end, 0)
    end = min(end, total - 1)
    if not in_bits or start > end:
        return start, end, 0, 0
    return start >> 3, end >> 3, start & 7, 7 - (end & 7)


@command("bitcount")
def bitcount(engine, client, argv):
    if len(argv) not in (2, 4, 5):
        raise CommandError(errors.SYNTAX)
    start, end, in_bits = 0, -1, False
    if len(argv) > 2:
        start, end = parse_integer(argv[2]), parse_integer(argv[3])
        in_bits = parse_index_unit(argv[4]) if len(argv) > 4 else False
    value = read_string(engine, client, argv[1])
    if value is None:
        return 0
    if start < 0 and end < 0 and start > end:
        return 0
    first, last, head, tail = _byte_range(start, end, len(value), in_bits)
    if first > last:
        return 0
    chunk = int.from_bytes(value[first:last + 1], "big")
    return (chunk >> tail & ((1 << ((last - first + 1) * 8 - head - tail)) - 1)).bit_count()


def _first_bit(chunk: bytes, bit: int) -> int:
    """Position of the first `bit` in `chunk`; for a clear bit not found, the position just past it (the string is
    zero-padded on the right), for a set bit not found, -1 (Redis's redisBitpos)."""
    skip = b"\x00" if bit else b"\xff"
    rest = chunk.lstrip(skip)
    if not rest:
        return -1 if bit else len(chunk) * 8
    byte = rest[0] if bit else rest[0] ^ 0xFF
    return (len(chunk) - len(rest)) * 8 + 8 - byte.bit_length()


@command("bitpos")
def bitpos(engine, client, argv):
    bit = parse_integer(argv[2])
    if bit not in (0, 1):
        raise CommandError(errors.BITPOS_BIT)
    if len(argv) > 6:
        raise CommandError(errors.SYNTAX)
    start = parse_integer(argv[3]) if len(argv) > 3 else 0
    in_bits = parse_index_unit(argv[5]) if len(argv) > 5 else False  # Redis checks the unit before the end
    end = parse_integer(argv[4]) if len(argv) > 4 else None
    value = read_string(engine, client, argv[1])
    if value is None:
        return -1 if bit else 0
    end_given = end is not None
    if end is None:
        end = len(value) * 8 + 7 if in_bits else len(value) - 1
    first, last, head, tail = _byte_range(start, end, len(value), in_bits)
    if first > last:
        return -1
    return _bitpos_in(bytes(value[first:last + 1]), bit, head, tail, end_given, first)


def _bitpos_in(chunk: bytes, bit: int, head: int, tail: int, end_given: bool, first: int) -> int:
    """BITPOS within the selected bytes: bits outside the range are forced to the opposite of `bit`."""
    if head or tail:
        filler = 0 if bit else 0xFF
        edges = bytearray(chunk)
        keep_head, keep_tail = 0xFF >> head, (0xFF << tail) & 0xFF
        edges[0] = (edges[0] & keep_head) | (filler & ~keep_head & 0xFF)
        edges[-1] = (edges[-1] & keep_tail) | (filler & ~keep_tail & 0xFF)
        chunk = bytes(edges)
    pos = _first_bit(chunk, bit)
    if end_given and bit == 0 and pos == len(chunk) * 8:
        return -1  # an explicit end: the bits past it are not zero padding
    return pos + first * 8 if pos != -1 else -1


# -- BITOP -----------------------------------------------------------------------------------------------------------
def _one_of(values: list[int], mask: int) -> int:
    """Bits set in exactly one of the values."""
    once = more = 0
    for v in values:
        more |= once & v
        once = (once ^ v) & ~more
    return once


def _union(values: list[int]) -> int:
    out = 0
    for v in values:
        out |= v
    return out


def _and_all(values: list[int], mask: int) -> int:
    out = mask
    for v in values:
        out &= v
    return out


def _xor_all(values: list[int], mask: int) -> int:
    out = 0
    for v in values:
        out ^= v
    return out


# name -> (combine(values, mask), needs at least two sources)
_BITOPS = {
    b"and": (_and_all, False),
    b"or": (lambda vs, mask: _union(vs), False),
    b"xor": (_xor_all, False),
    b"not": (lambda vs, mask: ~vs[0] & mask, False),
    b"diff": (lambda vs, mask: vs[0] & ~_union(vs[1:]) & mask, True),
    b"diff1": (lambda vs, mask: ~vs[0] & _union(vs[1:]) & mask, True),
    b"andor": (lambda vs, mask: vs[0] & _union(vs[1:]), True),
    b"one": (_one_of, False),
}


@command("bitop")
def bitop(engine, client, argv):
    name = c_string(argv[1])
    op = _BITOPS.get(name)
    if op is None:
        raise CommandError(errors.SYNTAX)
    combine, needs_two = op
    sources = argv[3:]
    if name == b"not" and len(sources) != 1:
        raise CommandError(errors.BITOP_NOT_ONE_KEY)
    if needs_two and len(sources) < 2:
        raise CommandError(errors.BITOP_TWO_KEYS % name.decode().upper())
    strings = [read_string(engine, client, key) or b"" for key in sources]
    size = max(map(len, strings))
    db = engine.db(client)
    if not size:
        if db.delete(argv[2]):
            notify(engine, db, "g", "del", argv[2])
        return 0
    values = [int.from_bytes(s, "big") << (8 * (size - len(s))) for s in strings]
    result = combine(values, (1 << (8 * size)) - 1)
    db.set(argv[2], bytearray(result.to_bytes(size, "big")), lookup=True)
    notify(engine, db, "$", "set", argv[2])
    return size
