"""Hash group: HSET family, reads, increments (HINCRBYFLOAT's long double printing), HRANDFIELD, HSCAN, encodings,
and field expiry (HEXPIRE family, HTTL family, HPERSIST, HGETDEL, HGETEX, HSETEX).

Listpack hashes reply in insertion order (listpackex: fields with a TTL first, by expiry), so order is asserted for
small hashes; hashtable ones are compared as multisets; random replies by count, distinctness and membership.
"""
from __future__ import annotations

import time

import pytest

from forkdiff.types import Kind, array, bulk, bulks, integer, map_, simple

from .asserts import assert_error, assert_members, assert_null, assert_null_array, assert_ok, assert_reply
from .helpers import encoding, ints

WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value"
SYNTAX = "ERR syntax error"
NOT_INTEGER = "ERR value is not an integer or out of range"
FIELDS_MISSING = "ERR Mandatory argument FIELDS is missing or not at the right position"
NUMFIELDS_MISMATCH = "ERR The `numfields` parameter must match the number of arguments"
NUMFIELDS_POSITIVE = "ERR Number of fields must be a positive integer"
FAR = 4_000_000_000  # a unix time in seconds well in the future


def pairs(resp: int, *flat: str):
    """HGETALL's reply: a map in RESP3, a flat array in RESP2."""
    if resp == 3:
        return map_(*((bulk(flat[i]), bulk(flat[i + 1])) for i in range(0, len(flat), 2)))
    return bulks(*flat)


# -- writes ----------------------------------------------------------------------------------------------------------
def test_hset_counts_new_fields(conn, resp):
    assert_reply(conn.call("HSET", "h", "a", "1", "b", "2"), integer(2))
    assert_reply(conn.call("HSET", "h", "a", "9", "c", "3"), integer(1))
    assert_reply(conn.call("HGETALL", "h"), pairs(resp, "a", "9", "b", "2", "c", "3"))


def test_hset_odd_arguments(conn):
    assert_error(conn.call("HSET", "h", "a"), "ERR wrong number of arguments for 'hset' command")
    assert_error(conn.call("HSET", "h", "a", "1", "b"), "ERR wrong number of arguments for 'hset' command")
    assert_error(conn.call("HMSET", "h", "a", "1", "b"), "ERR wrong number of arguments for 'hmset' command")


def test_hmset_replies_ok(conn):
    assert_ok(conn.call("HMSET", "h", "a", "1", "a", "2"))
    assert_reply(conn.call("HGET", "h", "a"), bulk("2"))


def test_hsetnx(conn):
    assert_reply(conn.call("HSETNX", "h", "a", "1"), integer(1))
    assert_reply(conn.call("HSETNX", "h", "a", "2"), integer(0))
    assert_reply(conn.call("HGET", "h", "a"), bulk("1"))


def test_hdel_and_empty_hash_deleted(conn):
    conn.call("HSET", "h", "a", "1", "b", "2")
    assert_reply(conn.call("HDEL", "h", "zz"), integer(0))
    assert_reply(conn.call("HDEL", "h", "a", "b", "zz", "a"), integer(2))
    assert_reply(conn.call("EXISTS", "h"), integer(0))
    assert_reply(conn.call("HDEL", "h", "a"), integer(0))


# -- reads -----------------------------------------------------------------------------------------------------------
def test_hget_hmget_hexists_hstrlen(conn, resp):
    conn.call("HSET", "h", "a", "hello", "n", "12")
    assert_reply(conn.call("HGET", "h", "a"), bulk("hello"))
    assert_null(conn.call("HGET", "h", "zz"), resp)
    assert_null(conn.call("HGET", "missing", "a"), resp)
    assert_reply(conn.call("HMGET", "h", "a", "zz", "n"), bulks("hello", None, "12"))
    assert_reply(conn.call("HMGET", "missing", "a", "b"), bulks(None, None))
    assert_reply(conn.call("HEXISTS", "h", "a"), integer(1))
    assert_reply(conn.call("HEXISTS", "h", "zz"), integer(0))
    assert_reply(conn.call("HSTRLEN", "h", "a"), integer(5))
    assert_reply(conn.call("HSTRLEN", "h", "n"), integer(2))
    assert_reply(conn.call("HSTRLEN", "h", "zz"), integer(0))
    assert_reply(conn.call("HSTRLEN", "missing", "a"), integer(0))


def test_hgetall_hkeys_hvals_hlen_keep_listpack_order(conn, resp):
    conn.call("HSET", "h", "z", "1", "a", "2", "m", "3")
    assert_reply(conn.call("HGETALL", "h"), pairs(resp, "z", "1", "a", "2", "m", "3"))
    assert_reply(conn.call("HKEYS", "h"), bulks("z", "a", "m"))
    assert_reply(conn.call("HVALS", "h"), bulks("1", "2", "3"))
    assert_reply(conn.call("HLEN", "h"), integer(3))


def test_hgetall_missing_key(conn, resp):
    assert_reply(conn.call("HGETALL", "missing"), pairs(resp))
    assert_reply(conn.call("HKEYS", "missing"), array())
    assert_reply(conn.call("HVALS", "missing"), array())
    assert_reply(conn.call("HLEN", "missing"), integer(0))


@pytest.mark.since("7.0")
def test_hkeys_hashtable_as_multiset(conn, config):
    config("hash-max-listpack-entries", 2)
    conn.call("HSET", "h", "a", "1", "b", "2", "c", "3")
    assert encoding(conn, "h") == b"hashtable"
    assert_members(conn.call("HKEYS", "h"), [bulk("a"), bulk("b"), bulk("c")])
    assert_members(conn.call("HVALS", "h"), [bulk("1"), bulk("2"), bulk("3")])


# -- increments ------------------------------------------------------------------------------------------------------
def test_hincrby(conn):
    assert_reply(conn.call("HINCRBY", "h", "n", 5), integer(5))
    assert_reply(conn.call("HINCRBY", "h", "n", -7), integer(-2))
    conn.call("HSET", "h", "s", "abc", "sp", " 1")
    assert_error(conn.call("HINCRBY", "h", "s", 1), "ERR hash value is not an integer")
    assert_error(conn.call("HINCRBY", "h", "sp", 1), "ERR hash value is not an integer")
    assert_error(conn.call("HINCRBY", "h", "n", "x"), NOT_INTEGER)
    assert_error(conn.call("HINCRBY", "missing", "n", "1.5"), NOT_INTEGER)


def test_hincrby_overflow(conn):
    assert_reply(conn.call("HINCRBY", "h", "n", "9223372036854775807"), integer(9223372036854775807))
    assert_error(conn.call("HINCRBY", "h", "n", 1), "ERR increment or decrement would overflow")
    conn.call("HSET", "h", "m", "-2")
    assert_reply(conn.call("HINCRBY", "h", "m", "-9223372036854775806"), integer(-9223372036854775808))
    assert_error(conn.call("HINCRBY", "h", "m", -1), "ERR increment or decrement would overflow")


@pytest.mark.parametrize("start,incr,result", [
    ("10.5", "0.1", "10.6"),
    ("10.6", "1e20", "100000000000000000008"),  # 64-bit significand: the .6 is lost
    ("0.1", "0.2", "0.3"),
    (None, "3.0", "3"),
    (None, "1.23456789012345678", "1.23456789012345678"),
    (None, "1e-5", "0.00001"),
    (None, "-0", "0"),
    (None, "0x10", "16"),
    (None, "1e17", "100000000000000000"),
    ("5", "-5", "0"),
    ("1.5e308", "1.5e308", "2" + "9" * 20 + "802952978936936062033681930121889934267370842360212133382092073513329456"
                           "432044063805856741044049928681709165013290418975721613155792350350455287355122225755520"
                           "606513477793033688249842856870392034430282663023473578541488576654642706081008486842868"
                           "180099693230377808905266593729023699845120"),
], ids=["decimal", "big", "tenths", "integer-looking", "17-digits", "small", "minus-zero", "hex", "1e17", "to-zero",
        "beyond-double"])
def test_hincrbyfloat_formatting(conn, start, incr, result):
    if start is not None:
        conn.call("HSET", "h", "f", start)
    assert_reply(conn.call("HINCRBYFLOAT", "h", "f", incr), bulk(result))
    assert_reply(conn.call("HGET", "h", "f"), bulk(result))


def test_hincrbyfloat_errors(conn):
    conn.call("HSET", "h", "s", "abc", "sp", " 1", "f", "1")
    assert_error(conn.call("HINCRBYFLOAT", "h", "s", 1), "ERR hash value is not a float")
    assert_error(conn.call("HINCRBYFLOAT", "h", "sp", 1), "ERR hash value is not a float")
    assert_error(conn.call("HINCRBYFLOAT", "h", "f", "x"), "ERR value is not a valid float")
    assert_error(conn.call("HINCRBYFLOAT", "h", "f", " 1"), "ERR value is not a valid float")
    assert_error(conn.call("HINCRBYFLOAT", "h", "f", "nan"), "ERR value is not a valid float")
    assert_error(conn.call("HINCRBYFLOAT", "h", "f", "inf"), "ERR value is NaN or Infinity")
    assert_error(conn.call("HINCRBYFLOAT", "h", "f", "-inf"), "ERR value is NaN or Infinity")
    assert_reply(conn.call("HGET", "h", "f"), bulk("1"))


# -- HRANDFIELD ------------------------------------------------------------------------------------------------------
def test_hrandfield_single(conn, resp):
    assert_null(conn.call("HRANDFIELD", "missing"), resp)
    conn.call("HSET", "h", "a", "1", "b", "2", "c", "3")
    assert conn.call("HRANDFIELD", "h").value in (b"a", b"b", b"c")


def test_hrandfield_positive_count_distinct(conn):
    conn.call("HSET", "h", "a", "1", "b", "2", "c", "3", "d", "4")
    got = [r.value for r in conn.call("HRANDFIELD", "h", 2).value]
    assert len(got) == 2 and len(set(got)) == 2 and set(got) <= {b"a", b"b", b"c", b"d"}
    assert_reply(conn.call("HRANDFIELD", "h", 10), bulks("a", "b", "c", "d"))
    assert_reply(conn.call("HRANDFIELD", "h", 0), array())


def test_hrandfield_negative_count_repeats(conn):
    conn.call("HSET", "h", "a", "1")
    assert_reply(conn.call("HRANDFIELD", "h", -3), bulks("a", "a", "a"))
    conn.call("HSET", "h", "b", "2")
    got = [r.value for r in conn.call("HRANDFIELD", "h", -20).value]
    assert len(got) == 20 and set(got) <= {b"a", b"b"}


def test_hrandfield_withvalues_shapes(conn, resp):
    conn.call("HSET", "h", "a", "1", "b", "2")
    reply = conn.call("HRANDFIELD", "h", -5, "WITHVALUES")
    assert reply.kind is Kind.ARRAY
    if resp == 3:
        assert len(reply.value) == 5
        assert all(p.kind is Kind.ARRAY and (p.value[0].value, p.value[1].value) in {(b"a", b"1"), (b"b", b"2")}
                   for p in reply.value)
    else:
        flat = [r.value for r in reply.value]
        assert len(flat) == 10
        assert all((flat[i], flat[i + 1]) in {(b"a", b"1"), (b"b", b"2")} for i in range(0, 10, 2))
    whole = conn.call("HRANDFIELD", "h", 2, "withvalues")
    expected = array(bulks("a", "1"), bulks("b", "2")) if resp == 3 else bulks("a", "1", "b", "2")
    assert_reply(whole, expected)


def test_hrandfield_missing_key_with_count(conn):
    assert_reply(conn.call("HRANDFIELD", "missing", 2), array())
    assert_reply(conn.call("HRANDFIELD", "missing", -2, "WITHVALUES"), array())


@pytest.mark.parametrize("args,message", [
    (["x"], NOT_INTEGER),
    (["1", "FOO"], SYNTAX),
    (["1", "WITHVALUES", "x"], SYNTAX),
    (["-9223372036854775808"],
     "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807"),
    (["-4611686018427387904", "WITHVALUES"], "ERR value is out of range"),
    (["4611686018427387904", "WITHVALUES"], "ERR value is out of range"),
], ids=["nan", "unknown", "extra", "llong-min", "withvalues-too-negative", "withvalues-too-big"])
def test_hrandfield_errors(conn, args, message):
    conn.call("HSET", "h", "a", "1")
    assert_error(conn.call("HRANDFIELD", "h", *args), message)
    assert_error(conn.call("HRANDFIELD", "missing", *args), message)


# -- HSCAN -----------------------------------------------------------------------------------------------------------
def test_hscan_listpack_returns_everything(conn):
    conn.call("HSET", "h", "a", "1", "b", "2", "ab", "3")
    assert_reply(conn.call("HSCAN", "h", 0), array(bulk("0"), bulks("a", "1", "b", "2", "ab", "3")))
    assert_reply(conn.call("HSCAN", "h", 0, "MATCH", "a*", "COUNT", 1), array(bulk("0"), bulks("a", "1", "ab", "3")))
    assert_reply(conn.call("HSCAN", "h", "18446744073709551615"),
                 array(bulk("0"), bulks("a", "1", "b", "2", "ab", "3")))
    assert_reply(conn.call("HSCAN", "missing", 0), array(bulk("0"), array()))
    assert_reply(conn.call("HSCAN", "missing", 0, "FOO"), array(bulk("0"), array()))


@pytest.mark.since("7.4")
def test_hscan_listpack_novalues(conn):
    conn.call("HSET", "h", "a", "1", "b", "2", "ab", "3")
    assert_reply(conn.call("HSCAN", "h", 0, "NOVALUES"), array(bulk("0"), bulks("a", "b", "ab")))


@pytest.mark.since("7.0")
def test_hscan_hashtable_iterates_everything(conn, config):
    config("hash-max-listpack-entries", 4)
    fields = {f"f{i}": str(i) for i in range(40)}
    conn.call("HSET", "h", *[x for kv in fields.items() for x in kv])
    seen: dict[bytes, bytes] = {}
    cursor = b"0"
    for _ in range(100):
        reply = conn.call("HSCAN", "h", cursor, "COUNT", 5)
        cursor, flat = reply.value[0].value, [r.value for r in reply.value[1].value]
        seen.update(zip(flat[0::2], flat[1::2]))
        if cursor == b"0":
            break
    assert cursor == b"0"
    assert seen == {k.encode(): v.encode() for k, v in fields.items()}


@pytest.mark.parametrize("args,message", [
    (["x"], "ERR invalid cursor"),
    (["-1"], "ERR invalid cursor"),
    (["18446744073709551616"], "ERR invalid cursor"),
    (["0", "COUNT", "0"], SYNTAX),
    (["0", "COUNT", "x"], NOT_INTEGER),
    (["0", "MATCH"], SYNTAX),
    (["0", "FOO"], SYNTAX),
], ids=["nan", "negative", "too-big", "count-0", "count-nan", "match-alone", "unknown"])
def test_hscan_errors(conn, args, message):
    conn.call("HSET", "h", "a", "1")
    assert_error(conn.call("HSCAN", "h", *args), message)


# -- encodings -------------------------------------------------------------------------------------------------------
@pytest.mark.since("7.0")
def test_hset_encoding_limits(conn, config):
    config("hash-max-listpack-entries", 2)
    config("hash-max-listpack-value", 5)
    conn.call("HSET", "h", "a", "1", "b", "2")
    assert encoding(conn, "h") == b"listpack"
    conn.call("HSET", "h", "c", "3")
    assert encoding(conn, "h") == b"hashtable"
    conn.call("HDEL", "h", "a", "b")
    assert encoding(conn, "h") == b"hashtable"  # never back
    conn.call("HSET", "long", "a", "123456")
    assert encoding(conn, "long") == b"hashtable"


@pytest.mark.since("7.0")
def test_hset_duplicate_pairs_count_against_the_limit(conn, config):
    config("hash-max-listpack-entries", 2)
    assert_reply(conn.call("HSET", "h", "a", "1", "a", "2", "a", "3"), integer(1))
    assert encoding(conn, "h") == b"hashtable"


@pytest.mark.since("7.0")
def test_hincrby_long_result_converts(conn, config):
    config("hash-max-listpack-value", 3)
    conn.call("HSET", "h", "a", "1")
    conn.call("HINCRBY", "h", "a", 123456789)
    assert encoding(conn, "h") == b"hashtable"


# -- wrong type ------------------------------------------------------------------------------------------------------
_WRONGTYPE = [
    ["HSET", "s", "a", "1"], ["HMSET", "s", "a", "1"], ["HSETNX", "s", "a", "1"], ["HGET", "s", "a"],
    ["HMGET", "s", "a"], ["HGETALL", "s"], ["HDEL", "s", "a"], ["HEXISTS", "s", "a"], ["HINCRBY", "s", "a", 1],
    ["HINCRBYFLOAT", "s", "a", 1], ["HKEYS", "s"], ["HVALS", "s"], ["HLEN", "s"], ["HSTRLEN", "s", "a"],
    ["HRANDFIELD", "s"], ["HRANDFIELD", "s", 2], ["HSCAN", "s", 0],
]
_WRONGTYPE_HFE = [
    ["HEXPIRE", "s", 10, "FIELDS", 1, "a"], ["HPEXPIRE", "s", 10, "FIELDS", 1, "a"],
    ["HEXPIREAT", "s", FAR, "FIELDS", 1, "a"], ["HPEXPIREAT", "s", FAR, "FIELDS", 1, "a"],
    ["HTTL", "s", "FIELDS", 1, "a"], ["HPTTL", "s", "FIELDS", 1, "a"], ["HEXPIRETIME", "s", "FIELDS", 1, "a"],
    ["HPEXPIRETIME", "s", "FIELDS", 1, "a"], ["HPERSIST", "s", "FIELDS", 1, "a"],
    ["HEXPIRE", "s", "x", "FIELDS", 1, "a"], ["HTTL", "s", "FIELD", 1, "a"],
]
_WRONGTYPE_80 = [
    ["HGETDEL", "s", "FIELDS", 1, "a"], ["HGETDEL", "s", "FIELDS", 0, "a"], ["HGETEX", "s", "FIELDS", 1, "a"],
    ["HGETEX", "s", "EX", -1, "FIELDS", 1, "a"], ["HSETEX", "s", "FIELDS", 1, "a", "1"],
]


@pytest.mark.parametrize("args", [
    *[pytest.param(a, marks=pytest.mark.command(a[0].lower()), id="-".join(map(str, a[:3]))) for a in _WRONGTYPE],
    *[pytest.param(a, marks=[pytest.mark.command(a[0].lower()), pytest.mark.since("7.4")],
                   id="-".join(map(str, a[:3]))) for a in _WRONGTYPE_HFE],
    *[pytest.param(a, marks=[pytest.mark.command(a[0].lower()), pytest.mark.since("8.0")],
                   id="-".join(map(str, a[:4]))) for a in _WRONGTYPE_80],
])
def test_hash_wrongtype(conn, args):
    conn.call("SET", "s", "x")
    assert_error(conn.call(*args), WRONGTYPE)


# -- field expiry: HEXPIRE family ------------------------------------------------------------------------------------
pytest_hfe = pytest.mark.since("7.4")


@pytest_hfe
def test_hexpire_reply_codes(conn):
    conn.call("HSET", "h", "a", "1", "b", "2")
    assert_reply(conn.call("HEXPIRE", "h", 100, "FIELDS", 2, "a", "zz"), ints(1, -2))
    assert_reply(conn.call("HTTL", "h", "FIELDS", 3, "a", "b", "zz"), ints(100, -1, -2))
    assert_reply(conn.call("HEXPIRE", "h", 0, "FIELDS", 1, "a"), ints(2))
    assert_reply(conn.call("HEXISTS", "h", "a"), integer(0))
    assert_reply(conn.call("HEXPIRE", "missing", 100, "FIELDS", 2, "a", "b"), ints(-2, -2))


@pytest_hfe
def test_hexpire_conditions(conn):
    conn.call("HSET", "h", "a", "1")
    assert_reply(conn.call("HEXPIRE", "h", 100, "XX", "FIELDS", 1, "a"), ints(0))
    assert_reply(conn.call("HEXPIRE", "h", 100, "GT", "FIELDS", 1, "a"), ints(0))
    assert_reply(conn.call("HEXPIRE", "h", 100, "NX", "FIELDS", 1, "a"), ints(1))
    assert_reply(conn.call("HEXPIRE", "h", 200, "NX", "FIELDS", 1, "a"), ints(0))
    assert_reply(conn.call("HEXPIREAT", "h", FAR, "GT", "FIELDS", 1, "a"), ints(1))
    assert_reply(conn.call("HEXPIREAT", "h", FAR, "gt", "FIELDS", 1, "a"), ints(0))
    assert_reply(conn.call("HEXPIREAT", "h", FAR + 1, "LT", "FIELDS", 1, "a"), ints(0))
    assert_reply(conn.call("HEXPIREAT", "h", FAR - 1, "lt", "FIELDS", 1, "a"), ints(1))
    assert_reply(conn.call("HEXPIRE", "h", 300, "XX", "FIELDS", 1, "a"), ints(1))
    assert_reply(conn.call("HPERSIST", "h", "FIELDS", 1, "a"), ints(1))
    assert_reply(conn.call("HEXPIRE", "h", 100, "LT", "FIELDS", 1, "a"), ints(1))


@pytest_hfe
def test_hpexpireat_and_expiretime_rounding(conn):
    conn.call("HSET", "h", "a", "1")
    assert_reply(conn.call("HPEXPIREAT", "h", FAR * 1000 + 123, "FIELDS", 1, "a"), ints(1))
    assert_reply(conn.call("HPEXPIRETIME", "h", "FIELDS", 1, "a"), ints(FAR * 1000 + 123))
    assert_reply(conn.call("HEXPIRETIME", "h", "FIELDS", 1, "a"), ints(FAR + 1))
    assert_reply(conn.call("HEXPIRETIME", "h", "FIELDS", 2, "zz", "a"), ints(-2, FAR + 1))


@pytest_hfe
def test_hpexpire_ttl_in_ms(conn):
    conn.call("HSET", "h", "a", "1")
    assert_reply(conn.call("HPEXPIRE", "h", 100000, "FIELDS", 1, "a"), ints(1))
    ttl = conn.call("HPTTL", "h", "FIELDS", 1, "a").value[0].value
    assert 99000 <= ttl <= 100000
    assert_reply(conn.call("HTTL", "h", "FIELDS", 1, "a"), ints(100))


@pytest_hfe
def test_hexpire_past_time_deletes_last_field_and_key(conn):
    conn.call("HSET", "h", "a", "1")
    assert_reply(conn.call("HEXPIREAT", "h", 1, "FIELDS", 1, "a"), ints(2))
    assert_reply(conn.call("EXISTS", "h"), integer(0))


@pytest_hfe
def test_hpexpire_field_expires_lazily(conn, resp):
    conn.call("HSET", "h", "a", "1", "b", "2")
    assert_reply(conn.call("HPEXPIRE", "h", 20, "FIELDS", 1, "a"), ints(1))
    time.sleep(0.06)
    assert_null(conn.call("HGET", "h", "a"), resp)
    assert_reply(conn.call("HGETALL", "h"), pairs(resp, "b", "2"))
    # The last field past its TTL: the lookup must remove the key. In one transaction (no expire cycle runs inside
    # it) DBSIZE, which looks nothing up, tells whether the server's active cycle took the key first; then the
    # lookup was not what removed it, and the step starts again.
    for _ in range(5):
        assert_reply(conn.call("HPEXPIRE", "h", 20, "FIELDS", 1, "b"), ints(1))
        time.sleep(0.06)
        assert_ok(conn.call("MULTI"))
        for command in (("DBSIZE",), ("HGET", "h", "b"), ("EXISTS", "h")):
            conn.call(*command)
        size, found, exists = conn.call("EXEC").value
        if size == integer(1):
            break
        conn.call("HSET", "h", "b", "2")
    assert_null(found, resp)
    assert_reply(exists, integer(0))


@pytest_hfe
@pytest.mark.parametrize("args,message", [
    ([100, "FIELDS", 1, "a", "b"], NUMFIELDS_MISMATCH),
    ([100, "FIELDS", 3, "a", "b"], NUMFIELDS_MISMATCH),
    ([100, "FIELDS", -1, "a"], "ERR Parameter `numFields` should be greater than 0"),
    ([100, "FIELDS", "x", "a"], "ERR Parameter `numFields` should be greater than 0"),
    ([100, "XX", "YY", "FIELDS", 1, "a"], FIELDS_MISSING),
    ([100, "FIELD", 1, "a"], FIELDS_MISSING),
    ([-1, "FIELDS", 1, "a"], "ERR invalid expire time, must be >= 0"),
    (["x", "FIELDS", 1, "a"], NOT_INTEGER),
    (["99999999999999999", "FIELDS", 1, "a"], "ERR invalid expire time in 'hexpire' command"),
    (["70368744178", "FIELDS", 1, "a"], "ERR invalid expire time in 'hexpire' command"),
], ids=["too-many", "too-few", "negative-count", "nan-count", "two-conditions", "no-fields", "negative-time",
        "nan-time", "huge", "past-limit"])
def test_hexpire_errors(conn, args, message):
    conn.call("HSET", "h", "a", "1")
    assert_error(conn.call("HEXPIRE", "h", *args), message)
    assert_error(conn.call("HEXPIRE", "missing", *args), message)


@pytest_hfe
def test_hpexpireat_limit(conn):
    conn.call("HSET", "h", "a", "1")
    assert_reply(conn.call("HPEXPIREAT", "h", 70368744177663, "FIELDS", 1, "a"), ints(1))
    assert_error(conn.call("HPEXPIREAT", "h", 70368744177664, "FIELDS", 1, "a"),
                 "ERR invalid expire time in 'hpexpireat' command")
    assert_reply(conn.call("HEXPIREAT", "h", 70368744177, "FIELDS", 1, "a"), ints(1))
    assert_error(conn.call("HEXPIREAT", "h", 70368744178, "FIELDS", 1, "a"),
                 "ERR invalid expire time in 'hexpireat' command")


@pytest_hfe
@pytest.mark.parametrize("command", [
    pytest.param(c, marks=pytest.mark.command(c.lower()), id=c.lower())
    for c in ["HTTL", "HPTTL", "HEXPIRETIME", "HPEXPIRETIME", "HPERSIST"]])
def test_httl_family_errors(conn, command):
    conn.call("HSET", "h", "a", "1")
    assert_error(conn.call(command, "h", "FIELDS", -1, "a"), NUMFIELDS_POSITIVE)
    assert_error(conn.call(command, "h", "FIELDS", "x", "a"), NUMFIELDS_POSITIVE)
    assert_error(conn.call(command, "h", "FIELDS", 1, "a", "b"), NUMFIELDS_MISMATCH)
    assert_error(conn.call(command, "h", "FIELD", 1, "a"), FIELDS_MISSING)
    assert_reply(conn.call(command, "missing", "FIELDS", 2, "a", "b"), ints(-2, -2))


@pytest_hfe
def test_hpersist_codes(conn):
    conn.call("HSET", "h", "a", "1", "b", "2")
    conn.call("HEXPIRE", "h", 100, "FIELDS", 1, "a")
    assert_reply(conn.call("HPERSIST", "h", "FIELDS", 3, "a", "b", "zz"), ints(1, -1, -2))
    assert_reply(conn.call("HTTL", "h", "FIELDS", 1, "a"), ints(-1))


@pytest_hfe
def test_hexpire_listpackex_order_and_encoding(conn, resp):
    """Fields with a TTL come first, soonest first; HPERSIST and HSET move a field back to the end."""
    conn.call("HSET", "h", "a", "1", "b", "2", "c", "3", "d", "4")
    conn.call("HEXPIRE", "h", 100, "FIELDS", 1, "c")
    assert encoding(conn, "h") == b"listpackex"
    assert_reply(conn.call("HGETALL", "h"), pairs(resp, "c", "3", "a", "1", "b", "2", "d", "4"))
    conn.call("HEXPIRE", "h", 50, "FIELDS", 1, "b")
    assert_reply(conn.call("HKEYS", "h"), bulks("b", "c", "a", "d"))
    conn.call("HPERSIST", "h", "FIELDS", 1, "c")
    assert_reply(conn.call("HKEYS", "h"), bulks("b", "a", "d", "c"))
    conn.call("HSET", "h", "b", "9")
    assert_reply(conn.call("HKEYS", "h"), bulks("a", "d", "c", "b"))
    assert_reply(conn.call("HTTL", "h", "FIELDS", 1, "b"), ints(-1))


@pytest_hfe
def test_hexpire_converts_even_when_no_field_matches(conn):
    conn.call("HSET", "h", "a", "1")
    assert_reply(conn.call("HEXPIRE", "h", 100, "FIELDS", 1, "zz"), ints(-2))
    assert encoding(conn, "h") == b"listpackex"
    conn.call("HSET", "p", "a", "1")
    assert_reply(conn.call("HPERSIST", "p", "FIELDS", 1, "a"), ints(-1))
    assert encoding(conn, "p") == b"listpack"


@pytest_hfe
def test_hincrby_keeps_the_ttl(conn):
    conn.call("HSET", "h", "n", "1")
    conn.call("HEXPIRE", "h", 100, "FIELDS", 1, "n")
    conn.call("HINCRBY", "h", "n", 1)
    conn.call("HINCRBYFLOAT", "h", "n", "0.5")
    assert_reply(conn.call("HTTL", "h", "FIELDS", 1, "n"), ints(100))
    conn.call("HSET", "h", "n", "1")
    assert_reply(conn.call("HTTL", "h", "FIELDS", 1, "n"), ints(-1))


@pytest_hfe
def test_hexpire_ttl_survives_hashtable_conversion(conn, config):
    config("hash-max-listpack-entries", 2)
    conn.call("HSET", "h", "a", "1")
    conn.call("HEXPIRE", "h", 100, "FIELDS", 1, "a")
    conn.call("HSET", "h", "b", "1", "c", "2")
    assert encoding(conn, "h") == b"hashtable"
    assert_reply(conn.call("HTTL", "h", "FIELDS", 2, "a", "b"), ints(100, -1))


# -- HGETDEL, HGETEX, HSETEX -----------------------------------------------------------------------------------------
redis8 = pytest.mark.since("8.0")


@redis8
def test_hgetdel(conn, resp):
    conn.call("HSET", "h", "a", "1", "b", "2", "c", "3")
    assert_reply(conn.call("HGETDEL", "h", "FIELDS", 2, "a", "zz"), bulks("1", None))
    assert_reply(conn.call("HGETDEL", "h", "FIELDS", 2, "b", "c"), bulks("2", "3"))
    assert_reply(conn.call("EXISTS", "h"), integer(0))
    assert_reply(conn.call("HGETDEL", "h", "FIELDS", 1, "a"), bulks(None))


@redis8
@pytest.mark.parametrize("args,message", [
    (["FIELD", 1, "a"], FIELDS_MISSING),
    (["FOO", 1, "a"], FIELDS_MISSING),
    (["FIELDS", 0, "a"], NUMFIELDS_POSITIVE),
    (["FIELDS", "x", "a"], NUMFIELDS_POSITIVE),
    (["FIELDS", 2, "a"], NUMFIELDS_MISMATCH),
], ids=["field", "unknown", "zero", "nan", "mismatch"])
def test_hgetdel_errors(conn, args, message):
    assert_error(conn.call("HGETDEL", "missing", *args), message)


@redis8
def test_hgetex_sets_and_removes_ttls(conn, resp):
    conn.call("HSET", "h", "a", "1", "b", "2", "c", "3")
    assert_reply(conn.call("HGETEX", "h", "FIELDS", 2, "a", "zz"), bulks("1", None))
    assert encoding(conn, "h") == b"listpack"
    assert_reply(conn.call("HGETEX", "h", "EX", 100, "FIELDS", 2, "a", "zz"), bulks("1", None))
    assert encoding(conn, "h") == b"listpackex"
    assert_reply(conn.call("HTTL", "h", "FIELDS", 1, "a"), ints(100))
    assert_reply(conn.call("HGETEX", "h", "PX", 200000, "FIELDS", 1, "b"), bulks("2"))
    assert_reply(conn.call("HTTL", "h", "FIELDS", 1, "b"), ints(200))
    assert_reply(conn.call("HGETEX", "h", "EXAT", FAR, "FIELDS", 1, "b"), bulks("2"))
    assert_reply(conn.call("HEXPIRETIME", "h", "FIELDS", 1, "b"), ints(FAR))
    assert_reply(conn.call("HGETEX", "h", "PXAT", FAR * 1000 + 5, "FIELDS", 1, "b"), bulks("2"))
    assert_reply(conn.call("HPEXPIRETIME", "h", "FIELDS", 1, "b"), ints(FAR * 1000 + 5))
    assert_reply(conn.call("HGETEX", "h", "PERSIST", "FIELDS", 1, "b"), bulks("2"))
    assert_reply(conn.call("HTTL", "h", "FIELDS", 1, "b"), ints(-1))
    assert_reply(conn.call("HGETEX", "h", "EX", 0, "FIELDS", 1, "a"), bulks("1"))
    assert_reply(conn.call("HEXISTS", "h", "a"), integer(0))
    assert_reply(conn.call("HGETEX", "h", "PXAT", 1, "FIELDS", 2, "b", "c"), bulks("2", "3"))
    assert_reply(conn.call("EXISTS", "h"), integer(0))


@redis8
def test_hgetex_missing_key_and_persist_converts(conn):
    assert_reply(conn.call("HGETEX", "missing", "EX", 100, "FIELDS", 1, "a"), bulks(None))
    conn.call("HSET", "h", "a", "1")
    conn.call("HGETEX", "h", "PERSIST", "FIELDS", 1, "a")
    assert encoding(conn, "h") == b"listpackex"


@redis8
@pytest.mark.parametrize("args,message", [
    (["EX", -1, "FIELDS", 1, "a"], "ERR invalid expire time, must be >= 0"),
    (["EX", "x", "FIELDS", 1, "a"], NOT_INTEGER),
    (["EX", "FIELDS", 1, "a"], NOT_INTEGER),
    (["EX", 100, "PX", 100, "FIELDS", 1, "a"], FIELDS_MISSING),
    (["EX", "99999999999999", "FIELDS", 1, "a"], "ERR invalid expire time in 'hgetex' command"),
    (["KEEPTTL", "FIELDS", 1, "a"], FIELDS_MISSING),
    (["PERSIST", "PERSIST", "FIELDS", 1, "a"], FIELDS_MISSING),
    (["FIELDS", 2, "a"], NUMFIELDS_MISMATCH),
    (["FIELDS", 1, "a", "EX", 100], NUMFIELDS_MISMATCH),
    (["EX", 100, "FIELDS", 0], NUMFIELDS_POSITIVE),
], ids=["negative", "nan", "missing-time", "two-expiries", "huge", "keepttl", "persist-twice", "mismatch",
        "options-after", "zero"])
def test_hgetex_errors(conn, args, message):
    conn.call("HSET", "h", "a", "1")
    assert_error(conn.call("HGETEX", "h", *args), message)
    assert_error(conn.call("HGETEX", "missing", *args), message)


@redis8
def test_hsetex_conditions(conn, resp):
    assert_reply(conn.call("HSETEX", "h", "FIELDS", 2, "a", "1", "b", "2"), integer(1))
    assert encoding(conn, "h") == b"listpack"
    assert_reply(conn.call("HSETEX", "h", "FNX", "FIELDS", 1, "a", "9"), integer(0))
    assert_reply(conn.call("HSETEX", "h", "FNX", "FIELDS", 2, "c", "3", "d", "4"), integer(1))
    assert_reply(conn.call("HSETEX", "h", "FXX", "FIELDS", 2, "c", "30", "zz", "4"), integer(0))
    assert_reply(conn.call("HSETEX", "h", "fxx", "fields", 2, "c", "33", "d", "44"), integer(1))
    assert_reply(conn.call("HGETALL", "h"), pairs(resp, "a", "1", "b", "2", "c", "33", "d", "44"))
    assert_reply(conn.call("HSETEX", "missing", "FXX", "FIELDS", 1, "a", "1"), integer(0))
    assert_reply(conn.call("EXISTS", "missing"), integer(0))


@redis8
def test_hsetex_ttls(conn, resp):
    conn.call("HSET", "h", "a", "1")
    assert_reply(conn.call("HSETEX", "h", "EX", 100, "FIELDS", 1, "c", "5"), integer(1))
    assert encoding(conn, "h") == b"listpackex"
    assert_reply(conn.call("HTTL", "h", "FIELDS", 1, "c"), ints(100))
    assert_reply(conn.call("HSETEX", "h", "KEEPTTL", "FIELDS", 1, "c", "7"), integer(1))
    assert_reply(conn.call("HTTL", "h", "FIELDS", 1, "c"), ints(100))
    assert_reply(conn.call("HSETEX", "h", "FIELDS", 1, "c", "8"), integer(1))
    assert_reply(conn.call("HTTL", "h", "FIELDS", 1, "c"), ints(-1))
    assert_reply(conn.call("HSETEX", "h", "PXAT", FAR * 1000, "FIELDS", 1, "c", "9"), integer(1))
    assert_reply(conn.call("HEXPIRETIME", "h", "FIELDS", 1, "c"), ints(FAR))
    assert_reply(conn.call("HSETEX", "h", "PX", 0, "FIELDS", 1, "c", "7"), integer(1))
    assert_reply(conn.call("HGETALL", "h"), pairs(resp, "a", "1"))
    assert_reply(conn.call("HSETEX", "h", "EXAT", 1, "FIELDS", 1, "a", "7"), integer(1))
    assert_reply(conn.call("EXISTS", "h"), integer(0))
    assert_reply(conn.call("HSETEX", "new", "PX", 0, "FIELDS", 1, "a", "1"), integer(1))
    assert_reply(conn.call("EXISTS", "new"), integer(0))


@redis8
@pytest.mark.parametrize("args,message", [
    (["EX", -1, "FIELDS", 1, "a", "7"], "ERR invalid expire time, must be >= 0"),
    (["EX", "x", "FIELDS", 1, "a", "7"], NOT_INTEGER),
    (["EX", "99999999999999", "FIELDS", 1, "a", "7"], "ERR invalid expire time in 'hsetex' command"),
    (["FNX", "FXX", "FIELDS", 1, "a", "7"], "ERR Only one of FXX or FNX arguments can be specified"),
    (["EX", 1, "PX", 1, "FIELDS", 1, "a", "7"],
     "ERR Only one of EX, PX, EXAT, PXAT or KEEPTTL arguments can be specified"),
    (["KEEPTTL", "KEEPTTL", "FIELDS", 1, "a", "7"],
     "ERR Only one of EX, PX, EXAT, PXAT or KEEPTTL arguments can be specified"),
    (["FIELDS", 0, "a", "1"], "ERR invalid number of fields"),
    (["FIELDS", "x", "a", "1"], "ERR invalid number of fields"),
    (["FIELDS", 2, "a", "1"], "ERR wrong number of arguments for 'hsetex' command"),
    (["FIELDS", 1, "a", "1", "EX", 10], "ERR wrong number of arguments for 'hsetex' command"),
    (["FIELD", 1, "a", "1"], "ERR unknown argument: FIELD"),
    (["PERSIST", "FIELDS", 1, "a", "1"], "ERR unknown argument: PERSIST"),
    (["EX", 100, "a", "1"], "ERR unknown argument: a"),
], ids=["negative", "nan", "huge", "fnx-fxx", "two-expiries", "keepttl-twice", "zero-fields", "nan-fields",
        "too-few", "options-after", "field", "persist", "no-fields"])
def test_hsetex_errors(conn, args, message):
    conn.call("SET", "s", "x")  # arguments are checked before the key's type
    assert_error(conn.call("HSETEX", "s", *args), message)


# -- field expiry in the background: the active expire cycle removes fields, and the key with its last one ----------
def _wait_until(probe, want, limit_s: float = 1.0):
    """Poll `probe` (a command that removes nothing) until it answers `want`; returns the last answer."""
    deadline = time.monotonic() + limit_s
    while (got := probe()) != want and time.monotonic() < deadline:
        time.sleep(0.01)
    return got


@pytest.mark.since("7.4")
def test_hpexpire_last_field_removes_the_key_in_background(conn):
    assert_reply(conn.call("HSET", "h", "a", "1"), integer(1))
    assert_ok(conn.call("SET", "other", "x"))
    assert_reply(conn.call("HPEXPIRE", "h", 1, "FIELDS", 1, "a"), ints(1))
    assert _wait_until(lambda: conn.call("EXISTS", "h").value, 0) == 0
    assert_reply(conn.call("TYPE", "h"), simple("none"))
    assert_reply(conn.call("DBSIZE"), integer(1))
    assert_reply(conn.call("SCAN", 0), array(bulk("0"), bulks("other")))
    assert_reply(conn.call("HLEN", "h"), integer(0))


@pytest.mark.since("7.4")
def test_hpexpire_fields_removed_in_background_leave_the_rest(conn, resp):
    assert_reply(conn.call("HSET", "h", "a", "1", "b", "2", "c", "3"), integer(3))
    assert_reply(conn.call("HPEXPIRE", "h", 1, "FIELDS", 2, "a", "c"), ints(1, 1))
    assert _wait_until(lambda: conn.call("HLEN", "h").value, 1) == 1
    assert_reply(conn.call("HGETALL", "h"), pairs(resp, "b", "2"))
    assert_reply(conn.call("EXISTS", "h"), integer(1))
    assert_reply(conn.call("TYPE", "h"), simple("hash"))


@pytest.mark.since("8.0")
def test_hsetex_px_key_gone_in_background_in_another_db(conn):
    assert_ok(conn.call("SELECT", 3))
    assert_reply(conn.call("HSETEX", "h", "PX", 1, "FIELDS", 1, "a", "1"), integer(1))
    assert _wait_until(lambda: conn.call("DBSIZE").value, 0) == 0
    assert_reply(conn.call("EXISTS", "h"), integer(0))


@pytest.mark.since("8.0")
def test_hsetex_past_expiry_on_a_new_key_touches_watchers(conn):
    """Found by the fuzzer: the key is created and deleted at once, and that counts as a change for WATCH."""
    assert_ok(conn.call("WATCH", "k"))
    assert_reply(conn.call("HSETEX", "k", "FNX", "EXAT", "100", "FIELDS", "1", "f", "v"), integer(1))
    assert_reply(conn.call("EXISTS", "k"), integer(0))
    assert_ok(conn.call("MULTI"))
    assert_null_array(conn.call("EXEC"), conn.resp)
