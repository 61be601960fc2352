"""DUMP, RESTORE and RESTORE-ASKING: Redis's serialization byte for byte, loading with the encodings Redis picks,
every option, and every error in the order Redis checks them.

Payloads to restore are made live, by DUMP on the target itself, except the ones older Redis versions wrote
(dump_payloads.LEGACY). The few payloads that must be malformed are built here with a CRC64 of our own.
"""
from __future__ import annotations

import struct

import pytest

from forkdiff.types import Kind, bulk, integer

from .asserts import assert_error, assert_null, assert_ok, assert_reply
from .dump_payloads import BODIES, LEGACY
from .helpers import encoding

BUSYKEY = "BUSYKEY Target key name already exists."
BAD_TTL = "ERR Invalid TTL value, must be >= 0"
BAD_IDLETIME = "ERR Invalid IDLETIME value, must be >= 0"
BAD_FREQ = "ERR Invalid FREQ value, must be >= 0 and <= 255"
BAD_PAYLOAD = "ERR DUMP payload version or checksum are wrong"
BAD_DATA = "ERR Bad data format"
SYNTAX = "ERR syntax error"
NOT_INTEGER = "ERR value is not an integer or out of range"
RDB_VERSION = b"\x0c\x00"

HISTORIES = {
    "string_short": [["SET", "k", "hello"]],
    "string_int8": [["SET", "k", "-100"]],
    "string_int16": [["SET", "k", "12345"]],
    "string_int32": [["SET", "k", "-2147483648"]],
    "string_int64": [["SET", "k", "9223372036854775807"]],
    "string_lzf": [["SET", "k", "a" * 30]],
    "string_incompressible": [["SET", "k", "abcdefghijklmnopqrstuvwxyz0123456789"]],
    "string_leading_zero": [["SET", "k", "0123"]],
    "list_listpack": [["RPUSH", "k", "a", "1", "b", "-4096", "40000", "2147483647", "9223372036854775807"]],
    "list_quicklist": [["CONFIG", "SET", "list-max-listpack-size", "2"], ["RPUSH", "k", "a", "b", "c", "d", "e"]],
    "list_plain_node": [["RPUSH", "k", "x"], ["RPUSH", "k", "y" * 9000], ["RPUSH", "k", "z"]],
    "set_intset": [["SADD", "k", "3", "1", "2"]],
    "set_intset_wide": [["SADD", "k", "1", "100000"], ["SREM", "k", "100000"]],
    "set_intset_64": [["SADD", "k", "5", "-9223372036854775808"]],
    "set_listpack": [["SADD", "k", "b", "a", "1"]],
    "set_hashtable_one": [["SADD", "k", "m" * 70]],
    "zset_listpack": [["ZADD", "k", "1.5", "m", "2", "n", "-0", "z", "inf", "i", "1e20", "big", "-3", "neg"]],
    "zset_skiplist": [["ZADD", "k", "1.5", "m", "2", "n", "3", "o" * 70]],
    "hash_listpack": [["HSET", "k", "f", "v", "n", "12", "e", ""]],
    "hash_listpackex": [["HSET", "k", "a", "1", "b", "2", "c", "3"],
                        ["HPEXPIREAT", "k", "4000000000000", "FIELDS", "1", "b"]],
    "hash_hashtable_one": [["HSET", "k", "f", "v" * 70]],
    "hash_hashtable_ttl": [["HSET", "k", "f", "v" * 70], ["HPEXPIREAT", "k", "4000000000000", "FIELDS", "1", "f"]],
    "stream_simple": [["XADD", "k", "1-1", "f", "v"], ["XADD", "k", "1-2", "f", "w"],
                      ["XADD", "k", "5-0", "g", "x", "h", "y"]],
    "stream_deleted": [["XADD", "k", "1-1", "f", "v"], ["XADD", "k", "2-1", "f", "w"], ["XADD", "k", "3-1", "f", "x"],
                       ["XDEL", "k", "2-1"]],
    "stream_group": [["XADD", "k", "1-1", "f", "v"], ["XGROUP", "CREATE", "k", "g1", "0"],
                     ["XGROUP", "CREATE", "k", "g0", "$", "ENTRIESREAD", "1"]],
}

LEGACY_HISTORIES = {
    "string": [["SET", "k", "legacy value that is long enough to compress compress compress"]],
    "list": [["RPUSH", "k", "a", "1", "-70000", "bb" * 40, "9223372036854775807"]],
    "list_long": [["RPUSH", "k"] + ["e%d" % i for i in range(300)]],
    "hash": [["HSET", "k", "f", "v", "n", "12"]],
    "hash_big": [["HSET", "k", "f", "v" * 70]],
    "zset": [["ZADD", "k", "1.5", "m", "2", "n", "-7", "o"]],
    "zset_big": [["ZADD", "k", "1.5", "m", "2", "n" * 70]],
    "set_intset": [["SADD", "k", "3", "-1", "70000"]],
    "set_strings": [["SADD", "k", "only"]],
    "stream": [["XADD", "k", "1-1", "f", "v"], ["XADD", "k", "2-1", "f", "w", "g", "x"], ["XDEL", "k", "1-1"],
               ["XGROUP", "CREATE", "k", "grp", "0"],
               ["XREADGROUP", "GROUP", "grp", "alice", "COUNT", "1", "STREAMS", "k", ">"]],
}


# -- helpers -------------------------------------------------------------------------------------------------------
def _crc64_table() -> list[int]:
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0x95AC9329AC4BC9B5 if crc & 1 else crc >> 1
        table.append(crc)
    return table


_CRC_TABLE = _crc64_table()


def with_footer(body: bytes, version: bytes = RDB_VERSION) -> bytes:
    """A payload the way Redis closes one: RDB version (LE16), then CRC-64/Jones (LE64) of everything before."""
    crc = 0
    for byte in body + version:
        crc = _CRC_TABLE[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return body + version + struct.pack("<Q", crc)


def build(conn, config, commands: list[list[str]]) -> None:
    for command in commands:
        if command[:2] == ["CONFIG", "SET"]:
            config(command[2], command[3])
            continue
        reply = conn.call(*command)
        assert reply.kind is not Kind.ERROR, reply


def dump(conn, key: str = "k") -> bytes:
    reply = conn.call("DUMP", key)
    assert reply.kind is Kind.BULK, reply
    return reply.value


def contents(conn, key: str):
    """What a client can read of the value, in an order independent of hash-table layout."""
    kind = conn.call("TYPE", key).value
    if kind == "string":
        return conn.call("GET", key).value
    if kind == "list":
        return [r.value for r in conn.call("LRANGE", key, 0, -1).value]
    if kind == "set":
        return sorted(r.value for r in conn.call("SMEMBERS", key).value)
    if kind == "zset":
        return conn.call("ZRANGE", key, 0, -1, "WITHSCORES").raw
    if kind == "hash":
        fields = sorted(r.value for r in conn.call("HKEYS", key).value)
        return [(f, conn.call("HGET", key, f).value, conn.call("HPEXPIRETIME", key, "FIELDS", 1, f).raw)
                for f in fields]
    if kind == "stream":
        groups = conn.call("XINFO", "GROUPS", key).value
        names = sorted(g.value[1].value if g.kind is Kind.ARRAY else g.value[0][1].value for g in groups)
        return conn.call("XRANGE", key, "-", "+").raw, [conn.call("XPENDING", key, g).raw for g in names]
    raise AssertionError(kind)


# -- DUMP ----------------------------------------------------------------------------------------------------------
@pytest.mark.since("8.0")
@pytest.mark.parametrize("name", sorted(HISTORIES))
def test_dump_payload_bytes(conn, config, name):
    build(conn, config, HISTORIES[name])
    assert_reply(conn.call("DUMP", "k"), bulk(with_footer(BODIES[name])))


def test_dump_missing_key(conn, resp):
    assert_null(conn.call("DUMP", "missing"), resp)


def test_dump_expired_key(conn, resp):
    assert_ok(conn.call("SET", "k", "v", "PX", "1"))
    while conn.call("PTTL", "k").value >= 0:
        pass
    assert_null(conn.call("DUMP", "k"), resp)


def test_dump_without_compression(conn, config):
    build(conn, config, [["SET", "k", "a" * 30]])
    config("rdbcompression", "no")
    assert_reply(conn.call("DUMP", "k"), bulk(with_footer(b"\x00\x1e" + b"a" * 30)))


def test_dump_wrong_arity(conn):
    assert_error(conn.call("DUMP"), "ERR wrong number of arguments for 'dump' command")


# -- RESTORE round trips -------------------------------------------------------------------------------------------
@pytest.mark.since("8.0")
@pytest.mark.parametrize("name", sorted(HISTORIES))
def test_restore_round_trip(conn, config, name):
    build(conn, config, HISTORIES[name])
    payload = dump(conn)
    assert_ok(conn.call("RESTORE", "copy", 0, payload))
    assert contents(conn, "copy") == contents(conn, "k")
    assert encoding(conn, "copy") == encoding(conn, "k")
    if encoding(conn, "k") != b"hashtable":  # a hash table dumps in its iteration order, which nothing defines
        assert_reply(conn.call("DUMP", "copy"), bulk(payload))


@pytest.mark.parametrize("history, setting, expected", [
    ([["HSET", "k", "a", "1", "b", "2", "c", "3"]], ("hash-max-listpack-entries", "2"), b"hashtable"),
    ([["SADD", "k", "1", "2", "3"]], ("set-max-intset-entries", "2"), b"hashtable"),
    ([["SADD", "k", "a", "b", "c"]], ("set-max-listpack-entries", "2"), b"hashtable"),
    ([["ZADD", "k", "1", "a", "2", "b", "3", "c"]], ("zset-max-listpack-entries", "2"), b"skiplist"),
    ([["RPUSH", "k", "a", "b", "c"]], ("list-max-listpack-size", "2"), b"quicklist"),
])
def test_restore_converts_small_encodings_over_the_limit(conn, config, history, setting, expected):
    build(conn, config, history)
    payload = dump(conn)
    config(*setting)
    assert_ok(conn.call("RESTORE", "copy", 0, payload))
    assert_reply(conn.call("OBJECT", "ENCODING", "copy"), bulk(expected))
    assert contents(conn, "copy") == contents(conn, "k")


def test_restore_long_values_stay_in_a_listpack(conn, config):
    build(conn, config, [["HSET", "k", "f", "x" * 10], ["SADD", "s", "y" * 10], ["ZADD", "z", "1", "z" * 10]])
    payloads = {key: dump(conn, key) for key in ("k", "s", "z")}
    config("hash-max-listpack-value", "3")
    config("set-max-listpack-value", "3")
    config("zset-max-listpack-value", "3")
    for key, payload in payloads.items():
        assert_ok(conn.call("RESTORE", key + "2", 0, payload))
        assert_reply(conn.call("OBJECT", "ENCODING", key + "2"), bulk(b"listpack"))


def test_restore_skiplist_shrinks_to_listpack(conn, config):
    build(conn, config, [["ZADD", "k", "1", "a", "2", "b" * 70], ["ZREM", "k", "b" * 70]])
    assert_reply(conn.call("OBJECT", "ENCODING", "k"), bulk(b"skiplist"))
    assert_ok(conn.call("RESTORE", "copy", 0, dump(conn)))
    assert_reply(conn.call("OBJECT", "ENCODING", "copy"), bulk(b"listpack"))
    assert_reply(conn.call("ZSCORE", "copy", "a"), conn.call("ZSCORE", "k", "a"))


def test_restore_hashtable_hash_becomes_listpack(conn, config):
    build(conn, config, [["HSET", "k", "f", "v", "long", "x" * 70], ["HDEL", "k", "long"]])
    assert_reply(conn.call("OBJECT", "ENCODING", "k"), bulk(b"hashtable"))
    assert_ok(conn.call("RESTORE", "copy", 0, dump(conn)))
    assert_reply(conn.call("OBJECT", "ENCODING", "copy"), bulk(b"listpack"))


@pytest.mark.parametrize("members, expected", [
    (["1", "2", "x"], b"listpack"),  # an intset meeting a string becomes a listpack while small
    (["1", "2", "x" * 70], b"hashtable"),
    (["5", "6"], b"intset"),
])
def test_restore_hashtable_set_rebuilt(conn, config, members, expected):
    build(conn, config, [["SADD", "k", "m" * 70] + members])
    assert_reply(conn.call("SREM", "k", "m" * 70), integer(1))
    assert_ok(conn.call("RESTORE", "copy", 0, dump(conn)))
    assert_reply(conn.call("OBJECT", "ENCODING", "copy"), bulk(expected))
    assert contents(conn, "copy") == contents(conn, "k")


def test_restore_quicklist_of_one_node_becomes_listpack(conn, config):
    config("list-max-listpack-size", "2")
    build(conn, config, [["RPUSH", "k", "a", "b", "c"], ["RPOP", "k"]])
    assert_reply(conn.call("OBJECT", "ENCODING", "k"), bulk(b"quicklist"))
    assert_ok(conn.call("RESTORE", "copy", 0, dump(conn)))
    assert_reply(conn.call("OBJECT", "ENCODING", "copy"), bulk(b"listpack"))


def test_restore_stream_with_consumers(conn, config):
    build(conn, config, LEGACY_HISTORIES["stream"] + [["XCLAIM", "k", "grp", "bob", "0", "2-1"]])
    assert_ok(conn.call("RESTORE", "copy", 0, dump(conn)))
    assert contents(conn, "copy") == contents(conn, "k")
    assert_reply(conn.call("XINFO", "GROUPS", "copy"), conn.call("XINFO", "GROUPS", "k"))


@pytest.mark.since("8.0")
@pytest.mark.parametrize("origin, name", sorted(LEGACY))
def test_restore_payload_from_older_redis(conn, config, origin, name):
    payload, expected_encoding = LEGACY[(origin, name)]
    assert_ok(conn.call("RESTORE", "old", 0, payload))
    assert_reply(conn.call("OBJECT", "ENCODING", "old"), bulk(expected_encoding))
    build(conn, config, LEGACY_HISTORIES[name])
    assert contents(conn, "old") == contents(conn, "k")


# -- RESTORE options -----------------------------------------------------------------------------------------------
def test_restore_replace(conn):
    assert_ok(conn.call("SET", "src", "new"))
    assert_reply(conn.call("RPUSH", "k", "old"), integer(1))
    assert_ok(conn.call("RESTORE", "k", 0, dump(conn, "src"), "REPLACE"))
    assert_reply(conn.call("GET", "k"), bulk(b"new"))


def test_restore_replace_drops_old_ttl(conn):
    assert_ok(conn.call("SET", "k", "old", "EX", 100))
    assert_ok(conn.call("RESTORE", "k", 0, dump(conn), "REPLACE"))
    assert_reply(conn.call("TTL", "k"), integer(-1))


def test_restore_relative_ttl(conn):
    assert_ok(conn.call("SET", "src", "v"))
    assert_ok(conn.call("RESTORE", "k", 100000, dump(conn, "src")))
    assert 99000 <= conn.call("PTTL", "k").value <= 100000


def test_restore_absttl(conn):
    assert_ok(conn.call("SET", "src", "v"))
    assert_ok(conn.call("RESTORE", "k", 99999999999999, dump(conn, "src"), "ABSTTL"))
    assert_reply(conn.call("PEXPIRETIME", "k"), integer(99999999999999))


def test_restore_absttl_in_the_past_creates_nothing(conn):
    assert_ok(conn.call("SET", "src", "v"))
    assert_ok(conn.call("RESTORE", "k", 1, dump(conn, "src"), "ABSTTL"))
    assert_reply(conn.call("EXISTS", "k"), integer(0))


def test_restore_replace_with_past_ttl_deletes_the_key(conn):
    assert_ok(conn.call("SET", "k", "old"))
    assert_ok(conn.call("RESTORE", "k", 1, dump(conn), "REPLACE", "ABSTTL"))
    assert_reply(conn.call("EXISTS", "k"), integer(0))


def test_restore_ttl_overflow_counts_as_expired(conn):
    assert_ok(conn.call("SET", "src", "v"))
    assert_ok(conn.call("RESTORE", "k", 9223372036854775807, dump(conn, "src")))
    assert_reply(conn.call("EXISTS", "k"), integer(0))


def test_restore_idletime(conn):
    assert_ok(conn.call("SET", "src", "v"))
    assert_ok(conn.call("RESTORE", "k", 0, dump(conn, "src"), "IDLETIME", 1000))
    assert_reply(conn.call("OBJECT", "IDLETIME", "k"), integer(1000))


def test_restore_idletime_last_one_wins(conn):
    assert_ok(conn.call("SET", "src", "v"))
    assert_ok(conn.call("RESTORE", "k", 0, dump(conn, "src"), "idletime", 5, "replace", "IDLETIME", 7, "absttl"))
    assert_reply(conn.call("OBJECT", "IDLETIME", "k"), integer(7))


def test_restore_freq(conn):
    assert_ok(conn.call("SET", "src", "v"))
    assert_ok(conn.call("RESTORE", "k", 0, dump(conn, "src"), "FREQ", 100))
    assert_ok(conn.call("RESTORE", "k", 0, dump(conn, "src"), "FREQ", 0, "REPLACE"))
    assert_reply(conn.call("GET", "k"), bulk(b"v"))


def test_restore_string_embedding_with_ttl(conn):
    assert_ok(conn.call("SET", "src", "abcdefghijklmnopqrstuvwxyz0123"))
    payload = dump(conn, "src")
    for key, expected in (("k", b"embstr"), ("k123456", b"raw")):
        assert_ok(conn.call("RESTORE", key, 100000, payload))
        assert_reply(conn.call("OBJECT", "ENCODING", key), bulk(expected))


def test_restore_accepts_trailing_bytes(conn):
    assert_ok(conn.call("RESTORE", "k", 0, with_footer(b"\x00\x05hello" + b"extra")))
    assert_reply(conn.call("GET", "k"), bulk(b"hello"))


def test_restore_string_running_into_the_footer(conn):
    # the declared length reaches into the version bytes: Redis reads them as part of the string
    assert_ok(conn.call("RESTORE", "k", 0, with_footer(b"\x00\x07hello")))
    assert_reply(conn.call("GET", "k"), bulk(b"hello\x0c\x00"))


def test_restore_asking_behaves_like_restore(conn):
    assert_ok(conn.call("SET", "src", "v"))
    payload = dump(conn, "src")
    assert_ok(conn.call("RESTORE-ASKING", "k", 0, payload))
    assert_reply(conn.call("GET", "k"), bulk(b"v"))
    assert_error(conn.call("RESTORE-ASKING", "k", 0, payload), BUSYKEY)


# -- RESTORE errors ------------------------------------------------------------------------------------------------
def test_restore_busykey(conn):
    assert_ok(conn.call("SET", "k", "v"))
    assert_error(conn.call("RESTORE", "k", 0, dump(conn)), BUSYKEY)


def test_restore_expired_key_is_not_busy(conn):
    assert_ok(conn.call("SET", "src", "v"))
    assert_ok(conn.call("SET", "k", "old", "PX", 1))
    while conn.call("PTTL", "k").value >= 0:
        pass
    assert_ok(conn.call("RESTORE", "k", 0, dump(conn, "src")))


@pytest.mark.parametrize("ttl, message", [("-1", BAD_TTL), ("abc", NOT_INTEGER), ("1.5", NOT_INTEGER)])
def test_restore_bad_ttl(conn, ttl, message):
    assert_ok(conn.call("SET", "src", "v"))
    assert_error(conn.call("RESTORE", "k", ttl, dump(conn, "src")), message)


@pytest.mark.parametrize("options, message", [
    (["IDLETIME"], SYNTAX),
    (["FREQ"], SYNTAX),
    (["IDLETIME", "-1"], BAD_IDLETIME),
    (["IDLETIME", "x"], NOT_INTEGER),
    (["FREQ", "256"], BAD_FREQ),
    (["FREQ", "-1"], BAD_FREQ),
    (["FREQ", "x"], NOT_INTEGER),
    (["FREQ", "1", "IDLETIME", "1"], SYNTAX),
    (["IDLETIME", "1", "FREQ", "1"], SYNTAX),
    (["BOGUS"], SYNTAX),
    (["REPLACE", "REPLACE", "ABSTTL", "EXTRA"], SYNTAX),
])
def test_restore_bad_options(conn, options, message):
    assert_ok(conn.call("SET", "src", "v"))
    assert_error(conn.call("RESTORE", "k", 0, dump(conn, "src"), *options), message)


def test_restore_error_precedence(conn):
    assert_ok(conn.call("SET", "k", "v"))
    assert_error(conn.call("RESTORE", "k", "abc", b"junk", "BOGUS"), SYNTAX)  # options first
    assert_error(conn.call("RESTORE", "k", "-5", b"junk", "IDLETIME", "-1"), BAD_IDLETIME)
    assert_error(conn.call("RESTORE", "k", "-5", b"junk"), BUSYKEY)  # then the key
    assert_error(conn.call("RESTORE", "new", "-5", b"junk"), BAD_TTL)  # then the TTL
    assert_error(conn.call("RESTORE", "new", "5", b"junk"), BAD_PAYLOAD)  # then the payload


@pytest.mark.parametrize("mangle", ["crc", "version", "short", "empty"])
def test_restore_bad_footer(conn, mangle):
    assert_ok(conn.call("SET", "src", "hello"))
    payload = dump(conn, "src")
    bad = {"crc": payload[:-1] + bytes([payload[-1] ^ 1]),
           "version": with_footer(payload[:-10], b"\x0d\x00"),
           "short": payload[-9:],
           "empty": b""}[mangle]
    assert_error(conn.call("RESTORE", "k", 0, bad), BAD_PAYLOAD)


def test_restore_older_rdb_version_accepted(conn):
    assert_ok(conn.call("RESTORE", "k", 0, with_footer(b"\x00\x02hi", b"\x06\x00")))
    assert_reply(conn.call("GET", "k"), bulk(b"hi"))


@pytest.mark.parametrize("body", [
    b"\x08\x02hi",  # not a value type
    b"\x1e\x02hi",  # past the last type
    b"\x07\x01",  # a module value no module claims
    b"\x00",  # a string with no length
    b"\x00\x30hello",  # a string longer than the payload
    b"\x00\xc3\x05\x10\x01aa\xe0\x11",  # LZF data that does not expand to the stated length
    b"\x12\x00",  # an empty list
    b"\x12\x01\x05\x01a",  # a quicklist node container that does not exist
    b"\x10\x05\x01\x02\x03\x04\x05",  # a listpack whose header does not match its size
    b"\x02\x00",  # an empty set
    b"\x02\x02\x01a\x01a",  # a set with a member twice
    b"\x05\x01\x01a" + struct.pack("<d", float("nan")),  # a NaN score
    b"\x0b\x08\x02\x00\x00\x00\x05\x00\x00\x00",  # an intset shorter than its count
])
def test_restore_bad_data(conn, body):
    assert_error(conn.call("RESTORE", "k", 0, with_footer(body)), BAD_DATA)
    assert_reply(conn.call("EXISTS", "k"), integer(0))


def test_restore_wrong_arity(conn):
    assert_error(conn.call("RESTORE", "k", 0), "ERR wrong number of arguments for 'restore' command")
