"""RESTORE: check a DUMP payload's footer, then rebuild the value with the encoding Redis would give it on load.

Follows rdbLoadObject: the small encodings are taken as they come and converted up when they hold more entries
than the configuration allows now; element-by-element types (hash table, set, skiplist) are built up the way
Redis builds them, which can land them in a small encoding. Older encodings (ziplist, zipmap, RDB 9/10 streams)
are accepted as Redis 8.2 accepts them. Anything that does not parse is `Malformed` ("Bad data format"); this is
stricter than Redis without sanitize-dump-payload, which takes some corrupt payloads and fails later.
"""
from __future__ import annotations

import math
import struct

from ..datatypes.hash import HASHTABLE as HASH_HT, LISTPACK as HASH_LP, LISTPACK_EX, HashValue
from ..datatypes.list import ListValue, _Node, listpack_bytes, node_limits
from ..datatypes.set import HASHTABLE as SET_HT, INTSET, LISTPACK as SET_LP, SetValue
from ..datatypes.zset import LISTPACK as ZSET_LP, SKIPLIST, ZSetValue
from ..util import string2ll
from . import legacy, listpack, lzf
from .crc64 import crc64
from .listpack import Malformed, as_bytes
from .serialize import RDB_VERSION, NODE_PACKED, NODE_PLAIN
from .stream import T_STREAM_1, T_STREAM_2, T_STREAM_3, read_stream

_FOOTER = 10
_INTSET_HARD_LIMIT = 1 << 30
_EXPIRE_TIME_MAX = (1 << 48) - 1  # hash field expiry times are 48-bit


def payload_ok(payload: bytes) -> bool:
    """verifyDumpPayload: a footer with an RDB version this server knows and a matching CRC64."""
    if len(payload) < _FOOTER:
        return False
    version = struct.unpack_from("<H", payload, len(payload) - _FOOTER)[0]
    if version > RDB_VERSION:
        return False
    return struct.unpack_from("<Q", payload, len(payload) - 8)[0] == crc64(payload[:-8])


class Reader:
    """Reads the payload as rioRead does: the footer is part of the buffer, so a value may run into it."""

    def __init__(self, data: bytes) -> None:
        self.data, self.pos = data, 0

    def raw(self, n: int) -> bytes:
        if self.pos + n > len(self.data):
            raise Malformed("payload cut short")
        chunk = self.data[self.pos:self.pos + n]
        self.pos += n
        return chunk

    def byte(self) -> int:
        return self.raw(1)[0]

    def _length_or_encoding(self) -> tuple[int, bool]:
        first = self.byte()
        kind = first >> 6
        if kind == 0:
            return first & 0x3F, False
        if kind == 1:
            return (first & 0x3F) << 8 | self.byte(), False
        if kind == 3:
            return first & 0x3F, True
        if first == 0x80:
            return struct.unpack(">I", self.raw(4))[0], False
        if first == 0x81:
            return struct.unpack(">Q", self.raw(8))[0], False
        raise Malformed("unknown length encoding")

    def length(self) -> int:
        return self._length_or_encoding()[0]

    def millis(self) -> int:
        return struct.unpack("<q", self.raw(8))[0]

    def string(self) -> bytes:
        n, encoded = self._length_or_encoding()
        if not encoded:
            return self.raw(n)
        if n in (0, 1, 2):
            fmt = "<" + "bhi"[n]
            return b"%d" % struct.unpack(fmt, self.raw(struct.calcsize(fmt)))[0]
        if n == 3:
            compressed_len, original_len = self.length(), self.length()
            out = lzf.decompress(self.raw(compressed_len), original_len)
            if out is None:
                raise Malformed("invalid LZF compressed string")
            return out
        raise Malformed("unknown string encoding")

    def binary_double(self) -> float:
        return struct.unpack("<d", self.raw(8))[0]

    def text_double(self) -> float:
        n = self.byte()
        if n >= 253:
            return {253: math.nan, 254: math.inf, 255: -math.inf}[n]
        try:
            return float(self.raw(n))
        except ValueError as exc:
            raise Malformed("bad double") from exc


class Limits:
    """The encoding thresholds in force when the value is loaded."""

    def __init__(self, config) -> None:
        get = config.get_int
        self.list_fill = get("list-max-listpack-size")
        self.set_intset = min(get("set-max-intset-entries"), _INTSET_HARD_LIMIT)
        self.set_lp_entries, self.set_lp_value = get("set-max-listpack-entries"), get("set-max-listpack-value")
        self.zset_entries, self.zset_value = get("zset-max-listpack-entries"), get("zset-max-listpack-value")
        self.hash_entries, self.hash_value = get("hash-max-listpack-entries"), get("hash-max-listpack-value")


def _nonempty(items):
    if not items:
        raise Malformed("empty key")
    return items


# -- lists ---------------------------------------------------------------------------------------------------------
def _list_from_nodes(nodes: list[tuple[list[bytes], bool]], limits: Limits) -> ListValue:
    """A quicklist of the given nodes, turned into a listpack when it is one packed node within the limit."""
    value = ListValue()
    value.nodes = []
    for items, plain in nodes:
        value.items += items
        value.nodes.append(_Node(len(items), listpack_bytes(items), plain))
    _nonempty(value.items)
    size_limit, count_limit = node_limits(limits.list_fill)
    only = value.nodes[0]
    if len(value.nodes) == 1 and not only.plain and (size_limit is None or only.size <= size_limit) \
            and (count_limit is None or only.count <= count_limit):
        value.nodes = None
    return value


def _quicklist(r: Reader, limits: Limits, version: int) -> ListValue:
    nodes = []
    for _ in range(_nonempty(r.length())):
        container = r.length() if version == 2 else NODE_PACKED
        if container not in (NODE_PACKED, NODE_PLAIN):
            raise Malformed("quicklist integrity check failed")
        blob = r.string()
        if not blob:
            raise Malformed("empty quicklist node")
        if container == NODE_PLAIN:
            nodes.append(([blob], True))
            continue
        items = listpack.decode(blob) if version == 2 else legacy.decode_ziplist(blob)
        if items:  # Redis skips empty nodes silently
            nodes.append(([as_bytes(e) for e in items], False))
    return _list_from_nodes(nodes, limits)


def _pushed_list(items: list[bytes], limits: Limits, convert: bool) -> ListValue:
    """Elements pushed one by one onto a quicklist (the oldest list encodings)."""
    value = ListValue()
    value.nodes = []
    value.push(_nonempty(items), head=False, fill=limits.list_fill)
    if convert and len(value.nodes) == 1:
        return _list_from_nodes([(value.items, value.nodes[0].plain)], limits)
    return value


# -- sets ----------------------------------------------------------------------------------------------------------
def _set_from_intset(blob: bytes, limits: Limits) -> SetValue:
    values, width = listpack.decode_intset(blob)
    value = SetValue(INTSET if len(values) <= limits.set_intset else SET_HT)
    value.members = {b"%d" % v: None for v in _nonempty(values)}
    value.int_width = width
    return value


def _set_from_listpack(blob: bytes, limits: Limits) -> SetValue:
    members = [as_bytes(e) for e in listpack.decode(blob)]
    if len(set(members)) != len(members):
        raise Malformed("duplicate set members")
    value = SetValue(SET_LP if len(_nonempty(members)) <= limits.set_lp_entries else SET_HT)
    value.members = dict.fromkeys(members)
    return value


def _set_by_element(r: Reader, limits: Limits) -> SetValue:
    """RDB_TYPE_SET: an intset while members are integers, then a listpack while small, then a hash table."""
    count = _nonempty(r.length())
    value = SetValue(SET_HT if count > limits.set_intset else INTSET)
    longest = 0
    for _ in range(count):
        member = r.string()
        longest = max(longest, len(member))
        if member in value.members:
            raise Malformed("duplicate set members")
        if value.enc == INTSET and string2ll(member) is None:
            fits = len(value) < limits.set_lp_entries and longest <= limits.set_lp_value
            value.members = dict.fromkeys(value.ordered())
            value.enc = SET_LP if fits else SET_HT
        if value.enc == SET_LP and not (len(value) < limits.set_lp_entries and len(member) <= limits.set_lp_value):
            value.enc = SET_HT
        value.members[member] = None
        value._sorted = None
    if value.enc == INTSET:
        value.int_width = max(listpack.intset_width(int(m)) for m in value.members)
    return value


# -- sorted sets ---------------------------------------------------------------------------------------------------
def _lp_score(element: listpack.Element) -> float:
    if isinstance(element, int):
        return float(element)
    try:
        return float(element)
    except ValueError as exc:
        raise Malformed("bad score in sorted set listpack") from exc


def _zset_from_pairs(elements: list, limits: Limits) -> ZSetValue:
    if len(elements) % 2:
        raise Malformed("odd sorted set listpack")
    value = ZSetValue(ZSET_LP)
    for member, score in zip(elements[0::2], elements[1::2]):
        member = as_bytes(member)
        if member in value:
            raise Malformed("duplicate sorted set members")
        value.insert(member, _lp_score(score), None)
    if len(_nonempty(value)) > limits.zset_entries:
        value.enc = SKIPLIST
    return value


def _zset_by_element(r: Reader, limits: Limits, binary: bool) -> ZSetValue:
    value = ZSetValue(SKIPLIST)
    for _ in range(_nonempty(r.length())):
        member = r.string()
        score = r.binary_double() if binary else r.text_double()
        if math.isnan(score) or member in value:
            raise Malformed("NaN score or duplicate member")
        value.insert(member, score, None)
    value.shrink_if_fits(_ZLimits(limits))
    return value


class _ZLimits:
    def __init__(self, limits: Limits) -> None:
        self.entries, self.value = limits.zset_entries, limits.zset_value


# -- hashes --------------------------------------------------------------------------------------------------------
def _hash_from_pairs(pairs: list[tuple[bytes, bytes]], limits: Limits, check_dups: bool = True) -> HashValue:
    value = HashValue()
    for field, v in _nonempty(pairs):
        if check_dups and field in value.fields:
            raise Malformed("duplicate hash fields")
        value.fields[field] = v
    if len(value) > limits.hash_entries:
        value.enc = HASH_HT
    return value


def _pairs(elements: list, width: int = 2) -> list[tuple]:
    if len(elements) % width:
        raise Malformed("listpack tuples incomplete")
    return [tuple(elements[i:i + width]) for i in range(0, len(elements), width)]


def _hash_from_listpack_ex(blob: bytes, limits: Limits) -> HashValue:
    triples = _pairs(listpack.decode(blob), 3)
    value = _hash_from_pairs([(as_bytes(f), as_bytes(v)) for f, v, _ in triples], limits)
    if value.enc == HASH_LP:
        value.enc = LISTPACK_EX
    for f, _, when in triples:
        if not isinstance(when, int) or when < 0:
            raise Malformed("bad field expiry")
        if when:
            value.expires[as_bytes(f)] = when
    return value


def _hash_by_element(r: Reader, limits: Limits, with_ttl: bool, pre_ga: bool) -> HashValue:
    """RDB_TYPE_HASH / HASH_METADATA: a listpack(ex) until too many fields or a long field or value."""
    min_expire = r.millis() if with_ttl and not pre_ga else 0
    count = _nonempty(r.length())
    value = HashValue()
    value.enc = HASH_HT if count > limits.hash_entries else (LISTPACK_EX if with_ttl else HASH_LP)
    for _ in range(count):
        ttl = r.length() if with_ttl else 0
        when = (ttl + min_expire - 1 if ttl else 0) if not pre_ga else ttl
        if when > _EXPIRE_TIME_MAX:
            raise Malformed("field expiry out of range")
        field, v = r.string(), r.string()
        if field in value.fields:
            raise Malformed("duplicate hash fields")
        if len(field) > limits.hash_value or len(v) > limits.hash_value:
            value.enc = HASH_HT
        value.fields[field] = v
        if when:
            value.set_ttl(field, when)
    return value


# -- dispatch ------------------------------------------------------------------------------------------------------
def _blob_value(rdb_type: int, r: Reader, limits: Limits):
    if rdb_type == 25:
        r.millis()  # the next field expiry, recomputed from the fields
    blob = r.string()
    if rdb_type == 9:
        pairs = legacy.decode_zipmap(blob)
        value = _hash_from_pairs(pairs, limits)
        if max((max(len(f), len(v)) for f, v in pairs), default=0) > limits.hash_value:
            value.enc = HASH_HT
        return value
    if rdb_type == 10:
        return _pushed_list([as_bytes(e) for e in legacy.decode_ziplist(blob)], limits, convert=False)
    if rdb_type == 11:
        return _set_from_intset(blob, limits)
    if rdb_type == 20:
        return _set_from_listpack(blob, limits)
    if rdb_type in (12, 17):
        decode = legacy.decode_ziplist if rdb_type == 12 else listpack.decode
        return _zset_from_pairs(decode(blob), limits)
    if rdb_type in (13, 16):
        decode = legacy.decode_ziplist if rdb_type == 13 else listpack.decode
        return _hash_from_pairs([(as_bytes(f), as_bytes(v)) for f, v in _pairs(decode(blob))], limits)
    return _hash_from_listpack_ex(blob, limits)  # 23, 25


def read_value(rdb_type: int, r: Reader, limits: Limits):
    if rdb_type == 0:
        return r.string()
    if rdb_type == 1:
        return _pushed_list([r.string() for _ in range(r.length())], limits, convert=True)
    if rdb_type == 2:
        return _set_by_element(r, limits)
    if rdb_type in (3, 5):
        return _zset_by_element(r, limits, binary=rdb_type == 5)
    if rdb_type == 4:
        return _hash_by_element(r, limits, with_ttl=False, pre_ga=False)
    if rdb_type in (22, 24):
        return _hash_by_element(r, limits, with_ttl=True, pre_ga=rdb_type == 22)
    if rdb_type in (14, 18):
        return _quicklist(r, limits, version=2 if rdb_type == 18 else 1)
    if rdb_type in (9, 10, 11, 12, 13, 16, 17, 20, 23, 25):
        return _blob_value(rdb_type, r, limits)
    if rdb_type in (T_STREAM_1, T_STREAM_2, T_STREAM_3):
        return read_stream(r, rdb_type)
    raise Malformed("unknown or module type")


def load_payload(payload: bytes, config):
    """The value a (footer-checked) payload holds; Malformed when it does not parse."""
    r = Reader(payload)
    try:
        return read_value(r.byte(), r, Limits(config))
    except Malformed:
        raise
    except (ValueError, IndexError, KeyError, OverflowError, TypeError, StopIteration, struct.error) as exc:
        raise Malformed(str(exc)) from exc
