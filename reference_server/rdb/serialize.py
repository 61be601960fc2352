"""DUMP: one value in the RDB format, in the encoding it has (OBJECT ENCODING), plus version and CRC64 footer.

Follows rdbSaveObjectType/rdbSaveObject: strings that read as 8/16/32-bit integers are stored as such, strings
over 20 bytes are LZF-compressed when that saves at least 4 bytes (rdbcompression yes), and the small encodings
(listpack, intset) are written as one blob, itself a string. Hash-table encodings are written in the value
class's order; Redis's own order there depends on a per-process hash seed, so no two servers agree on it.
"""
from __future__ import annotations

import struct

from ..datatypes.hash import HASHTABLE as HASH_HT, LISTPACK_EX, HashValue
from ..datatypes.list import ListValue
from ..datatypes.set import HASHTABLE as SET_HT, INTSET, SetValue
from ..datatypes.stream import StreamValue
from ..datatypes.zset import SKIPLIST, ZSetValue
from ..dtoa import d2string
from ..util import string2ll
from . import listpack, lzf
from .crc64 import crc64

RDB_VERSION = 12
T_STRING, T_SET, T_HASH, T_ZSET_2 = 0, 2, 4, 5
T_SET_INTSET, T_LIST_QUICKLIST_2, T_SET_LISTPACK = 11, 18, 20
T_HASH_LISTPACK, T_ZSET_LISTPACK, T_STREAM_3 = 16, 17, 21
T_HASH_METADATA, T_HASH_LISTPACK_EX = 24, 25
NODE_PLAIN, NODE_PACKED = 1, 2
_LL_HALF = float(((1 << 63) - 1) // 2)  # double2ll's safe range, as the double C compares with
_MIN_COMPRESS_BYTES, _MIN_COMPRESS_IMPROVE = 48, 8  # quicklist's in-memory node compression


class Writer:
    """The rio buffer rdbSave* functions append to."""

    def __init__(self, compress: bool) -> None:
        self.out = bytearray()
        self.compress = compress

    def byte(self, b: int) -> None:
        self.out.append(b)

    def length(self, n: int) -> None:
        if n < 1 << 6:
            self.out.append(n)
        elif n < 1 << 14:
            self.out += bytes([0x40 | n >> 8, n & 0xFF])
        elif n <= 0xFFFFFFFF:
            self.out += b"\x80" + struct.pack(">I", n)
        else:
            self.out += b"\x81" + struct.pack(">Q", n)

    def millis(self, t: int) -> None:
        self.out += struct.pack("<q", t)

    def lzf_blob(self, compressed: bytes, original_len: int) -> None:
        self.out.append(0xC3)
        self.length(len(compressed))
        self.length(original_len)
        self.out += compressed

    def string(self, s: bytes) -> None:
        """rdbSaveRawString: small integer form, else LZF when it pays, else length + bytes."""
        if len(s) <= 11:
            n = string2ll(s)
            if n is not None and -(1 << 31) <= n < 1 << 31:
                self.out += _encoded_int(n)
                return
        if self.compress and len(s) > 20:
            packed = lzf.compress(s, len(s) - 4)
            if packed is not None:
                self.lzf_blob(packed, len(s))
                return
        self.length(len(s))
        self.out += s


def _encoded_int(n: int) -> bytes:
    if -128 <= n <= 127:
        return b"\xc0" + struct.pack("<b", n)
    if -32768 <= n <= 32767:
        return b"\xc1" + struct.pack("<h", n)
    return b"\xc2" + struct.pack("<i", n)


# -- per type ------------------------------------------------------------------------------------------------------
def _list(w: Writer, value: ListValue, compress_depth: int) -> int:
    if value.nodes is None:
        w.length(1)
        w.length(NODE_PACKED)
        w.string(listpack.encode(value.items))
        return T_LIST_QUICKLIST_2
    w.length(len(value.nodes))
    start = 0
    for number, node in enumerate(value.nodes):
        items = value.items[start:start + node.count]
        start += node.count
        w.length(NODE_PLAIN if node.plain else NODE_PACKED)
        blob = items[0] if node.plain else listpack.encode(items)
        inner = compress_depth and compress_depth <= number < len(value.nodes) - compress_depth
        _quicklist_node(w, blob, bool(inner))
    return T_LIST_QUICKLIST_2


def _quicklist_node(w: Writer, blob: bytes, compressed_in_memory: bool) -> None:
    """A node held LZF-compressed in memory (list-compress-depth) is written as that compressed form."""
    if compressed_in_memory and len(blob) >= _MIN_COMPRESS_BYTES:
        packed = lzf.compress(blob, len(blob))
        if packed is not None and len(packed) + _MIN_COMPRESS_IMPROVE < len(blob):
            w.lzf_blob(packed, len(blob))
            return
    w.string(blob)


def _set(w: Writer, value: SetValue) -> int:
    if value.enc == INTSET:
        w.string(listpack.encode_intset([int(m) for m in value.members], value.int_width))
        return T_SET_INTSET
    if value.enc == SET_HT:
        w.length(len(value))
        for member in value:
            w.string(member)
        return T_SET
    w.string(listpack.encode(value.ordered()))
    return T_SET_LISTPACK


def listpack_score(score: float) -> listpack.Element:
    """How zzlInsertAt stores a score: an integer when double2ll allows, else d2string's text."""
    if -_LL_HALF <= score <= _LL_HALF and score == int(score):
        return int(score)
    return d2string(score)


def _zset(w: Writer, value: ZSetValue) -> int:
    if value.enc == SKIPLIST:
        w.length(len(value))
        for score, member in reversed(list(value)):
            w.string(member)
            w.out += struct.pack("<d", score)
        return T_ZSET_2
    elements: list[listpack.Element] = []
    for score, member in value:
        elements += [member, listpack_score(score)]
    w.string(listpack.encode(elements))
    return T_ZSET_LISTPACK


def _hash(w: Writer, value: HashValue) -> int:
    min_expire = min(value.expires.values(), default=None)
    if value.enc == HASH_HT:
        return _hash_table(w, value, min_expire)
    elements: list[listpack.Element] = []
    for field, v in value.fields.items():
        elements += [field, v]
        if value.enc == LISTPACK_EX:
            elements.append(value.expires.get(field, 0))
    if value.enc == LISTPACK_EX:
        w.millis(min_expire or 0)
    w.string(listpack.encode(elements))
    return T_HASH_LISTPACK_EX if value.enc == LISTPACK_EX else T_HASH_LISTPACK


def _hash_table(w: Writer, value: HashValue, min_expire: int | None) -> int:
    if min_expire is not None:
        w.millis(min_expire)
    w.length(len(value))
    for field, v in value.fields.items():
        if min_expire is not None:
            when = value.expires.get(field)
            w.length(0 if when is None else when - min_expire + 1)  # relative, +1 so 0 can mean "none"
        w.string(field)
        w.string(v)
    return T_HASH if min_expire is None else T_HASH_METADATA


def write_value(w: Writer, value, compress_depth: int = 0) -> int:
    """Serialize the value into `w`; returns its RDB type byte."""
    if isinstance(value, (bytes, bytearray)):
        w.string(bytes(value))
        return T_STRING
    if isinstance(value, ListValue):
        return _list(w, value, compress_depth)
    if isinstance(value, SetValue):
        return _set(w, value)
    if isinstance(value, ZSetValue):
        return _zset(w, value)
    if isinstance(value, HashValue):
        return _hash(w, value)
    if isinstance(value, StreamValue):
        from .stream import write_stream
        write_stream(w, value)
        return T_STREAM_3
    raise TypeError(f"no RDB form for {type(value).__name__}")


def dump_payload(value, compress: bool = True, compress_depth: int = 0) -> bytes:
    """The full DUMP reply: type byte, serialized value, RDB version (LE16), CRC64 (LE64) of all before it."""
    body = Writer(compress)
    rdb_type = write_value(body, value, compress_depth)
    payload = bytes([rdb_type]) + bytes(body.out) + struct.pack("<H", RDB_VERSION)
    return payload + struct.pack("<Q", crc64(payload))
