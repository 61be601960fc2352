"""Cursor iteration for SCAN, HSCAN, SSCAN and ZSCAN, with Redis's guarantees and its cursor arithmetic.

Redis walks a power-of-two hash table and hands out the next bucket index with its bits reversed ("reverse binary
iteration", dictScan). Counting in reversed bits visits the buckets of a bigger or smaller table in an order that
stays compatible across resizes, so every element present for the whole iteration is returned at least once
(possibly more than once after a shrink) whatever happens between calls.

Python's containers keep no buckets, so each element gets a fixed 64-bit position (a mixed hash) and the table is
virtual: with 2**bits buckets, bucket r in scan order holds the elements whose position starts with the bits of r.
That makes the scan order one sorted order for every table size, and the cursor is `r` with its bits reversed, as
Redis shows it. The table size follows the element count (at least 4, like a dict's), so it grows and shrinks
between calls exactly as the guarantee has to survive.

Small aggregates in Redis are not hash tables (listpack, intset): HSCAN/SSCAN/ZSCAN then return everything at once
with cursor 0, whatever cursor was given; callers say so with `compact=True`.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Collection, Hashable

from .errors import INVALID_CURSOR, NOT_INTEGER, NOVALUES_ONLY_HSCAN, SYNTAX, CommandError
from .glob import stringmatch
from .util import string2ll

_MASK64 = (1 << 64) - 1
MIN_TABLE_BITS = 2  # Redis's smallest dict has 4 buckets
DEFAULT_COUNT = 10


@dataclass
class ScanOptions:
    count: int = DEFAULT_COUNT
    pattern: bytes | None = None  # None: no MATCH, or MATCH "*" (which Redis treats as none)
    type_name: bytes | None = None
    novalues: bool = False


def parse_cursor(arg: bytes) -> int:
    """Redis's string2ull: a strict integer, else what C's strtoull accepts in full (spaces, '+', wrap-around '-')."""
    strict = string2ll(arg)
    if strict is not None:
        if strict < 0:
            raise CommandError(INVALID_CURSOR)
        return strict
    text = arg.lstrip(b" \t\n\v\f\r")
    negative = text[:1] == b"-"
    digits = text[1:] if text[:1] in (b"-", b"+") else text
    if not digits or not digits.isdigit() or int(digits) > _MASK64:
        raise CommandError(INVALID_CURSOR)
    value = int(digits)
    return (-value) & _MASK64 if negative else value


def parse_scan_options(argv: list[bytes], start: int, kind: str) -> ScanOptions:
    """The options after the cursor; `kind` is "keys" (SCAN), "hash", "set" or "zset"."""
    opts = ScanOptions()
    i = start
    while i < len(argv):
        word, more = argv[i].lower(), len(argv) - i >= 2
        if word == b"count" and more:
            opts.count = _parse_count(argv[i + 1])
            i += 2
        elif word == b"match" and more:
            opts.pattern = None if argv[i + 1] == b"*" else argv[i + 1]
            i += 2
        elif word == b"type" and kind == "keys" and more:
            opts.type_name = argv[i + 1]
            i += 2
        elif word == b"novalues":
            if kind != "hash":
                raise CommandError(NOVALUES_ONLY_HSCAN)
            opts.novalues = True
            i += 1
        else:
            raise CommandError(SYNTAX)
    return opts


def _parse_count(arg: bytes) -> int:
    count = string2ll(arg)
    if count is None:
        raise CommandError(NOT_INTEGER)
    if count < 1:
        raise CommandError(SYNTAX)
    return count


def glob_matcher(pattern: bytes | None) -> Callable[[bytes], bool]:
    """A predicate for MATCH; None (no pattern, or "*") accepts everything."""
    if pattern is None:
        return lambda subject: True
    return lambda subject: stringmatch(pattern, subject)


def _first(pair: tuple) -> int:
    return pair[0]


def table_bits(size: int) -> int:
    """log2 of the virtual table's bucket count for `size` elements: the smallest power of two holding them."""
    return max(MIN_TABLE_BITS, (size - 1).bit_length())


def position(element: Hashable) -> int:
    """A fixed, well-spread 64-bit position: Python's hash of bytes (SipHash, cached on the object) as it is;
    other elements (small ints hash to themselves) through splitmix64's finaliser."""
    z = hash(element) & _MASK64
    if type(element) is bytes:
        return z
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK64
    return z ^ (z >> 31)


def reverse_bits(value: int, bits: int) -> int:
    return int(format(value, f"0{bits}b")[::-1], 2) if bits else 0


def scan(elements: Collection, cursor: int, count: int, compact: bool = False) -> tuple[int, list]:
    """One SCAN step: (next cursor, elements of the visited buckets); cursor 0 means the iteration is over.

    Like Redis, buckets are visited until `count` elements were seen or 10*count more buckets were empty; the caller
    filters (MATCH, TYPE, expiry) afterwards, so a step may return fewer elements than `count`, even none.
    """
    if compact:
        return 0, list(elements)
    bits = table_bits(len(elements))
    buckets = 1 << bits
    shift = 64 - bits
    first = reverse_bits(cursor & (buckets - 1), bits)
    end = min(buckets, first + count * 10 + 1)
    low, high = first << shift, end << shift
    found = [(pos, e) for e in elements
             if low <= (pos := hash(e) & _MASK64 if type(e) is bytes else position(e)) < high]
    found.sort(key=_first)
    taken: list = []
    bucket, i = first, 0
    while True:
        while i < len(found) and found[i][0] >> shift == bucket:
            taken.append(found[i][1])
            i += 1
        bucket += 1
        if bucket == buckets or bucket == end or len(taken) >= count:
            break
    return (0 if bucket == buckets else reverse_bits(bucket, bits)), taken
